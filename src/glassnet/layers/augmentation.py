"""RandomTranslation: shift each training image by a few whole pixels.

Data augmentation as Keras writes it, a layer at the front of the model: in
training each image is moved by its own random shift, so the network sees a digit
a pixel or two off centre as the same digit; at predict time (``model.predict``,
``evaluate``, ``model(x)``) the layer is the identity and costs nothing.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from glassnet._validation import check_choice, check_finite_number, check_seed, describe
from glassnet.layers.base import Layer, float_input

__all__ = ["RandomTranslation"]

# Keras' fill modes (each is one of np.pad's: symmetric, wrap, edge, constant)
FILL_MODES = ("reflect", "wrap", "nearest", "constant")


def _factor(value: Any, name: str) -> tuple[float, float]:
    """A factor ``f`` as the range (−f, f), or a pair (lower, upper), in [−1, 1]."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(
                f"{name} must be a number or a pair (lower, upper). "
                f"Received: {name}={describe(value)}"
            )
        lower = check_finite_number(value[0], f"{name}[0]", minimum=-1.0, maximum=1.0)
        upper = check_finite_number(value[1], f"{name}[1]", minimum=-1.0, maximum=1.0)
        if lower > upper:
            raise ValueError(
                f"{name} must be (lower, upper) with lower <= upper. "
                f"Received: {name}={describe(value)}"
            )
        return lower, upper
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a number in [0, 1] or a pair (lower, upper). "
            f"Received: {name}={describe(value)}"
        )
    factor = check_finite_number(value, name, minimum=0.0, maximum=1.0)
    return -factor, factor


def _source(index: np.ndarray, size: int, mode: str) -> np.ndarray:
    """Which input pixel each (possibly outside) index reads; −1: the fill value."""
    if mode == "constant":
        return np.where((index >= 0) & (index < size), index, -1)
    if mode == "nearest":
        return np.clip(index, 0, size - 1)
    if mode == "wrap":
        return index % size
    folded = index % (2 * size)  # reflect: ... c b a | a b c ... c | c b a ...
    return np.where(folded < size, folded, 2 * size - 1 - folded)


