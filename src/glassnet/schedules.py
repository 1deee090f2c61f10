"""Learning-rate schedules: the rate as a function of the updates done so far.

A schedule is a callable ``schedule(step) -> lr`` where ``step`` counts the
optimizer updates already done (0 for the first). Pass one as an optimizer's
``learning_rate``; the optimizer asks it for the rate before every update.
:class:`StepDecay`, :class:`ExponentialDecay` and :class:`CosineDecay` follow
PyTorch's and Keras' rules; subclass :class:`Schedule` for your own (only a
``Schedule`` can be saved with a model). :func:`get_schedule` rebuilds one from
its ``{"name": ..., **config}`` dict. Reduce-on-plateau is a callback.

The hyperparameter checks and the registry rules live here because both this
module and :mod:`glassnet.optimizers` (which imports it) use them.

Example
-------
>>> from glassnet import schedules
>>> config = {"initial_learning_rate": 0.1, "step_size": 2, "gamma": 0.5}
>>> schedule = schedules.get_schedule({"name": "step_decay", **config})
>>> [schedule(step) for step in range(5)]
[0.1, 0.1, 0.05, 0.05, 0.025]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from glassnet._registry import Configurable, class_registry
from glassnet._validation import (
    check_bool,
    check_finite_number,
    check_hyperparameter,
    check_positive_int,
)

__all__ = [
    "CosineDecay",
    "ExponentialDecay",
    "Schedule",
    "StepDecay",
    "get_schedule",
    "schedule_names",
]


# -------------------------------------------------------------------------- schedules
class Schedule(Configurable):
    """A learning rate that depends on the number of updates done so far.

    Subclasses implement ``__call__(step) -> float`` (``step`` = updates already
    done, 0 for the first) and ``get_config()``, and set ``name`` to their registry
    name, so ``get_schedule({"name": s.name, **s.get_config()})`` rebuilds ``s``.
    Any callable ``step -> lr`` also works as a learning rate, but only a
    ``Schedule`` can be saved with the model.

    Examples
    --------
    A linear warm-up over the first 100 updates:

    >>> class Warmup(Schedule):
    ...     name = "warmup"
    ...     def __init__(self, peak, steps):
    ...         self.peak, self.steps = peak, steps
    ...     def __call__(self, step):
    ...         return self.peak * min(1.0, (step + 1) / self.steps)
    ...     def get_config(self):
    ...         return {"peak": self.peak, "steps": self.steps}
    >>> from glassnet.optimizers import SGD
    >>> sgd = SGD(learning_rate=Warmup(0.1, steps=100))
    >>> sgd.current_learning_rate()
    0.001
    """

    name = "schedule"

    def __call__(self, step: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    __hash__ = None  # mutable settings: equal by value, so not hashable


def _initial_lr(value: Any) -> float:
    return check_hyperparameter(value, "initial_learning_rate", "learning rate")


def _decay_factor(value: Any, name: str) -> float:
    """A decay factor in (0, 1]."""
    return check_finite_number(
        value, name, minimum=0.0, maximum=1.0, strict_minimum=True
    )


class StepDecay(Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` updates.

    ``lr(step) = initial_learning_rate · gamma ** (step // step_size)``, the rule of
    ``torch.optim.lr_scheduler.StepLR`` (stepped once per update).

    Parameters
    ----------
    initial_learning_rate : float
        The learning rate of the first ``step_size`` updates (>= 0).
    step_size : int
        Updates between two decays (>= 1).
    gamma : float
        The factor applied at each decay, in (0, 1].

    Examples
    --------
    >>> schedule = StepDecay(0.1, step_size=2, gamma=0.5)
    >>> [schedule(step) for step in range(5)]
    [0.1, 0.1, 0.05, 0.05, 0.025]
    """

    name = "step_decay"

    def __init__(
        self, initial_learning_rate: float, step_size: int, gamma: float = 0.1
    ) -> None:
        self.initial_learning_rate = _initial_lr(initial_learning_rate)
        self.step_size = check_positive_int(step_size, "step_size")
        self.gamma = _decay_factor(gamma, "gamma")

    def __call__(self, step: int) -> float:
        return self.initial_learning_rate * self.gamma ** (step // self.step_size)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "step_size": self.step_size,
            "gamma": self.gamma,
        }


