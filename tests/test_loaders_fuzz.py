"""Property tests: random bytes or CSV text give data or a DataError, never a crash."""

import gzip
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from glassnet.data import read_csv  # noqa: E402
from glassnet.datasets import parse_idx, read_idx  # noqa: E402
from glassnet.errors import DataError  # noqa: E402

FAST = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
WORKDIR = Path(tempfile.mkdtemp(prefix="glassnet-fuzz-"))


def idx_header(code, shape):
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


@FAST
@given(st.binary(max_size=64))
def test_parse_idx_random_bytes(data):
    try:
        array = parse_idx(data)
    except DataError as error:
        assert str(error).startswith("<bytes>: ")
    else:
        assert isinstance(array, np.ndarray)


@FAST
@given(
    st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]),
    st.lists(st.integers(0, 4), min_size=1, max_size=3),
    st.integers(-3, 3),
)
def test_parse_idx_accepts_exactly_the_right_length(code, shape, extra):
    itemsize = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}[code]
    size = int(np.prod(shape)) * itemsize + extra
    data = idx_header(code, shape) + bytes(max(size, 0))
    if extra == 0 or size < 0 and int(np.prod(shape)) == 0:
        assert parse_idx(data).shape == tuple(shape)
    else:
        with pytest.raises(DataError, match="IDX payload"):
            parse_idx(data)


@FAST
@given(st.binary(max_size=200), st.booleans())
def test_read_idx_random_files(data, looks_gzipped):
    path = WORKDIR / "random.idx"
    path.write_bytes((b"\x1f\x8b" + data) if looks_gzipped else data)
    try:
        read_idx(path)
    except DataError as error:
        assert str(path) in str(error)


@FAST
@given(st.binary(min_size=1, max_size=40), st.integers(0, 200))
def test_read_idx_damaged_gzip(noise, where):
    # A valid gzip IDX file with bytes overwritten or cut: data or DataError.
    good = gzip.compress(idx_header(0x08, [50]) + bytes(range(50)))
    at = where % len(good)
    damaged = good[:at] + noise + good[at + len(noise) :]
    path = WORKDIR / "damaged.gz"
    for payload in (damaged, good[:at]):
        path.write_bytes(payload)
        try:
            read_idx(path)
        except DataError:
            pass


CSV_ALPHABET = st.sampled_from(
    list("0123456789.-+e,;\n\r\"' ab") + ["nan", "inf", "y", "\t", "\x00", "é", ",,"]
)


@FAST
@given(st.lists(CSV_ALPHABET, max_size=60).map("".join), st.sampled_from([None, "y"]))
def test_read_csv_random_text(text, target):
    path = WORKDIR / "random.csv"
    path.write_text(text, encoding="utf-8", newline="")
    try:
        table = read_csv(path, target=target)
    except DataError as error:
        assert str(error).startswith(str(path))
    else:
        assert table.X.ndim == 2 and np.isfinite(table.X).all()
        assert table.X.shape == (table.n_samples, len(table.feature_names))


@FAST
@given(st.binary(max_size=120))
def test_read_csv_random_bytes(data):
    path = WORKDIR / "bytes.csv"
    path.write_bytes(data)
    try:
        read_csv(path, target="y")
    except DataError as error:
        assert str(error).startswith(str(path))


@FAST
@given(
    st.integers(1, 4).flatmap(
        lambda width: st.lists(
            st.lists(
                st.floats(allow_nan=False, allow_infinity=False, width=64),
                min_size=width,
                max_size=width,
            ),
            min_size=1,
            max_size=5,
        )
    )
)
def test_read_csv_round_trips_finite_numbers(rows):
    names = [f"x{j}" for j in range(len(rows[0]))]
    lines = [",".join(names)] + [",".join(repr(v) for v in row) for row in rows]
    path = WORKDIR / "numbers.csv"
    path.write_text("\n".join(lines) + "\n")
    table = read_csv(path)
    assert table.X.tolist() == rows


# ------------------------------------------------ model files and the CLI (issue 14)
#
# A valid model file, edited at random: its JSON header (a value anywhere in the
# tree replaced, a key dropped or added) and its members (dropped, replaced by
# bytes, by arrays of another shape or dtype, by a pickled array, by an .npy
# header that claims gigabytes; an extra member added). Loading must give the
# same predictions or raise ModelFileError, within bounded time and memory; the
# commands that read a model must answer with exit code 0 or one line and 2.

import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import zipfile  # noqa: E402

