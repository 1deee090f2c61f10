"""Pictures of training, drawn with matplotlib (the optional extra ``plot``).

:func:`plot_loss` draws the loss curve, :func:`plot_decision_boundary` the classes
a model gives every point of a 2-feature plane, and :func:`plot_network` a small
Dense network's neurons and weights, like the article's 2-2-1 diagram. For
convolutional networks, :func:`plot_filters` shows a Conv2D layer's learned
filters and :func:`plot_feature_maps` what one image becomes at a layer; both
return the Figure (and draw into ``ax=`` when given).

matplotlib is imported inside each function, never at module import, so
``import glassnet`` stays fast and works without it. Figures are built with
:class:`matplotlib.figure.Figure` rather than ``pyplot``: no global state, no
window, no backend switching behind the caller's back.
"""

from __future__ import annotations

import functools
import io
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from glassnet._files import atomic_write
from glassnet._validation import check_array, check_positive_int, describe
from glassnet.errors import OptionalDependencyError

__all__ = [
    "OptionalDependencyError",
    "plot_decision_boundary",
    "plot_feature_maps",
    "plot_filters",
    "plot_loss",
    "plot_network",
    "require_matplotlib",
]

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
        history = history.history
    if isinstance(history, Mapping):  # History.history: {"loss": [...], ...}
        history = history.get("loss", [])
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
    history: Any,
    path: str | os.PathLike[str] | None = None,
    *,
    title: str = "Training loss",
    ax: Any = None,
) -> Any:
    """Draw the loss against the epoch, and the validation loss when there is one.

    Returns the matplotlib ``Figure`` (a notebook shows it); with ``path`` also
    saves it as an image (PNG unless ``path`` says).

    Parameters
    ----------
    history : list of (epoch, loss), list of float, History or dict
        What :meth:`glassnet.article.OurNeuralNetwork.train` returns, one loss
        per epoch, or a ``History`` (or its ``history`` dict) whose ``"loss"``
        is used.
    path : str or os.PathLike, optional
        The image file to write, atomically (an existing file is replaced only
        by a complete image); its suffix picks the format (``.png``, ``.svg``,
        ``.pdf``, ...; PNG when there is none). None: save nothing.
    title : str
        The plot's title.
    ax : matplotlib Axes, optional
        Draw into these axes (of your own figure) instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure
        The new figure, or ``ax``'s.

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
    ...     figure = plot_loss(history, pathlib.Path(folder) / "loss.png")
    ...     (pathlib.Path(folder) / "loss.png").read_bytes()[:4]
    b'\x89PNG'
    """
    require_matplotlib()
    epochs, losses = _loss_curve(history)
    figure, axes = _canvas(ax, (6, 4))
    marker = "." if len(losses) < 200 else None
    axes.plot(epochs, losses, marker=marker, label="loss")
    validation = _validation_curve(history)
    if validation:
        axes.plot(
            epochs[: len(validation)], validation, marker=marker, label="val_loss"
        )
        axes.legend()
    axes.set(xlabel="epoch", ylabel="loss", title=title)
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    if path is not None:
        _save(figure, path)
    return figure


def _canvas(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    """(figure, axes): ``ax`` and its figure, or a new figure of ``size`` inches.

    A ``matplotlib.figure.Figure``, not pyplot's: nothing global is touched and
    nothing pops up; a notebook shows the returned figure.
    """
    if ax is not None:
        return ax.figure, ax
    figure = _figure_class()(figsize=size, layout="constrained")
    return figure, figure.subplots()


@functools.cache
def _figure_class() -> type:
    """matplotlib's Figure, plus ``_repr_png_`` so that a notebook draws it.

    Without pyplot (which glassnet leaves alone) IPython knows no way to show a
    Figure; this subclass tells it. Everything else is matplotlib's Figure.
    """
    from matplotlib.figure import Figure

    class GlassnetFigure(Figure):
        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100)
            return buffer.getvalue()

    return GlassnetFigure


