"""Adagrad: divide by the root of the sum of all past squared gradients.

:class:`Adagrad` is PyTorch's ``torch.optim.Adagrad``. Re-exported by
:mod:`glassnet.optimizers`; import it from there.
"""

from __future__ import annotations

import numpy as np

from glassnet.optimizers.base import LearningRate, Optimizer, Pairs

__all__ = ["Adagrad"]


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
