"""Getting data into a network: CSV files, targets, standardisation, splits.

Everything here works on plain NumPy arrays, rows are samples. The pieces a model
keeps (a :class:`Standardizer`, a :class:`LabelEncoder`) turn into JSON-able configs
with ``get_config()`` and come back with ``from_config()``, so a saved model applies
to new data exactly the transformation it was trained with.

Every problem with a file raises :class:`glassnet.errors.DataError` naming the file
and, where there is one, the line and the column.
"""

from __future__ import annotations

import collections
import csv
import difflib
import itertools
import operator
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from glassnet._validation import (
    check_array,
    check_dtype,
    check_finite_number,
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


# ----------------------------------------------------------------------- CSV files


@dataclass(frozen=True)
class CSVData:
    """A table read by :func:`read_csv`.

    Attributes
    ----------
    path : str
        The file it came from (for messages).
    feature_names : list of str
        Column names of ``X``, in order.
    X : ndarray of shape (n_samples, n_features), float64
        The feature cells.
    target : str or None
        The target column's name, or None when the file was read without one.
    y : ndarray of shape (n_samples,) or None
        The raw target values: int64 when every cell is an integer, float64 when
        every cell is a number, otherwise the strings themselves. Zero-padded
        integers ("01", "007") in a column of at most 20 distinct values stay
        strings: they are class labels, and "01" is not "1".
    """

    path: str
    feature_names: list[str]
    X: np.ndarray
    target: str | None = None
    y: np.ndarray | None = None

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])


def _quote_list(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names)


_CHUNK_CELLS = 1 << 19  # cells converted at a time: a large file needs little memory


def _check_header(name: str, row: list[str]) -> list[str]:
    """The stripped column names, refusing empty and duplicate ones."""
    header = [cell.strip() for cell in row]
    for index, column in enumerate(header):
        if not column:
            raise DataError(f"{name}: header column {index + 1} has no name")
    duplicates = sorted(c for c, n in collections.Counter(header).items() if n > 1)
    if duplicates:
        raise DataError(f"{name}: duplicate column names: {_quote_list(duplicates)}")
    return header


