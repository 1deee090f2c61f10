"""``glassnet train``: fit a network on a CSV file or a built-in dataset, save it.

Its settings (defaults, checks, the model, ``--resume``) are in
:mod:`glassnet.cli.train_settings`; reading DATA is in :mod:`glassnet.cli.inputs`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

from glassnet.cli import layer_spec, tabular
from glassnet.cli.common import EXIT_BAD_INPUT, EXIT_OK, fail, subcommand
from glassnet.cli.inputs import DATASETS, load_data, non_number, targets
from glassnet.cli.outputs import (
    check_not_an_input,
    check_writable,
    save_or_recover,
    status_stream,
)
from glassnet.cli.train_settings import (
    CHECKPOINT,
    build_model,
    checkpoint_folder,
    resume,
    settings_from_args,
    task_line,
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from glassnet import activations, losses, optimizers

    parser = subcommand(
        subparsers,
        "train",
        summary="train a network on a CSV file (or mnist, fashion-mnist) and save it",
        description=(
            "Train a multi-layer perceptron on DATA and save it to --out. The task "
            "(binary, multiclass, regression) and the loss are inferred from the "
            "target column unless given. Text feature columns are one-hot encoded, "
            "features standardised and a regression target too (predictions come "
            "back in its units), all stored in the model; missing cells are refused "
            "unless --impute. Training stops when val_loss has not improved for "
            "--patience epochs and keeps the best epoch's weights. A .gz file is "
            "read directly. If the loss diverges the command stops with "
            "exit code 2 and writes nothing to --out (with --checkpoint, the last "
            "checkpoint keeps the last finite weights)."
        ),
        examples=[
            "glassnet train people.csv --target gender --drop name --seed 0",
            "glassnet train flowers.csv --target species --out flowers.npz",
            "glassnet train flowers.csv --target species --hidden 32 --patience 50",
            "glassnet train mnist --hidden 128 --epochs 5 --out digits.npz",
            "glassnet train mnist --layers cnn --epochs 15 --batch-size 128",
            "glassnet train flowers.csv --target species --checkpoint ck/  # killed?",
            "glassnet train flowers.csv --target species --checkpoint ck/ --resume",
        ],
    )
    parser.add_argument(
        "data",
        metavar="DATA",
        help="a CSV file with a header row (.gz too), mnist or fashion-mnist",
    )
    parser.add_argument(
        "--target", metavar="COL", help="the column to predict (required for a CSV)"
    )
    parser.add_argument(
        "--task",
        choices=("binary", "multiclass", "regression"),
        help="what to predict (default: inferred from the target column)",
    )
    parser.add_argument(
        "--hidden",
        metavar="N,N",
        help="hidden layer sizes; an empty string for none (default: 100)",
    )
    parser.add_argument(
        "--layers",
        metavar="SPEC",
        help="hidden layers instead of --hidden: cnn (the MNIST CNN) or a list "
        "such as conv:32:3,pool,conv:64:3,pool,flatten,dropout:0.5 (conv, pool, "
        "avgpool, gap, batchnorm, flatten, dropout, dense, reshape)",
    )
    parser.add_argument(
        "--activation",
        metavar="NAME",
        help=f"hidden activation: {', '.join(activations.names())} (default: relu)",
    )
    parser.add_argument(
        "--loss",
        metavar="NAME",
        help=f"{', '.join(losses.names())} (default: from the task)",
    )
    parser.add_argument(
        "--optimizer",
        metavar="NAME",
        help=f"{', '.join(optimizers.names())} (default: adam)",
    )
    parser.add_argument(
        "--lr", type=float, metavar="RATE", help="learning rate (optimizer default)"
    )
    parser.add_argument(
        "--epochs",
        type=int,
        metavar="N",
        help="at most N passes over the training data (default: "
        f"{tabular.DEFAULT_EPOCHS}; early stopping usually ends far sooner)",
    )
    parser.add_argument(
        "--batch-size", type=int, metavar="N", help="samples per step (default: 32)"
    )
    parser.add_argument(
        "--validation-split",
        type=float,
        metavar="F",
        help="fraction held out for val_ scores and early stopping, 0 for none "
        "(default: 0.1)",
    )
    parser.add_argument(
        "--seed", type=int, metavar="N", help="random seed (default: a fresh one)"
    )
    parser.add_argument(
        "--out",
        default="model.npz",
        metavar="FILE",
        help="where to save the model (default: model.npz)",
    )
    parser.add_argument(
        "--checkpoint",
        metavar="DIR",
        help=f"save DIR/{CHECKPOINT} after every epoch (created if needed)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue from the checkpoint in --checkpoint DIR (same settings)",
    )
    tabular.add_train_flags(parser)
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from glassnet import callbacks, data, serialization
    from glassnet._validation import check_positive_int
    from glassnet.errors import DataError, TrainingDiverged

    epochs = check_positive_int(
        tabular.DEFAULT_EPOCHS if args.epochs is None else args.epochs, "--epochs"
    )
    out = Path(args.out)
    check_writable(out, "--out")
    check_not_an_input(out, "--out", {"DATA": args.data})
    folder = checkpoint_folder(args.checkpoint) if args.checkpoint else None
    if folder is not None:
        check_not_an_input(folder / CHECKPOINT, "--checkpoint", {"DATA": args.data})
    if args.resume:
        model = resume(args, folder)
        settings = model.metadata["settings"]
        target = model.metadata["target"]
    else:
        settings = settings_from_args(args)
        target = args.target
        if args.data in DATASETS and target not in (None, "label"):
            raise ValueError(
                f"--target {target}: {args.data} has one target, its 'label'; "
                "drop --target"
            )
    column_encoder = None
    ignored: list[str] = []
    if args.data in DATASETS:
        X, y_raw, features, target = load_data(
            args.data, target, split="train", flags=vars(args)
        )
    else:
        if args.resume:
            ignored = model.metadata.get("ignored", [])
        else:
            ignored = tabular.dropped_columns(args)
        options = {**tabular.read_options(vars(args)), "drop": ignored, "text": True}
        if target is None:  # load_data's message names --target
            load_data(args.data, target, split="train", flags=vars(args))
        table = load_data(
            args.data,
            target,
            split="train",
            flags=vars(args),
            read_options=options,
            table=True,
        )
        if not args.resume:
            table, ignored = tabular.select_features(args, table, ignored)
        features, y_raw = table.feature_names, table.y
        if args.resume and "columns" in model.metadata:
            X = tabular.encode_columns(model.metadata, table)
        else:
            X, column_encoder = tabular.fit_columns(table, settings["impute"])
    try:
        task, codes, encoder = data.encode_target(y_raw, settings["task"])
    except DataError:
        text = non_number(y_raw)
        if settings["task"] != "regression" or text is None:
            raise
        # The library's message describes an array ("dtype <U3"); name the column.
        raise DataError(
            f"--task regression needs a numeric target; {target!r} holds text "
            f"such as {text!r}. Drop --task to classify it, or pick a numeric "
            "--target"
        ) from None
    n_classes = 0 if encoder is None else encoder.classes_.size
    if task == "binary" and n_classes != 2:
        # Caught here: the loss would only say its targets must be in [0, 1].
        shown = ", ".join(repr(c) for c in encoder.classes_[:10].tolist())
        raise ValueError(
            f"--task binary needs a target with two classes; {target!r} has "
            f"{n_classes}: {shown}{' and more' if n_classes > 10 else ''}. "
            "Use --task multiclass"
        )

    if args.resume:
        if features != model.metadata["features"] or (
            encoder is not None
            and encoder.classes_.tolist() != np.asarray(model.classes_).tolist()
        ):
            raise ValueError(
                f"--resume: {args.data} does not match the data of the checkpoint "
                f"in {str(folder)!r} (other columns or classes)"
            )
        where = f"the checkpoint in {str(folder)!r}"
        if model.epoch > epochs:
            # Training cannot be undone, and the earlier epochs' weights are gone:
            # writing a longer-trained model to --out would not be what was asked.
            raise ValueError(
                f"--resume: {where} already holds {model.epoch} epochs, more than "
                f"--epochs {epochs}; give --epochs {model.epoch} or more to use it, "
                "or start afresh without --resume"
            )
        if model.epoch == epochs:
            # The run is complete (a rerun after a crash that came after the last
            # epoch, say): still write --out, so a rerun ends like the first run.
            if not args.quiet:
                print(
                    f"glassnet: --resume: {where} already holds {model.epoch} of "
                    f"--epochs {epochs}; nothing to train (give a larger --epochs "
                    "to continue)",
                    file=sys.stderr,
                )
            if not save_or_recover(model, out, None, epochs):
                return EXIT_BAD_INPUT
            if not args.quiet:
                print(f"saved the model to {out}", file=status_stream(out))
            return EXIT_OK
    else:
        model = build_model(settings, task, X.shape[1], n_classes)
        model.classes_ = None if encoder is None else encoder.classes_
        model.metadata = {
            "data": args.data,
            "target": target,
            "features": features,
            "task": task,
            "settings": settings,
        }
        if column_encoder is not None:
            model.metadata["columns"] = column_encoder.get_config()
        if ignored:
            model.metadata["ignored"] = ignored
    y = targets(model, task, codes)
    if task == "regression":
        # trained on (y - mean)/scale, so that the default learning rate suits
        # any units; predict and evaluate give the original units back
        scaling = tabular.target_scaling(model.metadata)
        if scaling is None and not args.resume:
            y, model.metadata["target_scaling"] = tabular.scale_target(y)
        elif scaling is not None:
            y = (y - scaling[0]) / scaling[1]

    validation = None
    if settings["validation_split"] > 0:
        try:
            train, held_out = data.split_indices(
                len(X),
                settings["validation_split"],
                seed=settings["seed"],
                stratify=None if task == "regression" else codes,
            )
        except ValueError:
            # The library speaks of test_size= and n_samples=; say it with the flag.
            # It rounds the held-out count up, so every row goes once the
            # fraction exceeds (n - 1) / n.
            split, n = settings["validation_split"], len(X)
            if n < 2:
                raise ValueError(
                    f"--validation-split {split:g}: {args.data} has {n} row, too "
                    "few to hold any out; give --validation-split 0"
                ) from None
            raise ValueError(
                f"--validation-split {split:g} would hold out all {n} rows of "
                f"{args.data}, leaving none to train on; give at most "
                # cut, not rounded: 2/3 rounded to 0.6667 would hold out all 3
                f"{int((n - 1) / n * 1e4) / 1e4:g}, or 0 for no validation"
            ) from None
        validation = (X[held_out], y[held_out])
        X, y = X[train], y[train]
    # images keep their [0, 1] pixels: standardising each pixel on its own would
    # undo what convolution relies on, neighbouring pixels on one scale
    if not args.resume and not layer_spec.has_image_layers(settings.get("layers")):
        try:
            model.preprocessing = data.Standardizer().fit(X)
        except DataError as error:  # a column too wide: name it as the file does
            where = re.match(r"X\[:, (\d+)\]", str(error))
            if where is None:
                raise
            column = f"{args.data}: column {features[int(where.group(1))]!r}"
            raise DataError(column + str(error)[where.end() :]) from None

    hooks = [] if args.quiet else [callbacks.ProgressBar()]
    stopper = tabular.early_stopping(settings["patience"], validation is not None)
    if stopper is not None:
        hooks.append(stopper)
    if folder is not None:
        # One file, replaced atomically each epoch; braces escaped for str.format.
        pattern = str(folder / CHECKPOINT).replace("{", "{{").replace("}", "}}")
        hooks.append(callbacks.ModelCheckpoint(pattern))
    if model.history is not None:
        # fit starts a new History; a resumed run keeps the epochs before it.
        earlier = {key: list(values) for key, values in model.history.history.items()}
        hooks.append(
            callbacks.LambdaCallback(
                on_train_begin=lambda logs: model.history.history.update(earlier)
            )
        )
    initial_epoch = model.epoch
    if not args.quiet:
        # flushed: progress goes to stderr, and the task must come before it
        inferred = settings["task"] is None
        line = task_line(
            task, target, model.classes_, inferred=inferred, resume=args.resume
        )
        print(line, file=status_stream(out), flush=True)
    try:
        # Divergence is reported below in one clear line; NumPy's overflow
        # warnings on the way there would only add noise to it.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            model.fit(
                X,
                y,
                epochs=epochs,
                batch_size=settings["batch_size"],
                validation_data=validation,
                callbacks=hooks,
                initial_epoch=initial_epoch,
            )
    except OSError as error:  # a checkpoint that could not be written
        if folder is None:
            raise
        try:
            done = serialization.read_header(folder / CHECKPOINT)["epoch"]
            kept = f"it holds the first {done} epoch(s): --resume continues from it"
        except (OSError, ValueError):
            kept = "there is no complete checkpoint"
        return fail(
            f"{error}; training stopped in epoch {model.epoch}/{epochs} and nothing "
            f"was written to {out}; {kept}"
        )
    except TrainingDiverged as error:
        where = (
            f"; the last checkpoint in {str(folder)!r} holds the last finite weights"
            if folder is not None
            else ""
        )
        # The library's advice is for Python ("clipnorm= in the optimizer"; the
        # restored weights are not saved here); keep its first sentence, which
        # names the epoch and what became non-finite, and advise the flag.
        what = str(error).split(". ", 1)[0]
        if not what.startswith("training diverged"):  # reworded: the attributes
            what = (
                f"training diverged in epoch {error.epoch + 1}/{epochs}: "
                f"the loss became {error.loss}"
            )
        rate = model.optimizer.current_learning_rate()
        return fail(
            f"{what}. Try a lower learning rate, e.g. --lr {rate / 10:g} (it was "
            f"{rate:g}). Nothing was written to {out}{where}."
        )
    if stopper is not None and stopper.best_epoch is not None:
        model.metadata["best_epoch"] = stopper.best_epoch + 1
        if not args.quiet and stopper.best_epoch + 1 != model.epoch:
            print(
                f"best val_loss {stopper.best:.4g} in epoch {stopper.best_epoch + 1} "
                f"of {model.epoch}; the model keeps that epoch's weights",
                file=status_stream(out),
            )
    checkpoint = None if folder is None else folder / CHECKPOINT
    if not save_or_recover(model, out, checkpoint, epochs):
        return EXIT_BAD_INPUT
    if not args.quiet:
        print(f"saved the model to {out}", file=status_stream(out))
    return EXIT_OK
