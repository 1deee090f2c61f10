"""Scaling: glassnet against PyTorch and the matmul floor over widths and batch sizes.

The MNIST network's shape, 784-w-w/2-10 (ReLU, softmax cross-entropy, SGD), for
hidden widths w from 64 to 2048 and batch sizes from 16 to 1024. Each cell trains
one pass over as many MNIST rows as a fixed amount of arithmetic allows (at least
four batches), for glassnet, PyTorch (2 threads) and the matmul floor in turn.
Small cells show per-batch overhead; large cells show matrix-product speed.

    python benchmarks/scaling.py                       # the default grid (minutes)
    python benchmarks/scaling.py --quick               # smoke run: a 2 x 2 grid
    python benchmarks/scaling.py --widths 64,2048 --batches 16,1024
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import _common as c

LEARNING_RATE = 0.01
MAX_RATIO = 1.5  # the issue: nowhere more than 1.5x slower than PyTorch


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--widths", default=None, help="first hidden widths")
    parser.add_argument("--batches", default=None, help="batch sizes")
    parser.add_argument("--repeats", type=int, default=None, help="rounds per cell (3)")
    parser.add_argument(
        "--gflop", type=float, default=None, help="arithmetic per timed pass (8 GFLOP)"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.widths = [
        int(w)
        for w in (
            args.widths or ("64,256" if quick else "64,128,256,512,1024,2048")
        ).split(",")
    ]
    args.batches = [
        int(b)
        for b in (args.batches or ("16,128" if quick else "16,64,256,1024")).split(",")
    ]
    if args.repeats is None:
        args.repeats = 1 if quick else 3
    if args.gflop is None:
        args.gflop = 0.05 if quick else 8.0
    return args


def sizes_for(width: int) -> tuple[int, ...]:
    return (784, width, max(width // 2, 1), 10)


def rows_for(sizes, batch: int, gflop: float, n_max: int, quick: bool) -> int:
    """Rows per timed pass: ``gflop`` of training arithmetic, at least 4 batches."""
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    flop_per_row = 6 * macs  # forward 2, backward 4 (weight and input gradients)
    n = max(int(gflop * 1e9 / flop_per_row), (1 if quick else 4) * batch)
    n = math.ceil(n / batch) * batch
    return min(n, n_max)


def cell(X, y, sizes, batch: int, repeats: int):
    """Times (seconds per pass) of glassnet, PyTorch and the floor on X, y."""
    torch = c.import_torch()

    contenders, notes = {}, []
    try:
        model = c.glassnet_mlp(sizes, seed=0)
        model.compile(
            loss="categorical_crossentropy",
            optimizer=c.glassnet_optimizer("sgd", LEARNING_RATE),
        )

        def glassnet_pass():
            model.fit(X, y, epochs=1, batch_size=batch, shuffle=True, verbose=0)

        glassnet_pass()
        contenders["glassnet"] = glassnet_pass
    except Exception as error:
        notes.append(f"glassnet failed: {type(error).__name__}: {error}"[:160])

    tmodel = c.torch_mlp(sizes, seed=0)
    # the default SGD: faster than fused=True for SGD here (mnist_mlp.py, 12:01 run)
    opt = torch.optim.SGD(tmodel.parameters(), lr=LEARNING_RATE)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    gen = torch.Generator().manual_seed(0)

    def torch_pass():
        c.torch_epoch(tmodel, opt, X_t, y_t, batch, gen)

    floor = c.MatmulFloor(sizes, batch)

    def floor_pass():
        floor.epoch(X)

    torch_pass()
    floor_pass()
    contenders["torch"] = torch_pass
    contenders["floor"] = floor_pass
    return c.alternate(contenders, repeats, warmup=0, progress=False), notes


def grid_table(title, widths, batches, values, fmt) -> str:
    rows = []
    for w in widths:
        rows.append(
            [f"{w}-{max(w // 2, 1)}"] + [fmt(values.get((w, b))) for b in batches]
        )
    return c.table(["hidden \\ batch", *map(str, batches)], rows, title=title)


def main(argv=None) -> int:
    args = parse_args(argv)
    c.import_torch()
    import glassnet  # noqa: F401  (for the version line)

    n_quick = max(args.batches) if args.quick else None
    X_all, y_all, _, _, source = c.load_mnist(n_train=n_quick, generated=args.quick)
    c.banner("Scaling: hidden width × batch size (SGD, float32)")
    print(c.environment(), flush=True)
    t0 = time.perf_counter()
    vs_torch, vs_floor, per_row, notes = {}, {}, {}, []
    for w in args.widths:
        for b in args.batches:
            sizes = sizes_for(w)
            n = rows_for(sizes, b, args.gflop, len(X_all), args.quick)
            X, y = X_all[:n], y_all[:n]
            times, cell_notes = cell(X, y, sizes, b, args.repeats)
            notes += [f"{w}/{b}: {note}" for note in cell_notes]
            if "glassnet" in times:
                vs_torch[w, b] = c.ratio(times["glassnet"], times["torch"])
                vs_floor[w, b] = c.ratio(times["glassnet"], times["floor"])
                per_row[w, b] = c.med(times["glassnet"]) / n * 1e6
            done = ", ".join(f"{k} {c.med(v):.3g}s" for k, v in times.items())
            print(f"  {w}/{b}: {n} rows, {done}", file=sys.stderr, flush=True)

    def ratio_fmt(v):
        return "n/a" if v is None else f"{v:.2f}"

    print(
        grid_table(
            "glassnet / PyTorch time (below 1: glassnet faster)",
            args.widths,
            args.batches,
            vs_torch,
            ratio_fmt,
        )
    )
    print()
    print(
        grid_table(
            "glassnet / matmul floor (1.0 = nothing but matrix products)",
            args.widths,
            args.batches,
            vs_floor,
            ratio_fmt,
        )
    )
    print()
    print(
        grid_table(
            "glassnet µs per training row",
            args.widths,
            args.batches,
            per_row,
            lambda v: "n/a" if v is None else f"{v:.3g}",
        )
    )
    print(
        f"\ndata: {source}; each cell ≈ {args.gflop:g} GFLOP of training "
        f"arithmetic (≥ 4 batches), {args.repeats} alternated rounds, medians"
    )
    if vs_torch:
        (w, b), worst = max(vs_torch.items(), key=lambda kv: kv[1])
        print(
            f"worst glassnet/PyTorch: {worst:.2f} at width {w}, batch {b}: "
            f"{c.verdict(worst, MAX_RATIO)}"
        )
    for note in notes:
        print(f"note: {note}")
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"({time.perf_counter() - t0:.0f} s; load average after: {load})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
