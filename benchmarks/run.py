"""Run the glassnet benchmarks and print their five tables.

Each workload is its own script, run here in a fresh child process so that one
workload's memory, threads and imports do not colour the next:

    mnist     mnist_mlp.py       s per MNIST epoch: PyTorch, sklearn, matmul floor
    scaling   scaling.py         widths x batch sizes: ratios to PyTorch and floor
    article   article_net.py     the article's 2-2-1 network, µs per sample step
    accuracy  accuracy.py        test accuracy per epoch, time to 98 %
    startup   startup_memory.py  import time and peak memory

    python benchmarks/run.py                          # everything (3-4 minutes)
    python benchmarks/run.py --quick                  # smoke run of everything
    python benchmarks/run.py --only mnist,article     # a selection
    python benchmarks/run.py --only mnist --unset-openblas-env
        # also measure MNIST with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from
        # that one child's environment (how NumPy runs on a user's machine)
"""

from __future__ import annotations

import argparse
import datetime
import shlex
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = {
    "mnist": "mnist_mlp.py",
    "scaling": "scaling.py",
    "article": "article_net.py",
    "accuracy": "accuracy.py",
    "startup": "startup_memory.py",
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument("--quick", action="store_true", help="smoke run of each script")
    parser.add_argument(
        "--only",
        default=",".join(SCRIPTS),
        help=f"comma-separated workloads out of {','.join(SCRIPTS)}",
    )
    parser.add_argument(
        "--unset-openblas-env",
        action="store_true",
        help="also run the MNIST workload in a child process without "
        "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (this process's environment and "
        "every other child's stay as they are)",
    )
    parser.add_argument("--epochs", type=int, help="accuracy: epochs (20)")
    parser.add_argument("--seeds", type=int, help="accuracy: seeds (3)")
    parser.add_argument("--repeats", type=int, help="mnist/scaling/article: rounds")
    args = parser.parse_args(argv)
    args.only = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = [w for w in args.only if w not in SCRIPTS]
    if unknown:
        parser.error(
            f"--only takes {', '.join(SCRIPTS)}. Received: {', '.join(unknown)}"
        )
    return args


def script_args(name: str, args) -> list[str]:
    extra = ["--quick"] if args.quick else []
    if args.repeats is not None and name in ("mnist", "scaling", "article"):
        extra += ["--repeats", str(args.repeats)]
    if name == "accuracy":
        if args.epochs is not None:
            extra += ["--epochs", str(args.epochs)]
        if args.seeds is not None:
            extra += ["--seeds", str(args.seeds)]
    return extra


def run_script(name: str, extra: list[str]) -> int:
    cmd = [sys.executable, str(HERE / SCRIPTS[name]), *extra]
    print(f"\n$ {shlex.join(cmd[1:])}", flush=True)
    return subprocess.run(cmd, check=False).returncode


def main(argv=None) -> int:
    args = parse_args(argv)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"# glassnet benchmarks, {now}")
    print(f"command: python benchmarks/run.py {shlex.join(sys.argv[1:])}".rstrip())
    t0 = time.perf_counter()
    failures = []
    for name in SCRIPTS:
        if name not in args.only:
            continue
        extra = script_args(name, args)
        if run_script(name, extra) != 0:
            failures.append(name)
        if name == "mnist" and args.unset_openblas_env:
            # A smoke run only needs to show the kernel switch: NumPy's side suffices.
            only = ["--contenders", "glassnet,floor"] if args.quick else []
            if run_script(name, [*extra, *only, "--unset-openblas-env"]) != 0:
                failures.append("mnist (OPENBLAS_* unset)")
    print(f"\nall done in {time.perf_counter() - t0:.0f} s", flush=True)
    if failures:
        print(f"failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
