"""RMSprop: divide the gradient by a running RMS of recent gradients.

:class:`RMSprop` is PyTorch's ``torch.optim.RMSprop``, optionally centred and with
momentum. Re-exported by :mod:`glassnet.optimizers`; import it from there.
"""

from __future__ import annotations

import numpy as np

from glassnet.optimizers.base import LearningRate, Optimizer, Pairs

__all__ = ["RMSprop"]


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
