"""The code base stays lint-clean and formatted (ruff, configured in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TREES = ["src", "tests", "benchmarks"]


def _ruff() -> list[str]:
    if shutil.which("ruff") is None:
        pytest.importorskip("ruff")  # installed by the test extra
    return [sys.executable, "-m", "ruff"]


def test_ruff_check_passes():
    done = subprocess.run(
        [*_ruff(), "check", *TREES], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean():
    done = subprocess.run(
        [*_ruff(), "format", "--check", *TREES],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