import glassnet as gn  # noqa: E402
from glassnet.errors import GlassnetError, ModelFileError  # noqa: E402

PEAK_BYTES = 64 << 20  # what one load of a small model file may allocate
DEEP = "<deep>"  # in an edited header: replaced by lists nested thousands deep
SECONDS = 2.0  # and how long it may take

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["relu", "Dense", "float64", "glassnet-model", "adam", DEEP])
    | st.sampled_from([[], {}, 0, -1, 20000, 2**31]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _cli(*argv) -> tuple[int, str]:
    from glassnet import cli

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, err.getvalue()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A model trained by ``glassnet train``: its file, its CSV, its predictions."""
    folder = tmp_path_factory.mktemp("model-fuzz")
    rng = np.random.default_rng(0)
    rows = "".join(
        f"{a:.3f},{b:.3f},{'yes' if a + b > 0 else 'no'}\n"
        for a, b in rng.normal(size=(24, 2))
    )
    (folder / "data.csv").write_text("a,b,label\n" + rows)
    code, err = _cli(
        "train", folder / "data.csv", "--target", "label", "--hidden", "4",
        "--epochs", "2", "--seed", "0", "--quiet", "--out", folder / "model.npz",
    )  # fmt: skip
    assert code == 0, err
    model = gn.load(folder / "model.npz")
    X = read_csv(folder / "data.csv", "label").X
    return folder, (folder / "model.npz").read_bytes(), X, model.predict_proba(X)


def _members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _kind(data: bytes | None):
    """An .npy member's (shape, dtype) from its header alone (None if unreadable)."""
    if data is None:
        return None
    stream = io.BytesIO(data)
    try:
        np.lib.format.read_magic(stream)
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    except ValueError:
        return None
    return shape, dtype


def _paths(value, prefix=()):
    """Every path into a JSON tree: (key, index, ...) tuples."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


# Entries whose valid values change what the model computes: an edit there may
# load as another working model, so only "it predicts" is asserted, not "the same".
MEANING = ("layers", "preprocessing", "classes", "input_shape", "dtype")


def _load_bounded(path: Path):
    """``gn.load(path)`` under tracemalloc: (model or the error, peak, seconds)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        model = gn.load(path)
    except Exception as error:  # judged by the caller
        model = error
    finally:
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return model, peak, seconds


def _check_loaded(path: Path, trained, exact: bool) -> None:
    folder, _, X, expected = trained
    model, peak, seconds = _load_bounded(path)
    assert peak < PEAK_BYTES and seconds < SECONDS, (peak, seconds)
    if isinstance(model, Exception):
        assert isinstance(model, ModelFileError), repr(model)
        assert path.name in str(model)
    elif exact:
        np.testing.assert_array_equal(model.predict_proba(X), expected)
    else:  # another valid model, or one that refuses this data in a clear way
        with contextlib.suppress(ValueError, TypeError, GlassnetError):
            model.predict_proba(X)
    for command in (
        ["summary", path],
        ["predict", path, folder / "data.csv"],
        ["evaluate", path, folder / "data.csv"],
    ):
        code, err = _cli(*command)
        assert code in (0, 2), (command, err)
        if code == 2:
            assert err.startswith("glassnet: error: ") and err.count("\n") == 1, err


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_a_model_files_header_edited_at_random(trained, draw):
    _, content, _, _ = trained
    members = _members(content)
    header = json.loads(np.load(io.BytesIO(members["__header__.npy"])).tobytes())
    paths = list(_paths(header))[1:]
    edited = []
    for _ in range(draw.draw(st.integers(1, 3), label="edits")):
        # a top-level entry first, then anywhere below it: each entry as likely
        key = draw.draw(st.sampled_from(sorted({p[0] for p in paths})), label="entry")
        below = [path for path in paths if path[0] == key]
        path = draw.draw(st.sampled_from(below), label="path")
        edited.append(path[0])
        parent = header
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw.draw(st.sampled_from(["replace", "delete", "add"]))
            if action == "replace":
                parent[path[-1]] = draw.draw(JSON_VALUES, label="value")
            elif action == "delete" and isinstance(parent, dict):
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent[draw.draw(st.text(max_size=6))] = draw.draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path
    depth = draw.draw(st.sampled_from([40, 5000]), label="depth")
    text = json.dumps(header).replace(f'"{DEEP}"', "[" * depth + "]" * depth)
    members["__header__.npy"] = _npy(np.frombuffer(text.encode(), np.uint8))
    target = WORKDIR / "edited-header.npz"
    target.write_bytes(_zip(members))
    exact = not any(key in MEANING for key in edited)
    _check_loaded(target, trained, exact)


MEMBER_EDITS = st.one_of(
    st.just(("drop", None)),
    st.binary(max_size=64).map(lambda data: ("bytes", data)),
    st.tuples(
        st.sampled_from(["<f4", "<f8", "<i8", "|u1", ">f4", "<c16"]),
        st.lists(st.integers(0, 7), max_size=3),
    ).map(lambda spec: ("array", spec)),
    st.just(("pickle", None)),
    st.integers(2**26, 2**40).map(lambda size: ("claims", size)),
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_a_model_files_members_edited_at_random(trained, draw):
    _, content, _, _ = trained
    members = _members(content)
    names = sorted(members)
    for _ in range(draw.draw(st.integers(1, 3), label="edits")):
        name = draw.draw(st.sampled_from([*names, "extra.npy"]), label="member")
        kind, value = draw.draw(MEMBER_EDITS, label="edit")
        if kind == "drop":
            members.pop(name, None)
        elif kind == "bytes":
            members[name] = value
        elif kind == "array":
            descr, shape = value
            array = np.ones(shape, np.dtype(descr))
            if name != "__header__.npy" and _kind(members.get(name)) == (
                array.shape,
                array.dtype,
            ):
                continue  # the same kind of array: a valid file, other weights
            members[name] = _npy(array)
        elif kind == "pickle":
            members[name] = _npy(np.array([{"a": 1}], dtype=object))
        else:  # an .npy header claiming `value` floats, and no data
            header = io.BytesIO()
            np.lib.format.write_array_header_1_0(
                header, {"descr": "<f4", "fortran_order": False, "shape": (value,)}
            )
            members[name] = header.getvalue()
    target = WORKDIR / "edited-members.npz"
    target.write_bytes(_zip(members))
    # no edit makes another valid model: a load must predict exactly the same
    _check_loaded(target, trained, exact=True)


# CSV bytes: a valid file edited at random, through read_csv and glassnet train.

GOOD_CSV = b"a,b,label\n0.5,1,yes\n-1,2,no\n1.5,-0.5,yes\n-2,0.25,no\n3,1,yes\n"
CSV_PIECES = st.sampled_from(
    [
        b",",
        b";",
        b"\n",
        b"\r\n",
        b'"',
        b"\x00",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\x1f\x8b",
        b"1e39",
        b"1e200",
        b"1e400",
        b"nan",
        b"-inf",
        b"99999999999999999999",
        b"label",
        b" ",
        b"",
        b"\xe9",
        b"1" * 30,
    ]
) | st.binary(max_size=4)


@st.composite
def edited_csv(draw) -> bytes:
    data = GOOD_CSV
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        cut = draw(st.integers(0, 3))
        data = data[:at] + draw(CSV_PIECES) + data[at + cut :]
    return data


@FAST
@given(edited_csv())
def test_read_csv_on_a_valid_file_edited_at_random(data):
    path = WORKDIR / "edited.csv"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        table = read_csv(path, target="label")
    except DataError as error:
        assert str(error).startswith(str(path))
    else:
        assert np.isfinite(table.X).all() and len(table.y) == table.n_samples
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 8 << 20


@settings(max_examples=25, deadline=None)
@given(edited_csv())
@example(GOOD_CSV.replace(b"0.5,1,", b"1e200,1,"))  # an infinite scale was saved
@example(GOOD_CSV.replace(b"0.5,1,", b"1e39,1,"))
@example(GOOD_CSV.replace(b"a,b,", b"a;b,"))
def test_glassnet_train_on_a_valid_file_edited_at_random(data):
    # in-process (a subprocess each would take seconds): exit 0 with a model
    # that predicts its own file, or exit 2 with one line; never a traceback
    path = WORKDIR / "train.csv"
    path.write_bytes(data)
    out = WORKDIR / "train.npz"
    out.unlink(missing_ok=True)
    code, err = _cli(
        "train", path, "--target", "label", "--hidden", "3", "--epochs", "1",
        "--seed", "0", "--quiet", "--validation-split", "0", "--out", out,
    )  # fmt: skip
    assert code in (0, 2), err
    if code == 2:
        assert err.startswith("glassnet: error: ") and err.count("\n") == 1, err
        assert not out.exists()
    else:
        code, err = _cli("predict", out, path)
        assert code == 0, err
