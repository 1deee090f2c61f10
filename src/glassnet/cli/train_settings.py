"""``glassnet train``'s settings: defaults, checks, the model they build, --resume.

The settings are validated once, stored in the model's metadata and, with
``--resume``, compared with the flags given again; the checkpoint file lives in
the ``--checkpoint`` folder. The task line that train prints says which task
(given or inferred) the settings came to.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from glassnet._validation import describe
from glassnet.cli import layer_spec
from glassnet.cli.inputs import check_metadata
from glassnet.cli.outputs import check_writable

# Training settings and their defaults; None in argparse means "not given", so
# --resume can tell an explicit, conflicting flag from a default.
TRAIN_DEFAULTS = {
    "task": None,
    "hidden": "100",  # scikit-learn MLP's hidden_layer_sizes=(100,)
    "layers": None,  # --layers SPEC (glassnet.cli.layer_spec) replaces hidden
    "activation": "relu",
    "loss": None,
    "optimizer": "adam",
    "lr": None,
    "batch_size": 32,
    "validation_split": 0.1,  # scikit-learn's validation_fraction
    "seed": None,
    "patience": 20,  # tabular.DEFAULT_PATIENCE
    "impute": None,
}
# Settings every checkpoint written by train holds (patience and impute came
# later: a checkpoint without them resumes with their defaults).
_REQUIRED_SETTINGS = set(TRAIN_DEFAULTS) - {"patience", "impute", "layers"}


# The file in --checkpoint DIR that every epoch replaces and --resume reads.
CHECKPOINT = "checkpoint.npz"


# The loss each task gets when --loss is not given.
TASK_LOSS = {
    "binary": "binary_crossentropy",
    "multiclass": "categorical_crossentropy",
    "regression": "mse",
}


def parse_hidden(text: str) -> list[int]:
    """``"64,32"`` -> ``[64, 32]``; an empty string means no hidden layer."""
    sizes = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        # isdecimal, not isdigit: '²' is a digit that int() refuses
        if not part.isdecimal() or int(part) < 1:
            raise ValueError(
                "--hidden must be comma-separated layer sizes >= 1, like 64,32. "
                f"Received: --hidden={text}"
            )
        sizes.append(int(part))
    return sizes


def settings_from_args(args: argparse.Namespace) -> dict:
    """The validated training settings (defaults filled in), JSON-able."""
    from glassnet import activations, losses, optimizers
    from glassnet._validation import (
        check_finite_number,
        check_positive_int,
        check_probability,
    )

    settings = {
        key: getattr(args, key) if getattr(args, key) is not None else default
        for key, default in TRAIN_DEFAULTS.items()
    }
    settings["hidden"] = parse_hidden(settings["hidden"])
    if settings["layers"] is not None:
        if args.hidden is not None:
            raise ValueError(
                "--hidden and --layers both describe the hidden layers; give one. "
                f"Received: --hidden={args.hidden} --layers={settings['layers']}"
            )
        layer_spec.parse(settings["layers"])  # refuse a bad spec before loading data
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
    check_positive_int(settings["patience"], "--patience", minimum=0)
    if settings["seed"] is not None:
        check_positive_int(settings["seed"], "--seed", minimum=0)
    else:
        # Drawn once and stored in the model, so --resume repeats the same split.
        settings["seed"] = int(np.random.SeedSequence().entropy % 2**32)
    return settings


def build_model(settings: dict, task: str, n_features: int, n_classes: int):
    """A compiled Sequential for ``task`` from the CLI settings."""
    from glassnet import losses, serialization
    from glassnet.layers import Dense
    from glassnet.network import Sequential

    loss = losses.get(settings["loss"] or TASK_LOSS[task])
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
    if settings.get("layers") is not None:  # --layers (glassnet.cli.layer_spec)
        layers = layer_spec.build_layers(
            settings["layers"], n_features, settings["activation"]
        )
        layers.append(Dense(n_out, activation=output))
        model = Sequential(layers, seed=settings["seed"], input_shape=(n_features,))
        return _compiled(model, settings, loss, task)
    sizes = [n_features, *settings["hidden"]]
    total = sum((a + 1) * b for a, b in zip(sizes, [*sizes[1:], n_out], strict=True))
    if total > serialization.MAX_PARAMETERS:
        # Found now, not after an hour of training when the save refuses it.
        raise ValueError(
            f"--hidden {','.join(map(str, settings['hidden']))} makes a model of "
            f"{total:,} parameters for {n_features} features, more than a model "
            f"file holds (MAX_PARAMETERS={serialization.MAX_PARAMETERS:,}); give "
            "smaller --hidden sizes"
        )
    layers = [
        Dense(n_in, n_out_, activation=settings["activation"])
        for n_in, n_out_ in zip(sizes, sizes[1:], strict=False)
    ]
    layers.append(Dense(sizes[-1], n_out, activation=output))
    model = Sequential(layers, seed=settings["seed"])
    return _compiled(model, settings, loss, task)


def _compiled(model, settings: dict, loss, task: str):
    """``model`` compiled with the CLI's optimizer, loss and metrics."""
    from glassnet import optimizers

    optimizer = {"name": settings["optimizer"]}
    if settings["lr"] is not None:
        optimizer["learning_rate"] = settings["lr"]
    metrics = ["accuracy"] if task != "regression" else ["mae"]
    model.compile(loss=loss, optimizer=optimizers.get(optimizer), metrics=metrics)
    return model


