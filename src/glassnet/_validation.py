"""Input checks shared by the whole library.

Every check raises ``ValueError`` or ``TypeError`` with a message that names the
argument, states the rule and echoes what was received, in the Keras style:
``"learning_rate must be a finite number > 0. Received: learning_rate=-1"``.
Checks run at the boundary (constructors, ``fit``, ``predict``, loaders), never
inside the training loop.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "check_array",
    "check_choice",
    "check_dtype",
    "check_finite_number",
    "check_positive_int",
    "check_probability",
    "check_seed",
    "describe",
]

_FLOAT_DTYPES = {"float32": np.float32, "float64": np.float64}


def describe(value: Any, limit: int = 60) -> str:
    """One short, readable description of ``value`` for an error message."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, np.generic):
        value = value.item()  # 'nan', not 'np.float64(nan)'
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_FINITE_CHUNK = 1 << 20  # elements per isfinite pass: a 1 MB bool buffer, not |X|


def _all_finite(array: np.ndarray) -> bool:
    """Whether every element is finite, checked in chunks into one small buffer.

    ``np.isfinite(X).all()`` would build a bool array as large as X (47 MB for
    MNIST) on every ``fit`` call; row sums need one float per row, and the exact
    check in chunks of a reshaped view only 1 MB.
    """
    if array.size <= _FINITE_CHUNK or not array.flags.c_contiguous:
        return bool(np.isfinite(array).all())
    if array.shape[-1] >= 16 and array.dtype in (np.float32, np.float64):
        # Row sums in one BLAS matrix-vector product (both cores, half the time
        # of isfinite): a NaN or ±inf anywhere makes its row's sum NaN or ±inf.
        # Finite sums prove every element finite; a non-finite sum (a NaN, or
        # only an overflow of large finite values) is settled exactly below.
        rows = array.reshape(-1, array.shape[-1])
        with np.errstate(over="ignore", invalid="ignore"):
            sums = rows @ np.ones(rows.shape[1], array.dtype)
        if np.isfinite(sums).all():
            return True
    flat = array.reshape(-1)
    mask = np.empty(_FINITE_CHUNK, dtype=bool)
    for start in range(0, flat.size, _FINITE_CHUNK):
        part = flat[start : start + _FINITE_CHUNK]
        out = mask[: part.size]
        np.isfinite(part, out=out)
        if not out.all():
            return False
    return True


def check_finite_number(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_minimum: bool = False,
) -> float:
    """Return ``value`` as a float after checking it is a finite real number in range.

    ``strict_minimum=True`` means ``value > minimum`` rather than ``>=``.
    """
    rule = "a finite number"
    if minimum is not None:
        rule += f" {'>' if strict_minimum else '>='} {minimum:g}"
    if maximum is not None:
        rule += f"{' and' if minimum is not None else ''} <= {maximum:g}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {rule}. Received: {name}={describe(value)}")
    number = float(value)
    bad = not math.isfinite(number)
    if minimum is not None:
        bad = bad or (number <= minimum if strict_minimum else number < minimum)
    if maximum is not None:
        bad = bad or number > maximum
    if bad:
        raise ValueError(f"{name} must be {rule}. Received: {name}={describe(value)}")
    return number


def check_positive_int(value: Any, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int after checking it is an integer ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer >= {minimum}. "
            f"Received: {name}={describe(value)}"
        )
    if value < minimum:
        raise ValueError(
            f"{name} must be an integer >= {minimum}. Received: {name}={value!r}"
        )
    return int(value)


def check_seed(value: Any, name: str = "seed") -> int | None:
    """Return ``value`` if it is None or an integer >= 0 (what a model file stores)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be None or an integer >= 0. "
            f"Received: {name}={describe(value)}"
        )
    if value < 0:
        raise ValueError(
            f"{name} must be None or an integer >= 0. Received: {name}={value!r}"
        )
    return int(value)


def check_probability(value: Any, name: str, *, allow_one: bool = False) -> float:
    """Return ``value`` as a float in ``[0, 1)`` (or ``[0, 1]`` with ``allow_one``)."""
    number = check_finite_number(value, name, minimum=0.0, maximum=1.0)
    if number == 1.0 and not allow_one:
        raise ValueError(f"{name} must be in [0, 1). Received: {name}={value!r}")
    return number


def check_choice(value: Any, name: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise list the valid ones."""
    options = list(choices)
    if value not in options:
        raise ValueError(
            f"{name} must be one of {', '.join(map(repr, options))}. "
            f"Received: {name}={describe(value)}"
        )
    return value


