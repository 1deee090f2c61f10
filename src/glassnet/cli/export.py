"""``glassnet export MODEL OUT.onnx``: a saved model as an ONNX file."""

from __future__ import annotations

import argparse
from pathlib import Path

from glassnet.cli.common import EXIT_OK, subcommand
from glassnet.cli.inputs import load_model
from glassnet.cli.outputs import check_not_an_input, check_writable


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subcommand(
        subparsers,
        "export",
        summary="write a saved model as an ONNX file, to run without glassnet",
        description=(
            "Write MODEL as OUT, an ONNX graph that takes the raw columns of the "
            "training file, one (n, 1) input per column named as in its header "
            "(numbers as floats, NaN where missing; text as strings), encodes, "
            "fills and standardises them as training did, applies every layer, "
            "and gives 'probabilities' and 'label' for a classifier, "
            "'predictions' in the target's units otherwise. OUT is written "
            'atomically. Needs the onnx package: pip install "glassnet[onnx]".'
        ),
        examples=[
            "glassnet export model.npz model.onnx",
            "glassnet export model.npz model.onnx --opset 20",
        ],
    )
    parser.add_argument("model", metavar="MODEL", help="a model file from train")
    parser.add_argument("out", metavar="OUT", help="the .onnx file to write")
    parser.add_argument(
        "--opset",
        type=int,
        default=None,
        help="ONNX operator set, 13 or newer (default: 17)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from glassnet import onnx as onnx_export

    out = Path(args.out)
    check_writable(out, "OUT")
    check_not_an_input(out, "OUT", {"MODEL": args.model})
    model = load_model(args.model, args.command)
    try:
        onnx_export.export(model, out, opset=args.opset)
    except ImportError as error:
        raise ValueError(str(error)) from None
    print(f"wrote {out}")
    return EXIT_OK
