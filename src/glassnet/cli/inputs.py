"""A command's MODEL and DATA arguments: model files, CSV files, built-in datasets.

DATA is a CSV file with a header row, or ``mnist`` / ``fashion-mnist``; targets
are encoded the way the model's loss trains on them (class codes, or one-hot
rows for ``mse``/``mae`` on a multiclass task).
"""

from __future__ import annotations

import argparse

import numpy as np

from glassnet._validation import describe
from glassnet.cli import tabular

# DATA arguments that name a built-in dataset instead of a CSV file.
DATASETS = {"mnist": "mnist", "fashion-mnist": "fashion_mnist"}


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
    command = function.replace("_", "-")
    return f"{head}, or download them once with: glassnet download {command}{into}"


def _flag_advice(message: str, flags) -> str:
    """read_csv's advice for Python (``delimiter=';'``) as this command's flags.

    ``flags`` holds the command's option names (``vars(args)``); where it has no
    such flag, the advice says what to do to the file instead.
    """
    import re

    def delimiter(match: re.Match) -> str:
        return f", or pass --delimiter {match.group(1)}" if "delimiter" in flags else ""

    message = re.sub(r", or pass delimiter=('[^']*') to read_csv", delimiter, message)
    encoding = "save it as UTF-8"
    if "encoding" in flags:
        encoding += ", or pass --encoding NAME"
    return message.replace("for another encoding pass encoding=...", encoding)


def load_data(
    spec: str,
    target: str | None,
    *,
    split: str,
    features=None,
    require_target=True,
    flags=(),
    read_options=None,
    table=False,
):
    """``(X, y_raw, feature_names, target)`` from a CSV file or a built-in dataset.

    ``split`` picks the built-in dataset's "train" or "test" part; ``flags``
    (the command's option names) turns the library's advice into flags;
    ``read_options`` go to ``read_csv`` (delimiter, encoding, drop, text), and
    with ``table`` a CSV file comes back as the ``CSVData`` itself.
    """
    from glassnet import data
    from glassnet.errors import DataError

    if spec in DATASETS:
        from glassnet import datasets

        # Missing files raise a DataError that says where it looked and how to
        # get them (GLASSNET_DATA, or a one-time download).
        try:
            (X_train, y_train), (X_test, y_test) = getattr(datasets, DATASETS[spec])()
        except DataError as error:
            raise DataError(_download_advice(str(error), DATASETS[spec])) from None
        X, y = (X_train, y_train) if split == "train" else (X_test, y_test)
        X = X.reshape(len(X), -1)
        return X, y, [f"pixel{i}" for i in range(X.shape[1])], "label"
    if target is None and require_target:
        raise ValueError(f"--target COL is required for {spec}: the column to predict")
    try:
        read = data.read_csv(
            spec,
            target,
            features=features,
            require_target=require_target,
            **(read_options or {}),
        )
    except DataError as error:
        raise DataError(_flag_advice(str(error), flags)) from None
    if table:
        return read
    return read.X, read.y, read.feature_names, target


def non_number(values: np.ndarray):
    """The first value that does not read as a number (None if all do)."""
    for value in np.asarray(values).ravel().tolist():
        try:
            float(value)
        except (TypeError, ValueError):
            return value
    return None


def targets(model, task: str, codes: np.ndarray) -> np.ndarray:
    """Encoded targets in the form the model's loss trains on."""
    from glassnet import data

    if task == "multiclass" and model.loss.name in ("mse", "mae"):
        return data.one_hot(codes, model.classes_.size, dtype=model.dtype)
    return codes


def encode_for(model, y_raw: np.ndarray, name: str) -> np.ndarray:
    """Raw targets -> what the saved model trained on (its classes, its loss)."""
    from glassnet import data

    task = model.metadata.get("task", "regression")
    if task == "regression":
        _, codes, _ = data.encode_target(y_raw, "regression")
        scaling = tabular.target_scaling(model.metadata)
        return codes if scaling is None else (codes - scaling[0]) / scaling[1]
    try:
        codes = data.LabelEncoder(model.classes_).transform(y_raw)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None
    return targets(model, task, codes)


def load_model(path: str, command: str):
    """``serialization.load(path)``, with a hint when MODEL and DATA were swapped."""
    from glassnet import serialization
    from glassnet.errors import ModelFileError

    try:
        model = serialization.load(path)
    except ModelFileError as error:
        if not path.lower().endswith(".csv"):
            raise
        raise ModelFileError(
            f"{error}. The model file comes first: glassnet {command} MODEL"
            + (" DATA" if command != "summary" else "")
        ) from None
    check_metadata(model.metadata, path)
    return model


