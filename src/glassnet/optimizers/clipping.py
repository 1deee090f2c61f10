"""Gradient clipping: bound the size of an update and keep its direction.

:func:`clip_by_global_norm` is what an optimizer's ``clipnorm=`` runs before each
update (see :class:`glassnet.optimizers.Optimizer`); it is re-exported by
:mod:`glassnet.optimizers`, import it from there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["clip_by_global_norm"]


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
