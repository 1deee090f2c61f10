"""Atomic writes (glassnet._files): the old file or the new one, never a mixture."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from glassnet import _files, serialization
from glassnet._files import atomic_write, remove_stale_temps, temp_pattern

OLD = b"the old content, which must survive byte for byte"


def _leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_temp(tmp_path):
    path = tmp_path / "preds.csv"
    path.write_bytes(OLD)

    def half_then_fail(file):
        file.write(b"half of the new con")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        atomic_write(path, half_then_fail)
    assert path.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_a_failing_rename_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    path.write_bytes(OLD)

    def no_rename(src, dst):
        raise OSError("rename refused")

    monkeypatch.setattr(_files.os, "replace", no_rename)
    with pytest.raises(OSError, match="rename refused"):
        atomic_write(path, lambda file: file.write(b"new"))
    assert path.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_a_write_replaces_the_file_and_keeps_its_permissions(tmp_path):
    path = tmp_path / "note.txt"
    path.write_bytes(OLD)
    path.chmod(0o600)
    atomic_write(path, lambda file: file.write(b"new"))
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o777 == 0o600
    assert os.listdir(tmp_path) == ["note.txt"]


def test_write_may_read_back_what_it_wrote(tmp_path):
    # datasets' downloads check the SHA-256 of the temporary file before keeping it
    def write_and_check(file):
        file.write(b"abc")
        file.seek(0)
        assert file.read() == b"abc"

    atomic_write(tmp_path / "x", write_and_check)
    assert (tmp_path / "x").read_bytes() == b"abc"


def test_a_file_name_near_the_length_limit_can_be_written(tmp_path):
    # ".<name>.<random>.tmp" is 14 bytes longer than the name: a 250-byte name
    # used to fail with "File name too long" (after a whole training run)
    path = tmp_path / ("é" * 120 + ".npz")  # 244 bytes in UTF-8
    atomic_write(path, lambda file: file.write(b"ok"))
    assert path.read_bytes() == b"ok"
    assert os.listdir(tmp_path) == [path.name]


def test_a_stale_temp_of_a_long_name_is_removed(tmp_path, monkeypatch):
    path = tmp_path / ("x" * 250)
    with monkeypatch.context() as patch:  # a writer killed before its cleanup
        patch.setattr(_files.os, "unlink", lambda name: None)
        with pytest.raises(RuntimeError):
            atomic_write(path, lambda file: (_ for _ in ()).throw(RuntimeError))
    (leftover,) = os.listdir(tmp_path)
    assert temp_pattern(path).fullmatch(leftover)
    os.utime(tmp_path / leftover, (0, 0))
    atomic_write(path, lambda file: file.write(b"ok"))
    assert os.listdir(tmp_path) == [path.name]


def test_a_device_or_pipe_is_written_into_not_replaced(tmp_path):
    # "--out /dev/null" replaced /dev/null itself with a regular file (as root)
    import stat

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    try:
        atomic_write(pipe, lambda file: file.write(b"streamed"))
        assert stat.S_ISFIFO(os.stat(pipe).st_mode)
        assert os.read(reader, 100) == b"streamed"
    finally:
        os.close(reader)
    assert os.listdir(tmp_path) == ["pipe"]


def test_a_model_saved_into_a_pipe_loads_back(tmp_path):
    # np.savez needs a file that seeks: /dev/null "seeks" but always tells 0
    import glassnet as gn

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    model = gn.Sequential([gn.Dense(2, 1)], seed=0)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    try:
        serialization.save(model, pipe)
        (tmp_path / "copy.npz").write_bytes(os.read(reader, 1 << 16))
    finally:
        os.close(reader)
    copy = gn.load(tmp_path / "copy.npz")
    assert (copy.layers[0].params["W"] == model.layers[0].params["W"]).all()


def test_temp_pattern_matches_only_the_targets_own_temp_files():
    pattern = temp_pattern("/some/folder/model.npz")
    assert pattern.fullmatch(".model.npz.ab_d1234.tmp")
    for other in [
        ".model.npz.abcd123.tmp",  # 7 random characters, not mkstemp's 8
        ".model.npz.abcd12345.tmp",
        ".model.npz.x.abcd1234.tmp",  # the temp file of 'model.npz.x'
        ".model.npzXabcd1234.tmp",  # the dot is literal
        "model.npz.abcd1234.tmp",
        ".other.npz.abcd1234.tmp",
        ".model.npz.abcd1234.tmp.keep",
    ]:
        assert not pattern.fullmatch(other), other


def test_stale_temps_of_the_same_target_are_removed_and_nothing_else(tmp_path):
    long_ago = time.time() - 3600
    names = {
        "stale": ".checkpoint.npz.k3j_x9q2.tmp",
        "fresh": ".checkpoint.npz.aaaa1111.tmp",  # perhaps a live writer: kept
        "other target": ".model.npz.k3j_x9q2.tmp",
        "user file": "checkpoint.npz.k3j_x9q2.tmp",
        "longer name": ".checkpoint.npz.k3j_x9q2.tmp.bak",
    }
    for key, name in names.items():
        (tmp_path / name).write_bytes(b"x")
        if key != "fresh":
            os.utime(tmp_path / name, (long_ago, long_ago))
    (tmp_path / "elsewhere").mkdir()
    link = tmp_path / ".checkpoint.npz.linkxxxx.tmp"  # a symlink is never followed
    link.symlink_to(tmp_path / "elsewhere")
    os.utime(link, (long_ago, long_ago), follow_symlinks=False)

    removed = remove_stale_temps(tmp_path / "checkpoint.npz")
    assert [p.name for p in removed] == [names["stale"]]
    left = set(os.listdir(tmp_path))
    assert names["stale"] not in left
    assert {n for k, n in names.items() if k != "stale"} <= left
    assert link.is_symlink()


def test_saving_removes_a_stale_temp_left_by_a_killed_save(tmp_path):
    import glassnet as gn

    path = tmp_path / "checkpoint.npz"
    leftover = tmp_path / ".checkpoint.npz.deadbeef.tmp"  # what kill -9 leaves
    leftover.write_bytes(b"half a checkpoint")
    os.utime(leftover, (0, 0))
    model = gn.Sequential([gn.Dense(2, 1)], seed=0)
    model.save(path)
    assert os.listdir(tmp_path) == ["checkpoint.npz"]
    assert np.array_equal(
        gn.load(path).layers[0].params["W"], model.layers[0].params["W"]
    )


def test_serialization_re_exports_the_one_helper():
    assert serialization.atomic_write is atomic_write


def test_plot_loss_writes_atomically(tmp_path):
    pytest.importorskip("matplotlib")
    from glassnet.plotting import plot_loss

    path = tmp_path / "loss.png"
    plot_loss([1.0, 0.5, 0.25], path)
    assert path.read_bytes()[:4] == b"\x89PNG"
    old = path.read_bytes()
    bad = tmp_path / "loss.nosuchformat"
    bad.write_bytes(OLD)
    with pytest.raises(ValueError, match="nosuchformat"):
        plot_loss([1.0, 0.5], bad)  # matplotlib refuses the format mid-write
    assert bad.read_bytes() == OLD
    assert path.read_bytes() == old
    assert _leftovers(tmp_path) == []
