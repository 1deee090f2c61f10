"""Tests for glassnet.metrics: hand-counted values, scikit-learn, Keras resolution."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import losses, metrics


def test_binary_accuracy_hand_counted():
    # predictions > 0.5: [1, 0, 0, 1] vs targets [1, 0, 1, 1] -> 3 of 4 right
    y_true = np.array([[1.0], [0.0], [1.0], [1.0]])
    y_pred = np.array([[0.9], [0.2], [0.4], [0.51]])
    assert metrics.binary_accuracy(y_true, y_pred) == 0.75


def test_binary_accuracy_threshold_is_strict_like_keras():
    # 0.5 is not > 0.5, so it predicts 0: right for target 0, wrong for target 1
    assert metrics.binary_accuracy([0.0], [0.5]) == 1.0
    assert metrics.binary_accuracy([1.0], [0.5]) == 0.0


def test_binary_accuracy_accepts_flat_targets_and_several_outputs():
    # (n,) targets beside (n, 1) probabilities
    assert metrics.binary_accuracy([1, 0], np.array([[0.7], [0.7]])) == 0.5
    # every element counts: 3 of 4 right
    assert metrics.binary_accuracy([[1, 0], [0, 0]], [[0.8, 0.1], [0.9, 0.3]]) == 0.75


def test_categorical_accuracy_with_integer_and_one_hot_labels():
    y_pred = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6]])
    # arg-max rows: 1, 0, 2
    assert metrics.categorical_accuracy(np.array([1, 0, 0]), y_pred) == pytest.approx(
        2 / 3
    )
    assert metrics.categorical_accuracy(np.array([[1], [0], [2]]), y_pred) == 1.0
    one_hot = np.eye(3)[[1, 2, 2]]
    assert metrics.categorical_accuracy(one_hot, y_pred) == pytest.approx(2 / 3)


def test_regression_metrics_hand_worked():
    # errors 1, −2, 0: squares 1, 4, 0 -> 5/3; absolutes 1, 2, 0 -> 1
    y_true = np.array([[1.0], [2.0], [3.0]])
    y_pred = np.array([[2.0], [0.0], [3.0]])
    assert metrics.mse(y_true, y_pred) == pytest.approx(5 / 3, rel=1e-15)
    assert metrics.mae(y_true, y_pred) == 1.0


def test_agrees_with_scikit_learn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=50)
    scores = rng.normal(size=(50, 4))
    assert metrics.categorical_accuracy(labels, scores) == pytest.approx(
        sklearn_metrics.accuracy_score(labels, scores.argmax(axis=1))
    )
    y, p = rng.normal(size=(50, 2)), rng.normal(size=(50, 2))
    assert metrics.mse(y, p) == pytest.approx(sklearn_metrics.mean_squared_error(y, p))
    assert metrics.mae(y, p) == pytest.approx(sklearn_metrics.mean_absolute_error(y, p))


def test_mismatched_shapes_are_refused():
    with pytest.raises(
        ValueError, match=r"same shape. Received: y_true with shape \(2,\)"
    ):
        metrics.mse([1.0, 2.0], [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match=r"one label per row of y_pred \(2\)"):
        metrics.categorical_accuracy([0, 1, 1], np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"y_pred of shape \(n_samples, n_classes\)"):
        metrics.categorical_accuracy([0, 1], np.zeros(2))


@pytest.mark.parametrize(
    ("loss", "n_outputs", "expected"),
    [
        ("binary_crossentropy", 1, metrics.binary_accuracy),
        (losses.get("binary_crossentropy_from_logits"), 1, metrics.binary_accuracy),
        ("categorical_crossentropy", 10, metrics.categorical_accuracy),
        ("sparse_categorical_crossentropy", None, metrics.categorical_accuracy),
        (losses.get("categorical_crossentropy"), None, metrics.categorical_accuracy),
        # the article's network: mse on one sigmoid output -> binary accuracy
        ("mse", 1, metrics.binary_accuracy),
        (losses.get("mse"), 3, metrics.categorical_accuracy),
        (None, 1, metrics.binary_accuracy),
    ],
)
def test_accuracy_resolves_like_keras(loss, n_outputs, expected):
    assert metrics.get("accuracy", loss=loss, n_outputs=n_outputs) is expected
    assert metrics.get("acc", loss=loss, n_outputs=n_outputs) is expected


def test_accuracy_without_loss_or_outputs_is_refused():
    with pytest.raises(ValueError, match=r"metric 'accuracy' needs the model's loss"):
        metrics.get("accuracy")


def test_registry():
    assert metrics.get("mse") is metrics.mse
    assert metrics.get("mean_absolute_error") is metrics.mae
    assert metrics.get("sparse_categorical_accuracy") is metrics.categorical_accuracy

    def custom(y_true, y_pred):
        return 0.0

    assert metrics.get(custom) is custom
    with pytest.raises(ValueError) as info:
        metrics.get("f1")
    assert str(info.value) == (
        "Unknown metric: 'f1'. Valid names: 'acc', 'accuracy', 'binary_accuracy', "
        "'categorical_accuracy', 'mae', 'mean_absolute_error', 'mean_squared_error', "
        "'mse', 'sparse_categorical_accuracy'"
    )
    with pytest.raises(TypeError, match=r"metric must be a name.*Received: metric=3"):
        metrics.get(3)
