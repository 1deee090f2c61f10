"""Gradient checking: backpropagation against central finite differences.

Backpropagation is the chain rule done by hand, layer by layer; a finite
difference is the definition of a derivative done by brute force::

    ∂L/∂θ ≈ (L(θ + ε) − L(θ − ε)) / 2ε        (error O(ε²))

When the two agree to many digits, the hand-written backward passes are right.
:func:`gradcheck` does this for every parameter *and* the input of a model or a
layer, in float64 on a deep copy, so the user's model is never touched.

(The module is called ``finitediff`` rather than ``gradcheck`` so that the
function ``glassnet.gradcheck`` and a module of the same name do not shadow each
other.)

Example
-------
>>> import numpy as np
>>> import glassnet as gn
>>> model = gn.Sequential([gn.Dense(3, 4, activation="tanh"), gn.Dense(4, 2)], seed=0)
>>> model.compile(loss="categorical_crossentropy")
>>> X = np.random.default_rng(0).normal(size=(5, 3))
>>> gn.gradcheck(model, X, [0, 1, 1, 0, 1]) < 1e-6
True
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from glassnet import losses
from glassnet._validation import check_array, check_finite_number, describe
from glassnet.layers import Layer

__all__ = ["gradcheck", "numerical_gradient", "relative_error"]


def numerical_gradient(
    f: Callable[[], float], array: np.ndarray, eps: float = 1e-6
) -> np.ndarray:
    """Central differences of ``f()`` with respect to every entry of ``array``.

    ``f`` takes no arguments: it reads ``array``, which is changed in place, one
    entry at a time (to θ + ε, then θ − ε, then back to θ exactly).

    Parameters
    ----------
    f : callable
        ``f() -> float``, the scalar being differentiated.
    array : ndarray
        The array ``f`` depends on (a parameter, or the input).
    eps : float
        The step ε.

    Returns
    -------
    ndarray of array's shape, float64

    Example
    -------
    >>> w = np.array([1.0, 2.0])
    >>> numerical_gradient(lambda: float(np.sum(w ** 3)), w).round(6)  # 3w²
    array([ 3., 12.])
    """
    grad = np.zeros(array.shape, dtype=np.float64)
    flat = array.reshape(-1)  # a view: writes reach the array f reads
    if not np.shares_memory(flat, array):
        raise ValueError("numerical_gradient needs a contiguous array to perturb")
    out = grad.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = f()
        flat[i] = original - eps
        minus = f()
        flat[i] = original
        out[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """‖a − n‖ / (‖a‖ + ‖n‖), and 0.0 when both are exactly zero.

    Example
    -------
    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    0.0
    """
    a = np.asarray(analytic, dtype=np.float64)
    n = np.asarray(numeric, dtype=np.float64)
    scale = np.linalg.norm(a) + np.linalg.norm(n)
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(a - n) / scale)


def _dropout_states(layers: list[Layer]) -> list[tuple[Layer, dict]]:
    """Generator states of layers that draw random masks, to replay the same mask."""
    return [
        (layer, layer.rng.bit_generator.state)
        for layer in layers
        if isinstance(getattr(layer, "rng", None), np.random.Generator)
    ]


def gradcheck(
    model_or_layer: Any,
    X: Any,
    y: Any = None,
    loss: Any = None,
    eps: float = 1e-6,
) -> float:
    """Max relative error between backprop's gradients and central differences.

    Every parameter array and the input ``X`` are checked, each with the error
    ‖a − n‖ / (‖a‖ + ‖n‖); the largest is returned. Below about 1e-7 the
    backward pass is right; a wrong one typically gives 1e-2 or more.

    The check runs in float64 on a deep copy (the model's own dtype and weights
    are left alone). Dropout layers replay one fixed mask, so the function being
    differentiated is deterministic.

    Parameters
    ----------
    model_or_layer : Sequential or Layer
    X : array_like of shape (n_samples, ...)
        Inputs of any rank the model takes (images ``(n, h, w, c)`` too).
    y : array_like, optional
        Targets. Needed with a loss; for a layer without one, the scalar checked is
        Σ(output ⊙ R) for a fixed random R.
    loss : str or Loss, optional
        Default: the model's compiled loss.
    eps : float
        Finite-difference step ε.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For a model without a loss, or a loss without ``y``.

    Example
    -------
    >>> import numpy as np
    >>> import glassnet as gn
    >>> layer = gn.Dense(3, 2, activation="sigmoid", seed=1)
    >>> gn.gradcheck(layer, np.ones((4, 3))) < 1e-7
    True
    """
    eps = check_finite_number(eps, "eps", minimum=0.0, strict_minimum=True)
    X = check_array(X, "X", dtype=np.float64).copy()
    rng = np.random.default_rng(0)
    if isinstance(model_or_layer, Layer):
        originals = [model_or_layer]
    elif hasattr(model_or_layer, "layers") and hasattr(model_or_layer, "loss"):
        originals = list(model_or_layer.layers)
        if loss is None:
            loss = model_or_layer.loss
            if loss is None:
                raise ValueError(
                    "gradcheck needs a loss: compile the model or pass loss=. "
                    "Received: loss=None"
                )
    else:
        raise TypeError(
            "model_or_layer must be a Sequential or a Layer. "
            f"Received: {describe(model_or_layer)}"
        )
    layers = copy.deepcopy(originals)
    # the shape of X's samples, batch axis None (a 1-D X is one sample's features)
    shape: tuple = (None, *X.shape[1:]) if X.ndim > 1 else (None, *X.shape)
    for layer in layers:  # the same weights (and mask generator), in float64
        values = {key: value.copy() for key, value in layer.params.items()}
        saved_rng = getattr(layer, "rng", None)
        layer.build(np.random.default_rng(0), np.float64, shape)
        if isinstance(saved_rng, np.random.Generator):
            layer.rng = saved_rng
        for key, value in values.items():
            layer.params[key][...] = value
        shape = layer.output_shape(shape)

    n_out = shape[-1]
    if loss is not None:
        loss_obj = losses.get(loss)
        if y is None:
            raise ValueError(
                "gradcheck with a loss needs targets: pass y. Received: y=None"
            )
        target = loss_obj.prepare_targets(y, n_out, np.float64, len(X))
        weights = None
    else:
        loss_obj = target = None
        weights = None  # drawn once the output shape is known
    states = _dropout_states(layers)

    def run(keep_grad: bool = False) -> float:
        for layer, state in states:
            layer.rng.bit_generator.state = state
        out = X
        for layer in layers:
            out = layer.forward(out)
        penalty = sum(layer.regularization_loss() for layer in layers)
        if loss_obj is None:
            value = float(np.sum(out * weights))
            grad = weights
        else:
            value = loss_obj.forward(target, out)
            grad = loss_obj.backward() if keep_grad else None
        if keep_grad:
            for layer in layers[:0:-1]:
                grad = layer.backward(grad)
            run.input_grad = np.array(layers[0].backward(grad, True), copy=True)
        return value + penalty

    if loss_obj is None:
        weights = rng.normal(size=X.shape[:1] + shape[1:] if X.ndim > 1 else shape[1:])
    run(keep_grad=True)
    analytic = [grad.copy() for layer in layers for _, grad in layer.parameters()]
    analytic.append(run.input_grad)
    arrays = [param for layer in layers for param, _ in layer.parameters()]
    arrays.append(X)
    errors = [
        relative_error(a, numerical_gradient(run, array, eps))
        for a, array in zip(analytic, arrays, strict=True)
    ]
    return max(errors)