def check_dtype(dtype: Any, name: str = "dtype") -> np.dtype:
    """Resolve a float dtype setting (``"float32"``/``"float64"`` or the NumPy type)."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved.name not in _FLOAT_DTYPES:
        raise ValueError(
            f"{name} must be 'float32' or 'float64'. Received: {name}={describe(dtype)}"
        )
    return resolved


def check_array(
    value: Any,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    dtype: np.dtype | None = None,
    allow_empty: bool = False,
    finite: bool = True,
) -> np.ndarray:
    """Convert ``value`` to a numeric ndarray and check it.

    Parameters
    ----------
    value : array_like
        What the user passed.
    name : str
        The argument's name, used in every message.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    dtype : numpy.dtype, optional
        Cast to this float dtype (a view when it already matches: no copy).
    allow_empty : bool
        Whether zero samples are acceptable.
    finite : bool
        Whether to refuse NaN and infinity.

    Raises
    ------
    TypeError
        When the values are not numbers (strings, objects).
    ValueError
        For a wrong number of dimensions, no samples, or NaN/inf.
    """
    if isinstance(value, np.ma.MaskedArray) and np.ma.getmaskarray(value).any():
        # np.asarray would drop the mask and train on whatever the cells hold
        mask = np.ma.getmaskarray(value)
        first = ", ".join(str(int(i)) for i in np.argwhere(mask)[0])
        raise ValueError(
            f"{name} must not be a masked array with masked values: glassnet would "
            f"use the hidden cells. Fill them ({name}.filled(...)) or drop those "
            f"rows. Received: {name} with {int(mask.sum())} masked value(s), the "
            f"first at {name}[{first}]"
        )
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise ValueError(
            f"{name} must be a rectangular array of numbers. "
            f"Received: {name}={describe(value)} ({error})"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must hold numbers (int or float). "
            f"Received: {name} with dtype {array.dtype}"
            + _first_non_number(value, array, name)
        )
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if array.ndim not in allowed:
            wanted = " or ".join(str(n) for n in allowed)
            raise ValueError(
                f"{name} must have {wanted} dimension(s). "
                f"Received: {name} with shape {array.shape}"
            )
    if not allow_empty and (array.ndim == 0 or array.shape[0] == 0):
        raise ValueError(
            f"{name} must hold at least one sample. "
            f"Received: {name} with shape {array.shape}"
        )
    given = array
    if dtype is not None and array.dtype != dtype:
        with np.errstate(over="ignore"):  # overflow is reported below, by index
            array = array.astype(dtype)
    if finite and array.dtype.kind == "f" and not _all_finite(array):
        bad = tuple(np.argwhere(~np.isfinite(array))[0])
        where = ", ".join(str(int(i)) for i in bad)
        if given is not array and np.isfinite(given[bad]):
            largest = float(np.finfo(array.dtype).max)
            raise ValueError(
                f"{name}[{where}]={given[bad].item()!r} is out of {array.dtype}'s "
                f"range (|x| <= {largest:.3g}). Use a float64 model "
                "(dtype='float64') or rescale the data. "
                f"Received: {name}[{where}]={given[bad].item()!r}"
            )
        raise ValueError(
            f"{name} must not contain NaN or infinity. "
            f"Received: {name}[{where}]={array[bad].item()!r}"
        )
    return array


def _first_non_number(value: Any, array: np.ndarray, name: str) -> str:
    """``", X[0, 1]='abc' (column 'city')"``: the first cell that is no number."""
    if not array.size:
        return ""
    flat = array.ravel().tolist()  # Python values for every dtype
    k = next(
        (
            i
            for i, v in enumerate(flat)
            if isinstance(v, bool) or not isinstance(v, numbers.Real)
        ),
        0,
    )
    index = np.unravel_index(k, array.shape)
    text = f", {name}[{', '.join(map(str, index))}]={describe(flat[k])}"
    columns = getattr(value, "columns", None)  # a pandas DataFrame names it
    if columns is not None and array.ndim == 2:
        text += f" (column {describe(columns[index[1]])})"
    return text


def check_hyperparameter(
    value: Any, name: str, label: str, *, maximum: float | None = None, open_max=False
) -> float:
    """A float in [0, maximum]; ValueError in PyTorch's words, TypeError naming it."""
    rule = "a finite number >= 0"
    if maximum is not None:
        rule = f"a finite number in [0, {maximum:g}{')' if open_max else ']'}"
    try:
        number = check_finite_number(value, name, minimum=0.0, maximum=maximum)
        if open_max and number == maximum:
            raise ValueError
    except ValueError:
        raise ValueError(f"Invalid {label}: {value} ({name} must be {rule})") from None
    return number


def check_bool(value: Any, name: str) -> bool:
    """``value`` as a bool; anything but True/False is a TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{name} must be True or False. Received: {name}={describe(value)}"
        )
    return bool(value)
