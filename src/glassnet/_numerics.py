"""Numerical helpers that more than one module computes with, each defined once.

σ and softmax (the activations and the losses), the float conversion they share,
and erf / Φ (GELU, and the ONNX export's table). A leaf module: it imports nothing
from glassnet.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "ERFCX_CHEBYSHEV",
    "ERFCX_SCALE",
    "as_float",
    "erf",
    "erfcx",
    "normal_cdf_and_pdf",
    "scalar",
    "sigmoid",
    "softmax",
]


def as_float(x: Any) -> np.ndarray:
    """``x`` as a float array: float32/float64 kept as they are, integers to float64."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def scalar(value: float, like: np.ndarray) -> Any:
    """``value`` as a scalar of ``like``'s dtype, so arithmetic never upcasts."""
    return like.dtype.type(value) if like.dtype.kind == "f" else value


_EXP_CAP: dict[str, Any] = {}  # per dtype: the largest whole x with finite eˣ


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """σ(x) = eˣ / (1 + eˣ) of a float array, into ``out`` (which may be ``x``).

    x is first capped where eˣ is still finite (88 for float32, 709 for float64),
    where σ is already exactly 1.0: nothing overflows, so no warning needs
    silencing, and far left eˣ underflows quietly to σ's limit 0 while keeping
    full relative precision on the way there.

    Example
    -------
    >>> sigmoid(np.array([0.0, 1000.0, -1000.0]))
    array([0.5, 1. , 0. ])
    """
    cap = _EXP_CAP.get(x.dtype.char)
    if cap is None:
        cap = _EXP_CAP[x.dtype.char] = x.dtype.type(
            math.floor(math.log(float(np.finfo(x.dtype).max)))
        )
    y = np.minimum(x, cap, out=out)
    np.exp(y, out=y)
    return np.divide(y, np.add(y, 1), out=y)


def softmax(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x) along the last axis, into ``out``.

    Example
    -------
    >>> softmax(np.array([[0.0, 0.0]]))
    array([[0.5, 0.5]])
    """
    # the ufuncs' reduce: what np.max and np.sum call, without their Python
    # wrappers (a third of a one-row predict_proba's softmax)
    shift = np.maximum.reduce(x, axis=-1, keepdims=True)
    y = np.subtract(x, shift, out=out)
    np.exp(y, out=y)
    y /= np.add.reduce(y, axis=-1, keepdims=True)
    return y


# Chebyshev coefficients of erfcx(z) = exp(z²)·erfc(z) on z in [0, ∞), in the
# variable t = (z − 2.5)/(z + 2.5) in [−1, 1) (Weideman's mapping), computed with
# mpmath at 50 digits from the 25 Chebyshev–Gauss nodes (tests/test_activations.py
# recomputes them). The series converges geometrically: 25 terms give erfcx to
# ~5e-16 relative for z ≤ 3 and ~4e-15 up to z = 27, where exp(−z²) underflows;
# float32 needs only the first 12.
ERFCX_SCALE = 2.5
ERFCX_CHEBYSHEV = (
    0.3508635989347412,
    -0.46758451502326537,
    0.14466752627054558,
    -0.03225585577766062,
    0.0045382840770419024,
    -0.00016930359610672677,
    -7.0670902291566e-05,
    1.0006166704684694e-05,
    1.2973400733871608e-06,
    -3.432369722001724e-07,
    -3.7305855623638205e-08,
    1.1863618686108316e-08,
    1.6734599568799222e-09,
    -4.079105470771608e-10,
    -9.270040149033853e-11,
    1.1685304684812356e-11,
    5.24449171787963e-12,
    -6.793059785996573e-14,
    -2.696235929616974e-13,
    -2.8131395407847327e-14,
    1.0834164121915811e-14,
    3.0492712428326048e-15,
    -1.6469401594543455e-16,
    -2.0388253102945232e-16,
    -2.6949664524509502e-17,
)

_INV_SQRT_2 = 1 / math.sqrt(2.0)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def erfcx(z: np.ndarray) -> np.ndarray:
    """exp(z²)·erfc(z) for z ≥ 0 (Clenshaw's recurrence on the table above)."""
    terms = 25 if z.dtype == np.float64 else 12
    coefficients = [scalar(c, z) for c in ERFCX_CHEBYSHEV[:terms]]
    t = z + scalar(ERFCX_SCALE, z)
    np.divide(z - scalar(ERFCX_SCALE, z), t, out=t)
    two_t = t + t
    b1, b2, scratch = np.zeros_like(z), np.zeros_like(z), np.empty_like(z)
    for c in coefficients[:0:-1]:  # b_k = 2t·b_{k+1} − b_{k+2} + c_k
        np.subtract(c, b2, out=b2)
        b2 += np.multiply(two_t, b1, out=scratch)
        b1, b2 = b2, b1
    t *= b1
    t -= b2
    t += coefficients[0]
    return t


def normal_cdf_and_pdf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Φ(x) and φ(x), with Φ accurate to full relative precision in the left tail.

    With z = |x|/√2 and h = ½·erfc(z) = ½·erfcx(z)·e^(−z²): Φ(x) = h for x < 0 and
    1 − h for x ≥ 0; and φ(x) = e^(−z²)/√(2π) reuses the same exponential.
    """
    z = np.abs(x)
    z *= scalar(_INV_SQRT_2, z)
    gauss = np.square(z)
    np.negative(gauss, out=gauss)
    np.exp(gauss, out=gauss)  # e^(−z²) = e^(−x²/2), in (0, 1]: no overflow
    half_tail = erfcx(z)
    half_tail *= gauss
    half_tail *= scalar(0.5, z)
    # Φ = m + h(1 − 2m) with m = 1 for x ≥ 0: exact, and no slow where= masks
    upper = (x >= 0).astype(x.dtype)
    cdf = np.multiply(upper, scalar(-2.0, x))
    cdf += scalar(1.0, x)
    cdf *= half_tail
    cdf += upper
    gauss *= scalar(_INV_SQRT_2PI, x)
    return cdf, gauss


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, vectorised (NumPy has none), to ~1e-16 in float64.

    A Maclaurin series for |x| < 0.5 (full relative precision near 0), and
    1 − erfcx(|x|)·e^(−x²) with the sign of x beyond.

    Example
    -------
    >>> float(erf(np.array([0.5]))[0])  # math.erf(0.5)
    0.5204998778130465
    """
    x = as_float(x)
    result = np.empty_like(x)
    small = np.abs(x) < 0.5
    xs = x[small]
    # erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)); 12 terms reach 1e-17 at 0.5
    square = xs * xs
    series = np.zeros_like(xs)
    for n in range(12, -1, -1):
        series *= square
        series += scalar((-1) ** n / (math.factorial(n) * (2 * n + 1)), xs)
    result[small] = series * xs * scalar(2 / math.sqrt(math.pi), xs)
    large = x[~small]
    magnitude = np.abs(large)
    tail = erfcx(magnitude) * np.exp(-np.square(magnitude))
    result[~small] = np.copysign(1 - tail, large)
    return result