def _validation_curve(history: Any) -> list[float]:
    """The ``val_loss`` values of a History (or its dict); [] when there are none."""
    if hasattr(history, "history"):
        history = history.history
    if isinstance(history, Mapping):
        return [float(v) for v in history.get("val_loss", [])]
    return []


def _save(figure: Any, path: str | os.PathLike[str]) -> None:
    """Write ``figure`` to ``path`` atomically, in the format its suffix names."""
    # Rendered into a temporary file and swapped in, so a crash never leaves half
    # an image; the format comes from the suffix, as savefig would pick it.
    image_format = Path(path).suffix.lstrip(".").lower() or "png"
    atomic_write(path, lambda file: figure.savefig(file, format=image_format, dpi=100))


# ------------------------------------------------------------ decision boundary


def _class_indices(y: Any, n_samples: int) -> np.ndarray:
    """Labels 0..k-1 from integer labels, 0/1 floats or one-hot rows."""
    labels = check_array(y, "y", ndim=(1, 2))
    if labels.ndim == 2:
        labels = labels[:, 0] if labels.shape[1] == 1 else labels.argmax(axis=1)
    if len(labels) != n_samples:
        raise ValueError(
            "X and y must have the same number of samples. Received: X with "
            f"{n_samples} samples, y with {len(labels)} samples"
        )
    if labels.min() < 0 or not np.array_equal(labels, np.round(labels)):
        bad = labels[(labels < 0) | (labels != np.round(labels))][0]
        raise ValueError(
            "y must be class labels: integers >= 0 (or one-hot rows). "
            f"Received: y containing {bad.item()!r}"
        )
    return labels.astype(np.int64)


def _check_model_inputs(model: Any, n_features: int) -> None:
    """Refuse a model without ``predict`` or whose input size is not ``n_features``."""
    if not callable(getattr(model, "predict", None)):
        raise TypeError(
            "model must have a predict method (a glassnet Sequential). "
            f"Received: model={describe(model)}"
        )
    input_shape = getattr(model, "input_shape", None)
    if isinstance(input_shape, tuple) and input_shape != (None, n_features):
        raise ValueError(
            f"model must take {n_features} inputs to draw its decision boundary in "
            f"the plane. Received: a model whose first layer is {model.layers[0]!r}"
        )


