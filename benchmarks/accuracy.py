"""Accuracy per second: MNIST test accuracy per epoch, glassnet beside PyTorch.

784-256-128-10, ReLU, logits with softmax cross-entropy, batch 128, float32,
pixels in [0, 1], glorot-uniform weights and zero biases in both libraries, 20
epochs, 3 seeds. The recipe, identical in both: Adam(1e-3) whose learning rate
follows a cosine from 1e-3 down to 0 over all the run's updates, stepped after
every batch (glassnet ``CosineDecay(1e-3, decay_steps=epochs·steps)``, PyTorch
``CosineAnnealingLR(T_max=epochs·steps)``); ``--schedule constant`` keeps 1e-3.
Both models train in lock step, one epoch each in turn; test accuracy is
measured after every epoch and left out of the training time. Reports the median
final accuracy and the training time until the test accuracy first reaches 98.0 %,
then Fashion-MNIST's median final accuracy for glassnet over the same seeds, with
the same network and recipe.

    python benchmarks/accuracy.py                      # 20 epochs, 3 seeds (minutes)
    python benchmarks/accuracy.py --epochs 5 --seeds 1
    python benchmarks/accuracy.py --quick              # smoke run on 512 rows
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

import _common as c

SIZES = (784, 256, 128, 10)
BATCH = 128
LEARNING_RATE = 1e-3
TARGETS = {"final": 0.982, "time_ratio": 0.80, "fashion": 0.895}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (20)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds (3)")
    parser.add_argument("--reach", type=float, default=0.98, help="accuracy to reach")
    parser.add_argument("--no-fashion", action="store_true", help="skip Fashion-MNIST")
    parser.add_argument(
        "--schedule",
        choices=("cosine", "constant"),
        default="cosine",
        help="learning rate over the run (cosine: 1e-3 down to 0, per batch)",
    )
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = 1 if args.quick else 20
    if args.seeds is None:
        args.seeds = 1 if args.quick else 3
    return args


def total_steps(n: int, epochs: int) -> int:
    return epochs * -(-n // BATCH)


class GlassnetRun:
    def __init__(self, seed: int, X, y, schedule: str = "constant", epochs: int = 1):
        import glassnet as gn

        lr = LEARNING_RATE
        if schedule == "cosine":
            lr = gn.schedules.CosineDecay(lr, total_steps(len(X), epochs))
        self.model = c.glassnet_mlp(SIZES, seed=seed)
        self.model.compile(
            loss="categorical_crossentropy", optimizer=gn.optimizers.Adam(lr)
        )
        self.X, self.y = X, y

    def epoch(self) -> None:
        self.model.fit(self.X, self.y, epochs=1, batch_size=BATCH, shuffle=True)

    def accuracy(self, X, y) -> float:
        return float(np.mean(self.model.predict(X).argmax(axis=1) == y))


class TorchRun:
    def __init__(self, seed: int, X, y, schedule: str = "constant", epochs: int = 1):
        torch = c.import_torch()
        self.model = c.torch_mlp(SIZES, seed=seed)
        self.opt = torch.optim.Adam(
            self.model.parameters(), lr=LEARNING_RATE, fused=True
        )
        self.scheduler = None
        if schedule == "cosine":
            self.scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(
                self.opt, T_max=total_steps(len(X), epochs)
            )
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)
        self.gen = torch.Generator().manual_seed(seed)

    def epoch(self) -> None:
        c.torch_epoch(
            self.model, self.opt, self.X, self.y, BATCH, self.gen, self.scheduler
        )

    def accuracy(self, X, y) -> float:
        import torch

        return c.torch_accuracy(self.model, torch.from_numpy(X), torch.from_numpy(y))


def train(runs: dict, epochs: int, X_test, y_test) -> dict:
    """Lock-step epochs; {name: (accuracies per epoch, cumulative train seconds)}."""
    log = {name: ([], []) for name in runs}
    elapsed = dict.fromkeys(runs, 0.0)
    for epoch in range(epochs):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run.epoch()
            elapsed[name] += time.perf_counter() - t0
            acc = run.accuracy(X_test, y_test)  # not counted as training time
            log[name][0].append(acc)
            log[name][1].append(elapsed[name])
        line = ", ".join(
            f"{k} {v[0][-1]:.4f} @ {v[1][-1]:.1f}s" for k, v in log.items()
        )
        print(f"  epoch {epoch + 1}: {line}", file=sys.stderr, flush=True)
    return log


def time_to_reach(accs, times, level):
    for acc, t in zip(accs, times, strict=True):
        if acc >= level:
            return t
    return None


def mnist_part(args) -> None:
    data = c.load_mnist(
        "mnist", n_train=512 if args.quick else None, generated_ok=False
    )
    if data is None:
        print(
            "SKIPPED: MNIST files not found (set GLASSNET_DATA or put them in "
            "../shared/data/mnist); accuracy needs the real data."
        )
        return
    X, y, X_test, y_test, source = data
    print(f"data: {source}\n", flush=True)
    logs = []
    for seed in range(args.seeds):
        runs = {}
        try:
            runs["glassnet"] = GlassnetRun(seed, X, y, args.schedule, args.epochs)
        except Exception as error:
            print(f"note: glassnet failed to build: {type(error).__name__}: {error}")
        runs["torch"] = TorchRun(seed, X, y, args.schedule, args.epochs)
        print(f"seed {seed}:", file=sys.stderr, flush=True)
        logs.append(train(runs, args.epochs, X_test, y_test))

    names = [n for n in ("glassnet", "torch") if n in logs[0]]
    labels = {"glassnet": "glassnet", "torch": "PyTorch"}
    rows = []
    for e in range(args.epochs):
        row = [str(e + 1)]
        for name in names:
            accs = [log[name][0][e] for log in logs]
            secs = [log[name][1][e] for log in logs]
            row += [f"{100 * c.med(accs):.2f}", f"{c.med(secs):.1f}"]
        rows.append(row)
    headers = ["epoch"]
    for name in names:
        headers += [f"{labels[name]} test acc %", f"{labels[name]} train s"]
    print(
        c.table(
            headers,
            rows,
            title=f"MNIST test accuracy per epoch, median of "
            f"{args.seeds} seed(s); cumulative training seconds",
        )
    )

    summary, reach = [], {}
    for name in names:
        finals = [log[name][0][-1] for log in logs]
        hits = [time_to_reach(*log[name], args.reach) for log in logs]
        reached = [h for h in hits if h is not None]
        reach[name] = c.med(reached) if len(reached) == len(hits) else None
        summary.append(
            [
                labels[name],
                c.spread([100 * f for f in finals], digits=4),
                c.spread([100 * max(log[name][0]) for log in logs], digits=4),
                c.spread([log[name][1][-1] / args.epochs for log in logs]),
                (c.spread(reached) if reached else "never")
                + (
                    ""
                    if len(reached) == len(hits)
                    else f" ({len(reached)}/{len(hits)} runs)"
                ),
            ]
        )
    print()
    print(
        c.table(
            [
                "library",
                "final test acc %, median (min–max)",
                "best epoch's test acc %",
                "train s per epoch",
                f"train s to first reach {100 * args.reach:.1f} %",
            ],
            summary,
        )
    )
    if "glassnet" in names:
        final = c.med([log["glassnet"][0][-1] for log in logs])
        print(
            f"glassnet median final accuracy {100 * final:.2f} %: "
            f"{c.verdict(100 * final, 100 * TARGETS['final'], below=False)}"
        )
        if reach.get("glassnet") and reach.get("torch"):
            value = reach["glassnet"] / reach["torch"]
            print(
                f"time to {100 * args.reach:.1f} %, glassnet / PyTorch: {value:.2f}×: "
                f"{c.verdict(value, TARGETS['time_ratio'])}"
            )
        else:
            print(
                f"time to {100 * args.reach:.1f} %: not reached by every run, no ratio"
            )


def fashion_part(args) -> None:
    data = c.load_mnist(
        "fashion-mnist", n_train=512 if args.quick else None, generated_ok=False
    )
    if data is None:
        print("SKIPPED: Fashion-MNIST files not found.")
        return
    X, y, X_test, y_test, source = data
    finals, bests, seconds = [], [], []
    for seed in range(args.seeds):
        try:
            run = GlassnetRun(seed, X, y, args.schedule, args.epochs)
        except Exception as error:
            print(f"note: glassnet failed to build: {type(error).__name__}: {error}")
            return
        print(f"\nFashion-MNIST ({source}), glassnet, seed {seed}:", file=sys.stderr)
        log = train({"glassnet": run}, args.epochs, X_test, y_test)
        accs, times = log["glassnet"]
        finals.append(100 * accs[-1])
        bests.append(100 * max(accs))
        seconds.append(times[-1])
    final = c.med(finals)
    print(
        f"\nFashion-MNIST, glassnet, same network and recipe, {args.epochs} epochs, "
        f"{args.seeds} seed(s): final test accuracy %, median (min–max) "
        f"{c.spread(finals, digits=4)}, best epoch's {c.spread(bests, digits=4)}, "
        f"{c.med(seconds):.1f} s of training: "
        f"{c.verdict(final, 100 * TARGETS['fashion'], below=False)}"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    c.import_torch()
    import glassnet  # noqa: F401  (for the version line)

    recipe = f"Adam({LEARNING_RATE:g})" + (
        ", cosine decay to 0 per batch" if args.schedule == "cosine" else ""
    )
    c.banner(f"Accuracy per second: MNIST, {recipe}, batch {BATCH}")
    print(c.environment(with_blas=False), flush=True)
    print(
        f"recipe (glassnet and PyTorch alike): {recipe} over {args.epochs} epochs, "
        "float32 pixels in [0, 1], glorot-uniform weights, zero biases\n"
    )
    t0 = time.perf_counter()
    mnist_part(args)
    if not args.no_fashion:
        fashion_part(args)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"({time.perf_counter() - t0:.0f} s; load average after: {load})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
