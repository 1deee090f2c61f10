"""Atomic file writes: every file glassnet writes for a user goes through here.

:func:`atomic_write` writes a temporary file ``.<name>.<random>.tmp`` in the
destination's own folder, flushes and fsyncs it, renames it over the destination
with :func:`os.replace` and fsyncs the folder. A crash, a full disk or ``kill -9``
at any moment leaves either the old file or the complete new one, never a mixture;
at worst a stray temporary file, which the next write of the same destination
removes once it is old enough to belong to no live writer.

A destination that is a symbolic link is followed: the file it points to is
replaced (its temporary file sits in that file's folder, so the rename stays on one
file system) and the link itself is left as it was.

Used by model files (:mod:`glassnet.serialization`), downloads
(:mod:`glassnet.datasets`), ``glassnet predict --out`` (:mod:`glassnet.cli`) and
pictures (:mod:`glassnet.plotting`). A leaf module: it imports nothing from glassnet.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["STALE_AFTER_S", "atomic_write", "remove_stale_temps", "temp_pattern"]

#: A temporary file untouched for this long belongs to a writer that died: every
#: live write refreshes its file's mtime far more often than this.
STALE_AFTER_S = 30.0

_SUFFIX = ".tmp"
# What tempfile.mkstemp puts between prefix and suffix: 8 characters, never a dot.
_RANDOM = r"[a-z0-9_]{8}"


# The name part of a temporary file is cut to this many UTF-8 bytes, so that
# ".<name>.<random>.tmp" fits the usual 255-byte limit whenever the name does.
_NAME_BYTES = 200


def _temp_prefix(path: str | os.PathLike) -> str:
    """``.<name>.``, the name cut (on a character boundary) to fit with the rest."""
    name = Path(path).name
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) > _NAME_BYTES:
        name = raw[:_NAME_BYTES].decode("utf-8", "ignore")
    return f".{name}."


def temp_pattern(path: str | os.PathLike) -> re.Pattern[str]:
    """The names of ``path``'s temporary files: ``.<name>.<8 random chars>.tmp``.

    A name longer than 200 bytes appears cut to its first 200 bytes.
    """
    return re.compile(re.escape(_temp_prefix(path)) + _RANDOM + re.escape(_SUFFIX))


def remove_stale_temps(
    path: str | os.PathLike, *, older_than: float = STALE_AFTER_S
) -> list[Path]:
    """Delete temporary files of ``path`` left by writers that were killed.

    Only regular files whose names match :func:`temp_pattern` exactly and whose
    last change is more than ``older_than`` seconds ago are removed, so a write
    in progress in another process is never disturbed. Files that vanish or
    cannot be removed meanwhile are skipped silently.

    Returns
    -------
    list of Path
        The files removed.

    Example
    -------
    >>> import os, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> leftover = folder / ".model.npz.abcd1234.tmp"
    >>> _ = leftover.write_bytes(b"half a model")
    >>> os.utime(leftover, (0, 0))  # as if written long ago
    >>> [p.name for p in remove_stale_temps(folder / "model.npz")]
    ['.model.npz.abcd1234.tmp']
    """
    path = Path(path)
    pattern = temp_pattern(path)
    deadline = time.time() - older_than
    removed = []
    try:
        names = os.listdir(path.parent)
    except OSError:
        return removed
    for name in names:
        if not pattern.fullmatch(name):
            continue
        candidate = path.parent / name
        with contextlib.suppress(OSError):
            info = os.lstat(candidate)
            if stat.S_ISREG(info.st_mode) and info.st_mtime < deadline:
                os.unlink(candidate)
                removed.append(candidate)
    return removed


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then swap it in.

    The temporary file (opened ``"w+b"``, so ``write`` may read back what it
    wrote) is flushed and fsynced, renamed over ``path`` with :func:`os.replace`
    (atomic on POSIX and Windows) and the folder is fsynced, so ``path`` holds
    either its old content or the complete new one, whatever happens. If
    ``write`` raises, the temporary file is removed, ``path`` is untouched and
    the exception propagates. A file that replaces another keeps its
    permissions; a new one gets ``rw-r--r--``. Stale temporary files of the
    same ``path`` (see :func:`remove_stale_temps`) are removed first. A device
    or a pipe (``/dev/null``, ``/dev/stdout``) is written into directly.

    A symbolic link (or a chain of them) is followed: the file it finally names
    is replaced, with its temporary file in that file's folder, and the link
    stays a link to it. A dangling link creates the file it names.

    Parameters
    ----------
    path : str or os.PathLike
        The file to create or replace.
    write : callable
        Writes the whole content to the binary file it is given.

    Raises
    ------
    IsADirectoryError, FileNotFoundError, PermissionError
        When ``path`` is a folder, its folder does not exist or is not writable
        (for a link: the folder of the file it names).
    OSError
        When ``path`` is a symbolic link in a loop of links (``errno.ELOOP``).

    Example
    -------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "note.txt"
    >>> atomic_write(path, lambda file: file.write(b"hello"))
    >>> path.read_bytes()
    b'hello'
    """
    path = Path(path)
    shown = repr(str(path))
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {shown}: it is a folder")
    if path.exists() and (not path.is_file() or _is_stream_link(path)):
        # A device or a pipe (/dev/null, /dev/stdout, a FIFO): renaming over it
        # would replace the device itself; write into it instead. Built in
        # memory first: zip writers need a file that seeks and tells truly.
        buffer = io.BytesIO()
        write(buffer)
        try:
            with open(path, "wb") as file:
                file.write(buffer.getvalue())
        except OSError as error:  # /dev/full: ENOSPC
            if error.errno not in _WRITE_ERRORS:
                raise
            raise _naming(error, shown) from None
        return
    if os.path.islink(path):
        # Renaming over a link would replace the link, leaving the file it points
        # to stale: replace that file, in its own folder, and keep the link.
        target = link_target(path)
        shown = f"{shown} (a link to {str(target)!r})"
        path = target
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(
            f"cannot write {shown}: folder {str(folder)!r} does not exist"
        )
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    remove_stale_temps(path)
    try:
        fd, temp_name = tempfile.mkstemp(
            prefix=_temp_prefix(path), suffix=_SUFFIX, dir=folder
        )
    except PermissionError:
        raise PermissionError(
            f"cannot write {shown}: folder {str(folder)!r} is not writable"
        ) from None
    try:
        with os.fdopen(fd, "w+b") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException as error:
        # Whatever went wrong (disk full, Ctrl-C), the old file is untouched.
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(error, OSError) and error.errno in _WRITE_ERRORS:
            raise _naming(error, shown) from None
        raise
    _fsync_folder(folder)


