"""Per-sample training weights from ``sample_weight`` and ``class_weight``.

:func:`training_weights` is what :meth:`Sequential.fit
<glassnet.network.Sequential.fit>` calls: it checks ``sample_weight`` (one finite,
non-negative number per sample), turns ``class_weight`` into one weight per
sample from the class of each prepared target, and multiplies the two. The loss
then averages Σ wᵢ·lᵢ over the batch size (Keras's normalisation; see
:meth:`glassnet.losses.Loss.forward`).

Example
-------
>>> import numpy as np
>>> training_weights(np.array([0, 1, 1, 1]), None, "balanced").tolist()
[2.0, 0.6666666666666666, 0.6666666666666666, 0.6666666666666666]
>>> training_weights(np.array([0, 1]), [1.0, 3.0], {1: 0.5}).tolist()
[1.0, 1.5]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from glassnet._validation import check_array, describe

__all__ = ["target_classes", "training_weights"]


def target_classes(y: np.ndarray) -> np.ndarray:
    """The class index of each prepared target row.

    Integer labels stay as they are; one-hot (or probability) rows give their
    largest column; a single 0/1 column (binary targets) gives 0 or 1.
    """
    y = np.asarray(y)
    if y.ndim == 1:
        return y.astype(np.int64)
    if y.shape[1] == 1:
        return (y[:, 0] >= 0.5).astype(np.int64)
    return np.argmax(y, axis=1)


def training_weights(
    y: np.ndarray, sample_weight: Any = None, class_weight: Any = None
) -> np.ndarray | None:
    """One float64 weight per sample, or None when neither argument is given.

    Parameters
    ----------
    y : ndarray
        The prepared targets (class labels, one-hot rows or a 0/1 column when
        ``class_weight`` is given).
    sample_weight : array_like of shape (n_samples,), optional
        Non-negative finite weights.
    class_weight : dict or "balanced", optional
        ``{class_index: weight}`` (classes not named weigh 1), or "balanced":
        n / (n_classes · count of the class), over the classes present.

    Raises
    ------
    ValueError
        For weights of the wrong shape, negative or non-finite ones, or every
        weight zero; for class_weight that is neither a dict nor "balanced", or
        has negative or non-finite values.
    """
    n = len(y)
    weights = None
    if sample_weight is not None:
        weights = check_array(sample_weight, "sample_weight", ndim=1)
        weights = weights.astype(np.float64, copy=True)
        if weights.shape[0] != n:
            raise ValueError(
                f"sample_weight must hold one weight per sample ({n}). "
                f"Received: sample_weight with shape {weights.shape}"
            )
        if (weights < 0).any():
            i = int(np.flatnonzero(weights < 0)[0])
            raise ValueError(
                "sample_weight must be non-negative. "
                f"Received: sample_weight[{i}]={weights[i].item()!r}"
            )
    if class_weight is not None:
        classes = target_classes(y)
        if isinstance(class_weight, str) and class_weight == "balanced":
            present, counts = np.unique(classes, return_counts=True)
            balanced = n / (len(present) * counts)
            table = dict(zip(present.tolist(), balanced.tolist(), strict=True))
        elif isinstance(class_weight, Mapping):
            table = {}
            for key, value in class_weight.items():
                value = float(value)
                if not np.isfinite(value) or value < 0:
                    raise ValueError(
                        "class_weight values must be finite and non-negative. "
                        f"Received: class_weight[{key!r}]={value!r}"
                    )
                table[int(key)] = value
        else:
            raise ValueError(
                "class_weight must be a dict {class_index: weight} or 'balanced'. "
                f"Received: class_weight={describe(class_weight)}"
            )
        per_class = np.array([table.get(c, 1.0) for c in classes.tolist()])
        weights = per_class if weights is None else weights * per_class
    if weights is not None and not weights.any():
        raise ValueError(
            "sample_weight and class_weight leave every sample with weight 0: "
            "nothing to learn from. Received: all weights 0"
        )
    return weights
