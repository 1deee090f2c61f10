"""``glassnet playground``: watch a network learn, in the browser.

Starts :mod:`glassnet.playground`'s local server, prints its address and, unless
``--no-browser``, opens the page. Ctrl-C stops it (exit code 0).
"""

from __future__ import annotations

import argparse

from glassnet.cli.common import EXIT_OK, fail, subcommand


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subcommand(
        subparsers,
        "playground",
        summary="train a network live in the browser; the article step by step",
        description=(
            "A local web page, like TensorFlow Playground, where glassnet trains "
            "in this process: pick the data, the features, the layers, the "
            "activation and the optimizer, press play, and watch the decision "
            "boundary, every neuron, every weight and the losses change. A second "
            "mode walks through the article's backpropagation one factor at a time. "
            "Works offline; Ctrl-C stops it."
        ),
        examples=[
            "glassnet playground",
            "glassnet playground --port 0 --no-browser   # any free port",
        ],
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8000,
        metavar="N",
        help="port to listen on (default 8000; 0 picks a free one)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1: this computer only)",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="print the address but do not open a browser",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from glassnet.playground.server import make_server

    if not 0 <= args.port <= 65535:
        return fail(f"--port must be between 0 and 65535. Received: {args.port}")
    try:
        server = make_server(args.host, args.port)
    except OSError as error:
        return fail(f"cannot listen on {args.host}:{args.port}: {error.strerror}")
    print(f"glassnet playground: {server.url}  (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("glassnet playground: stopped", flush=True)
    finally:
        server.stopping.set()
        server.server_close()
    return EXIT_OK
