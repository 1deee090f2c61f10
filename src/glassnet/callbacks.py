"""Callbacks: code that ``fit`` runs at fixed points of training (Keras' hooks).

``fit`` calls, in order: ``set_model(model)``, ``set_params(params)``,
``on_train_begin(logs)``, then per epoch ``on_epoch_begin(epoch, logs)``,
``on_batch_end(batch, logs)`` after each step (only for callbacks that define it),
``on_epoch_end(epoch, logs)`` with ``logs = {"loss": ..., "accuracy": ...,
"val_loss": ...}``, and finally ``on_train_end(logs)``. A callback may set
``model.stop_training = True`` to end training after the current epoch.

The library never prints: :class:`ProgressBar` is the one callback that writes, to
the stream it is given (stderr by default); ``fit(verbose=1)`` adds it.

Example
-------
>>> import numpy as np
>>> import glassnet as gn
>>> model = gn.Sequential([gn.Dense(1, 1)], seed=0, dtype="float64")
>>> model.compile(loss="mse", optimizer=gn.optimizers.SGD(0.1))
>>> X = np.linspace(-1, 1, 20)[:, None]
>>> stop = gn.EarlyStopping(monitor="loss", patience=2, min_delta=1e-3)
>>> history = model.fit(X, 3 * X, epochs=500, callbacks=[stop])
>>> len(history.history["loss"]) < 500  # stopped once the loss stopped falling
True
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from glassnet._validation import (
    check_choice,
    check_finite_number,
    check_positive_int,
    describe,
)

__all__ = [
    "Callback",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "ModelCheckpoint",
    "ProgressBar",
    "ReduceLROnPlateau",
]


class Callback:
    """Base class: every hook does nothing; override the ones you need.

    Attributes
    ----------
    model : Sequential
        The model being trained (set by ``fit``).
    params : dict
        ``epochs``, ``initial_epoch``, ``batch_size``, ``samples``, ``steps``,
        ``verbose`` of the running ``fit``.
    """

    model: Any = None
    params: dict[str, Any] = {}

    def __repr__(self) -> str:
        """The class and its settings (public numbers, strings, flags), short:
        ``EarlyStopping(monitor='val_loss', patience=3, ...)``."""
        settings = [
            f"{key}={value!r}"
            for key, value in vars(self).items()
            if not key.startswith("_")
            and key not in ("model", "params")
            and (value is None or isinstance(value, (bool, int, float, str)))
        ]
        return f"{type(self).__name__}({', '.join(settings)})"

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    @property
    def wants_batches(self) -> bool:
        """Whether ``on_batch_end`` is overridden (fit skips the call otherwise)."""
        return type(self).on_batch_end is not Callback.on_batch_end

    @property
    def wants_epoch_begin(self) -> bool:
        """Whether ``on_epoch_begin`` is overridden."""
        return type(self).on_epoch_begin is not Callback.on_epoch_begin

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Before the first epoch."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Before each epoch (0-based)."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """After each optimizer step; ``logs = {"loss": ..., "size": ...}``."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """After each epoch, with the epoch's losses and metrics."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """After the last epoch (not called when training raises)."""


