"""Smoke tests for the CNN benchmarks: each runs in --quick mode and prints its tables.

No timing or accuracy is asserted (generated data, one short round); the real
figures come from the full runs named in benchmarks/README.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("threadpoolctl", reason="the bench extra measures threads")

# The torch fixture (tests/conftest.py) skips them, naming the extra, without PyTorch.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("torch")]

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _run(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH / args[0]), *args[1:]],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_mnist_cnn_quick_prints_every_table():
    out = _run("mnist_cnn.py", "--quick")
    for heading in (
        "MNIST CNN, seconds per epoch",
        "PyTorch (NCHW)",
        "PyTorch (channels_last)",
        "im2col floor",
        "glassnet ÷ faster PyTorch",
        "images per second",
        "Peak resident memory",
    ):
        assert heading in out, out
    assert "failed" not in out


def test_cnn_accuracy_quick_prints_both_datasets():
    out = _run("cnn_accuracy.py", "--quick", "--seeds", "1", "--peer")
    for run in ("glassnet, mnist", "torch, mnist", "torch, fashion-mnist"):
        assert f"{run}, network 'issue'" in out or "SKIPPED" in out, out
    assert "fashion-mnist, network 'dense128'" in out or "SKIPPED" in out, out
    assert "glassnet, mnist, network 'issue+translate'" in out or "SKIPPED" in out
    assert "torch, mnist, network 'issue+translate'" not in out  # no twin for it


@pytest.mark.parametrize("net", ["issue", "dense128", "same128"])
def test_the_pytorch_twin_computes_glassnets_network(torch, net):
    # the accuracy peer starts from glassnet's weights: same logits in eval mode
    sys.path.insert(0, str(BENCH))
    try:
        import mnist_cnn
    finally:
        sys.path.remove(str(BENCH))
    model = mnist_cnn.glassnet_cnn(seed=3, net=net)
    X = np.random.default_rng(0).random((5, 28, 28, 1), dtype=np.float32)
    twin = mnist_cnn.torch_cnn(model, channels_last=True, net=net).eval()
    with torch.inference_mode():
        logits = twin(mnist_cnn.torch_images(X, True)).numpy()
    np.testing.assert_allclose(logits, model.predict(X), rtol=1e-4, atol=1e-5)
