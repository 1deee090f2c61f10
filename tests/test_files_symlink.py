"""Atomic writes through symbolic links: the file the link names is replaced,
the link stays a link to it (glassnet._files.atomic_write)."""

from __future__ import annotations

import errno
import os
import re
import sys

import numpy as np
import pytest

from glassnet import _files
from glassnet._files import atomic_write

OLD = b"the old content, which must survive byte for byte"

pytestmark = pytest.mark.skipif(
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


def test_a_link_to_a_file_elsewhere_updates_the_file_and_keeps_the_link(two_folders):
    link, target = two_folders
    atomic_write(link, lambda file: file.write(b"new"))
    assert link.is_symlink()  # the rename used to replace the link with a file
    assert os.readlink(link) == str(target)  # still names the same file
    assert target.read_bytes() == b"new"  # ... which now holds the new content
    assert link.read_bytes() == b"new"
    assert _temps(link.parent, target.parent) == []
    assert os.listdir(link.parent) == ["latest.npz"]


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


def test_a_link_to_a_folder_is_refused(tmp_path):
    (tmp_path / "folder").mkdir()
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "folder")
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        atomic_write(link, lambda file: file.write(b"new"))
    assert link.is_symlink()


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


def test_stale_temps_of_the_target_are_removed_beside_it(two_folders):
    link, target = two_folders
    leftover = target.parent / ".model.npz.deadbeef.tmp"  # a killed earlier write
    leftover.write_bytes(b"half")
    os.utime(leftover, (0, 0))
    atomic_write(link, lambda file: file.write(b"new"))
    assert os.listdir(target.parent) == ["model.npz"]


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


def test_a_model_saved_through_a_link_loads_from_both_names(two_folders):
    import glassnet as gn

    link, target = two_folders
    model = gn.Sequential([gn.Dense(2, 1)], seed=0)
    model.save(link)
    assert link.is_symlink()
    expected = model.layers[0].params["W"]
    for name in (link, target):
        np.testing.assert_array_equal(gn.load(name).layers[0].params["W"], expected)


def test_predict_out_through_a_link_updates_the_linked_file(
    tmp_path, monkeypatch, capsys
):
    from glassnet import cli

    monkeypatch.chdir(tmp_path)
    rows = ["x1,x2,label"] + [f"{i % 3},{i % 2},{i % 2}" for i in range(8)]
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    train = ["train", "data.csv", "--target", "label", "--hidden", "2"]
    assert cli.main([*train, "--epochs", "1", "--quiet", "--out", "m.npz"]) == 0
    (tmp_path / "kept").mkdir()
    target = tmp_path / "kept" / "preds.csv"
    target.write_bytes(OLD)
    (tmp_path / "preds.csv").symlink_to(target)
    assert cli.main(["predict", "m.npz", "data.csv", "--out", "preds.csv"]) == 0
    capsys.readouterr()
    assert (tmp_path / "preds.csv").is_symlink()
    assert target.read_text().startswith("prediction\n")
    assert len(target.read_text().splitlines()) == 9
