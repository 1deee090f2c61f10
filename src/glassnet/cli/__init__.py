"""The ``glassnet`` command line.

This package is the only part of glassnet that parses arguments, prints or
exits. One module per command, each with the same two functions:
``add_parser(subparsers)`` declares its arguments and ``run(args) -> int`` does the
work and returns the exit code.

Exit codes: 0 success, 1 an unexpected internal error, 2 bad input of any kind
(a clear one-line message on stderr, never a traceback).

- ``demo``: ``glassnet demo``, the article's walk-through;
- ``train``: ``glassnet train``; its settings, model and ``--resume`` in
  ``train_settings``;
- ``evaluate``, ``predict``, ``summary``, ``export``: use a saved model;
- shared: ``common`` (exit codes, the error line, the subcommand parser),
  ``inputs`` (the MODEL and DATA arguments), ``outputs`` (checks on the files a
  command writes).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from glassnet import __version__
from glassnet.cli import (
    demo,
    download,
    evaluate,
    example,
    export,
    playground,
    predict,
    summary,
    train,
)
from glassnet.cli.common import EXIT_BAD_INPUT, EXIT_OK, fail
from glassnet.cli.demo import DEMO_SEED

# Re-exported: ``from glassnet.cli import DEMO_SEED`` (the demo's tests use it).
__all__ = ["DEMO_SEED", "EXIT_BAD_INPUT", "EXIT_OK", "build_parser", "main"]


_COMMANDS = (
    demo,
    example,
    train,
    evaluate,
    predict,
    summary,
    export,
    download,
    playground,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``glassnet`` command."""
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="glassnet: a neural-network library you can see through.",
        epilog=(
            "examples:\n"
            "  glassnet demo\n"
            "  glassnet example        # writes people.csv, flowers.csv, ...\n"
            "  glassnet train people.csv --target gender --out model.npz\n"
            "  glassnet evaluate model.npz people.csv\n"
            "  glassnet predict model.npz people.csv --out predictions.csv\n"
            "  glassnet summary model.npz\n"
            "  glassnet export model.npz model.onnx\n"
            "  glassnet download mnist\n"
            "  glassnet playground     # in the browser\n"
            "\n"
            "Run 'glassnet COMMAND --help' for a command's options.\n"
            "Exit codes: 0 success, 2 bad input or usage (one line on stderr), "
            "1 internal error."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"glassnet {__version__}"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in _COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_BAD_INPUT
    from glassnet.errors import GlassnetError

    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("glassnet: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except MemoryError as error:
        hint = "; try smaller --hidden sizes or --batch-size"
        return fail(f"not enough memory ({error}){hint * (args.command == 'train')}")
    except (GlassnetError, ValueError, TypeError, OSError) as error:
        return fail(str(error))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