class History(Callback):
    """Records every epoch's logs; ``fit`` always uses one and returns it.

    Attributes
    ----------
    history : dict of str to list of float
        ``{"loss": [...], "accuracy": [...], "val_loss": [...]}``, one value per epoch.
    epoch : list of int
        The epoch numbers recorded.

    Example
    -------
    >>> h = History()
    >>> h.on_epoch_end(0, {"loss": 0.5})
    >>> h.history
    {'loss': [0.5]}
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))

    def __repr__(self) -> str:
        return f"History({', '.join(self.history)}; {len(self.epoch)} epochs)"


def _resolve_mode(mode: str, monitor: str) -> str:
    mode = check_choice(mode, "mode", ("auto", "min", "max"))
    if mode == "auto":
        # accuracies rise, losses and errors fall (Keras' rule)
        return "max" if "acc" in monitor else "min"
    return mode


class _Monitor(Callback):
    """Shared bookkeeping for callbacks that watch one logged quantity."""

    def __init__(self, monitor: str, min_delta: float, mode: str) -> None:
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(
                f"monitor must be the name of a logged value such as 'val_loss'. "
                f"Received: monitor={describe(monitor)}"
            )
        self.monitor = monitor
        self.min_delta = check_finite_number(min_delta, "min_delta", minimum=0.0)
        self.mode = _resolve_mode(mode, monitor)
        self.best = math.inf if self.mode == "min" else -math.inf

    def _reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = 0

    def _current(self, logs: dict | None) -> float:
        logs = logs or {}
        if self.monitor not in logs:
            available = ", ".join(repr(k) for k in logs) or "none"
            hint = (
                " (val_ values need validation_data or validation_split in fit)"
                if self.monitor.startswith("val_")
                else ""
            )
            raise ValueError(
                f"{type(self).__name__} monitors {self.monitor!r}, which fit does not "
                f"log{hint}. Logged: {available}"
            )
        return float(logs[self.monitor])

    def _improved(self, current: float) -> bool:
        if self.mode == "min":
            return current < self.best - self.min_delta
        return current > self.best + self.min_delta


class EarlyStopping(_Monitor):
    """Stop training when a monitored value has stopped improving.

    After ``patience`` epochs in a row without an improvement of more than
    ``min_delta`` over the best value so far, ``model.stop_training`` is set.

    Parameters
    ----------
    monitor : str
        A key of the epoch logs: ``"val_loss"`` (default), ``"loss"``,
        ``"val_accuracy"``, ...
    patience : int
        Epochs without improvement to tolerate (0 and 1 both stop at the first).
    min_delta : float
        The smallest change that counts as an improvement.
    mode : {"auto", "min", "max"}
        Whether lower or higher is better; "auto" picks "max" for accuracies.
    restore_best_weights : bool
        At the end of training, put back the weights of the best epoch.

    Attributes
    ----------
    best : float
        Best value seen.
    best_epoch : int or None
    stopped_epoch : int or None
        The epoch after which training was stopped, None if it ran to the end.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 0,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        super().__init__(monitor, min_delta, mode)
        self.patience = check_positive_int(patience, "patience", minimum=0)
        self.restore_best_weights = bool(restore_best_weights)
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self.best_epoch: int | None = None
        self.best_weights: list[np.ndarray] | None = None
        self.stopped_epoch: int | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        current = self._current(logs)
        if self._improved(current):
            self.best, self.best_epoch, self.wait = current, epoch, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.best_weights is not None and self.best_epoch != self.model.epoch - 1:
            self.model.set_weights(self.best_weights)


