"""``glassnet evaluate MODEL DATA``: a saved model's loss and metrics on data."""

from __future__ import annotations

import argparse

from glassnet.cli import tabular
from glassnet.cli.common import EXIT_OK, subcommand
from glassnet.cli.inputs import (
    add_model_and_data,
    encode_for,
    load_model,
    model_data,
    name_the_cell,
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subcommand(
        subparsers,
        "evaluate",
        summary="print a saved model's loss and metrics on labelled data",
        description=(
            "Print the loss and metrics of MODEL on DATA, which must hold the "
            "model's feature columns and its target column (for mnist and "
            "fashion-mnist: the test set)."
        ),
        examples=[
            "glassnet evaluate flowers.npz flowers-test.csv",
            "glassnet evaluate digits.npz mnist",
        ],
    )
    add_model_and_data(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:

    model = load_model(args.model, args.command)
    if model.loss is None:
        # The library would say "call model.compile(...)": a traceback here.
        raise ValueError(
            f"{args.model}: the model was saved without a loss (never compiled), "
            "so there is nothing to score it with; glassnet predict works without one"
        )
    X, y_raw = model_data(model, args.data, require_target=True, flags=vars(args))
    try:
        results = model.evaluate(X, encode_for(model, y_raw, args.data))
    except ValueError as error:
        features = tabular.encoded_names(model.metadata)
        raise name_the_cell(error, args.data, X, features) from None
    results = tabular.original_units(model, results)
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value:.6g}")
    return EXIT_OK
