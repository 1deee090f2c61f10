"""``glassnet example``: write the example CSV files the README and --help use.

``people.csv`` is the article's four people (name, weight in lb, height in
inches, gender). ``flowers.csv``, ``flowers-test.csv`` and ``new-flowers.csv``
are R. A. Fisher's iris measurements (1936, public domain): every fifth flower
goes to the test file (10 per species), ``new-flowers.csv`` is the test file
without its ``species`` column, and the other 120 train.
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

from glassnet.cli.common import EXIT_OK, fail, subcommand

FILES = ("people.csv", "flowers.csv", "flowers-test.csv", "new-flowers.csv")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subcommand(
        subparsers,
        "example",
        summary="write the example CSV files (people.csv, flowers.csv, ...)",
        description=(
            "Write the files the README and --help examples use into --dir: "
            "people.csv (the article's four people) and flowers.csv, "
            "flowers-test.csv and new-flowers.csv (Fisher's iris data, split "
            "120/30). Existing files are left as they are unless --force."
        ),
        examples=[
            "glassnet example",
            "glassnet example --dir data && glassnet train data/flowers.csv "
            "--target species",
        ],
    )
    parser.add_argument(
        "--dir", default=".", metavar="DIR", help="where to write them (default: .)"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace files that already exist"
    )
    parser.set_defaults(run=run)


def contents() -> dict[str, str]:
    """The text of each example file."""
    folder = resources.files("glassnet") / "examples"
    people = (folder / "people.csv").read_text(encoding="utf-8")
    header, *rows = (folder / "iris.csv").read_text(encoding="utf-8").splitlines()
    test = rows[4::5]
    train = [row for i, row in enumerate(rows) if i % 5 != 4]
    unlabelled = [",".join(line.split(",")[:-1]) for line in [header, *test]]
    return {
        "people.csv": people,
        "flowers.csv": "\n".join([header, *train]) + "\n",
        "flowers-test.csv": "\n".join([header, *test]) + "\n",
        "new-flowers.csv": "\n".join(unlabelled) + "\n",
    }


def run(args: argparse.Namespace) -> int:
    from glassnet._files import atomic_write

    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        return fail(f"--dir {folder}: is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return fail(f"--dir {folder}: cannot create the folder ({error.strerror})")
    for name, text in contents().items():
        path = folder / name
        if path.exists() and not args.force:
            print(f"kept {path} (it exists; --force replaces it)", file=sys.stderr)
            continue
        encoded = text.encode("utf-8")
        try:
            atomic_write(path, lambda file, data=encoded: file.write(data))
        except OSError as error:
            return fail(f"cannot write {path} ({error.strerror or error})")
        print(f"wrote {path}")
    return EXIT_OK
