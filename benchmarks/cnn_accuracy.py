"""CNN accuracy: the issue-10 network on MNIST and Fashion-MNIST, accuracy per epoch.

Conv2D(32, 3, relu) → MaxPooling2D → Conv2D(64, 3, relu) → MaxPooling2D → Flatten →
Dropout(0.5) → Dense(10), softmax cross-entropy from logits, Adam(1e-3), batch 128,
float32, inputs scaled to [0, 1], no augmentation; test accuracy on the 10,000 test
images after every epoch. One run per (dataset, seed); runs can go in parallel
processes (``--jobs``), each with ``--threads`` BLAS threads.

Targets (issue 10): MNIST median of 3 seeds ≥ 99.2 % within 15 epochs; Fashion-MNIST
≥ 91.5 %.

    python benchmarks/cnn_accuracy.py           # MNIST 3 seeds, Fashion 1, 15 epochs
    python benchmarks/cnn_accuracy.py --jobs 4 --threads 1   # four runs at once
    python benchmarks/cnn_accuracy.py --quick   # smoke run: 512 rows, 1 epoch
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import _common as c

TARGETS = {"mnist": 0.992, "fashion-mnist": 0.915}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (15)")
    parser.add_argument("--seeds", type=int, default=3, help="MNIST seeds (3)")
    parser.add_argument("--fashion-seeds", type=int, default=1, help="(1; 0 skips)")
    parser.add_argument("--jobs", type=int, default=1, help="runs in parallel (1)")
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads/run")
    parser.add_argument("--run", help=argparse.SUPPRESS)  # "dataset:seed", a child
    return parser.parse_args(argv)


def one_run(dataset: str, seed: int, epochs: int, quick: bool, threads) -> dict:
    """Train one network, printing a JSON line per epoch; return the last."""
    if threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    import mnist_cnn

    loaded = c.load_mnist(
        dataset, n_train=512 if quick else None, generated_ok=quick, generated=quick
    )
    if loaded is None:
        print(json.dumps({"dataset": dataset, "seed": seed, "skipped": True}))
        return {}
    X, y, X_test, y_test, source = loaded
    X, X_test = X.reshape(-1, 28, 28, 1), X_test.reshape(-1, 28, 28, 1)
    if quick:
        X_test, y_test = X_test[:256], y_test[:256]
    model = mnist_cnn.glassnet_cnn(seed, metrics=["accuracy"])
    train_seconds = 0.0
    record = {}
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        model.fit(X, y, epochs=1, batch_size=mnist_cnn.BATCH, verbose=0)
        train_seconds += time.perf_counter() - t0
        accuracy = model.evaluate(X_test, y_test)["accuracy"]
        record = {
            "dataset": dataset,
            "seed": seed,
            "epoch": epoch,
            "test_accuracy": round(float(accuracy), 5),
            "train_seconds": round(train_seconds, 1),
            "source": source,
        }
        print(json.dumps(record), flush=True)
    return record


def main(argv=None) -> int:
    args = parse_args(argv)
    epochs = args.epochs or (1 if args.quick else 15)
    if args.run:
        dataset, seed = args.run.split(":")
        one_run(dataset, int(seed), epochs, args.quick, args.threads)
        return 0
    runs = [("mnist", s) for s in range(args.seeds)]
    runs += [("fashion-mnist", s) for s in range(args.fashion_seeds)]
    c.banner(f"CNN test accuracy, {epochs} epochs, Adam(1e-3), batch 128")
    print(c.environment(), flush=True)
    print(f"runs: {runs}, {args.jobs} at a time, threads per run: {args.threads}\n")
    base = [sys.executable, os.path.abspath(__file__), "--epochs", str(epochs)]
    if args.quick:
        base.append("--quick")
    if args.threads:
        base += ["--threads", str(args.threads)]
    results: dict[tuple, list[dict]] = {run: [] for run in runs}
    pending = list(runs)
    active: dict[tuple, subprocess.Popen] = {}
    while pending or active:
        while pending and len(active) < max(1, args.jobs):
            run = pending.pop(0)
            active[run] = subprocess.Popen(
                [*base, "--run", f"{run[0]}:{run[1]}"],
                stdout=subprocess.PIPE,
                text=True,
            )
        # read whichever child has a line; a finished child leaves the pool
        for run, proc in list(active.items()):
            line = proc.stdout.readline()
            if line:
                record = json.loads(line)
                results[run].append(record)
                print(f"  {line.strip()}", file=sys.stderr, flush=True)
            elif proc.poll() is not None:
                del active[run]
    for dataset in ("mnist", "fashion-mnist"):
        mine = {run: recs for run, recs in results.items() if run[0] == dataset}
        if not mine:
            continue
        if any(r and r[0].get("skipped") for r in mine.values()):
            print(f"\n{dataset}: SKIPPED (data files not found)")
            continue
        c.banner(f"{dataset}: test accuracy (%) after each epoch")
        seeds = sorted(mine)
        rows = []
        for e in range(epochs):
            accs = [mine[s][e]["test_accuracy"] for s in seeds if len(mine[s]) > e]
            times = [mine[s][e]["train_seconds"] for s in seeds if len(mine[s]) > e]
            if not accs:
                break
            rows.append(
                [e + 1]
                + [f"{100 * a:.2f}" for a in accs]
                + [
                    f"{100 * statistics.median(accs):.2f}",
                    f"{statistics.median(times):.0f}",
                ]
            )
        headers = ["epoch"] + [f"seed {s[1]}" for s in seeds] + ["median", "train s"]
        print(c.table(headers, rows))
        finals = [mine[s][-1]["test_accuracy"] for s in seeds if mine[s]]
        best = max(
            statistics.median(
                [mine[s][e]["test_accuracy"] for s in seeds if len(mine[s]) > e]
            )
            for e in range(len(rows))
        )
        target = TARGETS[dataset]
        print(
            f"\nmedian final accuracy {100 * statistics.median(finals):.2f} % "
            f"({len(rows)} epochs), best median epoch {100 * best:.2f} % — "
            f"{c.verdict(best, target, below=False)}"
        )
    print(f"\nload average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
