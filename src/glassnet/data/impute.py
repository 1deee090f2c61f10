"""Filling missing values (NaN) with a per-column statistic learned in training.

Example
-------
>>> import numpy as np
>>> X = np.array([[1.0, 10.0], [np.nan, 20.0], [3.0, np.nan], [3.0, 20.0]])
>>> Imputer("median").fit(X).transform(X).tolist()
[[1.0, 10.0], [3.0, 20.0], [3.0, 20.0], [3.0, 20.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet._validation import describe

__all__ = ["STRATEGIES", "Imputer"]

STRATEGIES = ("mean", "median", "most_frequent")


class Imputer:
    """Replace NaN in each column by its training mean, median or most frequent value.

    The statistic of column j is computed over the column's non-NaN training
    values; ``most_frequent`` takes the smallest of tied values (as
    scikit-learn's ``SimpleImputer``).

    Parameters
    ----------
    strategy : {"mean", "median", "most_frequent"}

    Attributes
    ----------
    statistics_ : ndarray of shape (n_features,)
    """

    def __init__(self, strategy: str = "mean") -> None:
        if strategy not in STRATEGIES:
            raise ValueError(
                f"strategy must be one of {', '.join(map(repr, STRATEGIES))}. "
                f"Received: strategy={describe(strategy)}"
            )
        self.strategy = strategy
        self.statistics_: np.ndarray | None = None

    def fit(self, X: Any) -> Imputer:
        """Learn each column's statistic from the non-NaN values of ``X``.

        Raises
        ------
        ValueError
            For a column with no value at all.
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D. Received: shape {X.shape}")
        statistics = []
        for j in range(X.shape[1]):
            values = X[~np.isnan(X[:, j]), j]
            if values.size == 0:
                raise ValueError(
                    f"column {j} of X has no value to impute from (all NaN). "
                    "Received: X[:, {j}] all NaN"
                )
            if self.strategy == "mean":
                statistics.append(values.mean())
            elif self.strategy == "median":
                statistics.append(np.median(values))
            else:
                unique, counts = np.unique(values, return_counts=True)
                statistics.append(unique[np.argmax(counts)])
        self.statistics_ = np.array(statistics)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """A copy of ``X`` with each NaN replaced by its column's statistic."""
        if self.statistics_ is None:
            raise RuntimeError("Imputer.transform needs fit(X) first")
        X = np.array(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.statistics_.size:
            raise ValueError(
                f"X must have {self.statistics_.size} columns. Received: shape "
                f"{X.shape}"
            )
        rows, columns = np.nonzero(np.isnan(X))
        X[rows, columns] = self.statistics_[columns]
        return X

    def get_config(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "statistics": None
            if self.statistics_ is None
            else self.statistics_.tolist(),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Imputer:
        imputer = cls(config["strategy"])
        if config.get("statistics") is not None:
            imputer.statistics_ = np.asarray(config["statistics"], dtype=np.float64)
        return imputer

    def __repr__(self) -> str:
        return f"Imputer(strategy={self.strategy!r})"
