"""``glassnet summary MODEL``: what a saved model is and how it was trained."""

from __future__ import annotations

import argparse

import numpy as np

from glassnet.cli.common import EXIT_OK, subcommand
from glassnet.cli.inputs import load_model


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subcommand(
        subparsers,
        "summary",
        summary="describe a saved model: layers, data, training, file format",
        description="Print what MODEL is: its layers, its data and its training.",
        examples=["glassnet summary model.npz"],
    )
    parser.add_argument(
        "model", metavar="MODEL", help="a model file from glassnet train"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from glassnet import serialization

    model = load_model(args.model, args.command)
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
    settings = meta.get("settings") if isinstance(meta.get("settings"), dict) else {}
    run = []
    if isinstance(meta.get("best_epoch"), int):
        best = meta["best_epoch"]
        shown = ", ".join(
            f"{k} {v[best - 1]:.4g}" for k, v in history.items() if len(v) >= best
        )
        run.append(
            f"best epoch {best}" + (f" ({shown}), its weights kept" if shown else "")
        )
    for key, name in (("seed", "seed"), ("batch_size", "batch size")):
        if settings.get(key) is not None:
            run.append(f"{name} {settings[key]}")
    if run:
        print("training: " + "; ".join(run))
    if meta.get("target_scaling"):
        scaling = meta["target_scaling"]
        print(
            f"target scaling: mean {scaling.get('mean'):.6g}, scale "
            f"{scaling.get('scale'):.6g} (predictions in the target's units)"
        )
    if meta.get("ignored"):
        print("ignored columns: " + ", ".join(meta["ignored"]))
    print(
        f"file: {header['format']} version {header['format_version']}, written by "
        f"glassnet {header.get('glassnet_version', '(version not recorded)')}"
    )
    return EXIT_OK
