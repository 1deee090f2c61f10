"""Model files: one ``.npz`` that survives crashes and opens without pickle.

A glassnet model file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays):

* ``param/<layer>/<key>``: every parameter array (``param/0/W``, ``param/0/b``, ...);
* ``opt/<slot>/<i>``: the optimizer's state, lists parallel to the parameters;
* ``__header__``: a UTF-8 JSON document stored as a ``uint8`` array, with the format
  name and version, the glassnet version, the dtype, the architecture by registry
  names and configs, the loss and optimizer configs, the metrics, the preprocessing
  (a standardiser's mean and scale), the class labels, the training history, the
  epochs done, the random generators' states and the model's free ``metadata``.

Because the header names everything through the registries (``activations.get``,
``optimizers.get``, :data:`glassnet.layers.LAYERS`) and the arrays are plain
``.npy``, :func:`load` reads a file with ``allow_pickle=False``: opening a model
never runs code from the file.

Writes are atomic: :func:`save` writes a temporary file in the destination's own
folder, flushes and fsyncs it, renames it over the destination with
:func:`os.replace` and fsyncs the folder. A crash, a full disk or ``kill -9``
at any moment leaves either the old file or the new one, never a mixture; at worst a
stray ``.<name>.<random>.tmp`` file is left beside it, which the next save of the
same file removes. The helper, :func:`atomic_write`, lives in :mod:`glassnet._files`
(every file glassnet writes goes through it) and is re-exported here.

A checkpoint is the same file: it holds the optimizer's state, the generators'
states and the epoch count, so ``load`` returns a model whose ``fit(...,
initial_epoch=model.epoch)`` continues exactly where the saved run stopped.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from glassnet import __version__
from glassnet._files import atomic_write  # re-exported: documented here
from glassnet._validation import describe
from glassnet.errors import ModelFileError

__all__ = ["FORMAT", "FORMAT_VERSION", "atomic_write", "load", "read_header", "save"]

FORMAT = "glassnet-model"
FORMAT_VERSION = 1
_HEADER = "__header__"


# ---------------------------------------------------------------------------- save


def save(model: Any, path: str | os.PathLike) -> None:
    """Write ``model`` to ``path`` as one ``.npz`` file, atomically.

    Parameters
    ----------
    model : Sequential
        The model; compiled or not. Its optimizer state, preprocessing, class
        labels, history and random generator state are saved with it.
    path : str or os.PathLike
        Destination, written exactly as given (no extension is added). An existing
        file is replaced only once the new one is complete on disk.

    Raises
    ------
    FileNotFoundError
        When the destination folder does not exist.
    IsADirectoryError
        When ``path`` is a folder.
    PermissionError
        When the folder is not writable.

    Example
    -------
    >>> import tempfile, pathlib
    >>> import glassnet as gn
    >>> model = gn.Sequential([gn.Dense(2, 1, activation="sigmoid")], seed=0)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.npz"
    >>> gn.save(model, path)
    >>> same = gn.load(path)
    >>> bool((same.layers[0].params["W"] == model.layers[0].params["W"]).all())
    True
    """
    header, arrays = _encode(model)
    arrays[_HEADER] = np.frombuffer(json.dumps(header).encode("utf-8"), np.uint8)
    atomic_write(path, lambda file: np.savez(file, **arrays))


def _encode(model: Any) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON header and the arrays that describe ``model``."""
    arrays: dict[str, np.ndarray] = {}
    architecture = []
    for i, layer in enumerate(model.layers):
        entry = {"class": type(layer).__name__, "config": layer.get_config()}
        rng = getattr(layer, "rng", None)  # Dropout draws masks from its own
        if isinstance(rng, np.random.Generator) and rng is not model.rng:
            entry["rng_state"] = rng.bit_generator.state
        architecture.append(entry)
        for key, value in layer.params.items():
            arrays[f"param/{i}/{key}"] = value

    optimizer = None
    if model.optimizer is not None:
        state = model.optimizer.get_state()
        for slot, values in state["slots"].items():
            for j, value in enumerate(values):
                arrays[f"opt/{slot}/{j}"] = value
        optimizer = {
            "config": {"name": model.optimizer.name, **model.optimizer.get_config()},
            "iterations": state["iterations"],
            "slots": {slot: len(values) for slot, values in state["slots"].items()},
        }
    loss = model.loss
    preprocessing = model.preprocessing
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "glassnet_version": __version__,
        "dtype": model.dtype.name,
        "seed": model.seed,
        "layers": architecture,
        "loss": None if loss is None else {"name": loss.name, **loss.get_config()},
        "optimizer": optimizer,
        "metrics": _metric_names(model),
        "preprocessing": None
        if preprocessing is None
        else {
            "class": type(preprocessing).__name__,
            "config": preprocessing.get_config(),
        },
        "classes": None if model.classes_ is None else np.asarray(model.classes_),
        "history": {} if model.history is None else model.history.history,
        "epoch": model.epoch,
        "rng_state": model.rng.bit_generator.state,
        "metadata": model.metadata,
    }
    return _jsonable(header), arrays


