"""Adam and AdamW: momentum scaled by a running RMS of the gradient.

:class:`Adam` is PyTorch's ``torch.optim.Adam``; :class:`AdamW` is the same update
with decoupled weight decay (``torch.optim.AdamW``), a flag of the one update loop.
Both are re-exported by :mod:`glassnet.optimizers`; import them from there.
"""

from __future__ import annotations

import math

import numpy as np

from glassnet import _fused
from glassnet.optimizers.base import KERNEL_REFUSALS, LearningRate, Optimizer, Pairs

__all__ = ["Adam", "AdamW"]


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
                except KERNEL_REFUSALS:
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
