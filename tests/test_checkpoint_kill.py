"""``kill -9`` while training writes checkpoints: the survivor loads, and resuming
from it ends with the same weights as a run that was never interrupted."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import glassnet as gn

pytestmark = pytest.mark.skipif(
    not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"
)

# Small data, so an epoch is mostly the checkpoint write: a kill at a random
# moment most likely lands inside save().
SETTINGS = [
    "--target", "label", "--hidden", "8", "--optimizer", "adam", "--lr", "0.01",
    "--batch-size", "16", "--validation-split", "0.25", "--seed", "7",
    "--patience", "0",  # no early stopping: it trains until it is killed
]  # fmt: skip


def _command(*args) -> list[str]:
    return [sys.executable, "-m", "glassnet", "train", "data.csv", *SETTINGS] + [
        str(a) for a in args
    ]


def _weights(path) -> list[np.ndarray]:
    return [param for param, _ in gn.load(path).parameters()]


def test_sigkill_during_checkpoints_then_resume_matches_uninterrupted(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    with open(tmp_path / "data.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "b", "c", "label"])
        for row in X:
            label = "up" if row[0] - row[2] > 0 else "down"
            writer.writerow([f"{v:.5f}" for v in row] + [label])

    # Far more epochs than it will ever reach: it runs until it is killed.
    process = subprocess.Popen(
        _command("--epochs", "100000", "--checkpoint", "ckpt", "--quiet"),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    checkpoint = tmp_path / "ckpt" / "checkpoint.npz"
    try:
        deadline = time.monotonic() + 120
        while not checkpoint.exists():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint within 2 minutes"
            time.sleep(0.005)
        # A few more checkpoints get written (each replacing the last), then the
        # process dies at an arbitrary point, likely in the middle of one.
        time.sleep(np.random.default_rng().uniform(0.05, 0.5))
        assert process.poll() is None, "training ended before it was killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=60)
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    # The survivor is a complete, valid checkpoint (at worst a stray temp file
    # lies beside it).
    leftovers = set(os.listdir(tmp_path / "ckpt")) - {"checkpoint.npz"}
    assert all(
        name.startswith(".checkpoint.npz.") and name.endswith(".tmp")
        for name in leftovers
    ), leftovers
    survivor = gn.load(checkpoint)
    done = survivor.epoch
    assert done >= 1
    assert len(survivor.history.history["loss"]) == done
    assert survivor.optimizer.iterations == done * 3  # 48 training rows / 16

    total = done + 3
    resumed = subprocess.run(
        _command("--epochs", total, "--checkpoint", "ckpt", "--resume", "--quiet",
                 "--out", "resumed.npz"),
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    straight = subprocess.run(
        _command("--epochs", total, "--out", "straight.npz", "--quiet"),
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert straight.returncode == 0, straight.stderr

    for a, b in zip(
        _weights(tmp_path / "resumed.npz"),
        _weights(tmp_path / "straight.npz"),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)  # bit for bit, not approximately
    assert (
        gn.load(tmp_path / "resumed.npz").history.history
        == gn.load(tmp_path / "straight.npz").history.history
    )
