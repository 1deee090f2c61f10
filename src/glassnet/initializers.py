"""Weight initializers: functions of ``(fan_in, fan_out, rng)`` giving float64 arrays.

Each returns an array of shape ``(fan_in, fan_out)`` (the layer casts it to its
dtype), or with ``columns=k`` only ``(fan_in, k)`` at the same scale: a convolution's
fans count every kernel offset (Keras), so its weights are fewer columns than
``fan_out``. The definitions are Keras': a Glorot/He/LeCun initializer is a variance
scaling with

====================  =========================  ==============================
name                  variance                   distribution
====================  =========================  ==============================
``glorot_uniform``    2 / (fan_in + fan_out)     U(−l, l), l = √(6 / (fan_in + fan_out))
``glorot_normal``     2 / (fan_in + fan_out)     truncated normal (see below)
``he_uniform``        2 / fan_in                 U(−l, l), l = √(6 / fan_in)
``he_normal``         2 / fan_in                 truncated normal
``lecun_uniform``     1 / fan_in                 U(−l, l), l = √(3 / fan_in)
``lecun_normal``      1 / fan_in                 truncated normal
``standard_normal``   1                          N(0, 1), the article's weights
``zeros``             0                          all zeros (biases)
====================  =========================  ==============================

The "normal" ones follow Keras: a normal with standard deviation
σ = √variance / 0.87962566103423978, truncated to [−2σ, 2σ] (values outside are
redrawn). 0.8796… is the standard deviation of a standard normal truncated to
[−2, 2], so the *result* has exactly the variance in the table.

Example
-------
>>> import numpy as np
>>> from glassnet import initializers
>>> w = initializers.get("glorot_uniform")(2, 3, np.random.default_rng(0))
>>> w.shape, bool(np.all(np.abs(w) <= np.sqrt(6 / 5)))
((2, 3), True)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from glassnet._registry import Registry
from glassnet._validation import check_positive_int, describe

__all__ = [
    "TRUNCATED_STD",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
    "names",
    "standard_normal",
    "zeros",
]

Initializer = Callable[[int, int, np.random.Generator], np.ndarray]

#: Standard deviation of N(0, 1) truncated to [−2, 2] (Keras' constant).
TRUNCATED_STD = 0.87962566103423978


def _checked(fan_in: int, fan_out: int, rng: np.random.Generator) -> tuple[int, int]:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator (np.random.default_rng(seed)). "
            f"Received: rng={describe(rng)}"
        )
    return check_positive_int(fan_in, "fan_in"), check_positive_int(fan_out, "fan_out")


def _shape(fan_in: int, fan_out: int, columns: int | None) -> tuple[int, int]:
    """(fan_in, fan_out), or (fan_in, columns): fewer columns at the same scale."""
    if columns is None:
        return fan_in, fan_out
    return fan_in, check_positive_int(columns, "columns")


def _uniform(fan_in, fan_out, rng, variance: float, columns=None) -> np.ndarray:
    limit = math.sqrt(3.0 * variance)  # U(−l, l) has variance l²/3
    return rng.uniform(-limit, limit, size=_shape(fan_in, fan_out, columns))


def _truncated_normal(fan_in, fan_out, rng, variance: float, columns=None):
    """N(0, σ²) redrawn outside [−2σ, 2σ], σ chosen so the result has ``variance``."""
    std = math.sqrt(variance) / TRUNCATED_STD
    values = rng.standard_normal(_shape(fan_in, fan_out, columns))
    outside = np.abs(values) > 2
    while outside.any():  # about 4.6 % of draws per round; deterministic given rng
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    values *= std
    return values


def glorot_uniform(
    fan_in: int, fan_out: int, rng: np.random.Generator, *, columns: int | None = None
) -> np.ndarray:
    """U(−l, l) with l = √(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010).

    Parameters
    ----------
    fan_in, fan_out : int
        Inputs and outputs of the layer (≥ 1).
    rng : numpy.random.Generator
        The only source of randomness.
    columns : int, optional
        Draw only this many columns, at the scale ``fan_out`` gives (every
        built-in initializer takes it; Conv2D asks for it on large kernels).

    Returns
    -------
    ndarray of shape (fan_in, fan_out) or (fan_in, columns), float64
    """
    fan_in, fan_out = _checked(fan_in, fan_out, rng)
    return _uniform(fan_in, fan_out, rng, 2.0 / (fan_in + fan_out), columns)


def glorot_normal(
    fan_in: int, fan_out: int, rng: np.random.Generator, *, columns: int | None = None
) -> np.ndarray:
    """Truncated normal, variance 2 / (fan_in + fan_out) (Keras' ``GlorotNormal``)."""
    fan_in, fan_out = _checked(fan_in, fan_out, rng)
    return _truncated_normal(fan_in, fan_out, rng, 2.0 / (fan_in + fan_out), columns)


def he_uniform(
    fan_in: int, fan_out: int, rng: np.random.Generator, *, columns: int | None = None
) -> np.ndarray:
    """U(−l, l) with l = √(6 / fan_in) (He et al., 2015), for ReLU layers."""
    fan_in, fan_out = _checked(fan_in, fan_out, rng)
    return _uniform(fan_in, fan_out, rng, 2.0 / fan_in, columns)


def he_normal(
    fan_in: int, fan_out: int, rng: np.random.Generator, *, columns: int | None = None
) -> np.ndarray:
    """Truncated normal with variance 2 / fan_in (Keras' ``HeNormal``)."""
    fan_in, fan_out = _checked(fan_in, fan_out, rng)
    return _truncated_normal(fan_in, fan_out, rng, 2.0 / fan_in, columns)


def lecun_uniform(
    fan_in: int, fan_out: int, rng: np.random.Generator, *, columns: int | None = None
) -> np.ndarray:
    """U(−l, l) with l = √(3 / fan_in) (variance 1 / fan_in)."""
    fan_in, fan_out = _checked(fan_in, fan_out, rng)
    return _uniform(fan_in, fan_out, rng, 1.0 / fan_in, columns)


def lecun_normal(
    fan_in: int, fan_out: int, rng: np.random.Generator, *, columns: int | None = None
) -> np.ndarray:
    """Truncated normal with variance 1 / fan_in (Keras' ``LecunNormal``, for SELU)."""
    fan_in, fan_out = _checked(fan_in, fan_out, rng)
    return _truncated_normal(fan_in, fan_out, rng, 1.0 / fan_in, columns)


def standard_normal(
    fan_in: int, fan_out: int, rng: np.random.Generator, *, columns: int | None = None
) -> np.ndarray:
    """N(0, 1) for every weight, as the article's ``OurNeuralNetwork`` draws them.

    Example
    -------
    >>> standard_normal(1, 2, np.random.default_rng(0)).shape
    (1, 2)
    """
    fan_in, fan_out = _checked(fan_in, fan_out, rng)
    return rng.standard_normal(_shape(fan_in, fan_out, columns))


def zeros(
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator | None = None,
    *,
    columns: int | None = None,
) -> np.ndarray:
    """All zeros (``rng`` is accepted for a uniform signature and not used).

    Example
    -------
    >>> zeros(1, 2)
    array([[0., 0.]])
    """
    fan_in = check_positive_int(fan_in, "fan_in")
    fan_out = check_positive_int(fan_out, "fan_out")
    return np.zeros(_shape(fan_in, fan_out, columns))


def _refused_config(name, entry, config, error) -> TypeError:
    """Initializers are plain functions: there is nothing to configure."""
    return TypeError(
        f"Initializer {name!r} takes no configuration. Received: {describe(config)}"
    )


_REGISTRY = Registry(
    "initializer",
    {
        "glorot_uniform": glorot_uniform,
        "glorot_normal": glorot_normal,
        "he_uniform": he_uniform,
        "he_normal": he_normal,
        "lecun_uniform": lecun_uniform,
        "lecun_normal": lecun_normal,
        "standard_normal": standard_normal,
        "zeros": zeros,
    },
    accepts="a name or a function (fan_in, fan_out, rng)",
    config_error=_refused_config,
)


def names() -> list[str]:
    """The accepted initializer names, sorted.

    Example
    -------
    >>> names()[:2]
    ['glorot_normal', 'glorot_uniform']
    """
    return _REGISTRY.names()


def get(identifier: str | dict | Initializer) -> Initializer:
    """Resolve a name (or ``{"name": ...}``) to its function; a callable passes through.

    Raises
    ------
    ValueError
        For an unknown name, listing the valid ones.
    TypeError
        For anything else.

    Example
    -------
    >>> get("he_normal").__name__
    'he_normal'
    """
    return _REGISTRY.get(identifier)
