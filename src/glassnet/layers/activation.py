"""Activation: an activation function as a layer of its own."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import activations
from glassnet.layers.base import Layer, activation_config, float_input

__all__ = ["Activation"]


class Activation(Layer):
    """An activation function as a layer of its own (no parameters).

    Parameters
    ----------
    activation : str, dict or ActivationFunction
        Anything :func:`glassnet.activations.get` accepts.

    Example
    -------
    >>> import numpy as np
    >>> Activation("relu")(np.array([[-1.0, 2.0]]))
    array([[0., 2.]])
    """

    keeps_shape = True

    def __init__(self, activation: Any, dtype: Any = "float32") -> None:
        super().__init__(dtype)
        self.activation = activations.get(activation)

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """Apply the activation; with ``training=True`` cache for backward.

        ``x`` may be a list or an integer array: it is converted to the layer's
        dtype first (a float array is used as it is).
        """
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
            x = float_input(self, x)
        if not training:
            return self.activation(x)
        out = self._buffer(("out", x.shape), x.shape)
        self.activation.forward(x, out=out)
        self.inputs = x
        self.outputs = out
        return out

    def backward(
        self, grad_out: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """dL/dx = f'(x) ⊙ dL/dy, from the activation's cache."""
        if not need_input_grad:
            return None
        if self.outputs is not None and grad_out.shape != self.outputs.shape:
            raise self._grad_shape_error(grad_out)
        dx = self._buffer(("dx", grad_out.shape), grad_out.shape)
        return self.activation.backward(grad_out, out=dx)

    def get_config(self) -> dict[str, Any]:
        return {"activation": activation_config(self.activation)}

    def _extra_repr(self) -> str:
        return repr(activation_config(self.activation))
