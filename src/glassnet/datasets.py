"""Datasets: the article's four people, toy problems, and MNIST / Fashion-MNIST.

The toy generators are seeded and return ``(X, y)`` like scikit-learn's
``make_*`` functions: ``X`` float64 of shape (n_samples, 2), ``y`` int64 labels.

:func:`mnist` and :func:`fashion_mnist` read the original IDX files (gzip or plain)
from, in this order:

1. the folder named by ``path``;
2. ``$GLASSNET_DATA`` (a folder holding ``mnist/`` and ``fashion-mnist/``
   subfolders, or one dataset's files directly);
3. the cache folder ``$XDG_CACHE_HOME/glassnet`` (default ``~/.cache/glassnet``),
   or ``cache_dir``, where ``download=True`` fetches the files from the official
   mirrors and checks their SHA-256 before using them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import shutil
import struct
import urllib.request
import zlib
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

from glassnet._files import atomic_write
from glassnet._validation import (
    check_dtype,
    check_finite_number,
    check_positive_int,
    check_seed,
)
from glassnet.errors import DataError, DownloadError

__all__ = [
    "FASHION_MNIST_CLASSES",
    "circles",
    "default_cache_dir",
    "fashion_mnist",
    "mnist",
    "moons",
    "parse_idx",
    "people",
    "read_idx",
    "two_spirals",
    "xor",
]

FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

# ------------------------------------------------------------------ small datasets


def people() -> tuple[np.ndarray, np.ndarray]:
    """The article's four people: shifted (weight, height) and gender (F = 1).

    The numbers live in :mod:`glassnet.article`; this returns fresh arrays.

    Examples
    --------
    >>> X, y = people()
    >>> X.tolist(), y.tolist()
    ([[-2.0, -1.0], [25.0, 6.0], [17.0, 4.0], [-15.0, -6.0]], [1, 0, 0, 1])
    """
    from glassnet import article

    return (
        np.array(article.DATA, dtype=np.float64),
        np.array(article.ALL_Y_TRUES, dtype=np.int64),
    )


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points: the smallest problem a single neuron cannot solve.

    Examples
    --------
    >>> X, y = xor()
    >>> X.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return X, np.array([0, 1, 1, 0], dtype=np.int64)


def _check_generator_args(n_samples: Any, noise: Any) -> tuple[int, float]:
    n = check_positive_int(n_samples, "n_samples", minimum=2)
    return n, check_finite_number(noise, "noise", minimum=0.0)


def _finish(
    X: np.ndarray, y: np.ndarray, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Add Gaussian noise and shuffle the rows (one generator, fixed draw order)."""
    if noise > 0:
        X = X + rng.normal(scale=noise, size=X.shape)
    order = rng.permutation(len(y))
    return X[order], y[order]


def two_spirals(
    n_samples: int = 200, noise: float = 0.0, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals of 1.5 turns each, radius growing from 0 to 1.

    Class ``k`` is the point ``r (cos θ, sin θ)`` with ``r`` evenly spaced in
    (0, 1] and ``θ = 3π r + kπ``, plus Gaussian noise of standard deviation
    ``noise``. Rows are shuffled.

    Examples
    --------
    >>> X, y = two_spirals(6, seed=0)
    >>> X.shape, sorted(y.tolist())
    ((6, 2), [0, 0, 0, 1, 1, 1])
    """
    n, noise = _check_generator_args(n_samples, noise)
    rng = np.random.default_rng(check_seed(seed))
    parts, labels = [], []
    for k, count in enumerate((n - n // 2, n // 2)):
        r = np.arange(1, count + 1) / count
        theta = 3 * np.pi * r + k * np.pi
        parts.append(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
        labels.append(np.full(count, k, dtype=np.int64))
    return _finish(np.concatenate(parts), np.concatenate(labels), noise, rng)


def moons(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (the points of scikit-learn's ``make_moons``).

    Class 0 is ``(cos t, sin t)``, class 1 is ``(1 - cos t, 0.5 - sin t)`` for
    ``t`` evenly spaced over [0, π]. Rows are shuffled.

    Examples
    --------
    >>> X, y = moons(4, seed=0)
    >>> sorted(map(tuple, X.round(6).tolist()))
    [(-1.0, 0.0), (0.0, 0.5), (1.0, 0.0), (2.0, 0.5)]
    """
    n, noise = _check_generator_args(n_samples, noise)
    rng = np.random.default_rng(check_seed(seed))
    n_outer, n_inner = n // 2, n - n // 2
    t_outer = np.linspace(0, np.pi, n_outer)
    t_inner = np.linspace(0, np.pi, n_inner)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
            np.column_stack([1 - np.cos(t_inner), 0.5 - np.sin(t_inner)]),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n_inner, np.int64)])
    return _finish(X, y, noise, rng)


