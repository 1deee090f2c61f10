"""BatchNormalization: each feature scaled to mean 0 and variance 1, then γ·x̂ + β."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet._validation import check_finite_number, check_probability
from glassnet.layers.base import Layer, float_input

__all__ = ["BatchNormalization"]


class BatchNormalization(Layer):
    """Batch normalization over the last axis (features, or an image's channels).

    In training each feature k is normalised with the mean μ and the variance σ²
    of the batch (over every axis but the last: samples, and pixels for images)::

        x̂ = (x − μ) / √(σ² + ε),    y = γ ⊙ x̂ + β

    and the moving statistics follow it (Keras' convention, ``momentum`` near 1)::

        moving_mean     ← momentum · moving_mean     + (1 − momentum) · μ
        moving_variance ← momentum · moving_variance + (1 − momentum) · σ²

    ``predict`` (``training=False``) uses the moving statistics instead of the
    batch's. σ² is the biased variance (divided by the number of values m, not
    m − 1), in the normalisation and in the moving variance, as Keras 3 does;
    PyTorch's ``momentum`` is ``1 − momentum`` here, and its ``running_var``
    takes the unbiased variance σ²·m/(m − 1).

    Parameters
    ----------
    momentum : float in [0, 1)
        Weight of the old moving statistics in each update.
    epsilon : float > 0
        Added to the variance before the square root.
    dtype : {"float32", "float64"}
        Parameter dtype (Sequential sets its own).

    Attributes
    ----------
    params, grads : dict
        ``"gamma"`` (γ, starts at 1) and ``"beta"`` (β, starts at 0), shape (features,).
    state : dict
        ``"moving_mean"`` (starts at 0) and ``"moving_variance"`` (starts at 1):
        not trained by the optimizer, updated by each training forward, saved with
        the model.

    Raises
    ------
    ValueError
        For an input whose last axis differs from the one the layer was built for.

    Example
    -------
    >>> import numpy as np
    >>> layer = BatchNormalization(momentum=0.5, epsilon=0.0, dtype="float64")
    >>> x = np.array([[1.0], [3.0]])          # μ = 2, σ² = 1
    >>> layer.forward(x)                      # (x − 2) / 1
    array([[-1.],
           [ 1.]])
    >>> state = layer.state                   # ½·0 + ½·2 and ½·1 + ½·1
    >>> state["moving_mean"], state["moving_variance"]
    (array([1.]), array([1.]))
    >>> layer(x)                              # predict: (x − 1) / √1
    array([[0.],
           [2.]])
    """

    keeps_shape = True

    def __init__(
        self, momentum: float = 0.99, epsilon: float = 1e-3, dtype: Any = "float32"
    ) -> None:
        super().__init__(dtype)
        self.momentum = check_probability(momentum, "momentum")
        self.epsilon = check_finite_number(
            epsilon, "epsilon", minimum=0.0, strict_minimum=False
        )
        self.features: int | None = None
        self.state: dict[str, np.ndarray] = {}
        self._cache: tuple | None = None  # (x̂, 1/√(σ² + ε), ones) of the last forward

    def build(
        self, rng: np.random.Generator, dtype: Any, input_shape: tuple | None = None
    ) -> None:
        """Set the dtype; with ``input_shape`` make γ, β and the moving statistics."""
        if input_shape is not None:
            shape = tuple(input_shape)
            if len(shape) < 2 or shape[-1] is None:
                raise ValueError(
                    f"{self!r} expects input of shape (batch, ..., features) with a "
                    f"known last axis. Received: input shape {shape}"
                )
            self.features = int(shape[-1])
        super().build(rng, dtype, input_shape)
        self._cache = None

    def reset_parameters(self, rng: np.random.Generator) -> None:
        """γ = 1, β = 0, moving mean 0 and variance 1 (in place when they exist)."""
        if self.features is None:
            return  # the first forward builds
        values = {
            "gamma": np.ones(self.features),
            "beta": np.zeros(self.features),
        }
        for key, value in values.items():
            param = self.params.get(key)
            if param is None or param.dtype != self.dtype or param.shape != value.shape:
                self.params[key] = value.astype(self.dtype)
                self.grads[key] = np.zeros(value.shape, dtype=self.dtype)
            else:
                param[...] = value
                self.grads[key].fill(0)
        self.state = {
            "moving_mean": np.zeros(self.features, self.dtype),
            "moving_variance": np.ones(self.features, self.dtype),
        }

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """Normalise with the batch's statistics (training) or the moving ones.

        Parameters
        ----------
        x : ndarray of shape (n, ..., features)
        training : bool
            True: batch statistics, moving statistics updated, cache for backward.

        Returns
        -------
        ndarray of the shape of ``x``
        """
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
            x = float_input(self, x)
        if self.features is None or not self.params:
            if x.ndim < 2:
                raise ValueError(
                    f"{self!r} expects input of shape (batch, ..., features). "
                    f"Received: input shape {x.shape}"
                )
            self.features = x.shape[-1]
            self.reset_parameters(np.random.default_rng(0))
        if x.ndim < 2 or x.shape[-1] != self.features:
            raise ValueError(
                f"{self!r} was built for {self.features} features (last axis), "
                f"expected shape (None, ..., {self.features}). "
                f"Received: input shape {x.shape}"
            )
        gamma, beta = self.params["gamma"], self.params["beta"]
        eps = self.dtype.type(self.epsilon)
        if not training:
            scale = gamma / np.sqrt(self.state["moving_variance"] + eps)
            return (x - self.state["moving_mean"]) * scale + beta
        rows = x.reshape(-1, self.features)
        m = len(rows)
        ones = self._buffer(("ones", m), (m,))
        ones.fill(1)
        # means as products with a ones vector: one BLAS call each
        mean = np.matmul(ones, rows) / self.dtype.type(m)
        x_hat = self._buffer(("x_hat", rows.shape), rows.shape)
        np.subtract(rows, mean, out=x_hat)
        out = self._buffer(("out", x.shape), x.shape)
        squares = out.reshape(rows.shape)  # scratch until the output is written
        np.multiply(x_hat, x_hat, out=squares)
        variance = np.matmul(ones, squares) / self.dtype.type(m)
        inv_std = 1 / np.sqrt(variance + eps)
        x_hat *= inv_std
        np.multiply(x_hat, gamma, out=squares)
        squares += beta
        momentum = self.dtype.type(self.momentum)
        for key, batch in (("moving_mean", mean), ("moving_variance", variance)):
            moving = self.state[key]
            moving *= momentum
            moving += (1 - momentum) * batch
        self._cache = (x_hat, inv_std, ones)
        self.inputs, self.outputs = x, out
        return out

    def backward(
        self, grad_out: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """Overwrite ``grads`` with dL/dγ, dL/dβ and return dL/dx.

        With m values per feature: dL/dβ = Σ dL/dy, dL/dγ = Σ dL/dy ⊙ x̂, and, since
        μ and σ² depend on every x, dL/dx = γ/(m·√(σ² + ε)) ⊙ (m·dL/dy − dL/dβ −
        x̂ ⊙ dL/dγ).
        """
        self._check_backward(grad_out, self._cache)
        x_hat, inv_std, ones = self._cache
        grad = np.reshape(grad_out, x_hat.shape)
        grad_beta, grad_gamma = self.grads["beta"], self.grads["gamma"]
        np.matmul(ones, grad, out=grad_beta)
        grad_x = self._buffer(("dx", x_hat.shape), x_hat.shape)
        np.multiply(grad, x_hat, out=grad_x)
        np.matmul(ones, grad_x, out=grad_gamma)
        if not need_input_grad:
            return None
        m = self.dtype.type(len(x_hat))
        np.multiply(x_hat, grad_gamma, out=grad_x)
        grad_x += grad_beta
        np.subtract(grad * m, grad_x, out=grad_x)
        grad_x *= self.params["gamma"] * inv_std / m
        return grad_x.reshape(self.inputs.shape)

    def output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "epsilon": self.epsilon}

    def _extra_repr(self) -> str:
        parts = []
        if self.momentum != 0.99:
            parts.append(f"momentum={self.momentum:g}")
        if self.epsilon != 1e-3:
            parts.append(f"epsilon={self.epsilon:g}")
        return ", ".join(parts)
