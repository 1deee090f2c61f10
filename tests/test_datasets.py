"""glassnet.datasets: toy generators, the IDX reader, MNIST loading and download."""

import gzip
import hashlib
import io
import os
import struct
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from glassnet import datasets
from glassnet.datasets import (
    circles,
    fashion_mnist,
    mnist,
    moons,
    parse_idx,
    people,
    read_idx,
    two_spirals,
    xor,
)
from glassnet.errors import DataError, DownloadError

STEMS = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def idx_bytes(array, code=0x08):
    """An IDX file written by hand: 0, 0, type code, ndim, big-endian sizes, data."""
    big_endian = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4"}
    big_endian[0x0E] = ">f8"
    header = bytes([0, 0, code, array.ndim]) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    return header + array.astype(big_endian[code]).tobytes()


@pytest.fixture
def no_data_env(monkeypatch, tmp_path):
    """No GLASSNET_DATA, and a cache folder inside tmp_path."""
    monkeypatch.delenv("GLASSNET_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path


def fake_mnist(folder, n_train=5, n_test=3, compress=True, seed=0):
    """Four tiny IDX files (4x4 images) in ``folder``; return the arrays written."""
    rng = np.random.default_rng(seed)
    arrays = {
        STEMS[0]: rng.integers(0, 256, (n_train, 4, 4), dtype=np.uint8),
        STEMS[1]: rng.integers(0, 10, n_train, dtype=np.uint8),
        STEMS[2]: rng.integers(0, 256, (n_test, 4, 4), dtype=np.uint8),
        STEMS[3]: rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for stem, array in arrays.items():
        data = idx_bytes(array)
        if compress:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / stem).write_bytes(data)
    return arrays


# ------------------------------------------------------------------ small datasets


def test_people_are_the_articles():
    # ARTICLE.md section 3: weight - 135 and height - 66; female (Alice, Diana) is 1.
    X, y = people()
    raw = np.array([[133, 65], [160, 72], [152, 70], [120, 60]])
    assert X.tolist() == (raw - [135, 66]).tolist()
    assert y.tolist() == [1, 0, 0, 1]
    assert X.dtype == np.float64 and y.dtype == np.int64
    X[0, 0] = 99.0  # a fresh copy each call
    assert people()[0][0, 0] == -2.0


def test_xor_truth_table():
    X, y = xor()
    assert y.tolist() == [int(a) ^ int(b) for a, b in X]


@pytest.mark.parametrize("generator", [two_spirals, moons, circles])
def test_generators_are_seeded(generator):
    X1, y1 = generator(31, noise=0.1, seed=3)
    X2, y2 = generator(31, noise=0.1, seed=3)
    X3, _ = generator(31, noise=0.1, seed=4)
    assert X1.shape == (31, 2) and y1.shape == (31,)
    assert X1.dtype == np.float64 and y1.dtype == np.int64
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert sorted(np.bincount(y1).tolist()) == [15, 16]


@pytest.mark.parametrize("generator", [two_spirals, moons, circles])
def test_generator_arguments_are_checked(generator):
    with pytest.raises(ValueError, match=r"n_samples must be an integer >= 2"):
        generator(1)
    with pytest.raises(ValueError, match=r"noise must be a finite number >= 0"):
        generator(10, noise=-0.1)


def _rows(X, y):
    return sorted(
        (round(a, 9), round(b, 9), int(c)) for (a, b), c in zip(X, y, strict=True)
    )


def test_moons_and_circles_match_sklearn_points():
    sk = pytest.importorskip("sklearn.datasets")
    X, y = moons(20)
    assert _rows(X, y) == _rows(*sk.make_moons(20, shuffle=False))
    X, y = circles(21, factor=0.3)
    assert _rows(X, y) == _rows(*sk.make_circles(21, shuffle=False, factor=0.3))
    with pytest.raises(ValueError, match=r"factor must be in \(0, 1\)"):
        circles(10, factor=1.0)


def test_two_spirals_geometry():
    X, y = two_spirals(8)
    # r = 1/4, 2/4, 3/4, 1 per class and theta = 3*pi*r + k*pi
    radius = np.hypot(X[:, 0], X[:, 1])
    for k in (0, 1):
        r = np.sort(radius[y == k])
        np.testing.assert_allclose(r, [0.25, 0.5, 0.75, 1.0])
    outer = X[(y == 1) & np.isclose(radius, 1.0)][0]
    # class 1 at r = 1: theta = 3*pi + pi = 4*pi, a whole number of turns: (1, 0)
    np.testing.assert_allclose(outer, [1.0, 0.0], atol=1e-12)


# ----------------------------------------------------------------------- IDX files


@pytest.mark.parametrize(
    ("code", "values"),
    [
        (0x08, np.array([[0, 255], [7, 8]])),
        (0x09, np.array([-128, 127, 0])),
        (0x0B, np.array([-300, 300])),
        (0x0C, np.array([[[1 << 30]], [[-5]]])),
        (0x0D, np.array([1.5, -2.25])),
        (0x0E, np.array([np.pi])),
    ],
)
def test_parse_idx_every_type(code, values):
    array = parse_idx(idx_bytes(values, code))
    assert array.shape == values.shape
    assert array.tolist() == values.tolist()
    assert array.dtype.isnative and array.flags.writeable


def test_parse_idx_header_by_hand():
    # magic 0x00000803: unsigned bytes, 3 dimensions 1 x 2 x 2
    data = bytes.fromhex("00000803 00000001 00000002 00000002 01020304")
    assert parse_idx(data).tolist() == [[[1, 2], [3, 4]]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"<bytes>: too short for an IDX header \(0 bytes\)"),
        (b"\x00\x00\x08", "too short for an IDX header"),
        (b"PK\x03\x04" + bytes(10), r"not an IDX file \(magic number 504b0304"),
        (bytes([0, 0, 0x07, 1, 0, 0, 0, 0]), "unknown IDX data type code 0x07"),
        (bytes([0, 0, 0x08, 0]), "IDX header says 0 dimensions"),
        (
            bytes([0, 0, 0x08, 3, 0, 0, 0, 1]),
            r"IDX header truncated \(8 bytes, 3 dimensions need 16\)",
        ),
        (
            bytes([0, 0, 0x08, 1, 0, 0, 0, 4, 1, 2]),
            r"IDX payload truncated: shape \(4,\) of uint8 needs 4 bytes after "
            r"the header, found 2",
        ),
        (
            bytes([0, 0, 0x0B, 1, 0, 0, 0, 1, 1, 2, 3]),
            r"IDX payload has trailing bytes: shape \(1,\) of int16 needs 2 bytes",
        ),
        (
            bytes([0, 0, 0x08, 2, 255, 255, 255, 255, 255, 255, 255, 255]),
            "IDX payload truncated",  # sizes far beyond memory: refused, not allocated
        ),
    ],
)
def test_parse_idx_refuses_bad_bytes(data, message):
    with pytest.raises(DataError, match=message):
        parse_idx(data)


