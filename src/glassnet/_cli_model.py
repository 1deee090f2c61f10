"""``glassnet evaluate``, ``predict`` and ``summary``: use a saved model.

All three read MODEL (a file from ``glassnet train``); evaluate and predict also
read DATA, checked against the feature columns the model was trained on.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from glassnet._cli_common import EXIT_OK, _subcommand
from glassnet._cli_data import _encode_for, _load_model, _model_data
from glassnet._cli_outputs import _check_not_an_input, _check_writable


def _add_model_and_data(parser: argparse.ArgumentParser) -> None:
    """The MODEL and DATA arguments that evaluate and predict share."""
    parser.add_argument("model", metavar="MODEL", help="a model file from train")
    parser.add_argument(
        "data", metavar="DATA", help="a CSV file, mnist or fashion-mnist"
    )


def _add_evaluate(subparsers: argparse._SubParsersAction) -> None:
    parser = _subcommand(
        subparsers,
        "evaluate",
        summary="print a saved model's loss and metrics on labelled data",
        description=(
            "Print the loss and metrics of MODEL on DATA, which must hold the "
            "model's feature columns and its target column (for mnist and "
            "fashion-mnist: the test set)."
        ),
        examples=[
            "glassnet evaluate model.npz test.csv",
            "glassnet evaluate digits.npz mnist",
        ],
    )
    _add_model_and_data(parser)
    parser.set_defaults(run=_run_evaluate)


def _run_evaluate(args: argparse.Namespace) -> int:

    model = _load_model(args.model, args.command)
    if model.loss is None:
        # The library would say "call model.compile(...)": a traceback here.
        raise ValueError(
            f"{args.model}: the model was saved without a loss (never compiled), "
            "so there is nothing to score it with; glassnet predict works without one"
        )
    X, y_raw = _model_data(model, args.data, require_target=True)
    results = model.evaluate(X, _encode_for(model, y_raw, args.data))
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value:.6g}")
    return EXIT_OK


def _add_predict(subparsers: argparse._SubParsersAction) -> None:
    parser = _subcommand(
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
            "glassnet predict model.npz new.csv",
            "glassnet predict model.npz new.csv --proba --out predictions.csv",
        ],
    )
    _add_model_and_data(parser)
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="CSV file to write (default: standard output)",
    )
    parser.add_argument(
        "--proba", action="store_true", help="add one probability column per class"
    )
    parser.set_defaults(run=_run_predict)


def _prediction_table(model, X: np.ndarray, proba: bool) -> list[list]:
    """Header and rows of the predictions CSV."""
    outputs = model.predict_proba(X)
    classes = model.classes_
    if classes is None:
        if proba:
            raise ValueError(
                "--proba: the model does regression; there are no class probabilities"
            )
        return [["prediction"], *([float(v)] for v in outputs[:, 0])]
    if outputs.shape[1] == 1:  # one sigmoid output: P(classes_[1])
        outputs = np.hstack([1.0 - outputs, outputs])
    labels = classes[outputs.argmax(axis=1)]
    header = ["prediction"]
    if proba:
        header += [f"p_{label}" for label in classes.tolist()]
        return [
            header,
            *(
                [label, *p]
                for label, p in zip(labels.tolist(), outputs.tolist(), strict=True)
            ),
        ]
    return [header, *([label] for label in labels.tolist())]


def _run_predict(args: argparse.Namespace) -> int:
    import csv
    import io

    from glassnet._files import atomic_write

    model = _load_model(args.model, args.command)
    if args.out is not None:
        _check_writable(Path(args.out), "--out")
        inputs = {"MODEL": args.model, "DATA": args.data}
        _check_not_an_input(Path(args.out), "--out", inputs)
    X, _ = _model_data(model, args.data, require_target=False)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(
        _prediction_table(model, X, args.proba)
    )
    if args.out is None:
        sys.stdout.write(text.getvalue())
    else:
        encoded = text.getvalue().encode("utf-8")
        atomic_write(args.out, lambda file: file.write(encoded))
    return EXIT_OK


def _add_summary(subparsers: argparse._SubParsersAction) -> None:
    parser = _subcommand(
        subparsers,
        "summary",
        summary="describe a saved model: layers, data, training, file format",
        description="Print what MODEL is: its layers, its data and its training.",
        examples=["glassnet summary model.npz"],
    )
    parser.add_argument(
        "model", metavar="MODEL", help="a model file from glassnet train"
    )
    parser.set_defaults(run=_run_summary)


def _run_summary(args: argparse.Namespace) -> int:
    from glassnet import serialization

    model = _load_model(args.model, args.command)
    header = serialization.read_header(args.model)  # reads the header member only
    meta = model.metadata
    print(model.summary())
    if meta:
        features = meta.get("features", [])
        shown = ", ".join(features[:8]) + (", ..." if len(features) > 8 else "")
        print(f"task: {meta.get('task')}, target {meta.get('target')!r}")
        print(f"features ({len(features)}): {shown}")
    if model.classes_ is not None:
        print("classes: " + ", ".join(map(str, np.asarray(model.classes_).tolist())))
    if model.preprocessing is not None:
        print(f"preprocessing: {model.preprocessing!r}")
    if model.loss is not None:
        config = ", ".join(f"{k}={v}" for k, v in model.optimizer.get_config().items())
        print(f"loss: {model.loss.name}; optimizer: {model.optimizer.name}({config})")
    history = model.history.history
    last = ", ".join(f"{k} {v[-1]:.4g}" for k, v in history.items() if v)
    print(f"trained: {model.epoch} epoch(s)" + (f"; last: {last}" if last else ""))
    print(
        f"file: {header['format']} version {header['format_version']}, written by "
        f"glassnet {header['glassnet_version']}"
    )
    return EXIT_OK
