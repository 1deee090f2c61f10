"""Sequential: a stack of layers that trains with minibatch gradient descent.

The same maths as :mod:`glassnet.article`, for any number of layers and samples at
once: forward runs the layers in order, the loss gives dL/d(output), backward runs
the layers in reverse and fills every ``layer.grads``, and the optimizer moves each
parameter against its gradient. Everything stays inspectable: ``model.layers[i]``
holds ``params``, ``grads``, ``inputs`` and ``outputs`` of the last training step.

Training is fast because the loop does only array work: ``fit`` checks and casts
the data once, draws one permutation per epoch, gathers each batch into a reused
buffer, and the layers compute into buffers of their own. That loop lives in
:mod:`glassnet._training`.

Example
-------
>>> import numpy as np
>>> import glassnet as gn
>>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
>>> y = np.array([0, 1, 1, 0])
>>> model = gn.Sequential([gn.Dense(2, 8, activation="tanh"),
...                        gn.Dense(8, 1, activation="sigmoid")], seed=0)
>>> model.compile(loss="binary_crossentropy", optimizer=gn.optimizers.Adam(0.05),
...               metrics=["accuracy"])
>>> history = model.fit(X, y, epochs=300, batch_size=4)
>>> model.evaluate(X, y)["accuracy"]
1.0
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from glassnet import _training, losses, optimizers
from glassnet._validation import (
    _all_finite,
    check_array,
    check_dtype,
    check_positive_int,
    check_probability,
    check_seed,
    describe,
)
from glassnet.errors import NotReadyError
from glassnet.layers import Layer
from glassnet.notebook import Summary, model_html

__all__ = ["Sequential"]

_PREDICT_CHUNK = 8192  # rows per predict/evaluate pass at most: bounds the memory used
# ... and at most this many bytes in the largest layer output of one pass: a CNN's
# first convolution holds 86 kB per MNIST image, so 8,192 images would page-fault
# through 700 MB on every predict; passes of ~100 images stay in cache (3-5× faster)
_PREDICT_BYTES = 8 << 20


class Sequential:
    """A linear stack of layers.

    Parameters
    ----------
    layers : sequence of Layer, optional
        The layers, first to last. Each is built with the model's generator and
        dtype, so the model's ``seed`` decides every initial weight.
    seed : int, optional
        Seed of ``model.rng``, the one generator behind the initial weights, the
        shuffling and the dropout masks: the same seed and data give bit-identical
        training.
    dtype : {"float32", "float64"}
        float32 (default) is fast; float64 is for exactness (gradient checks, the
        article's numbers).
    input_shape : tuple of int, optional
        The shape of one sample, without the batch axis (Keras's ``input_shape``):
        ``(28, 28, 1)`` for MNIST images. Without it, the model takes its input
        shape from a first layer that states one (``Dense(n_in, n_out)`` states
        ``(None, n_in)``), else from the first input it sees.

    Attributes
    ----------
    layers : list of Layer
    input_shape, output_shape : tuple or None
        Full shapes with the batch axis None (``(None, 28, 28, 1)``); None until
        the model is built.
    loss, optimizer : set by :meth:`compile`
    metrics : list
        The metric identifiers given to :meth:`compile` (e.g. ``["accuracy"]``).
    history : History or None
        What the last :meth:`fit` returned.
    epoch : int
        Epochs trained so far (``fit(..., initial_epoch=model.epoch)`` resumes).
    preprocessing : data.Standardizer or None
        Applied to ``X`` inside ``fit``, ``evaluate`` and ``predict``.
    classes_ : ndarray or None
        Class labels, when the targets were labels mapped to 0..k-1.
    stop_training : bool
        A callback sets it to end ``fit`` after the current epoch.

    Example
    -------
    >>> import glassnet as gn
    >>> model = gn.Sequential([gn.Dense(2, 2, activation="sigmoid"),
    ...                        gn.Dense(2, 1, activation="sigmoid")], seed=0)
    >>> model
    Sequential([Dense(2, 2, activation='sigmoid'), Dense(2, 1, activation='sigmoid')])
    >>> model.predict([2.0, 3.0]).shape  # one sample in, one output out
    (1,)
    >>> images = gn.Sequential([gn.Flatten(), gn.Dense(16, activation="relu"),
    ...                         gn.Dense(10)], input_shape=(28, 28, 1))
    >>> images.output_shape
    (None, 10)
    """

    def __init__(
        self,
        layers: Iterable[Layer] | None = None,
        *,
        seed: int | None = None,
        dtype: Any = "float32",
        input_shape: Sequence[int | None] | None = None,
    ) -> None:
        self.dtype = check_dtype(dtype)
        self._input_shape: tuple | None = None
        if input_shape is not None:
            self._input_shape = (None, *_sample_shape(input_shape))
        self._output_shapes: list[tuple] = []  # of the layers built so far, in order
        self.seed = check_seed(seed)
        self.rng = np.random.default_rng(seed)
        self.layers: list[Layer] = []
        self.loss: losses.Loss | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.metrics: list[Any] = []
        self._metric_fns: list[tuple[str, Any]] | None = []  # None: until built
        self._flat: tuple[np.ndarray, np.ndarray] | None = None
        self.history: Any = None
        self.epoch = 0
        self.preprocessing: Any = None
        self.classes_: np.ndarray | None = None
        self.metadata: dict[str, Any] = {}
        self.stop_training = False
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ structure
    def add(self, layer: Layer) -> None:
        """Append ``layer``; build it with the model's generator once its input
        shape is known.

        Raises
        ------
        TypeError
            When ``layer`` is not a Layer.
        ValueError
            When ``layer`` cannot take the output shape of the layer before it
            (the message names both shapes), or is already in the model.
        """
        if not isinstance(layer, Layer):
            raise TypeError(
                f"layer must be a glassnet Layer (Dense, Dropout, Activation, "
                f"Flatten, Reshape, ...). Received: layer={describe(layer)}"
            )
        for i, present in enumerate(self.layers):
            if present is layer:
                raise ValueError(
                    f"{layer!r} is already layer {i} of this model: a layer can "
                    "appear once (its parameters and gradients are its own). "
                    "Received: the same layer object again"
                )
        self.layers.append(layer)
        try:
            self._build_pending(self._input_shape)
        except ValueError:
            self.layers.pop()
            raise

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Build every layer for inputs of ``input_shape`` (batch axis first).

        ``fit``, ``predict`` and ``evaluate`` call it with their first input's
        shape; call it yourself to see shapes and parameters before that.

        Parameters
        ----------
        input_shape : tuple
            The full input shape, batch axis included (None or any size):
            ``(None, 28, 28, 1)``.

        Raises
        ------
        ValueError
            For a shape a layer cannot take (naming the layer and both shapes),
            or one unlike the shape the model is already built for.

        Example
        -------
        >>> import glassnet as gn
        >>> model = gn.Sequential([gn.Dense(8, activation="relu"), gn.Dense(1)])
        >>> model.build((None, 3))
        >>> model.layers[0].params["W"].shape
        (3, 8)
        """
        if not isinstance(input_shape, Sequence) or isinstance(input_shape, str):
            raise TypeError(
                "input_shape must be a tuple with the batch axis first, such as "
                f"(None, 28, 28, 1). Received: input_shape={describe(input_shape)}"
            )
        shape = (None, *_sample_shape(input_shape[1:], "input_shape[1:]"))
        if self._input_shape is not None and not _fits(shape, self._input_shape):
            raise ValueError(
                f"this model is built for inputs of shape {self._input_shape}. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        self._build_pending(shape)

    def _build_pending(self, input_shape: tuple | None) -> None:
        """Build the layers not built yet, once the shape before them is known.

        The shapes are checked first, through every pending layer's
        ``output_shape``, so a layer that does not fit changes nothing.
        """
        start = len(self._output_shapes)
        if start == len(self.layers):
            return
        shape = self._output_shapes[-1] if start else input_shape
        if shape is None:
            shape = self._implied_input_shape()
            if shape is None:
                return  # built by the first input (or build / input_shape=)
        shapes = []
        for i in range(start, len(self.layers)):
            layer = self.layers[i]
            try:
                output_shape = layer.output_shape(shape)
            except ValueError as error:
                before = (
                    f"the output of the layer before it, {self.layers[i - 1]!r}"
                    if i
                    else "the model's input"
                )
                raise ValueError(f"layer {i} does not fit {before}: {error}") from None
            shapes.append((shape, output_shape))
            shape = output_shape
        if start == 0:
            self._input_shape = shapes[0][0]
        for layer, (layer_input, layer_output) in zip(
            self.layers[start:], shapes, strict=True
        ):
            layer.build(self.rng, self.dtype, layer_input)
            self._output_shapes.append(layer_output)
        self._flatten()
        if self._metric_fns is None and self.loss is not None:
            self._metric_fns = self._metric_functions(self.metrics, self.loss)

    def _implied_input_shape(self) -> tuple | None:
        """The input shape the first layers state (``Dense(n_in, n_out)``), or None."""
        for layer in self.layers:
            if layer.input_shape is not None:
                return layer.input_shape
            if not layer.keeps_shape:
                return None
        return None

    @property
    def input_shape(self) -> tuple | None:
        """The full input shape, batch axis None (``(None, 784)``), once known."""
        return self._input_shape

    @property
    def output_shape(self) -> tuple | None:
        """The last layer's output shape once the model is built, else None."""
        if not self.built:
            return None
        return self._output_shapes[-1] if self.layers else self._input_shape

    @property
    def built(self) -> bool:
        """Whether every layer is built (the input shape is known)."""
        return self._input_shape is not None and len(self._output_shapes) == len(
            self.layers
        )

    def _flatten(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Make every parameter (and gradient) a view into one flat array.

        The optimizer then updates the whole model in one pass per formula instead
        of one pass per array, which is most of a step's cost for tiny networks.
        ``layer.params``/``layer.grads`` keep their keys, shapes and values, and
        stay the same objects from then on. Returns the one flat
        ``(params, grads)`` pair that ``fit`` gives the optimizer; re-links (keeping
        the values) if a user has put a new array into a ``params`` dict.
        """
        pairs = self.parameters()
        if not pairs:
            return []
        flat = getattr(self, "_flat", None)
        if (
            flat is not None
            and sum(p.size for p, _ in pairs) == flat[0].size
            and all(p.base is flat[0] and g.base is flat[1] for p, g in pairs)
        ):
            return [flat]
        total = sum(p.size for p, _ in pairs)
        flat = (np.empty(total, self.dtype), np.zeros(total, self.dtype))
        offset = 0
        for layer in self.layers:
            for key in layer.params:
                param, grad = layer.params[key], layer.grads[key]
                end = offset + param.size
                view = flat[0][offset:end].reshape(param.shape)
                view[...] = param
                grad_view = flat[1][offset:end].reshape(param.shape)
                grad_view[...] = grad
                layer.params[key], layer.grads[key] = view, grad_view
                offset = end
        self._flat = flat
        return [flat]

    def _n_outputs(self) -> int | None:
        """The output width (the last axis of the output shape), once built."""
        shape = self.output_shape
        return None if shape is None else shape[-1]

    def parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every ``(param, grad)`` pair, layer by layer (the optimizer's order)."""
        return [pair for layer in self.layers for pair in layer.parameters()]

    def summary(self, print_fn: Callable[[str], Any] | None = None) -> Summary:
        """A table of the layers, their output shapes and parameter counts.

        The text comes back as a :class:`glassnet.notebook.Summary`, a ``str``
        whose repr is the table itself: ``model.summary()`` alone in a notebook
        cell or at the prompt shows the table, as Keras's does, and
        ``print(model.summary())`` prints it anywhere.

        Parameters
        ----------
        print_fn : callable, optional
            Called with each line of the table (Keras's argument), e.g.
            ``print`` or a logger's ``info``. The library itself never prints.

        Returns
        -------
        glassnet.notebook.Summary

        Example
        -------
        >>> import glassnet as gn
        >>> print(gn.Sequential([gn.Dense(784, 32, activation="relu"),
        ...                      gn.Dense(32, 10)]).summary())
        Layer                               Output shape   Params
        ---------------------------------------------------------
        Dense(784, 32, activation='relu')   (None, 32)     25,120
        Dense(32, 10)                       (None, 10)        330
        ---------------------------------------------------------
        Total params: 25,450 (float32)
        >>> print(gn.Sequential([gn.Flatten(), gn.Dense(10)],
        ...                     input_shape=(28, 28, 1)).summary())
        Layer       Output shape   Params
        ---------------------------------
        Flatten()   (None, 784)         0
        Dense(10)   (None, 10)      7,850
        ---------------------------------
        Total params: 7,850 (float32)

        Before the input shape is known, the shapes show as "?" and a last line
        says how the model gets built.
        """
        rows = []
        for i, layer in enumerate(self.layers):
            built = i < len(self._output_shapes)
            shape = str(self._output_shapes[i]) if built else "?"
            rows.append((repr(layer), shape, f"{layer.n_params():,}"))
        total = f"{sum(layer.n_params() for layer in self.layers):,}"
        width = max([len("Layer")] + [len(r[0]) for r in rows]) + 3
        shape_width = max([len("Output shape")] + [len(r[1]) for r in rows]) + 3
        count_width = max([len("Params")] + [len(r[2]) for r in rows])
        line = "-" * (width + shape_width + count_width)
        header = f"{'Layer':<{width}}{'Output shape':<{shape_width}}"
        lines = [header + f"{'Params':>{count_width}}", line]
        lines += [
            f"{a:<{width}}{b:<{shape_width}}{c:>{count_width}}" for a, b, c in rows
        ]
        lines += [line, f"Total params: {total} ({self.dtype.name})"]
        if not self.built:
            lines.append(
                "Not built yet: the input shape comes from the first input "
                "(or Sequential(..., input_shape=...) or model.build(...))"
            )
        if print_fn is not None:
            for text in lines:
                print_fn(text)
        return Summary("\n".join(lines))

    def __repr__(self) -> str:
        return f"Sequential([{', '.join(repr(layer) for layer in self.layers)}])"

    def _repr_html_(self) -> str:
        """What a notebook shows: the summary table and a drawing of the network."""
        return model_html(self, [self._input_shape, *self._output_shapes])

    # ---------------------------------------------------------------- computation
    def forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        """Run every layer's forward on ``X`` (no checks, no preprocessing).

        With ``training=True`` each layer caches its ``inputs``/``outputs`` for
        :meth:`backward`; the returned array is a buffer the last layer reuses.
        """
        out = np.asarray(X)
        for layer in self.layers:
            out = layer.forward(out, training)
        return out

    def backward(
        self, grad_out: np.ndarray, need_input_grad: bool = False
    ) -> np.ndarray | None:
        """Backpropagate dL/d(output) through every layer, filling their ``grads``.

        Returns dL/dX when ``need_input_grad`` is True (the first layer skips that
        product otherwise).
        """
        grad = grad_out
        for layer in self.layers[:0:-1]:
            grad = layer.backward(grad)
        if self.layers:
            grad = self.layers[0].backward(grad, need_input_grad)
        return grad

    def _check_X(self, X: Any, name: str = "X", one_sample: bool = False) -> np.ndarray:
        """Validate, preprocess and cast ``X`` once, then check it fits the network.

        ``one_sample``: ``X`` is one sample, returned with a batch axis of 1. A
        model not built yet is built here, for ``X``'s shape.
        """
        raw = None
        if self.preprocessing is not None:
            X = raw = check_array(X, name)
            with np.errstate(over="ignore"):  # reported below, naming the cell
                X = self.preprocessing.transform(X)
        try:
            X = check_array(X, name, dtype=self.dtype)
        except ValueError as error:
            raise _out_of_range(error, raw, name, self.dtype) from None
        # C order whatever the caller's layout: a Fortran-ordered X would take
        # other BLAS paths and give other bits (same data, same seed, same bits)
        X = np.ascontiguousarray(X)
        received = X.shape
        if one_sample:
            X = X[None]
        expected = self._input_shape
        if expected is None:
            if X.ndim < 2:
                raise ValueError(
                    f"{name} must have a batch axis and at least one more: shape "
                    f"(n_samples, n_features, ...). Received: {name} with shape "
                    f"{received}"
                )
            self.build((None, *X.shape[1:]))
        elif not _fits(X.shape, expected):
            if X.ndim == len(expected) == 2:
                raise ValueError(
                    f"{name} must have {expected[1]} features (columns), the input "
                    f"size of {self.layers[0]!r}. Received: {name} with shape "
                    f"{received}"
                )
            wanted = ", ".join(
                ["n_samples", *("any" if d is None else str(d) for d in expected[1:])]
            )
            raise ValueError(
                f"{name} must have shape ({wanted}), the model's input shape "
                f"{expected}. Received: {name} with shape {received}"
            )
        return X

    def _one_sample(self, X: Any) -> bool:
        """Whether ``X`` is one sample: one axis less than the model's input."""
        rank = 2 if self._input_shape is None else len(self._input_shape)
        return np.ndim(X) == rank - 1

    def predict(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """The network's raw outputs for ``X``, computed without caching anything.

        Parameters
        ----------
        X : array_like of shape (n_samples, ...) or one sample's shape
            The model's input shape with the batch axis, or without it for one
            sample (a 1-D ``X`` for a model of 2-D inputs), which gives a result
            without the batch axis too.
        batch_size : int, optional
            Rows per pass (default: up to 8192 at a time).

        Returns
        -------
        ndarray of the model's output shape (batch axis n_samples), or without
        the batch axis for one sample

        Raises
        ------
        glassnet.errors.NotReadyError
            For a model without layers.
        TypeError, ValueError
            For ``X`` that is not numbers, holds NaN/inf, or has the wrong width.
        """
        if not self.layers:
            raise NotReadyError("predict needs at least one layer: model.add(...)")
        expected = self._input_shape
        if (
            X.__class__ is np.ndarray
            and X.dtype == self.dtype
            and expected is not None
            and X.shape[1:] == expected[1:]  # a shape with None dims: the long way
            and 0 < X.shape[0] <= self._predict_chunk()
            and X.flags.c_contiguous
            and batch_size is None
            and self.preprocessing is None
            and _all_finite(X)
        ):
            # What a server sends row by row: a float array of the model's dtype
            # that passes every check of the general path below (numbers, the
            # input's shape with a batch axis, not empty, finite) and needs no
            # cast, no preprocessing and one chunk. The general path spends a
            # fifth of a one-row MLP predict on its bookkeeping; the layers and
            # the result are the same.
            for layer in self.layers:
                X = layer(X)
            return X
        if self._one_sample(X):
            return self._predict_rows(self._check_X(X, one_sample=True), batch_size)[0]
        return self._predict_rows(self._check_X(X), batch_size)

    def _predict_chunk(self) -> int:
        """Rows per predict pass: ≤ _PREDICT_CHUNK, and ≤ _PREDICT_BYTES per output.

        Worked out once per set of layer shapes (they only grow, as layers are
        built or added): every predict asks, and a one-row predict is ~15 µs.
        """
        built = len(self._output_shapes)
        cached = self.__dict__.get("_chunk_for")
        if cached is not None and cached[0] == built:
            return cached[1]
        rows = _PREDICT_CHUNK
        widest = 1
        for shape in (self._input_shape, *self._output_shapes):
            if shape is None or any(d is None for d in shape[1:]):
                break  # sizes known only from the input
            widest = max(widest, math.prod(shape[1:]))
        else:
            rows = _PREDICT_BYTES // (widest * self.dtype.itemsize)
            rows = int(min(_PREDICT_CHUNK, max(1, rows)))
        self._chunk_for = (built, rows)
        return rows

    def _predict_rows(self, X: np.ndarray, batch_size: int | None) -> np.ndarray:
        chunk = (
            self._predict_chunk()
            if batch_size is None
            else check_positive_int(batch_size, "batch_size")
        )
        result = None
        for start in range(0, len(X), chunk):
            out = X[start : start + chunk]
            for layer in self.layers:
                out = layer(out)
            if start == 0 and len(out) == len(X):
                return out  # one pass
            if result is None:  # filled pass by pass: no list to concatenate
                result = np.empty((len(X), *out.shape[1:]), out.dtype)
            result[start : start + len(out)] = out
        return result

    def predict_proba(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """Predictions as a user reads them: the loss's ``output_transform``.

        Softmax probabilities for ``categorical_crossentropy`` (which takes
        logits), σ(logits) for ``binary_crossentropy_from_logits``, the outputs
        unchanged otherwise (also before ``compile``).
        """
        single = self._one_sample(X)
        raw = self.predict(X, batch_size)
        if self.loss is None:
            return raw
        if single:
            return self.loss.output_transform(raw[None, :])[0]
        return self.loss.output_transform(raw)

    # ------------------------------------------------------------------- training
    def compile(
        self,
        loss: Any,
        optimizer: Any = "sgd",
        metrics: Sequence[Any] | None = None,
    ) -> None:
        """Choose the loss, the optimizer and the metrics reported by fit/evaluate.

        Parameters
        ----------
        loss : str, dict or Loss
            E.g. ``"mse"``, ``"binary_crossentropy"``, ``"categorical_crossentropy"``
            (which takes logits: leave the last layer linear).
        optimizer : str, dict or Optimizer
            E.g. ``"adam"`` or ``gn.optimizers.SGD(learning_rate=0.1)``.
        metrics : list of str or callable, optional
            E.g. ``["accuracy"]``; a callable ``f(y_true, y_pred) -> float``.

        Raises
        ------
        ValueError
            For unknown names, or a softmax last layer with categorical
            cross-entropy (the loss applies softmax itself).
        """
        _check_compile_order(loss, optimizer)
        loss_obj = losses.get(loss)
        last = self.layers[-1] if self.layers else None
        activation = getattr(last, "activation", None)
        if loss_obj.name == "categorical_crossentropy" and (
            getattr(activation, "name", None) == "softmax"
        ):
            raise ValueError(
                "categorical_crossentropy takes logits and applies softmax itself, "
                f"but the last layer {last!r} already applies softmax. Drop the "
                "softmax activation from the last layer (predict_proba gives the "
                "probabilities)."
            )
        optimizer_obj = optimizers.get(optimizer)
        if metrics is not None and (
            isinstance(metrics, str) or not isinstance(metrics, Sequence)
        ):
            raise TypeError(
                f"metrics must be a list of names or functions. "
                f"Received: metrics={describe(metrics)}"
            )
        metrics = list(metrics or [])
        # checks every name now; "accuracy" may wait for the output width
        fns = self._metric_functions(metrics, loss_obj)
        self.loss, self.optimizer = loss_obj, optimizer_obj
        self.metrics, self._metric_fns = metrics, fns if self.built else None

    def _metric_functions(self, metrics: list, loss: Any) -> list[tuple[str, Any]]:
        """(log key, function) per metric, resolved for this loss and output width."""
        from glassnet import metrics as metrics_module

        n_outputs = self._n_outputs() if self.built else 1  # 1: a trial resolution
        fns = []
        for metric in metrics:
            fn = metrics_module.get(metric, loss=loss, n_outputs=n_outputs)
            key = metric if isinstance(metric, str) else fn.__name__
            fns.append((key, fn))
        return fns

    def _require_compiled(self, method: str) -> None:
        if self.loss is None or self.optimizer is None:
            raise NotReadyError(
                f"{method} needs a loss: call model.compile(loss=..., optimizer=...) "
                "first"
            )
        if not self.layers:
            raise NotReadyError(f"{method} needs at least one layer: model.add(...)")

    def _prepare(self, X: Any, y: Any, x_name: str = "X", y_name: str = "y"):
        """Checked, cast copies of X and y (once, before any training step)."""
        X = self._check_X(X, x_name)
        if len(self.output_shape) != 2:
            raise ValueError(
                "the losses compare outputs of shape (n_samples, n_outputs), but "
                f"this model's output shape is {self.output_shape}: add a "
                "Flatten() (or a Reshape) before the last layer. Received: "
                f"{x_name} with shape {X.shape}"
            )
        n_y = np.shape(y)[0] if np.ndim(y) else None
        if n_y != len(X):
            raise ValueError(
                f"{x_name} and {y_name} must have the same number of samples. "
                f"Received: {x_name} with {len(X)} samples, {y_name} with "
                f"{'no' if n_y is None else n_y} samples (shape {np.shape(y)})"
            )
        try:
            y = self.loss.prepare_targets(y, self._n_outputs(), self.dtype, len(X))
        except (TypeError, ValueError) as error:
            if y_name == "y":
                raise
            # every whole-word "y" ("y must ...", "Received: y[1, 0]=2.0"), never
            # the y inside a word such as "binary_crossentropy"
            message = re.sub(r"\by\b", y_name, str(error))
            raise type(error)(message) from None
        return X, y

    def fit(
        self,
        X: Any,
        y: Any,
        epochs: int = 1,
        batch_size: int = 32,
        shuffle: bool = True,
        validation_data: tuple[Any, Any] | None = None,
        validation_split: float = 0.0,
        callbacks: Sequence[Any] | None = None,
        verbose: int | str = 0,
        initial_epoch: int = 0,
        sample_weight: Any = None,
        class_weight: Any = None,
    ) -> Any:
        """Train with minibatch gradient descent; return the :class:`History`.

        Each epoch draws one permutation of the samples from ``model.rng`` (unless
        ``shuffle=False``), runs forward, loss, backward and one optimizer step per
        batch, then evaluates the validation data and calls the callbacks.
        ``history.history["loss"]`` is the sample-weighted mean of the epoch's batch
        losses (plus any L2 penalty), as Keras reports it.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        y : array_like
            Targets: (n_samples,) or (n_samples, n_outputs); integer labels or
            one-hot rows for categorical cross-entropy.
        epochs : int
            Index of the last epoch + 1 (with ``initial_epoch``, Keras-style).
        batch_size : int
            Samples per gradient step (the last batch may be smaller).
        shuffle : bool
            Draw a new sample order every epoch.
        validation_data : (X_val, y_val), optional
            Evaluated after every epoch: ``val_loss`` and ``val_<metric>`` logs.
        validation_split : float in [0, 1)
            Hold out this fraction of the *last* samples instead (before shuffling).
        callbacks : list of Callback, optional
        verbose : {0, 1, 2, "auto"}
            1: a progress bar; 2: one plain line per epoch (on stderr); "auto"
            (Keras's default) is 1.
        initial_epoch : int
            Epoch to start from, to resume a saved model (``model.epoch``).
        sample_weight : array_like of shape (n_samples,), optional
            Non-negative weights w: a batch's loss becomes Σ wᵢ·lᵢ / batch size
            (Keras's normalisation, not ÷ Σw), in the value and its gradient.
            With ``validation_split`` the held-out rows' weights are dropped
            (the validation loss is unweighted).
        class_weight : dict or "balanced", optional
            ``{class_index: weight}`` (a class not named weighs 1), or "balanced"
            (n / (n_classes · class count)), multiplied into ``sample_weight``;
            for classification losses only.

        Returns
        -------
        History

        Raises
        ------
        glassnet.errors.NotReadyError
            Before :meth:`compile`.
        TypeError, ValueError
            For bad data or settings, before any training step.
        glassnet.errors.TrainingDiverged
            When the loss (or, after an epoch's last step, a weight) becomes NaN
            or infinite; the weights and the optimizer
            state are restored to those at the start of that epoch (of the epoch
            before, when the first batch diverges: the last step of that epoch
            broke the weights). Its message counts epochs from 1
            ("training diverged in epoch 3/10"), like the progress bar; its
            ``epoch`` attribute is the 0-based index, like callbacks' ``epoch``.
        """
        from glassnet.callbacks import Callback

        self._require_compiled("fit")
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        initial_epoch = check_positive_int(initial_epoch, "initial_epoch", minimum=0)
        if not isinstance(shuffle, (bool, np.bool_)):
            raise TypeError(
                f"shuffle must be True or False. Received: shuffle={describe(shuffle)}"
            )
        if verbose == "auto":
            verbose = 1
        if verbose not in (0, 1, 2) or isinstance(verbose, (float, str)):
            raise ValueError(
                f"verbose must be 0, 1, 2 or 'auto'. Received: verbose={verbose!r}"
            )
        validation_split = check_probability(validation_split, "validation_split")
        if validation_split and validation_data is not None:
            raise ValueError(
                "pass validation_data or validation_split, not both. Received: "
                f"validation_split={validation_split!r} and validation_data"
            )
        if callbacks is not None and (
            isinstance(callbacks, str) or not isinstance(callbacks, Iterable)
        ):
            raise TypeError(
                "callbacks must be a list of Callback objects. "
                f"Received: callbacks={describe(callbacks)}"
            )
        callbacks = list(callbacks or [])
        for i, callback in enumerate(callbacks):
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"callbacks[{i}] must be a glassnet.callbacks.Callback. "
                    f"Received: {describe(callback)}"
                )
        X, y = self._prepare(X, y)
        weights = self._training_weights(y, sample_weight, class_weight)
        val = None
        if validation_split:
            n_val = int(len(X) * validation_split)
            if n_val < 1 or n_val >= len(X):
                raise ValueError(
                    f"validation_split must leave at least one sample on each side. "
                    f"Received: validation_split={validation_split!r} for "
                    f"{len(X)} samples"
                )
            X, y, val = X[:-n_val], y[:-n_val], (X[-n_val:], y[-n_val:])
            if weights is not None:
                weights = weights[:-n_val]
        elif validation_data is not None:
            if (
                not isinstance(validation_data, (tuple, list))
                or len(validation_data) != 2
            ):
                raise ValueError(
                    "validation_data must be a pair (X_val, y_val). "
                    f"Received: validation_data={describe(validation_data)}"
                )
            val = self._prepare(
                *validation_data, "validation_data[0]", "validation_data[1]"
            )
        self._predict_rows(X[:1], None)  # a bad layer stack fails here, not mid-epoch
        for callback in callbacks:
            monitor = getattr(callback, "monitor", None)
            if not getattr(callback, "save_best_only", True):
                monitor = None  # a checkpoint saving every epoch compares nothing
            if val is None and isinstance(monitor, str) and monitor.startswith("val_"):
                raise ValueError(
                    f"{type(callback).__name__} monitors {monitor!r}, which needs "
                    "validation_data or validation_split in fit. Received: "
                    "neither (or monitor a training value such as 'loss')"
                )

        parts = _training.Parts(
            layers=self.layers,
            loss=self.loss,
            optimizer=self.optimizer,
            pairs=self._flatten(),
            metric_fns=self._metric_fns,
            rng=self.rng,
            evaluate=self._evaluate_arrays,
        )
        plan = _training.Plan(
            epochs=epochs,
            initial_epoch=initial_epoch,
            batch_size=batch_size,
            shuffle=shuffle,
            verbose=verbose,
        )
        return _training.train(self, parts, plan, X, y, val, callbacks, weights)

    def _training_weights(self, y, sample_weight, class_weight):
        """fit's per-sample weights in the model's dtype (None without any)."""
        from glassnet.data import training_weights

        if class_weight is not None and self.loss.name not in (
            "categorical_crossentropy",
            "binary_crossentropy",
        ):
            raise ValueError(
                "class_weight needs class targets (a cross-entropy loss); this "
                f"model's loss is {self.loss.name!r}. Received: "
                f"class_weight={describe(class_weight)}"
            )
        weights = training_weights(y, sample_weight, class_weight)
        return None if weights is None else weights.astype(self.dtype)

    def evaluate(
        self, X: Any, y: Any, batch_size: int | None = None
    ) -> dict[str, float]:
        """The loss (plus any L2 penalty) and every compiled metric on (X, y).

        Returns
        -------
        dict
            ``{"loss": float, <metric>: float, ...}``; nothing is cached or trained.
        """
        self._require_compiled("evaluate")
        X, y = self._prepare(X, y)
        return self._evaluate_arrays(X, y, batch_size)

    def _evaluate_arrays(
        self, X: np.ndarray, y: np.ndarray, batch_size: int | None = None
    ) -> dict[str, float]:
        chunk = (
            self._predict_chunk()
            if batch_size is None
            else check_positive_int(batch_size, "batch_size")
        )
        # the outputs in passes of ``chunk`` rows, into one array; then the loss and
        # the metrics once over all of it, so 9,931 right of 10,000 is 0.9931
        # (not a sum of per-pass means, 0.9931000000000018)
        out = None
        for start in range(0, len(X), chunk):
            part = self._predict_rows(X[start : start + chunk], None)
            if out is None:
                out = np.empty((len(X), *part.shape[1:]), part.dtype)
            out[start : start + len(part)] = part
        scores = {"loss": self.loss(y, out) + self._penalty()}
        if self._metric_fns:
            shown = self.loss.output_transform(out)
            for key, fn in self._metric_fns:
                scores[key] = fn(y, shown)
        return scores

    def _penalty(self) -> float:
        return sum(layer.regularization_loss() for layer in self.layers)

    def loss_and_gradients(self, X: Any, y: Any) -> tuple[float, list[np.ndarray]]:
        """The loss on (X, y) as one batch and a copy of every gradient.

        Returns
        -------
        loss : float
            Includes any L2 penalty.
        grads : list of ndarray
            Aligned with :meth:`parameters`: the same order, the same shapes.
        """
        self._require_compiled("loss_and_gradients")
        X, y = self._prepare(X, y)
        out = self.forward(X)
        value = self.loss.forward(y, out) + self._penalty()
        self.backward(self.loss.backward())
        return value, [grad.copy() for _, grad in self.parameters()]

    # ---------------------------------------------------------------- weights
    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter, in :meth:`parameters` order."""
        return [param.copy() for param, _ in self.parameters()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Copy ``weights`` (as from :meth:`get_weights`) into the parameters in place.

        Raises
        ------
        ValueError
            For the wrong number of arrays or a wrong shape (nothing is changed).
        """
        params = [param for param, _ in self.parameters()]
        weights = list(weights)
        if len(weights) != len(params):
            raise ValueError(
                f"weights must hold {len(params)} arrays, one per parameter. "
                f"Received: {len(weights)} arrays"
            )
        arrays = []
        for i, (param, value) in enumerate(zip(params, weights, strict=True)):
            value = check_array(value, f"weights[{i}]", allow_empty=True)
            if value.shape != param.shape:
                raise ValueError(
                    f"weights[{i}] must have shape {param.shape}. "
                    f"Received: shape {value.shape}"
                )
            arrays.append(value)
        for param, value in zip(params, arrays, strict=True):
            param[...] = value

    def save(self, path: Any) -> None:
        """Write the model to ``path`` (see :func:`glassnet.serialization.save`)."""
        from glassnet import serialization

        serialization.save(self, path)


def _sample_shape(shape: Any, name: str = "input_shape") -> tuple[int | None, ...]:
    """``shape`` (one sample's, no batch axis) as a tuple of ints >= 1 or None."""
    rule = (
        f"{name} must be the shape of one sample, without the batch axis: a tuple "
        f"of integers >= 1 such as (28, 28, 1). Received: {name}={describe(shape)}"
    )
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, Sequence) or isinstance(shape, str) or not shape:
        raise TypeError(rule)
    dims = []
    for d in shape:
        if d is None:
            dims.append(None)
            continue
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise TypeError(rule)
        if d < 1:
            raise ValueError(rule)
        dims.append(int(d))
    return tuple(dims)


def _fits(shape: tuple, expected: tuple) -> bool:
    """Whether ``shape`` matches ``expected`` past the batch axis (None: any)."""
    return len(shape) == len(expected) and all(
        e is None or d == e for d, e in zip(shape[1:], expected[1:], strict=True)
    )


def _check_compile_order(loss: Any, optimizer: Any) -> None:
    """Refuse Keras's order, compile(optimizer, loss), with the way to write it."""
    optimizer_given = isinstance(loss, optimizers.Optimizer) or (
        isinstance(loss, str) and loss.lower() in optimizers.names()
    )
    if optimizer_given and isinstance(optimizer, (str, losses.Loss)):
        raise TypeError(
            "compile takes the loss first: compile(loss, optimizer), the other "
            "way round from Keras's compile(optimizer, loss); or use keywords, "
            "compile(loss=..., optimizer=...). Received: "
            f"loss={describe(loss)}, optimizer={describe(optimizer)}"
        )


def _out_of_range(error: ValueError, raw: Any, name: str, dtype: np.dtype):
    """A finite input cell that preprocessing took past ``dtype``'s range, named.

    check_array sees only the standardised array, and would call the cell at
    fault infinite (or its standardised value too large); the user gave ``raw``.
    """
    match = re.search(rf"{re.escape(name)}\[([\d, ]+)\]=", str(error))
    if raw is None or match is None:
        return error
    index = tuple(int(i) for i in match.group(1).split(","))
    if len(index) != raw.ndim or not np.isfinite(raw[index]):
        return error
    return ValueError(
        f"{name}[{match.group(1)}]={raw[index].item()!r} is out of {dtype}'s range "
        "once standardised with the model's preprocessing: it lies far outside the "
        f"data the model was trained on. Received: {name}[{match.group(1)}]="
        f"{raw[index].item()!r}"
    )
