"""``glassnet predict MODEL DATA``: a saved model's predictions, one row per sample."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from glassnet.cli.common import EXIT_OK, subcommand
from glassnet.cli.inputs import (
    add_model_and_data,
    load_model,
    model_data,
    name_the_cell,
)
from glassnet.cli.outputs import check_not_an_input, check_writable


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subcommand(
        subparsers,
        "predict",
        summary="write a saved model's predictions for new data as CSV",
        description=(
            "Predict DATA (the model's feature columns, in any order; the target "
            "column may be there or not) and write one row per sample: the class "
            "label as in the training file (or the value, for regression). --out "
            "is written atomically: an existing file is replaced only by a "
            "complete one."
        ),
        examples=[
            "glassnet predict flowers.npz new-flowers.csv",
            "glassnet predict flowers.npz new-flowers.csv --proba --out p.csv",
        ],
    )
    add_model_and_data(parser)
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="CSV file to write (default: standard output)",
    )
    parser.add_argument(
        "--proba", action="store_true", help="add one probability column per class"
    )
    parser.set_defaults(run=run)


def _prediction_table(model, X: np.ndarray, proba: bool) -> list[list]:
    """Header and rows of the predictions CSV.

    Probabilities are written with 6 significant digits (float32 carries no
    more); regression values with 7, in the target's units.
    """
    from glassnet.cli import tabular

    outputs = model.predict_proba(X)
    classes = model.classes_
    if classes is None:
        if proba:
            raise ValueError(
                "--proba: the model does regression; there are no class probabilities"
            )
        values = outputs[:, 0].astype(np.float64)
        scaling = tabular.target_scaling(model.metadata)
        if scaling is not None:
            values = values * scaling[1] + scaling[0]
        return [["prediction"], *([f"{v:.7g}"] for v in values)]
    if outputs.shape[1] == 1:  # one sigmoid output: P(classes_[1])
        outputs = np.hstack([1.0 - outputs, outputs])
    labels = classes[outputs.argmax(axis=1)]
    header = ["prediction"]
    if proba:
        header += [f"p_{label}" for label in classes.tolist()]
        return [
            header,
            *(
                [label, *(f"{v:.6g}" for v in p)]
                for label, p in zip(labels.tolist(), outputs.tolist(), strict=True)
            ),
        ]
    return [header, *([label] for label in labels.tolist())]


def run(args: argparse.Namespace) -> int:
    import csv
    import io

    from glassnet._files import atomic_write

    model = load_model(args.model, args.command)
    if args.out is not None:
        check_writable(Path(args.out), "--out")
        inputs = {"MODEL": args.model, "DATA": args.data}
        check_not_an_input(Path(args.out), "--out", inputs)
    X, _ = model_data(model, args.data, require_target=False, flags=vars(args))
    text = io.StringIO()
    try:
        table = _prediction_table(model, X, args.proba)
    except ValueError as error:
        from glassnet.cli import tabular

        features = tabular.encoded_names(model.metadata)
        raise name_the_cell(error, args.data, X, features) from None
    csv.writer(text, lineterminator="\n").writerows(table)
    if args.out is None:
        sys.stdout.write(text.getvalue())
    else:
        encoded = text.getvalue().encode("utf-8")
        atomic_write(args.out, lambda file: file.write(encoded))
    return EXIT_OK
