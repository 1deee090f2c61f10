"""Targets: the kind of problem, class labels to 0..k-1 and back, one-hot rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from glassnet._validation import (
    check_array,
    check_dtype,
    check_positive_int,
    describe,
)

# MAX_CLASSES is read_csv's bound on zero-padded label columns and infer_task's
# default, one number so that both agree on what a class label is.
from glassnet.data.csv import MAX_CLASSES, quote_list
from glassnet.errors import DataError

__all__ = ["TASKS", "LabelEncoder", "encode_target", "infer_task", "one_hot"]

TASKS = ("binary", "multiclass", "regression")


def infer_task(y: Any, *, max_classes: int = MAX_CLASSES) -> str:
    """Guess the kind of problem from the targets.

    Strings, booleans and integers (also floats that are all whole numbers, like
    ``1.0``) with at most ``max_classes`` distinct values are classification:
    ``"binary"`` for two classes, ``"multiclass"`` for more. Other numbers are
    ``"regression"``.

    Raises
    ------
    DataError
        For a classification target with a single class.

    Examples
    --------
    >>> infer_task(["cat", "dog", "cat"]), infer_task([0, 2, 1]), infer_task([0.5, 2.0])
    ('binary', 'multiclass', 'regression')
    """
    values = np.asarray(y)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1 or values.size == 0:
        raise DataError(
            f"y must be a non-empty 1-D array of targets. Received: {describe(values)}"
        )
    if values.dtype.kind in "fc":
        if not np.isfinite(values).all():
            raise DataError("y must not contain NaN or infinity")
        if not np.array_equal(values, np.round(values)):
            return "regression"
    classes = np.unique(values)
    if values.dtype.kind in "iuf" and classes.size > max_classes:
        return "regression"
    if classes.size < 2:
        raise DataError(
            "the target has a single class "
            f"({classes[0].item()!r}): a classifier needs at least two"
        )
    return "binary" if classes.size == 2 else "multiclass"


class LabelEncoder:
    """Map class labels (strings or numbers) to 0..k-1 and back.

    ``classes_`` holds the labels in sorted order; label ``classes_[i]`` is class
    ``i``.

    Examples
    --------
    >>> encoder = LabelEncoder().fit(["yes", "no", "yes"])
    >>> encoder.classes_.tolist(), encoder.transform(["no", "yes"]).tolist()
    (['no', 'yes'], [0, 1])
    >>> encoder.inverse_transform([1, 0]).tolist()
    ['yes', 'no']
    """

    name = "label_encoder"

    def __init__(self, classes: Sequence[Any] | None = None) -> None:
        self.classes_ = None if classes is None else np.asarray(classes)

    def fit(self, y: Any) -> LabelEncoder:
        self.classes_ = np.unique(np.asarray(y).ravel())
        return self

    def _require_fit(self) -> np.ndarray:
        if self.classes_ is None:
            raise ValueError("LabelEncoder is not fitted yet: call fit(y) first")
        return self.classes_

    def transform(self, y: Any) -> np.ndarray:
        """Labels -> int64 class indices; unknown labels raise DataError."""
        classes = self._require_fit()
        values = np.asarray(y).ravel()
        if classes.dtype.kind in "US":
            values = values.astype(str)  # labels read from text compare as text
        elif values.dtype.kind not in "biuf":
            raise DataError(
                f"labels must be numbers like the classes {classes.tolist()!r}. "
                f"Received: {describe(values)}"
            )
        index = np.searchsorted(classes, values)
        known = index < classes.size
        known[known] = classes[index[known]] == values[known]
        if not known.all():
            unknown = np.unique(values[~known])[:10].tolist()
            raise DataError(
                f"unknown label(s) {unknown!r}; the known classes are "
                f"{classes.tolist()!r}"
            )
        return index.astype(np.int64)

    def fit_transform(self, y: Any) -> np.ndarray:
        return self.fit(y).transform(y)

    def inverse_transform(self, indices: Any) -> np.ndarray:
        """Class indices 0..k-1 -> the original labels."""
        classes = self._require_fit()
        index = np.asarray(indices)
        if (
            index.dtype.kind not in "iu"
            or index.size
            and (index.min() < 0 or index.max() >= classes.size)
        ):
            raise ValueError(
                f"indices must be integers in [0, {classes.size}). "
                f"Received: indices={describe(index)}"
            )
        return classes[index]

    def get_config(self) -> dict:
        return {"classes": self._require_fit().tolist()}

    @classmethod
    def from_config(cls, config: dict) -> LabelEncoder:
        return cls(config["classes"])

    def __repr__(self) -> str:
        shown = None if self.classes_ is None else self.classes_.tolist()
        return f"LabelEncoder(classes={shown!r})"


def encode_target(
    y: Any, task: str | None = None
) -> tuple[str, np.ndarray, LabelEncoder | None]:
    """Prepare raw targets for training: ``(task, y_encoded, encoder)``.

    Classification targets become int64 classes 0..k-1 with the encoder that maps
    them back; regression targets become float64 and the encoder is None.

    Examples
    --------
    >>> task, codes, encoder = encode_target(["M", "F", "F"])
    >>> task, codes.tolist(), encoder.classes_.tolist()
    ('binary', [1, 0, 0], ['F', 'M'])
    """
    if task is None:
        task = infer_task(y)
    elif task not in TASKS:
        raise ValueError(
            f"task must be one of {quote_list(TASKS)}. Received: task={task!r}"
        )
    if task == "regression":
        values = np.asarray(y)
        if values.dtype.kind == "U":  # numbers kept as text, like "007"
            try:
                values = values.astype(np.float64)
            except ValueError:
                pass
        if values.dtype.kind not in "biuf":
            raise DataError(
                f"a regression target must hold numbers. Received: {describe(values)}"
            )
        return task, check_array(values, "y", ndim=(1, 2), dtype=np.float64), None
    encoder = LabelEncoder().fit(y)
    if encoder.classes_.size < 2:
        infer_task(y)  # raises the single-class error
    return task, encoder.transform(y), encoder


def one_hot(labels: Any, n_classes: int | None = None, dtype="float32") -> np.ndarray:
    """Integer class labels (n,) -> one-hot rows (n, n_classes).

    Examples
    --------
    >>> one_hot([2, 0], 3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    values = np.asarray(labels)
    if values.ndim != 1 or values.dtype.kind not in "iu":
        raise ValueError(
            f"labels must be a 1-D array of integers. Received: {describe(values)}"
        )
    if n_classes is None:
        n_classes = int(values.max()) + 1 if values.size else 0
    n_classes = check_positive_int(n_classes, "n_classes")
    if values.size and (values.min() < 0 or values.max() >= n_classes):
        bad = values[(values < 0) | (values >= n_classes)][0]
        raise ValueError(
            f"labels must be integers in [0, {n_classes}) for n_classes={n_classes}. "
            f"Received: {int(bad)}"
        )
    out = np.zeros((values.size, n_classes), dtype=check_dtype(dtype))
    out[np.arange(values.size), values] = 1
    return out
