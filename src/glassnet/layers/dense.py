"""Dense: a fully connected layer, y = f(x @ W + b)."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from glassnet import activations, initializers
from glassnet._validation import (
    check_finite_number,
    check_positive_int,
    check_seed,
    describe,
)
from glassnet.layers.base import (
    Layer,
    activation_config,
    initializer_name,
)

__all__ = ["Dense"]


class _StepBuffers(NamedTuple):
    """What a training step writes into, allocated once per input shape."""

    out: np.ndarray  # y = f(x @ W + b), the layer's output
    dz: np.ndarray | None  # dL/dz (None for a linear layer: there dL/dz is dL/dy)
    dx: np.ndarray  # dL/dx, what backward returns
    ones: np.ndarray  # one 1 per row of x: Σ over the rows as one BLAS product


class Dense(Layer):
    """A fully connected layer: y = f(x @ W + b).

    ``Dense(units)`` (Keras's form) infers its input size when it is built;
    ``Dense(n_in, n_out)`` fixes both. On inputs of more than two dimensions it
    works on the last axis, as Keras's ``Dense`` does.

    Parameters
    ----------
    n_in : int, optional
        Number of input features (the last dimension of ``x``). Given alone, it
        is the number of units instead: ``Dense(16)`` is ``Dense(units=16)``.
    n_out : int, optional
        Number of neurons (Keras' ``units``).
    activation : str, dict, ActivationFunction or None
        The activation f; None (or ``"linear"``) leaves the output linear (logits).
    weight_init, bias_init : str
        Initializer names (see :mod:`glassnet.initializers`).
    use_bias : bool
        Whether to add ``b``.
    l2 : float
        L2 penalty λ: the loss gains λ·ΣW², and ``grads["W"]`` gains 2λW.
    seed : int, optional
        Seed for the initial parameters of a layer used on its own; inside a
        :class:`~glassnet.network.Sequential` the model's seed decides.
    dtype : {"float32", "float64"}
        Parameter dtype (Sequential sets its own).
    units : int, optional
        Keras's name for ``n_out``, as a keyword.

    Attributes
    ----------
    params, grads : dict
        ``"W"`` of shape (n_in, n_out) and ``"b"`` of shape (n_out,); empty until
        the input size is known.
    inputs, outputs : ndarray
        The input and the activation's output of the last training forward.

    Raises
    ------
    ValueError
        At build or forward, when the input's last dimension is not ``n_in``.

    Example
    -------
    >>> import numpy as np
    >>> layer = Dense(2, 1, seed=0, dtype="float64")
    >>> layer.params["W"][:] = [[1.0], [2.0]]
    >>> layer(np.array([[3.0, 4.0]]))  # 3·1 + 4·2 + 0
    array([[11.]])
    >>> Dense(16, activation="relu").output_shape((None, 5, 3))  # the last axis
    (None, 5, 16)
    """

    def __init__(
        self,
        n_in: int | None = None,
        n_out: int | None = None,
        activation: Any = None,
        weight_init: str = "glorot_uniform",
        bias_init: str = "zeros",
        use_bias: bool = True,
        l2: float = 0.0,
        seed: int | None = None,
        dtype: Any = "float32",
        *,
        units: int | None = None,
    ) -> None:
        super().__init__(dtype)
        n_in, n_out = _sizes(n_in, n_out, units, activation)
        self.n_out = check_positive_int(n_out, "n_out")
        # None until build infers it from the input shape (Dense(units))
        self.n_in = None if n_in is None else check_positive_int(n_in, "n_in")
        self._n_in_given = n_in is not None
        if n_in is not None:
            self.input_shape = (None, self.n_in)
        self.activation = activations.get(activation)
        # the hot path skips a linear activation altogether
        self._act = None if self.activation.name == "linear" else self.activation
        self._weight_fn = initializers.get(weight_init)
        self._bias_fn = initializers.get(bias_init)
        # configs store names: a registered function given directly is stored by name
        self.weight_init = initializer_name(weight_init, self._weight_fn)
        self.bias_init = initializer_name(bias_init, self._bias_fn)
        if not isinstance(use_bias, bool):
            raise TypeError(
                "use_bias must be True or False. "
                f"Received: use_bias={describe(use_bias)}"
            )
        self.use_bias = use_bias
        self.l2 = check_finite_number(l2, "l2", minimum=0.0)
        self.seed = check_seed(seed)
        self._work: _StepBuffers | None = None  # those of the last training forward
        self._b: np.ndarray | None = None  # params["b"] and its (1, n_out) view
        self._b_row: np.ndarray | None = None
        self.reset_parameters(np.random.default_rng(seed))

    def reset_parameters(self, rng: np.random.Generator) -> None:
        """Draw W (and b) from the initializers, in place when the arrays exist.

        Example
        -------
        >>> import numpy as np
        >>> layer = Dense(2, 2, weight_init="zeros")
        >>> W = layer.params["W"]
        >>> layer.reset_parameters(np.random.default_rng(0))
        >>> layer.params["W"] is W
        True
        """
        if self.n_in is None:  # not built yet: nothing to draw
            return
        values = {"W": self._weight_fn(self.n_in, self.n_out, rng)}
        if self.use_bias:
            values["b"] = np.reshape(self._bias_fn(1, self.n_out, rng), self.n_out)
        for key, value in values.items():
            param = self.params.get(key)
            if param is None or param.dtype != self.dtype or param.shape != value.shape:
                self.params[key] = value.astype(self.dtype)
                self.grads[key] = np.zeros(value.shape, dtype=self.dtype)
            else:
                param[...] = value  # keep the array objects optimizers may hold
                self.grads[key].fill(0)

    def build(
        self, rng: np.random.Generator, dtype: Any, input_shape: tuple | None = None
    ) -> None:
        """As :meth:`Layer.build`; ``Dense(units)`` takes ``n_in`` from the shape."""
        if input_shape is not None and not self._n_in_given:
            self.output_shape(input_shape)  # refuses a shape without a feature axis
            self.n_in = input_shape[-1]
        super().build(rng, dtype, input_shape)

    def __getstate__(self) -> dict[str, Any]:
        """State for copy/pickle, without the (1, n_out) view of ``b``.

        A deep copy turns that view into an array of its own while ``_b`` still
        names the copied ``b``, so forward would keep adding the old bias after
        ``b`` changes in place (gradcheck perturbs it exactly so). Dropped here,
        the copy makes its own view on its first forward.
        """
        state = self.__dict__.copy()
        state["_b"] = state["_b_row"] = None
        return state

    def _build_for(self, x: np.ndarray) -> None:
        """Build a layer used on its own from its first input (``seed`` decides)."""
        shape = np.shape(x)
        input_shape = (None,) + shape[1:] if len(shape) > 1 else (None,) + shape
        self.build(np.random.default_rng(self.seed), self.dtype, input_shape)

    def _shape_error(self, x: np.ndarray) -> ValueError:
        return ValueError(
            f"Dense({self.n_in}, {self.n_out}) expects inputs with {self.n_in} "
            f"features (last dimension). Received: shape {np.shape(x)}"
        )

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """Compute f(x @ W + b); with ``training=True`` cache ``inputs``/``outputs``.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_in)
            Inputs (any leading dimensions work; a 1-D ``x`` is one sample).
        training : bool
            False runs the predict path (a new array, nothing cached).

        Returns
        -------
        ndarray of shape (n_samples, n_out)
        """
        if not training:
            if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
                x = np.asarray(x, dtype=self.dtype)
            W = self.params.get("W")
            if W is None:  # Dense(units) used on its own: built by its first input
                self._build_for(x)
                W = self.params["W"]
            try:
                # np.dot on 2-D: the same BLAS call and bits as matmul, with less
                # overhead (a one-row predict is mostly overhead)
                z = (np.dot if x.ndim == 2 else np.matmul)(x, W)
            except ValueError:
                raise self._shape_error(x) from None
            # z is a new array of our own: add the bias and apply f in place
            act = self._act
            if self.use_bias:
                if act is not None:
                    return act.apply_biased(z, self.params["b"])
                z += self.params["b"]
            return z if act is None else act._apply(z, z)
        try:
            work = self._buffers.get(x.shape)
        except AttributeError:  # a list: convert once (arrays skip this)
            x = np.asarray(x, dtype=self.dtype)
            work = self._buffers.get(x.shape)
        if work is None:
            work = self._new_buffers(x)
        out = work.out
        # 1. z = x @ W, into the output buffer
        try:
            # np.dot: far less overhead than matmul on small arrays, same BLAS call;
            # not on 3+ dimensions, where it is a loop of its own whose sums differ
            # from matmul's (predict's) in the last bits
            (np.dot if x.ndim < 3 else np.matmul)(x, self.params["W"], out=out)
        except ValueError:  # x of another dtype (or not 2-D): the general path
            np.matmul(x, self.params["W"], out=out)
        # 2. y = f(z + b), in place; the activation caches y (the buffer itself)
        act = self._act
        if self.use_bias:
            b = self.params["b"]
            if b is not self._b:  # a 2-D view adds faster than broadcasting 1-D
                self._b, self._b_row = b, b.reshape(1, -1)
            bias = self._b_row if out.ndim > 1 else b
            if act is not None:
                act.forward_biased(out, bias)
            else:
                np.add(out, bias, out=out)
        elif act is not None:
            act.forward(out, out=out)
        # 3. what backward needs: x, y and the buffers
        self.inputs = x
        self.outputs = out
        self._work = work
        return out

    def _new_buffers(self, x: np.ndarray) -> _StepBuffers:
        """The step buffers for inputs of ``x``'s shape (kept for the next step)."""
        shape = x.shape
        if self.n_in is None:  # Dense(units) used on its own: built by its first input
            self._build_for(x)
        if not shape or shape[-1] != self.n_in:
            raise self._shape_error(x)
        if len(self._buffers) >= 4:  # fit uses two shapes; don't hoard odd sizes
            self._buffers.clear()
        out_shape = shape[:-1] + (self.n_out,)
        rows = math.prod(shape[:-1])
        work = self._buffers[shape] = _StepBuffers(
            out=np.empty(out_shape, self.dtype),
            dz=None if self._act is None else np.empty(out_shape, self.dtype),
            dx=np.empty(shape, self.dtype),
            ones=np.ones(rows, self.dtype),
        )
        return work

    def backward(
        self, grad_out: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """Overwrite ``grads`` with dL/dW, dL/db and return dL/dx.

        With z = x @ W + b and y = f(z): dL/dz = f'(z) ⊙ dL/dy, dL/dW = xᵀ · dL/dz,
        dL/db = Σ_samples dL/dz, dL/dx = dL/dz · Wᵀ.

        Parameters
        ----------
        grad_out : ndarray of shape (n_samples, n_out)
            dL/dy, already divided by the batch size by the loss.
        need_input_grad : bool
            False skips dL/dx (the first layer of a network never needs it).
        """
        work = self._work
        if work is None:
            raise self._not_forwarded_error()
        x = self.inputs
        # 1. dL/dz = f'(z) ⊙ dL/dy, from the activation's cached output
        if self._act is not None:
            dz = work.dz
            if grad_out.shape != dz.shape:
                dz = np.empty(grad_out.shape, self.dtype)
            self._act.backward(grad_out, out=dz)
        else:
            dz = grad_out
        W = self.params["W"]
        grads = self.grads
        if x.ndim != 2:  # one sample, or extra leading dimensions: rows
            x = x.reshape(-1, self.n_in)
            dz = dz.reshape(-1, self.n_out)
        # 2. dL/dW = xᵀ · dL/dz
        try:
            np.dot(x.T, dz, out=grads["W"])
        except ValueError:  # mixed dtypes: the general (casting) path
            np.matmul(x.T, dz, out=grads["W"])
        # 3. dL/db = Σ_rows dL/dz, as a product with a ones vector (one BLAS
        # call, where dz.sum(axis=0) is a slow reduction along a short axis)
        if self.use_bias:
            ones = work.ones
            if len(ones) != len(dz):
                ones = np.ones(len(dz), self.dtype)
            try:
                np.dot(ones, dz, out=grads["b"])
            except ValueError:
                np.matmul(ones, dz, out=grads["b"])
        # 4. the L2 penalty's gradient, 2λW
        if self.l2:
            penalty = self._buffer(("l2",), W.shape)
            np.multiply(W, self.dtype.type(2.0 * self.l2), out=penalty)
            grads["W"] += penalty
        if not need_input_grad:
            return None
        # 5. dL/dx = dL/dz · Wᵀ
        dx = work.dx
        try:
            np.dot(dz, W.T, out=dx if dx.ndim == 2 else dx.reshape(-1, self.n_in))
        except ValueError:
            np.matmul(dz, W.T, out=dx.reshape(-1, self.n_in))
        return dx

    def regularization_loss(self) -> float:
        """λ·ΣW² (0.0 without ``l2``)."""
        if not self.l2:
            return 0.0
        W = self.params["W"]
        return self.l2 * float(np.vdot(W, W))

    def output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        n_in = self.n_in if self._n_in_given else None
        if len(shape) < 2 or shape[-1] is None or n_in not in (None, shape[-1]):
            features = "n_features" if n_in is None else n_in
            expected = (
                f"(None, {features})"
                if len(shape) <= 2
                else (f"(None, ..., {features})")
            )
            raise self._input_shape_error(expected, shape)
        return shape[:-1] + (self.n_out,)

    def get_config(self) -> dict[str, Any]:
        return {
            "n_in": self.n_in if self._n_in_given else None,
            "n_out": self.n_out,
            "activation": activation_config(self.activation),
            "weight_init": self.weight_init,
            "bias_init": self.bias_init,
            "use_bias": self.use_bias,
            "l2": self.l2,
        }

    def _extra_repr(self) -> str:
        text = f"{self.n_in}, {self.n_out}" if self._n_in_given else f"{self.n_out}"
        if self._act is not None:
            text += f", activation={activation_config(self.activation)!r}"
        if not self.use_bias:
            text += ", use_bias=False"
        if self.l2:
            text += f", l2={self.l2:g}"
        return text


def _sizes(n_in: Any, n_out: Any, units: Any, activation: Any) -> tuple[Any, Any]:
    """(n_in, n_out) from ``Dense(n_in, n_out)``, ``Dense(units)`` or ``units=``."""
    if isinstance(n_out, str) and activation is None:
        raise TypeError(
            "Dense's second argument is n_out, the number of units: Dense(n_in, "
            "n_out) or Dense(units). For an activation write "
            f"Dense({n_in!r}, activation={n_out!r}). Received: n_out={n_out!r}"
        )
    if units is not None:
        if n_out is not None:
            raise TypeError(
                "Dense takes n_out or units (the same thing), not both. "
                f"Received: n_out={n_out!r}, units={units!r}"
            )
        return n_in, units
    if n_out is None:
        if n_in is None:
            raise TypeError(
                "Dense needs its number of units: Dense(units) or Dense(n_in, "
                "n_out). Received: neither"
            )
        return None, n_in  # Dense(16): 16 units, the input size comes at build
    return n_in, n_out
