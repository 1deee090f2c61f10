"""The Layer base class and the helpers every layer shares."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet import activations, initializers
from glassnet._validation import (
    check_dtype,
    describe,
)

__all__ = ["Layer"]


class Layer:
    """Base class of every layer.

    Subclasses set ``params``/``grads`` in :meth:`build` and implement
    :meth:`forward`, :meth:`backward` and :meth:`__call__`.

    Attributes
    ----------
    params : dict of str to ndarray
        Trainable arrays, e.g. ``{"W": (n_in, n_out), "b": (n_out,)}``; ``{}`` if none.
    grads : dict of str to ndarray
        Gradients of the loss with the same keys and shapes, overwritten by backward.
    dtype : numpy.dtype
        float32 or float64.
    input_shape : tuple or None
        The full input shape the layer is built for, batch axis ``None``
        (``(None, 784)``); None until it is known.
    keeps_shape : bool
        Class attribute: True for layers whose output has their input's shape
        (Dropout, Activation), through which a model looks for its input shape.
    """

    keeps_shape = False

    def __init__(self, dtype: Any = "float32") -> None:
        self.dtype = check_dtype(dtype)
        self.input_shape: tuple | None = None
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.inputs: np.ndarray | None = None
        self.outputs: np.ndarray | None = None
        self._buffers: dict[tuple, Any] = {}

    # -- lifecycle ---------------------------------------------------------------
    def build(
        self, rng: np.random.Generator, dtype: Any, input_shape: tuple | None = None
    ) -> None:
        """Set the dtype and the input shape, and draw new parameters from ``rng``.

        Sequential calls it with each layer's full input shape (batch axis None).

        Raises
        ------
        ValueError
            When the layer cannot take ``input_shape`` (the message names the
            layer, the shape it expects and the one received).
        """
        if input_shape is not None:
            input_shape = tuple(input_shape)
            self.output_shape(input_shape)  # refuses a shape the layer cannot take
            self.input_shape = input_shape
        self.dtype = check_dtype(dtype)
        self._buffers = {}
        self._work = None
        self.inputs = self.outputs = None
        self.reset_parameters(rng)

    def reset_parameters(self, rng: np.random.Generator) -> None:
        """Draw new parameter values from ``rng``; no-op for layers without any."""

    def _buffer(self, key: tuple, shape: tuple) -> np.ndarray:
        """A reusable work array of this layer's dtype, one per (purpose, shape)."""
        buffer = self._buffers.get(key)
        if buffer is None:
            buffer = self._buffers[key] = np.empty(shape, dtype=self.dtype)
        return buffer

    # -- computation -------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """Compute the output; with ``training=True`` cache what backward needs."""
        raise NotImplementedError

    def backward(
        self, grad_out: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """Fill ``grads`` from dL/d(output); return dL/d(input) unless told not to."""
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The predict path: ``forward(x, training=False)``, caching nothing."""
        return self.forward(x, training=False)

    # -- inspection ----------------------------------------------------------------
    def parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(param, grad)`` pairs in ``params`` order, the arrays themselves."""
        return [(self.params[key], self.grads[key]) for key in self.params]

    def regularization_loss(self) -> float:
        """The penalty this layer adds to the loss (λ·ΣW² for ``Dense(l2=λ)``)."""
        return 0.0

    def output_shape(self, input_shape: tuple) -> tuple:
        """Shape of the output for an input of ``input_shape`` (batch axis None).

        Raises ValueError, naming the layer, when it cannot take that input.
        """
        return tuple(input_shape)

    def _input_shape_error(self, expected: str, input_shape: tuple) -> ValueError:
        """The error for an input shape the layer cannot take."""
        return ValueError(
            f"{self!r} expects inputs of shape {expected}. "
            f"Received: input_shape={tuple(input_shape)}"
        )

    def n_params(self) -> int:
        """Number of trainable scalars."""
        return int(sum(p.size for p in self.params.values()))

    def get_config(self) -> dict[str, Any]:
        """JSON-able constructor arguments: ``type(self).from_config`` rebuilds it."""
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """Build a layer from :meth:`get_config`'s output."""
        return cls(**config)

    def _check_backward(self, grad_out: Any, cached: Any) -> None:
        """Refuse a backward with nothing ``cached`` by a training forward, or with
        a gradient unlike that forward's output (which would silently broadcast)."""
        if cached is None:
            raise self._not_forwarded_error()
        if np.shape(grad_out) != self.outputs.shape:
            raise self._grad_shape_error(grad_out)

    def _not_forwarded_error(self) -> RuntimeError:
        """The error for a backward before any training forward."""
        return RuntimeError(
            f"{self!r}.backward was called before a training forward: "
            "run forward(x) first (a __call__ caches nothing)."
        )

    def _grad_shape_error(self, grad_out: Any) -> ValueError:
        """The error for a backward gradient unlike the last training output."""
        return ValueError(
            f"{self!r}.backward expects dL/d(output) shaped like the output of its "
            f"last training forward, {self.outputs.shape}. "
            f"Received: shape {np.shape(grad_out)}"
        )

    def _extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._extra_repr()})"


def activation_config(act: activations.ActivationFunction) -> str | dict:
    """The activation as a config stores it: its name, or a dict with its settings."""
    config = act.get_config()
    return {"name": act.name, **config} if config else act.name


def float_input(layer: Layer, x: Any) -> np.ndarray:
    """``x`` (a list, integers, booleans) as an array of the layer's float dtype."""
    try:
        array = np.asarray(x)
        # "O": numbers NumPy keeps as objects (ints beyond 64 bits, Decimal), but
        # not None, which astype would silently turn into NaN
        numbers = array.dtype.kind in "biuf" or (
            array.dtype.kind == "O" and all(v is not None for v in array.flat)
        )
        if numbers:
            return array.astype(layer.dtype)
    except (TypeError, ValueError, OverflowError):  # ragged lists, non-numbers
        pass
    raise TypeError(
        f"{layer!r} expects numbers: a float array, or a list or array of "
        f"integers or floats. Received: {describe(x)}"
    )


def initializer_name(identifier: Any, fn: Any) -> Any:
    """The registry name of an initializer when it has one, else what was given."""
    name = getattr(fn, "__name__", None)
    if not isinstance(identifier, str) and name in initializers.names():
        return name
    return identifier
