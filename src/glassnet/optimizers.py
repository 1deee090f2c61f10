"""Optimizers: how a gradient becomes a change of the weights.

The article's rule is plain stochastic gradient descent, ``w ← w − η ∂L/∂w``. The
classes here are that rule and its well-known refinements, each written with
PyTorch's exact update formulas and defaults (``torch.optim`` is the reference the
tests compare against, step for step):

* :class:`SGD` — with momentum, Nesterov momentum, dampening and L2 weight decay;
* :class:`Adam` and :class:`AdamW` (decoupled weight decay), optionally AMSGrad;
* :class:`RMSprop` — optionally centred and with momentum;
* :class:`Adagrad`.

Every optimizer has one method that matters, ``step(pairs)``: it takes the model's
``(parameter, gradient)`` array pairs and updates each parameter **in place**. Its
state (momentum buffers, moment estimates, ...) lives in lists parallel to the
parameters, created on the first step, so ``step`` must receive the same parameters
in the same order every time (``Sequential`` guarantees this). The updates run
in place through preallocated scratch buffers and keep float32 arrays float32.

``learning_rate`` is a float or a schedule, a callable ``schedule(step) -> lr``
where ``step`` counts the updates already done (0 for the first):
:class:`StepDecay`, :class:`ExponentialDecay`, :class:`CosineDecay` (defined in
:mod:`glassnet.schedules` and re-exported here, with :func:`get_schedule`).
``clipnorm=`` rescales the gradients so their global L2 norm is at most ``clipnorm``
before each update (:func:`clip_by_global_norm`). L2 regularisation per layer is a
layer setting (``Dense(l2=...)``), and reduce-on-plateau is a callback.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Union

import numpy as np

from glassnet import _fused
from glassnet._validation import (
    check_array,
    check_finite_number,
    check_positive_int,
    describe,
)
from glassnet.schedules import (
    SCHEDULES,  # noqa: F401 - still reachable as optimizers.SCHEDULES
    CosineDecay,
    ExponentialDecay,
    Schedule,
    StepDecay,
    _check_bool,
    _hyperparameter,
    _registry,
    get_schedule,
    schedule_names,
)

# The fused loops of _kernels.c (see glassnet._fused): the same operations in the
# same order and dtype as the NumPy passes below, in one trip through memory
# instead of up to twelve (Adam). _fused.KERNELS is None when they are not built or
# GLASSNET_PURE_NUMPY=1; it is read at each step, so one switch turns them off.
_KERNEL_REFUSALS = _fused.REFUSED

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineDecay",
    "ExponentialDecay",
    "Optimizer",
    "RMSprop",
    "Schedule",
    "StepDecay",
    "clip_by_global_norm",
    "get",
    "get_schedule",
    "names",
    "schedule_names",
]

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
        return _hyperparameter(value, "learning_rate", "learning rate"), None
    except TypeError:
        raise TypeError(
            "learning_rate must be a finite number >= 0 or a schedule "
            "(a callable step -> learning rate). "
            f"Received: learning_rate={describe(value)}"
        ) from None


def clip_by_global_norm(grads: Sequence[np.ndarray], clipnorm: float) -> float:
    """Scale ``grads`` in place so that their global L2 norm is at most ``clipnorm``.

    The rule of ``torch.nn.utils.clip_grad_norm_``: with ``N = sqrt(Σ_i ||g_i||²)``
    over all arrays, every gradient is multiplied by ``clipnorm / (N + 1e-6)`` when
    that factor is below 1, and left alone otherwise. Clipping the norm keeps the
    direction of the update and bounds its size.

    Parameters
    ----------
    grads : sequence of ndarray
        The gradient arrays; **modified in place** when clipped.
    clipnorm : float
        The largest global norm allowed (> 0).

    Returns
    -------
    float
        The global norm before clipping.

    Examples
    --------
    >>> g = [np.array([3.0]), np.array([4.0])]
    >>> clip_by_global_norm(g, 1.0)
    5.0
    >>> np.round(np.concatenate(g), 6)
    array([0.6, 0.8])
    """
    total = 0.0
    for grad in grads:
        flat = grad.reshape(-1)  # a view for contiguous arrays: BLAS dot, no temporary
        total += float(np.dot(flat, flat))
    norm = math.sqrt(total)
    factor = clipnorm / (norm + 1e-6)
    if factor < 1.0:
        for grad in grads:
            np.multiply(grad, factor, out=grad)
    return norm


# ------------------------------------------------------------------------- optimizers
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
                value = _check_bool(value, name)
            else:
                label, maximum, open_max = rule
                value = _hyperparameter(
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


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay.

    PyTorch's ``torch.optim.SGD``: with ``d = g + λ·w`` (λ = ``weight_decay``, the L2
    penalty's gradient), the momentum buffer is ``b ← μ·b + (1 − dampening)·d``
    (``b = d`` at the first step), and the update is ``w ← w − η·b``, or
    ``w ← w − η·(d + μ·b)`` with Nesterov momentum. Without momentum it is the
    article's ``w ← w − η·∂L/∂w``.

    Parameters
    ----------
    learning_rate : float or Schedule
        η, the step size (>= 0). The default 0.01 is Keras' (PyTorch's is 0.001).
    momentum : float
        μ in [0, 1]; 0 turns momentum off.
    nesterov : bool
        Use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
    weight_decay : float
        λ >= 0, an L2 penalty added to the gradient.
    dampening : float
        In [0, 1]: how much of each new gradient is held back from the buffer.
    clipnorm : float, optional
        Clip the gradients' global norm to this before each update.

    Examples
    --------
    >>> w, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    >>> SGD(learning_rate=0.1).step([(w, g)])
    >>> w
    array([0.95, 2.1 ])
    """

    name = "sgd"

    def __init__(
        self,
        learning_rate: LearningRate = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        dampening: float = 0.0,
        *,
        clipnorm: float | None = None,
    ) -> None:
        super().__init__(learning_rate, clipnorm)
        self._set_hyperparameters(
            momentum=momentum,
            nesterov=nesterov,
            weight_decay=weight_decay,
            dampening=dampening,
        )
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum > 0 and zero dampening. "
                f"Received: momentum={momentum}, dampening={dampening}"
            )

    def _slot_names(self) -> tuple[str, ...]:
        return ("momentum",) if self.momentum > 0 else ()

    def _update(self, pairs: Pairs, lr: float) -> None:
        mu, wd, damp = self.momentum, self.weight_decay, self.dampening
        kernels = _fused.KERNELS
        if mu == 0.0:
            for (param, grad), tmp in zip(pairs, self._tmp, strict=True):
                # (tmp has the shape the state was built for: a changed one is
                # refused by the NumPy passes, with step's message; and its dtype,
                # which the passes round through, float64 tmp for float32 params)
                if (
                    kernels is not None
                    and param.shape == tmp.shape
                    and param.dtype == tmp.dtype
                ):
                    try:
                        kernels.sgd(param, grad, lr, wd)
                        continue
                    except _KERNEL_REFUSALS:
                        pass
                if wd:
                    np.multiply(param, wd, out=tmp)
                    np.add(tmp, grad, out=tmp)
                    np.multiply(tmp, lr, out=tmp)
                else:
                    np.multiply(grad, lr, out=tmp)
                np.subtract(param, tmp, out=param)
            return
        fresh = self._fresh
        for (param, grad), tmp, buf in zip(
            pairs, self._tmp, self._slots["momentum"], strict=True
        ):
            if kernels is not None:
                try:
                    kernels.sgd_momentum(
                        param, grad, buf, lr, mu, damp, wd, self.nesterov, fresh
                    )
                    continue
                except _KERNEL_REFUSALS:
                    pass
            d = grad
            if wd:
                np.multiply(param, wd, out=tmp)
                d = np.add(tmp, grad, out=tmp)
            if fresh:
                np.copyto(buf, d)
            else:
                np.multiply(buf, mu, out=buf)
                if damp:
                    d = np.multiply(d, 1.0 - damp, out=tmp)  # no Nesterov: d not reused
                np.add(buf, d, out=buf)
            if self.nesterov:
                # w -= η(d + μb), in two passes so one scratch buffer is enough
                np.multiply(d, lr, out=tmp)
                np.subtract(param, tmp, out=param)
                np.multiply(buf, lr * mu, out=tmp)
            else:
                np.multiply(buf, lr, out=tmp)
            np.subtract(param, tmp, out=param)


