"""Pooling layers: MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import _fused
from glassnet.layers.base import Layer, float_input
from glassnet.layers.windows import (
    as_pair,
    check_padding,
    geometry,
    offsets,
)

__all__ = [
    "AveragePooling2D",
    "AvgPool2D",
    "GlobalAveragePooling2D",
    "MaxPool2D",
    "MaxPooling2D",
]


def _check_images(layer: Layer, shape: tuple) -> tuple:
    if len(shape) != 4:
        raise ValueError(
            f"{layer!r} expects 4-D input (batch, height, width, channels). "
            f"Received: input shape {shape}"
        )
    return shape


def _first_window(x: np.ndarray, windows: list, out: np.ndarray | None) -> np.ndarray:
    """The pixels under the first offset, copied into ``out`` (or a new array)."""
    _, _, rows, cols = windows[0]
    if out is None:
        return x[:, rows, cols].copy()
    np.copyto(out, x[:, rows, cols])
    return out


class _Pooling2D(Layer):
    """Shared by max and average pooling: windows, padding, shapes, config.

    Each step loops over the pool's kh·kw offsets (4 for the usual 2×2), each a
    strided NumPy operation on the whole batch: no loop over samples or pixels.
    """

    _pad_value = 0.0

    def __init__(
        self,
        pool_size: int | tuple[int, int] = 2,
        strides: int | tuple[int, int] | None = None,
        padding: str = "valid",
        dtype: Any = "float32",
    ) -> None:
        super().__init__(dtype)
        self.pool_size = as_pair(pool_size, "pool_size")
        self.strides = (
            self.pool_size if strides is None else as_pair(strides, "strides")
        )
        self.padding = check_padding(padding)
        self._counts_cache: dict = {}

    def _geometry(self, shape: tuple) -> tuple:
        return geometry(shape, self.pool_size, self.strides, self.padding)

    def _check_shape(self, shape: tuple) -> tuple:
        shape = _check_images(self, shape)
        kh, kw = self.pool_size
        h, w = shape[1], shape[2]
        if self.padding == "valid" and (
            (h is not None and h < kh) or (w is not None and w < kw)
        ):
            raise ValueError(
                f"{self!r} with padding='valid' needs images of at least {kh}×{kw} "
                f"pixels (the pool), expected shape (None, ≥{kh}, ≥{kw}, "
                f"channels). Received: input shape {shape}"
            )
        return shape

    def output_shape(self, input_shape: tuple) -> tuple:
        shape = self._check_shape(tuple(input_shape))
        return (shape[0], *self._geometry(shape)[0], shape[3])

    def _padded(self, x: np.ndarray, training: bool) -> np.ndarray:
        """``x``, or ``x`` inside a border of ``_pad_value`` for "same" padding."""
        ((top, bottom), (left, right)) = self._geometry(x.shape)[1]
        if not (top or bottom or left or right):
            return x
        n, h, w, c = x.shape
        shape = (n, h + top + bottom, w + left + right, c)
        if training:
            padded = self._buffers.get(("padded", shape))
            if padded is None:
                padded = self._buffers[("padded", shape)] = np.full(
                    shape, self._pad_value, self.dtype
                )
        else:
            padded = np.full(shape, self._pad_value, self.dtype)
        padded[:, top : top + h, left : left + w] = x
        return padded

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """Pool every window; with ``training=True`` cache for backward.

        Parameters
        ----------
        x : ndarray of shape (n, height, width, channels)

        Returns
        -------
        ndarray of shape (n, out_height, out_width, channels)
        """
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
            x = float_input(self, x)
        self._check_shape((None,) + x.shape[1:])
        if training and len(self._buffers) >= 12:  # don't hoard odd batch sizes
            self._buffers.clear()
        padded = self._padded(x, training)
        out_hw = self._geometry(x.shape)[0]
        shape = (x.shape[0], *out_hw, x.shape[3])
        out = self._buffer(("out", shape), shape) if training else None
        windows = offsets(self.pool_size, self.strides, out_hw)
        out = self._pool(padded, windows, out, x.shape)
        if training:
            self.inputs, self.outputs, self._padded_inputs = x, out, padded
        return out

    def backward(
        self, grad_out: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """dL/dx: each output's gradient sent back to the inputs of its window."""
        self._check_backward(grad_out, self.outputs)
        if not need_input_grad:
            return None
        padded = self._padded_inputs
        grad_x = self._buffer(("dx", padded.shape), padded.shape)
        out_hw = self.outputs.shape[1:3]
        self._scatter(grad_out, grad_x, offsets(self.pool_size, self.strides, out_hw))
        if padded is self.inputs:
            return grad_x
        ((top, _), (left, _)) = self._geometry(self.inputs.shape)[1]
        h, w = self.inputs.shape[1:3]
        return grad_x[:, top : top + h, left : left + w]

    def get_config(self) -> dict[str, Any]:
        return {
            "pool_size": list(self.pool_size),
            "strides": list(self.strides),
            "padding": self.padding,
        }

    def _extra_repr(self) -> str:
        kh, kw = self.pool_size
        text = "" if (kh, kw) == (2, 2) else f"{kh if kh == kw else (kh, kw)}"
        if self.strides != self.pool_size:
            sh, sw = self.strides
            text += (", " if text else "") + f"strides={sh if sh == sw else (sh, sw)}"
        if self.padding != "valid":
            text += (", " if text else "") + f"padding={self.padding!r}"
        return text


