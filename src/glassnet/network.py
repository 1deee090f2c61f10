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

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from glassnet import _training, losses, optimizers
from glassnet._validation import (
    check_array,
    check_dtype,
    check_positive_int,
    check_probability,
    describe,
)
from glassnet.layers import Layer

__all__ = ["Sequential"]

_PREDICT_CHUNK = 8192  # rows per predict/evaluate pass: bounds the memory used


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

    Attributes
    ----------
    layers : list of Layer
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
    """

    def __init__(
        self,
        layers: Iterable[Layer] | None = None,
        *,
        seed: int | None = None,
        dtype: Any = "float32",
    ) -> None:
        self.dtype = check_dtype(dtype)
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.layers: list[Layer] = []
        self.loss: losses.Loss | None = None
        self.optimizer: optimizers.Optimizer | None = None
        self.metrics: list[Any] = []
        self._metric_fns: list[tuple[str, Any]] = []
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
        """Append ``layer``, building it with the model's generator and dtype.

        Raises
        ------
        TypeError
            When ``layer`` is not a Layer.
        ValueError
            When a Dense layer's ``n_in`` differs from the previous output size,
            or ``layer`` is already in the model.
        """
        if not isinstance(layer, Layer):
            raise TypeError(
                f"layer must be a glassnet Layer (Dense, Dropout, Activation). "
                f"Received: layer={describe(layer)}"
            )
        for i, present in enumerate(self.layers):
            if present is layer:
                raise ValueError(
                    f"{layer!r} is already layer {i} of this model: a layer can "
                    "appear once (its parameters and gradients are its own). "
                    "Received: the same layer object again"
                )
        n_in = getattr(layer, "n_in", None)
        previous = self._output_size()
        if n_in is not None and previous is not None and n_in != previous:
            raise ValueError(
                f"{layer!r} expects {n_in} inputs, but the layer before it "
                f"({self.layers[-1]!r}) has {previous} outputs"
            )
        layer.build(self.rng, self.dtype)
        self.layers.append(layer)
        self._flatten()

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

    def _input_size(self) -> int | None:
        for layer in self.layers:
            if hasattr(layer, "n_in"):
                return layer.n_in
        return None

    def _output_size(self) -> int | None:
        for layer in reversed(self.layers):
            if hasattr(layer, "n_out"):
                return layer.n_out
        return None

    def parameters(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Every ``(param, grad)`` pair, layer by layer (the optimizer's order)."""
        return [pair for layer in self.layers for pair in layer.parameters()]

    def summary(self) -> str:
        """A table of the layers, their output shapes and parameter counts.

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
        """
        shape: tuple = (None, self._input_size())
        rows = []
        for layer in self.layers:
            shape = layer.output_shape(shape)
            rows.append((repr(layer), str(shape), f"{layer.n_params():,}"))
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
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Sequential([{', '.join(repr(layer) for layer in self.layers)}])"

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

    def _check_X(self, X: Any, name: str = "X", ndim: Any = 2) -> np.ndarray:
        """Validate, preprocess and cast ``X`` once, then check it fits the network."""
        if self.preprocessing is not None:
            X = check_array(X, name, ndim=ndim)
            X = self.preprocessing.transform(X)
        X = check_array(X, name, ndim=ndim, dtype=self.dtype)
        n_in = self._input_size()
        if n_in is not None and X.shape[-1] != n_in:
            raise ValueError(
                f"{name} must have {n_in} features (columns), the input size of "
                f"{self.layers[0]!r}. Received: {name} with shape {X.shape}"
            )
        return X

    def predict(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """The network's raw outputs for ``X``, computed without caching anything.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features) or (n_features,)
            A 1-D ``X`` is one sample, and gives a 1-D result.
        batch_size : int, optional
            Rows per pass (default: up to 8192 at a time).

        Returns
        -------
        ndarray of shape (n_samples, n_outputs), or (n_outputs,) for one sample

        Raises
        ------
        RuntimeError
            For a model without layers.
        TypeError, ValueError
            For ``X`` that is not numbers, holds NaN/inf, or has the wrong width.
        """
        if not self.layers:
            raise RuntimeError("predict needs at least one layer: model.add(...)")
        X = self._check_X(X, ndim=(1, 2))
        if X.ndim == 1:
            return self._predict_rows(X[None, :], batch_size)[0]
        return self._predict_rows(X, batch_size)

    def _predict_rows(self, X: np.ndarray, batch_size: int | None) -> np.ndarray:
        chunk = (
            _PREDICT_CHUNK
            if batch_size is None
            else check_positive_int(batch_size, "batch_size")
        )
        pieces = []
        for start in range(0, len(X), chunk):
            out = X[start : start + chunk]
            for layer in self.layers:
                out = layer(out)
            pieces.append(out)
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    def predict_proba(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """Predictions as a user reads them: the loss's ``output_transform``.

        Softmax probabilities for ``categorical_crossentropy`` (which takes
        logits), σ(logits) for ``binary_crossentropy_from_logits``, the outputs
        unchanged otherwise (also before ``compile``).
        """
        raw = self.predict(X, batch_size)
        if self.loss is None:
            return raw
        if raw.ndim == 1:
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
        from glassnet import metrics as metrics_module

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
        fns = []
        for metric in metrics or []:
            fn = metrics_module.get(
                metric, loss=loss_obj, n_outputs=self._output_size()
            )
            key = metric if isinstance(metric, str) else fn.__name__
            fns.append((key, fn))
        self.loss, self.optimizer = loss_obj, optimizer_obj
        self.metrics, self._metric_fns = list(metrics or []), fns

    def _require_compiled(self, method: str) -> None:
        if self.loss is None or self.optimizer is None:
            raise RuntimeError(
                f"{method} needs a loss: call model.compile(loss=..., optimizer=...) "
                "first"
            )
        if not self.layers:
            raise RuntimeError(f"{method} needs at least one layer: model.add(...)")

    def _prepare(self, X: Any, y: Any, x_name: str = "X", y_name: str = "y"):
        """Checked, cast copies of X and y (once, before any training step)."""
        X = self._check_X(X, x_name)
        n_y = np.shape(y)[0] if np.ndim(y) else None
        if n_y != len(X):
            raise ValueError(
                f"{x_name} and {y_name} must have the same number of samples. "
                f"Received: {x_name} with {len(X)} samples, {y_name} with "
                f"{'no' if n_y is None else n_y} samples (shape {np.shape(y)})"
            )
        try:
            y = self.loss.prepare_targets(y, self._output_size(), self.dtype, len(X))
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
        verbose: int = 0,
        initial_epoch: int = 0,
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
        verbose : {0, 1, 2}
            1: a progress bar; 2: one plain line per epoch (on stderr).
        initial_epoch : int
            Epoch to start from, to resume a saved model (``model.epoch``).

        Returns
        -------
        History

        Raises
        ------
        RuntimeError
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
        if verbose not in (0, 1, 2) or isinstance(verbose, float):
            raise ValueError(
                f"verbose must be 0, 1 or 2. Received: verbose={verbose!r}"
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

        return _training.train(
            self,
            X,
            y,
            val,
            callbacks,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=shuffle,
            verbose=verbose,
            initial_epoch=initial_epoch,
        )

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
            _PREDICT_CHUNK
            if batch_size is None
            else check_positive_int(batch_size, "batch_size")
        )
        n = len(X)
        sums = [0.0] * (1 + len(self._metric_fns))
        for start in range(0, n, chunk):
            out = self._predict_rows(X[start : start + chunk], None)
            yb = y[start : start + chunk]
            weight = len(out) / n
            sums[0] += self.loss(yb, out) * weight
            if self._metric_fns:
                shown = self.loss.output_transform(out)
                for i, (_, fn) in enumerate(self._metric_fns, start=1):
                    sums[i] += fn(yb, shown) * weight
        scores = {"loss": sums[0] + self._penalty()}
        for (key, _), value in zip(self._metric_fns, sums[1:], strict=True):
            scores[key] = value
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
