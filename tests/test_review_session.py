"""Bugs found in a review of the day's changes, each pinned by a test that failed.

Every test here failed before its fix: the expectation comes from the rule the
code states (a link loop refused before training; an advised --validation-split
that the command then accepts), not from what the code computed.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from glassnet import activations, cli
from glassnet.layers import Dense


def _csv(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "b", "label"])
        writer.writerows(rows)
    return path


def test_train_refuses_an_out_link_loop_before_training(tmp_path, monkeypatch, capsys):
    # atomic_write refuses a loop of links (ELOOP); the CLI's early check let it
    # through (realpath stops inside the loop) and training ran first
    _csv(tmp_path / "d.csv", [[0, 1, "no"], [1, 0, "yes"], [0, 0, "no"], [1, 1, "yes"]])
    (tmp_path / "l1.npz").symlink_to("l2.npz")
    (tmp_path / "l2.npz").symlink_to("l1.npz")
    monkeypatch.chdir(tmp_path)
    args = ["train", "d.csv", "--target", "label", "--epochs", "1", "--out", "l1.npz"]
    assert cli.main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no task line: refused before any training
    assert "--out l1.npz: its symbolic links form a loop" in captured.err


@pytest.mark.parametrize("n_rows", [3, 9])
def test_validation_split_advice_is_a_value_the_command_accepts(
    tmp_path, monkeypatch, capsys, n_rows
):
    # The largest valid fraction is (n-1)/n (the held-out count is rounded up);
    # 2/3 printed as 0.6667 is above it, and that advice was refused in turn.
    rows = [[i, i % 2, "yes" if i % 2 else "no"] for i in range(n_rows)]
    _csv(tmp_path / "d.csv", rows)
    monkeypatch.chdir(tmp_path)
    base = ["train", "d.csv", "--target", "label", "--epochs", "1", "--quiet"]
    assert cli.main([*base, "--validation-split", "0.999"]) == 2
    err = capsys.readouterr().err
    advised = err.split("give at most ", 1)[1].split(",", 1)[0]
    assert float(advised) <= (n_rows - 1) / n_rows
    assert math.ceil(float(advised) * n_rows) == n_rows - 1  # still the largest
    assert cli.main([*base, "--validation-split", advised]) == 0, capsys.readouterr()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", [None, "relu", "tanh"])
def test_dense_training_forward_equals_predict_on_extra_leading_dimensions(
    dtype, activation
):
    # "any leading dimensions work": the training forward ran np.dot on 3-D inputs,
    # another summation than predict's matmul (last bits differed)
    layer = Dense(40, 6, activation=activation, dtype=dtype)
    x = np.random.default_rng(1).standard_normal((3, 4, 40)).astype(dtype)
    trained = layer.forward(x).copy()
    predicted = layer.forward(x, training=False)
    assert trained.tobytes() == predicted.tobytes()


class _ReLU6(activations.ReLU):
    """A user's subclass that changes the function: min(max(x, 0), 6)."""

    name = "relu6_review"

    def _apply(self, x, out):
        return np.clip(x, 0, 6, out=out)


@pytest.mark.parametrize("training", [True, False])
def test_a_relu_subclass_with_its_own_function_is_applied_in_training(training):
    # Dense's training forward calls forward_biased, which ReLU ran as its compiled
    # bias + max(·, 0) loop even for a subclass: the subclass's _apply was skipped
    layer = Dense(2, 3, activation=_ReLU6())
    layer.params["W"][...] = 10.0
    layer.params["b"][...] = [-30.0, 1.0, -19.5]
    x = np.ones((2, 2), np.float32)
    expected = np.clip(x @ layer.params["W"] + layer.params["b"], 0, 6)  # 0, 6, 0.5
    np.testing.assert_array_equal(layer.forward(x, training=training), expected)
