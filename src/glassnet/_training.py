"""The training loop behind :meth:`Sequential.fit <glassnet.network.Sequential.fit>`.

One epoch of minibatch training, with divergence restore: ``fit`` checks and casts
the data, then :func:`train` runs the epochs and calls the callbacks, and
``_epoch_runner`` builds the one-epoch step loop, which touches only local names
(bound methods, reused buffers, the data). When the loss or the weights stop being
finite, the weights and optimizer state of an epoch's start come back and
``_diverged`` raises :class:`~glassnet.errors.TrainingDiverged`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.errors import TrainingDiverged

if TYPE_CHECKING:
    from glassnet.network import Sequential

__all__ = ["train"]


def train(
    model: Sequential,
    X: np.ndarray,
    y: np.ndarray,
    val: tuple[np.ndarray, np.ndarray] | None,
    callbacks: list[Any],
    *,
    epochs: int,
    batch_size: int,
    shuffle: bool,
    verbose: int,
    initial_epoch: int,
) -> Any:
    """Fit's epochs on checked data and callbacks; return the :class:`History`."""
    from glassnet.callbacks import History, ProgressBar

    history = History()
    all_callbacks = [history, *callbacks]
    if verbose and not any(isinstance(c, ProgressBar) for c in callbacks):
        all_callbacks.append(ProgressBar(plain=verbose == 2))
    params = {
        "epochs": epochs,
        "initial_epoch": initial_epoch,
        "batch_size": batch_size,
        "samples": len(X),
        "steps": -(-len(X) // batch_size),
        "verbose": verbose,
    }
    for callback in all_callbacks:
        callback.set_model(model)
        callback.set_params(params)
    model.stop_training = False
    model.history = history
    model._epochs_planned = epochs  # for _diverged's "epoch 3/10"
    logs: dict[str, float] = {}
    run_epoch = _epoch_runner(model, X, y, batch_size, shuffle, all_callbacks)
    epoch_begins = [c for c in all_callbacks if c.wants_epoch_begin]
    # Overflow on the way to a diverging loss is reported once, as
    # TrainingDiverged, rather than as a stream of RuntimeWarnings.
    errstate = np.errstate(over="ignore", invalid="ignore", divide="ignore")
    try:
        errstate.__enter__()
        for callback in all_callbacks:
            callback.on_train_begin(logs)
        for epoch in range(initial_epoch, epochs):
            for callback in epoch_begins:
                callback.on_epoch_begin(epoch, logs)
            logs = run_epoch(epoch)
            if val is not None:
                scores = model._evaluate_arrays(*val)
                logs.update({f"val_{k}": v for k, v in scores.items()})
            model.epoch = epoch + 1
            for callback in all_callbacks:
                callback.on_epoch_end(epoch, logs)
            if model.stop_training:
                break
        for callback in all_callbacks:
            callback.on_train_end(logs)
    finally:
        errstate.__exit__(None, None, None)
        for callback in all_callbacks:
            close = getattr(callback, "close", None)
            if close is not None:
                close()
    return history


def _epoch_runner(
    model: Sequential,
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    shuffle: bool,
    callbacks: list[Any],
) -> Any:
    """Everything an epoch needs, looked up once; returns ``run(epoch) -> logs``.

    The inner loop touches only local names: bound methods, buffers and the
    data, so a step of a tiny network costs little more than its arithmetic.
    """
    n = len(X)
    layers = model.layers
    pairs = model._flatten()  # one (params, grads) pair: one update per formula
    # the weights and optimizer state at the start of this epoch and the one
    # before: when the *first* batch diverges, the last step of the epoch
    # before made the weights bad, so those of its start come back
    snapshots = [[param.copy() for param, _ in pairs] for _ in range(2)]
    opt_states: list[Any] = [None, None]
    forwards = [layer.forward for layer in layers]
    backwards = [layer.backward for layer in layers[:0:-1]]
    first_backward = layers[0].backward
    loss_forward, loss_backward = model.loss.forward, model.loss.backward
    step = model.optimizer.step
    penalized = [layer for layer in layers if getattr(layer, "l2", 0.0)]
    metric_fns = model._metric_fns
    transform = model.loss.output_transform
    batch_callbacks = [c for c in callbacks if c.wants_batches]
    isfinite = math.isfinite
    starts = range(0, n, batch_size)
    if shuffle:
        size = min(batch_size, n)
        x_full = np.empty((size,) + X.shape[1:], X.dtype)
        y_full = np.empty((size,) + y.shape[1:], y.dtype)
        rest = n % size  # 0 when one batch holds everything
        x_rest = np.empty((rest,) + X.shape[1:], X.dtype)
        y_rest = np.empty((rest,) + y.shape[1:], y.dtype)
    elif len(starts) <= 65536:  # the same batches every epoch: slice them once
        batches = [(X[i : i + batch_size], y[i : i + batch_size]) for i in starts]
    else:  # (but hold no more than ~10 MB of views)
        batches = None

    def run(epoch: int) -> dict[str, float]:
        # the weights to restore if this epoch diverges: one copy per epoch
        snapshots.reverse()
        opt_states.reverse()
        for saved, (param, _) in zip(snapshots[0], pairs, strict=True):
            np.copyto(saved, param)
        opt_states[0] = model.optimizer.get_state()
        if shuffle:
            order = model.rng.permutation(n)
        metric_sums = [0.0] * len(metric_fns)
        total = 0.0
        for batch, start in enumerate(starts):
            if shuffle:
                idx = order[start : start + batch_size]
                if len(idx) == size:
                    xb, yb = x_full, y_full
                else:
                    xb, yb = x_rest, y_rest
                # mode="clip" skips numpy's extra buffered copy; idx is valid
                np.take(X, idx, axis=0, out=xb, mode="clip")
                np.take(y, idx, axis=0, out=yb, mode="clip")
            elif batches is not None:
                xb, yb = batches[batch]
            else:
                xb = X[start : start + batch_size]
                yb = y[start : start + batch_size]
            out = xb
            for forward in forwards:
                out = forward(out)
            value = loss_forward(yb, out)
            for layer in penalized:
                value += layer.regularization_loss()
            if not isfinite(value):
                back = 1 if batch == 0 and opt_states[1] is not None else 0
                for (param, _), saved in zip(pairs, snapshots[back], strict=True):
                    np.copyto(param, saved)
                model.optimizer.set_state(opt_states[back])
                _diverged(model, epoch, value, epoch - back)
            nb = len(xb)
            total += value * nb
            if metric_fns:
                shown = transform(out)
                for i, (_, fn) in enumerate(metric_fns):
                    metric_sums[i] += fn(yb, shown) * nb
            grad = loss_backward()
            for backward in backwards:
                grad = backward(grad)
            first_backward(grad, False)
            step(pairs)
            if batch_callbacks:
                batch_logs = {"loss": value, "size": nb}
                for callback in batch_callbacks:
                    callback.on_batch_end(batch, batch_logs)
        # a finite loss can still have a gradient that overflows the weights;
        # after the epoch's last step no later loss would tell (one check per
        # epoch, not per step; Σw² is finite for finite weights unless they are
        # huge, when the exact test decides)
        if any(
            not isfinite(float(np.dot(param, param))) and not np.isfinite(param).all()
            for param, _ in pairs
        ):
            for (param, _), saved in zip(pairs, snapshots[0], strict=True):
                np.copyto(param, saved)
            model.optimizer.set_state(opt_states[0])
            _diverged(model, epoch, math.nan, epoch, "the weights became inf or NaN")
        logs = {"loss": total / n}
        for (key, _), value in zip(metric_fns, metric_sums, strict=True):
            logs[key] = value / n
        return logs

    return run


def _diverged(
    model: Sequential, epoch: int, value: float, restored: int, what: str = ""
) -> None:
    """Raise TrainingDiverged; the message counts epochs from 1, like the bar.

    The epoch count and the history go back with the weights and the optimizer
    state, to epoch ``restored``'s start, so that all four agree on where
    training stands (``fit(..., initial_epoch=model.epoch)`` resumes from there).
    """
    model.epoch = restored
    history = model.history
    drop = sum(done >= restored for done in history.epoch)
    if drop:
        del history.epoch[-drop:]
        for values in history.history.values():
            del values[-drop:]
    rate = model.optimizer.current_learning_rate()
    what = what or f"the loss became {value}"
    raise TrainingDiverged(
        f"training diverged in epoch {epoch + 1}/{model._epochs_planned}: "
        f"{what}. The weights and optimizer state were restored to "
        f"those at the start of epoch {restored + 1}. Try a lower learning rate "
        f"(it is {rate:g}), or "
        "clipnorm= in the optimizer.",
        epoch=epoch,
        loss=value,
    )
