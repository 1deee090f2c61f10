"""Splitting samples: train/test and validation splits, and minibatch indices.

Everything works on indices or on plain NumPy arrays whose rows are samples, and all
randomness comes from a seed or a :class:`numpy.random.Generator`. The public names
are re-exported by :mod:`glassnet.data`; import them from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from glassnet._validation import (
    check_finite_number,
    check_positive_int,
    check_seed,
)

__all__ = ["minibatches", "split_indices", "train_test_split", "validation_split"]


def _n_test(n: int, test_size: float | int) -> int:
    if isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        count = int(test_size)
    else:
        fraction = check_finite_number(test_size, "test_size", minimum=0.0, maximum=1.0)
        count = int(np.ceil(fraction * n))
    if not 1 <= count <= n - 1:
        raise ValueError(
            "test_size must leave at least one sample on each side of the split. "
            f"Received: test_size={test_size!r} for {n} samples"
        )
    return count


def split_indices(
    n_samples: int,
    test_size: float | int = 0.25,
    *,
    seed: int | None = None,
    stratify: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Random ``(train_index, test_index)``, each sorted, together ``range(n)``.

    ``test_size`` is a fraction (rounded up, like scikit-learn) or a count. With
    ``stratify`` (class labels, one per sample) every class is split in the same
    proportion, to within one sample, using largest remainders.

    Examples
    --------
    >>> train, test = split_indices(8, 0.25, seed=0, stratify=[0, 0, 0, 0, 1, 1, 1, 1])
    >>> len(train), len(test), sorted(int(i) // 4 for i in test)
    (6, 2, [0, 1])
    """
    n = check_positive_int(n_samples, "n_samples", minimum=2)
    n_test = _n_test(n, test_size)
    rng = np.random.default_rng(check_seed(seed))
    if stratify is None:
        test = rng.permutation(n)[:n_test]
    else:
        labels = np.asarray(stratify)
        if labels.shape[:1] != (n,):
            raise ValueError(
                f"stratify must hold one label per sample ({n}). "
                f"Received: stratify with shape {labels.shape}"
            )
        if labels.ndim == 2:  # one-hot rows
            labels = labels.argmax(axis=1)
        classes, codes, counts = np.unique(
            labels, return_inverse=True, return_counts=True
        )
        exact = n_test * counts / n
        per_class = np.floor(exact).astype(np.int64)
        # Hand the remaining test places to the largest remainders (ties: class order).
        order = np.argsort(-(exact - per_class), kind="stable")
        per_class[order[: n_test - per_class.sum()]] += 1
        test = np.concatenate(
            [
                rng.permutation(np.flatnonzero(codes == k))[: per_class[k]]
                for k in range(classes.size)
            ]
        )
    mask = np.zeros(n, dtype=bool)
    mask[test] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def train_test_split(
    X: Any,
    y: Any,
    test_size: float | int = 0.25,
    *,
    seed: int | None = None,
    stratify: bool | Any = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    ``stratify=True`` keeps the class proportions of ``y`` on both sides; an array
    stratifies by those labels instead.

    Examples
    --------
    >>> X, y = np.arange(10).reshape(5, 2), np.array([0, 1, 0, 1, 0])
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, 0.4, seed=0)
    >>> X_train.shape, X_test.shape, y_test.shape
    ((3, 2), (2, 2), (2,))
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(
            "X and y must have the same number of samples (first dimension). "
            f"Received: X with shape {X.shape}, y with shape {y.shape}"
        )
    labels = y if stratify is True else (None if stratify is False else stratify)
    train, test = split_indices(X.shape[0], test_size, seed=seed, stratify=labels)
    return X[train], X[test], y[train], y[test]


def validation_split(
    X: Any,
    y: Any,
    fraction: float = 0.2,
    *,
    seed: int | None = None,
    stratify: bool | Any = False,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """``((X_train, y_train), (X_val, y_val))``, ready for ``fit(validation_data=)``.

    Examples
    --------
    >>> X, y = np.zeros((10, 3)), np.arange(10)
    >>> (X_fit, y_fit), (X_val, y_val) = validation_split(X, y, 0.2, seed=1)
    >>> X_fit.shape, X_val.shape
    ((8, 3), (2, 3))
    """
    check_finite_number(fraction, "fraction", minimum=0.0, maximum=1.0)
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, fraction, seed=seed, stratify=stratify
    )
    return (X_train, y_train), (X_val, y_val)


def minibatches(
    n_samples: int, batch_size: int, rng: np.random.Generator | None = None
) -> Iterator[np.ndarray]:
    """Yield index arrays of ``batch_size`` (the last may be shorter).

    With ``rng`` the order is ``rng.permutation(n_samples)``; without, it is 0..n-1.

    Examples
    --------
    >>> [batch.tolist() for batch in minibatches(5, 2)]
    [[0, 1], [2, 3], [4]]
    """
    n = check_positive_int(n_samples, "n_samples")
    size = check_positive_int(batch_size, "batch_size")
    order = np.arange(n) if rng is None else rng.permutation(n)
    for start in range(0, n, size):
        yield order[start : start + size]
