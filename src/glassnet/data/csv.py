"""Reading CSV files: a header line, numeric feature columns, one target column.

:func:`read_csv` turns a file into a :class:`CSVData` table: ``X`` as float64, the
target as int64, float64 or labels (strings). It converts the cells a chunk at a time,
so a large file needs little memory beyond the result. :func:`select_columns`
reorders a table's features to the order a model expects.

Every problem with a file raises :class:`glassnet.errors.DataError` naming the file
and, where there is one, the line and the column. The public names are re-exported
by :mod:`glassnet.data`; import them from there.
"""

from __future__ import annotations

import codecs
import collections
import csv
import difflib
import errno
import gzip
import itertools
import operator
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from glassnet._validation import describe
from glassnet.data.encoding import MISSING
from glassnet.errors import DataError

__all__ = ["CSVData", "read_csv", "read_header", "select_columns"]


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
    lines : ndarray of int or None
        The file line of each row (set by ``read_csv(..., text=True)``).
    """

    path: str
    feature_names: list[str]
    X: np.ndarray
    target: str | None = None
    y: np.ndarray | None = None
    lines: np.ndarray | None = None

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    def __repr__(self) -> str:
        """Short: the file, the size, the columns (not every cell).

        >>> import numpy as np
        >>> CSVData("people.csv", ["weight", "height"], np.zeros((4, 2)), "gender")
        CSVData('people.csv': 4 rows, features ['weight', 'height'], target 'gender')
        """
        names = self.feature_names
        shown = repr(names) if len(names) <= 6 else f"[{len(names)} columns]"
        target = "" if self.target is None else f", target {self.target!r}"
        return (
            f"CSVData({self.path!r}: {self.n_samples} rows, features {shown}{target})"
        )


def quote_list(names: Sequence[str]) -> str:
    return ", ".join(repr(name) for name in names)


_CHUNK_CELLS = 1 << 19  # cells converted at a time: a large file needs little memory
MAX_LINE_CHARS = 1 << 24  # characters read without a line break before refusing


def _bounded_lines(name: str, handle) -> Iterator[str]:
    """The file's lines, refusing one longer than MAX_LINE_CHARS (and NUL bytes).

    Without the bound a file with no line break (``/dev/zero``, a binary file)
    is read whole into one line before the CSV reader sees any of it.
    """
    number = 0
    while True:
        line = handle.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        number += 1
        if "\x00" in line:
            raise DataError(
                f"{name}: line {number} holds NUL bytes: a binary file, not CSV "
                "text (or text in UTF-16/32, which needs its encoding named)"
            )
        if len(line) > MAX_LINE_CHARS:
            raise DataError(
                f"{name}: line {number} runs past {MAX_LINE_CHARS:,} characters "
                f"without a line break (the bound MAX_LINE_CHARS): not a CSV file"
            )
        yield line


def _not_text(name: str, path: str, encoding: str) -> str | None:
    """Why ``path`` is no CSV text, judged by its first bytes (None: it may be)."""
    with open(path, "rb") as file:
        start = file.read(4)
    if codecs.lookup(encoding).name.startswith("utf-8") and start[:2] in (
        b"\xff\xfe",
        b"\xfe\xff",
    ):
        return (
            f"{name}: not {encoding} text: it starts with a UTF-16 byte-order mark; "
            "for another encoding pass encoding=..."
        )
    kinds = {
        b"PK\x03\x04": "a zip archive (an .npz model file or a spreadsheet); "
        "export the data as CSV",
    }
    for magic, what in kinds.items():
        if start.startswith(magic):
            return f"{name}: the file is {what}"
    return None


def _gzipped(path: str) -> bool:
    """Whether ``path`` starts with gzip's magic bytes (read then decompressed)."""
    with open(path, "rb") as file:
        return file.read(2) == b"\x1f\x8b"