class MaxPooling2D(_Pooling2D):
    """The largest value in each window, per channel (Keras ``MaxPooling2D``).

    Parameters
    ----------
    pool_size : int or (int, int)
        Window height and width.
    strides : int or (int, int), optional
        Step between windows; default ``pool_size`` (windows side by side).
    padding : {"valid", "same"}
        "same" pads with −∞, so padding never wins a window.

    Backward sends each output's gradient to the input that won its window; on a
    tie, to the first in row-major order (PyTorch's choice).

    Example
    -------
    >>> import numpy as np
    >>> x = np.array([[1.0, 5.0, 2.0, 0.0],
    ...               [3.0, 4.0, 7.0, 1.0]]).reshape(1, 2, 4, 1)
    >>> MaxPooling2D()(x)[0, :, :, 0]       # max(1, 5, 3, 4), max(2, 0, 7, 1)
    array([[5., 7.]])
    """

    _pad_value = -np.inf

    def _pool(self, x, windows, out, shape):
        kernels = _fused.KERNELS  # None: NumPy only (glassnet._fused)
        if kernels is not None:
            if out is None:
                out = np.empty((shape[0], *self._geometry(shape)[0], shape[3]), x.dtype)
            try:  # np.maximum over the offsets in order, a window at a time
                kernels.max_pool(x, out, *self.pool_size, *self.strides)
                return out
            except _fused.REFUSED:
                pass
        out = _first_window(x, windows, out)
        for _, _, rows, cols in windows[1:]:
            np.maximum(out, x[:, rows, cols], out=out)
        return out

    def _scatter(self, grad_out, grad_x, windows):
        x, out = self._padded_inputs, self.outputs
        kernels = _fused.KERNELS  # None: NumPy only (glassnet._fused)
        if kernels is not None:
            try:  # the passes below, one window at a time in one loop
                kernels.max_pool_backward(
                    x, out, grad_out, grad_x, *self.pool_size, *self.strides
                )
                return
            except _fused.REFUSED:
                pass
        grad_x.fill(0)
        shape = out.shape
        taken = self._bool_buffer("taken", shape)
        hit = self._bool_buffer("hit", shape)
        taken.fill(False)
        overlapping = any(
            s < k for s, k in zip(self.strides, self.pool_size, strict=True)
        )
        for _, _, rows, cols in windows:
            np.equal(x[:, rows, cols], out, out=hit)
            np.greater(hit, taken, out=hit)  # hit and not yet taken: the first max
            np.logical_or(taken, hit, out=taken)
            if overlapping:
                grad_x[:, rows, cols] += grad_out * hit
            else:  # each input in one window at most: write, don't add
                np.multiply(grad_out, hit, out=grad_x[:, rows, cols])

    def _bool_buffer(self, name: str, shape: tuple) -> np.ndarray:
        buffer = self._buffers.get((name, shape))
        if buffer is None:
            buffer = self._buffers[(name, shape)] = np.empty(shape, dtype=bool)
        return buffer


