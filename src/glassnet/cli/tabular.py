"""What ``glassnet train``, ``evaluate`` and ``predict`` do for tables.

The reading flags (``--delimiter``, ``--encoding``, ``--drop``, ``--features``,
``--impute``), the column encoding stored in the model (text columns one-hot,
missing cells filled: :class:`glassnet.data.ColumnEncoder`), the regression
target's standardisation (trained on (y − mean)/scale, predicted in the
original units) and the default early stopping.

What a model file records beside the weights, all optional metadata keys that
older files lack (and that are then simply not applied):

``columns``
    the ColumnEncoder's config (``ColumnEncoder.get_config()``);
``ignored``
    the columns that training ignored (``--drop``, or those outside
    ``--features``): evaluate and predict ignore them too where present;
``target_scaling``
    ``{"mean": m, "scale": s}`` of a regression target;
``best_epoch``
    the 1-based epoch whose weights were kept by early stopping.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import numpy as np

IMPUTE_CHOICES = ("mean", "median", "most_frequent")
DEFAULT_PATIENCE = 20
DEFAULT_EPOCHS = 1000  # a cap: early stopping ends small tables far sooner


def add_reading_flags(parser: argparse.ArgumentParser) -> None:
    """``--delimiter`` and ``--encoding``, which every command reading CSV takes."""
    parser.add_argument(
        "--delimiter",
        metavar="CHAR",
        help="the cell separator of a CSV file, e.g. ';' or '\\t' (default: ',')",
    )
    parser.add_argument(
        "--encoding",
        metavar="NAME",
        help="the text encoding of a CSV file, e.g. latin-1 (default: utf-8)",
    )


def add_train_flags(parser: argparse.ArgumentParser) -> None:
    """train's table flags: columns, missing cells, early stopping."""
    add_reading_flags(parser)
    parser.add_argument(
        "--drop",
        metavar="COL,...",
        help="columns to ignore, e.g. an id (evaluate and predict ignore them too)",
    )
    parser.add_argument(
        "--features",
        metavar="COL,...",
        help="the feature columns to use (default: every column but the target)",
    )
    parser.add_argument(
        "--impute",
        choices=IMPUTE_CHOICES,
        help="fill missing feature cells (empty, NA, NaN, null, ?) with the "
        "column's training mean, median or most frequent value, stored in the "
        "model; text columns take their most frequent category (default: "
        "refuse missing cells, naming the first)",
    )
    parser.add_argument(
        "--patience",
        type=int,
        metavar="N",
        help=f"stop when val_loss has not improved for N epochs and keep the "
        f"best epoch's weights; 0 trains all --epochs (default: {DEFAULT_PATIENCE})",
    )


def read_options(flags: dict[str, Any]) -> dict[str, Any]:
    """read_csv's ``delimiter``/``encoding`` from a command's flags."""
    options: dict[str, Any] = {}
    delimiter = flags.get("delimiter")
    if delimiter is not None:
        delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1 or delimiter in '\r\n"':
            raise ValueError(
                "--delimiter must be one character such as ';' or '\\t' (a tab), not "
                f"a quote or a line break. Received: --delimiter {delimiter!r}"
            )
        options["delimiter"] = delimiter
    if flags.get("encoding") is not None:
        options["encoding"] = flags["encoding"]
    return options


