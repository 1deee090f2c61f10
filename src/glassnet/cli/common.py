"""What every ``glassnet`` command shares: exit codes, the error line, parser shape.

A command reports bad input with :func:`fail` (one line on stderr, exit code 2)
and declares its parser with :func:`subcommand` (summary, prose, examples).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

EXIT_OK = 0


EXIT_BAD_INPUT = 2


def fail(message: str) -> int:
    """Print ``glassnet: error: <message>`` on stderr; return exit code 2."""
    print(f"glassnet: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def subcommand(
    subparsers: argparse._SubParsersAction,
    name: str,
    *,
    summary: str,
    description: str,
    examples: Sequence[str],
) -> argparse.ArgumentParser:
    """Add the parser of ``glassnet NAME``: one-line summary, prose, examples."""
    import textwrap

    return subparsers.add_parser(
        name,
        help=summary,
        description=textwrap.fill(description, 79),
        epilog="examples:\n" + "\n".join(f"  {line}" for line in examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
