"""The ``glassnet`` command line.

This is the only module that parses arguments, prints or exits. Every command is a
pair of functions: ``_add_<name>(subparsers)`` declares its arguments and
``_run_<name>(args) -> int`` does the work and returns the exit code.

Exit codes: 0 success, 1 an unexpected internal error, 2 bad input of any kind
(a clear one-line message on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from glassnet import __version__

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _fail(message: str) -> int:
    """Print ``glassnet: error: <message>`` on stderr; return exit code 2."""
    print(f"glassnet: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _subcommand(
    subparsers: argparse._SubParsersAction,
    name: str,
    *,
    summary: str,
    description: str,
    examples: Sequence[str],
) -> argparse.ArgumentParser:
    """Add the parser of ``glassnet NAME``: one-line summary, prose, examples."""
    import textwrap

    return subparsers.add_parser(
        name,
        help=summary,
        description=textwrap.fill(description, 79),
        epilog="examples:\n" + "\n".join(f"  {line}" for line in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


# --------------------------------------------------------------------------- demo

DEMO_SEED = 2485  # its run looks like the article's: Emily 0.951 F, Frank 0.039 M


def _add_demo(subparsers: argparse._SubParsersAction) -> None:
    parser = _subcommand(
        subparsers,
        "demo",
        summary="the article end to end: neuron, network, loss, backprop, training",
        description=(
            "Victor Zhou's 'An Introduction to Neural Networks', end to end: a "
            "neuron, a 2-2-1 network, the MSE loss, one backpropagation step checked "
            "against the post's numbers, 1000 epochs of training, and predictions "
            "for Emily and Frank."
        ),
        examples=["glassnet demo", "glassnet demo --seed 7 --plot loss.png"],
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEMO_SEED,
        metavar="N",
        help=f"seed of the initial weights (default {DEMO_SEED}: like the post's run)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        help='also save the loss curve (needs: pip install "glassnet[plot]")',
    )
    parser.set_defaults(run=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from pathlib import Path

    from glassnet import article as a

    # Refuse bad input before printing anything rather than after the walk-through.
    net = a.OurNeuralNetwork(seed=args.seed)
    if args.plot is not None:
        from glassnet.plotting import require_matplotlib

        require_matplotlib()
        if Path(args.plot).is_dir():
            return _fail(f"--plot {args.plot}: is a folder; give a file name")
        folder = Path(args.plot).resolve().parent
        if not folder.is_dir():
            return _fail(f"--plot: the folder {str(folder)!r} does not exist")
        from matplotlib.backend_bases import FigureCanvasBase

        formats = FigureCanvasBase.get_supported_filetypes()
        suffix = Path(args.plot).suffix.lstrip(".").lower() or "png"
        if suffix not in formats:
            return _fail(
                f"--plot: matplotlib cannot write {suffix!r} images. "
                f"Use one of: {', '.join(sorted(formats))} (e.g. loss.png)"
            )
    start = net.parameters()

    print('Victor Zhou, "An Introduction to Neural Networks", in glassnet.article\n')
    print("1. A neuron: y = f(w.x + b), with the sigmoid f(x) = 1 / (1 + e^-x)")
    y = a.Neuron([0, 1], 4).feedforward([2, 3])
    print(f"   w = [0, 1], b = 4, x = [2, 3]: w.x + b = 7, y = f(7) = {y!r}")
    print("\n2. A network: inputs x1, x2 -> hidden neurons h1, h2 -> output neuron o1")
    same = a.Neuron([0, 1], 0)
    h = same.feedforward([2, 3])
    o1 = same.feedforward([h, h])
    print("   every neuron w = [0, 1], b = 0; x = [2, 3]")
    print(f"   h1 = h2 = f(3) = {h:.4f}, o1 = f({h:.4f}) = {o1!r}")

    print("\n3. Data: label 1 for female, 0 for male; the inputs are shifted,")
    print(f"   x = [weight - {a.SHIFT[0]} lb, height - {a.SHIFT[1]} in]")
    for name, (lb, inch), x, y in zip(
        a.NAMES, a.RAW_DATA, a.DATA, a.ALL_Y_TRUES, strict=True
    ):
        shifted = f"x = {list(x)}"
        print(f"   {name:<8} {lb} lb  {inch} in  {a.gender(y)}  {shifted:<14} {y}")
    mse = a.mse_loss(a.ALL_Y_TRUES, [0, 0, 0, 0])
    print(f"   MSE of a network that always says 0: (1 + 0 + 0 + 1) / 4 = {mse!r}")

    print("\n4. Backpropagation on Alice alone, every weight 1 and every bias 0")
    ones = a.OurNeuralNetwork(seed=0)
    ones.set_parameters(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
    step = ones.backprop(a.DATA[0], a.ALL_Y_TRUES[0])
    print(f"   {'':<16}{'article':>9}   glassnet (float64)")
    for label, post, value in (
        ("h1 = h2 = f(-3)", "0.0474", step.h1),
        ("o1 = y_pred", "0.524", step.y_pred),
        ("dL/dy_pred", "-0.952", step.d_L_d_ypred),
        ("dy_pred/dh1", "0.249", step.d_ypred_d_h1),
        ("dh1/dw1", "-0.0904", step.d_h1_d_w1),
        ("dL/dw1", "0.0214", step.d_L_d_w1),
    ):
        print(f"   {label:<16}{post:>9}   {value!r}")
    print("   (the article rounds as it goes: hence -0.952 and 0.0214)")

    print(f"\n5. Training: SGD, learn rate 0.1, 1000 epochs, seed {args.seed}")
    names = list(start)
    for group in (names[:6], names[6:]):
        print("   start: " + ", ".join(f"{k} = {start[k]:.3f}" for k in group))
    history = net.train(a.DATA, a.ALL_Y_TRUES)
    for epoch, loss in history:
        print(f"Epoch {epoch} loss: {loss:.3f}")

    print("\n6. Predictions for two new people")
    for name, (lb, inch), x in (
        ("Emily", a.EMILY_RAW, a.EMILY),
        ("Frank", a.FRANK_RAW, a.FRANK),
    ):
        y = net.feedforward(x)
        print(f"{name}: {y:.3f} - {a.gender(y)}   ({lb} lb, {inch} in: x = {list(x)})")

    if args.plot is not None:
        from glassnet.plotting import plot_loss

        plot_loss(history, args.plot, title=f"glassnet demo: loss (seed {args.seed})")
        print(f"\nLoss curve saved to {args.plot}")
    return EXIT_OK


# ------------------------------------------------ train, evaluate, predict, summary

# DATA arguments that name a built-in dataset instead of a CSV file.
_DATASETS = {"mnist": "mnist", "fashion-mnist": "fashion_mnist"}
# Training settings and their defaults; None in argparse means "not given", so
# --resume can tell an explicit, conflicting flag from a default.
_TRAIN_DEFAULTS = {
    "task": None,
    "hidden": "64,32",
    "activation": "relu",
    "loss": None,
    "optimizer": "adam",
    "lr": None,
    "batch_size": 32,
    "validation_split": 0.2,
    "seed": None,
}
# The file in --checkpoint DIR that every epoch replaces and --resume reads.
_CHECKPOINT = "checkpoint.npz"
# The loss each task gets when --loss is not given.
_TASK_LOSS = {
    "binary": "binary_crossentropy",
    "multiclass": "categorical_crossentropy",
    "regression": "mse",
}


def _add_train(subparsers: argparse._SubParsersAction) -> None:
    from glassnet import activations, losses, optimizers

    parser = _subcommand(
        subparsers,
        "train",
        summary="train a network on a CSV file (or mnist, fashion-mnist) and save it",
        description=(
            "Train a multi-layer perceptron on DATA and save it to --out. The task "
            "(binary, multiclass, regression) and the loss are inferred from the "
            "target column unless given; features are standardised with a mean and "
            "scale stored in the model. If the loss diverges the command stops with "
            "exit code 2 and writes nothing to --out (with --checkpoint, the last "
            "checkpoint keeps the last finite weights)."
        ),
        examples=[
            "glassnet train people.csv --target gender",
            "glassnet train houses.csv --target price --hidden 32 --epochs 50 "
            "--out price.npz",
            "glassnet train mnist --hidden 128 --epochs 5 --out digits.npz",
            "glassnet train data.csv --target y --checkpoint ck/   # killed? then:",
            "glassnet train data.csv --target y --checkpoint ck/ --resume",
        ],
    )
    parser.add_argument(
        "data",
        metavar="DATA",
        help="a CSV file with a header row, mnist or fashion-mnist",
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
        help="hidden layer sizes; an empty string for none (default: 64,32)",
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
        default=10,
        metavar="N",
        help="passes over the training data (default: 10)",
    )
    parser.add_argument(
        "--batch-size", type=int, metavar="N", help="samples per step (default: 32)"
    )
    parser.add_argument(
        "--validation-split",
        type=float,
        metavar="F",
        help="fraction held out for val_ scores, 0 for none (default: 0.2)",
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
        help=f"save DIR/{_CHECKPOINT} after every epoch (created if needed)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue from the checkpoint in --checkpoint DIR (same settings)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    parser.set_defaults(run=_run_train)


def _parse_hidden(text: str) -> list[int]:
    """``"64,32"`` -> ``[64, 32]``; an empty string means no hidden layer."""
    sizes = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        if not part.isdigit() or int(part) < 1:
            raise ValueError(
                "--hidden must be comma-separated layer sizes >= 1, like 64,32. "
                f"Received: --hidden={text}"
            )
        sizes.append(int(part))
    return sizes


def _train_settings(args: argparse.Namespace) -> dict:
    """The validated training settings (defaults filled in), JSON-able."""
    from glassnet import activations, losses, optimizers
    from glassnet._validation import (
        check_finite_number,
        check_positive_int,
        check_probability,
    )

    settings = {
        key: getattr(args, key) if getattr(args, key) is not None else default
        for key, default in _TRAIN_DEFAULTS.items()
    }
    settings["hidden"] = _parse_hidden(settings["hidden"])
    try:  # unknown names list the valid ones; say which flag was wrong
        flag = "--activation"
        activations.get(settings["activation"])
        flag = "--optimizer"
        optimizers.get(settings["optimizer"])
        if settings["loss"] is not None:
            flag = "--loss"
            settings["loss"] = losses.get(settings["loss"]).name
    except ValueError as error:
        raise ValueError(f"{flag}: {error}") from None
    if settings["lr"] is not None:
        check_finite_number(settings["lr"], "--lr", minimum=0.0, strict_minimum=True)
    check_positive_int(settings["batch_size"], "--batch-size")
    check_probability(settings["validation_split"], "--validation-split")
    if settings["seed"] is not None:
        check_positive_int(settings["seed"], "--seed", minimum=0)
    else:
        # Drawn once and stored in the model, so --resume repeats the same split.
        settings["seed"] = int(np.random.SeedSequence().entropy % 2**32)
    return settings


def _check_writable(path: Path, flag: str) -> None:
    """Fail before training, not after, when ``path`` cannot be written."""
    import os
    import tempfile

    if path.is_dir():
        raise ValueError(f"{flag} {path}: is a folder; give a file name")
    if path.exists() and not path.is_file():  # /dev/null, a pipe: written into
        if not os.access(path, os.W_OK):
            raise ValueError(f"{flag} {path}: cannot be written")
        return
    folder = path.parent
    if path.is_symlink():  # written through to the file it names (atomic_write)
        real = Path(os.path.realpath(path))
        if real.is_symlink():  # realpath stops inside a loop of links
            raise ValueError(f"{flag} {path}: its symbolic links form a loop")
        folder = real.parent
    if not folder.is_dir():
        raise ValueError(f"{flag} {path}: folder {str(folder)!r} does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        raise ValueError(
            f"{flag} {path}: cannot write in folder {str(folder)!r}"
        ) from None


def _check_not_an_input(path: Path, flag: str, inputs: dict[str, str]) -> None:
    """Refuse an output that is one of the command's own input files."""
    import os

    for role, name in inputs.items():
        try:
            same = os.path.samefile(path, name)
        except OSError:  # one of them does not exist (or is mnist): not the same
            continue
        if same:
            raise ValueError(
                f"{flag} {path}: is the input file ({role}); writing there would "
                "destroy it. Give another file name"
            )