def _names(text: str, flag: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise ValueError(
            f"{flag} must name columns, comma-separated. Received: {flag} {text!r}"
        )
    return names


def dropped_columns(args: argparse.Namespace) -> list[str]:
    """The columns ``--drop`` names (read_csv checks that the file has them)."""
    return _names(args.drop, "--drop") if args.drop is not None else []


def select_features(args: argparse.Namespace, table, dropped: list[str]):
    """``(table, ignored)``: ``--features`` applied to a table read as text."""
    from dataclasses import replace

    if args.features is None:
        return table, dropped
    features = _names(args.features, "--features")
    have = table.feature_names
    missing = [f for f in features if f not in have]
    if missing:
        raise ValueError(
            f"--features: {args.data} has no feature column(s) "
            f"{', '.join(map(repr, missing))}. Columns: {', '.join(map(repr, have))}"
            + (f" (--drop: {', '.join(dropped)})" if dropped else "")
        )
    order = [have.index(f) for f in features]
    ignored = dropped + [f for f in have if f not in features]
    return replace(table, feature_names=features, X=table.X[:, order]), ignored


def _advice(message: str, column: str | None) -> str:
    """The encoder's advice for Python as this command's flags."""
    message = message.replace(
        "impute it (impute='mean', 'median' or 'most_frequent')",
        "pass --impute mean, median or most_frequent",
    )
    if column is not None:
        message = message.replace("drop the column", f"pass --drop {column}")
    return message


def fit_columns(table, impute: str | None):
    """``(X, encoder)``: the training cells encoded, and the fitted encoder."""
    from glassnet import data
    from glassnet.errors import DataError

    encoder = data.ColumnEncoder(impute)
    try:
        encoder.fit(table.X, table.feature_names, path=table.path, lines=table.lines)
    except DataError as error:
        column = next((c for c in table.feature_names if f"'{c}'" in str(error)), None)
        raise DataError(_advice(str(error), column)) from None
    return encoder.transform(table.X, path=table.path, lines=table.lines), encoder


def encode_columns(meta: dict, table) -> np.ndarray:
    """A table encoded as the model's training data was; warns of new categories.

    A category never seen in training gets all-zero columns (the network sees
    none of the known categories), and one line per such value on stderr.
    """
    from glassnet import data
    from glassnet.errors import ModelFileError

    try:
        encoder = data.ColumnEncoder.from_config(meta["columns"])
    except ValueError as error:
        raise ModelFileError(
            f"the model's column encoding is damaged: {error}"
        ) from None
    X = encoder.transform(table.X, path=table.path, lines=table.lines)
    for column, value, count in encoder.unseen_:
        known = ", ".join(encoder.categories_[column][:6])
        more = ", ..." if len(encoder.categories_[column]) > 6 else ""
        print(
            f"glassnet: warning: {table.path}: column {column!r}: {count} row(s) hold "
            f"{value!r}, a category not seen in training ({known}{more}); their "
            f"{column!r} columns are all zero",
            file=sys.stderr,
        )
    return X


def encoded_names(meta: dict) -> list[str] | None:
    """The model's input columns: the encoded names when it has an encoding."""
    from glassnet import data

    if "columns" not in meta:
        return meta.get("features")
    try:
        return data.ColumnEncoder.from_config(meta["columns"]).feature_names_out()
    except ValueError:
        return None


def scale_target(y: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
    """(y − mean)/scale and the ``target_scaling`` record (scale 1 for a constant)."""
    mean = float(np.mean(y))
    scale = float(np.std(y))
    if not np.isfinite(scale) or scale == 0.0:
        scale = 1.0
    return (y - mean) / scale, {"mean": mean, "scale": scale}


def target_scaling(meta: dict) -> tuple[float, float] | None:
    """The model's ``(mean, scale)`` for its regression target, or None."""
    from glassnet.errors import ModelFileError

    record = meta.get("target_scaling")
    if record is None:
        return None
    try:
        mean, scale = float(record["mean"]), float(record["scale"])
    except (TypeError, KeyError, ValueError):
        mean = scale = float("nan")
    if not (np.isfinite(mean) and np.isfinite(scale) and scale > 0):
        raise ModelFileError(
            "the model's target_scaling must be {'mean': finite, 'scale': > 0}. "
            f"Received: {record!r}"
        )
    return mean, scale


def original_units(model, results: dict[str, float]) -> dict[str, float]:
    """evaluate's scores on a standardised target, turned into the target's units."""
    scaling = target_scaling(model.metadata)
    if scaling is None:
        return results
    scale = scaling[1]
    powers = {"mse": 2, "mean_squared_error": 2, "mae": 1, "mean_absolute_error": 1}
    converted = {}
    for key, value in results.items():
        name = model.loss.name if key == "loss" else key
        converted[key] = value * scale ** powers.get(name, 0)
    return converted


def early_stopping(patience: int, has_validation: bool):
    """The default EarlyStopping on val_loss (None when off or without val data)."""
    from glassnet import callbacks

    if patience == 0 or not has_validation:
        return None
    return callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True
    )