def plot_decision_boundary(
    model: Any,
    X: Any,
    y: Any,
    path: str | os.PathLike[str] | None = None,
    *,
    resolution: int = 200,
    title: str = "Decision boundary",
    ax: Any = None,
) -> Any:
    """Save a picture of the classes a model gives every point of the plane.

    The model is evaluated on a ``resolution`` × ``resolution`` grid spanning the
    data (plus a margin), the regions it assigns to each class are shaded, the
    boundaries between them drawn in black, and the samples ``(X, y)`` plotted
    on top in their true class's colour. For one output (binary
    classification) the shading is the probability of class 1 (from
    ``model.predict_proba``) and the boundary is where it is 0.5; for several
    outputs each point gets the class of its largest output.

    Parameters
    ----------
    model : Sequential
        A trained classifier taking 2 inputs (any preprocessing it holds is
        applied by its ``predict``).
    X : array_like of shape (n_samples, 2)
        The samples to plot; they also set the plotted area.
    y : array_like of shape (n_samples,) or (n_samples, n_classes)
        Their classes: integer labels 0..k-1 (0/1 for binary) or one-hot rows.
    path : str or os.PathLike, optional
        The image file to write, atomically; its suffix picks the format
        (PNG when there is none). None: save nothing.
    resolution : int
        Grid points along each axis (at least 2).
    title : str
        The plot's title.
    ax : matplotlib Axes, optional
        Draw into these axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    OptionalDependencyError
        When matplotlib is not installed (``pip install "glassnet[plot]"``).
    TypeError
        When ``X`` or ``y`` do not hold numbers, or ``model`` cannot predict.
    ValueError
        When ``X`` is not 2-D with 2 features, ``y`` does not match it or holds
        something other than class labels, a label is beyond the model's
        classes, or the model does not take 2 inputs.
    OSError
        When the file cannot be written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import glassnet as gn
    >>> X, y = gn.datasets.xor()
    >>> model = gn.Sequential([gn.Dense(2, 8, activation="tanh"),
    ...                        gn.Dense(8, 1, activation="sigmoid")], seed=0)
    >>> model.compile(loss="binary_crossentropy", optimizer=gn.optimizers.Adam(0.05))
    >>> history = model.fit(X, y, epochs=300, batch_size=4)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "xor.png"
    ...     figure = plot_decision_boundary(model, X, y, path, resolution=50)
    ...     path.read_bytes()[:4]
    b'\x89PNG'
    """
    require_matplotlib()
    from matplotlib import colormaps

    X = check_array(X, "X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(
            "X must have 2 features (columns): the decision boundary is drawn in "
            f"the plane of the two features. Received: X with shape {X.shape}"
        )
    labels = _class_indices(y, len(X))
    resolution = check_positive_int(resolution, "resolution", minimum=2)
    _check_model_inputs(model, 2)

    low, high = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.where(high > low, high - low, 1.0)
    grid_x, grid_y = np.meshgrid(
        np.linspace(low[0] - margin[0], high[0] + margin[0], resolution),
        np.linspace(low[1] - margin[1], high[1] + margin[1], resolution),
    )
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    predict = getattr(model, "predict_proba", model.predict)
    outputs = np.asarray(predict(grid), dtype=np.float64)
    outputs = outputs.reshape(len(grid), -1)
    n_classes = max(outputs.shape[1], 2)
    if labels.max() >= n_classes:
        raise ValueError(
            f"y must hold labels in [0, {n_classes}) for a model with "
            f"{outputs.shape[1]} output(s). Received: y containing {labels.max()}"
        )

    figure, axes = _canvas(ax, (6, 5))
    if outputs.shape[1] == 1:  # binary: shade P(class 1), boundary at 0.5
        colours = [colormaps["coolwarm"](0.0), colormaps["coolwarm"](1.0)]
        probability = np.clip(outputs[:, 0], 0.0, 1.0).reshape(grid_x.shape)
        shading = axes.contourf(
            grid_x, grid_y, probability, levels=np.linspace(0, 1, 11),
            cmap="coolwarm", alpha=0.55,
        )  # fmt: skip
        figure.colorbar(shading, ax=axes, label="P(class 1)")
        if probability.min() < 0.5 < probability.max():
            axes.contour(grid_x, grid_y, probability, levels=[0.5], colors="black")
    else:  # several outputs: each point gets the class of its largest output
        palette = colormaps["tab10"]
        colours = [palette(i % 10) for i in range(n_classes)]
        predicted = outputs.argmax(axis=1).reshape(grid_x.shape)
        edges = np.arange(n_classes + 1) - 0.5
        axes.contourf(grid_x, grid_y, predicted, levels=edges, colors=colours,
                      alpha=0.3)  # fmt: skip
        axes.contour(grid_x, grid_y, predicted, levels=edges[1:-1], colors="black",
                     linewidths=1.0)  # fmt: skip
    names = getattr(model, "classes_", None)
    for k in np.unique(labels):
        label = f"class {k}" if names is None or k >= len(names) else str(names[k])
        mine = labels == k
        axes.scatter(X[mine, 0], X[mine, 1], color=colours[k], edgecolors="black",
                     linewidths=0.5, s=18, label=label)  # fmt: skip
    features = getattr(model, "metadata", {}).get("features") or ["x1", "x2"]
    if len(features) != 2:
        features = ["x1", "x2"]
    axes.set(xlabel=features[0], ylabel=features[1], title=title)
    axes.legend(loc="best", fontsize="small")
    if path is not None:
        _save(figure, path)
    return figure