# What glassnet train records in a model's metadata, as the commands read it.
_METADATA = {
    "data": ("a string", lambda v: isinstance(v, str)),
    "target": ("a column name", lambda v: isinstance(v, str)),
    "features": (
        "a list of column names",
        lambda v: isinstance(v, list) and all(isinstance(f, str) for f in v),
    ),
    "task": ("binary, multiclass or regression", lambda v: v in _TASKS),
    "settings": ("an object", lambda v: isinstance(v, dict)),
    "columns": ("an object", lambda v: isinstance(v, dict)),
    "ignored": (
        "a list of column names",
        lambda v: isinstance(v, list) and all(isinstance(f, str) for f in v),
    ),
    "target_scaling": ("an object", lambda v: isinstance(v, dict)),
}
_TASKS = ("binary", "multiclass", "regression")


def check_metadata(meta: dict, path: str) -> None:
    """Refuse metadata the commands would stumble on (an edited header)."""
    from glassnet.errors import ModelFileError

    for key, (rule, ok) in _METADATA.items():
        if key in meta and not ok(meta[key]):
            raise ModelFileError(
                f"model file {path!r} has a corrupted header: metadata {key!r} must "
                f"be {rule}. Received: {key}={describe(meta[key])}"
            )


def model_data(model, spec: str, *, require_target: bool, flags=()):
    """``(X, y_raw)`` of ``spec`` checked against the model's features."""
    meta = model.metadata
    if spec not in DATASETS and "features" not in meta:
        raise ValueError(
            "the model does not record the CSV columns it was trained on (it was "
            "not made by glassnet train), so it cannot read a CSV file"
        )
    options = tabular.read_options(dict(flags) if isinstance(flags, dict) else {})
    if spec not in DATASETS and meta.get("ignored"):
        options["drop"] = meta["ignored"]
    if spec not in DATASETS and "columns" in meta:
        read = load_data(
            spec,
            meta.get("target"),
            split="test",
            features=meta.get("features"),
            require_target=require_target,
            flags=flags,
            read_options={**options, "text": True},
            table=True,
        )
        return tabular.encode_columns(meta, read), read.y
    X, y_raw, _, _ = load_data(
        spec,
        meta.get("target"),
        split="test",
        features=None if spec in DATASETS else meta.get("features"),
        require_target=require_target,
        flags=flags,
        read_options=None if spec in DATASETS else options,
    )
    features = meta.get("features")
    if spec in DATASETS and features is not None and len(features) != X.shape[1]:
        # Otherwise it fails deep inside, about a Standardizer or unknown labels.
        shown = ", ".join(repr(f) for f in features[:5])
        raise ValueError(
            f"{spec} has {X.shape[1]} features (pixel0, ...); the model was trained "
            f"on {len(features)} ({shown}{', ...' if len(features) > 5 else ''}) "
            f"from {meta.get('data', 'another file')}"
        )
    return X, y_raw


def add_model_and_data(parser: argparse.ArgumentParser) -> None:
    """The MODEL and DATA arguments that evaluate and predict share."""
    parser.add_argument("model", metavar="MODEL", help="a model file from train")
    parser.add_argument(
        "data", metavar="DATA", help="a CSV file (.gz too), mnist or fashion-mnist"
    )
    tabular.add_reading_flags(parser)


def name_the_cell(error: ValueError, spec: str, X: np.ndarray, features) -> Exception:
    """The model's "X[i, j]=... is out of float32's range" as the file's row and column.

    The library names an array index and suggests a float64 model, which the
    command line cannot ask for; the file's user needs the row, the column and
    the value as written there.
    """
    import re

    from glassnet.errors import DataError

    match = re.match(r"X\[(\d+), (\d+)\]=\S+ is out of (\w+)'s range", str(error))
    if match is None or X.ndim != 2:
        return error
    i, j, dtype = int(match.group(1)), int(match.group(2)), match.group(3)
    if i >= X.shape[0] or j >= X.shape[1]:
        return error
    # text columns one-hot encoded: X's columns are no longer the file's
    same = features is not None and len(features) == X.shape[1]
    column = f"column {features[j]!r}" if same else f"encoded feature {j}"
    return DataError(
        f"{spec}: data row {i + 1}, {column}: {X[i, j]:g} is out of "
        f"range for the model: standardised as in training it exceeds {dtype}'s "
        f"largest number ({float(np.finfo(dtype).max):.3g}). Check that value"
    )
