"""Metrics: functions ``f(y_true, y_pred) -> float`` on *transformed* model outputs.

``y_pred`` is what a user reads as a prediction (``loss.output_transform(raw)``):
probabilities for the cross-entropies, values for regression. Argument order is
``(y_true, y_pred)`` everywhere, as in Keras and scikit-learn.

Example
-------
>>> import numpy as np
>>> from glassnet import metrics
>>> metrics.categorical_accuracy(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]]))
0.5
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet._registry import Registry
from glassnet._validation import describe

__all__ = [
    "binary_accuracy",
    "categorical_accuracy",
    "get",
    "mae",
    "mse",
    "names",
]

Metric = Callable[[Any, Any], float]


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """(n,) targets beside (n, 1) predictions are reshaped to match."""
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
        y_true = y_true.reshape(y_pred.shape)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "y_true and y_pred must have the same shape. Received: y_true with "
            f"shape {y_true.shape}, y_pred with shape {y_pred.shape}"
        )
    return y_true, y_pred


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> float:
    """Fraction of elements where (y_pred > threshold) equals the 0/1 target (Keras).

    Example
    -------
    >>> binary_accuracy([1, 0, 1], [0.7, 0.2, 0.4])  # right, right, wrong
    0.6666666666666666
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean((y_pred > threshold) == (y_true > 0.5)))


def categorical_accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of samples whose arg-max class is the label.

    Parameters
    ----------
    y_true : array_like of shape (n,), (n, 1) or (n, k)
        Integer labels, or one-hot / probability rows (their arg-max is the label).
    y_pred : array_like of shape (n, k)
        Class scores or probabilities.

    Example
    -------
    >>> categorical_accuracy([[0, 1], [1, 0]], [[0.3, 0.7], [0.4, 0.6]])
    0.5
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_pred.ndim != 2:
        raise ValueError(
            "categorical_accuracy needs y_pred of shape (n_samples, n_classes). "
            f"Received: y_pred with shape {y_pred.shape}"
        )
    if y_true.ndim == 2 and y_true.shape[1] > 1:
        labels = np.argmax(y_true, axis=1)
    else:
        labels = y_true.reshape(-1)
    if labels.shape[0] != y_pred.shape[0]:
        raise ValueError(
            "y_true must have one label per row of y_pred "
            f"({y_pred.shape[0]}). Received: y_true with shape {y_true.shape}"
        )
    return float(np.mean(np.argmax(y_pred, axis=1) == labels))


def mse(y_true: Any, y_pred: Any) -> float:
    """Mean squared error over every element.

    Example
    -------
    >>> mse([1.0, 2.0], [1.0, 4.0])  # (0 + 4) / 2
    2.0
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.square(y_pred - y_true)))


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error over every element.

    Example
    -------
    >>> mae([1.0, 2.0], [0.0, 4.0])  # (1 + 2) / 2
    1.5
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_pred - y_true)))


_REGISTRY = Registry(
    "metric",
    {
        "binary_accuracy": binary_accuracy,
        "categorical_accuracy": categorical_accuracy,
        "sparse_categorical_accuracy": categorical_accuracy,
        "mse": mse,
        "mean_squared_error": mse,
        "mae": mae,
        "mean_absolute_error": mae,
    },
    accepts="a name or a function f(y_true, y_pred)",
    configs=None,
    extra_names=("accuracy", "acc"),  # resolved by get() from the loss
)


def names() -> list[str]:
    """The accepted metric names, ``"accuracy"`` and aliases included, sorted.

    Example
    -------
    >>> names()[:3]
    ['acc', 'accuracy', 'binary_accuracy']
    """
    return _REGISTRY.names()


def get(
    identifier: str | Metric, *, loss: Any = None, n_outputs: int | None = None
) -> Metric:
    """Resolve a metric name to its function; a callable passes through.

    ``"accuracy"`` (or ``"acc"``) resolves like Keras: binary accuracy for a
    binary cross-entropy loss or a single output, categorical accuracy for a
    categorical cross-entropy loss or several outputs.

    Parameters
    ----------
    identifier : str or callable
        A metric name, or a function ``f(y_true, y_pred) -> float``.
    loss : Loss or str, optional
        The compiled loss (an object with ``name``, or its registry name).
    n_outputs : int, optional
        Width of the model's output layer.

    Raises
    ------
    ValueError
        For an unknown name (listing the valid ones), or ``"accuracy"`` with
        neither ``loss`` nor ``n_outputs`` to decide by.
    TypeError
        For anything that is neither a string nor a callable.

    Example
    -------
    >>> get("accuracy", loss="categorical_crossentropy").__name__
    'categorical_accuracy'
    >>> get("accuracy", loss="mse", n_outputs=1).__name__
    'binary_accuracy'
    """
    if isinstance(identifier, str) and identifier in _REGISTRY.extra_names:
        return _accuracy_for(loss, n_outputs)
    return _REGISTRY.get(identifier)


def _accuracy_for(loss: Any, n_outputs: int | None) -> Metric:
    """Binary or categorical accuracy, chosen from the loss or the output width."""
    loss_name = loss if isinstance(loss, str) else getattr(loss, "name", None)
    if loss_name is not None and "binary" in loss_name:
        return binary_accuracy
    if loss_name is not None and "categorical" in loss_name:
        return categorical_accuracy
    if n_outputs is None:
        raise ValueError(
            "metric 'accuracy' needs the model's loss or its number of outputs "
            "to choose between binary and categorical accuracy. Received: "
            f"loss={describe(loss)}, n_outputs=None"
        )
    return binary_accuracy if n_outputs == 1 else categorical_accuracy
