"""Pictures of training, drawn with matplotlib (the optional extra ``plot``).

matplotlib is imported inside each function, never at module import, so
``import glassnet`` stays fast and works without it. Figures are built with
:class:`matplotlib.figure.Figure` rather than ``pyplot``: no global state, no
window, no backend switching behind the caller's back.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from glassnet._files import atomic_write
from glassnet.errors import OptionalDependencyError

__all__ = ["OptionalDependencyError", "plot_loss", "require_matplotlib"]

_INSTALL_HINT = 'pip install "glassnet[plot]"'


def require_matplotlib() -> Any:
    """Import and return matplotlib, or explain how to install it.

    Raises
    ------
    OptionalDependencyError
        When matplotlib cannot be imported (also an ``ImportError``).
    """
    try:
        import matplotlib
    except ImportError as error:
        raise OptionalDependencyError(
            "plotting needs matplotlib, which is not installed. "
            f"Install it with: {_INSTALL_HINT}"
        ) from error
    return matplotlib


def _loss_curve(history: Any) -> tuple[list[float], list[float]]:
    """(epochs, losses) from any of the history shapes :func:`plot_loss` accepts."""
    if hasattr(history, "history"):  # glassnet.History (Keras-like): one per epoch
        history = history.history["loss"]
    points = list(history)
    if not points:
        raise ValueError("history must hold at least one loss. Received: history=[]")
    if all(isinstance(p, Sequence) and len(p) == 2 for p in points):
        epochs, losses = zip(*points, strict=True)
    else:
        epochs, losses = range(len(points)), points
    try:
        return [float(e) for e in epochs], [float(v) for v in losses]
    except (TypeError, ValueError):
        raise TypeError(
            "history must be (epoch, loss) pairs, losses, or a History. "
            f"Received: history={points[:3]!r}..."
        ) from None


def plot_loss(
    history: Any, path: str | os.PathLike[str], *, title: str = "Training loss"
) -> None:
    """Save the loss-against-epoch curve as an image (PNG unless ``path`` says).

    Parameters
    ----------
    history : list of (epoch, loss), list of float, or History
        What :meth:`glassnet.article.OurNeuralNetwork.train` returns, one loss
        per epoch, or a ``History`` whose ``history["loss"]`` is used.
    path : str or os.PathLike
        The image file to write, atomically (an existing file is replaced only
        by a complete image); its suffix picks the format (``.png``, ``.svg``,
        ``.pdf``, ...; PNG when there is none).
    title : str
        The plot's title.

    Raises
    ------
    OptionalDependencyError
        When matplotlib is not installed (``pip install "glassnet[plot]"``).
    ValueError
        When ``history`` is empty or the suffix names no format matplotlib knows.
    OSError
        When the file cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from glassnet.article import OurNeuralNetwork, DATA, ALL_Y_TRUES
    >>> history = OurNeuralNetwork(seed=0).train(DATA, ALL_Y_TRUES)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     plot_loss(history, pathlib.Path(folder) / "loss.png")
    ...     (pathlib.Path(folder) / "loss.png").read_bytes()[:4]
    b'\x89PNG'
    """
    require_matplotlib()
    from matplotlib.figure import Figure

    epochs, losses = _loss_curve(history)
    figure = Figure(figsize=(6, 4), layout="constrained")
    axes = figure.subplots()
    axes.plot(epochs, losses, marker="." if len(losses) < 200 else None)
    axes.set(xlabel="epoch", ylabel="loss", title=title)
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    # Rendered into a temporary file and swapped in, so a crash never leaves half
    # an image; the format comes from the suffix, as savefig would pick it.
    image_format = Path(path).suffix.lstrip(".").lower() or "png"
    atomic_write(path, lambda file: figure.savefig(file, format=image_format, dpi=100))
