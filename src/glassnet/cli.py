"""The ``glassnet`` command line.

This is the only module that parses arguments, prints or exits. Every command is a
pair of functions: ``_add_<name>(subparsers)`` declares its arguments and
``_run_<name>(args) -> int`` does the work and returns the exit code.

Exit codes: 0 success, 1 an unexpected internal error, 2 bad input of any kind
(a clear one-line message on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from glassnet import __version__

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _fail(message: str) -> int:
    """Print ``message`` as ``glassnet: error: ...`` on stderr and return exit code 2."""
    print(f"glassnet: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


# --------------------------------------------------------------------------- demo


def _add_demo(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="walk through the article: a neuron, a network, the loss, backprop, training",
        description="Victor Zhou's 'Introduction to Neural Networks', end to end.",
    )
    parser.set_defaults(run=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    raise NotImplementedError("glassnet demo is being written (issue 2)")


# ------------------------------------------------------------------------- parser


_COMMANDS = (_add_demo,)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``glassnet`` command."""
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="glassnet: a neural-network library you can see through.",
    )
    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in _COMMANDS:
        add(subparsers)
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
    except (GlassnetError, ValueError, TypeError, OSError) as error:
        return _fail(str(error))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
