"""The optional compiled loops of ``_kernels.c``, or None.

``glassnet._kernels`` runs a few hot sequences (the SGD, momentum and Adam/AdamW
updates, ReLU's two passes, and Conv2D's and MaxPooling2D's sliding-window passes)
as one loop each: the same operations, in the same order and dtype, as the NumPy
passes written beside each call, so the numbers are bit-identical and the NumPy
code stays the readable reference.

``pip install`` builds the extension when a C compiler is there and skips it
otherwise; then ``KERNELS`` is None and the NumPy passes run. Setting the
environment variable ``GLASSNET_PURE_NUMPY=1`` before importing glassnet ignores a
built extension (to compare the two paths, or to rule the extension out).
"""

from __future__ import annotations

import os
from types import ModuleType


def _load() -> ModuleType | None:
    if os.environ.get("GLASSNET_PURE_NUMPY", "") not in ("", "0"):
        return None
    try:
        from glassnet import _kernels
    except ImportError:  # pragma: no cover - depends on the install
        return None
    # an extension built from an older _kernels.c (a stale editable build) lacks
    # loops the Python side calls: use none of it rather than fail mid-training
    if not all(hasattr(_kernels, name) for name in _NEEDED):  # pragma: no cover
        return None
    return _kernels


# Every loop the callers use (optimizers/, activations.py, layers/conv.py, pooling.py).
_NEEDED = (
    "sgd",
    "sgd_momentum",
    "adam",
    "relu_backward",
    "bias_relu",
    "im2col",
    "col2im",
    "max_pool",
    "max_pool_backward",
    "set_threads",
)


# Callers read _fused.KERNELS at each call (never a copy of their own), so setting
# it to None here switches every compiled loop off at once (tests, benchmarks).
KERNELS = _load()

# What a kernel raises when it can't take the arrays (a dtype other than
# float32/float64, mixed dtypes or shapes, not C-contiguous, read-only,
# overlapping; a scalar other than a Python float or int, e.g. np.float64, which
# NumPy would compute with in float64): it changed nothing, and the caller runs its
# NumPy passes instead.
REFUSED = TypeError


def default_threads() -> int:
    """Threads for the compiled memory-bound loops: ``GLASSNET_NUM_THREADS``, else 1.

    One by default, because NumPy's OpenBLAS keeps its worker threads spinning
    for a while after every matrix product (``OPENBLAS_THREAD_TIMEOUT``), and
    during training a product always came just before: a second thread of ours
    then shares a core with a spinning one and the loops got 14 % slower in a
    CNN epoch on 2 cores. With ``OPENBLAS_THREAD_TIMEOUT=4`` set before NumPy
    loads, ``GLASSNET_NUM_THREADS=2`` made the same epoch 20 % faster
    (benchmarks/README.md).
    """
    text = os.environ.get("GLASSNET_NUM_THREADS", "").strip()
    if text.isdigit() and int(text) >= 1:
        return min(int(text), 64)
    return 1


def set_threads(threads: int) -> None:
    """Use ``threads`` threads in the compiled loops (no-op without them).

    The numbers do not depend on it: each element is computed by one thread,
    with the same operations.
    """
    if KERNELS is not None:
        KERNELS.set_threads(int(threads))


if KERNELS is not None:
    KERNELS.set_threads(default_threads())
