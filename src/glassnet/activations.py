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

from typing import Any

import numpy as np

from glassnet import _fused
from glassnet._numerics import (
    as_float,
    erf,
    normal_cdf_and_pdf,
    scalar,
    sigmoid,
    softmax,
)
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

    # the arrays forward caches, all shaped like its input: backward_rows slices them
    _cached = ("_y",)

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
            x = as_float(x)  # (layers always pass float arrays: skip the call)
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

    def backward_rows(
        self, grad_y: np.ndarray, rows: slice, out: np.ndarray | None = None
    ) -> np.ndarray:
        """:meth:`backward` for ``rows`` of the last forward (its first axis) alone.

        ``grad_y`` is dL/dy for those rows; the result is ``backward(...)[rows]``'s,
        element for element. Conv2D's backward goes through a batch a few images at
        a time with it, so that each piece stays in the CPU's cache.
        """
        if self._y is None:
            return self.backward(grad_y, out)  # the error backward raises
        whole = [getattr(self, name) for name in self._cached]
        try:
            for name, array in zip(self._cached, whole, strict=True):
                setattr(self, name, array[rows])
            return self._derivative_times(np.asarray(grad_y), out)
        finally:
            for name, array in zip(self._cached, whole, strict=True):
                setattr(self, name, array)

    def forward_biased(self, z: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """``forward(z + bias, out=z)``: Dense's training path, in place in ``z``.

        ``z`` is a float buffer the caller owns (overwritten with the activations,
        which are cached like :meth:`forward`'s); ``bias`` broadcasts over its rows.
        :class:`ReLU` runs both steps as one compiled loop when it can.
        """
        np.add(z, bias, out=z)
        return self.forward(z, out=z)

    def apply_biased(self, z: np.ndarray, bias: np.ndarray) -> np.ndarray:
        """f(z + bias) in place in ``z``, caching nothing: the layers' predict paths.

        ``z`` is a float array the caller owns (a product it has just made);
        :class:`ReLU` runs both steps as one compiled loop when it can.
        """
        np.add(z, bias, out=z)
        return self._apply(z, z)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The function alone: returns a new array and caches nothing."""
        return self._apply(as_float(x), None)


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
        return sigmoid(x, out)

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
        # np.maximum against a zero *row* runs NumPy's SIMD loop, which the
        # scalar 0 does not
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

    def _fused_bias(self, z: np.ndarray, bias: np.ndarray) -> bool:
        """z = max(z + bias, 0) in one compiled loop; False (z untouched) if not run."""
        kernels = _fused.KERNELS  # None: NumPy only (glassnet._fused)
        # ReLU's own: a subclass's _apply or forward (a ReLU6, say) must run
        if kernels is None or self.__class__ is not ReLU:
            return False
        try:
            kernels.bias_relu(z, bias)
        except _fused.REFUSED:
            return False
        return True

    def forward_biased(self, z: np.ndarray, bias: np.ndarray) -> np.ndarray:
        if self._fused_bias(z, bias):
            self._y = z
            return z
        return super().forward_biased(z, bias)

    def apply_biased(self, z: np.ndarray, bias: np.ndarray) -> np.ndarray:
        if self._fused_bias(z, bias):
            return z
        return super().apply_biased(z, bias)

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
        scaled = np.multiply(x, scalar(self.alpha, x))
        # with 0 <= α <= 1, max(x, αx) is x for x > 0 and αx otherwise
        return np.maximum(x, scaled, out=out)

    def _derivative_times(self, grad_y, out):
        # 1 where y > 0, else α: max(mask, α) is exact because α ≤ 1, and a float
        # mask is much faster than a where= ufunc on a random sign pattern
        derivative = (self._y > 0).astype(self._y.dtype)
        np.maximum(derivative, scalar(self.alpha, derivative), out=derivative)
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
        negative_part *= scalar(self.alpha, negative_part)
        y = np.maximum(x, 0, out=out)
        y += negative_part
        return y

    def _derivative_times(self, grad_y, out):
        # 1 where y > 0, y + α elsewhere, as max(min(y, 0) + α(1 − m), m) with the
        # float mask m: exact on both sides, without a where= ufunc
        y = self._y
        mask = (y > 0).astype(y.dtype)
        derivative = np.subtract(1, mask)
        derivative *= scalar(self.alpha, y)
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
        return softmax(x, out)

    def _derivative_times(self, grad_y, out):
        y = self._y
        dot = np.sum(grad_y * y, axis=-1, keepdims=True)
        result = np.subtract(grad_y, dot, out=out)
        result *= y
        return result


# ---------------------------------------------------------------- GELU


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
    _cached = ("_y", "_x", "_cdf", "_pdf")

    def __init__(self) -> None:
        super().__init__()
        self._x: np.ndarray | None = None
        self._cdf: np.ndarray | None = None
        self._pdf: np.ndarray | None = None

    def forward(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        x = as_float(x)
        self._cdf, self._pdf = normal_cdf_and_pdf(x)
        self._x = x.copy() if out is not None and np.shares_memory(x, out) else x
        self._y = np.multiply(x, self._cdf, out=out)
        return self._y

    def _apply(self, x, out):
        return np.multiply(x, normal_cdf_and_pdf(x)[0], out=out)

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
