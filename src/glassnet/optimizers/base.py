"""The optimizer base class: learning rate, clipping, state, checkpoints.

:class:`Optimizer` holds what every optimizer shares: the learning rate (a float
or a schedule), ``clipnorm``, the per-parameter state created on the first step,
``get_state``/``set_state`` to resume training exactly, and the hyperparameter
rules (``_RULES``) the subclasses' constructors check their settings by. Each
subclass (``_sgd``, ``_adam``, ``_rmsprop``, ``_adagrad``) adds only its update.
Everything is re-exported by :mod:`glassnet.optimizers`; import it from there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Union

import numpy as np

from glassnet import _fused
from glassnet._validation import (
    check_array,
    check_bool,
    check_finite_number,
    check_hyperparameter,
    check_positive_int,
    describe,
)
from glassnet.optimizers.clipping import clip_by_global_norm
from glassnet.schedules import Schedule, get_schedule

# The fused loops of _kernels.c (see glassnet._fused): the same operations in the
# same order and dtype as the NumPy passes of the subclasses' updates, in one trip
# through memory instead of up to twelve (Adam). _fused.KERNELS is None when they
# are not built or GLASSNET_PURE_NUMPY=1; it is read at each step, so one switch
# turns them off.
KERNEL_REFUSALS = _fused.REFUSED

__all__ = ["LearningRate", "Optimizer", "Pairs"]

Pairs = Sequence[tuple[np.ndarray, np.ndarray]]
LearningRate = Union[float, "Schedule", Callable[[int], float], Mapping[str, Any]]


# ----------------------------------------------------------------------------- checks
# The rule of every optimizer hyperparameter, by name (one name, one rule in every
# class): (label in PyTorch's "Invalid <label>: <value>", maximum, open at the
# maximum), or ``bool`` for a flag.
_RULES: dict[str, tuple[str, float | None, bool] | type] = {
    "momentum": ("momentum value", 1, False),
    "dampening": ("dampening value", 1, False),
    "alpha": ("alpha value", 1, False),
    "beta_1": ("beta parameter at index 0", 1, True),
    "beta_2": ("beta parameter at index 1", 1, True),
    "epsilon": ("epsilon value", None, False),
    "weight_decay": ("weight_decay value", None, False),
    "lr_decay": ("lr_decay value", None, False),
    "initial_accumulator_value": ("initial_accumulator_value value", None, False),
    "nesterov": bool,
    "amsgrad": bool,
    "centered": bool,
}


def _resolve_learning_rate(value: Any) -> tuple[float, Callable[[int], float] | None]:
    """(float learning rate, schedule or None) from a float, schedule or config dict."""
    if isinstance(value, Mapping):
        value = get_schedule(value)
    if callable(value):
        return float(value(0)), value
    try:
        return check_hyperparameter(value, "learning_rate", "learning rate"), None
    except TypeError:
        raise TypeError(
            "learning_rate must be a finite number >= 0 or a schedule "
            "(a callable step -> learning rate). "
            f"Received: learning_rate={describe(value)}"
        ) from None


class Optimizer:
    """Base class: learning rate, clipping, lazily created state, checkpoints.

    Subclasses set ``name``, store their hyperparameters with
    ``_set_hyperparameters(...)``, list their state in ``_slot_names()`` and
    implement ``_update(pairs, lr)``, which changes the parameters in place.

    Attributes
    ----------
    learning_rate : float or Schedule
        Assignable at any time, e.g. by a reduce-on-plateau callback; read the rate
        the next update uses with :meth:`current_learning_rate`.
    iterations : int
        Updates done so far.
    clipnorm : float or None
        Global-norm clipping threshold applied before each update.
    """

    name = "optimizer"
    _hyperparameter_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: LearningRate, clipnorm: float | None) -> None:
        self.learning_rate = learning_rate
        if clipnorm is not None:
            clipnorm = check_finite_number(
                clipnorm, "clipnorm", minimum=0.0, strict_minimum=True
            )
        self.clipnorm = clipnorm
        self.iterations = 0
        self._slots: dict[str, list[np.ndarray]] | None = None  # per-parameter state
        self._pending: dict[str, list[np.ndarray]] | None = None  # from set_state
        self._tmp: list[np.ndarray] | None = None  # scratch, one per parameter
        self._tmp2: list[np.ndarray] | None = None  # second scratch where needed
        # True until the new state has seen a gradient: PyTorch starts SGD's momentum
        # buffer at the first gradient itself, not at zero (it matters with dampening).
        self._fresh = True

    # -- learning rate ------------------------------------------------------------
    @property
    def learning_rate(self) -> float | Callable[[int], float]:
        return self._schedule if self._schedule is not None else self._lr

    @learning_rate.setter
    def learning_rate(self, value: LearningRate) -> None:
        self._lr, self._schedule = _resolve_learning_rate(value)

    def current_learning_rate(self) -> float:
        """The learning rate the next update will use."""
        if self._schedule is None:
            return self._lr
        return float(self._schedule(self.iterations))

    # -- the update ---------------------------------------------------------------
    def step(self, pairs: Pairs) -> None:
        """Update every parameter in place from its gradient.

        Parameters
        ----------
        pairs : list of (ndarray, ndarray)
            ``(parameter, gradient)`` pairs, the same arrays in the same order at
            every step. Gradients are left unchanged unless ``clipnorm`` clips them
            (then they are scaled in place).
        """
        if self._tmp is None or len(pairs) != len(self._tmp):
            self._build(pairs)
        if self.clipnorm is not None:
            clip_by_global_norm([grad for _, grad in pairs], self.clipnorm)
        schedule = self._schedule
        lr = self._lr if schedule is None else float(schedule(self.iterations))
        try:
            self._update(pairs, lr)
        except KeyError as error:  # a slot the settings at the first step needed not
            raise ValueError(
                f"{self!r} needs state ({error}) that was not made at its first "
                "step: a setting changed since. Give the setting to the constructor "
                "of a new optimizer (compile again with it)."
            ) from None
        except ValueError:
            # checked only on failure: the hot path compares no shapes
            shapes = [np.shape(param) for param, _ in pairs]
            built = [tmp.shape for tmp in self._tmp]
            if shapes == built:
                raise
            raise ValueError(
                f"step received parameters of shapes {shapes}, but this optimizer's "
                f"state was created for {built}. Pass the same parameters in the "
                "same order at every step: an optimizer serves one model, and a "
                "model whose layers changed needs a new optimizer (compile again "
                "with one)."
            ) from None
        self._fresh = False
        self.iterations += 1

    def _update(self, pairs: Pairs, lr: float) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _slot_names(self) -> tuple[str, ...]:
        return ()

    def _needs_tmp2(self) -> bool:
        return False

    def _initial_slot(self, slot: str, param: np.ndarray) -> np.ndarray:
        return np.zeros_like(param)

    def _second_scratch(self, pairs: Pairs) -> list[np.ndarray]:
        """The second scratch list, made late when weight decay was switched on
        after the first step (``_build`` made none); else the first scratch list."""
        if not self._needs_tmp2():
            return self._tmp
        self._tmp2 = [np.empty_like(param) for param, _ in pairs]
        return self._tmp2

    def _build(self, pairs: Pairs) -> None:
        """Create the state and scratch buffers (first step), checking the pairs."""
        if self._tmp is not None:
            raise ValueError(
                f"step received {len(pairs)} (parameter, gradient) pairs, but this "
                f"optimizer's state was created for {len(self._tmp)}. Pass the same "
                "parameters in the same order at every step (one optimizer per model)."
            )
        params = []
        for i, pair in enumerate(pairs):
            param, grad = pair
            if not isinstance(param, np.ndarray) or param.dtype.kind != "f":
                raise TypeError(
                    f"pairs[{i}][0] must be a float ndarray (a parameter). "
                    f"Received: {describe(param)}"
                )
            if np.shape(grad) != param.shape:
                raise ValueError(
                    f"pairs[{i}]: the gradient has shape {np.shape(grad)} but the "
                    f"parameter has shape {param.shape}"
                )
            params.append(param)
        pending = self._pending
        if pending:
            slots = {}
            for slot in self._slot_names():
                arrays = pending[slot]
                if len(arrays) != len(params):
                    raise ValueError(
                        f"the optimizer state holds {len(arrays)} arrays for slot "
                        f"{slot!r}, but step received {len(params)} parameters"
                    )
                for j, (array, param) in enumerate(zip(arrays, params, strict=True)):
                    if array.shape != param.shape:
                        raise ValueError(
                            f"the optimizer state {slot!r}[{j}] has shape "
                            f"{array.shape}, but parameter {j} has shape {param.shape}"
                        )
                slots[slot] = [
                    np.array(a, dtype=p.dtype)
                    for a, p in zip(arrays, params, strict=True)
                ]
        else:
            slots = {
                slot: [self._initial_slot(slot, p) for p in params]
                for slot in self._slot_names()
            }
        self._fresh = not pending
        self._slots, self._pending = slots, None
        self._tmp = [np.empty_like(p) for p in params]
        self._tmp2 = [np.empty_like(p) for p in params] if self._needs_tmp2() else None

    # -- checkpoints ----------------------------------------------------------------
    def get_state(self) -> dict[str, Any]:
        """The state as ``{"iterations": int, "slots": {name: [arrays...]}}`` (copies).

        Plain float arrays and an int, so it can be stored in an ``.npz`` without
        pickle. ``slots`` is empty before the first step.

        Examples
        --------
        >>> from glassnet.optimizers import SGD, get
        >>> w, g = np.array([1.0]), np.array([0.5])
        >>> sgd = SGD(0.1, momentum=0.9)
        >>> sgd.step([(w, g)])
        >>> sgd.get_state()
        {'iterations': 1, 'slots': {'momentum': [array([0.5])]}}
        >>> resumed = get({"name": sgd.name, **sgd.get_config()})
        >>> resumed.set_state(sgd.get_state())  # continues exactly where sgd stands
        """
        slots = self._slots if self._slots is not None else self._pending or {}
        return {
            "iterations": self.iterations,
            "slots": {k: [a.copy() for a in v] for k, v in slots.items()},
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`get_state` returned, to resume training exactly.

        Raises
        ------
        ValueError
            When the slots do not match this optimizer's settings, or (now or at the
            next step) the parameters' number or shapes.
        """
        if not isinstance(state, Mapping) or not {"iterations", "slots"} <= set(state):
            raise ValueError(
                "state must be a dict with 'iterations' and 'slots' "
                f"(from get_state). Received: state={describe(state)}"
            )
        iterations = check_positive_int(
            state["iterations"], "state['iterations']", minimum=0
        )
        slots = {
            k: v
            for k, v in dict(state["slots"]).items()
            if any(a is not None for a in v)
        }
        expected = set(self._slot_names())
        if slots and set(slots) != expected:
            raise ValueError(
                f"state['slots'] must have the slots {sorted(expected)} of "
                f"{self!r}. Received: {sorted(slots)}"
            )
        arrays = {}
        for slot, values in slots.items():
            arrays[slot] = [
                check_array(v, f"state['slots'][{slot!r}][{j}]", allow_empty=True)
                for j, v in enumerate(values)
            ]
        if self._slots is not None and arrays:
            for slot, values in arrays.items():
                current = self._slots[slot]
                if len(values) != len(current) or any(
                    a.shape != c.shape for a, c in zip(values, current, strict=True)
                ):
                    raise ValueError(
                        f"state['slots'][{slot!r}] does not match the parameters "
                        f"this optimizer updates: shapes {[a.shape for a in values]} "
                        f"vs {[c.shape for c in current]}"
                    )
            for slot, values in arrays.items():
                for target, value in zip(self._slots[slot], values, strict=True):
                    np.copyto(target, value)
            self._fresh = False
        else:
            # Built later, from these arrays (or fresh when there are none).
            self._slots = self._tmp = self._tmp2 = None
            self._pending = {k: [a.copy() for a in v] for k, v in arrays.items()}
        self.iterations = iterations

    # -- description ----------------------------------------------------------------
    def _lr_config(self) -> float | dict[str, Any]:
        schedule = self._schedule
        if schedule is None:
            return self._lr
        if not hasattr(schedule, "get_config") or not hasattr(schedule, "name"):
            raise TypeError(
                "learning_rate is a plain callable, which cannot be saved; use a "
                "Schedule subclass (with name and get_config). "
                f"Received: learning_rate={describe(schedule)}"
            )
        return {"name": schedule.name, **schedule.get_config()}

    def _set_hyperparameters(self, **values: Any) -> None:
        """Check each value by its rule in ``_RULES`` and store it as an attribute."""
        for name, value in values.items():
            rule = _RULES[name]
            if rule is bool:
                value = check_bool(value, name)
            else:
                label, maximum, open_max = rule
                value = check_hyperparameter(
                    value, name, label, maximum=maximum, open_max=open_max
                )
            setattr(self, name, value)
        self._hyperparameter_names = tuple(values)

    def _config(self) -> dict[str, Any]:
        """The subclass's own hyperparameters (not learning_rate, clipnorm)."""
        return {name: getattr(self, name) for name in self._hyperparameter_names}

    def get_config(self) -> dict[str, Any]:
        """JSON-able arguments: ``get({"name": o.name, **o.get_config()})`` = o."""
        return {
            "learning_rate": self._lr_config(),
            **self._config(),
            "clipnorm": self.clipnorm,
        }

    def __repr__(self) -> str:
        config = {"learning_rate": self.learning_rate, **self._config()}
        if self.clipnorm is not None:
            config["clipnorm"] = self.clipnorm
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"{type(self).__name__}({args})"