def _checkpoint_folder(text: str) -> Path:
    """Create the checkpoint folder if needed and check it is writable."""
    folder = Path(text)
    if folder.exists() and not folder.is_dir():
        raise ValueError(f"--checkpoint {folder}: is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(
            f"--checkpoint {folder}: cannot create the folder ({error.strerror})"
        ) from None
    _check_writable(folder / _CHECKPOINT, "--checkpoint")
    return folder


def _download_advice(message: str, function: str) -> str:
    """The loader's "files not found" message with a command instead of Python.

    The library tells a Python user to "pass path=..., or call mnist(download=True)";
    on the command line neither exists, so that clause becomes a command to run.
    Any other message comes back unchanged.
    """
    advice = f", pass path=..., or call {function}(download=True) to download them"
    if advice not in message:
        return message
    head, into = message.split(advice, 1)
    return (
        f'{head}, or download them once with: python -c "import glassnet; '
        f'glassnet.datasets.{function}(download=True)", which saves them{into}'
    )


def _load_data(
    spec: str, target: str | None, *, split: str, features=None, require_target=True
):
    """``(X, y_raw, feature_names, target)`` from a CSV file or a built-in dataset.

    ``split`` picks the built-in dataset's "train" or "test" part.
    """
    from glassnet import data
    from glassnet.errors import DataError

    if spec in _DATASETS:
        from glassnet import datasets

        # Missing files raise a DataError that says where it looked and how to
        # get them (GLASSNET_DATA, or a one-time download).
        try:
            (X_train, y_train), (X_test, y_test) = getattr(datasets, _DATASETS[spec])()
        except DataError as error:
            raise DataError(_download_advice(str(error), _DATASETS[spec])) from None
        X, y = (X_train, y_train) if split == "train" else (X_test, y_test)
        X = X.reshape(len(X), -1)
        return X, y, [f"pixel{i}" for i in range(X.shape[1])], "label"
    if target is None and require_target:
        raise ValueError(f"--target COL is required for {spec}: the column to predict")
    table = data.read_csv(
        spec, target, features=features, require_target=require_target
    )
    return table.X, table.y, table.feature_names, target


