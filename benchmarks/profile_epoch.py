"""Where glassnet's MNIST training epoch spends its time (cProfile), beside the floor.

One epoch of the 784-256-128-10 MLP (batch 128, float32) under cProfile, the
functions sorted by their own time, and the same epoch's matmul floor for scale:
everything above the floor is overhead that the hot path could lose.

    python benchmarks/profile_epoch.py                  # SGD(0.1), full MNIST
    python benchmarks/profile_epoch.py --optimizer adam --top 30
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

import _common as c

SIZES = (784, 256, 128, 10)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    parser.add_argument("--top", type=int, default=25, help="rows to print")
    parser.add_argument("--quick", action="store_true", help="512 generated rows")
    args = parser.parse_args(argv)
    lr = {"sgd": 0.1, "adam": 1e-3}[args.optimizer]
    X, y, _, _, source = c.load_mnist(
        n_train=512 if args.quick else None, generated=args.quick
    )
    model = c.glassnet_mlp(SIZES, seed=0)
    model.compile(
        loss="categorical_crossentropy",
        optimizer=c.glassnet_optimizer(args.optimizer, lr),
    )
    model.fit(X, y, epochs=1, batch_size=128)  # warm-up: buffers, optimizer state
    floor = c.MatmulFloor(SIZES, 128)
    floor.epoch(X)
    t0 = time.perf_counter()
    floor.epoch(X)
    floor_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.fit(X, y, epochs=1, batch_size=128)
    plain_s = time.perf_counter() - t0

    profiler = cProfile.Profile()
    profiler.enable()
    model.fit(X, y, epochs=1, batch_size=128)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("tottime")
    stats.print_stats(args.top)
    c.banner(f"Profile of one glassnet epoch, {args.optimizer}, batch 128")
    print(c.environment(with_blas=False))
    print(f"data: {source}")
    print(
        f"epoch without profiler {plain_s:.3f} s; matmul floor {floor_s:.3f} s "
        f"(glassnet/floor {plain_s / floor_s:.2f}×)\n"
    )
    print(stream.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
