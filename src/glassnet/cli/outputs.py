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


def save_or_recover(model, out: Path, checkpoint: Path | None, epochs: int) -> bool:
    """Save the trained model to ``out``; if that fails, keep it and say where.

    A full disk or a file that cannot be replaced (immutable, read-only) is
    found only after training. Then the work is kept: in the checkpoint, when
    it holds the same epochs; otherwise written beside ``out``, or in the
    temporary folder. Returns False after printing the one error line that says
    so (exit code 2 follows); True when ``out`` was written.
    """
    import tempfile

    from glassnet import serialization
    from glassnet.cli.common import fail

    try:
        serialization.save(model, out)
        return True
    except OSError as error:
        problem = f"--out: {error}"
    if checkpoint is not None:
        try:
            kept = serialization.read_header(checkpoint)["epoch"] == model.epoch
        except (OSError, ValueError):
            kept = False
        if kept:
            fail(
                f"{problem}; the trained model is in the checkpoint "
                f"{str(checkpoint)!r} ({model.epoch}/{epochs} epochs): copy it to "
                f"{out} when there is room"
            )
            return False
    places = []
    if out.parent.is_dir() and (not out.exists() or out.is_file()):
        places.append(out.with_name(f"{out.stem}.recovered{out.suffix or '.npz'}"))
    places.append(Path(tempfile.gettempdir()) / f"glassnet-recovered-{out.name}.npz")
    reasons = []
    for place in places:
        try:
            serialization.save(model, place)
        except OSError as error:
            reasons.append(str(error))
            continue
        fail(f"{problem}; the trained model was saved to {str(place)!r} instead")
        return False
    fail(f"{problem}; saving it elsewhere failed too ({'; '.join(reasons)})")
    return False
