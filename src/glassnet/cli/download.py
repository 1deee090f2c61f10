"""``glassnet download mnist|fashion-mnist``: fetch the IDX files once.

The four files come from the official mirrors through
:func:`glassnet.datasets.mnist` / :func:`~glassnet.datasets.fashion_mnist` with
``download=True``: each is checked against its SHA-256 before it is kept, and
written atomically, so an interrupted download leaves nothing half-written.
"""

from __future__ import annotations

import argparse

from glassnet.cli.common import EXIT_OK, subcommand
from glassnet.cli.inputs import DATASETS


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subcommand(
        subparsers,
        "download",
        summary="download MNIST or Fashion-MNIST (checksums checked)",
        description=(
            "Download the four IDX files of DATASET from the official mirrors into "
            "--dir (default: the cache folder glassnet train mnist looks in), "
            "checking each file's SHA-256. Files already there are not fetched "
            "again."
        ),
        examples=[
            "glassnet download mnist",
            "glassnet download fashion-mnist --dir data",
        ],
    )
    parser.add_argument("dataset", metavar="DATASET", choices=sorted(DATASETS))
    parser.add_argument(
        "--dir",
        metavar="DIR",
        help="download into DIR/<dataset>/ (default: $XDG_CACHE_HOME/glassnet, "
        "~/.cache/glassnet; then set GLASSNET_DATA=DIR to use another DIR)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import os

    from glassnet import datasets

    loader = getattr(datasets, DATASETS[args.dataset])
    root = args.dir if args.dir is not None else datasets.default_cache_dir()
    folder = os.path.join(root, args.dataset)
    (X_train, _), (X_test, _) = loader(path=folder, download=True)
    print(
        f"{args.dataset}: {len(X_train):,} training and {len(X_test):,} test images "
        f"in {folder}"
    )
    if args.dir is not None:
        print(f"use them with: export GLASSNET_DATA={root}")
    return EXIT_OK