class ReduceLROnPlateau(_Monitor):
    """Multiply the optimizer's learning rate by ``factor`` when progress stalls.

    After ``patience`` epochs without an improvement of more than ``min_delta``,
    ``optimizer.learning_rate`` becomes ``max(learning_rate * factor, min_lr)``;
    then ``cooldown`` epochs pass before the count starts again.

    Parameters
    ----------
    monitor : str
        Default ``"val_loss"``.
    factor : float in (0, 1)
    patience : int
    min_delta : float
    min_lr : float
        The rate never goes below this.
    cooldown : int
    mode : {"auto", "min", "max"}

    Raises
    ------
    TypeError
        When training starts (before any step), if the optimizer follows a
        schedule (two rules for the rate would fight).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        min_delta: float = 1e-4,
        min_lr: float = 0.0,
        cooldown: int = 0,
        mode: str = "auto",
    ) -> None:
        super().__init__(monitor, min_delta, mode)
        self.factor = check_finite_number(factor, "factor", minimum=0.0, maximum=1.0)
        if not 0.0 < self.factor < 1.0:
            raise ValueError(f"factor must be in (0, 1). Received: factor={factor!r}")
        self.patience = check_positive_int(patience, "patience", minimum=0)
        self.min_lr = check_finite_number(min_lr, "min_lr", minimum=0.0)
        self.cooldown = check_positive_int(cooldown, "cooldown", minimum=0)
        self._reset()

    def _reset(self) -> None:
        super()._reset()
        self.cooldown_counter = 0

    def _check_fixed_rate(self) -> None:
        rate = self.model.optimizer.learning_rate
        if callable(rate):
            raise TypeError(
                "ReduceLROnPlateau needs an optimizer with a fixed learning rate, "
                f"not a schedule. Received: learning_rate={rate!r}"
            )

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()
        self._check_fixed_rate()  # refused before the first step, not after epoch 1

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        current = self._current(logs)
        self._check_fixed_rate()
        optimizer = self.model.optimizer
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best, self.wait = current, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience:
                rate = float(optimizer.learning_rate)
                if rate > self.min_lr:
                    optimizer.learning_rate = max(rate * self.factor, self.min_lr)
                    self.cooldown_counter = self.cooldown
                self.wait = 0


def _format_logs(logs: dict | None) -> str:
    return " - ".join(f"{key}: {value:.4f}" for key, value in (logs or {}).items())


def _is_notebook(stream: Any) -> bool:
    """Whether ``stream`` is a Jupyter kernel's output (ipykernel's OutStream)."""
    return type(stream).__module__.startswith("ipykernel.")


class ProgressBar(Callback):
    """Show training progress: epoch, loss and metrics (tqdm on a terminal).

    Parameters
    ----------
    stream : file-like, optional
        Where to write (default: ``sys.stderr`` at training time).
    plain : bool, optional
        One line per epoch instead of a bar. Default: a text bar on a terminal
        and in a Jupyter notebook, plain lines elsewhere (a log file, a pipe),
        never carriage returns in a file.

    Example
    -------
    >>> import io
    >>> bar = ProgressBar(stream=io.StringIO())
    >>> bar.set_params({"epochs": 2, "initial_epoch": 0})
    >>> bar.on_train_begin()
    >>> bar.on_epoch_end(0, {"loss": 0.25})
    >>> bar.stream.getvalue()
    'Epoch 1/2 - loss: 0.2500\\n'
    """

    def __init__(self, stream: TextIO | None = None, plain: bool | None = None):
        self.stream = stream
        self.plain = plain
        self._bar: Any = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        stream = self.stream if self.stream is not None else sys.stderr
        self._out = stream
        plain = self.plain
        if plain is None:
            isatty = getattr(stream, "isatty", None)
            terminal = isatty is not None and isatty()
            plain = not (terminal or _is_notebook(stream))
        self._epochs = int(self.params.get("epochs", 0))
        if not plain:
            # tqdm's text bar, on a terminal and in a notebook alike (Jupyter
            # redraws its carriage returns); tqdm.auto would want ipywidgets in a
            # notebook and warn without them. Imported here: only bars need it.
            from tqdm.std import tqdm

            start = int(self.params.get("initial_epoch", 0))
            self._bar = tqdm(
                total=self._epochs, initial=start, file=stream, unit="epoch"
            )

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(_format_logs(logs), refresh=False)
            self._bar.update(1)
        else:
            text = _format_logs(logs)
            self._out.write(
                f"Epoch {epoch + 1}/{self._epochs}{' - ' if text else ''}{text}\n"
            )
            flush = getattr(self._out, "flush", None)
            if flush is not None:
                flush()

    def close(self) -> None:
        """Close the bar (``fit`` calls this even when training raises)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def on_train_end(self, logs: dict | None = None) -> None:
        self.close()