def _check_header(name: str, row: list[str]) -> list[str]:
    """The stripped column names, refusing empty and duplicate ones."""
    header = [cell.strip() for cell in row]
    for index, column in enumerate(header):
        if not column:
            raise DataError(f"{name}: header column {index + 1} has no name")
    duplicates = sorted(c for c, n in collections.Counter(header).items() if n > 1)
    if duplicates:
        raise DataError(f"{name}: duplicate column names: {quote_list(duplicates)}")
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


def _text_block(index, rows) -> np.ndarray:
    """The cells ``row[k] for k in index``, stripped, as a (rows, len(index)) array."""
    block = np.array([[row[k] for k in index] for row in rows], dtype=str)
    return np.char.strip(block.reshape(len(rows), len(index)))


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
MAX_CLASSES = 20  # infer_task's default: more distinct integers are regression


def _parse_target(name: str, column: str, lines: list[int], cells: list[str]):
    """Target cells as int64, float64 or (otherwise) stripped strings."""
    stripped = [cell.strip() for cell in cells]
    for line, cell in zip(lines, stripped, strict=True):
        if not cell:
            raise DataError(
                f"{name}: line {line}, target column {column!r}: empty cell"
            )
        if cell.lower() in MISSING:  # never a class of its own
            raise DataError(
                f"{name}: line {line}, target column {column!r}: missing value "
                f"({cell!r}); fill it in or remove the row"
            )
    try:
        values = np.array([int(cell) for cell in stripped], dtype=np.int64)
    except OverflowError:
        # Integers past int64 would become floats, and float64 merges those
        # past 2**53 ("99999999999999999999" and "100000000000000000000" are both
        # 1e20): a few-valued column is class labels, kept as written.
        if len(set(stripped)) <= MAX_CLASSES:
            return np.array(stripped, dtype=str)
    except ValueError:
        pass
    else:
        # Zero-padded codes ("01", "007") in a column few-valued enough to be
        # classes are labels: as integers "01" and "1" would merge, and
        # predictions would come back as 1 instead of the file's "01".
        padded = any(_ZERO_PADDED.match(cell) for cell in stripped)
        if not padded or len(set(stripped)) > MAX_CLASSES:
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
        problems.append(f"missing column(s) {quote_list(missing)}")
    if extra:
        problems.append(f"unexpected column(s) {quote_list(extra)}")
    if problems:
        raise DataError(
            f"{name}: the columns do not match the model's features: "
            f"{'; '.join(problems)}. Expected: {quote_list(features)}"
        )