class Adam(Optimizer):
    """Adam: momentum on the gradient, scaled by a running RMS of the gradient.

    PyTorch's ``torch.optim.Adam``, at update ``t`` (1-based), with
    ``d = g + λ·w``::

        m ← β₁·m + (1 − β₁)·d            v ← β₂·v + (1 − β₂)·d²
        w ← w − η/(1 − β₁ᵗ) · m / (sqrt(v) / sqrt(1 − β₂ᵗ) + ε)

    With ``amsgrad`` the denominator uses the running maximum of ``v``.

    Parameters
    ----------
    learning_rate : float or Schedule
        η (>= 0).
    beta_1, beta_2 : float
        Decay rates of the two moment estimates, in [0, 1).
    epsilon : float
        ε >= 0, keeps the division finite.
    weight_decay : float
        λ >= 0, an L2 penalty added to the gradient (see :class:`AdamW` for the
        decoupled kind).
    amsgrad : bool
        Use the AMSGrad variant.
    clipnorm : float, optional
        Clip the gradients' global norm to this before each update.

    Examples
    --------
    >>> w, g = np.array([1.0, 2.0]), np.array([0.5, -3.0])
    >>> Adam(learning_rate=0.1).step([(w, g)])  # the first step moves by ≈ η·sign(g)
    >>> np.round(w, 6)
    array([0.9, 2.1])
    """

    name = "adam"
    _decoupled = False

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        clipnorm: float | None = None,
    ) -> None:
        super().__init__(learning_rate, clipnorm)
        self._set_hyperparameters(
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
        )

    def _slot_names(self) -> tuple[str, ...]:
        return ("m", "v", "v_max") if self.amsgrad else ("m", "v")

    def _needs_tmp2(self) -> bool:
        return self.weight_decay > 0 and not self._decoupled

    def _update(self, pairs: Pairs, lr: float) -> None:
        b1, b2, wd = self.beta_1, self.beta_2, self.weight_decay
        t = self.iterations + 1
        bc2_sqrt = math.sqrt(1.0 - b2**t)
        # m/(sqrt(v)/sqrt(bc2) + ε)·η/bc1 = m/(sqrt(v) + ε·sqrt(bc2))·η·sqrt(bc2)/bc1:
        # the same number with one pass fewer over the arrays.
        eps_hat = self.epsilon * bc2_sqrt
        scale = lr / (1.0 - b1**t) * bc2_sqrt
        slots = self._slots
        v_maxes = slots["v_max"] if self.amsgrad else slots["v"]
        tmp2 = self._tmp2 or (self._second_scratch(pairs) if wd else self._tmp)
        kernels = _fused.KERNELS
        decay = 1.0 - lr * wd if self._decoupled and wd else None
        for (param, grad), tmp, other, m, v, v_max in zip(
            pairs, self._tmp, tmp2, slots["m"], slots["v"], v_maxes, strict=True
        ):
            if kernels is not None:
                try:
                    kernels.adam(
                        param,
                        grad,
                        m,
                        v,
                        None if v_max is v else v_max,
                        b1,
                        b2,
                        eps_hat,
                        scale,
                        wd,
                        decay,
                    )
                    continue
                except _KERNEL_REFUSALS:
                    pass
            d = grad
            if wd:
                if self._decoupled:
                    np.multiply(param, 1.0 - lr * wd, out=param)
                else:
                    np.multiply(param, wd, out=other)
                    d = np.add(other, grad, out=other)
            np.multiply(m, b1, out=m)
            np.multiply(d, 1.0 - b1, out=tmp)
            np.add(m, tmp, out=m)
            np.multiply(v, b2, out=v)
            np.multiply(d, d, out=tmp)
            np.multiply(tmp, 1.0 - b2, out=tmp)
            np.add(v, tmp, out=v)
            if v_max is not v:
                np.maximum(v_max, v, out=v_max)
            np.sqrt(v_max, out=tmp)
            np.add(tmp, eps_hat, out=tmp)
            np.divide(m, tmp, out=tmp)
            np.multiply(tmp, scale, out=tmp)
            np.subtract(param, tmp, out=param)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter).

    PyTorch's ``torch.optim.AdamW``: before the Adam update, the weights shrink by
    ``w ← w·(1 − η·λ)``, instead of ``λ·w`` being added to the gradient, so the decay
    is not rescaled by Adam's denominator. Same parameters as :class:`Adam`, with
    PyTorch's default ``weight_decay=0.01``.

    Examples
    --------
    >>> w, g = np.array([1.0]), np.array([0.0])
    >>> AdamW(learning_rate=0.1, weight_decay=0.5).step([(w, g)])  # no gradient:
    >>> w  # only the decay, 1 · (1 − 0.1 · 0.5)
    array([0.95])
    """

    name = "adamw"
    _decoupled = True

    def __init__(
        self,
        learning_rate: LearningRate = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
        *,
        clipnorm: float | None = None,
    ) -> None:
        super().__init__(
            learning_rate,
            beta_1,
            beta_2,
            epsilon,
            weight_decay,
            amsgrad,
            clipnorm=clipnorm,
        )


class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running RMS of recent gradients.

    PyTorch's ``torch.optim.RMSprop``, with ``d = g + λ·w``::

        s ← α·s + (1 − α)·d²
        a ← sqrt(s) + ε                     (centred: a ← sqrt(s − ḡ²) + ε,
                                             ḡ ← α·ḡ + (1 − α)·d)
        w ← w − η·d/a                       (momentum: b ← μ·b + d/a; w ← w − η·b)

    Parameters
    ----------
    learning_rate : float or Schedule
        η (>= 0).
    alpha : float
        α in [0, 1], the decay of the running average of d².
    epsilon : float
        ε >= 0.
    weight_decay : float
        λ >= 0, an L2 penalty added to the gradient.
    momentum : float
        μ in [0, 1].
    centered : bool
        Normalise by an estimate of the gradient's variance instead of its second
        moment.
    clipnorm : float, optional
        Clip the gradients' global norm to this before each update.

    Examples
    --------
    >>> w, g = np.array([1.0]), np.array([2.0])
    >>> RMSprop(learning_rate=0.01, alpha=0.75).step([(w, g)])
    >>> np.round(w, 6)  # 1 − 0.01 · 2 / sqrt(0.25 · 4)
    array([0.98])
    """

    name = "rmsprop"

    def __init__(
        self,
        learning_rate: LearningRate = 0.01,
        alpha: float = 0.99,
        epsilon: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
        *,
        clipnorm: float | None = None,
    ) -> None:
        super().__init__(learning_rate, clipnorm)
        self._set_hyperparameters(
            alpha=alpha,
            epsilon=epsilon,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
        )

    def _slot_names(self) -> tuple[str, ...]:
        names = ("square_avg",)
        if self.momentum > 0:
            names += ("momentum",)
        if self.centered:
            names += ("grad_avg",)
        return names

    def _needs_tmp2(self) -> bool:
        return self.weight_decay > 0

    def _update(self, pairs: Pairs, lr: float) -> None:
        alpha, wd, mu = self.alpha, self.weight_decay, self.momentum
        slots = self._slots
        n = len(pairs)
        bufs = slots["momentum"] if mu > 0 else [None] * n
        grad_avgs = slots["grad_avg"] if self.centered else [None] * n
        tmp2 = self._tmp2 or (self._second_scratch(pairs) if wd else self._tmp)
        for (param, grad), tmp, other, square_avg, buf, grad_avg in zip(
            pairs, self._tmp, tmp2, slots["square_avg"], bufs, grad_avgs, strict=True
        ):
            d = grad
            if wd:
                np.multiply(param, wd, out=other)
                d = np.add(other, grad, out=other)
            np.multiply(square_avg, alpha, out=square_avg)
            np.multiply(d, d, out=tmp)
            np.multiply(tmp, 1.0 - alpha, out=tmp)
            np.add(square_avg, tmp, out=square_avg)
            if grad_avg is not None:
                np.multiply(grad_avg, alpha, out=grad_avg)
                np.multiply(d, 1.0 - alpha, out=tmp)
                np.add(grad_avg, tmp, out=grad_avg)
                np.multiply(grad_avg, grad_avg, out=tmp)
                np.subtract(square_avg, tmp, out=tmp)
                # s ≥ ḡ² in exact arithmetic; rounding must not make sqrt see -0.0001
                np.maximum(tmp, 0.0, out=tmp)
                np.sqrt(tmp, out=tmp)
            else:
                np.sqrt(square_avg, out=tmp)
            np.add(tmp, self.epsilon, out=tmp)
            np.divide(d, tmp, out=tmp)
            if buf is not None:
                np.multiply(buf, mu, out=buf)
                np.add(buf, tmp, out=buf)
                np.multiply(buf, lr, out=tmp)
            else:
                np.multiply(tmp, lr, out=tmp)
            np.subtract(param, tmp, out=param)


