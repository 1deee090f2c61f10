"""glassnet at home in Jupyter: the summary as text and as HTML, and a drawing.

:class:`Summary` is the text ``Sequential.summary()`` returns: a ``str`` whose
``repr`` is the table itself, so ``model.summary()`` alone in a notebook cell
(or at the interactive prompt) shows the table, as Keras's does, while
``print(model.summary())`` and every string operation keep working.
:func:`model_html` is what a notebook shows for a model (``Sequential._repr_html_``):
the summary as an HTML table beside an inline SVG drawing of the layers. Nothing
here prints: showing is the notebook's job.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["Summary", "model_html", "network_svg"]

#: Neurons drawn per column at most; wider layers show the first ones and "+N".
MAX_DRAWN = 8


class Summary(str):
    """The summary table: a ``str`` that shows as the table, not as its repr.

    >>> s = Summary("Layer   Params\\nDense   3")
    >>> s
    Layer   Params
    Dense   3
    >>> s.splitlines()[1]
    'Dense   3'
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython
        printer.text(str(self))


def _rows(model: Any, shapes: list) -> list[tuple[str, str, str]]:
    rows = []
    for i, layer in enumerate(model.layers):
        shape = str(shapes[i + 1]) if i + 1 < len(shapes) else "?"
        rows.append((repr(layer), shape, f"{layer.n_params():,}"))
    return rows


def _width(shape: Any) -> int | None:
    if isinstance(shape, tuple) and shape and isinstance(shape[-1], int):
        return shape[-1]
    return None


def network_svg(model: Any, shapes: list) -> str:
    """An SVG drawing of ``model``: one column of neurons per layer output.

    ``shapes``: the input shape, then each built layer's output shape.

    Dense layers are joined to the column before them by every weight; other
    layers (Flatten, Dropout, ...) by one band. A column wider than 8 neurons
    draws 8 and says how many more.
    """
    names = ["input"] + [type(layer).__name__ for layer in model.layers]
    names = names[: len(shapes)]
    cols = len(shapes)
    width, height, radius = max(160, 90 * cols), 200, 7
    xs = [40 + i * (width - 80) / max(1, cols - 1) for i in range(cols)]
    columns = []
    for shape in shapes:
        n = _width(shape)
        drawn = min(n or 1, MAX_DRAWN)
        gap = (height - 50) / max(drawn, 1)
        ys = [25 + gap * (k + 0.5) for k in range(drawn)]
        columns.append((n, ys))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
        f'height="{height}" viewBox="0 0 {width:.0f} {height}" '
        'style="font: 11px sans-serif">'
    ]
    for c in range(1, cols):
        dense = type(model.layers[c - 1]).__name__ == "Dense"
        (_, ys0), (_, ys1) = columns[c - 1], columns[c]
        pairs = [(a, b) for a in ys0 for b in ys1] if dense else [(ys0[0], ys1[0])]
        for a, b in pairs:
            parts.append(
                f'<line x1="{xs[c - 1]:.1f}" y1="{a:.1f}" x2="{xs[c]:.1f}" '
                f'y2="{b:.1f}" stroke="#8ab" stroke-width="0.8"/>'
            )
    for c, (n, ys) in enumerate(columns):
        for y in ys:
            parts.append(
                f'<circle cx="{xs[c]:.1f}" cy="{y:.1f}" r="{radius}" '
                'fill="#fff" stroke="#183d4e" stroke-width="1.5"/>'
            )
        label = names[c] if n is None else f"{names[c]} ({n})"
        parts.append(
            f'<text x="{xs[c]:.1f}" y="{height - 8}" text-anchor="middle">'
            f"{html.escape(label)}</text>"
        )
        if n is not None and n > MAX_DRAWN:
            parts.append(
                f'<text x="{xs[c]:.1f}" y="14" text-anchor="middle">'
                f"+{n - MAX_DRAWN} more</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def model_html(model: Any, shapes: list) -> str:
    """The summary table in HTML beside a drawing of the network.

    ``shapes``: the input shape (None when unknown), then each built layer's
    output shape, as ``Sequential`` records them.
    """
    cells = "".join(
        "<tr>"
        f"<td style='text-align:left'><code>{html.escape(name)}</code></td>"
        f"<td style='text-align:left'>{html.escape(shape)}</td>"
        f"<td style='text-align:right'>{count}</td></tr>"
        for name, shape, count in _rows(model, shapes)
    )
    total = sum(layer.n_params() for layer in model.layers)
    table = (
        "<table><thead><tr><th style='text-align:left'>Layer</th>"
        "<th style='text-align:left'>Output shape</th>"
        "<th style='text-align:right'>Params</th></tr></thead>"
        f"<tbody>{cells}</tbody></table>"
        f"<p>Total params: {total:,} ({html.escape(model.dtype.name)})</p>"
    )
    return (
        "<div style='display:flex;gap:24px;align-items:flex-start'>"
        f"<div><b>Sequential</b>{table}</div>{network_svg(model, shapes)}</div>"
    )