# ------------------------------------------------------------------ the network

_MAX_NEURONS = 32  # per layer: beyond this the lines become a grey blur


def _network_layers(model: Any) -> list[tuple[np.ndarray, np.ndarray | None, str]]:
    """[(W of shape (n_in, n_out), b or None, activation name)] of each Dense layer."""
    article = [f"w{i}" for i in range(1, 7)] + [f"b{i}" for i in range(1, 4)]
    if all(hasattr(model, name) for name in article):
        # the article's network: h1 = f(w1·x1 + w2·x2 + b1), h2 = f(w3·x1 +
        # w4·x2 + b2), o1 = f(w5·h1 + w6·h2 + b3), f the sigmoid
        w = [float(getattr(model, f"w{i}")) for i in range(1, 7)]
        b = [float(getattr(model, f"b{i}")) for i in range(1, 4)]
        return [
            (np.array([[w[0], w[2]], [w[1], w[3]]]), np.array(b[:2]), "sigmoid"),
            (np.array([[w[4]], [w[5]]]), np.array(b[2:]), "sigmoid"),
        ]
    layers = getattr(model, "layers", None)
    if not isinstance(layers, (list, tuple)):
        raise TypeError(
            "model must be a Sequential of Dense layers or the article's "
            f"OurNeuralNetwork. Received: model={describe(model)}"
        )
    dense: list[tuple[np.ndarray, np.ndarray | None, str]] = []
    for layer in layers:
        params = getattr(layer, "params", {})
        name = getattr(getattr(layer, "activation", None), "name", None)
        if "W" in params:
            W = np.asarray(params["W"], dtype=np.float64)
            b = params.get("b")
            bias = None if b is None else np.asarray(b, dtype=np.float64)
            dense.append((W, bias, name or "linear"))
        elif name is not None and dense:  # an Activation layer: f of the layer before
            W, bias, previous = dense[-1]
            dense[-1] = (
                W,
                bias,
                name if previous == "linear" else f"{previous}, {name}",
            )
    if not dense:
        raise ValueError(
            f"model must hold at least one Dense layer to draw. Received: {model!r}"
        )
    for W, _, _ in dense:
        if max(W.shape) > _MAX_NEURONS:
            raise ValueError(
                f"plot_network draws small networks: at most {_MAX_NEURONS} neurons "
                f"per layer, so that each weight stays visible. Received: a layer "
                f"with {W.shape[0]} inputs and {W.shape[1]} outputs"
            )
    return dense


