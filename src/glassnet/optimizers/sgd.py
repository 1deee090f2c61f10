"""Stochastic gradient descent (SGD): the article's rule, with momentum.

:class:`SGD` is PyTorch's ``torch.optim.SGD``; without momentum it is the article's
``w ← w − η ∂L/∂w``. Re-exported by :mod:`glassnet.optimizers`; import it from
there.
"""

from __future__ import annotations

import numpy as np

from glassnet import _fused
from glassnet.optimizers.base import KERNEL_REFUSALS, LearningRate, Optimizer, Pairs

__all__ = ["SGD"]


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
                    except KERNEL_REFUSALS:
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
                except KERNEL_REFUSALS:
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