def _build_model(settings: dict, task: str, n_features: int, n_classes: int):
    """A compiled Sequential for ``task`` from the CLI settings."""
    from glassnet import losses, optimizers
    from glassnet.layers import Dense
    from glassnet.network import Sequential

    loss = losses.get(settings["loss"] or _TASK_LOSS[task])
    if loss.name == "categorical_crossentropy":
        if task == "regression":
            raise ValueError(
                f"--loss {loss.name} needs class labels; the target is numeric "
                "(regression). Use --loss mse or --task binary/multiclass"
            )
        n_out, output = n_classes, "linear"  # logits; the loss applies softmax
    elif loss.name == "binary_crossentropy":
        if task != "binary":
            raise ValueError(
                f"--loss {loss.name} needs a target with two classes; this one is "
                f"{task}"
            )
        n_out = 1
        output = "linear" if loss.get_config().get("from_logits") else "sigmoid"
    else:  # mse, mae: probabilities for classes, a linear output for regression
        n_out = {"binary": 1, "multiclass": n_classes}.get(task, 1)
        output = {"binary": "sigmoid", "multiclass": "softmax"}.get(task, "linear")
    sizes = [n_features, *settings["hidden"]]
    layers = [
        Dense(n_in, n_out_, activation=settings["activation"])
        for n_in, n_out_ in zip(sizes, sizes[1:], strict=False)
    ]
    layers.append(Dense(sizes[-1], n_out, activation=output))
    model = Sequential(layers, seed=settings["seed"])
    optimizer = {"name": settings["optimizer"]}
    if settings["lr"] is not None:
        optimizer["learning_rate"] = settings["lr"]
    metrics = ["accuracy"] if task != "regression" else ["mae"]
    model.compile(loss=loss, optimizer=optimizers.get(optimizer), metrics=metrics)
    return model