class RandomTranslation(Layer):
    """Move each training image by a random whole number of pixels (Keras' layer).

    Image ``k`` of a training batch is shifted down by ``dy[k]`` and right by
    ``dx[k]`` pixels (negative: up, left), each drawn uniformly from the whole
    numbers in ``[lower·height, upper·height]`` and ``[lower·width, upper·width]``::

        out[k, r, c] = x[k, r − dy[k], c − dx[k]]     (outside the image: fill_mode)

    The shifts of the last training batch are kept in ``shifts`` (n, 2), rows
    ``(dy, dx)``. At predict time the layer returns its input unchanged.

    Parameters
    ----------
    height_factor, width_factor : float or (float, float)
        A fraction ``f`` of the image's height (width) means shifts in [−f, f]·size;
        a pair ``(lower, upper)`` in [−1, 1] any range. 0.1 on MNIST's 28 pixels:
        shifts of −2 to 2 pixels (2.8, rounded towards zero).
    fill_mode : {"reflect", "wrap", "nearest", "constant"}
        What fills the pixels shifted in: the image mirrored at its edge (d c b a |
        a b c d), the image repeated, the edge pixel repeated, or ``fill_value``.
    fill_value : float
        The value ``fill_mode="constant"`` fills with.
    seed : int, optional
        Seed for a layer used on its own; inside a Sequential the shifts come from
        the model's generator (given by :meth:`build`), as Dropout's masks do.

    Unlike Keras, shifts are whole pixels (Keras samples fractions and interpolates,
    ``interpolation="bilinear"``): every output pixel is an input pixel or the fill.

    Example
    -------
    >>> import numpy as np
    >>> layer = RandomTranslation(0.5, 0.0, fill_mode="constant", seed=0)
    >>> x = np.arange(1.0, 5.0).reshape(1, 4, 1, 1)    # one 4×1 image: 1 2 3 4
    >>> y = layer.forward(x)
    >>> dy = int(layer.shifts[0, 0]); dy in (-2, -1, 0, 1, 2)
    True
    >>> by_hand = [x[0, r - dy, 0, 0] if 0 <= r - dy < 4 else 0.0 for r in range(4)]
    >>> y[0, :, 0, 0].tolist() == by_hand
    True
    >>> bool((layer(x) == x).all())                      # predict: the identity
    True
    """

    keeps_shape = True

    def __init__(
        self,
        height_factor: float | tuple[float, float],
        width_factor: float | tuple[float, float],
        fill_mode: str = "reflect",
        fill_value: float = 0.0,
        seed: int | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(dtype)
        self.height_factor = _factor(height_factor, "height_factor")
        self.width_factor = _factor(width_factor, "width_factor")
        self.fill_mode = check_choice(fill_mode, "fill_mode", FILL_MODES)
        self.fill_value = check_finite_number(fill_value, "fill_value")
        self.seed = check_seed(seed)
        self.rng = np.random.default_rng(seed)
        self.shifts: np.ndarray | None = None

    def build(
        self, rng: np.random.Generator, dtype: Any, input_shape: tuple | None = None
    ) -> None:
        super().build(rng, dtype, input_shape)
        self.rng = rng.spawn(1)[0]  # its own stream, saved with the model

    def output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        if len(shape) != 4:
            raise ValueError(
                f"{self!r} expects 4-D input (batch, height, width, channels): "
                f"images channels-last. Received: input shape {shape}"
            )
        return shape

    def _range(self, name: str, size: int) -> tuple[int, int]:
        """The whole-pixel shifts a factor allows on an axis of ``size`` pixels."""
        lower, upper = getattr(self, name)
        # a tiny tolerance: 0.1·30 is 3.0000000000000004 in floats, and means 3
        low, high = math.ceil(lower * size - 1e-9), math.floor(upper * size + 1e-9)
        if low > high:
            raise ValueError(
                f"{self!r}: {name} ({lower:g}, {upper:g}) allows no whole-pixel "
                f"shift on an axis of {size} pixels ({lower * size:g} to "
                f"{upper * size:g}); widen the range so it holds a whole number"
            )
        return low, high

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """Shift every image by its own random offset; identity when not training."""
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
            x = float_input(self, x)
        self.output_shape((None,) + x.shape[1:])
        if not training:
            return x
        n, h, w, c = x.shape
        dy_low, dy_high = self._range("height_factor", h)
        dx_low, dx_high = self._range("width_factor", w)
        shifts = np.empty((n, 2), dtype=np.int64)
        shifts[:, 0] = self.rng.integers(dy_low, dy_high, size=n, endpoint=True)
        shifts[:, 1] = self.rng.integers(dx_low, dx_high, size=n, endpoint=True)
        rows = _source(np.arange(h) - shifts[:, :1], h, self.fill_mode)  # (n, h)
        cols = _source(np.arange(w) - shifts[:, 1:], w, self.fill_mode)  # (n, w)
        # one flat gather: pixel (k, r, c) reads row (k·h + rows[k, r])·w + cols[k, c]
        source = (np.arange(n)[:, None, None] * h + rows[:, :, None]) * w
        source = source + cols[:, None, :]
        inside = (rows[:, :, None] >= 0) & (cols[:, None, :] >= 0)
        source = np.where(inside, source, 0).reshape(-1)
        out = self._buffer(("out", x.shape), x.shape)
        flat = out.reshape(-1, c)
        np.take(x.reshape(-1, c), source, axis=0, out=flat)
        if not inside.all():
            flat[~inside.reshape(-1)] = self.fill_value
        self._source, self._inside = source, inside.reshape(-1)
        self.shifts, self.inputs, self.outputs = shifts, x, out
        return out

    def backward(
        self, grad_out: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """dL/dx: each output pixel's gradient added to the input pixel it read.

        A pixel read twice (a reflected or wrapped border) gets both; the fill
        value's pixels send nothing back.
        """
        self._check_backward(grad_out, self.outputs)
        if not need_input_grad:
            return None
        shape = self.inputs.shape
        grad_x = self._buffer(("dx", shape), shape)
        grad_x.fill(0)
        c = shape[-1]
        grad = np.reshape(grad_out, (-1, c))
        np.add.at(grad_x.reshape(-1, c), self._source[self._inside], grad[self._inside])
        return grad_x

    def get_config(self) -> dict[str, Any]:
        return {
            "height_factor": list(self.height_factor),
            "width_factor": list(self.width_factor),
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
        }

    def _extra_repr(self) -> str:
        def factor(pair):
            return (
                f"{pair[1]:g}" if pair[0] == -pair[1] else f"({pair[0]:g}, {pair[1]:g})"
            )

        text = f"{factor(self.height_factor)}, {factor(self.width_factor)}"
        if self.fill_mode != "reflect":
            text += f", fill_mode={self.fill_mode!r}"
        if self.fill_value:
            text += f", fill_value={self.fill_value:g}"
        return text
