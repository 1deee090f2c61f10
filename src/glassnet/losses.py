"""Losses: a batch's mean error, and its gradient already divided by the batch size.

Every loss has the same shape, with ``(y_true, y_pred)`` in that order (Keras,
scikit-learn)::

    value = loss.forward(y_true, y_pred)   # a float; caches what backward needs
    grad = loss.backward()                 # dL/dy_pred, same shape and dtype as y_pred
    value = loss(y_true, y_pred)           # the value alone

Before training, :meth:`Loss.prepare_targets` checks and converts the user's targets
once (finite, right length, labels in range), so the hot path does no checking.
Reductions are those of ``torch.nn.functional`` with ``reduction="mean"``.

Example
-------
>>> import numpy as np
>>> from glassnet import losses
>>> mse = losses.get("mse")
>>> mse.forward(np.array([[1.0], [0.0]]), np.array([[0.5], [0.0]]))  # (0.25 + 0) / 2
0.125
>>> mse.backward()  # 2 (y_pred - y_true) / 2
array([[-0.5],
       [ 0. ]])
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from glassnet._numerics import as_float, sigmoid, softmax
from glassnet._registry import Configurable, Registry
from glassnet._validation import check_array, check_finite_number, describe

__all__ = [
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "Loss",
    "MeanAbsoluteError",
    "MeanSquaredError",
    "get",
    "names",
]


class Loss(Configurable):
    """Base class: ``forward`` caches, ``backward`` returns dL/dy_pred for the batch.

    Equality, hash and repr come from ``get_config`` (``_registry.Configurable``).
    """

    def __init__(self) -> None:
        self._cache: Any = None
        self._weight: np.ndarray | None = None  # the last forward's sample_weight

    # -- what subclasses write -------------------------------------------------
    def _value(self, y_true: np.ndarray, y_pred: np.ndarray, cache: bool) -> float:
        raise NotImplementedError

    def _gradient(self) -> np.ndarray:
        raise NotImplementedError

    # -- the shared shape -------------------------------------------------------
    def _align(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        """Cheap shape/dtype alignment so prepared *and* raw targets both work."""
        y_pred = as_float(y_pred)
        y_true = np.asarray(y_true)
        if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
            y_true = y_true.reshape(y_pred.shape)  # (n,) targets for (n, 1) outputs
        elif y_true.shape != y_pred.shape:
            raise ValueError(
                f"y_true and y_pred must have the same shape for {self.name}. "
                f"Received: y_true with shape {y_true.shape}, y_pred with shape "
                f"{y_pred.shape}"
            )
        if y_true.dtype != y_pred.dtype:
            y_true = y_true.astype(y_pred.dtype)  # never upcast y_pred
        return y_true, y_pred

    def forward(
        self, y_true: np.ndarray, y_pred: np.ndarray, sample_weight: Any = None
    ) -> float:
        """Mean loss of the batch; caches what :meth:`backward` needs.

        Parameters
        ----------
        y_true : ndarray
            Targets, ideally from :meth:`prepare_targets`.
        y_pred : ndarray of shape (n_samples, n_outputs)
            The model's raw outputs.
        sample_weight : array_like of shape (n_samples,), optional
            Per-sample weights w: the loss becomes Σᵢ wᵢ·lᵢ / n (Keras's
            normalisation: divided by the batch size n, not by Σw), lᵢ being
            sample i's loss averaged over its outputs, and :meth:`backward`
            returns the gradient of that.

        Returns
        -------
        float
        """
        y_true, y_pred = self._align(y_true, y_pred)
        return self._weighted(y_true, y_pred, sample_weight)

    def backward(self) -> np.ndarray:
        """dL/dy_pred for the last :meth:`forward`, already divided by the batch size.

        Returns a new array of ``y_pred``'s shape and dtype.

        Raises
        ------
        RuntimeError
            If called before :meth:`forward`.
        """
        if self._cache is None:
            raise RuntimeError(
                f"{type(self).__name__}.backward was called before forward: "
                "run forward(y_true, y_pred) first (a __call__ caches nothing)."
            )
        grad = self._gradient()
        if self._weight is not None:
            # each row of the mean's gradient is sample i's, over n: times wᵢ
            grad *= self._weight.reshape((-1,) + (1,) * (grad.ndim - 1))
        return grad

    def _weighted(self, y_true, y_pred, sample_weight) -> float:
        """The (cached) value, weighted when ``sample_weight`` is given."""
        value = self._value(y_true, y_pred, cache=True)
        if sample_weight is None:
            self._weight = None
            return value
        n = y_pred.shape[0] if y_pred.ndim > 1 else y_pred.size
        weight = check_array(sample_weight, "sample_weight", ndim=1)
        if weight.shape[0] != n or (weight < 0).any():
            raise ValueError(
                f"sample_weight must hold {n} non-negative weights, one per sample "
                f"of the batch. Received: sample_weight with shape {weight.shape}"
                f" and minimum {weight.min().item()!r}"
            )
        self._weight = weight.astype(y_pred.dtype, copy=False)
        per_sample = self._per_sample(y_true, y_pred).reshape(n, -1).mean(axis=1)
        return float(np.dot(weight, per_sample)) / n

    def _per_sample(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        """Each element's (or, for a whole-row loss, each row's) loss."""
        raise NotImplementedError

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        """The mean loss alone; caches nothing."""
        return self._value(*self._align(y_true, y_pred), cache=False)

    def output_transform(self, y_pred: np.ndarray) -> np.ndarray:
        """Map raw model outputs to what a user reads as predictions (identity here)."""
        return np.asarray(y_pred)

    def prepare_targets(
        self, y: Any, n_outputs: int, dtype: Any, n_samples: int | None = None
    ) -> np.ndarray:
        """Check the user's targets once and convert them for training.

        Parameters
        ----------
        y : array_like of shape (n_samples,) or (n_samples, n_outputs)
            Targets as the user gave them.
        n_outputs : int
            Width of the model's output layer.
        dtype : str or numpy.dtype
            The model's float dtype; float targets are cast to it.
        n_samples : int, optional
            Number of rows of X, to check that ``y`` has one target per sample.

        Returns
        -------
        ndarray
            Regression targets as ``(n_samples, n_outputs)`` arrays of ``dtype``
            (1-D targets of a 1-output model become a column).

        Raises
        ------
        TypeError
            For non-numeric targets (strings, objects).
        ValueError
            For NaN/inf, no samples, the wrong length or the wrong width.
        """
        y = _checked(y, n_samples)
        if y.ndim == 1 and n_outputs == 1:
            y = y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != n_outputs:
            raise ValueError(
                f"y must have shape (n_samples, {n_outputs}) for a model with "
                f"{n_outputs} output(s). Received: y with shape {y.shape}"
            )
        return y.astype(dtype, copy=False)


def _checked(y: Any, n_samples: int | None) -> np.ndarray:
    """Numbers, finite, 1-D or 2-D, non-empty, and one row per sample of X."""
    y = check_array(y, "y", ndim=(1, 2))
    if n_samples is not None and y.shape[0] != n_samples:
        raise ValueError(
            f"y must have one target per sample of X ({n_samples} samples). "
            f"Received: y with {y.shape[0]} rows (shape {y.shape})"
        )
    return y


class MeanSquaredError(Loss):
    """L = mean((y_pred − y_true)²) over all elements; ∂L/∂y_pred = 2(y_pred − y_true)/N

    N is the number of elements (PyTorch's ``mse_loss``), which is the batch size
    for one output.

    Example
    -------
    >>> MeanSquaredError()(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))  # 1/2
    0.5
    """

    name = "mse"

    def _value(self, y_true, y_pred, cache):
        diff = np.subtract(y_pred, y_true)
        if cache:
            self._cache = diff
        if not diff.size:
            return float("nan")  # what np.mean of nothing gives, without its warning
        # Σ diff² as one dot product: one BLAS call, no squared temporary
        return float(np.vdot(diff, diff)) / diff.size

    def _gradient(self):
        diff = self._cache
        return diff * diff.dtype.type(2.0 / diff.size)

    def _per_sample(self, y_true, y_pred):
        return np.square(y_pred - y_true)


class MeanAbsoluteError(Loss):
    """L = mean(|y_pred − y_true|); ∂L/∂y_pred = sign(y_pred − y_true)/N (0 at a tie).

    Example
    -------
    >>> MeanAbsoluteError()(np.array([[1.0], [3.0]]), np.array([[0.0], [4.0]]))
    1.0
    """

    name = "mae"

    def _value(self, y_true, y_pred, cache):
        diff = np.subtract(y_pred, y_true)
        if cache:
            self._cache = diff
        return float(np.mean(np.abs(diff)))

    def _gradient(self):
        diff = self._cache
        grad = np.sign(diff)
        grad *= diff.dtype.type(1.0 / diff.size)
        return grad

    def _per_sample(self, y_true, y_pred):
        return np.abs(y_pred - y_true)


class BinaryCrossentropy(Loss):
    """L = −mean(y log p + (1 − y) log(1 − p)) over every element.

    Parameters
    ----------
    from_logits : bool, default False
        False: ``y_pred`` holds probabilities p (a sigmoid output), clipped to
        [ε, 1 − ε] like Keras, and ∂L/∂p = (p − y) / (p(1 − p)) / N, evaluated at
        the clipped p so that a saturated sigmoid still gets a gradient.
        True: ``y_pred`` holds logits z, L uses max(z, 0) − zy + log(1 + e^−|z|)
        (no overflow, no clipping) and ∂L/∂z = (σ(z) − y) / N.
    epsilon : float, default 1e-7
        The clipping margin for probabilities (Keras' ``epsilon()``).

    Example
    -------
    >>> bce = BinaryCrossentropy()
    >>> round(bce(np.array([[1.0], [0.0]]), np.array([[0.5], [0.5]])), 6)  # log 2
    0.693147
    """

    name = "binary_crossentropy"

    def __init__(self, from_logits: bool = False, epsilon: float = 1e-7) -> None:
        super().__init__()
        if not isinstance(from_logits, (bool, np.bool_)):
            raise TypeError(
                f"from_logits must be True or False. "
                f"Received: from_logits={describe(from_logits)}"
            )
        self.from_logits = bool(from_logits)
        epsilon = check_finite_number(
            epsilon, "epsilon", minimum=0.0, maximum=0.5, strict_minimum=True
        )
        self.epsilon = float(epsilon)

    def _elementwise(self, y_true, y_pred):
        """Each element's loss, and what backward needs."""
        if self.from_logits:
            # log(1 + e^z) − zy, with log(1 + e^z) = max(z, 0) + log1p(e^−|z|)
            elementwise = np.log1p(np.exp(-np.abs(y_pred)))
            elementwise += np.maximum(y_pred, 0)
            elementwise -= y_pred * y_true
            return elementwise, (y_true, y_pred)
        eps = y_pred.dtype.type(self.epsilon)
        p = np.clip(y_pred, eps, 1 - eps)
        q = np.subtract(1, p)
        elementwise = y_true * np.log(p)
        elementwise += (1 - y_true) * np.log(q)
        np.negative(elementwise, out=elementwise)
        return elementwise, (y_true, p, q)

    def _value(self, y_true, y_pred, cache):
        elementwise, saved = self._elementwise(y_true, y_pred)
        if cache:
            self._cache = saved
        return float(np.mean(elementwise))

    def _per_sample(self, y_true, y_pred):
        return self._elementwise(y_true, y_pred)[0]

    def _gradient(self):
        if self.from_logits:
            y_true, z = self._cache
            grad = sigmoid(z)
            grad -= y_true
        else:
            y_true, p, q = self._cache
            grad = p - y_true
            grad /= p * q
        grad *= grad.dtype.type(1.0 / grad.size)
        return grad

    def output_transform(self, y_pred: np.ndarray) -> np.ndarray:
        """Probabilities: σ(logits) when ``from_logits``, else ``y_pred`` unchanged."""
        y_pred = as_float(y_pred)
        return sigmoid(y_pred) if self.from_logits else y_pred

    def prepare_targets(self, y, n_outputs, dtype, n_samples=None):
        """As :meth:`Loss.prepare_targets`, and every target must lie in [0, 1]."""
        y = super().prepare_targets(y, n_outputs, dtype, n_samples)
        outside = (y < 0) | (y > 1)
        if outside.any():
            row, column = (int(i) for i in np.argwhere(outside)[0])
            value = y[row, column].item()
            raise ValueError(
                "binary_crossentropy targets must be in [0, 1] (0/1 labels or "
                f"probabilities). Received: y[{row}, {column}]={value!r}"
            )
        return y

    def get_config(self) -> dict[str, Any]:
        return {"from_logits": self.from_logits, "epsilon": self.epsilon}


class _CrossentropyBuffers(NamedTuple):
    """A training step's work arrays for one (n, k) batch of logits."""

    shifted: np.ndarray  # (n, k): z − max z, then its exp, then the softmax
    row: np.ndarray  # (n, 1): the row maxima, then the row sums of exp
    offsets: np.ndarray  # (n,): i·k, where row i starts in the flat logits
    flat: np.ndarray  # (n,): i·k + yᵢ, the flat index of each row's label
    columns: np.ndarray  # (k, n): the logits transposed
    ones: np.ndarray  # (k, 1): sums a row as a matrix product

    @classmethod
    def allocate(cls, y_pred: np.ndarray) -> _CrossentropyBuffers:
        n, k = y_pred.shape
        return cls(
            shifted=np.empty_like(y_pred),
            row=np.empty((n, 1), y_pred.dtype),
            offsets=np.arange(n) * k,
            flat=np.empty(n, np.int64),
            columns=np.empty((k, n), y_pred.dtype),
            ones=np.ones((k, 1), y_pred.dtype),
        )


class _CrossentropyCache(NamedTuple):
    """What backward needs from the last training forward."""

    y_true: np.ndarray  # labels (n,) or target rows (n, k)
    probs: np.ndarray  # the softmax of the logits
    labels: bool  # whether y_true holds labels
    flat: np.ndarray | None  # the flat index of each row's label


class CategoricalCrossentropy(Loss):
    """Softmax and cross-entropy fused, on logits: L = −mean over samples of log pₖ.

    log p = z − max z − log Σ exp(z − max z) (a stable log-softmax), summed over
    classes against the targets and averaged over samples (PyTorch's
    ``cross_entropy``). ∂L/∂z = (softmax(z) − onehot) / n. Targets are integer
    labels of shape (n,) — the fast path: no one-hot array is ever built — or
    one-hot / probability rows of shape (n, k).

    Use it with a *linear* output layer; :meth:`output_transform` gives the
    probabilities. ``"sparse_categorical_crossentropy"`` is the same loss.

    Example
    -------
    >>> cce = CategoricalCrossentropy()
    >>> round(cce(np.array([0, 1]), np.zeros((2, 3))), 6)  # log 3 for uniform logits
    1.098612
    """

    name = "categorical_crossentropy"

    def __init__(self) -> None:
        super().__init__()
        self._work: _CrossentropyBuffers | None = None

    def _value(self, y_true, y_pred, cache):
        if y_pred.ndim != 2:
            raise ValueError(
                "categorical_crossentropy needs logits of shape (n_samples, "
                f"n_classes). Received: y_pred with shape {y_pred.shape}"
            )
        n, k = y_pred.shape
        labels = y_true.ndim == 1 or (y_true.shape[1] == 1 and k > 1)
        if labels:
            y_true = y_true.reshape(-1)
            if y_true.dtype.kind != "i":
                y_true = y_true.astype(np.int64)
        # a training step works in buffers kept per batch shape (the cache points
        # into them; the next forward overwrites both); the value alone allocates
        work = self._work if cache else None
        if cache and (
            work is None
            or work.shifted.shape != y_pred.shape
            or work.shifted.dtype != y_pred.dtype
        ):
            work = self._work = _CrossentropyBuffers.allocate(y_pred)

        # 1. shift each row by its maximum: z − max z ≤ 0, so exp never overflows
        if work is not None:
            # the max down the columns of a transposed copy: NumPy reduces along
            # a short last axis (k classes) slowly
            np.copyto(work.columns, y_pred.T)
            work.columns.max(axis=0, out=work.row.reshape(n))
            shifted = np.subtract(y_pred, work.row, out=work.shifted)
        else:
            shifted = y_pred - np.max(y_pred, axis=1, keepdims=True)

        # 2. each row's target logit: picked = Σₖ yₖ·shiftedₖ (one gather for labels)
        flat = None
        if labels:
            if work is not None:
                flat = np.add(work.offsets, y_true, out=work.flat)
            else:
                flat = np.arange(n) * k + y_true
            picked = shifted.take(flat)
        else:
            picked = np.einsum("ij,ij->i", shifted, y_true)

        # 3. each row's Σ exp(shifted), as a product with a ones column in training
        exps = np.exp(shifted, out=shifted)
        if work is not None:
            sums = np.dot(exps, work.ones, out=work.row)
        else:
            sums = exps.sum(axis=1, keepdims=True)

        # 4. −Σₖ yₖ log pₖ = (Σₖ yₖ)·log Σ exp − picked; Σₖ yₖ = 1 for labels
        losses = np.log(sums).reshape(n)
        if not labels:
            losses *= np.sum(y_true, axis=1)
        losses -= picked
        value = float(losses.sum()) / n if n else float("nan")

        # 5. keep the softmax (in the exps buffer) for backward
        if cache:
            exps /= sums
            self._cache = _CrossentropyCache(y_true, exps, labels, flat)
        return value

    def _gradient(self):
        y_true, probs, labels, flat = self._cache
        n = probs.shape[0]
        scale = probs.dtype.type(1.0 / n)
        if labels:
            # (softmax − onehot) / n: subtract 1/n at each row's label, in place
            grad = probs * scale
            flat_grad = grad.reshape(-1)  # a view: grad is contiguous
            flat_grad[flat] -= scale
        else:
            # d/dz of −Σ y log softmax(z) is softmax·Σy − y (= softmax − y for one-hot)
            grad = probs * np.sum(y_true, axis=1, keepdims=True)
            grad -= y_true
            grad *= scale
        return grad

    def forward(
        self, y_true: np.ndarray, y_pred: np.ndarray, sample_weight: Any = None
    ) -> float:
        return self._weighted(*self._align_labels(y_true, y_pred), sample_weight)

    def _per_sample(self, y_true, y_pred):
        """−Σₖ yₖ log softmax(z)ₖ for each row (the value's sum, before ÷ n)."""
        shifted = y_pred - np.max(y_pred, axis=1, keepdims=True)
        log_sums = np.log(np.exp(shifted).sum(axis=1))
        if y_true.ndim == 1 or (y_true.shape[1] == 1 and y_pred.shape[1] > 1):
            labels = y_true.reshape(-1).astype(np.int64, copy=False)
            return log_sums - shifted[np.arange(len(labels)), labels]
        return log_sums * y_true.sum(axis=1) - np.einsum("ij,ij->i", shifted, y_true)

    def __call__(self, y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return self._value(*self._align_labels(y_true, y_pred), cache=False)

    def _align_labels(self, y_true, y_pred):
        y_pred = as_float(y_pred)
        y_true = np.asarray(y_true)
        if y_true.ndim == 2 and y_true.shape[1] > 1 and y_true.dtype != y_pred.dtype:
            y_true = y_true.astype(y_pred.dtype)
        return y_true, y_pred

    def output_transform(self, y_pred: np.ndarray) -> np.ndarray:
        """Class probabilities: the softmax of the logits (last axis)."""
        return softmax(as_float(y_pred))

    def prepare_targets(self, y, n_outputs, dtype, n_samples=None):
        """Check labels or one-hot rows once; integer labels stay int64 and 1-D.

        Integer labels (also as integral floats, or a column of shape (n, 1)) must
        lie in [0, n_outputs). One-hot or probability rows must have n_outputs
        columns, be non-negative and sum to 1.

        Example
        -------
        >>> CategoricalCrossentropy().prepare_targets([2, 0], 3, "float32")
        array([2, 0])
        """
        y = _checked(y, n_samples)
        if n_outputs < 2:
            raise ValueError(
                "categorical_crossentropy needs a model with at least 2 outputs "
                f"(one logit per class). Received: n_outputs={n_outputs}; for two "
                "classes with one output use 'binary_crossentropy_from_logits'"
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.reshape(-1)
        if y.ndim == 1:
            return _checked_labels(y, n_outputs)
        if y.shape[1] != n_outputs:
            raise ValueError(
                f"y must be integer labels of shape (n_samples,) or one-hot rows of "
                f"shape (n_samples, {n_outputs}) for {n_outputs} outputs. "
                f"Received: y with shape {y.shape}"
            )
        y = y.astype(dtype, copy=False)
        sums = np.sum(y, axis=1, dtype=np.float64)
        bad = np.flatnonzero((np.min(y, axis=1) < 0) | (np.abs(sums - 1) > 1e-3))
        if bad.size:
            row = int(bad[0])
            raise ValueError(
                "one-hot targets must be non-negative and each row must sum to 1. "
                f"Received: y[{row}]={y[row]!r} (sum {sums[row]:g})"
            )
        return y


def _checked_labels(y: np.ndarray, n_outputs: int) -> np.ndarray:
    """Integer class labels in [0, n_outputs), returned as int64."""
    rule = f"labels must be integers in [0, {n_outputs}) for {n_outputs} outputs"
    if y.dtype.kind == "f":
        fractional = np.flatnonzero(y != np.round(y))
        if fractional.size:
            i = int(fractional[0])
            raise ValueError(f"{rule}. Received: {y[i].item()!r} (y[{i}])")
    outside = np.flatnonzero((y < 0) | (y >= n_outputs))
    if outside.size:
        i = int(outside[0])
        value = y[i].item()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        raise ValueError(f"{rule}. Received: {value!r} (y[{i}])")
    return y.astype(np.int64, copy=False)


# ---------------------------------------------------------------- registry

_REGISTRY = Registry(
    "loss",
    {
        "mse": MeanSquaredError,
        "mean_squared_error": MeanSquaredError,
        "mae": MeanAbsoluteError,
        "mean_absolute_error": MeanAbsoluteError,
        "binary_crossentropy": BinaryCrossentropy,
        "binary_crossentropy_from_logits": (
            lambda **config: BinaryCrossentropy(**{"from_logits": True, **config})
        ),
        "categorical_crossentropy": CategoricalCrossentropy,
        "sparse_categorical_crossentropy": CategoricalCrossentropy,
    },
    accepts="a name, a {'name': ...} dict or a Loss object",
    base=Loss,
)


def names() -> list[str]:
    """The accepted loss names, aliases included, sorted.

    Example
    -------
    >>> "categorical_crossentropy" in names()
    True
    """
    return _REGISTRY.names()


def get(identifier: str | dict | Loss) -> Loss:
    """Resolve a name, a config dict or an instance to a NEW loss object.

    Parameters
    ----------
    identifier : str, dict or Loss
        A registry name (``"mse"``), ``{"name": "binary_crossentropy",
        "from_logits": True}``, or a loss (a fresh copy with its configuration).

    Raises
    ------
    ValueError
        For an unknown name, listing the valid ones.
    TypeError
        For anything else.

    Example
    -------
    >>> get("binary_crossentropy_from_logits")
    BinaryCrossentropy(from_logits=True, epsilon=1e-07)
    """
    return _REGISTRY.get(identifier)