def _targets(model, task: str, codes: np.ndarray) -> np.ndarray:
    """Encoded targets in the form the model's loss trains on."""
    from glassnet import data

    if task == "multiclass" and model.loss.name in ("mse", "mae"):
        return data.one_hot(codes, model.classes_.size, dtype=model.dtype)
    return codes


def _encode_for(model, y_raw: np.ndarray, name: str) -> np.ndarray:
    """Raw targets -> what the saved model trained on (its classes, its loss)."""
    from glassnet import data

    task = model.metadata.get("task", "regression")
    if task == "regression":
        _, codes, _ = data.encode_target(y_raw, "regression")
        return codes
    try:
        codes = data.LabelEncoder(model.classes_).transform(y_raw)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    return _targets(model, task, codes)


def _resume(args: argparse.Namespace, folder: Path | None):
    """The model in the checkpoint folder, after checking the flags agree with it."""
    from glassnet import serialization

    if folder is None:
        raise ValueError("--resume needs --checkpoint DIR, the folder to resume from")
    path = folder / _CHECKPOINT
    if not path.exists():
        raise ValueError(
            f"--resume: no checkpoint {str(path)!r} to resume from "
            "(run without --resume to start training)"
        )
    model = serialization.load(path)
    settings = {**model.metadata["settings"], "target": model.metadata["target"]}
    for key in [*_TRAIN_DEFAULTS, "target"]:
        given = getattr(args, key)
        if key == "hidden" and given is not None:
            given = _parse_hidden(given)
        if given is not None and given != settings[key]:
            flag = "--" + key.replace("_", "-")
            stored = "default" if settings[key] is None else settings[key]
            raise ValueError(
                f"--resume: {flag} {getattr(args, key)} differs from the "
                f"checkpoint's ({stored}); drop {flag} to resume, or start "
                "afresh without --resume"
            )
    return model