def _metric_names(model: Any) -> list[str]:
    """The metrics as registry names (what ``compile`` accepts back)."""
    from glassnet import metrics

    names = []
    for metric in model.metrics:
        name = metric if isinstance(metric, str) else getattr(metric, "__name__", "")
        if name not in metrics.names():
            raise ValueError(
                f"cannot save the metric {metric!r}: a file names metrics by "
                f"registry name ({', '.join(map(repr, metrics.names()))}); "
                "recompile with those, or without metrics, before saving"
            )
        names.append(name)
    return names


def _jsonable(value: Any) -> Any:
    """``value`` with NumPy scalars and arrays turned into JSON types."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.dtype):
        return value.name
    return value


# ---------------------------------------------------------------------------- load


def read_header(path: str | os.PathLike) -> dict:
    """Return the JSON header of the model file at ``path``, without the arrays.

    Only the header member of the archive is read, so this is cheap even for a
    large model: a quick look at its architecture, classes, history or metadata.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        When there is no file at ``path``.
    ModelFileError
        When the file is not a glassnet model file that this version can read.

    Example
    -------
    >>> import tempfile, pathlib
    >>> import glassnet as gn
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.npz"
    >>> gn.Sequential([gn.Dense(2, 1, activation="sigmoid")], seed=0).save(path)
    >>> header = read_header(path)
    >>> header["format"], [layer["class"] for layer in header["layers"]]
    ('glassnet-model', ['Dense'])
    """
    header, _ = _read(Path(path), header_only=True)
    return header


def load(path: str | os.PathLike) -> Any:
    """Read a model written by :func:`save` (or a checkpoint) from ``path``.

    The returned :class:`~glassnet.Sequential` has its parameters, dtype, loss,
    optimizer (with its state), metrics, preprocessing, ``classes_``, ``history``,
    ``epoch`` and random generator states restored, so it predicts the same and
    trains on exactly as the saved model would have.

    Raises
    ------
    FileNotFoundError, IsADirectoryError
        When there is no file at ``path``.
    ModelFileError
        When the file is empty, truncated, corrupted, not a glassnet model file,
        or written by a newer glassnet with a format this version cannot read.
        The message names the file.

    Example
    -------
    >>> import tempfile, pathlib
    >>> import glassnet as gn
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "empty.npz"
    >>> _ = path.write_bytes(b"")
    >>> gn.load(path)
    Traceback (most recent call last):
    ...
    glassnet.errors.ModelFileError: ...empty.npz' is empty, not a glassnet model file
    """
    path = Path(path)
    header, arrays = _read(path)
    try:
        return _decode(header, arrays)
    except ModelFileError:
        raise
    except Exception as error:  # a well-formed zip with a nonsensical header
        raise ModelFileError(
            f"model file {str(path)!r} is corrupted: {type(error).__name__}: {error}"
        ) from None


def _read(path: Path, header_only: bool = False) -> tuple[dict, dict[str, np.ndarray]]:
    """The validated header and every array of the file (or only the header)."""
    name = repr(str(path))
    if path.is_dir():
        raise IsADirectoryError(f"model file {name} is a folder, not a file")
    if not path.exists():
        raise FileNotFoundError(f"model file {name} does not exist")
    if path.stat().st_size == 0:
        raise ModelFileError(f"model file {name} is empty, not a glassnet model file")
    with open(path, "rb") as file:
        if file.read(4) != b"PK\x03\x04":
            raise ModelFileError(
                f"{name} is not a glassnet model file (not an .npz archive)"
            )
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):  # pragma: no cover
                raise ValueError("not an .npz archive")
            # Reading every member here checks each one's CRC: a flipped bit or a
            # truncated file fails now, not halfway through building the model.
            # Without a header it is someone else's .npz: say so, whatever the
            # other members hold (pickled objects would read as "corrupted").
            no_header = _HEADER not in archive.files
            wanted = [_HEADER] if header_only or no_header else archive.files
            arrays = {key: archive[key] for key in wanted if key in archive.files}
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise ModelFileError(
            f"model file {name} is truncated or corrupted ({error})"
        ) from None
    except Exception as error:  # zlib.error, struct.error, ... from a damaged zip
        raise ModelFileError(
            f"model file {name} is truncated or corrupted "
            f"({type(error).__name__}: {error})"
        ) from None
    raw = arrays.pop(_HEADER, None)
    if raw is None:
        raise ModelFileError(
            f"{name} is an .npz archive but not a glassnet model file (no header)"
        )
    try:
        # np.load hands back the raw bytes of a zip member that is not an .npy
        if not isinstance(raw, np.ndarray) or raw.dtype != np.uint8 or raw.ndim != 1:
            raise ValueError(f"the header is {describe(raw)}, not 1-D uint8")
        header = json.loads(raw.tobytes().decode("utf-8"))
        if not isinstance(header, dict):
            raise ValueError("header is not a JSON object")
    except (ValueError, UnicodeDecodeError) as error:
        raise ModelFileError(
            f"model file {name} has a corrupted header ({error})"
        ) from None
    if header.get("format") != FORMAT:
        raise ModelFileError(
            f"{name} is not a glassnet model file "
            f"(format {header.get('format')!r}, expected {FORMAT!r})"
        )
    version = header.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelFileError(
            f"model file {name} has an invalid format_version: {version!r}"
        )
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"model file {name} uses format version {version}, written by glassnet "
            f"{header.get('glassnet_version', '?')}; this glassnet ({__version__}) "
            f"reads format versions up to {FORMAT_VERSION}. Upgrade glassnet to "
            "load it."
        )
    return header, arrays


def _decode(header: dict, arrays: dict[str, np.ndarray]) -> Any:
    """Build the model that ``header`` and ``arrays`` describe."""
    from glassnet import data, losses, optimizers
    from glassnet.callbacks import History
    from glassnet.layers import LAYERS
    from glassnet.network import Sequential

    layers = []
    for entry in header["layers"]:
        if entry["class"] not in LAYERS:
            raise ValueError(f"unknown layer class {entry['class']!r}")
        layers.append(LAYERS[entry["class"]].from_config(entry["config"]))
    model = Sequential(layers, seed=header["seed"], dtype=header["dtype"])
    # Building drew fresh parameters from the generators; now put everything back.
    model.rng.bit_generator.state = header["rng_state"]
    for i, (layer, entry) in enumerate(
        zip(model.layers, header["layers"], strict=True)
    ):
        if "rng_state" in entry:
            layer.rng.bit_generator.state = entry["rng_state"]
        for key, param in layer.params.items():
            saved = arrays[f"param/{i}/{key}"]
            if saved.shape != param.shape or saved.dtype != param.dtype:
                raise ValueError(
                    f"param/{i}/{key} is {saved.dtype} {saved.shape}; the layer "
                    f"needs {param.dtype} {param.shape}"
                )
            param[...] = saved

    if header["loss"] is not None:
        saved = header["optimizer"]
        model.compile(
            loss=losses.get(header["loss"]),
            optimizer=optimizers.get(saved["config"]),
            metrics=header["metrics"] or None,
        )
        slots = {
            slot: [arrays[f"opt/{slot}/{j}"] for j in range(count)]
            for slot, count in saved["slots"].items()
        }
        model.optimizer.set_state({"iterations": saved["iterations"], "slots": slots})

    preprocessing = header["preprocessing"]
    if preprocessing is not None:
        if preprocessing["class"] != "Standardizer":
            raise ValueError(f"unknown preprocessing {preprocessing['class']!r}")
        model.preprocessing = data.Standardizer.from_config(preprocessing["config"])
    if header["classes"] is not None:
        model.classes_ = np.asarray(header["classes"])
    model.history = History()
    model.history.history = {
        str(key): [float(v) for v in values]
        for key, values in header["history"].items()
    }
    model.epoch = int(header["epoch"])
    model.metadata = dict(header["metadata"])
    return model
