"""Getting data into a network: CSV files, targets, standardisation, splits.

Everything here works on plain NumPy arrays, rows are samples. The pieces a model
keeps (a :class:`Standardizer`, a :class:`LabelEncoder`) turn into JSON-able configs
with ``get_config()`` and come back with ``from_config()``, so a saved model applies
to new data exactly the transformation it was trained with.

Every problem with a file raises :class:`glassnet.errors.DataError` naming the file
and, where there is one, the line and the column.

Import all of it from this module. Targets and standardisation live here; reading
CSV files (:func:`read_csv`, :class:`CSVData`, :func:`select_columns`) lives in
``glassnet._csv_reader``, and splitting and batching (:func:`split_indices`,
:func:`train_test_split`, :func:`validation_split`, :func:`minibatches`) in
``glassnet._splits``: one concept a module, both re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

# _MAX_CLASSES is read_csv's bound on zero-padded label columns and infer_task's
# default, one number so that both agree on what a class label is.
from glassnet._csv_reader import (
    _MAX_CLASSES,
    CSVData,
    _quote_list,
    read_csv,
    select_columns,
)
from glassnet._splits import (
    minibatches,
    split_indices,
    train_test_split,
    validation_split,
)
from glassnet._validation import (
    check_array,
    check_dtype,
    check_positive_int,
    describe,
)
from glassnet.errors import DataError

__all__ = [
    "CSVData",
    "LabelEncoder",
    "Standardizer",
    "encode_target",
    "infer_task",
    "minibatches",
    "one_hot",
    "read_csv",
    "select_columns",
    "split_indices",
    "train_test_split",
    "validation_split",
]

TASKS = ("binary", "multiclass", "regression")


# ------------------------------------------------------------------------- targets


def infer_task(y: Any, *, max_classes: int = _MAX_CLASSES) -> str:
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
            f"task must be one of {_quote_list(TASKS)}. Received: task={task!r}"
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


# ----------------------------------------------------------------- standardisation


class Standardizer:
    """Shift and scale every feature to mean 0 and standard deviation 1.

    ``transform(X) = (X - mean_) / scale_`` with ``mean_`` the column means and
    ``scale_`` the population standard deviations (ddof=0, like scikit-learn's
    ``StandardScaler``). A constant column gets scale 1, so it becomes all zeros
    instead of NaN. float32 input stays float32.

    Examples
    --------
    >>> scaler = Standardizer().fit([[1.0, 5.0], [3.0, 5.0]])
    >>> scaler.mean_.tolist(), scaler.scale_.tolist()
    ([2.0, 5.0], [1.0, 1.0])
    >>> scaler.transform([[3.0, 7.0]]).tolist()
    [[1.0, 2.0]]
    """

    name = "standardizer"

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, X: Any) -> Standardizer:
        values = check_array(X, "X", ndim=2, dtype=np.float64)
        self.mean_ = values.mean(axis=0)
        scale = values.std(axis=0)
        # A (near-)constant column has nothing to scale; dividing would blow it up.
        scale[scale <= 1e-12 * np.maximum(1.0, np.abs(self.mean_))] = 1.0
        self.scale_ = scale
        return self

    def _check(self, X: Any) -> np.ndarray:
        if self.mean_ is None or self.scale_ is None:
            raise ValueError("Standardizer is not fitted yet: call fit(X) first")
        values = check_array(X, "X", ndim=(1, 2))
        if values.dtype.kind != "f":
            values = values.astype(np.float64)
        if values.shape[-1] != self.mean_.size:
            raise ValueError(
                f"Standardizer expects inputs with {self.mean_.size} features "
                f"(last dimension). Received: shape {values.shape}"
            )
        return values

    def transform(self, X: Any) -> np.ndarray:
        values = self._check(X)
        mean, scale = self.mean_.astype(values.dtype), self.scale_.astype(values.dtype)
        return (values - mean) / scale

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        values = self._check(X)
        mean, scale = self.mean_.astype(values.dtype), self.scale_.astype(values.dtype)
        return values * scale + mean

    def get_config(self) -> dict:
        """``{"mean": [...], "scale": [...]}``: plain floats, exact through JSON."""
        if self.mean_ is None or self.scale_ is None:
            raise ValueError("Standardizer is not fitted yet: call fit(X) first")
        return {"mean": self.mean_.tolist(), "scale": self.scale_.tolist()}

    @classmethod
    def from_config(cls, config: dict) -> Standardizer:
        """Rebuild from :meth:`get_config` (a ``"name"`` key is allowed)."""
        mean = np.asarray(config["mean"], dtype=np.float64)
        scale = np.asarray(config["scale"], dtype=np.float64)
        if (
            mean.ndim != 1
            or mean.shape != scale.shape
            or not (
                np.isfinite(mean).all()
                and np.isfinite(scale).all()
                and (scale > 0).all()
            )
        ):
            raise ValueError(
                "a Standardizer config needs 'mean' and 'scale' lists of equal length, "
                f"finite, with scale > 0. Received: {describe(config)}"
            )
        scaler = cls()
        scaler.mean_, scaler.scale_ = mean, scale
        return scaler

    def __repr__(self) -> str:
        n = "unfitted" if self.mean_ is None else f"n_features={self.mean_.size}"
        return f"Standardizer({n})"
