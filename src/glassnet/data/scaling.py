"""Standardisation: every feature shifted and scaled to mean 0, standard deviation 1."""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet._validation import (
    check_array,
    describe,
)
from glassnet.errors import DataError

# MAX_CLASSES is read_csv's bound on zero-padded label columns and infer_task's
# default, one number so that both agree on what a class label is.

__all__ = ["Standardizer"]


class Standardizer:
    """Shift and scale every feature to mean 0 and standard deviation 1.

    ``transform(X) = (X - mean_) / scale_`` with ``mean_`` the column means and
    ``scale_`` the population standard deviations (ddof=0, like scikit-learn's
    ``StandardScaler``). A constant column gets scale 1, so it becomes all zeros
    instead of NaN. float32 input stays float32.

    Examples
    --------
    >>> scaler = Standardizer().fit([[1.0, 5.0], [3.0, 5.0]])
    >>> scaler.mean_.tolist(), scaler.scale_.tolist()
    ([2.0, 5.0], [1.0, 1.0])
    >>> scaler.transform([[3.0, 7.0]]).tolist()
    [[1.0, 2.0]]
    """

    name = "standardizer"

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, X: Any) -> Standardizer:
        values = check_array(X, "X", ndim=2, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            mean, scale = values.mean(axis=0), values.std(axis=0)
        wide = ~(np.isfinite(mean) & np.isfinite(scale))
        if wide.any():
            # Squares (or sums) of values past ~1.3e154 overflow float64; in units
            # of the column's largest |x| they cannot, and the result is the same
            # up to rounding. Normal columns keep the plain formula's bits.
            columns = values[:, wide]
            unit = np.abs(columns).max(axis=0)
            mean[wide] = (columns / unit).mean(axis=0) * unit
            scale[wide] = (columns / unit).std(axis=0) * unit
            with np.errstate(over="ignore", invalid="ignore"):
                centred = np.isfinite(columns - mean[wide]).all(axis=0)
            if not centred.all():
                j = int(np.flatnonzero(wide)[np.argmin(centred)])
                raise DataError(
                    f"X[:, {j}] spans from {values[:, j].min():g} to "
                    f"{values[:, j].max():g}: centred on its mean it passes "
                    "float64's largest number (1.8e308), so it cannot be "
                    "standardised; rescale that feature"
                )
        self.mean_ = mean
        # A (near-)constant column has nothing to scale; dividing would blow it up.
        scale[scale <= 1e-12 * np.maximum(1.0, np.abs(self.mean_))] = 1.0
        self.scale_ = scale
        return self

    def _check(self, X: Any) -> np.ndarray:
        if self.mean_ is None or self.scale_ is None:
            raise ValueError("Standardizer is not fitted yet: call fit(X) first")
        values = check_array(X, "X", ndim=(1, 2))
        if values.dtype.kind != "f":
            values = values.astype(np.float64)
        if values.shape[-1] != self.mean_.size:
            raise ValueError(
                f"Standardizer expects inputs with {self.mean_.size} features "
                f"(last dimension). Received: shape {values.shape}"
            )
        return values

    def transform(self, X: Any) -> np.ndarray:
        values = self._check(X)
        mean, scale = self.mean_.astype(values.dtype), self.scale_.astype(values.dtype)
        return (values - mean) / scale

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        values = self._check(X)
        mean, scale = self.mean_.astype(values.dtype), self.scale_.astype(values.dtype)
        return values * scale + mean

    def get_config(self) -> dict:
        """``{"mean": [...], "scale": [...]}``: plain floats, exact through JSON."""
        if self.mean_ is None or self.scale_ is None:
            raise ValueError("Standardizer is not fitted yet: call fit(X) first")
        return {"mean": self.mean_.tolist(), "scale": self.scale_.tolist()}

    @classmethod
    def from_config(cls, config: dict) -> Standardizer:
        """Rebuild from :meth:`get_config` (a ``"name"`` key is allowed)."""
        mean = np.asarray(config["mean"], dtype=np.float64)
        scale = np.asarray(config["scale"], dtype=np.float64)
        if (
            mean.ndim != 1
            or mean.shape != scale.shape
            or not (
                np.isfinite(mean).all()
                and np.isfinite(scale).all()
                and (scale > 0).all()
            )
        ):
            raise ValueError(
                "a Standardizer config needs 'mean' and 'scale' lists of equal length, "
                f"finite, with scale > 0. Received: {describe(config)}"
            )
        scaler = cls()
        scaler.mean_, scaler.scale_ = mean, scale
        return scaler

    def __repr__(self) -> str:
        n = "unfitted" if self.mean_ is None else f"n_features={self.mean_.size}"
        return f"Standardizer({n})"
