"""``glassnet train --layers``: convolutional networks from the command line.

Tiny generated images in CSV files (each row an image's pixels), so the tests run
in seconds with no dataset: train, evaluate and predict a CNN, the ``cnn`` preset
on 28×28 rows, and the messages for a spec that cannot work.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest


def glassnet(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )


def _bars(n: int, side: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Images with one vertical ("v") or horizontal ("h") bright bar, plus noise."""
    X = rng.uniform(0, 0.3, size=(n, side, side))
    labels = rng.integers(0, 2, n)
    where = rng.integers(1, side - 1, n)
    for i in range(n):
        if labels[i]:
            X[i, where[i], :] += 1.0
        else:
            X[i, :, where[i]] += 1.0
    return X.reshape(n, -1), np.where(labels == 1, "h", "v")


def _write(path: Path, X: np.ndarray, y: np.ndarray | None) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        header = [f"p{i}" for i in range(X.shape[1])]
        writer.writerow(header + (["label"] if y is not None else []))
        for i, row in enumerate(X):
            cells = [f"{v:.3f}" for v in row]
            writer.writerow(cells + ([y[i]] if y is not None else []))
    return path


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli_cnn")
    rng = np.random.default_rng(0)
    X, y = _bars(160, 8, rng)
    _write(folder / "bars.csv", X, y)
    X28, y28 = _bars(48, 28, rng)
    _write(folder / "bars28.csv", X28, y28)
    return folder


def test_train_evaluate_predict_a_cnn(work):
    result = glassnet(
        "train", "bars.csv", "--target", "label",
        "--layers", "reshape:8:8:1,translate:0.125,conv:4:3,pool,flatten",
        "--epochs", "20", "--batch-size", "16", "--lr", "0.01", "--seed", "0",
        "--validation-split", "0", "--out", "bars.npz", "--quiet", cwd=work,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    result = glassnet("evaluate", "bars.npz", "bars.csv", cwd=work)
    assert result.returncode == 0, result.stderr
    scores = dict(line.split() for line in result.stdout.splitlines())
    assert float(scores["accuracy"]) >= 0.9  # a bar's direction: easy for 3×3 filters
    result = glassnet("predict", "bars.npz", "bars.csv", cwd=work)
    assert result.returncode == 0, result.stderr
    predicted = [line for line in result.stdout.splitlines()[1:]]
    truth = [row[-1] for row in csv.reader((work / "bars.csv").open())][1:]
    assert np.mean([p == t for p, t in zip(predicted, truth, strict=True)]) >= 0.9
    result = glassnet("summary", "bars.npz", cwd=work)
    assert result.returncode == 0, result.stderr
    assert "Conv2D(4, 3, activation='relu')" in result.stdout
    assert "MaxPooling2D()" in result.stdout
    assert "RandomTranslation(0.125, 0.125, fill_mode='constant')" in result.stdout


def test_the_cnn_preset_reads_square_rows_as_images(work):
    result = glassnet(
        "train", "bars28.csv", "--target", "label", "--layers", "cnn",
        "--epochs", "1", "--batch-size", "16", "--seed", "0",
        "--validation-split", "0", "--out", "preset.npz", "--quiet", cwd=work,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    result = glassnet("summary", "preset.npz", cwd=work)
    text = result.stdout
    for layer in (
        "Reshape((28, 28, 1))",
        "Conv2D(32, 3, activation='relu')",
        "Conv2D(64, 3, activation='relu')",
        "Dropout(0.5)",
        "(None, 5, 5, 64)",
    ):
        assert layer in text, text


def test_a_preset_can_stand_for_some_of_the_layers():
    from glassnet.cli.layer_spec import PRESETS, parse

    assert parse("translate:0.1,cnn") == [("translate", [0.1]), *parse(PRESETS["cnn"])]
    assert [name for name, _ in parse("cnn")] == [
        "conv", "pool", "conv", "pool", "flatten", "dropout",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("conv:8", "'conv:8' is written conv:FILTERS:KERNEL"),
        ("conv:8:3,pool,wobble", "'wobble' is not a layer name"),
        ("dropout:1.5", "'dropout:1.5' needs a rate in [0, 1)"),
        ("translate:2", "'translate:2' needs a fraction of the image in (0, 1]"),
        ("conv:8:0", "needs whole numbers >= 1, not '0'"),
        ("conv:4:3", "not square images; start with reshape:H:W:C"),
        ("reshape:8:8:1,conv:4:9", "at least 9×9"),
    ],
)
def test_a_spec_that_cannot_work_is_refused_with_one_line(work, spec, message):
    columns = "bars.csv" if "reshape" in spec else "odd.csv"
    if not (work / "odd.csv").exists():
        _write(work / "odd.csv", np.ones((4, 10)), np.array(["a", "b", "a", "b"]))
    result = glassnet(
        "train", columns, "--target", "label", "--layers", spec, "--epochs", "1",
        "--out", "never.npz", cwd=work,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (work / "never.npz").exists()


def test_layers_and_hidden_together_are_refused(work):
    result = glassnet(
        "train", "bars.csv", "--target", "label", "--layers", "cnn",
        "--hidden", "16", "--out", "never.npz", cwd=work,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--hidden and --layers" in result.stderr
