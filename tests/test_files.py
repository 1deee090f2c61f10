"""Atomic writes (glassnet._files): the old file or the new one, never a mixture."""

from __future__ import annotations

import errno
import os
import re
import sys
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


# ----------------------------------------------------------------- symbolic links
# Atomic writes through symbolic links: the file the link names is replaced,
# the link stays a link to it.

_needs_symlinks = pytest.mark.skipif(
    sys.platform == "win32", reason="symbolic links need privileges on Windows"
)


def _temps(*folders):
    return sorted(name for f in folders for name in os.listdir(f) if ".tmp" in name)


@pytest.fixture
def two_folders(tmp_path):
    """A link in links/ to a file in data/ (separate folders, as on two disks)."""
    links, data = tmp_path / "links", tmp_path / "data"
    links.mkdir()
    data.mkdir()
    target = data / "model.npz"
    target.write_bytes(OLD)
    link = links / "latest.npz"
    link.symlink_to(target)
    return link, target


@_needs_symlinks
def test_a_link_to_a_file_elsewhere_updates_the_file_and_keeps_the_link(two_folders):
    link, target = two_folders
    atomic_write(link, lambda file: file.write(b"new"))
    assert link.is_symlink()  # the rename used to replace the link with a file
    assert os.readlink(link) == str(target)  # still names the same file
    assert target.read_bytes() == b"new"  # ... which now holds the new content
    assert link.read_bytes() == b"new"
    assert _temps(link.parent, target.parent) == []
    assert os.listdir(link.parent) == ["latest.npz"]


@_needs_symlinks
def test_the_temp_file_sits_beside_the_target_not_beside_the_link(two_folders):
    # os.replace cannot cross file systems: the temp must be in the target's folder
    link, target = two_folders
    seen = {}

    def write(file):
        seen["links"] = _temps(link.parent)
        seen["data"] = _temps(target.parent)
        file.write(b"new")

    atomic_write(link, write)
    assert seen["links"] == []
    assert len(seen["data"]) == 1
    assert _files.temp_pattern(target).fullmatch(seen["data"][0])


@_needs_symlinks
def test_a_relative_link_and_the_targets_permissions(tmp_path):
    (tmp_path / "sub").mkdir()
    target = tmp_path / "sub" / "preds.csv"
    target.write_bytes(OLD)
    target.chmod(0o600)
    link = tmp_path / "preds.csv"
    link.symlink_to(os.path.join("sub", "preds.csv"))  # relative to the link's folder
    atomic_write(link, lambda file: file.write(b"a,b\n"))
    assert os.readlink(link) == os.path.join("sub", "preds.csv")
    assert target.read_bytes() == b"a,b\n"
    assert target.stat().st_mode & 0o777 == 0o600  # the file's, not the link's


@_needs_symlinks
def test_a_chain_of_links_updates_the_last_file_and_keeps_every_link(tmp_path):
    for name in "abc":
        (tmp_path / name).mkdir()
    target = tmp_path / "c" / "file.bin"
    target.write_bytes(OLD)
    middle = tmp_path / "b" / "middle"
    middle.symlink_to(target)
    first = tmp_path / "a" / "first"
    first.symlink_to(middle)
    atomic_write(first, lambda file: file.write(b"new"))
    assert os.readlink(first) == str(middle)
    assert os.readlink(middle) == str(target)
    assert target.read_bytes() == b"new"
    assert _temps(*(tmp_path / name for name in "abc")) == []


@_needs_symlinks
def test_a_dangling_link_creates_the_file_it_names(tmp_path):
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "new.npz"
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    atomic_write(link, lambda file: file.write(b"new"))
    assert link.is_symlink()
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o644
    assert sorted(os.listdir(tmp_path)) == ["data", "link.npz"]


@_needs_symlinks
def test_a_dangling_link_into_a_missing_folder_names_link_target_and_folder(tmp_path):
    link = tmp_path / "link.npz"
    link.symlink_to(tmp_path / "gone" / "new.npz")
    gone = tmp_path / "gone"
    message = (
        f"cannot write '{link}' (a link to '{gone / 'new.npz'}'): "
        f"folder '{gone}' does not exist"
    )
    with pytest.raises(FileNotFoundError, match=re.escape(message)):
        atomic_write(link, lambda file: file.write(b"new"))
    assert link.is_symlink()
    assert os.listdir(tmp_path) == ["link.npz"]


@_needs_symlinks
def test_a_loop_of_links_is_refused_clearly(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(
        OSError, match=re.escape(f"cannot write '{a}'") + ".*loop"
    ) as caught:
        atomic_write(a, lambda file: file.write(b"new"))
    assert caught.value.errno == errno.ELOOP
    assert a.is_symlink() and b.is_symlink()


@_needs_symlinks
def test_a_link_to_a_folder_is_refused(tmp_path):
    (tmp_path / "folder").mkdir()
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "folder")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        atomic_write(link, lambda file: file.write(b"new"))
    assert link.is_symlink()


@_needs_symlinks
def test_a_write_that_fails_midway_through_a_link_leaves_the_target(two_folders):
    link, target = two_folders

    def half_then_fail(file):
        file.write(b"half of the new con")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        atomic_write(link, half_then_fail)
    assert target.read_bytes() == OLD
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert _temps(link.parent, target.parent) == []


@_needs_symlinks
def test_a_failing_rename_through_a_link_leaves_the_target(two_folders, monkeypatch):
    link, target = two_folders
    renames = []

    def no_rename(src, dst):
        renames.append(os.fspath(dst))
        raise OSError("rename refused")

    monkeypatch.setattr(_files.os, "replace", no_rename)
    with pytest.raises(OSError, match="rename refused"):
        atomic_write(link, lambda file: file.write(b"new"))
    assert renames == [str(target)]  # over the file, never over the link
    assert target.read_bytes() == OLD
    assert link.is_symlink()
    assert _temps(link.parent, target.parent) == []


@_needs_symlinks
def test_stale_temps_of_the_target_are_removed_beside_it(two_folders):
    link, target = two_folders
    leftover = target.parent / ".model.npz.deadbeef.tmp"  # a killed earlier write
    leftover.write_bytes(b"half")
    os.utime(leftover, (0, 0))
    atomic_write(link, lambda file: file.write(b"new"))
    assert os.listdir(target.parent) == ["model.npz"]


@_needs_symlinks
@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_a_descriptor_link_is_written_through_not_replaced(tmp_path):
    # "--out /dev/stdout > preds.csv": /dev/stdout -> /proc/self/fd/1 -> preds.csv.
    # Written through the descriptor, as a pipe is, not replaced by its name.
    target = tmp_path / "preds.csv"
    with open(target, "wb") as stdout:
        inode = os.fstat(stdout.fileno()).st_ino
        atomic_write(f"/proc/self/fd/{stdout.fileno()}", lambda f: f.write(b"x,y\n"))
    assert target.read_bytes() == b"x,y\n"
    assert target.stat().st_ino == inode  # the same file, not a new one
    assert os.listdir(tmp_path) == ["preds.csv"]


@_needs_symlinks
def test_a_model_saved_through_a_link_loads_from_both_names(two_folders):
    import glassnet as gn

    link, target = two_folders
    model = gn.Sequential([gn.Dense(2, 1)], seed=0)
    model.save(link)
    assert link.is_symlink()
    expected = model.layers[0].params["W"]
    for name in (link, target):
        np.testing.assert_array_equal(gn.load(name).layers[0].params["W"], expected)