def circles(
    n_samples: int = 100,
    noise: float = 0.0,
    factor: float = 0.8,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A circle of radius ``factor`` (class 1) inside the unit circle (class 0).

    The points of scikit-learn's ``make_circles``: angles evenly spaced over
    [0, 2π), without the endpoint. Rows are shuffled.

    Examples
    --------
    >>> X, y = circles(4, factor=0.5, seed=0)
    >>> sorted(np.hypot(X[:, 0], X[:, 1]).round(6).tolist())
    [0.5, 0.5, 1.0, 1.0]
    """
    n, noise = _check_generator_args(n_samples, noise)
    factor = check_finite_number(factor, "factor", minimum=0.0, strict_minimum=True)
    if factor >= 1:
        raise ValueError(f"factor must be in (0, 1). Received: factor={factor!r}")
    rng = np.random.default_rng(check_seed(seed))
    n_outer, n_inner = n // 2, n - n // 2
    t_outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
            factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)]),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, np.int64), np.ones(n_inner, np.int64)])
    return _finish(X, y, noise, rng)


# ----------------------------------------------------------------------- IDX files

# IDX type code -> big-endian element type (yann.lecun.com/exdb/mnist, "IDX format")
_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode the bytes of one uncompressed IDX file into an array.

    The header is two zero bytes, a type code, the number of dimensions ``d``, then
    ``d`` big-endian uint32 sizes; the payload must be exactly as long as the sizes
    say.

    Raises
    ------
    DataError
        Naming ``name`` and what is wrong: bad magic number, unknown type code,
        truncated header, or a payload too short or too long.

    Examples
    --------
    >>> parse_idx(bytes([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9])).tolist()
    [7, 8, 9]
    """
    if len(data) < 4:
        raise DataError(f"{name}: too short for an IDX header ({len(data)} bytes)")
    if data[0] != 0 or data[1] != 0:
        raise DataError(
            f"{name}: not an IDX file (magic number {data[:4].hex()} "
            "does not start with two zero bytes)"
        )
    code, ndim = data[2], data[3]
    if code not in _IDX_TYPES:
        raise DataError(f"{name}: unknown IDX data type code 0x{code:02x}")
    if ndim == 0:
        raise DataError(f"{name}: IDX header says 0 dimensions")
    start = 4 + 4 * ndim
    if len(data) < start:
        raise DataError(
            f"{name}: IDX header truncated ({len(data)} bytes, "
            f"{ndim} dimensions need {start})"
        )
    shape = struct.unpack(f">{ndim}I", data[4:start])
    dtype = _IDX_TYPES[code]
    count = math.prod(shape)
    expected, actual = count * dtype.itemsize, len(data) - start
    if actual != expected:
        what = "truncated" if actual < expected else "has trailing bytes"
        raise DataError(
            f"{name}: IDX payload {what}: shape {shape} of {dtype.name} needs "
            f"{expected} bytes after the header, found {actual}"
        )
    array = np.frombuffer(data, dtype=dtype, count=count, offset=start)
    return array.reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file, gzip-compressed (``.gz``) or plain.

    Compression is recognised by the gzip magic bytes, not the file name.

    Raises
    ------
    DataError
        For a missing or unreadable file, corrupt gzip data, or a bad IDX file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny-idx1-ubyte.gz"
    >>> _ = path.write_bytes(gzip.compress(bytes([0, 0, 8, 1, 0, 0, 0, 2, 4, 2])))
    >>> read_idx(path).tolist()
    [4, 2]
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{name}: is a directory, not an IDX file") from None
    except OSError as error:
        raise DataError(f"{name}: cannot be read ({error.strerror or error})") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip_idx(data, name)
        except (OSError, EOFError, zlib.error) as error:
            raise DataError(f"{name}: corrupt gzip data ({error})") from None
    return parse_idx(data, name)


MAX_IDX_BYTES = 1 << 30  # an IDX payload read_idx decompresses (MNIST's: 47 MB)


def _gunzip_idx(data: bytes, name: str) -> bytes:
    """Decompress an IDX file, no further than its header says it needs.

    A small gzip file can expand to gigabytes; the header's sizes are checked
    against MAX_IDX_BYTES first, and one byte past them is read to find a
    payload that is too long, so parse_idx can say so.
    """
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
        head = stream.read(4)
        if len(head) == 4 and head[:2] == b"\x00\x00" and head[2] in _IDX_TYPES:
            head += stream.read(4 * head[3])
            if len(head) == 4 + 4 * head[3] and head[3]:
                shape = struct.unpack(f">{head[3]}I", head[4:])
                size = math.prod(shape) * _IDX_TYPES[head[2]].itemsize
                if size > MAX_IDX_BYTES:
                    raise DataError(
                        f"{name}: IDX header declares shape {shape} "
                        f"({size:,} bytes), past the bound "
                        f"MAX_IDX_BYTES={MAX_IDX_BYTES:,}"
                    )
                return head + stream.read(size + 1)
        return head + stream.read(MAX_IDX_BYTES + 1)


# --------------------------------------------------------------- MNIST-like sets

_STEMS = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


@dataclass(frozen=True)
class _Source:
    title: str
    folder: str
    mirrors: tuple[str, ...]
    sha256: dict[str, str]  # of the .gz files


_MNIST = _Source(
    "MNIST",
    "mnist",
    (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    {
        "train-images-idx3-ubyte.gz": (
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
        ),
        "train-labels-idx1-ubyte.gz": (
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
        ),
    },
)
_FASHION = _Source(
    "Fashion-MNIST",
    "fashion-mnist",
    (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    ),
    {
        "train-images-idx3-ubyte.gz": (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
        ),
        "train-labels-idx1-ubyte.gz": (
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
        ),
    },
)


def default_cache_dir() -> str:
    """The download folder: ``$XDG_CACHE_HOME/glassnet`` or ``~/.cache/glassnet``."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return os.path.join(base, "glassnet")


def _find(folder: str, stem: str) -> str | None:
    """The file for ``stem`` in ``folder``: ``.gz`` first, then plain IDX."""
    names = (f"{stem}.gz", stem, stem.replace("-idx", ".idx"))
    for candidate in (os.path.join(folder, name) for name in names):
        if os.path.isfile(candidate):
            return candidate
    return None


def _dataset_folder(root: str, source: _Source) -> str:
    """``root/<dataset>`` when that subfolder exists, else ``root`` itself."""
    sub = os.path.join(root, source.folder)
    return sub if os.path.isdir(sub) else root


def _fetch(url: str, out: BinaryIO) -> None:
    """Stream ``url`` into the open binary file ``out`` (the hook tests replace)."""
    if not url.startswith(("https://", "http://")):
        raise DownloadError(f"refusing to download from {url!r}: not http(s)")
    request = urllib.request.Request(url, headers={"User-Agent": "glassnet"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        shutil.copyfileobj(response, out, 1 << 20)


def _sha256(handle: BinaryIO) -> str:
    """SHA-256 of everything in the open file ``handle``, read from its start."""
    handle.seek(0)
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


class _ChecksumMismatch(Exception):
    """A download whose SHA-256 is not the expected one (never stored)."""


def _download(source: _Source, folder: str, filename: str) -> str:
    """Fetch one file into ``folder`` atomically, checked first; return its path."""
    os.makedirs(folder, exist_ok=True)
    final = os.path.join(folder, filename)
    expected = source.sha256[filename]
    failures = []
    for mirror in source.mirrors:
        url = mirror + filename

        def fetch_checked(out: BinaryIO, url: str = url) -> None:
            _fetch(url, out)
            out.flush()
            got = _sha256(out)
            if got != expected:  # raising makes atomic_write delete the file
                raise _ChecksumMismatch(f"got {got}, expected {expected}")

        try:
            atomic_write(final, fetch_checked)
            return final
        except _ChecksumMismatch as error:
            failures.append(f"{url}: SHA-256 mismatch ({error})")
        except Exception as error:  # any failure of one mirror: try the next one
            failures.append(f"{url}: {type(error).__name__}: {error}")
    raise DownloadError(
        f"could not download {source.title} file {filename} into {folder}; "
        "the partial download was deleted. Tried:\n  " + "\n  ".join(failures)
    )


def _locate(source: _Source, path: Any, download: bool, cache: str | None) -> list[str]:
    """Paths of the four files, looked for in order; download when asked."""
    if path is not None:
        folders = [_dataset_folder(os.fspath(path), source)]
        target = folders[0]
    else:
        folders = []
        env = os.environ.get("GLASSNET_DATA")
        if env:
            folders.append(_dataset_folder(env, source))
        target = os.path.join(
            cache if cache is not None else default_cache_dir(), source.folder
        )
        folders.append(target)
    notes = []
    for folder in folders:
        found = [_find(folder, stem) for stem in _STEMS]
        other = _other_dataset(source, found[1]) if all(found) else None
        if other is not None:
            # Both sets use the same file names: never hand one out as the other.
            notes.append(f"{folder} holds {other}, not {source.title}")
        elif all(found):
            return found
    if download:
        found = [_find(target, stem) for stem in _STEMS]
        return [
            have or _download(source, target, f"{stem}.gz")
            for have, stem in zip(found, _STEMS, strict=True)
        ]
    needed = ", ".join(f"{stem}.gz" for stem in _STEMS)
    function = "mnist" if source is _MNIST else "fashion_mnist"
    raise DataError(
        f"{source.title} files not found. Looked in: {', '.join(folders)} "
        f"(each needs {needed}, or the same files uncompressed). Set GLASSNET_DATA to "
        f"a folder that holds them (or holds a {source.folder}/ subfolder), pass "
        f"path=..., or call {function}(download=True) to download them into {target}."
        + "".join(f" Note: {note}." for note in notes)
    )


def _other_dataset(source: _Source, labels_path: str | None) -> str | None:
    """The other set's title when ``labels_path`` is its official training labels.

    Only the small labels file is hashed (about 29 kB), and only a ``.gz`` one:
    that is the file the official checksums are for.
    """
    name = "train-labels-idx1-ubyte.gz"
    if labels_path is None or not labels_path.endswith(".gz"):
        return None
    for other in (_MNIST, _FASHION):
        if other.title != source.title and name in other.sha256:
            try:
                with open(labels_path, "rb") as handle:
                    if _sha256(handle) == other.sha256[name]:
                        return other.title
            except OSError:
                return None
    return None


def _images_and_labels(images_path: str, labels_path: str, dtype, normalize: bool):
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DataError(
            f"{images_path}: expected 3-D unsigned-byte images, found "
            f"{images.ndim}-D {images.dtype}"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise DataError(
            f"{labels_path}: expected 1-D unsigned-byte labels, found "
            f"{labels.ndim}-D {labels.dtype}"
        )
    if labels.shape[0] != images.shape[0]:
        raise DataError(
            f"{labels_path}: {labels.shape[0]} labels for {images.shape[0]} images "
            f"in {images_path}"
        )
    if labels.size and labels.max() > 9:
        raise DataError(f"{labels_path}: label {labels.max()} is outside 0..9")
    X = images.reshape(images.shape[0], -1).astype(dtype)
    if normalize:
        X /= 255
    return X, labels.astype(np.int64)


def _load(source, path, download, cache_dir, dtype, normalize):
    """What :func:`mnist` and :func:`fashion_mnist` share: check, find, read."""
    dtype = check_dtype(dtype)
    if not isinstance(download, bool):
        raise TypeError(f"download must be True or False. Received: {download!r}")
    cache = None if cache_dir is None else os.fspath(cache_dir)
    files = _locate(source, path, download, cache)
    train = _images_and_labels(files[0], files[1], dtype, normalize)
    test = _images_and_labels(files[2], files[3], dtype, normalize)
    return train, test


def mnist(
    path: str | os.PathLike | None = None,
    download: bool = False,
    cache_dir: str | os.PathLike | None = None,
    dtype: Any = "float32",
    normalize: bool = True,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """MNIST handwritten digits: ``((X_train, y_train), (X_test, y_test))``.

    Parameters
    ----------
    path : str or path-like, optional
        A folder holding the four IDX files (or a ``mnist/`` subfolder with them).
        Without it: ``$GLASSNET_DATA``, then the cache folder.
    download : bool
        Download missing files from the official mirrors (SHA-256 checked) into
        ``path`` or the cache folder.
    cache_dir : str or path-like, optional
        The cache folder instead of ``$XDG_CACHE_HOME/glassnet``.
    dtype : {"float32", "float64"}
        The dtype of ``X``.
    normalize : bool
        Divide the pixels by 255 so that ``X`` lies in [0, 1].

    Returns
    -------
    ((X_train, y_train), (X_test, y_test))
        ``X`` of shape (60000, 784) and (10000, 784); ``y`` int64 digits 0-9.

    Raises
    ------
    DataError
        When the files are missing (saying where it looked and how to get them) or
        are corrupt.
    DownloadError
        When a download fails or does not match its checksum.
    """
    return _load(_MNIST, path, download, cache_dir, dtype, normalize)


def fashion_mnist(
    path: str | os.PathLike | None = None,
    download: bool = False,
    cache_dir: str | os.PathLike | None = None,
    dtype: Any = "float32",
    normalize: bool = True,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Fashion-MNIST (Zalando): 28x28 clothing images in 10 classes.

    Same files, layout and arguments as :func:`mnist` (the subfolder is
    ``fashion-mnist/``); :data:`FASHION_MNIST_CLASSES` names the classes.
    """
    return _load(_FASHION, path, download, cache_dir, dtype, normalize)