_SHOWN_CLASSES = 6  # a task line names this many classes, then "..."


def _status_stream(out: str):
    """Where train's status lines go: stdout, unless ``--out`` *is* stdout.

    ``glassnet train ... --out /dev/stdout > model.npz`` (or ``| ...``) sends the
    model through standard output, so a status line there would corrupt it: those
    lines then go to stderr, with the progress bar.
    """
    import os

    try:
        here, there = os.stat(out), os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no such file, or no real stdout
        return sys.stdout
    same = (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)
    return sys.stderr if same else sys.stdout


def _task_line(task: str, target: str, classes, *, inferred: bool, resume: bool) -> str:
    """``task: binary, target 'label', 2 classes (no, yes); inferred, ...``."""
    line = f"task: {task}, target {target!r}"
    if classes is not None:
        names = [str(c) for c in np.asarray(classes).tolist()]
        shown = ", ".join(names[:_SHOWN_CLASSES])
        more = ", ..." if len(names) > _SHOWN_CLASSES else ""
        line += f", {len(names)} classes ({shown}{more})"
    if inferred:
        # a resumed run cannot change it: --task is refused when it differs
        line += "; inferred" if resume else "; inferred, --task overrides"
    return line


def _non_number(values: np.ndarray):
    """The first value that does not read as a number (None if all do)."""
    for value in np.asarray(values).ravel().tolist():
        try:
            float(value)
        except (TypeError, ValueError):
            return value
    return None


