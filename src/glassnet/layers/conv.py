"""Conv2D: a 2-D convolution over channels-last images, y = f(x ⋆ W + b)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from glassnet import _fused, activations, initializers
from glassnet._validation import check_finite_number, check_positive_int, describe
from glassnet.layers.base import (
    Layer,
    activation_config,
    float_input,
    initializer_name,
)
from glassnet.layers.windows import (
    as_pair,
    check_padding,
    geometry,
    offsets,
)

__all__ = ["Conv2D"]

# the predict path im2cols this many bytes of windows at most at a time: a whole
# test set at once would need n·oh·ow·kh·kw·c floats (1.4 GB for MNIST's second
# convolution on 10,000 images)
_PREDICT_BYTES = 1 << 25
# a kernel's initial draw of at most this many values is (fan_in, fan_out), then
# sliced; above it only W's columns are drawn (initializers' ``columns=``)
_FULL_DRAW = 1 << 24
_COLUMNS = frozenset(initializers.get(name) for name in initializers.names())
# backward goes through this many bytes of cols, dL/dz and dL/dcols at a time
# (a few images): the L2 caches of two cores
_BACKWARD_BYTES = 1 << 22


def _product(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``a @ b`` into ``out``: np.dot (one plain BLAS call), matmul for mixed dtypes.

    matmul took up to 4× longer than dot here on the transposed operands of
    backward (OpenBLAS, 2 threads), and a batched matmul over the kernel offsets
    fell back to NumPy's own slow loop.
    """
    try:
        return np.dot(a, b, out=out)
    except ValueError:  # another dtype (a float64 gradient into float32): casts
        return np.matmul(a, b, out=out)


class _Work(NamedTuple):
    """What a training forward keeps for backward, one set per input shape."""

    padded: np.ndarray | None  # the zero-bordered input ("same"), else None
    cols: np.ndarray  # (n·oh·ow, kh·kw·c): every window as a row (im2col)
    out: np.ndarray  # (n·oh·ow, filters): the output, rows are pixels
    dz: np.ndarray | None  # dL/d(pre-activation) when there is an activation
    ones: np.ndarray  # (n·oh·ow,): Σ over pixels as one product, for dL/db
    part_W: np.ndarray  # (kh·kw·c, filters): one piece of dL/dW in backward
    part_b: np.ndarray  # (filters,): one piece of dL/db
    grad_cols: list  # [dL/dcols (a piece's rows, kh·kw·c), dL/d(padded x)]


