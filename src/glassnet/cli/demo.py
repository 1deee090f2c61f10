"""``glassnet demo``: the article's walk-through, from one neuron to training.

It prints Victor Zhou's "An Introduction to Neural Networks" step by step with
:mod:`glassnet.article`, and imports nothing heavy (no matplotlib unless
``--plot`` is given), so it starts fast.
"""

from __future__ import annotations

import argparse

from glassnet.cli.common import EXIT_OK, fail, subcommand

DEMO_SEED = 2485  # its run looks like the article's: Emily 0.951 F, Frank 0.039 M


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subcommand(
        subparsers,
        "demo",
        summary="the article end to end: neuron, network, loss, backprop, training",
        description=(
            "Victor Zhou's 'An Introduction to Neural Networks', end to end: a "
            "neuron, a 2-2-1 network, the MSE loss, one backpropagation step checked "
            "against the post's numbers, 1000 epochs of training, and predictions "
            "for Emily and Frank."
        ),
        examples=["glassnet demo", "glassnet demo --seed 7 --plot loss.png"],
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEMO_SEED,
        metavar="N",
        help=f"seed of the initial weights (default {DEMO_SEED}: like the post's run)",
    )
    parser.add_argument(
        "--plot",
        metavar="FILE.png",
        help='also save the loss curve (needs: pip install "glassnet[plot]")',
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from glassnet import article as a

    # Refuse bad input before printing anything rather than after the walk-through.
    net = a.OurNeuralNetwork(seed=args.seed)
    if args.plot is not None:
        from glassnet.plotting import require_matplotlib

        require_matplotlib()
        if Path(args.plot).is_dir():
            return fail(f"--plot {args.plot}: is a folder; give a file name")
        folder = Path(args.plot).resolve().parent
        if not folder.is_dir():
            return fail(f"--plot: the folder {str(folder)!r} does not exist")
        from matplotlib.backend_bases import FigureCanvasBase

        formats = FigureCanvasBase.get_supported_filetypes()
        suffix = Path(args.plot).suffix.lstrip(".").lower() or "png"
        if suffix not in formats:
            return fail(
                f"--plot: matplotlib cannot write {suffix!r} images. "
                f"Use one of: {', '.join(sorted(formats))} (e.g. loss.png)"
            )
    start = net.parameters()

    print('Victor Zhou, "An Introduction to Neural Networks", in glassnet.article\n')
    print("1. A neuron: y = f(w.x + b), with the sigmoid f(x) = 1 / (1 + e^-x)")
    y = a.Neuron([0, 1], 4).feedforward([2, 3])
    print(f"   w = [0, 1], b = 4, x = [2, 3]: w.x + b = 7, y = f(7) = {y!r}")
    print("\n2. A network: inputs x1, x2 -> hidden neurons h1, h2 -> output neuron o1")
    same = a.Neuron([0, 1], 0)
    h = same.feedforward([2, 3])
    o1 = same.feedforward([h, h])
    print("   every neuron w = [0, 1], b = 0; x = [2, 3]")
    print(f"   h1 = h2 = f(3) = {h:.4f}, o1 = f({h:.4f}) = {o1!r}")

    print("\n3. Data: label 1 for female, 0 for male; the inputs are shifted,")
    print(f"   x = [weight - {a.SHIFT[0]} lb, height - {a.SHIFT[1]} in]")
    for name, (lb, inch), x, y in zip(
        a.NAMES, a.RAW_DATA, a.DATA, a.ALL_Y_TRUES, strict=True
    ):
        shifted = f"x = {list(x)}"
        print(f"   {name:<8} {lb} lb  {inch} in  {a.gender(y)}  {shifted:<14} {y}")
    mse = a.mse_loss(a.ALL_Y_TRUES, [0, 0, 0, 0])
    print(f"   MSE of a network that always says 0: (1 + 0 + 0 + 1) / 4 = {mse!r}")

    print("\n4. Backpropagation on Alice alone, every weight 1 and every bias 0")
    ones = a.OurNeuralNetwork(seed=0)
    ones.set_parameters(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
    step = ones.backprop(a.DATA[0], a.ALL_Y_TRUES[0])
    print(f"   {'':<16}{'article':>9}   glassnet (float64)")
    for label, post, value in (
        ("h1 = h2 = f(-3)", "0.0474", step.h1),
        ("o1 = y_pred", "0.524", step.y_pred),
        ("dL/dy_pred", "-0.952", step.d_L_d_ypred),
        ("dy_pred/dh1", "0.249", step.d_ypred_d_h1),
        ("dh1/dw1", "-0.0904", step.d_h1_d_w1),
        ("dL/dw1", "0.0214", step.d_L_d_w1),
    ):
        print(f"   {label:<16}{post:>9}   {value!r}")
    print("   (the article rounds as it goes: hence -0.952 and 0.0214)")

    print(f"\n5. Training: SGD, learn rate 0.1, 1000 epochs, seed {args.seed}")
    names = list(start)
    for group in (names[:6], names[6:]):
        print("   start: " + ", ".join(f"{k} = {start[k]:.3f}" for k in group))
    history = net.train(a.DATA, a.ALL_Y_TRUES)
    for epoch, loss in history:
        print(f"Epoch {epoch} loss: {loss:.3f}")

    print("\n6. Predictions for two new people")
    for name, (lb, inch), x in (
        ("Emily", a.EMILY_RAW, a.EMILY),
        ("Frank", a.FRANK_RAW, a.FRANK),
    ):
        y = net.feedforward(x)
        print(f"{name}: {y:.3f} - {a.gender(y)}   ({lb} lb, {inch} in: x = {list(x)})")

    if args.plot is not None:
        from glassnet.plotting import plot_loss

        plot_loss(history, args.plot, title=f"glassnet demo: loss (seed {args.seed})")
        print(f"\nLoss curve saved to {args.plot}")
    return EXIT_OK