class AveragePooling2D(_Pooling2D):
    """The mean of each window, per channel (Keras ``AveragePooling2D``).

    Parameters
    ----------
    pool_size : int or (int, int)
        Window height and width.
    strides : int or (int, int), optional
        Step between windows; default ``pool_size``.
    padding : {"valid", "same"}
        With "same", a window at the border averages only the real pixels under
        it (padding is not counted, as in Keras).

    Example
    -------
    >>> import numpy as np
    >>> x = np.array([[1.0, 5.0, 2.0, 0.0],
    ...               [3.0, 4.0, 7.0, 1.0]]).reshape(1, 2, 4, 1)
    >>> AveragePooling2D()(x)[0, :, :, 0]   # (1+5+3+4)/4, (2+0+7+1)/4
    array([[3.25, 2.5 ]])
    """

    def _counts(self, shape: tuple) -> np.ndarray | float:
        """Real (unpadded) pixels under each window: kh·kw, or an (oh, ow, 1) array."""
        ((top, bottom), (left, right)) = self._geometry(shape)[1]
        if not (top or bottom or left or right):
            return float(self.pool_size[0] * self.pool_size[1])
        key = ("counts", shape[1:3])
        counts = self._counts_cache.get(key)
        if counts is None:
            h, w = shape[1:3]
            ones = np.zeros((h + top + bottom, w + left + right, 1), self.dtype)
            ones[top : top + h, left : left + w] = 1
            out_hw = self._geometry(shape)[0]
            windows = offsets(self.pool_size, self.strides, out_hw)
            counts = sum(ones[rows, cols] for _, _, rows, cols in windows)
            self._counts_cache[key] = counts
        return counts

    def _pool(self, x, windows, out, shape):
        out = _first_window(x, windows, out)
        for _, _, rows, cols in windows[1:]:
            out += x[:, rows, cols]
        counts = self._counts(shape)
        if isinstance(counts, float):
            out *= self.dtype.type(1.0 / counts)
        else:
            out /= counts
        return out

    def _scatter(self, grad_out, grad_x, windows):
        grad_x.fill(0)
        counts = self._counts(self.inputs.shape)
        if isinstance(counts, float):
            share = grad_out * self.dtype.type(1.0 / counts)
        else:
            share = grad_out / counts
        for _, _, rows, cols in windows:
            grad_x[:, rows, cols] += share


MaxPool2D = MaxPooling2D
AvgPool2D = AveragePooling2D


class GlobalAveragePooling2D(Layer):
    """The mean of each channel over the whole image: (n, h, w, c) → (n, c).

    Example
    -------
    >>> import numpy as np
    >>> x = np.arange(8.0).reshape(1, 2, 2, 2)  # channels: 0 2 4 6 and 1 3 5 7
    >>> GlobalAveragePooling2D()(x)
    array([[3., 4.]])
    """

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
            x = float_input(self, x)
        _check_images(self, (None,) + x.shape[1:])
        out = np.mean(x, axis=(1, 2))
        if training:
            self.inputs, self.outputs = x, out
        return out

    def backward(
        self, grad_out: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """dL/dx = dL/dy / (h·w) at every pixel of its channel."""
        self._check_backward(grad_out, self.outputs)
        if not need_input_grad:
            return None
        shape = self.inputs.shape
        grad_x = self._buffer(("dx", shape), shape)
        scale = self.dtype.type(1.0 / (shape[1] * shape[2]))
        np.multiply(grad_out[:, None, None, :], scale, out=grad_x)
        return grad_x

    def output_shape(self, input_shape: tuple) -> tuple:
        shape = _check_images(self, tuple(input_shape))
        return (shape[0], shape[3])
