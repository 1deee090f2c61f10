"""Smoke runs of the deploy benchmarks: each script works and prints its table.

No timing is asserted (timings belong in the benchmark output, never in tests).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def run_quick(script: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "|---" in result.stdout, result.stdout
    return result.stdout


def test_inference_benchmark_runs(torch):  # PyTorch is the benchmark's peer
    pytest.importorskip("onnxruntime", reason="onnxruntime is a contender")
    out = run_quick("inference.py")
    for contender in ("glassnet", "onnxruntime", "PyTorch"):
        assert f"| {contender} " in out
    assert "thread(s): glassnet / PyTorch, one row:" in out


def test_dask_search_benchmark_runs():
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    out = run_quick("dask_search.py")
    assert "every search gave the same scores: True" in out
    assert "| 2 workers " in out
