"""Smoke tests for benchmarks/: every script runs in --quick mode and prints its tables.

No timing is asserted (timings belong in the benchmark output, never in tests).
The scripts start together in child processes when this module's fixture first
runs, so that their start-up costs (imports, data) overlap; each test then waits
for its own script.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("threadpoolctl")

# Whole scripts in child processes (PyTorch imports included): ~15 s on 2 cores.
# The torch fixture (tests/conftest.py) skips them, naming the extra, without PyTorch.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("torch")]

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
TIMEOUT = 300

COMMANDS = {
    "run": ["run.py", "--quick", "--only", "mnist,article", "--unset-openblas-env"],
    "scaling": ["scaling.py", "--quick"],
    "accuracy": ["accuracy.py", "--quick"],
    "startup": ["startup_memory.py", "--quick"],
    "profile": ["profile_epoch.py", "--quick", "--optimizer", "adam"],
}


@pytest.fixture(scope="module")
def runs():
    procs = {
        name: subprocess.Popen(
            [sys.executable, str(BENCH / cmd[0]), *cmd[1:]],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, cmd in COMMANDS.items()
    }
    done = {}

    def result(name):
        if name not in done:
            out, err = procs[name].communicate(timeout=TIMEOUT)
            done[name] = (procs[name].returncode, out, err)
        return done[name]

    yield result
    for proc in procs.values():
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def check(result, name):
    rc, out, err = result(name)
    assert rc == 0, f"{name} exited with {rc}:\n{out}\n{err[-3000:]}"
    assert "|---" in out, f"{name} printed no table:\n{out}"
    assert "glassnet failed" not in out and "glassnet: failed" not in out, out
    assert "glassnet (pure NumPy): failed" not in out, out
    # every script's environment header says whether the compiled loops run
    assert f"glassnet compiled loops: {compiled_state()}" in out, out
    return out


def compiled_state() -> str:
    """'on (glassnet._kernels, ' or 'off (', as seen by this same-env process."""
    from glassnet._fused import KERNELS

    return "on (glassnet._kernels, " if KERNELS is not None else "off ("


def test_run_prints_mnist_and_article_tables_and_the_unset_openblas_rerun(runs):
    out = check(runs, "run")
    assert "MNIST MLP 784-256-128-10" in out
    assert "glassnet / PyTorch" in out and "glassnet / matmul floor" in out
    # the default torch.optim path is a second, unjudged PyTorch contender
    assert "PyTorch (fused) s/epoch" in out and "PyTorch (default optim) s/epoch" in out
    assert "glassnet / PyTorch (default optim)" in out
    assert "glassnet / faster PyTorch" in out
    # the memory-aware floor, from the bandwidth probed in the same rounds
    assert (
        "memory-aware floor s/epoch" in out and "glassnet / memory-aware floor" in out
    )
    assert "Memory bandwidth (STREAM-style" in out and "GB/s, 2 threads" in out
    assert "matmul share of glassnet" in out
    try:
        import jax  # noqa: F401
    except ImportError:
        assert "JAX not installed" in out
    else:  # both ways, compile time apart, judged against the faster
        assert (
            "JAX (epoch in lax.scan) s/epoch" in out and "JAX (jit step) s/epoch" in out
        )
        assert "JAX compile time (once, not in the epochs)" in out
        assert "glassnet / faster JAX" in out
    # glassnet with its compiled loops switched off: a contender with info rows
    if compiled_state().startswith("on"):
        assert "glassnet (pure NumPy) s/epoch" in out
        for row in ("faster PyTorch", "scikit-learn", "matmul floor"):
            assert f"| glassnet (pure NumPy) / {row} " in out
        assert "compiled loops speed-up (glassnet (pure NumPy) / glassnet)" in out
        assert "info (targets are judged on glassnet)" in out
    else:
        assert "glassnet (pure NumPy) skipped: glassnet's compiled loops are off" in out
        assert "glassnet (pure NumPy) s/epoch" not in out
    assert "µs per sample step" in out and "glassnet demo" in out
    # the second MNIST run happens in a child without the two OPENBLAS_* variables
    assert "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this process" in out
    assert "env: OPENBLAS_CORETYPE=(unset), OPENBLAS_L2_SIZE=(unset)" in out
    assert out.count("OpenBLAS kernel in use:") == 2


def test_scaling_prints_ratio_grids(runs):
    out = check(runs, "scaling")
    assert "glassnet / PyTorch time" in out and "glassnet / matmul floor" in out
    assert "n/a" not in out


def test_accuracy_prints_accuracy_per_epoch(runs):
    rc, out, err = runs("accuracy")
    if rc == 0 and "SKIPPED: MNIST" in out:  # a clone without ../shared/data
        pytest.skip("MNIST files not found")
    out = check(runs, "accuracy")
    assert "test accuracy per epoch" in out and "Fashion-MNIST" in out


def test_startup_memory_prints_import_and_memory_tables(runs):
    out = check(runs, "startup")
    assert "import glassnet" in out and "peak RSS MB" in out
    assert "n/a" not in out


def test_profile_prints_every_pass_and_its_floor(runs):
    out = check(runs, "profile")
    assert "pass by pass" in out and "memory floor ms" in out
    for name in ("gather", "products_forward", "bias_activation", "loss", "update"):
        assert f"| {name} " in out
    assert "Memory bandwidth (STREAM-style" in out


def test_run_rejects_unknown_workloads():
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--only", "mnist,bogus"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Received: bogus" in done.stderr


class CountingKernels:
    """Forwards to the compiled kernels and records the name of every call."""

    def __init__(self, inner):
        self.inner, self.calls = inner, []

    def __getattr__(self, name):
        fn = getattr(self.inner, name)

        def counted(*args, **kwargs):
            self.calls.append(name)
            return fn(*args, **kwargs)

        return counted


def test_pure_numpy_contender_switches_the_compiled_loops_off_and_back(monkeypatch):
    from glassnet import _fused

    if _fused.KERNELS is None:
        pytest.skip("glassnet._kernels not in use here")
    monkeypatch.syspath_prepend(str(BENCH))
    mnist_mlp = importlib.import_module("mnist_mlp")
    spy = CountingKernels(_fused.KERNELS)
    monkeypatch.setattr(_fused, "KERNELS", spy)
    rng = np.random.default_rng(0)
    X = rng.random((64, 784), dtype=np.float32)
    y = rng.integers(0, 10, 64)

    mnist_mlp.make_glassnet_numpy(X, y, "adam")()
    assert spy.calls == []
    assert _fused.KERNELS is spy
    # the same epoch as installed does reach the kernels (so the spy can see them)
    mnist_mlp.make_glassnet(X, y, "adam")()
    assert "adam" in spy.calls and "relu_backward" in spy.calls
    # an epoch that raises puts the kernels back too
    bad = mnist_mlp.make_glassnet_numpy(X[:, :10], y, "sgd")
    with pytest.raises(ValueError):
        bad()
    assert _fused.KERNELS is spy
