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

Import all of it from this package (``glassnet.optimizers.Adam``), never from its
files, which hold one concept each: ``base`` (the :class:`Optimizer` base
class: learning rate, state, checkpoints, the hyperparameter rules), ``clipping``
(:func:`clip_by_global_norm`), and one module per update rule: ``sgd``, ``adam``
(Adam and AdamW), ``rmsprop``, ``adagrad``. The registry (:func:`get`,
:func:`names`) lives here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from glassnet._registry import class_registry
from glassnet.optimizers.adagrad import Adagrad
from glassnet.optimizers.adam import Adam, AdamW
from glassnet.optimizers.base import (
    LearningRate,  # noqa: F401 - type aliases, still reachable from here
    Optimizer,
    Pairs,  # noqa: F401
)
from glassnet.optimizers.clipping import clip_by_global_norm
from glassnet.optimizers.rmsprop import RMSprop
from glassnet.optimizers.sgd import SGD
from glassnet.schedules import (
    SCHEDULES,  # noqa: F401 - still reachable as optimizers.SCHEDULES
    CosineDecay,
    ExponentialDecay,
    Schedule,
    StepDecay,
    get_schedule,
    schedule_names,
)

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


# --------------------------------------------------------------------------- registry
OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Adam, AdamW, RMSprop, Adagrad)
}
_OPTIMIZERS = class_registry("optimizer", OPTIMIZERS, Optimizer)


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
