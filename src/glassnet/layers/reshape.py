"""Flatten and Reshape: new shapes for the same numbers, without parameters.

Both change only how each sample's values are laid out (NumPy views, no copy for a
contiguous input); backward gives the gradient back the input's shape. The batch
axis is never touched.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from glassnet._validation import describe
from glassnet.layers.base import Layer, float_input

__all__ = ["Flatten", "Reshape"]


class _Relayout(Layer):
    """What Flatten and Reshape share: the forward cache and backward's reshape."""

    def _new_shape(self, shape: tuple) -> tuple:
        raise NotImplementedError

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """Each sample of ``x`` in the new shape; with ``training=True`` cache it.

        ``x`` may be a list or an integer array: it is converted to the layer's
        dtype first (a float array is used as it is).
        """
        if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
            x = float_input(self, x)
        if x.ndim < 1:
            raise self._input_shape_error("(n_samples, ...)", x.shape)
        out = x.reshape(self._new_shape(x.shape))
        if training:
            self.inputs = x
            self.outputs = out
        return out

    def backward(
        self, grad_out: np.ndarray, need_input_grad: bool = True
    ) -> np.ndarray | None:
        """dL/dx: dL/dy in the input's shape (the same numbers)."""
        if not need_input_grad:
            return None
        self._check_backward(grad_out, self.inputs)
        return grad_out.reshape(self.inputs.shape)


class Flatten(_Relayout):
    """Flatten each sample to one axis: ``(n, d1, d2, ...)`` → ``(n, d1·d2·…)``.

    The values keep their order (C order, the last axis fastest), as in Keras's
    ``Flatten``; put it between image layers and Dense layers.

    Example
    -------
    >>> import numpy as np
    >>> layer = Flatten()
    >>> layer.output_shape((None, 28, 28, 1))
    (None, 784)
    >>> layer(np.arange(8.0).reshape(2, 2, 2))
    array([[0., 1., 2., 3.],
           [4., 5., 6., 7.]])
    """

    def output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        if len(shape) < 1:
            raise self._input_shape_error("(None, ...)", shape)
        rest = shape[1:]
        return (shape[0], None if None in rest else math.prod(rest))

    def _new_shape(self, shape: tuple) -> tuple:
        return (shape[0], math.prod(shape[1:]))


class Reshape(_Relayout):
    """Give each sample the shape ``target_shape`` (the batch axis stays).

    Parameters
    ----------
    target_shape : tuple of int
        The shape of one sample; one entry may be -1, computed from the others
        (Keras's ``Reshape``). The number of values must not change.

    Raises
    ------
    TypeError, ValueError
        For a ``target_shape`` that is not a tuple of positive integers (one -1
        allowed); at build or forward, for an input whose samples do not hold
        as many values.

    Example
    -------
    >>> import numpy as np
    >>> layer = Reshape((2, -1))
    >>> layer.output_shape((None, 6))
    (None, 2, 3)
    >>> layer(np.arange(6.0).reshape(1, 6))
    array([[[0., 1., 2.],
            [3., 4., 5.]]])
    """

    def __init__(self, target_shape: Any, dtype: Any = "float32") -> None:
        super().__init__(dtype)
        self.target_shape = _checked_target(target_shape)

    def output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        target = self.target_shape
        known = math.prod(d for d in target if d != -1)
        rest = shape[1:]
        size = None if len(shape) < 1 or None in rest else math.prod(rest)
        if len(shape) >= 1 and size is None and -1 in target:
            return (shape[0], *(None if d == -1 else d for d in target))
        fits = size is not None and (
            size % known == 0 if -1 in target else size == known
        )
        if not fits:
            values = f"a multiple of {known}" if -1 in target else str(known)
            raise self._input_shape_error(
                f"(None, ...) with {values} values per sample", shape
            )
        return (shape[0], *(size // known if d == -1 else d for d in target))

    def _new_shape(self, shape: tuple) -> tuple:
        return self.output_shape((shape[0], *shape[1:]))

    def get_config(self) -> dict[str, Any]:
        return {"target_shape": list(self.target_shape)}

    def _extra_repr(self) -> str:
        return repr(self.target_shape)


def _checked_target(target_shape: Any) -> tuple[int, ...]:
    """``target_shape`` as a tuple of ints >= 1 with at most one -1."""
    rule = (
        "target_shape must be a tuple of integers >= 1 (one of them may be -1). "
        f"Received: target_shape={describe(target_shape)}"
    )
    if isinstance(target_shape, (int, np.integer)) and not isinstance(
        target_shape, bool
    ):
        target_shape = (target_shape,)
    if not isinstance(target_shape, (tuple, list)) or not target_shape:
        raise TypeError(rule)
    target = []
    for d in target_shape:
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError(rule)
        if d < 1 and d != -1:
            raise ValueError(rule)
        target.append(int(d))
    if target.count(-1) > 1:
        raise ValueError(rule)
    return tuple(target)
