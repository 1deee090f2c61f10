"""Start-up time and peak memory: `import glassnet` and one MNIST training epoch.

1. ``python -c "import glassnet"`` against ``python -c "import numpy"``: the
   median of ~15 fresh processes each, alternated.
2. Peak resident memory (``ru_maxrss``) of a child process that loads the float32
   MNIST training set and trains the 784-256-128-10 MLP for one epoch with Adam,
   for glassnet and for PyTorch, beside a child that only loads the data and the
   188 MB size of the float32 training set itself.

    python benchmarks/startup_memory.py
    python benchmarks/startup_memory.py --quick      # smoke run (2 starts, 512 rows)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import _common as c

SIZES = (784, 256, 128, 10)
TARGETS = {"import_ms": 50.0, "rss_mb": 400.0}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--runs", type=int, default=None, help="starts of each (15)")
    parser.add_argument(
        "--child", choices=("data", "glassnet", "torch"), help=argparse.SUPPRESS
    )
    parser.add_argument("--n-train", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 2 if args.quick else 15
    if args.n_train is None and args.quick:
        args.n_train = 512
    return args


# ------------------------------------------------------------------ start-up


def time_imports(runs: int) -> dict[str, list[float]]:
    commands = {
        "import numpy": [sys.executable, "-c", "import numpy"],
        "import glassnet": [sys.executable, "-c", "import glassnet"],
        # glassnet loads its modules lazily, so the line above does not even import
        # NumPy; this one pays for what a user then touches.
        "import glassnet; glassnet.Sequential, glassnet.Dense, glassnet.optimizers": [
            sys.executable,
            "-c",
            "import glassnet; glassnet.Sequential, glassnet.Dense, glassnet.optimizers",
        ],
    }

    def start(cmd):
        def once():
            subprocess.run(cmd, check=True)

        return once

    return c.alternate(
        {k: start(v) for k, v in commands.items()}, runs, warmup=1, progress=False
    )


# -------------------------------------------------------------------- memory


def child(kind: str, n_train: int | None) -> None:
    """Load MNIST, train one epoch with ``kind``; print peak RSS as JSON."""
    X, y, _, _, source = c.load_mnist(n_train=n_train, generated=n_train is not None)
    after_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if kind == "glassnet":
        model = c.glassnet_mlp(SIZES, seed=0)
        model.compile(
            loss="categorical_crossentropy",
            optimizer=c.glassnet_optimizer("adam", 1e-3),
        )
        model.fit(X, y, epochs=1, batch_size=128, shuffle=True)
    elif kind == "torch":
        torch = c.import_torch()
        model = c.torch_mlp(SIZES, seed=0)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
        gen = torch.Generator().manual_seed(0)
        c.torch_epoch(model, opt, torch.from_numpy(X), torch.from_numpy(y), 128, gen)
    # ru_maxrss is in kilobytes on Linux
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_mb": peak, "after_load_mb": after_load, "source": source}))


def peak_rss(kind: str, n_train: int | None) -> dict:
    cmd = [sys.executable, __file__, "--child", kind]
    if n_train is not None:
        cmd += ["--n-train", str(n_train)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": f"exit {done.returncode}: {last}"[:160]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        child(args.child, args.n_train)
        return 0
    c.banner("Start-up time and peak memory")
    print(c.environment(with_blas=False), flush=True)
    t0 = time.perf_counter()
    times = time_imports(args.runs)
    extra_ms = 1e3 * (c.med(times["import glassnet"]) - c.med(times["import numpy"]))
    rows = [[k, c.spread(v, scale=1e3)] for k, v in times.items()]
    print(
        c.table(
            ["command (python -c ...)", f"ms, median (min–max) of {args.runs}"],
            rows,
            title="Start-up: fresh processes, alternated",
        )
    )
    full = [k for k in times if "Sequential" in k][0]
    used_ms = 1e3 * (c.med(times[full]) - c.med(times["import numpy"]))
    print(
        f"import glassnet costs {extra_ms:+.1f} ms over import numpy: "
        f"{c.verdict(extra_ms, TARGETS['import_ms'])}; with Sequential, Dense and "
        f"optimizers loaded: {used_ms:+.1f} ms "
        f"({c.verdict(used_ms, TARGETS['import_ms'])})\n"
    )

    results = {
        kind: peak_rss(kind, args.n_train) for kind in ("data", "glassnet", "torch")
    }
    labels = {
        "data": "load MNIST only",
        "glassnet": "glassnet, one Adam epoch",
        "torch": "PyTorch, one Adam epoch",
    }
    rows = [
        ["float32 training set (60,000 × 784 × 4 B)", f"{c.MNIST_TRAIN_MB:.0f}", ""]
    ]
    for kind, res in results.items():
        if "error" in res:
            rows.append([labels[kind], "n/a", res["error"]])
        else:
            rows.append(
                [
                    labels[kind],
                    f"{res['peak_mb']:.0f}",
                    f"{res['after_load_mb']:.0f} after loading",
                ]
            )
    print(
        c.table(
            ["process", "peak RSS MB", "note"],
            rows,
            title="Peak resident memory (ru_maxrss of each child process)",
        )
    )
    source = next((r["source"] for r in results.values() if "source" in r), "?")
    print(f"data: {source}")
    if "peak_mb" in results["glassnet"]:
        peak = results["glassnet"]["peak_mb"]
        print(f"glassnet peak {peak:.0f} MB: {c.verdict(peak, TARGETS['rss_mb'])}")
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"({time.perf_counter() - t0:.0f} s; load average after: {load})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
