"""Table cells to numbers: number columns parsed, text columns one-hot encoded.

:class:`ColumnEncoder` learns from a training table which columns hold numbers
and which hold text (a column is text when any of its non-missing cells is not a
number), the categories of each text column, and, with ``impute``, the value
that fills each column's missing cells. It then turns any table with the same
columns into a float64 matrix: a number column stays one column, a text column
becomes one 0/1 column per category, in sorted order (``sex=female``,
``sex=male``). Its ``get_config()`` is plain JSON, saved in the model file by
``glassnet train``, so new data is encoded exactly as the training data was.

**A category never seen in training** (``sex=other`` at predict time) gets an
all-zero row in its column's block: the network sees "none of the known
categories", never a shifted column. :meth:`ColumnEncoder.transform` records each
such (column, value, count) in ``unseen_`` so that a caller can warn about it.

**Missing cells** are empty cells and the usual spellings of "not available"
(:data:`MISSING`, compared without case; "NaN" too with ``impute``). Without
``impute`` they are refused, naming the line and the column; with it they are
filled (see :mod:`glassnet.data.impute`); a text column always takes its most
frequent category. A column holding both numbers and text is refused, naming
the first text cell: that is a typo more often than a column of categories.

Example
-------
>>> import numpy as np
>>> cells = np.array([["60", "male"], ["55", "female"], ["NA", "male"]])
>>> encoder = ColumnEncoder(impute="mean").fit(cells, ["weight", "sex"])
>>> encoder.feature_names_out()
['weight', 'sex=female', 'sex=male']
>>> encoder.transform(np.array([["50", "female"], ["", "other"]])).tolist()
[[50.0, 1.0, 0.0], [57.5, 0.0, 0.0]]
>>> encoder.unseen_
[('sex', 'other', 1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from glassnet._validation import describe
from glassnet.data.impute import STRATEGIES, Imputer
from glassnet.errors import DataError

__all__ = ["MISSING", "ColumnEncoder"]

#: Cells that mean "no value" (compared lowercased, after stripping spaces).
MISSING = frozenset({"", "na", "n/a", "null", "?"})


def _missing(cells: np.ndarray, nan: bool) -> np.ndarray:
    """Where the missing cells are; ``nan``: "NaN" counts as one (with impute)."""
    lowered = np.char.lower(np.char.strip(cells.astype(str)))
    return np.isin(lowered, list(MISSING | ({"nan"} if nan else set())))


class ColumnEncoder:
    """Encode table cells (strings) as a float matrix; see the module docstring.

    Parameters
    ----------
    impute : {"mean", "median", "most_frequent"} or None
        How missing cells of number columns are filled (text columns: the most
        frequent category). None refuses missing cells.

    Attributes
    ----------
    columns_ : list of str
        The input columns, in order.
    kinds_ : list of {"number", "text"}
    categories_ : dict
        Each text column's sorted categories.
    fill_ : dict
        The value each column's missing cells get (with ``impute``).
    unseen_ : list of (column, value, count)
        The unseen categories of the last :meth:`transform`.
    """

    def __init__(self, impute: str | None = None) -> None:
        if impute is not None and impute not in STRATEGIES:
            raise ValueError(
                f"impute must be None or one of {', '.join(map(repr, STRATEGIES))}. "
                f"Received: impute={describe(impute)}"
            )
        self.impute = impute
        self.columns_: list[str] = []
        self.kinds_: list[str] = []
        self.categories_: dict[str, list[str]] = {}
        self.fill_: dict[str, Any] = {}
        self.unseen_: list[tuple[str, str, int]] = []

    def fit(
        self,
        cells: np.ndarray,
        columns: Sequence[str],
        *,
        path: str = "data",
        lines: Sequence[int] | None = None,
    ) -> ColumnEncoder:
        """Learn the kinds, categories and fill values from training cells.

        Parameters
        ----------
        cells : ndarray of str, shape (n_samples, n_columns)
        columns : sequence of str
            The column names.
        path, lines : str and sequence of int, optional
            The file and each row's line in it, for messages.

        Raises
        ------
        DataError
            For a missing cell without ``impute``, a column with no value at all,
            or a number that is NaN or infinite.
        """
        cells = np.asarray(cells, dtype=str)
        if cells.ndim != 2 or cells.shape[1] != len(columns):
            raise ValueError(
                f"cells must be a 2-D array with one column per name "
                f"({len(columns)}). Received: shape {cells.shape}"
            )
        self.columns_, self.kinds_ = list(columns), []
        self.categories_, self.fill_ = {}, {}
        missing = _missing(cells, self.impute is not None)
        for j, column in enumerate(self.columns_):
            present = np.char.strip(cells[~missing[:, j], j])
            if present.size == 0:
                raise DataError(
                    f"{path}: column {column!r} has no values (every cell is "
                    "missing); drop the column"
                )
            try:
                numbers = present.astype(np.float64)
            except ValueError:
                numeric = {i for i, v in enumerate(present) if _is_number(v)}
                if numeric:  # numbers and text: a typo, not a column of categories
                    rows = np.flatnonzero(~missing[:, j])
                    i = next(
                        int(rows[k]) for k in range(len(present)) if k not in numeric
                    )
                    raise DataError(
                        f"{self._where(i, path, lines)}, column {column!r}: expected "
                        f"a number, found {str(cells[i, j]).strip()!r} (the column "
                        "holds numbers; a column of categories holds no numbers)"
                    ) from None
                self.kinds_.append("text")
                values, counts = np.unique(present, return_counts=True)
                self.categories_[column] = values.tolist()
                if missing[:, j].any():
                    self._check_impute(missing, j, cells, path, lines)
                    self.fill_[column] = str(values[np.argmax(counts)])
                continue
            self.kinds_.append("number")
            self._check_finite(numbers, ~missing[:, j], j, cells, path, lines)
            if missing[:, j].any():
                self._check_impute(missing, j, cells, path, lines)
                imputer = Imputer(self.impute).fit(numbers.reshape(-1, 1))
                self.fill_[column] = float(imputer.statistics_[0])
        return self

    def _where(self, i: int, path: str, lines) -> str:
        line = i + 2 if lines is None else int(lines[i])
        return f"{path}: line {line}"

    def _check_impute(self, missing, j, cells, path, lines) -> None:
        if self.impute is None:
            i = int(np.flatnonzero(missing[:, j])[0])
            cell = str(cells[i, j])
            shown = "an empty cell" if not cell.strip() else repr(cell)
            raise DataError(
                f"{self._where(i, path, lines)}, column {self.columns_[j]!r}: "
                f"missing value ({shown}); fill it in, drop the column, or impute "
                "it (impute='mean', 'median' or 'most_frequent')"
            )

    def _check_finite(self, numbers, present, j, cells, path, lines) -> None:
        bad = np.flatnonzero(~np.isfinite(numbers))
        if bad.size:
            i = int(np.flatnonzero(present)[bad[0]])
            raise DataError(
                f"{self._where(i, path, lines)}, column {self.columns_[j]!r}: "
                f"{str(cells[i, j]).strip()!r} is not a finite number (NaN and "
                "infinity are not allowed)"
            )

    def feature_names_out(self) -> list[str]:
        """The names of the encoded columns (``sex=male`` for a category)."""
        names = []
        for column, kind in zip(self.columns_, self.kinds_, strict=True):
            if kind == "number":
                names.append(column)
            else:
                names += [f"{column}={value}" for value in self.categories_[column]]
        return names

    def transform(
        self,
        cells: np.ndarray,
        *,
        path: str = "data",
        lines: Sequence[int] | None = None,
    ) -> np.ndarray:
        """The float64 matrix for ``cells`` (columns in ``columns_`` order).

        Raises
        ------
        DataError
            For a missing cell in a column without a fill value, or a cell of a
            number column that is not a finite number.
        """
        if not self.columns_:
            raise RuntimeError("ColumnEncoder.transform needs fit(...) first")
        cells = np.asarray(cells, dtype=str)
        if cells.ndim != 2 or cells.shape[1] != len(self.columns_):
            raise ValueError(
                f"cells must have {len(self.columns_)} columns ({self.columns_}). "
                f"Received: shape {cells.shape}"
            )
        missing = _missing(cells, self.impute is not None)
        blocks, self.unseen_ = [], []
        for j, (column, kind) in enumerate(
            zip(self.columns_, self.kinds_, strict=True)
        ):
            values = np.char.strip(cells[:, j])
            if missing[:, j].any():
                if column not in self.fill_:
                    self._check_impute_at_predict(missing, j, cells, path, lines)
                values = np.where(missing[:, j], str(self.fill_[column]), values)
            if kind == "number":
                try:
                    numbers = values.astype(np.float64)
                except ValueError:
                    i = next(i for i, v in enumerate(values) if not _is_number(v))
                    raise DataError(
                        f"{self._where(i, path, lines)}, column {column!r}: expected "
                        f"a number, found {str(cells[i, j]).strip()!r}"
                    ) from None
                self._check_finite(
                    numbers, np.ones(len(numbers), bool), j, cells, path, lines
                )
                blocks.append(numbers.reshape(-1, 1))
                continue
            categories = np.array(self.categories_[column], dtype=str)
            index = np.searchsorted(categories, values)
            index = np.minimum(index, len(categories) - 1)
            known = categories[index] == values
            block = np.zeros((len(values), len(categories)))
            block[np.flatnonzero(known), index[known]] = 1.0
            if not known.all():
                new, counts = np.unique(values[~known], return_counts=True)
                self.unseen_ += [
                    (column, str(v), int(n)) for v, n in zip(new, counts, strict=True)
                ]
            blocks.append(block)
        return np.hstack(blocks) if blocks else np.zeros((len(cells), 0))

    def _check_impute_at_predict(self, missing, j, cells, path, lines) -> None:
        i = int(np.flatnonzero(missing[:, j])[0])
        cell = str(cells[i, j])
        shown = "an empty cell" if not cell.strip() else repr(cell)
        how = (
            "the training data had no missing cell in this column, so there is "
            "no fill value"
            if self.impute
            else "the model was trained without impute"
        )
        raise DataError(
            f"{self._where(i, path, lines)}, column {self.columns_[j]!r}: missing "
            f"value ({shown}); fill it in ({how})"
        )

    def get_config(self) -> dict[str, Any]:
        """Plain JSON: everything :meth:`from_config` needs."""
        return {
            "impute": self.impute,
            "columns": list(self.columns_),
            "kinds": list(self.kinds_),
            "categories": {k: list(v) for k, v in self.categories_.items()},
            "fill": dict(self.fill_),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> ColumnEncoder:
        """Rebuild a fitted encoder from :meth:`get_config`'s dict.

        Raises
        ------
        ValueError
            For a config that does not describe a fitted encoder.
        """
        if not isinstance(config, dict):
            raise ValueError(
                f"a ColumnEncoder config must be a dict. Received: {describe(config)}"
            )
        encoder = cls(config.get("impute"))
        columns, kinds = config.get("columns"), config.get("kinds")
        categories, fill = config.get("categories"), config.get("fill")
        if (
            not isinstance(columns, list)
            or not all(isinstance(c, str) for c in columns)
            or not isinstance(kinds, list)
            or len(kinds) != len(columns)
            or not set(kinds) <= {"number", "text"}
            or not isinstance(categories, dict)
            or not isinstance(fill, dict)
            or {c for c, k in zip(columns, kinds, strict=True) if k == "text"}
            != set(categories)
            or not all(
                isinstance(v, list)
                and v
                and all(isinstance(s, str) for s in v)
                and v == sorted(v)
                for v in categories.values()
            )
            or not set(fill) <= set(columns)
        ):
            raise ValueError(
                "a ColumnEncoder config needs columns, kinds ('number'/'text'), "
                "sorted non-empty categories for each text column and fill values. "
                f"Received: {describe(config)}"
            )
        encoder.columns_, encoder.kinds_ = list(columns), list(kinds)
        encoder.categories_ = {k: list(v) for k, v in categories.items()}
        encoder.fill_ = dict(fill)
        return encoder

    def __repr__(self) -> str:
        return f"ColumnEncoder(impute={self.impute!r})"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