class Adagrad(Optimizer):
    """Adagrad: divide by the root of the sum of all past squared gradients.

    PyTorch's ``torch.optim.Adagrad``, at update ``t`` (1-based), with
    ``d = g + λ·w``::

        S ← S + d²
        w ← w − η/(1 + (t − 1)·lr_decay) · d/(sqrt(S) + ε)

    Parameters
    ----------
    learning_rate : float or Schedule
        η (>= 0).
    lr_decay : float
        >= 0; shrinks η as 1/(1 + (t − 1)·lr_decay).
    weight_decay : float
        λ >= 0, an L2 penalty added to the gradient.
    initial_accumulator_value : float
        >= 0, the starting value of S.
    epsilon : float
        ε >= 0.
    clipnorm : float, optional
        Clip the gradients' global norm to this before each update.

    Examples
    --------
    >>> w, g = np.array([1.0]), np.array([4.0])
    >>> Adagrad(learning_rate=0.5, initial_accumulator_value=9.0).step([(w, g)])
    >>> np.round(w, 6)  # 1 − 0.5 · 4 / sqrt(9 + 16)
    array([0.6])
    """

    name = "adagrad"

    def __init__(
        self,
        learning_rate: LearningRate = 0.01,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        epsilon: float = 1e-10,
        *,
        clipnorm: float | None = None,
    ) -> None:
        super().__init__(learning_rate, clipnorm)
        self._set_hyperparameters(
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            epsilon=epsilon,
        )

    def _slot_names(self) -> tuple[str, ...]:
        return ("sum",)

    def _initial_slot(self, slot: str, param: np.ndarray) -> np.ndarray:
        return np.full_like(param, self.initial_accumulator_value)

    def _needs_tmp2(self) -> bool:
        return self.weight_decay > 0

    def _update(self, pairs: Pairs, lr: float) -> None:
        wd = self.weight_decay
        clr = lr / (1.0 + self.iterations * self.lr_decay)
        tmp2 = self._tmp2 or (self._second_scratch(pairs) if wd else self._tmp)
        for (param, grad), tmp, other, total in zip(
            pairs, self._tmp, tmp2, self._slots["sum"], strict=True
        ):
            d = grad
            if wd:
                np.multiply(param, wd, out=other)
                d = np.add(other, grad, out=other)
            np.multiply(d, d, out=tmp)
            np.add(total, tmp, out=total)
            np.sqrt(total, out=tmp)
            np.add(tmp, self.epsilon, out=tmp)
            np.divide(d, tmp, out=tmp)
            np.multiply(tmp, clr, out=tmp)
            np.subtract(param, tmp, out=param)


# --------------------------------------------------------------------------- registry
OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad)
}
_OPTIMIZERS = _registry("optimizer", OPTIMIZERS, Optimizer)


def get(identifier: str | Optimizer | Mapping[str, Any]) -> Optimizer:
    """An optimizer from a name, a config dict, or an optimizer (returned as is).

    A name gives a new optimizer with PyTorch's defaults; ``{"name": ..., **config}``
    (what ``get_config`` produces) gives a new one with those settings; an
    :class:`Optimizer` instance is returned itself, so its state is kept.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the valid ones.

    Examples
    --------
    >>> get("adam")
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-08, \
weight_decay=0.0, amsgrad=False)
    >>> get({"name": "sgd", "learning_rate": 0.1, "momentum": 0.9}).momentum
    0.9
    """
    return _OPTIMIZERS.get(identifier)


def names() -> list[str]:
    """The optimizer names :func:`get` accepts, sorted."""
    return _OPTIMIZERS.names()