def plot_network(
    model: Any,
    path: str | os.PathLike[str] | None = None,
    *,
    title: str | None = None,
    ax: Any = None,
) -> Any:
    """Save a drawing of a small network: its neurons, weights and biases.

    Neurons are circles in columns (inputs ``x``, hidden ``h``, outputs ``o``),
    each weight a line from a neuron to one in the next column: blue when
    positive, red when negative, thicker and darker the larger its size
    relative to the largest weight. Weight values are written on the lines
    when there are at most 12 of them, and biases under their neurons when a
    column holds at most 8 (and none more than 12).

    Parameters
    ----------
    model : Sequential or glassnet.article.OurNeuralNetwork
        A network of Dense layers (Dropout is skipped; an Activation layer is
        named with the Dense before it), at most 32 neurons per layer; or the
        article's 2-2-1 network (its ``w1..w6``, ``b1..b3``).
    path : str or os.PathLike, optional
        The image file to write, atomically; its suffix picks the format
        (PNG when there is none). None: save nothing.
    title : str, optional
        The plot's title (default: the layer sizes, e.g. "Network 2-2-1").
    ax : matplotlib Axes, optional
        Draw into these axes instead of a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    OptionalDependencyError
        When matplotlib is not installed (``pip install "glassnet[plot]"``).
    TypeError
        When ``model`` is neither a Sequential nor the article's network.
    ValueError
        When it has no Dense layer, or a layer wider than 32 neurons.
    OSError
        When the file cannot be written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from glassnet.article import OurNeuralNetwork
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "network.png"
    ...     figure = plot_network(OurNeuralNetwork(seed=0), path)
    ...     path.read_bytes()[:4]
    b'\x89PNG'
    """
    require_matplotlib()
    from matplotlib.lines import Line2D

    layers = _network_layers(model)
    sizes = [layers[0][0].shape[0]] + [W.shape[1] for W, _, _ in layers]
    largest = max(float(np.abs(W).max()) for W, _, _ in layers) or 1.0
    tallest = max(sizes)
    spacing = 2.5  # horizontal distance between columns, in neuron spacings

    def heights(n: int) -> np.ndarray:
        return (n - 1) / 2 - np.arange(n)  # centred, top to bottom

    figure, axes = _canvas(
        ax, (2.0 + 2.4 * len(sizes), min(1.8 + 0.55 * max(tallest, 3), 9.0))
    )
    n_weights = sum(W.size for W, _, _ in layers)
    thickest = 4.0 if n_weights <= 64 else 2.0  # many lines: thinner ones
    for column, (W, _, _) in enumerate(layers):
        left, right = heights(W.shape[0]), heights(W.shape[1])
        for i, j in np.ndindex(W.shape):
            strength = abs(W[i, j]) / largest
            x = (column * spacing, (column + 1) * spacing)
            axes.plot(
                x, (left[i], right[j]), zorder=1,
                color="tab:blue" if W[i, j] >= 0 else "tab:red",
                linewidth=0.4 + thickest * strength, alpha=0.25 + 0.7 * strength,
            )  # fmt: skip
            if n_weights <= 12:  # a quarter of the way along: labels don't collide
                axes.text(
                    x[0] + 0.28 * spacing, left[i] + 0.28 * (right[j] - left[i]),
                    f"{W[i, j]:.2f}", fontsize=8, ha="center", va="center",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "lw": 0},
                    zorder=2,
                )  # fmt: skip
    marker = 900 if tallest <= 8 else max(60, 900 * (8 / tallest) ** 2)
    # column headers just above the axes (x in data, y in axes units), in the
    # room the title's padding leaves, whatever the figure's height
    header_at = axes.get_xaxis_transform()
    for column, n in enumerate(sizes):
        ys = heights(n)
        axes.scatter(np.full(n, column * spacing), ys, s=marker, zorder=3,
                     facecolor="white", edgecolor="black")  # fmt: skip
        last = column == len(sizes) - 1
        prefix = "x" if column == 0 else ("o" if last else "h")
        if column == 0:
            header = "input"
        else:
            kind = "output" if last else f"hidden {column}"
            header = f"{kind}\n{layers[column - 1][2]}"
        axes.text(
            column * spacing, 1.0, header, ha="center", va="bottom",
            transform=header_at,
        )  # fmt: skip
        bias = None if column == 0 else layers[column - 1][1]
        for k, y in enumerate(ys):
            if tallest <= 12:
                axes.text(column * spacing, y, f"{prefix}{k + 1}", ha="center",
                          va="center", zorder=4)  # fmt: skip
            if bias is not None and n <= 8 and tallest <= 12:
                axes.text(column * spacing, y - 0.42, f"b={bias[k]:.2f}",
                          ha="center", va="top", fontsize=8, zorder=4)  # fmt: skip
    axes.legend(
        handles=[Line2D([], [], color="tab:blue", lw=2, label="positive weight"),
                 Line2D([], [], color="tab:red", lw=2, label="negative weight")],
        loc="lower center", bbox_to_anchor=(0.5, -0.02), ncol=2, frameon=False,
        fontsize="small",
    )  # fmt: skip
    axes.set_xlim(-0.8, (len(sizes) - 1) * spacing + 0.8)
    axes.set_ylim(-(tallest - 1) / 2 - 1.2, (tallest - 1) / 2 + 0.6)
    axes.set_axis_off()
    axes.set_title(title or "Network " + "-".join(str(n) for n in sizes), pad=34)
    if path is not None:
        _save(figure, path)
    return figure


