"""Activation functions: one small class each; forward caches, backward reuses it.

Every activation has the same shape::

    y = act.forward(x)            # caches what backward needs (usually y itself)
    grad_x = act.backward(grad_y) # dL/dx from dL/dy
    y = act(x)                    # the pure function: caches nothing (predict path)

``forward(x, out=buf)`` and ``backward(grad_y, out=buf)`` write into a buffer the
caller owns, and ``out=x`` (or ``out=grad_y``) is allowed: an activation never needs
its input after ``forward`` has overwritten it. float32 stays float32.

Names follow Keras: ``"linear"`` (alias ``"identity"``), ``"sigmoid"``, ``"tanh"``,
``"relu"``, ``"leaky_relu"``, ``"elu"``, ``"gelu"``, ``"softplus"``, ``"softmax"``.

Example
-------
>>> import numpy as np
>>> from glassnet import activations
>>> relu = activations.get("relu")
>>> relu.forward(np.array([-1.0, 2.0]))
array([0., 2.])
>>> relu.backward(np.array([5.0, 5.0]))
array([0., 5.])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet import _fused
from glassnet._numerics import ERFCX_CHEBYSHEV, ERFCX_SCALE
from glassnet._registry import Configurable, Registry
from glassnet._validation import check_finite_number, describe

__all__ = [
    "ELU",
    "GELU",
    "ActivationFunction",
    "LeakyReLU",
    "Linear",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "Tanh",
    "erf",
    "get",
    "names",
]


class ActivationFunction(Configurable):
    """Base class: ``forward`` caches, ``backward`` uses it, ``__call__`` is pure.

    Subclasses implement ``_apply(x, out)`` (the function, writing into ``out`` when
    given) and ``_derivative_times(grad_y, out)`` (dL/dx from the cache).
    Equality, hash and repr come from ``get_config`` (``_registry.Configurable``).
    """

    def __init__(self) -> None:
        self._y: np.ndarray | None = None

    def _apply(self, x: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    def _derivative_times(
        self, grad_y: np.ndarray, out: np.ndarray | None
    ) -> np.ndarray:
        raise NotImplementedError

    def forward(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Compute the activation of ``x`` and cache the output for :meth:`backward`.

        Parameters
        ----------
        x : ndarray
            Pre-activations, any shape (softmax works along the last axis).
        out : ndarray, optional
            Buffer of the same shape and dtype to write into; may be ``x`` itself.

        Returns
        -------
        ndarray
            The activations, same shape and dtype as ``x``.
        """
        if x.__class__ is not np.ndarray or x.dtype.kind != "f":
            x = _as_float(x)  # (layers always pass float arrays: skip the call)
        y = self._y = self._apply(x, out)
        return y

    def backward(self, grad_y: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Return dL/dx given dL/dy, using what :meth:`forward` cached.

        Parameters
        ----------
        grad_y : ndarray
            Gradient of the loss with respect to this activation's output.
        out : ndarray, optional
            Buffer to write into; may be ``grad_y`` itself.

        Raises
        ------
        RuntimeError
            If called before :meth:`forward`.
        """
        if self._y is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward was called before forward: "
                "run forward(x) first (a __call__ caches nothing)."
            )
        return self._derivative_times(np.asarray(grad_y), out)

    def forward_biased(self, z: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """``forward(z + bias, out=z)``: Dense's training path, in place in ``z``.

        ``z`` is a float buffer the caller owns (overwritten with the activations,
        which are cached like :meth:`forward`'s); ``bias`` broadcasts over its rows.
        :class:`ReLU` runs both steps as one compiled loop when it can.
        """
        np.add(z, bias, out=z)
        return self.forward(z, out=z)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The function alone: returns a new array and caches nothing."""
        return self._apply(_as_float(x), None)


def _as_float(x: Any) -> np.ndarray:
    """``x`` as a float array: float32/float64 kept as they are, integers to float64."""
    x = np.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def _scalar(value: float, like: np.ndarray) -> Any:
    """``value`` as a scalar of ``like``'s dtype, so arithmetic never upcasts."""
    return like.dtype.type(value) if like.dtype.kind == "f" else value


def _times(
    grad_y: np.ndarray, derivative: np.ndarray, out: np.ndarray | None
) -> np.ndarray:
    """grad_y * derivative, written into ``out`` (which may be ``grad_y``)."""
    return np.multiply(grad_y, derivative, out=out)


class Linear(ActivationFunction):
    """The identity, f(x) = x (Keras ``"linear"``, alias ``"identity"``).

    Without ``out`` it returns its argument itself, not a copy (nothing to compute).

    Example
    -------
    >>> Linear()(np.array([-2.0, 3.0]))
    array([-2.,  3.])
    """

    name = "linear"

    def _apply(self, x, out):
        if out is None:
            return x
        if out is not x:
            np.copyto(out, x)
        return out

    def _derivative_times(self, grad_y, out):
        if out is None:
            return grad_y
        if out is not grad_y:
            np.copyto(out, grad_y)
        return out


_EXP_CAP: dict[str, Any] = {}  # per dtype: the largest whole x with finite eˣ


class Sigmoid(ActivationFunction):
    """σ(x) = 1 / (1 + e⁻ˣ), with σ'(x) = σ(x)(1 − σ(x)) taken from the cached output.

    Computed as eˣ/(1 + eˣ) with x first capped at 88 (float32) or 709 (float64),
    where the result is already exactly 1.0: nothing can overflow, so no warning
    needs silencing. Far left eˣ underflows to 0, the right limit, and on the way
    the formula keeps full relative precision; it is four passes.

    Example
    -------
    >>> Sigmoid()(np.array([0.0, 1000.0, -1000.0]))
    array([0.5, 1. , 0. ])
    """

    name = "sigmoid"

    def _apply(self, x, out):
        # σ(x) = eˣ / (1 + eˣ) with x capped where eˣ is still finite (σ is exactly
        # 1.0 there): nothing overflows, so no per-call np.errstate (≈ 1 µs) is
        # needed, and far left eˣ underflows quietly to σ's limit 0 while keeping
        # full relative precision on the way there.
        cap = _EXP_CAP.get(x.dtype.char)
        if cap is None:
            cap = _EXP_CAP[x.dtype.char] = x.dtype.type(
                math.floor(math.log(float(np.finfo(x.dtype).max)))
            )
        y = np.minimum(x, cap, out=out)
        np.exp(y, out=y)
        return np.divide(y, np.add(y, 1), out=y)

    def _derivative_times(self, grad_y, out):
        y = self._y
        derivative = np.subtract(1, y)
        np.multiply(derivative, y, out=derivative)
        return np.multiply(grad_y, derivative, out=out)


class Tanh(ActivationFunction):
    """tanh(x), with tanh'(x) = 1 − tanh(x)² taken from the cached output.

    Example
    -------
    >>> Tanh()(np.array([0.0]))
    array([0.])
    """

    name = "tanh"

    def _apply(self, x, out):
        return np.tanh(x, out=out)

    def _derivative_times(self, grad_y, out):
        derivative = np.multiply(self._y, self._y)
        np.subtract(1, derivative, out=derivative)
        return _times(grad_y, derivative, out)


class ReLU(ActivationFunction):
    """max(x, 0); the derivative is 1 where the cached output is > 0, else 0.

    At exactly 0 the derivative is taken as 0, like PyTorch.

    Example
    -------
    >>> ReLU()(np.array([-3.0, 0.0, 2.5]))
    array([0. , 0. , 2.5])
    """

    name = "relu"
    _zeros: np.ndarray | None = None  # a row of zeros matching the last input

    def _apply(self, x, out):
        # np.maximum against a zero *row* runs NumPy's SIMD loop; against the
        # scalar 0 it takes ~3x longer (10.6 against 3.7 µs for 128 × 256 float32)
        zeros = self._zeros
        if (
            zeros is None
            or x.ndim == 0
            or zeros.shape[0] != x.shape[-1]
            or zeros.dtype != x.dtype
        ):
            if x.ndim == 0:
                return np.maximum(x, 0, out=out)
            zeros = self._zeros = np.zeros(x.shape[-1], x.dtype)
        return np.maximum(x, zeros, out=out)

    def forward_biased(self, z: np.ndarray, bias: np.ndarray) -> np.ndarray:
        kernels = _fused.KERNELS  # None: NumPy only (glassnet._fused)
        # ReLU's own: a subclass's _apply or forward (a ReLU6, say) must run
        if kernels is not None and self.__class__ is ReLU:
            try:  # z + bias, then max(·, 0), in one loop (glassnet._fused)
                kernels.bias_relu(z, bias)
            except _fused.REFUSED:
                pass
            else:
                self._y = z
                return z
        return super().forward_biased(z, bias)

    def _derivative_times(self, grad_y, out):
        kernels = _fused.KERNELS  # None: NumPy only (glassnet._fused)
        if kernels is not None and out is not None:
            try:  # the same product in one loop, without the mask (glassnet._fused)
                kernels.relu_backward(grad_y, self._y, out)
                return out
            except _fused.REFUSED:
                pass
        # a bool mask (1 byte per element) is the cheapest temporary here
        return np.multiply(grad_y, self._y > 0, out=out)


class LeakyReLU(ActivationFunction):
    """x for x > 0, αx otherwise.

    Parameters
    ----------
    alpha : float, default 0.01
        Slope for negative inputs, in [0, 1], so that the sign of the output
        tells the sign of the input and backward can use the cached output.
        (Keras 3's ``leaky_relu`` defaults to 0.2; PyTorch and this library to 0.01.)

    Example
    -------
    >>> LeakyReLU(alpha=0.1)(np.array([-2.0, 3.0]))
    array([-0.2,  3. ])
    """

    name = "leaky_relu"

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = check_finite_number(alpha, "alpha", minimum=0.0, maximum=1.0)

    def _apply(self, x, out):
        scaled = np.multiply(x, _scalar(self.alpha, x))
        # with 0 <= α <= 1, max(x, αx) is x for x > 0 and αx otherwise
        return np.maximum(x, scaled, out=out)

    def _derivative_times(self, grad_y, out):
        # 1 where y > 0, else α: max(mask, α) is exact because α ≤ 1, and a float
        # mask is much faster than a where= ufunc on a random sign pattern
        derivative = (self._y > 0).astype(self._y.dtype)
        np.maximum(derivative, _scalar(self.alpha, derivative), out=derivative)
        return _times(grad_y, derivative, out)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class ELU(ActivationFunction):
    """x for x > 0, α(eˣ − 1) otherwise; for x ≤ 0 the derivative α·eˣ is y + α.

    Parameters
    ----------
    alpha : float, default 1.0
        Saturation value for negative inputs (> 0).

    Example
    -------
    >>> ELU()(np.array([0.0, 2.0]))
    array([0., 2.])
    """

    name = "elu"

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = check_finite_number(
            alpha, "alpha", minimum=0.0, strict_minimum=True
        )

    def _apply(self, x, out):
        # max(x, 0) + α·expm1(min(x, 0)): each side adds an exact 0 to the other,
        # and expm1 of a non-positive number never overflows
        negative_part = np.minimum(x, 0)
        np.expm1(negative_part, out=negative_part)
        negative_part *= _scalar(self.alpha, negative_part)
        y = np.maximum(x, 0, out=out)
        y += negative_part
        return y

    def _derivative_times(self, grad_y, out):
        # 1 where y > 0, y + α elsewhere, as max(min(y, 0) + α(1 − m), m) with the
        # float mask m: exact on both sides, without a where= ufunc
        y = self._y
        mask = (y > 0).astype(y.dtype)
        derivative = np.subtract(1, mask)
        derivative *= _scalar(self.alpha, y)
        derivative += np.minimum(y, 0)
        np.maximum(derivative, mask, out=derivative)
        return _times(grad_y, derivative, out)

    def get_config(self) -> dict[str, Any]:
        return {"alpha": self.alpha}


class Softplus(ActivationFunction):
    """log(1 + eˣ), computed as max(x, 0) + log1p(e^-|x|) so it never overflows.

    Its derivative σ(x) equals 1 − e^-y, taken from the cached output y.
    Unlike PyTorch's default (``threshold=20``, returning x above it), no
    threshold is applied: log1p(e^-x) is kept for every x.

    Example
    -------
    >>> Softplus()(np.array([0.0]))  # log 2
    array([0.69314718])
    """

    name = "softplus"

    def _apply(self, x, out):
        tail = np.abs(x)
        np.negative(tail, out=tail)
        np.exp(tail, out=tail)
        np.log1p(tail, out=tail)
        y = np.maximum(x, 0, out=out)
        y += tail
        return y

    def _derivative_times(self, grad_y, out):
        derivative = np.negative(self._y)
        np.expm1(derivative, out=derivative)
        np.negative(derivative, out=derivative)  # 1 - e^-y, exact for tiny y
        return _times(grad_y, derivative, out)


class Softmax(ActivationFunction):
    """exp(xᵢ − max x) / Σⱼ exp(xⱼ − max x) along the last axis.

    Backward is the Jacobian-vector product y ⊙ (g − Σ g ⊙ y), never the full
    Jacobian. (With categorical cross-entropy use a linear output layer: the loss
    fuses the softmax.)

    Example
    -------
    >>> Softmax()(np.array([[0.0, 0.0]]))
    array([[0.5, 0.5]])
    """

    name = "softmax"

    def _apply(self, x, out):
        shift = np.max(x, axis=-1, keepdims=True)
        y = np.subtract(x, shift, out=out)
        np.exp(y, out=y)
        y /= np.sum(y, axis=-1, keepdims=True)
        return y

    def _derivative_times(self, grad_y, out):
        y = self._y
        dot = np.sum(grad_y * y, axis=-1, keepdims=True)
        result = np.subtract(grad_y, dot, out=out)
        result *= y
        return result


# ---------------------------------------------------------------- erf and GELU

# erfcx's Chebyshev table lives in _numerics, shared with the ONNX export
_ERFCX_SCALE = ERFCX_SCALE
_ERFCX_CHEBYSHEV = ERFCX_CHEBYSHEV
_INV_SQRT_2 = 1 / math.sqrt(2.0)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def _erfcx(z: np.ndarray) -> np.ndarray:
    """exp(z²)·erfc(z) for z ≥ 0 (Clenshaw's recurrence on the table above)."""
    terms = 25 if z.dtype == np.float64 else 12
    coefficients = [_scalar(c, z) for c in _ERFCX_CHEBYSHEV[:terms]]
    t = z + _scalar(_ERFCX_SCALE, z)
    np.divide(z - _scalar(_ERFCX_SCALE, z), t, out=t)
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


def _normal_cdf_and_pdf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Φ(x) and φ(x), with Φ accurate to full relative precision in the left tail.

    With z = |x|/√2 and h = ½·erfc(z) = ½·erfcx(z)·e^(−z²): Φ(x) = h for x < 0 and
    1 − h for x ≥ 0; and φ(x) = e^(−z²)/√(2π) reuses the same exponential.
    """
    z = np.abs(x)
    z *= _scalar(_INV_SQRT_2, z)
    gauss = np.square(z)
    np.negative(gauss, out=gauss)
    np.exp(gauss, out=gauss)  # e^(−z²) = e^(−x²/2), in (0, 1]: no overflow
    half_tail = _erfcx(z)
    half_tail *= gauss
    half_tail *= _scalar(0.5, z)
    # Φ = m + h(1 − 2m) with m = 1 for x ≥ 0: exact, and no slow where= masks
    upper = (x >= 0).astype(x.dtype)
    cdf = np.multiply(upper, _scalar(-2.0, x))
    cdf += _scalar(1.0, x)
    cdf *= half_tail
    cdf += upper
    gauss *= _scalar(_INV_SQRT_2PI, x)
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
    x = _as_float(x)
    result = np.empty_like(x)
    small = np.abs(x) < 0.5
    xs = x[small]
    # erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1)); 12 terms reach 1e-17 at 0.5
    square = xs * xs
    series = np.zeros_like(xs)
    for n in range(12, -1, -1):
        series *= square
        series += _scalar((-1) ** n / (math.factorial(n) * (2 * n + 1)), xs)
    result[small] = series * xs * _scalar(2 / math.sqrt(math.pi), xs)
    large = x[~small]
    magnitude = np.abs(large)
    tail = _erfcx(magnitude) * np.exp(-np.square(magnitude))
    result[~small] = np.copysign(1 - tail, large)
    return result


class GELU(ActivationFunction):
    """x · Φ(x), the exact erf form (``torch.nn.functional.gelu``'s default).

    The derivative Φ(x) + x·φ(x) needs the input, so forward caches it (a copy
    when ``out`` is the input itself) together with Φ(x) and φ(x).

    Example
    -------
    >>> GELU()(np.array([0.0, 1.0]))  # 1 · Φ(1)
    array([0.        , 0.84134475])
    """

    name = "gelu"

    def __init__(self) -> None:
        super().__init__()
        self._x: np.ndarray | None = None
        self._cdf: np.ndarray | None = None
        self._pdf: np.ndarray | None = None

    def forward(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        x = _as_float(x)
        self._cdf, self._pdf = _normal_cdf_and_pdf(x)
        self._x = x.copy() if out is not None and np.shares_memory(x, out) else x
        self._y = np.multiply(x, self._cdf, out=out)
        return self._y

    def _apply(self, x, out):
        return np.multiply(x, _normal_cdf_and_pdf(x)[0], out=out)

    def _derivative_times(self, grad_y, out):
        derivative = np.multiply(self._x, self._pdf)
        derivative += self._cdf
        return _times(grad_y, derivative, out)


# ---------------------------------------------------------------- registry


def _refused_config(name, cls, config, error) -> TypeError:
    """An activation's config was refused: say which arguments it does accept."""
    return TypeError(
        f"Activation {name!r} does not accept {describe(config)}. "
        f"Accepted: {cls().get_config() or 'no arguments'}"
    )


_REGISTRY = Registry(
    "activation",
    {
        "linear": Linear,
        "identity": Linear,
        "sigmoid": Sigmoid,
        "tanh": Tanh,
        "relu": ReLU,
        "leaky_relu": LeakyReLU,
        "elu": ELU,
        "gelu": GELU,
        "softplus": Softplus,
        "softmax": Softmax,
    },
    accepts="a name, a {'name': ...} dict or an activation object",
    base=ActivationFunction,
    config_error=_refused_config,
)


def names() -> list[str]:
    """The accepted activation names, aliases included, sorted.

    Example
    -------
    >>> names()[:3]
    ['elu', 'gelu', 'identity']
    """
    return _REGISTRY.names()


def get(identifier: str | dict | ActivationFunction | None) -> ActivationFunction:
    """Resolve a name, a config dict or an instance to a NEW activation object.

    Parameters
    ----------
    identifier : str, dict, ActivationFunction or None
        A registry name (``"relu"``), ``{"name": "elu", "alpha": 0.5}``, an
        activation (a fresh copy with the same configuration is returned, so two
        layers never share a cache), or None for ``"linear"``.

    Raises
    ------
    ValueError
        For an unknown name, listing the valid ones.
    TypeError
        For anything else.

    Example
    -------
    >>> get({"name": "leaky_relu", "alpha": 0.2})
    LeakyReLU(alpha=0.2)
    """
    if identifier is None:
        return Linear()
    return _REGISTRY.get(identifier)
