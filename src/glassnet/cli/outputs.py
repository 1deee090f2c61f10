"""The files a command writes: checked before any work, kept apart from status lines.

``train --out``/``--checkpoint`` and ``predict --out`` are refused up front when
they cannot be written or would overwrite one of the command's own inputs, so a
long run never fails at its last step.
"""

from __future__ import annotations

import sys
from pathlib import Path


def check_writable(path: Path, flag: str) -> None:
    """Fail before training, not after, when ``path`` cannot be written."""
    import os
    import tempfile

    if path.is_dir():
        raise ValueError(f"{flag} {path}: is a folder; give a file name")
    if path.exists() and not path.is_file():  # /dev/null, a pipe: written into
        if not os.access(path, os.W_OK):
            raise ValueError(f"{flag} {path}: cannot be written")
        return
    folder = path.parent
    if path.is_symlink():  # written through to the file it names (atomic_write)
        from glassnet._files import link_target

        try:
            folder = link_target(path).parent
        except OSError:  # the links form a loop
            raise ValueError(f"{flag} {path}: its symbolic links form a loop") from None
    if not folder.is_dir():
        raise ValueError(f"{flag} {path}: folder {str(folder)!r} does not exist")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError:
        raise ValueError(
            f"{flag} {path}: cannot write in folder {str(folder)!r}"
        ) from None


def check_not_an_input(path: Path, flag: str, inputs: dict[str, str]) -> None:
    """Refuse an output that is one of the command's own input files."""
    import os

    for role, name in inputs.items():
        try:
            same = os.path.samefile(path, name)
        except OSError:  # one of them does not exist (or is mnist): not the same
            continue
        if same:
            raise ValueError(
                f"{flag} {path}: is the input file ({role}); writing there would "
                "destroy it. Give another file name"
            )


def status_stream(out: str):
    """Where train's status lines go: stdout, unless ``--out`` *is* stdout.

    ``glassnet train ... --out /dev/stdout > model.npz`` (or ``| ...``) sends the
    model through standard output, so a status line there would corrupt it: those
    lines then go to stderr, with the progress bar.
    """
    import os

    try:
        here, there = os.stat(out), os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no such file, or no real stdout
        return sys.stdout
    same = (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)
    return sys.stderr if same else sys.stdout