# ------------------------------------------------------ convolutional networks


def _conv_layer(model: Any, layer: Any) -> tuple[int, Any]:
    """(index, layer) of the Conv2D that ``layer`` names (an index or the layer)."""
    layers = getattr(model, "layers", None)
    if layers is None:  # a Conv2D given on its own
        return 0, model
    if isinstance(layer, int) and not isinstance(layer, bool):
        if not -len(layers) <= layer < len(layers):
            raise ValueError(
                f"layer must index one of the model's {len(layers)} layers. "
                f"Received: layer={layer}"
            )
        return layer % len(layers), layers[layer]
    for i, candidate in enumerate(layers):
        if candidate is layer:
            return i, candidate
    raise ValueError(
        f"layer must be an index into model.layers or one of them. "
        f"Received: layer={describe(layer)}"
    )


def _mosaic(tiles: np.ndarray, columns: int | None = None) -> np.ndarray:
    """(k, h, w) tiles side by side in a grid, NaN one pixel between them."""
    k, h, w = tiles.shape
    columns = columns or math.ceil(math.sqrt(k))
    rows = math.ceil(k / columns)
    grid = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), np.nan)
    for index in range(k):
        r, c = divmod(index, columns)
        grid[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = tiles[
            index
        ]
    return grid


def _draw_tiles(
    tiles: np.ndarray, ax: Any, title: str, cmap: str, symmetric: bool, label: str
) -> Any:
    """Draw ``tiles`` as one mosaic image on ``ax`` (or a new Figure); return it."""
    require_matplotlib()
    from matplotlib import colormaps

    if ax is None:
        figure = _figure_class()(figsize=(6, 5.5), layout="constrained")
        ax = figure.subplots()
    else:
        figure = ax.figure
    grid = _mosaic(tiles)
    limits = {}
    if symmetric:
        largest = float(np.nanmax(np.abs(grid))) or 1.0
        limits = {"vmin": -largest, "vmax": largest}
    colors = colormaps[cmap].with_extremes(bad="white")
    image = ax.imshow(grid, cmap=colors, interpolation="nearest", **limits)
    figure.colorbar(image, ax=ax, shrink=0.8, label=label)
    ax.set_axis_off()
    ax.set_title(title)
    return figure


def plot_filters(
    model: Any,
    layer: Any = 0,
    *,
    channel: int | None = None,
    ax: Any = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """Draw the learned filters of a Conv2D layer, one small image per filter.

    Filter f is the kernel ``W[:, :, c, f]`` that slides over input channel c: blue
    where the layer adds the pixel under it, red where it subtracts (a shared
    colour scale centred on 0, so filters compare with each other).

    Parameters
    ----------
    model : Sequential or Conv2D
        The network (or the layer itself).
    layer : int or Conv2D
        Which layer of ``model.layers`` (default the first).
    channel : int, optional
        The input channel to show; by default the only one, or, for layers with
        several input channels, each filter's mean over them.
    ax : matplotlib Axes, optional
        Where to draw (a new Figure when None).
    path : str or os.PathLike, optional
        Also save the figure there (atomically; format from the suffix).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    OptionalDependencyError
        When matplotlib is not installed (``pip install "glassnet[plot]"``).
    ValueError
        When the layer is not a built Conv2D, or ``channel`` is out of range.

    Examples
    --------
    >>> import numpy as np, glassnet as gn
    >>> model = gn.Sequential([gn.Conv2D(8, 3), gn.Flatten(), gn.Dense(2)],
    ...                       input_shape=(10, 10, 1), seed=0)
    >>> figure = plot_filters(model)
    >>> len(figure.axes)          # the mosaic and its colour bar
    2
    """
    from glassnet.layers import Conv2D

    index, conv = _conv_layer(model, layer)
    if not isinstance(conv, Conv2D) or "W" not in conv.params:
        raise ValueError(
            "plot_filters needs a built Conv2D layer. "
            f"Received: layer {index}, {describe(conv)}"
        )
    W = np.asarray(conv.params["W"], dtype=np.float64)  # (kh, kw, c, filters)
    if channel is None:
        kernels = W.mean(axis=2)
        which = "" if W.shape[2] == 1 else f", mean over {W.shape[2]} input channels"
    else:
        if not isinstance(channel, int) or not 0 <= channel < W.shape[2]:
            raise ValueError(
                f"channel must be an input channel of {conv!r}, 0 to "
                f"{W.shape[2] - 1}. Received: channel={describe(channel)}"
            )
        kernels, which = W[:, :, channel], f", input channel {channel}"
    tiles = np.moveaxis(kernels, -1, 0)  # (filters, kh, kw)
    figure = _draw_tiles(
        tiles, ax, f"{conv!r}: {W.shape[3]} filters{which}", "RdBu", True, "weight"
    )
    if path is not None:
        _save(figure, path)
    return figure


def plot_feature_maps(
    model: Any,
    image: Any,
    layer: Any = 0,
    *,
    ax: Any = None,
    path: str | os.PathLike[str] | None = None,
) -> Any:
    """Draw the feature maps one image produces at a layer: one picture per channel.

    The image goes through ``model.layers[0]`` … ``model.layers[layer]`` on the
    predict path (nothing is cached or trained); each output channel is shown as
    an image, bright where the filter found its pattern.

    Parameters
    ----------
    model : Sequential
        A network whose input is images.
    image : array_like of shape (height, width, channels) or (height, width)
        One image (a batch axis of 1 is accepted too).
    layer : int or Layer
        The layer whose output is shown (default the first); it must give
        images, (1, h, w, c).
    ax : matplotlib Axes, optional
        Where to draw (a new Figure when None).
    path : str or os.PathLike, optional
        Also save the figure there.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    OptionalDependencyError
        When matplotlib is not installed.
    ValueError
        When ``image`` is not one image, or the layer's output is not images.

    Examples
    --------
    >>> import numpy as np, glassnet as gn
    >>> model = gn.Sequential([gn.Conv2D(4, 3, activation="relu"), gn.Flatten(),
    ...                        gn.Dense(2)], input_shape=(8, 8, 1), seed=0)
    >>> figure = plot_feature_maps(model, np.eye(8))
    >>> figure.axes[0].get_title()
    "layer 0, Conv2D(4, 3, activation='relu'): 4 feature maps of 6×6"
    """
    index, target = _conv_layer(model, layer)
    x = np.asarray(image, dtype=np.float64)
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim == 4 and x.shape[0] == 1:
        x = x[0]
    if x.ndim != 3:
        raise ValueError(
            "image must be one image, (height, width) or (height, width, "
            f"channels). Received: image of shape {x.shape}"
        )
    out = x[None].astype(getattr(model, "dtype", np.float64))
    layers = model.layers if hasattr(model, "layers") else [model]
    for current in layers[: index + 1]:
        out = current(out)
    if out.ndim != 4:
        raise ValueError(
            f"layer {index}, {target!r}, gives outputs of shape {out.shape}, not "
            "images (1, height, width, channels): pick a convolution or pooling "
            "layer"
        )
    maps = np.moveaxis(np.asarray(out[0], dtype=np.float64), -1, 0)
    title = (
        f"layer {index}, {target!r}: {maps.shape[0]} feature maps of "
        f"{maps.shape[1]}×{maps.shape[2]}"
    )
    figure = _draw_tiles(maps, ax, title, "viridis", False, "activation")
    if path is not None:
        _save(figure, path)
    return figure
