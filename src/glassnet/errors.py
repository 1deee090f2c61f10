"""glassnet's own exceptions.

Each is also a ``ValueError`` (or ``OSError``), so code that catches the standard
exceptions keeps working; the command line catches :class:`GlassnetError` and
turns it into one clear line and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "DownloadError",
    "GlassnetError",
    "ModelFileError",
    "NotReadyError",
    "OptionalDependencyError",
    "TrainingDiverged",
]


class GlassnetError(Exception):
    """Base class of every error glassnet raises on purpose."""


class DataError(GlassnetError, ValueError):
    """A data file or array that cannot be used (wrong shape, bad cells, NaN, ...)."""


class ModelFileError(GlassnetError, ValueError):
    """A model or checkpoint file that is truncated, corrupted, foreign or too new."""


class NotReadyError(GlassnetError, RuntimeError):
    """A model asked to train or score before it can: not compiled, or no layers.

    The message says what to call first (``model.compile(loss=..., ...)``,
    ``model.add(...)``). A ``RuntimeError`` too, as it was before it had a name.
    """


class OptionalDependencyError(GlassnetError, ImportError):
    """A feature needs a package from one of glassnet's extras that is missing."""


class DownloadError(GlassnetError, OSError):
    """A dataset download that failed or did not match its SHA-256 checksum."""


class TrainingDiverged(GlassnetError, ArithmeticError):
    """The loss became NaN or infinite; the model keeps its last finite weights.

    Attributes
    ----------
    epoch : int
        The 0-based index of the epoch in which the loss stopped being finite,
        as callbacks and ``History.epoch`` count; the message shows it 1-based
        as the progress bar does ("training diverged in epoch 3/10"), so
        ``epoch == 2`` there.
    loss : float
        The non-finite loss value that was seen (NaN when it was the weights that
        stopped being finite, after an epoch's last step).
    """

    def __init__(self, message: str, *, epoch: int, loss: float) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.loss = loss