def test_read_idx_gzip_and_plain(tmp_path):
    values = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(values)))
    (tmp_path / "a").write_bytes(idx_bytes(values))
    assert np.array_equal(read_idx(tmp_path / "a.gz"), values)
    assert np.array_equal(read_idx(str(tmp_path / "a")), values)


def test_read_idx_bad_files(tmp_path):
    values = np.arange(100, dtype=np.uint8)
    packed = gzip.compress(idx_bytes(values))
    (tmp_path / "cut.gz").write_bytes(packed[: len(packed) // 2])
    with pytest.raises(DataError, match=r"cut\.gz: corrupt gzip data"):
        read_idx(tmp_path / "cut.gz")
    broken = bytearray(packed)
    broken[len(broken) // 2] ^= 0xFF
    (tmp_path / "flip.gz").write_bytes(bytes(broken))
    with pytest.raises(DataError, match=r"flip\.gz: corrupt gzip data"):
        read_idx(tmp_path / "flip.gz")
    (tmp_path / "short").write_bytes(idx_bytes(values)[:-1])
    with pytest.raises(DataError, match=r"short: IDX payload truncated"):
        read_idx(tmp_path / "short")
    # A gzip file whose content is not IDX is named as the gzip file.
    (tmp_path / "text.gz").write_bytes(gzip.compress(b"hello world"))
    with pytest.raises(DataError, match=r"text\.gz: not an IDX file"):
        read_idx(tmp_path / "text.gz")
    with pytest.raises(DataError, match=r"missing\.gz: no such file"):
        read_idx(tmp_path / "missing.gz")
    with pytest.raises(DataError, match="is a directory, not an IDX file"):
        read_idx(tmp_path)


# ------------------------------------------------------------------- MNIST loading


def test_mnist_from_a_folder(no_data_env):
    folder = no_data_env / "digits"
    arrays = fake_mnist(folder)
    (X_train, y_train), (X_test, y_test) = mnist(folder)
    assert X_train.shape == (5, 16) and X_test.shape == (3, 16)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    expected = arrays[STEMS[0]].reshape(5, 16).astype(np.float32) / 255
    assert np.array_equal(X_train, expected)
    assert y_train.tolist() == arrays[STEMS[1]].tolist()
    assert y_test.tolist() == arrays[STEMS[3]].tolist()
    assert 0.0 <= X_test.min() and X_test.max() <= 1.0


def test_mnist_plain_files_float64_unnormalized(no_data_env):
    folder = no_data_env / "plain"
    arrays = fake_mnist(folder, compress=False)
    (X_train, _), _ = mnist(str(folder), dtype="float64", normalize=False)
    assert X_train.dtype == np.float64
    assert X_train.tolist() == arrays[STEMS[0]].reshape(5, 16).tolist()
    (folder / STEMS[3]).rename(folder / "t10k-labels.idx1-ubyte")  # Kaggle's naming
    assert mnist(folder)[1][1].shape == (3,)


def test_glassnet_data_with_subfolders_or_files(no_data_env, monkeypatch):
    root = no_data_env / "shared"
    digits = fake_mnist(root / "mnist", n_train=4, seed=1)
    clothes = fake_mnist(root / "fashion-mnist", n_train=6, seed=2)
    monkeypatch.setenv("GLASSNET_DATA", str(root))
    assert mnist()[0][1].tolist() == digits[STEMS[1]].tolist()
    assert fashion_mnist()[0][1].tolist() == clothes[STEMS[1]].tolist()
    monkeypatch.setenv("GLASSNET_DATA", str(root / "fashion-mnist"))
    assert mnist()[0][0].shape == (6, 16)  # the files themselves


def test_one_dataset_is_not_loaded_as_the_other(no_data_env, monkeypatch):
    # GLASSNET_DATA=.../mnist used to make fashion_mnist() return the digits
    root = no_data_env / "digits"
    fake_mnist(root)
    labels = (root / f"{STEMS[1]}.gz").read_bytes()
    checksums = {f"{STEMS[1]}.gz": hashlib.sha256(labels).hexdigest()}
    monkeypatch.setattr(
        datasets, "_MNIST", datasets._Source("MNIST", "mnist", (), checksums)
    )
    monkeypatch.setenv("GLASSNET_DATA", str(root))
    assert mnist()[0][0].shape == (5, 16)
    with pytest.raises(DataError, match=r"not found\. .*digits holds MNIST, not"):
        fashion_mnist()


def test_cache_folder_from_xdg_and_cache_dir(no_data_env):
    fake_mnist(no_data_env / "xdg" / "glassnet" / "fashion-mnist", n_train=2)
    assert fashion_mnist()[0][0].shape == (2, 16)
    fake_mnist(no_data_env / "mine" / "mnist", n_train=7)
    assert mnist(cache_dir=no_data_env / "mine")[0][0].shape == (7, 16)


def test_missing_files_say_where_and_how(no_data_env, monkeypatch):
    monkeypatch.setenv("GLASSNET_DATA", str(no_data_env / "nothing"))
    cache = no_data_env / "xdg" / "glassnet" / "mnist"
    with pytest.raises(DataError) as caught:
        mnist()
    message = str(caught.value)
    assert message.startswith("MNIST files not found. Looked in: ")
    assert str(no_data_env / "nothing") in message and str(cache) in message
    assert "train-images-idx3-ubyte.gz" in message
    assert "Set GLASSNET_DATA" in message and "mnist(download=True)" in message
    with pytest.raises(DataError, match=r"fashion_mnist\(download=True\)"):
        fashion_mnist(no_data_env / "empty")


def test_mnist_refuses_inconsistent_files(no_data_env):
    folder = no_data_env / "bad"
    fake_mnist(folder)
    labels = np.array([1, 2, 3, 4, 12], dtype=np.uint8)
    (folder / f"{STEMS[1]}.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz: label 12 is"):
        mnist(folder)
    (folder / f"{STEMS[1]}.gz").write_bytes(gzip.compress(idx_bytes(labels[:4])))
    with pytest.raises(DataError, match=r"4 labels for 5 images"):
        mnist(folder)
    images = np.zeros((5, 16), dtype=np.uint8)
    (folder / f"{STEMS[0]}.gz").write_bytes(gzip.compress(idx_bytes(images)))
    with pytest.raises(DataError, match=r"expected 3-D unsigned-byte images"):
        mnist(folder)


def test_mnist_arguments_are_checked(no_data_env):
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64'"):
        mnist(no_data_env, dtype="int8")
    with pytest.raises(TypeError, match="download must be True or False"):
        mnist(no_data_env, download="yes")


# ------------------------------------------------------------------------ download


@pytest.fixture
def tiny_source(monkeypatch):
    """A fake MNIST whose 'official' files and checksums are tiny ones we made."""
    files = {}
    rng = np.random.default_rng(5)
    for stem in STEMS:
        shape = (3, 2, 2) if "images" in stem else (3,)
        high = 256 if "images" in stem else 10
        array = rng.integers(0, high, shape, dtype=np.uint8)
        files[f"{stem}.gz"] = gzip.compress(idx_bytes(array))
    checksums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    source = datasets._Source(
        "MNIST", "mnist", ("https://one.example/", "https://two.example/"), checksums
    )
    monkeypatch.setattr(datasets, "_MNIST", source)
    return files


def serve(monkeypatch, responses):
    """Replace the fetch hook: ``responses(url)`` gives bytes or raises."""
    calls = []

    def fetch(url, out):
        calls.append(url)
        out.write(responses(url))

    monkeypatch.setattr(datasets, "_fetch", fetch)
    return calls


def test_download_verifies_and_caches(no_data_env, monkeypatch, tiny_source):
    calls = serve(monkeypatch, lambda url: tiny_source[url.rsplit("/", 1)[1]])
    (X_train, y_train), _ = mnist(download=True)
    assert X_train.shape == (3, 4)
    folder = no_data_env / "xdg" / "glassnet" / "mnist"
    assert sorted(os.listdir(folder)) == sorted(tiny_source)  # no temporary files
    assert len(calls) == 4 and all(u.startswith("https://one.example/") for u in calls)
    calls.clear()
    assert np.array_equal(mnist(download=True)[0][1], y_train)
    assert calls == []  # already there: nothing fetched


def test_corrupt_download_is_deleted_and_reported(
    no_data_env, monkeypatch, tiny_source
):
    def corrupt(url):
        data = bytearray(tiny_source[url.rsplit("/", 1)[1]])
        data[-1] ^= 1
        return bytes(data)

    serve(monkeypatch, corrupt)
    cache = no_data_env / "cache"
    with pytest.raises(DownloadError) as caught:
        mnist(download=True, cache_dir=cache)
    message = str(caught.value)
    assert "could not download MNIST file train-images-idx3-ubyte.gz" in message
    assert "https://one.example/train-images-idx3-ubyte.gz: SHA-256 mismatch" in message
    assert "https://two.example/train-images-idx3-ubyte.gz: SHA-256 mismatch" in message
    assert os.listdir(cache / "mnist") == []  # nothing corrupt or partial left


def test_download_falls_back_to_the_next_mirror(no_data_env, monkeypatch, tiny_source):
    def flaky(url):
        if url.startswith("https://one.example/"):
            raise urllib.error.URLError("connection refused")
        return tiny_source[url.rsplit("/", 1)[1]]

    serve(monkeypatch, flaky)
    target = no_data_env / "here"
    (_, y_train), (_, y_test) = mnist(target, download=True)
    assert y_train.shape == (3,) and y_test.shape == (3,)
    assert sorted(os.listdir(target)) == sorted(tiny_source)


def test_interrupted_download_leaves_nothing(no_data_env, monkeypatch, tiny_source):
    def half_then_fail(url, out):
        out.write(tiny_source[url.rsplit("/", 1)[1]][:10])
        raise ConnectionResetError("connection reset by peer")

    monkeypatch.setattr(datasets, "_fetch", half_then_fail)
    with pytest.raises(DownloadError, match="ConnectionResetError: connection reset"):
        mnist(download=True)
    assert os.listdir(no_data_env / "xdg" / "glassnet" / "mnist") == []


def test_fetch_streams_urlopen_into_the_file(monkeypatch, tmp_path):
    seen = {}

    def fake_urlopen(request, timeout):
        seen["url"], seen["timeout"] = request.full_url, timeout
        return io.BytesIO(b"payload bytes")

    monkeypatch.setattr(datasets.urllib.request, "urlopen", fake_urlopen)
    with open(tmp_path / "out", "wb") as out:
        datasets._fetch("https://example.org/file.gz", out)
    assert (tmp_path / "out").read_bytes() == b"payload bytes"
    assert seen == {"url": "https://example.org/file.gz", "timeout": 60}
    with (
        pytest.raises(DownloadError, match="not http"),
        open(tmp_path / "x", "wb") as x,
    ):
        datasets._fetch("file:///etc/passwd", x)


# -------------------------------------------------------------- the real datasets


def _shared_data():
    env = os.environ.get("GLASSNET_DATA")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not (root / "mnist").is_dir():
        pytest.skip(f"no MNIST files in {root} (set GLASSNET_DATA)")
    return root


@pytest.mark.parametrize(
    ("loader", "folder", "source"),
    [(mnist, "mnist", "_MNIST"), (fashion_mnist, "fashion-mnist", "_FASHION")],
)
def test_real_files(loader, folder, source):
    root = _shared_data()
    sums = dict(
        reversed(line.split())
        for line in (root / folder / "SHA256SUMS").read_text().splitlines()
        if line.strip()
    )
    for name, digest in sums.items():
        assert hashlib.sha256((root / folder / name).read_bytes()).hexdigest() == digest
    assert getattr(datasets, source).sha256 == sums  # the download checks use these
    (X_train, y_train), (X_test, y_test) = loader(root / folder)
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert X_train.dtype == np.float32 and y_train.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert set(y_train.tolist()) == set(y_test.tolist()) == set(range(10))
    if folder == "mnist":  # the first training digits of MNIST are 5 0 4 1 9
        assert y_train[:5].tolist() == [5, 0, 4, 1, 9]
        assert np.bincount(y_test).tolist()[:2] == [980, 1135]
    else:  # Fashion-MNIST: 6000 training and 1000 test images per class
        assert np.bincount(y_train).tolist() == [6000] * 10
        assert np.bincount(y_test).tolist() == [1000] * 10


def test_a_gzip_idx_is_decompressed_no_further_than_its_header_says(tmp_path):
    # gzip.decompress used to expand the whole file first: a small .gz could
    # claim gigabytes before parse_idx looked at the header
    import tracemalloc

    path = tmp_path / "bomb-idx1-ubyte.gz"
    compressor = gzip.GzipFile(path, "wb")
    compressor.write(bytes([0, 0, 8, 1, 0, 0, 0, 100]) + bytes(100))
    for _ in range(64):  # 64 MiB of zeros past the 100 the header declares
        compressor.write(bytes(1 << 20))
    compressor.close()
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="IDX payload has trailing bytes"):
            datasets.read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20
    path.write_bytes(gzip.compress(bytes([0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0])))
    with pytest.raises(DataError, match="past the bound MAX_IDX_BYTES=1,073,741,824"):
        datasets.read_idx(path)
