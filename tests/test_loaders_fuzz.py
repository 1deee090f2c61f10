"""Property tests: random bytes or CSV text give data or a DataError, never a crash."""

import gzip
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
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
