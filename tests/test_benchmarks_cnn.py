"""Smoke tests for the CNN benchmarks: each runs in --quick mode and prints its tables.

No timing or accuracy is asserted (generated data, one short round); the real
figures come from the full runs named in benchmarks/README.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    out = _run("cnn_accuracy.py", "--quick", "--seeds", "1")
    assert "mnist: test accuracy" in out or "mnist: SKIPPED" in out
    assert "fashion-mnist" in out