def read_csv(
    path: str | os.PathLike,
    target: str | None = None,
    *,
    features: Sequence[str] | None = None,
    require_target: bool = True,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    drop: Sequence[str] = (),
    text: bool = False,
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
        mark that spreadsheet programs write. A gzip-compressed file (``.gz``)
        is decompressed as it is read.
    drop : sequence of str
        Columns to ignore (an ``id``, say). Without ``features`` each must be in
        the header; with ``features`` (a model's columns) they are ignored where
        present.
    text : bool
        Keep the feature cells as stripped strings (``X`` of dtype str, and
        ``lines``) for :class:`~glassnet.data.ColumnEncoder`, which encodes text
        columns and missing cells; without it every feature cell must be a number.

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
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise ValueError(
            "encoding must be the name of a text encoding Python knows, such as "
            f"'utf-8' or 'latin-1'. Received: encoding={describe(encoding)}"
        ) from None
    if features is not None:
        repeated = sorted(c for c, n in collections.Counter(features).items() if n > 1)
        if repeated:
            raise ValueError(
                "features must name each column once. Received: features with "
                f"{quote_list(repeated)} more than once"
            )
    name = os.fspath(path)
    if not os.path.exists(name):
        if os.path.islink(name):
            try:
                os.stat(name)
            except OSError as error:
                if error.errno == errno.ELOOP:
                    raise DataError(f"{name}: its symbolic links form a loop") from None
            target = os.readlink(name)
            raise DataError(f"{name}: is a link to {target!r}, which does not exist")
        raise DataError(f"{name}: no such file")
    if os.path.isdir(name):
        raise DataError(f"{name}: is a directory, not a CSV file")
    try:
        problem = _not_text(name, name, encoding)
    except OSError as error:
        raise DataError(f"{name}: cannot be read ({error.strerror or error})") from None
    if problem is not None:
        raise DataError(problem)
    try:
        if _gzipped(name):
            handle = gzip.open(name, "rt", encoding=encoding, newline="")
        else:
            handle = open(name, encoding=encoding, newline="")  # noqa: SIM115
        with handle:
            reader = csv.reader(_bounded_lines(name, handle), delimiter=delimiter)
            first = next((row for row in reader if row), None)
            if first is None:
                raise DataError(f"{name}: the file is empty (expected a header line)")
            header = _check_header(name, first)
            feature_names, target = _choose_columns(
                name, header, target, features, require_target, list(drop)
            )
            where = {column: index for index, column in enumerate(header)}
            feature_index = [where[column] for column in feature_names]
            blocks, target_cells, lines = [], [], []
            for chunk_lines, rows in _row_chunks(name, reader, len(header)):
                if text:
                    blocks.append(_text_block(feature_index, rows))
                else:
                    blocks.append(
                        _parse_block(
                            name, feature_names, feature_index, chunk_lines, rows
                        )
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
    except UnicodeError as error:  # "UTF-16 stream does not start with BOM"
        raise DataError(
            f"{name}: not {encoding} text ({error}); for another encoding pass "
            "encoding=..."
        ) from None
    except csv.Error as error:
        raise DataError(f"{name}: not a readable CSV file ({error})") from None
    except (gzip.BadGzipFile, EOFError) as error:
        raise DataError(f"{name}: a damaged gzip file ({error})") from None
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
    return CSVData(
        name,
        feature_names,
        np.concatenate(blocks),
        target,
        y,
        np.array(lines) if text else None,
    )


def read_header(
    path: str | os.PathLike, *, delimiter: str = ",", encoding: str = "utf-8-sig"
) -> list[str]:
    """The column names of a CSV file: its first non-blank line (``.gz`` too).

    Raises
    ------
    DataError
        For a missing, unreadable, binary or empty file, or a bad header.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("id,x,y\\n1,2,3\\n")
    >>> read_header(path)
    ['id', 'x', 'y']
    """
    name = os.fspath(path)
    if not os.path.isfile(name):
        raise DataError(f"{name}: no such file")
    try:
        problem = _not_text(name, name, encoding)
        if problem is not None:
            raise DataError(problem)
        opener = gzip.open if _gzipped(name) else open
        with opener(name, "rt", encoding=encoding, newline="") as handle:
            reader = csv.reader(_bounded_lines(name, handle), delimiter=delimiter)
            first = next((row for row in reader if row), None)
    except (UnicodeError, csv.Error, OSError, EOFError) as error:
        raise DataError(f"{name}: cannot be read as CSV text ({error})") from None
    if first is None:
        raise DataError(f"{name}: the file is empty (expected a header line)")
    return _check_header(name, first)


def _choose_columns(name, header, target, features, require_target, drop):
    """``(feature_names, target or None)`` after checking the header has them."""
    unknown = [column for column in drop if column not in header]
    if unknown and features is None:
        raise DataError(
            f"{name}: no column(s) {quote_list(unknown)} to drop. "
            f"Columns: {quote_list(header)}"
        )
    if target is not None and target in drop:
        raise DataError(f"{name}: the target column {target!r} cannot be dropped")
    header = [column for column in header if column not in drop]
    if target is not None and target not in header and require_target:
        lowered = {column.lower(): column for column in header}
        close = [lowered[target.lower()]] if target.lower() in lowered else []
        close = close or difflib.get_close_matches(target, header, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        other = [sep for sep in ";\t|" if len(header) == 1 and sep in header[0]]
        # 'a;b;label' is close to 'label' too: the separator is the likelier cause
        if other and (not close or target in header[0].split(other[0])):
            hint = (
                f" The cells seem separated by {other[0]!r}, not commas: save it "
                f"comma-separated, or pass delimiter={other[0]!r} to read_csv"
            )
        raise DataError(
            f"{name}: no target column {target!r}. Columns: {quote_list(header)}.{hint}"
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