def checkpoint_folder(text: str) -> Path:
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
    check_writable(folder / CHECKPOINT, "--checkpoint")
    return folder


def _whole(value, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# What each stored setting must be for --resume to use it as train would.
_SETTING_RULES = {
    "task": ("null or a task name", lambda v: v is None or v in TASK_LOSS),
    "hidden": (
        "a list of layer sizes >= 1",
        lambda v: isinstance(v, list) and all(_whole(n, 1) for n in v),
    ),
    "activation": ("a name", lambda v: isinstance(v, str)),
    "loss": ("null or a name", lambda v: v is None or isinstance(v, str)),
    "optimizer": ("a name", lambda v: isinstance(v, str)),
    "lr": ("null or a number > 0", lambda v: v is None or _number(v) and v > 0),
    "batch_size": ("an integer >= 1", lambda v: _whole(v, 1)),
    "validation_split": ("a number in [0, 1)", lambda v: _number(v) and 0 <= v < 1),
    "seed": ("an integer >= 0", lambda v: _whole(v, 0)),
    "patience": ("an integer >= 0", lambda v: _whole(v, 0)),
    "impute": ("null or a strategy name", lambda v: v is None or isinstance(v, str)),
    "target": ("a column name", lambda v: isinstance(v, str)),
}


def resume(args: argparse.Namespace, folder: Path | None):
    """The model in the checkpoint folder, after checking the flags agree with it."""
    from glassnet import serialization

    if folder is None:
        raise ValueError("--resume needs --checkpoint DIR, the folder to resume from")
    path = folder / CHECKPOINT
    if not path.exists():
        raise ValueError(
            f"--resume: no checkpoint {str(path)!r} to resume from "
            "(run without --resume to start training)"
        )
    model = serialization.load(path)
    check_metadata(model.metadata, str(path))
    missing = [k for k in ("settings", "target", "features") if k not in model.metadata]
    if missing or _REQUIRED_SETTINGS - set(model.metadata["settings"]):
        # a checkpoint written from Python (callbacks.ModelCheckpoint) has no
        # record of train's flags, so there is nothing to check them against
        what = repr(missing[0]) if missing and missing[0] != "settings" else ""
        raise ValueError(
            f"--resume: {str(path)!r} was not written by glassnet train (its "
            f"metadata has no {what or 'training settings'}), so it cannot be "
            "resumed from the command line; resume it in Python "
            "with glassnet.load(...) and fit(..., initial_epoch=model.epoch), or "
            "start afresh without --resume"
        )
    settings = {
        **TRAIN_DEFAULTS,
        **model.metadata["settings"],
        "target": model.metadata["target"],
    }
    for key, (rule, ok) in _SETTING_RULES.items():
        if not ok(settings[key]):  # an edited or damaged checkpoint
            raise ValueError(
                f"--resume: the checkpoint {str(path)!r} has corrupted training "
                f"settings: {key} must be {rule}. Received: {key}="
                f"{describe(settings[key])}; start afresh without --resume"
            )
    model.metadata["settings"] = {
        key: value for key, value in settings.items() if key != "target"
    }
    for key in [*TRAIN_DEFAULTS, "target"]:
        given = getattr(args, key)
        if key == "hidden" and given is not None:
            given = parse_hidden(given)
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


def task_line(task: str, target: str, classes, *, inferred: bool, resume: bool) -> str:
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