# What writing a file can meet (a full disk, a quota, ulimit -f, a read-only or
# immutable target), as opposed to errors of the data source a write callback
# reads from (a reset connection), which keep their own words.
_WRITE_ERRORS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EFBIG,
    errno.EIO,
    errno.EROFS,
    errno.EPERM,
    errno.EACCES,
}


def _naming(error: OSError, shown: str) -> OSError:
    """``error`` as the same OSError type, saying which file could not be written.

    A full disk says only "[Errno 28] No space left on device", and a failed
    rename names the temporary file; the user needs the file they asked for.
    """
    reason = error.strerror or str(error)
    named = type(error)(f"cannot write {shown}: {reason}")
    named.errno = error.errno  # (with strerror set too, str() would drop the name)
    return named


def link_target(link: Path) -> Path:
    """The file that the symbolic link ``link`` finally names (it may not exist)."""
    target = Path(os.path.realpath(link))
    if os.path.islink(target):  # realpath stops inside a loop of links
        raise OSError(
            errno.ELOOP,
            f"cannot write {str(link)!r}: its symbolic links form a loop "
            f"(through {str(target)!r})",
        )
    return target


# A process's open files, as /dev/stdout and /dev/fd/N name them (Linux, BSD).
_FD_FOLDER = re.compile(r"/proc/(?:self|thread-self|\d+)(?:/task/\d+)?/fd|/dev/fd")


def _is_stream_link(path: Path) -> bool:
    """Whether ``path`` reaches its file through an open descriptor (/dev/stdout).

    ``--out /dev/stdout > preds.csv`` means "write into my standard output": the
    file is written through the descriptor, never replaced by its name (realpath
    would name the file, or a "pipe:[…]" that does not exist).
    """
    hop = os.fspath(path)
    for _ in range(40):  # the kernel's own limit on links in a row
        if not os.path.islink(hop):
            return False
        folder = os.path.realpath(os.path.dirname(hop) or ".")
        if _FD_FOLDER.fullmatch(folder):
            return True
        try:
            hop = os.path.join(os.path.dirname(hop), os.readlink(hop))
        except OSError:
            return False
    return False


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders can't be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)
