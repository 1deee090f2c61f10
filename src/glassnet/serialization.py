"""Model files: one ``.npz`` that survives crashes and opens without pickle.

A glassnet model file is a NumPy ``.npz`` archive (a zip of ``.npy`` arrays):

* ``param/<layer>/<key>``: every parameter array (``param/0/W``, ``param/0/b``, ...);
* ``state/<layer>/<key>``: a layer's non-trainable state (BatchNormalization's
  ``moving_mean`` and ``moving_variance``);
* ``opt/<slot>/<i>``: the optimizer's state, lists parallel to the parameters;
* ``__header__``: a UTF-8 JSON document stored as a ``uint8`` array, with the format
  name and version, the glassnet version, the dtype, the model's input shape
  (``[null, 28, 28, 1]``; null before the model is built), the architecture by
  registry names and configs, the loss and optimizer configs, the metrics, the
  preprocessing (a standardiser's mean and scale), the class labels, the training
  history, the epochs done, the random generators' states and the model's free
  ``metadata``.

Because the header names everything through the registries (``activations.get``,
``optimizers.get``, :data:`glassnet.layers.LAYERS`) and the arrays are plain
``.npy``, :func:`load` reads a file with ``allow_pickle=False``: opening a model
never runs code from the file.

Reads are bounded, so that a small or edited file cannot claim gigabytes, minutes
or a RecursionError: :func:`load` reads only the members its header names, and
checks each one's declared size (the zip's, then its ``.npy`` shape and dtype)
before decompressing it; a header larger than :data:`MAX_HEADER_BYTES`, nested
deeper than :data:`MAX_HEADER_DEPTH`, with more than :data:`MAX_LAYERS` layers or
more than :data:`MAX_PARAMETERS` parameters is refused with a
:class:`~glassnet.errors.ModelFileError` that names the bound, and so is a header
entry of the wrong type or a layer whose configuration disagrees with its stored
arrays (before the layer allocates anything).

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

import errno
import json
import math
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from glassnet import __version__
from glassnet._files import atomic_write  # re-exported: documented here
from glassnet._validation import describe
from glassnet.errors import ModelFileError

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_HEADER_BYTES",
    "MAX_HEADER_DEPTH",
    "MAX_LAYERS",
    "MAX_PARAMETERS",
    "atomic_write",
    "load",
    "read_header",
    "save",
]

FORMAT = "glassnet-model"
FORMAT_VERSION = 2
"""2 records the model's input shape (any rank); files of version 1 (2-D inputs,
every Dense with its ``n_in``) still load."""
_HEADER = "__header__"

# Bounds on what a model file can make load read, parse and allocate, so that a
# small file cannot claim gigabytes or minutes. Each refusal names its bound.
MAX_HEADER_BYTES = 4 * 2**20  # the JSON header (history and metadata included)
MAX_HEADER_DEPTH = 32  # nesting of the header's lists and objects (a model uses 6)
MAX_LAYERS = 1024
MAX_PARAMETERS = 100_000_000  # all parameters together, and each optimizer slot
_NPY_HEADER_BYTES = 10_000  # an .npy member's own header (NumPy's limit too)
_PARAM = re.compile(r"(?:param|state)/(0|[1-9][0-9]{0,8})/[^/]+")


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
    total = sum(array.size for key, array in arrays.items() if key.startswith("param/"))
    if total > MAX_PARAMETERS:
        raise ValueError(
            f"cannot save a model of {total:,} parameters: model files hold at most "
            f"MAX_PARAMETERS={MAX_PARAMETERS:,} (the bound load reads within)"
        )
    text = json.dumps(header).encode("utf-8")
    if len(text) > MAX_HEADER_BYTES:
        raise ValueError(
            f"cannot save a model whose header (history and metadata) takes "
            f"{len(text):,} bytes: model files hold at most "
            f"MAX_HEADER_BYTES={MAX_HEADER_BYTES:,}; shorten model.metadata"
        )
    arrays[_HEADER] = np.frombuffer(text, np.uint8)
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
        for key, value in getattr(layer, "state", {}).items():
            arrays[f"state/{i}/{key}"] = value

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
        "input_shape": model.input_shape,
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


class _Refused(Exception):
    """A file past a bound or unlike its header: the rest of the sentence."""


def _read(path: Path, header_only: bool = False) -> tuple[dict, dict[str, np.ndarray]]:
    """The validated header and the arrays it names (or only the header).

    Nothing is decompressed before its declared size is checked: the header
    member's zip ``file_size`` first, then each named array's ``.npy`` header
    (shape and dtype, in the member's first bytes) against the bounds above and
    against the member's size. Members the header does not name are never read.
    """
    name = repr(str(path))
    if path.is_dir():
        raise IsADirectoryError(f"model file {name} is a folder, not a file")
    if not path.exists():
        if path.is_symlink():
            try:
                path.stat()
            except OSError as error:
                if error.errno == errno.ELOOP:
                    raise ModelFileError(
                        f"model file {name}: its symbolic links form a loop"
                    ) from None
            raise FileNotFoundError(
                f"model file {name} is a link to {os.readlink(path)!r}, which does "
                "not exist"
            )
        raise FileNotFoundError(f"model file {name} does not exist")
    if not path.is_file():  # /dev/zero, a pipe: its size says nothing
        raise ModelFileError(
            f"model file {name} is not a regular file (a device or a pipe), not a "
            "glassnet model file"
        )
    if path.stat().st_size == 0:
        raise ModelFileError(f"model file {name} is empty, not a glassnet model file")
    with open(path, "rb") as file:
        if file.read(4) != b"PK\x03\x04":
            raise ModelFileError(
                f"{name} is not a glassnet model file (not an .npz archive)"
            )
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist()}
            info = members.get(_HEADER + ".npy", members.get(_HEADER))
            if info is None:
                # Someone else's .npz: say so, whatever its other members hold.
                raise ModelFileError(
                    f"{name} is an .npz archive but not a glassnet model file "
                    "(no header)"
                )
            if info.file_size > MAX_HEADER_BYTES + _NPY_HEADER_BYTES:
                raise _Refused(
                    f"has a header of {info.file_size:,} bytes, more than "
                    f"MAX_HEADER_BYTES={MAX_HEADER_BYTES:,}"
                )
            bound = f"MAX_HEADER_BYTES={MAX_HEADER_BYTES:,}"
            raw = _read_array(archive, info, "header", MAX_HEADER_BYTES, bound)
            header = _parse_header(raw)
            arrays: dict[str, np.ndarray] = {}
            n_params, slot_sizes = 0, {}
            for key in [] if header_only else _named_members(header, members):
                member = members[key + ".npy"]
                if key.startswith("param/"):  # read first (_named_members' order)
                    limit = MAX_PARAMETERS - n_params
                    bound = (
                        f"MAX_PARAMETERS={MAX_PARAMETERS:,} (counting all "
                        "parameters together)"
                    )
                else:  # a slot holds one value per parameter, in one or more arrays
                    slot = key.split("/")[1]
                    limit = n_params - slot_sizes.get(slot, 0)
                    bound = f"the model's {n_params:,} parameters (one per slot)"
                array = _read_array(archive, member, f"array {key}", limit, bound)
                if key.startswith("param/"):
                    n_params += array.size
                else:
                    slot_sizes[slot] = slot_sizes.get(slot, 0) + array.size
                arrays[key] = array
    except _Refused as refusal:
        raise ModelFileError(f"model file {name} {refusal}") from None
    except ModelFileError:
        raise
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise ModelFileError(
            f"model file {name} is truncated or corrupted ({error})"
        ) from None
    except Exception as error:  # zlib.error, struct.error, ... from a damaged zip
        raise ModelFileError(
            f"model file {name} is truncated or corrupted "
            f"({type(error).__name__}: {error})"
        ) from None
    return header, arrays


def _read_array(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, what: str, limit: int, bound: str
) -> np.ndarray:
    """One ``.npy`` member, refused on its declared shape before its data is read.

    The header is a 1-D uint8 array of at most ``limit`` bytes; any other
    member a float32 or float64 array of at most ``limit`` elements, which must
    fill its member exactly (the zip's ``file_size``). Reading to the end makes
    ``zipfile`` check the member's CRC-32.
    """
    from numpy.lib import format as npy

    with archive.open(info) as member:
        try:
            version = npy.read_magic(member)
            read_header = {
                (1, 0): npy.read_array_header_1_0,
                (2, 0): npy.read_array_header_2_0,
            }.get(version)
            if read_header is None:
                raise ValueError(f".npy format version {version}")
            shape, fortran, dtype = read_header(
                member, max_header_size=_NPY_HEADER_BYTES
            )
        except ValueError as error:  # not an .npy member, or an unreadable one
            raise _Refused(f"has a corrupted {what} ({error})") from None
        wanted = (np.uint8,) if what == "header" else (np.float32, np.float64)
        if dtype.type not in wanted or (what == "header" and len(shape) != 1):
            kinds = "1-D uint8" if what == "header" else "float32 or float64"
            raise _Refused(
                f"is truncated or corrupted: its {what} holds {dtype} of shape "
                f"{shape}, expected {kinds}"
            )
        size = math.prod(shape)
        if size > limit:
            raise _Refused(
                f"declares {what} of shape {shape} ({size:,} values), past the "
                f"bound {bound}"
            )
        offset = member.tell()
        if info.file_size != offset + size * dtype.itemsize:
            raise _Refused(
                f"is truncated or corrupted: {what} declares shape {shape} of "
                f"{dtype} ({size * dtype.itemsize:,} bytes) but its member holds "
                f"{info.file_size - offset:,}"
            )
        array = np.empty(shape, dtype, order="F" if fortran else "C")
        # the .npy data is the array's own memory order, row- or column-major
        flat = memoryview((array.T if fortran else array).reshape(-1)).cast("B")
        done = 0
        while done < len(flat):
            count = member.readinto(flat[done:])
            if not count:
                raise EOFError(f"{what} ends after {done:,} bytes")
            done += count
        if member.read(1):  # pragma: no cover - file_size was checked above
            raise _Refused(f"has a corrupted {what} (trailing bytes)")
    return array


def _parse_header(raw: np.ndarray) -> dict:
    """The header's JSON, within MAX_HEADER_DEPTH, checked by :func:`_check_header`."""
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except RecursionError:
        raise _Refused(
            f"has a header nested more than MAX_HEADER_DEPTH={MAX_HEADER_DEPTH} "
            "levels deep"
        ) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise _Refused(f"has a corrupted header ({error})") from None
    if not isinstance(header, dict):
        raise _Refused(
            f"has a corrupted header (header is not a JSON object: {describe(header)})"
        )
    if _depth(header) > MAX_HEADER_DEPTH:
        raise _Refused(
            f"has a header nested more than MAX_HEADER_DEPTH={MAX_HEADER_DEPTH} "
            "levels deep"
        )
    _check_header(header)
    return header


def _depth(value: Any) -> int:
    """How deeply lists and objects nest (iteratively; counted to the bound + 1)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level <= MAX_HEADER_DEPTH:
                values = item.values() if isinstance(item, dict) else item
                pending.extend((v, level + 1) for v in values)
    return deepest


def _is_int(value: Any, minimum: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_header(header: dict) -> None:
    """Refuse a header whose entries are not of the types :func:`_decode` reads.

    The checks name the entry and what it holds, so an edited or damaged header
    fails here, in one sentence, and never as an IndexError or KeyError later.
    """
    if header.get("format") != FORMAT:
        raise _Refused(
            f"is not a glassnet model file (format {describe(header.get('format'))}, "
            f"expected {FORMAT!r})"
        )
    version = header.get("format_version")
    if not _is_int(version, 1):
        raise _Refused(f"has an invalid format_version: {describe(version)}")
    if version > FORMAT_VERSION:
        raise _Refused(
            f"uses format version {version}, written by glassnet "
            f"{header.get('glassnet_version', '?')}; this glassnet ({__version__}) "
            f"reads format versions up to {FORMAT_VERSION}. Upgrade glassnet to "
            "load it."
        )

    def entry(key: str, rule: str, ok: Any) -> None:
        if key not in header:
            raise _Refused(f"has a corrupted header: no {key!r} entry")
        if not ok(header[key]):
            raise _Refused(
                f"has a corrupted header: {key!r} must be {rule}. "
                f"Received: {key}={describe(header[key])}"
            )

    def named(value: Any) -> bool:
        return isinstance(value, dict) and isinstance(value.get("name"), str)

    entry("dtype", "'float32' or 'float64'", lambda v: v in ("float32", "float64"))
    entry("seed", "null or an integer >= 0", lambda v: v is None or _is_int(v))
    entry(
        "layers",
        f"a list of at most MAX_LAYERS={MAX_LAYERS} objects with a 'class' name "
        "and a 'config' object",
        lambda v: (
            isinstance(v, list)
            and len(v) <= MAX_LAYERS
            and all(
                isinstance(e, dict)
                and isinstance(e.get("class"), str)
                and isinstance(e.get("config"), dict)
                and isinstance(e.get("rng_state", {}), dict)
                for e in v
            )
        ),
    )
    entry("loss", "null or an object with a 'name'", lambda v: v is None or named(v))
    entry(
        "optimizer",
        "null (with a null loss) or an object with a 'config' that has a 'name', "
        "'iterations' >= 0 and 'slots' counting arrays",
        lambda v: (
            (v is None) == (header.get("loss") is None)
            and (
                v is None
                or isinstance(v, dict)
                and named(v.get("config"))
                and _is_int(v.get("iterations"))
                and isinstance(v.get("slots"), dict)
                and all(_is_int(n) for n in v["slots"].values())
            )
        ),
    )
    entry(
        "metrics",
        "a list of metric names",
        lambda v: isinstance(v, list) and all(isinstance(m, str) for m in v),
    )
    entry(
        "preprocessing",
        "null or an object with a 'class' name and a 'config' object",
        lambda v: (
            v is None
            or isinstance(v, dict)
            and isinstance(v.get("class"), str)
            and isinstance(v.get("config"), dict)
        ),
    )
    entry(
        "classes",
        "null or a list of at least two distinct labels (strings or numbers)",
        lambda v: (
            v is None
            or isinstance(v, list)
            and len(v) >= 2
            and all(isinstance(c, str) or _is_number(c) for c in v)
            and len({(type(c) is str, c) for c in v}) == len(v)
        ),
    )
    entry(
        "history",
        "an object of lists of numbers",
        lambda v: (
            isinstance(v, dict)
            and all(
                isinstance(values, list) and all(map(_is_number, values))
                for values in v.values()
            )
        ),
    )
    entry("epoch", "an integer >= 0", _is_int)
    entry("rng_state", "an object", lambda v: isinstance(v, dict))
    entry("metadata", "an object", lambda v: isinstance(v, dict))


def _named_members(header: dict, members: dict[str, zipfile.ZipInfo]) -> list[str]:
    """The arrays the header names: layers' parameters and state, optimizer slots."""
    n_layers = len(header["layers"])
    keys = []
    for filename in members:
        key = filename[:-4] if filename.endswith(".npy") else ""
        match = _PARAM.fullmatch(key)
        if match and int(match.group(1)) < n_layers:
            keys.append(key)
    optimizer = header["optimizer"] or {"slots": {}}
    for slot, count in optimizer["slots"].items():
        if count > len(members):
            raise _Refused(
                f"has a corrupted header: it names {count:,} arrays for the "
                f"optimizer slot {slot!r}, but the file holds {len(members):,} members"
            )
        for j in range(count):
            key = f"opt/{slot}/{j}"
            if key + ".npy" not in members:
                raise _Refused(f"is truncated or corrupted: no array {key}")
            keys.append(key)
    return keys


def _check_layer_sizes(i: int, entry: dict, arrays: dict[str, np.ndarray]) -> None:
    """Refuse a Dense config unlike its stored ``W`` before building allocates it.

    A layer draws its initial parameters when it is built, so a header edited to
    ``Dense(20000, 20000)`` would claim gigabytes before any shape comparison.
    The layers whose sizes come from their input (``Dense(units)``, Conv2D,
    BatchNormalization) are compared by :func:`_check_input_shape`.
    """
    if entry["class"] != "Dense":
        return
    config, stored = entry["config"], arrays.get(f"param/{i}/W")
    n_in, n_out = config.get("n_in"), config.get("n_out")
    if n_in is None and stored is None:
        return  # Dense(units) not built yet: it allocates nothing
    if n_in is None and stored.ndim == 2:
        n_in = stored.shape[0]  # Dense(units): _check_input_shape compares it
    if stored is None or stored.ndim != 2 or (n_in, n_out) != stored.shape:
        shape = "no W" if stored is None else f"W of shape {stored.shape}"
        raise ValueError(
            f"layer {i} is Dense(n_in={describe(n_in)}, n_out={describe(n_out)}) "
            f"but the file stores {shape} for it"
        )


def _check_input_shape(
    input_shape: Any, layers: list, entries: list, arrays: dict[str, np.ndarray]
) -> None:
    """Refuse an input shape unlike the stored arrays before building allocates.

    Layers that infer their size take it from the shapes that flow from the
    input: ``Dense(units)``'s ``W``, Conv2D's ``W`` (kh, kw, in_channels,
    filters) and ``b``, BatchNormalization's four vectors (the last axis). Each
    is compared with its stored arrays first, which :func:`_read` bounded by
    MAX_PARAMETERS, so the parameters a header makes the build allocate are no
    larger than the file's arrays (Conv2D's initial draw, which the loaded
    values then replace, is kh·kw times its ``W`` up to 2**24 values, and only
    ``W`` above that: ``conv._FULL_DRAW``). Without an
    input shape (version 1) the model builds from its first Dense's ``n_in``,
    as :class:`~glassnet.Sequential` does, and that shape flows the same way.
    """
    if input_shape is not None and (
        not isinstance(input_shape, list)
        or len(input_shape) < 2
        or input_shape[0] is not None
        or not all(d is None or _is_int(d, 1) for d in input_shape[1:])
    ):
        raise ValueError(
            "'input_shape' must be null or a list [null, d1, d2, ...] of integers "
            f">= 1. Received: input_shape={describe(input_shape)}"
        )
    shape = _implied_input_shape(layers) if input_shape is None else input_shape
    if shape is None:
        return  # built by the first input: loading allocates nothing
    shape = tuple(shape)
    for i, (layer, entry) in enumerate(zip(layers, entries, strict=True)):
        stored = arrays.get(f"param/{i}/W")
        if entry["class"] == "Dense" and entry["config"].get("n_in") is None:
            if stored is None or stored.shape[0] != shape[-1]:
                raise ValueError(
                    f"layer {i}, {layer!r}, gets inputs of shape {shape} but the "
                    f"file stores {'no W' if stored is None else stored.shape} "
                    "for it"
                )
        elif entry["class"] == "Conv2D" and len(shape) == 4 and shape[-1] is not None:
            kh, kw = layer.kernel_size  # no channels: built by the first input
            needs = {"W": (kh, kw, shape[-1], layer.filters)}
            if layer.use_bias:
                needs["b"] = (layer.filters,)
            what = (
                f"Conv2D(filters={layer.filters}, kernel_size={layer.kernel_size}) "
                f"on inputs of shape {shape}"
            )
            _check_stored(i, what, needs, arrays)
        elif entry["class"] == "BatchNormalization" and shape[-1] is not None:
            features = (shape[-1],)  # build refuses an unknown last axis itself
            needs = {"gamma": features, "beta": features}
            needs.update(moving_mean=features, moving_variance=features)
            what = f"BatchNormalization on inputs of shape {shape}"
            _check_stored(i, what, needs, arrays)
        shape = layer.output_shape(shape)


def _implied_input_shape(layers: list) -> tuple | None:
    """The input shape Sequential builds a model without one for, or None.

    As ``Sequential._implied_input_shape``: the first layer that states its own
    (``Dense(n_in, n_out)``), past layers that keep their input's shape.
    """
    for layer in layers:
        if layer.input_shape is not None:
            return layer.input_shape
        if not layer.keeps_shape:
            return None
    return None


def _check_stored(
    i: int, what: str, needs: dict[str, tuple], arrays: dict[str, np.ndarray]
) -> None:
    """Refuse layer ``i`` (``what``) unless the file stores arrays of ``needs``.

    The keys name parameters, or state (BatchNormalization's ``moving_*``).
    """
    for key, shape in needs.items():
        kind = "state" if key.startswith("moving_") else "param"
        stored = arrays.get(f"{kind}/{i}/{key}")
        if stored is None or stored.shape != shape:
            size = math.prod(shape)
            past = (
                f" ({size:,} values, more than MAX_PARAMETERS={MAX_PARAMETERS:,})"
                if size > MAX_PARAMETERS
                else ""
            )
            held = f"no {key}" if stored is None else f"{key} of shape {stored.shape}"
            raise ValueError(
                f"layer {i} is {what}, which needs {key} of shape {shape}{past}, "
                f"but the file stores {held} for it"
            )


def _decode(header: dict, arrays: dict[str, np.ndarray]) -> Any:
    """Build the model that ``header`` and ``arrays`` describe."""
    from glassnet import data, losses, optimizers
    from glassnet.callbacks import History
    from glassnet.layers import LAYERS
    from glassnet.network import Sequential

    layers = []
    for i, entry in enumerate(header["layers"]):
        if entry["class"] not in LAYERS:
            raise ValueError(f"unknown layer class {entry['class']!r}")
        _check_layer_sizes(i, entry, arrays)
        layers.append(LAYERS[entry["class"]].from_config(entry["config"]))
    # version 1 has no input shape: its first Dense states (None, n_in)
    input_shape = header.get("input_shape")
    _check_input_shape(input_shape, layers, header["layers"], arrays)
    model = Sequential(
        layers,
        seed=header["seed"],
        dtype=header["dtype"],
        input_shape=None if input_shape is None else input_shape[1:],
    )
    # Building drew fresh parameters from the generators; now put everything back.
    model.rng.bit_generator.state = header["rng_state"]
    for i, (layer, entry) in enumerate(
        zip(model.layers, header["layers"], strict=True)
    ):
        if "rng_state" in entry:
            layer.rng.bit_generator.state = entry["rng_state"]
        for key, param in layer.params.items():
            saved = arrays.get(f"param/{i}/{key}")
            if saved is None:
                raise ValueError(f"no array param/{i}/{key} for layer {i} {layer!r}")
            if saved.shape != param.shape or saved.dtype != param.dtype:
                raise ValueError(
                    f"param/{i}/{key} is {saved.dtype} {saved.shape}; the layer "
                    f"needs {param.dtype} {param.shape}"
                )
            param[...] = saved
        for key, value in getattr(layer, "state", {}).items():
            saved = arrays.get(f"state/{i}/{key}")
            if saved is None:
                raise ValueError(f"no array state/{i}/{key} for layer {i} {layer!r}")
            if saved.shape != value.shape or saved.dtype != value.dtype:
                raise ValueError(
                    f"state/{i}/{key} is {saved.dtype} {saved.shape}; the layer "
                    f"needs {value.dtype} {value.shape}"
                )
            value[...] = saved

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
        _check_classes(model)
    model.history = History()
    model.history.history = {
        str(key): [float(v) for v in values]
        for key, values in header["history"].items()
    }
    model.epoch = int(header["epoch"])
    model.metadata = dict(header["metadata"])
    return model


def _check_classes(model: Any) -> None:
    """Refuse class labels that the last layer's outputs cannot pick from."""
    n_out = next(
        (layer.n_out for layer in reversed(model.layers) if hasattr(layer, "n_out")),
        None,
    )
    n_classes = len(model.classes_)
    if not model.layers:
        raise ValueError(f"the header names {n_classes} classes but no layers")
    if n_out is not None and n_out != n_classes and (n_out, n_classes) != (1, 2):
        raise ValueError(
            f"the header names {n_classes} classes but the last layer has {n_out} "
            "outputs"
        )