class ExponentialDecay(Schedule):
    """Decay the learning rate by ``decay_rate`` every ``decay_steps`` updates.

    ``lr(step) = initial_learning_rate · decay_rate ** (step / decay_steps)``, with the
    exponent rounded down when ``staircase`` (Keras' ``ExponentialDecay``). With
    ``decay_steps=1`` it is PyTorch's ``ExponentialLR(gamma=decay_rate)``.

    Parameters
    ----------
    initial_learning_rate : float
        The learning rate of the first update (>= 0).
    decay_rate : float
        The factor per ``decay_steps`` updates, in (0, 1].
    decay_steps : int
        Updates per full factor of ``decay_rate`` (>= 1).
    staircase : bool
        Decay in whole steps (integer exponent) rather than smoothly.

    Examples
    --------
    >>> schedule = ExponentialDecay(1.0, decay_rate=0.5, decay_steps=2)
    >>> [schedule(step) for step in range(3)]
    [1.0, 0.7071067811865476, 0.5]
    """

    name = "exponential_decay"

    def __init__(
        self,
        initial_learning_rate: float,
        decay_rate: float,
        decay_steps: int = 1,
        staircase: bool = False,
    ) -> None:
        self.initial_learning_rate = _initial_lr(initial_learning_rate)
        self.decay_rate = _decay_factor(decay_rate, "decay_rate")
        self.decay_steps = check_positive_int(decay_steps, "decay_steps")
        self.staircase = check_bool(staircase, "staircase")

    def __call__(self, step: int) -> float:
        exponent = (
            step // self.decay_steps if self.staircase else step / self.decay_steps
        )
        return self.initial_learning_rate * self.decay_rate**exponent

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_rate": self.decay_rate,
            "decay_steps": self.decay_steps,
            "staircase": self.staircase,
        }


class CosineDecay(Schedule):
    """Half a cosine from ``initial_learning_rate`` down to ``alpha`` times it.

    ``lr(step) = initial · (alpha + (1 − alpha) · (1 + cos(π · min(step, decay_steps)
    / decay_steps)) / 2)``: Keras' ``CosineDecay``, and
    ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=decay_steps,
    eta_min=alpha · initial)`` for the first ``decay_steps`` updates. After
    ``decay_steps`` the rate stays at its floor (PyTorch's would climb again).

    Parameters
    ----------
    initial_learning_rate : float
        The learning rate of the first update (>= 0).
    decay_steps : int
        Updates over which the rate falls to its floor (>= 1).
    alpha : float
        The floor as a fraction of ``initial_learning_rate``, in [0, 1].

    Examples
    --------
    >>> schedule = CosineDecay(1.0, decay_steps=4, alpha=0.2)
    >>> [round(schedule(step), 4) for step in (0, 2, 4, 9)]
    [1.0, 0.6, 0.2, 0.2]
    """

    name = "cosine_decay"

    def __init__(
        self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0
    ) -> None:
        self.initial_learning_rate = _initial_lr(initial_learning_rate)
        self.decay_steps = check_positive_int(decay_steps, "decay_steps")
        self.alpha = check_finite_number(alpha, "alpha", minimum=0.0, maximum=1.0)

    def __call__(self, step: int) -> float:
        progress = min(step, self.decay_steps) / self.decay_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * progress))
        return self.initial_learning_rate * (self.alpha + (1.0 - self.alpha) * cosine)

    def get_config(self) -> dict[str, Any]:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
        }


# --------------------------------------------------------------------------- registry
SCHEDULES: dict[str, type[Schedule]] = {
    cls.name: cls for cls in (StepDecay, ExponentialDecay, CosineDecay)
}
_SCHEDULES = class_registry("schedule", SCHEDULES, Schedule)


def get_schedule(identifier: str | Schedule | Mapping[str, Any]) -> Schedule:
    """A learning-rate schedule from a config dict (or a schedule, returned as is).

    Examples
    --------
    >>> get_schedule({"name": "step_decay", "initial_learning_rate": 0.1,
    ...               "step_size": 10})
    StepDecay(initial_learning_rate=0.1, step_size=10, gamma=0.1)
    """
    return _SCHEDULES.get(identifier)


def schedule_names() -> list[str]:
    """The schedule names :func:`get_schedule` accepts, sorted."""
    return _SCHEDULES.names()