class ModelCheckpoint(_Monitor):
    """Save the model after every epoch, or only when it improves, through
    ``model.save`` (atomic: a crash never leaves a half-written file).

    Parameters
    ----------
    path : str or os.PathLike
        A folder (existing, or given with a trailing separator), where files are
        named ``epoch-0001.npz`` (``best.npz`` with ``save_best_only``); or a
        file path, optionally with fields filled from the epoch (1-based) and the
        logs, e.g. ``"ckpt/model-{epoch:03d}-{val_loss:.3f}.npz"``.
    monitor : str
        What ``save_best_only`` compares (default ``"val_loss"``).
    save_best_only : bool
        Save only when ``monitor`` improves on the best so far (over every ``fit``
        this callback is given to, like Keras).
    mode : {"auto", "min", "max"}

    Attributes
    ----------
    last_path : pathlib.Path or None
        The file written last.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        monitor: str = "val_loss",
        save_best_only: bool = False,
        mode: str = "auto",
    ) -> None:
        super().__init__(monitor, 0.0, mode)
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(
                f"path must be a folder or file path. Received: path={describe(path)}"
            )
        self.path = path
        self.save_best_only = bool(save_best_only)
        self.last_path: Path | None = None

    # no reset at on_train_begin: "best" is the best over every fit this callback
    # serves (as Keras keeps it), so a later fit that starts worse keeps best.npz

    def _target(self, epoch: int, logs: dict) -> Path:
        text = os.fspath(self.path)
        if os.path.isdir(text) or text.endswith(("/", os.sep)):
            os.makedirs(text, exist_ok=True)
            name = "best.npz" if self.save_best_only else f"epoch-{epoch + 1:04d}.npz"
            return Path(text) / name
        fields = {"epoch": epoch + 1, **logs}
        try:
            return Path(text.format(**fields))
        except (KeyError, IndexError) as error:
            raise ValueError(
                f"ModelCheckpoint path {text!r} has a field fit does not log: "
                f"{error}. Fields: {', '.join(repr(k) for k in fields)}"
            ) from None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.save_best_only:
            current = self._current(logs)
            if not self._improved(current):
                return
            self.best = current
        target = self._target(epoch, logs)
        self.model.save(target)
        self.last_path = target


class LambdaCallback(Callback):
    """A callback made of plain functions, for one-off needs.

    Parameters
    ----------
    on_epoch_begin, on_epoch_end : callable(epoch, logs), optional
    on_batch_end : callable(batch, logs), optional
    on_train_begin, on_train_end : callable(logs), optional

    Example
    -------
    >>> seen = []
    >>> callback = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    >>> callback.on_epoch_end(3, {})
    >>> seen
    [3]
    """

    def __init__(
        self,
        on_epoch_begin: Callable | None = None,
        on_epoch_end: Callable | None = None,
        on_batch_end: Callable | None = None,
        on_train_begin: Callable | None = None,
        on_train_end: Callable | None = None,
    ) -> None:
        self._hooks = {
            "on_epoch_begin": on_epoch_begin,
            "on_epoch_end": on_epoch_end,
            "on_batch_end": on_batch_end,
            "on_train_begin": on_train_begin,
            "on_train_end": on_train_end,
        }

    @property
    def wants_batches(self) -> bool:
        return self._hooks["on_batch_end"] is not None

    @property
    def wants_epoch_begin(self) -> bool:
        return self._hooks["on_epoch_begin"] is not None

    def on_epoch_begin(self, epoch, logs=None):
        if self._hooks["on_epoch_begin"]:
            self._hooks["on_epoch_begin"](epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self._hooks["on_epoch_end"]:
            self._hooks["on_epoch_end"](epoch, logs)

    def on_batch_end(self, batch, logs=None):
        if self._hooks["on_batch_end"]:
            self._hooks["on_batch_end"](batch, logs)

    def on_train_begin(self, logs=None):
        if self._hooks["on_train_begin"]:
            self._hooks["on_train_begin"](logs)

    def on_train_end(self, logs=None):
        if self._hooks["on_train_end"]:
            self._hooks["on_train_end"](logs)
