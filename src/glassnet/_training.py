"""The training loop behind :meth:`Sequential.fit <glassnet.network.Sequential.fit>`.

``fit`` checks and casts the data, then hands :func:`train` everything the loop
uses as explicit :class:`Parts` (layers, loss, optimizer, the packed parameters,
metric functions, the generator) and a :class:`Plan` (epochs, batch size, ...);
the loop reaches into no private attribute of the model. The model itself is
passed only for what callbacks see of it (``set_model``, ``stop_training``,
``history``, ``epoch``).

An epoch is four small parts:

* :class:`_Batches` yields the minibatches: one permutation per epoch, each batch
  gathered into a buffer reused from batch to batch;
* :class:`_Step` holds one step's bound methods, looked up once per fit;
* :func:`_run_epoch` runs the steps — forward, loss, backward, optimizer step —
  and sums the epoch's logs;
* :class:`_DivergenceGuard` keeps the weights and optimizer state of the last two
  epochs' starts; when the loss or the weights stop being finite it restores
  them and raises :class:`~glassnet.errors.TrainingDiverged`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from glassnet.errors import TrainingDiverged

__all__ = ["Parts", "Plan", "train"]

Pairs = list[tuple[np.ndarray, np.ndarray]]


class Parts(NamedTuple):
    """What the loop trains, handed over by ``fit``."""

    layers: list[Any]  # the model's layers, first to last
    loss: Any  # the compiled Loss
    optimizer: Any  # the compiled Optimizer
    pairs: Pairs  # the packed (params, grads): one update per formula
    metric_fns: list[tuple[str, Callable[[np.ndarray, np.ndarray], float]]]
    rng: np.random.Generator  # draws each epoch's permutation
    evaluate: Callable[[np.ndarray, np.ndarray], dict[str, float]]  # validation


class Plan(NamedTuple):
    """How long and in what batches to train (fit's checked arguments)."""

    epochs: int  # index of the last epoch + 1
    initial_epoch: int
    batch_size: int
    shuffle: bool
    verbose: int


def train(
    model: Any,
    parts: Parts,
    plan: Plan,
    X: np.ndarray,
    y: np.ndarray,
    val: tuple[np.ndarray, np.ndarray] | None,
    callbacks: list[Any],
    sample_weight: np.ndarray | None = None,
) -> Any:
    """Fit's epochs on checked data and callbacks; return the :class:`History`.

    ``sample_weight`` (one per row of X, already checked) weights each sample's
    loss: the loss of a batch is Σ wᵢ·lᵢ / batch size.
    """
    from glassnet.callbacks import History, ProgressBar

    history = History()
    all_callbacks = [history, *callbacks]
    if plan.verbose and not any(isinstance(c, ProgressBar) for c in callbacks):
        all_callbacks.append(ProgressBar(plain=plan.verbose == 2))
    params = {
        "epochs": plan.epochs,
        "initial_epoch": plan.initial_epoch,
        "batch_size": plan.batch_size,
        "samples": len(X),
        "steps": -(-len(X) // plan.batch_size),
        "verbose": plan.verbose,
    }
    for callback in all_callbacks:
        callback.set_model(model)
        callback.set_params(params)
    model.stop_training = False
    model.history = history
    logs: dict[str, float] = {}
    step = _Step.of(parts)
    batches = _Batches(X, y, plan.batch_size, plan.shuffle, parts.rng, sample_weight)
    guard = _DivergenceGuard(parts.pairs, parts.optimizer, plan.epochs)
    batch_callbacks = [c for c in all_callbacks if c.wants_batches]
    epoch_begins = [c for c in all_callbacks if c.wants_epoch_begin]
    # Overflow on the way to a diverging loss is reported once, as
    # TrainingDiverged, rather than as a stream of RuntimeWarnings.
    errstate = np.errstate(over="ignore", invalid="ignore", divide="ignore")
    try:
        errstate.__enter__()
        for callback in all_callbacks:
            callback.on_train_begin(logs)
        for epoch in range(plan.initial_epoch, plan.epochs):
            for callback in epoch_begins:
                callback.on_epoch_begin(epoch, logs)
            logs = _run_epoch(epoch, step, batches, guard, batch_callbacks)
            if val is not None:
                scores = parts.evaluate(*val)
                logs.update({f"val_{k}": v for k, v in scores.items()})
            model.epoch = epoch + 1
            for callback in all_callbacks:
                callback.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
        for callback in all_callbacks:
            callback.on_train_end(logs)
    except TrainingDiverged:
        _roll_back(model, history, guard.restored)
        raise
    finally:
        errstate.__exit__(None, None, None)
        for callback in all_callbacks:
            close = getattr(callback, "close", None)
            if close is not None:
                close()
    return history


def _roll_back(model: Any, history: Any, restored: int) -> None:
    """Take the epoch count and the history back to epoch ``restored``'s start.

    They go back with the weights and the optimizer state, so that all four
    agree on where training stands (``fit(..., initial_epoch=model.epoch)``
    resumes from there).
    """
    model.epoch = restored
    drop = sum(done >= restored for done in history.epoch)
    if drop:
        del history.epoch[-drop:]
        for values in history.history.values():
            del values[-drop:]


class _Step(NamedTuple):
    """One training step's bound methods, looked up once per fit.

    The step loop then touches only local names, so a step of a tiny network
    costs little more than its arithmetic.
    """

    forwards: list[Callable]  # every layer's forward, first to last
    backwards: list[Callable]  # the backward of every layer but the first, last first
    first_backward: Callable  # the first layer's, told to skip dL/dX
    loss_forward: Callable
    loss_backward: Callable
    optimizer_step: Callable[[Pairs], None]
    pairs: Pairs
    penalized: list[Any]  # the layers with an L2 penalty
    metric_fns: list[tuple[str, Callable]]
    transform: Callable  # the loss's output transform, for the metrics

    @classmethod
    def of(cls, parts: Parts) -> _Step:
        layers = parts.layers
        return cls(
            forwards=[layer.forward for layer in layers],
            backwards=[layer.backward for layer in layers[:0:-1]],
            first_backward=layers[0].backward,
            loss_forward=parts.loss.forward,
            loss_backward=parts.loss.backward,
            optimizer_step=parts.optimizer.step,
            pairs=parts.pairs,
            penalized=[layer for layer in layers if getattr(layer, "l2", 0.0)],
            metric_fns=parts.metric_fns,
            transform=parts.loss.output_transform,
        )


def _run_epoch(
    epoch: int,
    step: _Step,
    batches: _Batches,
    guard: _DivergenceGuard,
    batch_callbacks: list[Any],
) -> dict[str, float]:
    """One pass over the data, a training step per batch; returns the epoch's logs.

    ``loss`` (and each metric) is the sample-weighted mean over the batches.
    """
    (forwards, backwards, first_backward, loss_forward, loss_backward,
     optimizer_step, pairs, penalized, metric_fns, transform) = step  # fmt: skip
    isfinite = math.isfinite
    guard.remember()
    metric_sums = [0.0] * len(metric_fns)
    total = 0.0
    for batch, (xb, yb, *weights) in enumerate(batches.epoch()):
        # 1. forward through every layer (each caches what its backward needs)
        out = xb
        for forward in forwards:
            out = forward(out)
        # 2. the loss, plus any L2 penalty; not finite: restore and raise
        value = loss_forward(yb, out, *weights)  # weights: [] or [wb]
        for layer in penalized:
            value += layer.regularization_loss()
        if not isfinite(value):
            guard.diverged(epoch, value, first_batch=batch == 0)
        # 3. the epoch's sums, weighted by the batch size
        nb = len(xb)
        total += value * nb
        if metric_fns:
            shown = transform(out)
            for i, (_, fn) in enumerate(metric_fns):
                metric_sums[i] += fn(yb, shown) * nb
        # 4. backward from dL/d(output), then one optimizer step
        grad = loss_backward()
        for backward in backwards:
            grad = backward(grad)
        first_backward(grad, False)
        optimizer_step(pairs)
        if batch_callbacks:
            batch_logs = {"loss": value, "size": nb}
            for callback in batch_callbacks:
                callback.on_batch_end(batch, batch_logs)
    guard.check_weights(epoch)
    n = batches.n_samples
    logs = {"loss": total / n}
    for (key, _), value in zip(metric_fns, metric_sums, strict=True):
        logs[key] = value / n
    return logs


class _Batches:
    """The minibatches of (X, y) (and the sample weights, if any), epoch after epoch.

    With ``shuffle``, each epoch draws one permutation from ``rng`` and gathers
    every batch into one of two buffers kept for the whole fit (a full batch, and
    the smaller last one). Without, the same slices every epoch, made once.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        batch_size: int,
        shuffle: bool,
        rng: np.random.Generator,
        weights: np.ndarray | None = None,
    ) -> None:
        # (X, y) or (X, y, weights): every batch is a tuple of the same arrays
        self.arrays = (X, y) if weights is None else (X, y, weights)
        self.rng = rng
        self.n_samples = n = len(X)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.starts = range(0, n, batch_size)
        self.slices = None
        if shuffle:
            size = min(batch_size, n)
            rest = n % size  # 0 when one batch holds everything
            self.full = tuple(_empty_rows(a, size) for a in self.arrays)
            self.rest = tuple(_empty_rows(a, rest) for a in self.arrays)
        elif len(self.starts) <= 65536:  # (but hold no more than ~10 MB of views)
            self.slices = [
                tuple(a[i : i + batch_size] for a in self.arrays) for i in self.starts
            ]

    def epoch(self) -> Iterator[tuple[np.ndarray, ...]]:
        """This epoch's batches, ``(xb, yb[, wb])``; a yielded buffer is reused."""
        arrays, batch_size = self.arrays, self.batch_size
        if self.shuffle:
            order = self.rng.permutation(self.n_samples)
            size = len(self.full[0])
            for start in self.starts:
                idx = order[start : start + batch_size]
                buffers = self.full if len(idx) == size else self.rest
                for array, buffer in zip(arrays, buffers, strict=True):
                    # mode="clip" skips numpy's extra buffered copy; idx is valid
                    np.take(array, idx, axis=0, out=buffer, mode="clip")
                yield buffers
        elif self.slices is not None:
            yield from self.slices
        else:
            for start in self.starts:
                yield tuple(a[start : start + batch_size] for a in arrays)


def _empty_rows(array: np.ndarray, n: int) -> np.ndarray:
    """A buffer for ``n`` rows of ``array``."""
    return np.empty((n,) + array.shape[1:], array.dtype)


class _DivergenceGuard:
    """The weights and optimizer state at the start of this epoch and the last.

    When the *first* batch of an epoch diverges, the last step of the epoch
    before made the weights bad, so those of that epoch's start come back.
    """

    def __init__(self, pairs: Pairs, optimizer: Any, epochs_planned: int) -> None:
        self.pairs = pairs
        self.optimizer = optimizer
        self.epochs_planned = epochs_planned
        self.snapshots = [[param.copy() for param, _ in pairs] for _ in range(2)]
        self.opt_states: list[Any] = [None, None]
        self.restored: int | None = None  # the epoch whose start came back

    def remember(self) -> None:
        """Keep the weights and optimizer state now, at an epoch's start."""
        self.snapshots.reverse()
        self.opt_states.reverse()
        for saved, (param, _) in zip(self.snapshots[0], self.pairs, strict=True):
            np.copyto(saved, param)
        self.opt_states[0] = self.optimizer.get_state()

    def diverged(self, epoch: int, value: float, first_batch: bool) -> None:
        """The loss is not finite: restore, then raise TrainingDiverged."""
        back = 1 if first_batch and self.opt_states[1] is not None else 0
        self._restore(back)
        self._raise(epoch, value, epoch - back, f"the loss became {value}")

    def check_weights(self, epoch: int) -> None:
        """After an epoch's last step: refuse weights that are no longer finite.

        A finite loss can still have a gradient that overflows the weights, and
        no later loss would tell (one check per epoch, not per step; Σw² is
        finite for finite weights unless they are huge, when the exact test
        decides).
        """
        if any(
            not math.isfinite(float(np.dot(param, param)))
            and not np.isfinite(param).all()
            for param, _ in self.pairs
        ):
            self._restore(0)
            self._raise(epoch, math.nan, epoch, "the weights became inf or NaN")

    def _restore(self, back: int) -> None:
        for (param, _), saved in zip(self.pairs, self.snapshots[back], strict=True):
            np.copyto(param, saved)
        self.optimizer.set_state(self.opt_states[back])

    def _raise(self, epoch: int, value: float, restored: int, what: str) -> None:
        """Raise TrainingDiverged; the message counts epochs from 1, like the bar."""
        self.restored = restored
        rate = self.optimizer.current_learning_rate()
        raise TrainingDiverged(
            f"training diverged in epoch {epoch + 1}/{self.epochs_planned}: "
            f"{what}. The weights and optimizer state were restored to "
            f"those at the start of epoch {restored + 1}. Try a lower learning "
            f"rate (it is {rate:g}), or clipnorm= in the optimizer.",
            epoch=epoch,
            loss=value,
        )
