"""Dropout: inverted dropout, the identity at predict time."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet._validation import (
    check_probability,
    check_seed,
)
from glassnet.layers.base import Layer, float_input

__all__ = ["Dropout"]


class Dropout(Layer):
    """Inverted dropout: zero each input with probability ``rate``, scale the rest by
    1/(1 − rate), so nothing changes at predict time, where the layer is the identity.

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping an input.
    seed : int, optional
        Seed for the masks of a layer used on its own; inside a Sequential the
        masks come from the model's generator (given by :meth:`build`).

    Attributes
    ----------
    mask : ndarray or None
        The scaled mask (0 or 1/(1 − rate)) of the last training forward.

    Example
    -------
    >>> import numpy as np
    >>> layer = Dropout(0.5, seed=0)
    >>> y = layer.forward(np.ones((2, 4)))
    >>> sorted(set(y.ravel().tolist())) in ([0.0, 2.0], [0.0], [2.0])
    True
    >>> layer(np.ones((1, 2)))  # predict: identity
    array([[1., 1.]])
    """

    def __init__(self, rate: float, seed: int | None = None, dtype: Any = "float32"):
        super().__init__(dtype)
        self.rate = check_probability(rate, "rate")
        self.seed = check_seed(seed)
        self.rng = np.random.default_rng(seed)
        self.mask: np.ndarray | None = None

    keeps_shape = True

    def build(
        self, rng: np.random.Generator, dtype: Any, input_shape: tuple | None = None
    ) -> None:
        super().build(rng, dtype, input_shape)
        # a generator of its own, seeded from the model's: the masks are reproducible
        # and a saved model can restore exactly this layer's stream
        self.rng = rng.spawn(1)[0]

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """Apply a fresh random mask (``training=True``) or pass ``x`` through.

        ``x`` may be a list or an integer array: it is converted to the layer's
        dtype first (a float array is used as it is).
        """
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
            x = float_input(self, x)
        if not training or self.rate == 0.0:
            if training:
                self.inputs = self.outputs = x
                self.mask = None
            return x
        shape = x.shape
        mask = self._buffer(("mask", shape), shape)
        keep = self._buffers.get(("keep", shape))
        if keep is None:
            keep = self._buffers[("keep", shape)] = np.empty(shape, dtype=bool)
        self.rng.random(dtype=self.dtype.type, out=mask)
        np.greater_equal(mask, self.dtype.type(self.rate), out=keep)
        np.multiply(keep, self.dtype.type(1.0 / (1.0 - self.rate)), out=mask)
        out = self._buffer(("out", shape), shape)
        np.multiply(x, mask, out=out)
        self.mask = mask
        self.inputs = x
        self.outputs = out
        return out

    def backward(
        self, grad_out: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """dL/dx = mask ⊙ dL/dy (the same mask as the forward)."""
        if not need_input_grad:
            return None
        if self.mask is None:
            return grad_out
        if grad_out.shape != self.mask.shape:  # else it might silently broadcast
            raise self._grad_shape_error(grad_out)
        dx = self._buffer(("dx", grad_out.shape), grad_out.shape)
        return np.multiply(grad_out, self.mask, out=dx)

    def get_config(self) -> dict[str, Any]:
        return {"rate": self.rate}

    def _extra_repr(self) -> str:
        return f"{self.rate:g}"