def _row_chunks(name: str, reader, width: int) -> Iterator[tuple[list[int], list]]:
    """``(line_numbers, rows)`` in chunks; blank lines skipped, ragged rows refused."""
    lines: list[int] = []
    rows: list[list[str]] = []
    chunk_rows = max(1, _CHUNK_CELLS // width)
    for row in reader:
        if not row or (width > 1 and len(row) == 1 and not row[0].strip()):
            continue  # a blank line, or one of only spaces (not a 1-column row)
        if len(row) != width:
            raise DataError(
                f"{name}: line {reader.line_num} has {len(row)} cells but the header "
                f"has {width} columns"
            )
        lines.append(reader.line_num)
        rows.append(row)
        if len(rows) == chunk_rows:
            yield lines, rows
            lines, rows = [], []
    if rows:
        yield lines, rows


def _not_a_number(name: str, line: int, column: str, cell: str) -> DataError:
    shown = "an empty cell" if not cell.strip() else repr(cell)
    return DataError(
        f"{name}: line {line}, column {column!r}: expected a number, found {shown}"
    )


def _check_finite(name, columns, lines, values, cell_at) -> np.ndarray:
    """Refuse NaN and infinity, naming the first such cell (in reading order)."""
    finite = np.isfinite(values)
    if not finite.all():
        i, j = np.argwhere(~finite.reshape(len(values), -1))[0]
        raise DataError(
            f"{name}: line {lines[i]}, column {columns[j]!r}: "
            f"{cell_at(i, j).strip()!r} is not a finite number "
            "(NaN and infinity are not allowed)"
        )
    return values


def _parse_block(name: str, columns, index, lines, rows) -> np.ndarray:
    """The cells ``row[k] for k in index`` as finite float64 (rows, len(index))."""
    if len(index) == 1:
        cells = (row[index[0]] for row in rows)
    else:
        cells = itertools.chain.from_iterable(map(operator.itemgetter(*index), rows))
    try:
        # float() on a flat stream of cells: three times faster than NumPy's
        # string-array conversion, and it is the rule for what a number is.
        values = np.fromiter(map(float, cells), np.float64, len(rows) * len(index))
    except ValueError:
        for i, row in enumerate(rows):  # slow path, only to name the bad cell
            for j, k in enumerate(index):
                try:
                    float(row[k])
                except ValueError:
                    raise _not_a_number(name, lines[i], columns[j], row[k]) from None
        raise
    values = values.reshape(len(rows), len(index))
    return _check_finite(name, columns, lines, values, lambda i, j: rows[i][index[j]])


_ZERO_PADDED = re.compile(r"[+-]?0[0-9]")
_MAX_CLASSES = 20  # infer_task's default: more distinct integers are regression


def _parse_target(name: str, column: str, lines: list[int], cells: list[str]):
    """Target cells as int64, float64 or (otherwise) stripped strings."""
    stripped = [cell.strip() for cell in cells]
    for line, cell in zip(lines, stripped, strict=True):
        if not cell:
            raise DataError(
                f"{name}: line {line}, target column {column!r}: empty cell"
            )
    try:
        values = np.array([int(cell) for cell in stripped], dtype=np.int64)
    except (ValueError, OverflowError):
        pass
    else:
        # Zero-padded codes ("01", "007") in a column few-valued enough to be
        # classes are labels: as integers "01" and "1" would merge, and
        # predictions would come back as 1 instead of the file's "01".
        padded = any(_ZERO_PADDED.match(cell) for cell in stripped)
        if not padded or len(set(stripped)) > _MAX_CLASSES:
            return values
        return np.array(stripped, dtype=str)
    try:
        values = np.array([float(cell) for cell in stripped])
    except ValueError:
        return np.array(stripped, dtype=str)
    return _check_finite(name, [column], lines, values, lambda i, j: stripped[i])


def _check_columns(
    name: str, header: Sequence[str], features: Sequence[str], ignore: Sequence[str]
) -> None:
    """Refuse a file whose columns are not exactly ``features`` (plus ``ignore``)."""
    missing = [column for column in features if column not in header]
    extra = [c for c in header if c not in features and c not in ignore]
    problems = []
    if missing:
        problems.append(f"missing column(s) {_quote_list(missing)}")
    if extra:
        problems.append(f"unexpected column(s) {_quote_list(extra)}")
    if problems:
        raise DataError(
            f"{name}: the columns do not match the model's features: "
            f"{'; '.join(problems)}. Expected: {_quote_list(features)}"
        )


def read_csv(
    path: str | os.PathLike,
    target: str | None = None,
    *,
    features: Sequence[str] | None = None,
    require_target: bool = True,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
) -> CSVData:
    """Read a CSV file with a header line into numeric features and a target.

    Parameters
    ----------
    path : str or path-like
        The file. The first non-blank line names the columns; blank lines are skipped.
    target : str, optional
        The name of the target column. Every other column is a feature and must hold
        finite numbers. The target may hold numbers or labels (strings).
    features : sequence of str, optional
        The feature columns a model expects, in its order (for evaluate/predict). The
        file must have exactly these columns, plus ``target``; the columns are
        reordered to match.
    require_target : bool
        With ``False``, a file without the ``target`` column, or with empty cells
        in it, is accepted and ``y`` is None (predicting on new data).
    delimiter : str
        The cell separator.
    encoding : str
        The text encoding; the default is UTF-8, with or without the byte-order
        mark that spreadsheet programs write.

    Returns
    -------
    CSVData

    Raises
    ------
    DataError
        For a missing file, a directory, an empty file, a header without rows,
        duplicate or empty column names, ragged rows, a non-numeric, NaN or infinite
        feature cell, a missing target column or wrong columns.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
    >>> _ = path.write_text("weight,height,gender\\n-2,-1,F\\n25,6,M\\n")
    >>> table = read_csv(path, target="gender")
    >>> table.feature_names, table.X.tolist(), table.y.tolist()
    (['weight', 'height'], [[-2.0, -1.0], [25.0, 6.0]], ['F', 'M'])
    """
    if target is not None and not isinstance(target, str):
        raise TypeError(
            f"target must be a column name (str). Received: target={describe(target)}"
        )
    name = os.fspath(path)
    if not os.path.exists(name):
        raise DataError(f"{name}: no such file")
    if os.path.isdir(name):
        raise DataError(f"{name}: is a directory, not a CSV file")
    try:
        with open(name, encoding=encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            first = next((row for row in reader if row), None)
            if first is None:
                raise DataError(f"{name}: the file is empty (expected a header line)")
            header = _check_header(name, first)
            feature_names, target = _choose_columns(
                name, header, target, features, require_target
            )
            where = {column: index for index, column in enumerate(header)}
            feature_index = [where[column] for column in feature_names]
            blocks, target_cells, lines = [], [], []
            for chunk_lines, rows in _row_chunks(name, reader, len(header)):
                blocks.append(
                    _parse_block(name, feature_names, feature_index, chunk_lines, rows)
                )
                if target is not None:
                    target_cells.extend(row[where[target]] for row in rows)
                lines.extend(chunk_lines)
    except UnicodeDecodeError as error:
        raise DataError(
            f"{name}: not {error.encoding} text (byte "
            f"0x{error.object[error.start]:02x} cannot be decoded); for another "
            "encoding pass encoding=..."
        ) from None
    except csv.Error as error:
        raise DataError(f"{name}: not a readable CSV file ({error})") from None
    except OSError as error:
        raise DataError(f"{name}: cannot be read ({error.strerror or error})") from None
    if not lines:
        raise DataError(f"{name}: has a header but no data rows")
    y = None
    # Without require_target (predicting), a target column still to be filled
    # in is no error: its values are not needed.
    blank = not require_target and any(not cell.strip() for cell in target_cells)
    if target is not None and not blank:
        y = _parse_target(name, target, lines, target_cells)
    return CSVData(name, feature_names, np.concatenate(blocks), target, y)


def _choose_columns(name, header, target, features, require_target):
    """``(feature_names, target or None)`` after checking the header has them."""
    if target is not None and target not in header and require_target:
        lowered = {column.lower(): column for column in header}
        close = [lowered[target.lower()]] if target.lower() in lowered else []
        close = close or difflib.get_close_matches(target, header, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        other = [sep for sep in ";\t|" if len(header) == 1 and sep in header[0]]
        if other and not close:
            hint = (
                f" The cells seem separated by {other[0]!r}, not commas: save it "
                f"comma-separated, or pass delimiter={other[0]!r} to read_csv"
            )
        raise DataError(
            f"{name}: no target column {target!r}. "
            f"Columns: {_quote_list(header)}.{hint}"
        )
    if target not in header:
        target = None
    if features is not None:
        _check_columns(name, header, features, [] if target is None else [target])
        return list(features), target
    feature_names = [column for column in header if column != target]
    if not feature_names:
        raise DataError(f"{name}: no feature columns besides the target {target!r}")
    return feature_names, target


def select_columns(dataset: CSVData, feature_names: Sequence[str]) -> CSVData:
    """Return ``dataset`` with its feature columns in the order of ``feature_names``.

    Raises
    ------
    DataError
        Naming the missing and the unexpected columns when they differ.

    Examples
    --------
    >>> table = CSVData("t.csv", ["b", "a"], np.array([[2.0, 1.0]]))
    >>> select_columns(table, ["a", "b"]).X.tolist()
    [[1.0, 2.0]]
    """
    _check_columns(dataset.path, dataset.feature_names, feature_names, [])
    order = [dataset.feature_names.index(column) for column in feature_names]
    return replace(dataset, feature_names=list(feature_names), X=dataset.X[:, order])


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


# -------------------------------------------------------------------------- splits


def _n_test(n: int, test_size: float | int) -> int:
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        count = int(test_size)
    else:
        fraction = check_finite_number(test_size, "test_size", minimum=0.0, maximum=1.0)
        count = int(np.ceil(fraction * n))
    if not 1 <= count <= n - 1:
        raise ValueError(
            "test_size must leave at least one sample on each side of the split. "
            f"Received: test_size={test_size!r} for {n} samples"
        )
    return count


def split_indices(
    n_samples: int,
    test_size: float | int = 0.25,
    *,
    seed: int | None = None,
    stratify: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Random ``(train_index, test_index)``, each sorted, together ``range(n)``.

    ``test_size`` is a fraction (rounded up, like scikit-learn) or a count. With
    ``stratify`` (class labels, one per sample) every class is split in the same
    proportion, to within one sample, using largest remainders.

    Examples
    --------
    >>> train, test = split_indices(8, 0.25, seed=0, stratify=[0, 0, 0, 0, 1, 1, 1, 1])
    >>> len(train), len(test), sorted(int(i) // 4 for i in test)
    (6, 2, [0, 1])
    """
    n = check_positive_int(n_samples, "n_samples", minimum=2)
    n_test = _n_test(n, test_size)
    rng = np.random.default_rng(seed)
    if stratify is None:
        test = rng.permutation(n)[:n_test]
    else:
        labels = np.asarray(stratify)
        if labels.shape[:1] != (n,):
            raise ValueError(
                f"stratify must hold one label per sample ({n}). "
                f"Received: stratify with shape {labels.shape}"
            )
        if labels.ndim == 2:  # one-hot rows
            labels = labels.argmax(axis=1)
        classes, codes, counts = np.unique(
            labels, return_inverse=True, return_counts=True
        )
        exact = n_test * counts / n
        per_class = np.floor(exact).astype(np.int64)
        # Hand the remaining test places to the largest remainders (ties: class order).
        order = np.argsort(-(exact - per_class), kind="stable")
        per_class[order[: n_test - per_class.sum()]] += 1
        test = np.concatenate(
            [
                rng.permutation(np.flatnonzero(codes == k))[: per_class[k]]
                for k in range(classes.size)
            ]
        )
    mask = np.zeros(n, dtype=bool)
    mask[test] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def train_test_split(
    X: Any,
    y: Any,
    test_size: float | int = 0.25,
    *,
    seed: int | None = None,
    stratify: bool | Any = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``stratify=True`` keeps the class proportions of ``y`` on both sides; an array
    stratifies by those labels instead.

    Examples
    --------
    >>> X, y = np.arange(10).reshape(5, 2), np.array([0, 1, 0, 1, 0])
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, 0.4, seed=0)
    >>> X_train.shape, X_test.shape, y_test.shape
    ((3, 2), (2, 2), (2,))
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(
            "X and y must have the same number of samples (first dimension). "
            f"Received: X with shape {X.shape}, y with shape {y.shape}"
        )
    labels = y if stratify is True else (None if stratify is False else stratify)
    train, test = split_indices(X.shape[0], test_size, seed=seed, stratify=labels)
    return X[train], X[test], y[train], y[test]


def validation_split(
    X: Any,
    y: Any,
    fraction: float = 0.2,
    *,
    seed: int | None = None,
    stratify: bool | Any = False,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((X_train, y_train), (X_val, y_val))``, ready for ``fit(validation_data=)``.

    Examples
    --------
    >>> X, y = np.zeros((10, 3)), np.arange(10)
    >>> (X_fit, y_fit), (X_val, y_val) = validation_split(X, y, 0.2, seed=1)
    >>> X_fit.shape, X_val.shape
    ((8, 3), (2, 3))
    """
    check_finite_number(fraction, "fraction", minimum=0.0, maximum=1.0)
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, fraction, seed=seed, stratify=stratify
    )
    return (X_train, y_train), (X_val, y_val)


def minibatches(
    n_samples: int, batch_size: int, rng: np.random.Generator | None = None
) -> Iterator[np.ndarray]:
    """Yield index arrays of ``batch_size`` (the last may be shorter).

    With ``rng`` the order is ``rng.permutation(n_samples)``; without, it is 0..n-1.

    Examples
    --------
    >>> [batch.tolist() for batch in minibatches(5, 2)]
    [[0, 1], [2, 3], [4]]
    """
    n = check_positive_int(n_samples, "n_samples")
    size = check_positive_int(batch_size, "batch_size")
    order = np.arange(n) if rng is None else rng.permutation(n)
    for start in range(0, n, size):
        yield order[start : start + size]
