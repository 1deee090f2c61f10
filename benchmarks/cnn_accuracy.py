"""CNN accuracy: the issue-10 network on MNIST and Fashion-MNIST, accuracy per epoch.

Conv2D(32, 3, relu) → MaxPooling2D → Conv2D(64, 3, relu) → MaxPooling2D → Flatten →
Dropout(0.5) → Dense(10), softmax cross-entropy from logits, Adam(1e-3), batch 128,
float32, inputs scaled to [0, 1]; test accuracy on the 10,000 test images after
every epoch. MNIST trains the network as it is and with ``RandomTranslation(0.1,
0.1, fill_mode="constant")`` in front ("issue+translate": each training image moved
by up to 2 pixels a way, a new draw every epoch; the same network at predict time).
Fashion-MNIST also trains the "slightly larger" network the issue allows, with a
hidden Dense(128, relu) and Dropout(0.5) before the output (``mnist_cnn.NETS``).
One run per (framework, dataset, network, seed); runs can go in parallel processes
(``--jobs``), each with ``--threads`` BLAS threads.

With ``--peer``, PyTorch trains the same networks from the same initial weights
(glassnet's, copied), the same recipe (Adam(1e-3), batch 128, a fresh shuffle every
epoch, ``channels_last``), so the table shows what this network and recipe reach
in another framework: the yardstick for glassnet's numbers (not for "+translate"
networks, whose shifts come from glassnet's generator).

Targets (issue 10): MNIST median of 3 seeds ≥ 99.2 % within 15 epochs; Fashion-MNIST
≥ 91.5 %.

    python benchmarks/cnn_accuracy.py           # MNIST 3 seeds, Fashion 1 per net
    python benchmarks/cnn_accuracy.py --peer    # and PyTorch beside each run
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

import numpy as np

import _common as c
import mnist_cnn

TARGETS = {"mnist": 0.992, "fashion-mnist": 0.915}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (15)")
    parser.add_argument("--seeds", type=int, default=3, help="MNIST seeds (3)")
    parser.add_argument("--fashion-seeds", type=int, default=1, help="(1; 0 skips)")
    parser.add_argument(
        "--mnist-nets", default="issue,issue+translate", help="networks for MNIST"
    )
    parser.add_argument(
        "--fashion-nets", default="issue,dense128", help="networks for Fashion-MNIST"
    )
    parser.add_argument("--peer", action="store_true", help="PyTorch runs as well")
    parser.add_argument("--jobs", type=int, default=1, help="runs in parallel (1)")
    parser.add_argument("--threads", type=int, default=None, help="BLAS threads/run")
    # a child: "framework:dataset:net:seed"
    parser.add_argument("--run", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def one_run(
    framework: str, dataset: str, net: str, seed: int, epochs: int, quick, threads
) -> dict:
    """Train one network, printing a JSON line per epoch; return the last."""
    if threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(threads)
    import mnist_cnn

    loaded = c.load_mnist(
        dataset, n_train=512 if quick else None, generated_ok=quick, generated=quick
    )
    tag = {"framework": framework, "dataset": dataset, "net": net, "seed": seed}
    if loaded is None:
        print(json.dumps({**tag, "skipped": True}))
        return {}
    X, y, X_test, y_test, source = loaded
    X, X_test = X.reshape(-1, 28, 28, 1), X_test.reshape(-1, 28, 28, 1)
    if quick:
        X_test, y_test = X_test[:256], y_test[:256]
    model = mnist_cnn.glassnet_cnn(seed, metrics=["accuracy"], net=net)
    if framework == "torch":
        torch = c.import_torch()
        if threads:
            torch.set_num_threads(threads)
        torch.manual_seed(seed)  # dropout's masks
        twin = mnist_cnn.torch_cnn(model, channels_last=True, net=net)
        optimizer = torch.optim.Adam(twin.parameters(), lr=1e-3)
        Xt, yt = mnist_cnn.torch_images(X, True), torch.from_numpy(y.astype(np.int64))
        Xt_test = mnist_cnn.torch_images(X_test, True)
        yt_test = torch.from_numpy(y_test.astype(np.int64))
        generator = torch.Generator().manual_seed(seed)

        def train():
            twin.train()
            c.torch_epoch(twin, optimizer, Xt, yt, mnist_cnn.BATCH, generator)

        def accuracy():
            twin.eval()
            return c.torch_accuracy(twin, Xt_test, yt_test)
    else:

        def train():
            model.fit(X, y, epochs=1, batch_size=mnist_cnn.BATCH, verbose=0)

        def accuracy():
            return model.evaluate(X_test, y_test)["accuracy"]

    train_seconds = 0.0
    record = {}
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        train()
        train_seconds += time.perf_counter() - t0
        record = {
            **tag,
            "epoch": epoch,
            "test_accuracy": round(float(accuracy()), 5),
            "train_seconds": round(train_seconds, 1),
            "source": source,
        }
        print(json.dumps(record), flush=True)
    return record


def main(argv=None) -> int:
    args = parse_args(argv)
    epochs = args.epochs or (1 if args.quick else 15)
    if args.run:
        framework, dataset, net, seed = args.run.split(":")
        one_run(framework, dataset, net, int(seed), epochs, args.quick, args.threads)
        return 0
    frameworks = ["glassnet", "torch"] if args.peer else ["glassnet"]
    fashion_nets = [n for n in args.fashion_nets.split(",") if n]
    mnist_nets = [n for n in args.mnist_nets.split(",") if n]
    unknown = sorted(set(fashion_nets + mnist_nets) - set(mnist_cnn.NETS))
    if unknown:
        raise SystemExit(f"unknown networks {unknown}, choose from {mnist_cnn.NETS}")
    runs = [
        (f, d, n, s)
        for d, nets, seeds in (
            ("mnist", mnist_nets, args.seeds),
            ("fashion-mnist", fashion_nets, args.fashion_seeds),
        )
        for n in nets
        for s in range(seeds)
        for f in frameworks
        if f == "glassnet" or not n.endswith("+translate")
    ]
    c.banner(f"CNN test accuracy, {epochs} epochs, Adam(1e-3), batch 128")
    print(c.environment(), flush=True)
    print(
        f"runs: {len(runs)}, {args.jobs} at a time, threads per run: {args.threads}\n"
    )
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
                [*base, "--run", ":".join(map(str, run))],
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
    for framework, dataset, net in dict.fromkeys(run[:3] for run in runs):
        mine = {
            run: recs
            for run, recs in results.items()
            if run[:3] == (framework, dataset, net)
        }
        if any(r and r[0].get("skipped") for r in mine.values()):
            print(f"\n{dataset}: SKIPPED (data files not found)")
            continue
        c.banner(f"{framework}, {dataset}, network {net!r}: test accuracy (%)")
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
        headers = ["epoch"] + [f"seed {s[3]}" for s in seeds] + ["median", "train s"]
        print(c.table(headers, rows))
        finals = [mine[s][-1]["test_accuracy"] for s in seeds if mine[s]]
        best = max(
            statistics.median(
                [mine[s][e]["test_accuracy"] for s in seeds if len(mine[s]) > e]
            )
            for e in range(len(rows))
        )
        target = TARGETS[dataset]
        final = statistics.median(finals)
        print(
            f"\nmedian final accuracy {100 * final:.2f} % ({len(rows)} epochs): "
            f"{c.verdict(100 * final, 100 * target, below=False)}; "
            f"best median over the epochs {100 * best:.2f} %"
        )
    print(f"\nload average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