class Conv2D(Layer):
    """A 2-D convolution: every output pixel is a neuron looking at a small window.

    For an input ``x`` of shape (n, height, width, channels), output pixel (r, c) of
    filter f is the article's neuron applied to the window under it:

        y[:, r, c, f] = f( Σ_{i, j, k} x[:, r·s_h + i, c·s_w + j, k] · W[i, j, k, f]
                           + b[f] )

    (with "same" padding, ``x`` is first bordered with zeros). The same weights
    slide over the whole image, so a filter finds its pattern wherever it is.

    Parameters
    ----------
    filters : int
        Number of filters (output channels).
    kernel_size : int or (int, int)
        Window height and width.
    strides : int or (int, int)
        Step between windows.
    padding : {"valid", "same"}
        "valid": whole windows only, the image shrinks by kernel − 1; "same": zeros
        around the image so the output has ⌈size / stride⌉ pixels per axis (an odd
        amount of padding puts the extra row/column at the bottom/right, as Keras).
    activation : str, dict, ActivationFunction or None
        The activation f; None leaves the output linear.
    use_bias : bool
        Whether to add ``b``.
    weight_init, bias_init : str
        Initializer names; Glorot's fans are kh·kw·channels and kh·kw·filters, as
        in Keras.
    l2 : float
        L2 penalty λ: the loss gains λ·ΣW², and ``grads["W"]`` gains 2λW.
    seed : int, optional
        Seed for a layer used on its own; inside a Sequential the model's seed decides.
    dtype : {"float32", "float64"}
        Parameter dtype (Sequential sets its own).

    Attributes
    ----------
    params, grads : dict
        ``"W"`` of shape (kh, kw, in_channels, filters), ``"b"`` of shape (filters,).
        ``in_channels`` comes from the first input (or the model's input shape).
    inputs, outputs : ndarray
        The input and output of the last training forward.

    Raises
    ------
    ValueError
        At build or forward, for an input that is not 4-D (n, h, w, c), whose
        channel count differs from the one the layer was built for, or that is
        smaller than the kernel with "valid" padding.

    Example
    -------
    One output pixel by hand, as the article computes one neuron: a 3×3 one-channel
    image, one 2×2 filter. Pixel (0, 0) sees the window [[1, 2], [0, 1]]:

    >>> import numpy as np
    >>> layer = Conv2D(1, 2, dtype="float64")
    >>> x = np.array([[1.0, 2.0, 0.0],
    ...               [0.0, 1.0, 3.0],
    ...               [2.0, 1.0, 1.0]]).reshape(1, 3, 3, 1)   # (n, h, w, c)
    >>> y = layer(x)                                         # builds: W is (2, 2, 1, 1)
    >>> layer.params["W"][:, :, 0, 0] = [[1.0, 0.0],
    ...                                  [-1.0, 2.0]]
    >>> layer.params["b"][:] = 0.5
    >>> by_hand = 1*1 + 2*0 + 0*(-1) + 1*2 + 0.5   # window · filter + bias
    >>> by_hand
    3.5
    >>> y = layer(x)
    >>> y.shape                                      # 3 − 2 + 1 = 2 pixels each way
    (1, 2, 2, 1)
    >>> float(y[0, 0, 0, 0]) == by_hand
    True
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int],
        strides: int | tuple[int, int] = 1,
        padding: str = "valid",
        activation: Any = None,
        use_bias: bool = True,
        weight_init: str = "glorot_uniform",
        bias_init: str = "zeros",
        l2: float = 0.0,
        seed: int | None = None,
        dtype: Any = "float32",
    ) -> None:
        super().__init__(dtype)
        self.filters = check_positive_int(filters, "filters")
        self.kernel_size = as_pair(kernel_size, "kernel_size")
        self.strides = as_pair(strides, "strides")
        self.padding = check_padding(padding)
        self.activation = activations.get(activation)
        self._act = None if self.activation.name == "linear" else self.activation
        if not isinstance(use_bias, bool):
            raise TypeError(
                "use_bias must be True or False. "
                f"Received: use_bias={describe(use_bias)}"
            )
        self.use_bias = use_bias
        self._weight_fn = initializers.get(weight_init)
        self._bias_fn = initializers.get(bias_init)
        self.weight_init = initializer_name(weight_init, self._weight_fn)
        self.bias_init = initializer_name(bias_init, self._bias_fn)
        self.l2 = check_finite_number(l2, "l2", minimum=0.0)
        self.seed = seed
        self.in_channels: int | None = None  # known at build, or the first input
        self._work: _Work | None = None

    # -- building ---------------------------------------------------------------
    def build(
        self, rng: np.random.Generator, dtype: Any, input_shape: tuple | None = None
    ) -> None:
        """Set the dtype; with ``input_shape`` (None = any batch) draw W and b.

        Without a shape the parameters are drawn at the first forward, from ``rng``.
        """
        if input_shape is not None:
            shape = tuple(input_shape)
            if len(shape) == 4:  # else output_shape (in super().build) refuses it
                self.in_channels = shape[-1]
        self._rng = rng
        super().build(rng, dtype, input_shape)

    def reset_parameters(self, rng: np.random.Generator) -> None:
        """Draw W (and b) from the initializers, in place when the arrays exist.

        The initializers give (fan_in, fan_out) matrices; a kernel has fan_in =
        kh·kw·channels and fan_out = kh·kw·filters (Keras), so W is the first
        ``filters`` columns of such a draw, whose elements are independent. A draw
        of more than ``_FULL_DRAW`` values (kh·kw times W: 5 GB for a 7×7 kernel
        from 512 channels to 512) asks a built-in initializer for those columns
        alone (``columns=filters``, the same distribution from other draws of
        ``rng``).
        """
        if self.in_channels is None:
            return  # the first forward builds
        kh, kw = self.kernel_size
        fan_in, fan_out = kh * kw * self.in_channels, kh * kw * self.filters
        if fan_in * fan_out <= _FULL_DRAW or self._weight_fn not in _COLUMNS:
            W = self._weight_fn(fan_in, fan_out, rng)[:, : self.filters]
        else:  # only the columns W needs: the full draw would be kh·kw times W
            W = self._weight_fn(fan_in, fan_out, rng, columns=self.filters)
        values = {"W": W.reshape(kh, kw, self.in_channels, self.filters)}
        if self.use_bias:
            values["b"] = np.reshape(self._bias_fn(1, self.filters, rng), -1)
        for key, value in values.items():
            param = self.params.get(key)
            if param is None or param.dtype != self.dtype or param.shape != value.shape:
                self.params[key] = value.astype(self.dtype)
                self.grads[key] = np.zeros(value.shape, dtype=self.dtype)
            else:
                param[...] = value  # keep the array objects optimizers may hold
                self.grads[key].fill(0)

    def _check_shape(self, shape: tuple) -> tuple:
        """``shape`` if this layer can take it, else the ValueError naming all three."""
        kh, kw = self.kernel_size
        if len(shape) != 4:
            raise ValueError(
                f"{self!r} expects 4-D input (batch, height, width, channels): "
                "images channels-last (reshape flat rows, e.g. 784 pixels to "
                f"(28, 28, 1)). Received: input shape {shape}"
            )
        if self.in_channels is not None and shape[-1] != self.in_channels:
            raise ValueError(
                f"{self!r} was built for {self.in_channels} input channels "
                f"(last axis), expected shape (None, height, width, "
                f"{self.in_channels}). Received: input shape {shape}"
            )
        h, w = shape[1], shape[2]
        if self.padding == "valid" and (
            (h is not None and h < kh) or (w is not None and w < kw)
        ):
            raise ValueError(
                f"{self!r} with padding='valid' needs images of at least "
                f"{kh}×{kw} pixels (the kernel), expected shape (None, ≥{kh}, "
                f"≥{kw}, channels). Received: input shape {shape}"
            )
        return shape

    def _build_from(self, x: np.ndarray) -> None:
        """Infer the channels from a first input and draw the parameters."""
        self.in_channels = self._check_shape((None,) + tuple(x.shape[1:]))[-1]
        rng = getattr(self, "_rng", None) or np.random.default_rng(self.seed)
        self.reset_parameters(rng)

    # -- computation -------------------------------------------------------------
    def _geometry(self, shape: tuple) -> tuple:
        """(out_h, out_w), ((top, bottom), (left, right)) for an input shape."""
        return geometry(shape, self.kernel_size, self.strides, self.padding)

    def _im2col(self, x: np.ndarray, padded: np.ndarray | None, cols: np.ndarray):
        """Copy every window of ``x`` into a row of ``cols`` (kh·kw copies in all).

        Row (sample, r, c) of ``cols`` holds the window under output pixel (r, c)
        in (i, j, channel) order, the order of ``W.reshape(-1, filters)``'s rows,
        so the whole convolution is one matrix product ``cols @ W``.
        """
        n, h, w, c = x.shape
        if padded is not None:
            (top, _), (left, _) = self._geometry(x.shape)[1]
            padded[:, top : top + h, left : left + w] = x  # the border stays 0
            x = padded
        (kh, kw), (sh, sw) = self.kernel_size, self.strides
        kernels = _fused.KERNELS  # None: NumPy only (glassnet._fused)
        if kernels is not None:
            try:  # the copies below, one sample at a time in one loop
                kernels.im2col(x, cols, kh, kw, sh, sw)
                return
            except _fused.REFUSED:
                pass
        out_h, out_w = self._geometry((n, h, w))[0]
        windows = cols.reshape(n, out_h, out_w, kh, kw, c)
        for i, j, rows, columns in offsets(
            self.kernel_size, self.strides, (out_h, out_w)
        ):
            windows[:, :, :, i, j, :] = x[:, rows, columns, :]

    def _new_work(self, shape: tuple) -> _Work:
        if len(self._buffers) >= 4:  # fit uses two shapes; don't hoard odd sizes
            self._buffers.clear()
        (out_h, out_w), ((top, bottom), (left, right)) = self._geometry(shape)
        n, h, w, c = shape
        kh, kw = self.kernel_size
        padded = None
        if top or bottom or left or right:
            padded = np.zeros((n, h + top + bottom, w + left + right, c), self.dtype)
        rows = n * out_h * out_w
        work = _Work(
            padded=padded,
            cols=np.empty((rows, kh * kw * c), self.dtype),
            out=np.empty((rows, self.filters), self.dtype),
            dz=None
            if self._act is None
            else np.empty((rows, self.filters), self.dtype),
            ones=np.ones(rows, self.dtype),
            part_W=np.empty((kh * kw * c, self.filters), self.dtype),
            part_b=np.empty(self.filters, self.dtype),
            grad_cols=[],
        )
        self._buffers[shape] = work
        return work

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """Compute f(x ⋆ W + b); with ``training=True`` cache for backward.

        Parameters
        ----------
        x : ndarray of shape (n, height, width, in_channels)
            Images, channels last.
        training : bool
            False runs the predict path (a new array, nothing cached).

        Returns
        -------
        ndarray of shape (n, out_height, out_width, filters)
        """
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
            x = float_input(self, x)
        if self.in_channels is None or not self.params:
            self._build_from(x)
        work = self._buffers.get(x.shape) if training else None
        if work is None:
            self._check_shape((None,) + x.shape[1:])
            if not training:
                return self._predict(x)
            work = self._new_work(x.shape)
        self._im2col(x, work.padded, work.cols)
        out = work.out
        W = self.params["W"].reshape(-1, self.filters)
        _product(work.cols, W, out)
        if self.use_bias:
            bias = self.params["b"].reshape(1, -1)
            if self._act is not None:
                self._act.forward_biased(out, bias)  # f(out + b) in place, cached
            else:
                np.add(out, bias, out=out)
        elif self._act is not None:
            self._act.forward(out, out=out)
        self.inputs = x
        self.outputs = out.reshape(x.shape[0], *self._geometry(x.shape)[0], -1)
        self._work = work
        return self.outputs

    def _predict(self, x: np.ndarray) -> np.ndarray:
        """The forward without caches, in slices of samples to bound the memory."""
        n, h, w, c = x.shape
        (out_h, out_w), ((top, bottom), (left, right)) = self._geometry(x.shape)
        kh, kw = self.kernel_size
        result = np.empty((n, out_h, out_w, self.filters), self.dtype)
        per_sample = out_h * out_w * kh * kw * c * self.dtype.itemsize
        step = max(1, _PREDICT_BYTES // max(per_sample, 1))
        W = self.params["W"].reshape(-1, self.filters)
        for start in range(0, n, step):
            part = x[start : start + step]
            m = len(part)
            padded = None
            if top or bottom or left or right:
                padded = np.zeros(
                    (m, h + top + bottom, w + left + right, c), self.dtype
                )
            cols = np.empty((m * out_h * out_w, kh * kw * c), self.dtype)
            self._im2col(part, padded, cols)
            z = result[start : start + m].reshape(-1, self.filters)
            _product(cols, W, z)
            act = self._act
            if self.use_bias and act is not None:
                act.apply_biased(z, self.params["b"])  # in place (ReLU: one loop)
            elif self.use_bias:
                z += self.params["b"]
            elif act is not None:
                act._apply(z, z)
        return result

    def backward(
        self, grad_out: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """Overwrite ``grads`` with dL/dW, dL/db and return dL/dx.

        With the windows as rows of ``cols`` (im2col) the layer is a Dense layer
        on them: dL/dz = f'(z) ⊙ dL/dy, dL/dW = colsᵀ · dL/dz, dL/db = Σ dL/dz,
        dL/dcols = dL/dz · Wᵀ. Each input pixel sits in several windows, so
        dL/dx adds dL/dcols back at every place it was copied from (col2im: one
        strided addition per kernel offset).
        """
        work = self._work
        self._check_backward(grad_out, work)
        grad = np.reshape(grad_out, work.out.shape)
        W = self.params["W"]
        K = W.shape[0] * W.shape[1] * W.shape[2]
        W2 = W.reshape(K, self.filters)
        dW = self.grads["W"].reshape(K, self.filters)
        n, h, w, c = self.inputs.shape
        (out_h, out_w), ((top, _), (left, _)) = self._geometry(self.inputs.shape)
        pixels = out_h * out_w
        # a few images at a time, so that dL/dz and dL/dcols stay in the CPU's
        # cache between the passes that write and read them (12 % of an MNIST
        # epoch); the parts of dL/dW and dL/db are added up in image order
        per_image = pixels * (K + self.filters + (K if need_input_grad else 0))
        step = min(n, max(1, _BACKWARD_BYTES // (per_image * self.dtype.itemsize)))
        if need_input_grad:
            grad_cols, grad_x = self._grad_buffers(work, step * pixels)
        for start in range(0, n, step):
            stop = min(start + step, n)
            rows = slice(start * pixels, stop * pixels)
            if self._act is None:
                dz = grad[rows]
            else:
                dz = self._act.backward_rows(grad[rows], rows, out=work.dz[rows])
            if start == 0:
                _product(work.cols[rows].T, dz, dW)
                if self.use_bias:  # Σ over pixels as one product with ones
                    _product(work.ones[rows], dz, self.grads["b"])
            else:
                dW += _product(work.cols[rows].T, dz, work.part_W)
                if self.use_bias:
                    self.grads["b"] += _product(work.ones[rows], dz, work.part_b)
            if need_input_grad:
                # dL/dcols = dL/dz · Wᵀ, one product: row (sample, r, c) is the
                # gradient of the window under output pixel (r, c), in im2col's
                # (i, j, channel) order; col2im adds it back into the images
                part = grad_cols[: (stop - start) * pixels]
                _product(dz, W2.T, part)
                self._col2im(part, grad_x[start:stop], (stop - start, out_h, out_w, c))
        if self.l2:
            self.grads["W"] += self.dtype.type(2.0 * self.l2) * W
        if not need_input_grad:
            return None
        if work.padded is None:
            return grad_x
        return grad_x[:, top : top + h, left : left + w]  # drop the zero border

    def _grad_buffers(self, work: _Work, rows: int) -> tuple:
        """(dL/dcols for ``rows`` rows, dL/d(padded x)): made at the first backward."""
        if not work.grad_cols or len(work.grad_cols[0]) < rows:
            work.grad_cols.clear()
            shape = self.inputs.shape if work.padded is None else work.padded.shape
            work.grad_cols.extend(
                [
                    np.empty((rows, work.cols.shape[1]), self.dtype),
                    np.empty(shape, self.dtype),
                ]
            )
        return tuple(work.grad_cols)

    def _col2im(self, grad_cols: np.ndarray, grad_x: np.ndarray, shape: tuple) -> None:
        """dL/dx: each window's gradient added back where im2col copied it from.

        ``grad_cols`` is (n·oh·ow, kh·kw·c); ``grad_x`` the (padded) input's shape.
        Every input pixel gets its windows' contributions in kernel-offset order
        (0 + offset 0 + offset 1 + ...), in both paths.
        """
        kernels = _fused.KERNELS  # None: NumPy only (glassnet._fused)
        if kernels is not None:
            try:  # the same additions in the same order, a sample at a time
                kernels.col2im(grad_cols, grad_x, *self.kernel_size, *self.strides)
                return
            except _fused.REFUSED:
                pass
        n, out_h, out_w, c = shape
        kh, kw = self.kernel_size
        # offset-major, so that each offset's block is contiguous: the additions
        # then read memory in order (5× faster than adding strided columns)
        blocks = grad_cols.reshape(n * out_h * out_w, kh * kw, c).transpose(1, 0, 2)
        blocks = np.ascontiguousarray(blocks)
        grad_x.fill(0)
        windows = offsets(self.kernel_size, self.strides, (out_h, out_w))
        for k, (_, _, rows, columns) in enumerate(windows):
            grad_x[:, rows, columns, :] += blocks[k].reshape(shape)

    # -- inspection ----------------------------------------------------------------
    def regularization_loss(self) -> float:
        """λ·ΣW² (0.0 without ``l2``)."""
        if not self.l2 or "W" not in self.params:
            return 0.0
        W = self.params["W"]
        return self.l2 * float(np.vdot(W, W))

    def output_shape(self, input_shape: tuple) -> tuple:
        shape = self._check_shape(tuple(input_shape))
        out_h, out_w = self._geometry(shape)[0]
        return (shape[0], out_h, out_w, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "activation": activation_config(self.activation),
            "use_bias": self.use_bias,
            "weight_init": self.weight_init,
            "bias_init": self.bias_init,
            "l2": self.l2,
        }

    def _extra_repr(self) -> str:
        kh, kw = self.kernel_size
        text = f"{self.filters}, {kh if kh == kw else (kh, kw)}"
        if self.strides != (1, 1):
            sh, sw = self.strides
            text += f", strides={sh if sh == sw else (sh, sw)}"
        if self.padding != "valid":
            text += f", padding={self.padding!r}"
        if self._act is not None:
            text += f", activation={activation_config(self.activation)!r}"
        if not self.use_bias:
            text += ", use_bias=False"
        if self.l2:
            text += f", l2={self.l2:g}"
        return text