def _run_train(args: argparse.Namespace) -> int:
    from glassnet import callbacks, data, serialization
    from glassnet._validation import check_positive_int
    from glassnet.errors import DataError, TrainingDiverged

    epochs = check_positive_int(args.epochs, "--epochs")
    out = Path(args.out)
    _check_writable(out, "--out")
    _check_not_an_input(out, "--out", {"DATA": args.data})
    folder = _checkpoint_folder(args.checkpoint) if args.checkpoint else None
    if args.resume:
        model = _resume(args, folder)
        settings = model.metadata["settings"]
        target = model.metadata["target"]
    else:
        settings = _train_settings(args)
        target = args.target
        if args.data in _DATASETS and target not in (None, "label"):
            raise ValueError(
                f"--target {target}: {args.data} has one target, its 'label'; "
                "drop --target"
            )
    X, y_raw, features, target = _load_data(args.data, target, split="train")
    try:
        task, codes, encoder = data.encode_target(y_raw, settings["task"])
    except DataError:
        text = _non_number(y_raw)
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
            serialization.save(model, out)
            if not args.quiet:
                print(f"saved the model to {out}", file=_status_stream(out))
            return EXIT_OK
    else:
        model = _build_model(settings, task, X.shape[1], n_classes)
        model.classes_ = None if encoder is None else encoder.classes_
        model.metadata = {
            "data": args.data,
            "target": target,
            "features": features,
            "task": task,
            "settings": settings,
        }
    y = _targets(model, task, codes)

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
    if not args.resume:
        model.preprocessing = data.Standardizer().fit(X)

    hooks = [] if args.quiet else [callbacks.ProgressBar()]
    if folder is not None:
        # One file, replaced atomically each epoch; braces escaped for str.format.
        pattern = str(folder / _CHECKPOINT).replace("{", "{{").replace("}", "}}")
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
        line = _task_line(
            task, target, model.classes_, inferred=inferred, resume=args.resume
        )
        print(line, file=_status_stream(out), flush=True)
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
        return _fail(
            f"{what}. Try a lower learning rate, e.g. --lr {rate / 10:g} (it was "
            f"{rate:g}). Nothing was written to {out}{where}."
        )
    serialization.save(model, out)
    if not args.quiet:
        print(f"saved the model to {out}", file=_status_stream(out))
    return EXIT_OK


def _load_model(path: str, command: str):
    """``serialization.load(path)``, with a hint when MODEL and DATA were swapped."""
    from glassnet import serialization
    from glassnet.errors import ModelFileError

    try:
        return serialization.load(path)
    except ModelFileError as error:
        if not path.lower().endswith(".csv"):
            raise
        raise ModelFileError(
            f"{error}. The model file comes first: glassnet {command} MODEL"
            + (" DATA" if command != "summary" else "")
        ) from None


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


def _model_data(model, spec: str, *, require_target: bool):
    """``(X, y_raw)`` of ``spec`` checked against the model's features."""
    meta = model.metadata
    if spec not in _DATASETS and "features" not in meta:
        raise ValueError(
            "the model does not record the CSV columns it was trained on (it was "
            "not made by glassnet train), so it cannot read a CSV file"
        )
    X, y_raw, _, _ = _load_data(
        spec,
        meta.get("target"),
        split="test",
        features=None if spec in _DATASETS else meta.get("features"),
        require_target=require_target,
    )
    features = meta.get("features")
    if spec in _DATASETS and features is not None and len(features) != X.shape[1]:
        # Otherwise it fails deep inside, about a Standardizer or unknown labels.
        shown = ", ".join(repr(f) for f in features[:5])
        raise ValueError(
            f"{spec} has {X.shape[1]} features (pixel0, ...); the model was trained "
            f"on {len(features)} ({shown}{', ...' if len(features) > 5 else ''}) "
            f"from {meta.get('data', 'another file')}"
        )
    return X, y_raw


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


# ------------------------------------------------------------------------- parser


_COMMANDS = (_add_demo, _add_train, _add_evaluate, _add_predict, _add_summary)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``glassnet`` command."""
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="glassnet: a neural-network library you can see through.",
        epilog=(
            "examples:\n"
            "  glassnet demo\n"
            "  glassnet train people.csv --target gender --out model.npz\n"
            "  glassnet evaluate model.npz people.csv\n"
            "  glassnet predict model.npz new.csv --out predictions.csv\n"
            "  glassnet summary model.npz\n"
            "\n"
            "Run 'glassnet COMMAND --help' for a command's options.\n"
            "Exit codes: 0 success, 2 bad input or usage (one line on stderr), "
            "1 internal error."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"glassnet {__version__}"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _COMMANDS:
        add(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_BAD_INPUT
    from glassnet.errors import GlassnetError

    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("glassnet: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except MemoryError as error:
        hint = "; try smaller --hidden sizes or --batch-size"
        return _fail(f"not enough memory ({error}){hint * (args.command == 'train')}")
    except (GlassnetError, ValueError, TypeError, OSError) as error:
        return _fail(str(error))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
