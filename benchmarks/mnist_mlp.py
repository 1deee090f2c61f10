"""MNIST MLP: seconds per epoch for glassnet, PyTorch, scikit-learn, the matmul floor.

784-256-128-10, ReLU, softmax cross-entropy from logits, batch 128, float32, the
60,000 MNIST training images, one epoch per timed call. The contenders run in turn
(A B C D E A B C D E ...) for several rounds; medians with min and max are reported.

PyTorch runs twice: with ``fused=True`` optimizers and with ``SGD(params, lr)`` /
``Adam(params, lr)`` as most code writes them (the default single-tensor
implementation). Neither is the faster one for every optimizer (fused wins for
Adam, the default for SGD here), so the PyTorch target is judged against whichever
of the two has the lower median in this run; both ratios are printed.

glassnet also runs a second time as "glassnet (pure NumPy)": the same training with
its optional compiled loops (``glassnet._kernels``: the optimizer updates and ReLU's
passes) switched off for that contender's epochs only, to show what they
contribute. Its ratios are information; the targets are judged on ``glassnet`` as
installed. It is skipped (with a note) when the compiled loops are off anyway.

    python benchmarks/mnist_mlp.py                 # the full run (a few minutes)
    python benchmarks/mnist_mlp.py --quick         # a smoke run on 512 rows
    python benchmarks/mnist_mlp.py --unset-openblas-env   # the same, in a child process
                                                   # without OPENBLAS_CORETYPE/L2_SIZE
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import warnings

import _common as c

SIZES = (784, 256, 128, 10)
BATCH = 128
LEARNING_RATES = {"sgd": 0.1, "adam": 1e-3}
CONTENDERS = (
    "glassnet",
    "glassnet_numpy",
    "torch",
    "torch_default",
    "jax_scan",
    "jax_step",
    "sklearn",
    "floor",
)
# Verdicts only against the strongest peers; torch_default and each JAX way alone
# are information (judged against the faster of each pair).
TARGETS = {"torch": 0.80, "jax": 1.0, "sklearn": 0.60, "floor": 1.3, "memfloor": 1.2}
INFO = {
    "torch": "info (judged below against the faster PyTorch)",
    "torch_default": "info (judged below against the faster PyTorch)",
    "jax_scan": "info (judged below against the faster JAX)",
    "jax_step": "info (judged below against the faster JAX)",
}
MATMUL_SHARE = 0.80  # issue 15: of the SGD epoch


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--repeats", type=int, default=None, help="timed rounds (5)")
    parser.add_argument("--n-train", type=int, default=None, help="training rows used")
    parser.add_argument("--optimizers", default="sgd,adam")
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument(
        "--torch-impl",
        choices=("default", "foreach", "fused"),
        default="fused",
        help="torch.optim implementation of the first PyTorch: fused, foreach, or "
        "default (what SGD/Adam(params, lr) pick)",
    )
    parser.add_argument(
        "--unset-openblas-env",
        action="store_true",
        help="re-run in a child process with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE "
        "removed from that child's environment only",
    )
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 1 if args.quick else 5
    if args.n_train is None and args.quick:
        args.n_train = 512
    return args


# ---------------------------------------------------------------- the contenders


def make_glassnet(X, y, optimizer: str, seed: int = 0):
    model = c.glassnet_mlp(SIZES, seed=seed)
    model.compile(
        loss="categorical_crossentropy",
        optimizer=c.glassnet_optimizer(optimizer, LEARNING_RATES[optimizer]),
    )

    def epoch() -> None:
        model.fit(X, y, epochs=1, batch_size=BATCH, shuffle=True, verbose=0)

    return epoch


def make_glassnet_numpy(X, y, optimizer: str, seed: int = 0):
    """glassnet's epoch with the compiled loops off: the NumPy passes only.

    glassnet reads ``glassnet._fused.KERNELS`` at every call that could use a
    compiled loop, so setting it to None for the duration of this contender's
    epoch (and putting it back afterwards, whatever happens) runs exactly the pure
    NumPy path, bit-identical, while the other contenders keep the compiled loops.
    """
    from glassnet import _fused

    inner = make_glassnet(X, y, optimizer, seed)

    def epoch() -> None:
        saved = _fused.KERNELS
        try:
            _fused.KERNELS = None
            inner()
        finally:
            _fused.KERNELS = saved

    return epoch


def initial_weights(seed: int = 0):
    """glassnet's initial weights for this seed: every contender starts from them."""
    return c.glassnet_mlp(SIZES, seed=seed).get_weights()


def make_torch(X, y, optimizer: str, impl: str = "fused", seed: int = 0):
    torch = c.import_torch()
    model = c.torch_mlp(SIZES, seed=seed)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    weights = initial_weights(seed)
    with torch.no_grad():  # glassnet's W is (n_in, n_out), torch's (n_out, n_in)
        for linear, W, b in zip(linears, weights[::2], weights[1::2], strict=True):
            linear.weight.copy_(torch.from_numpy(W.T.copy()))
            linear.bias.copy_(torch.from_numpy(b))
    # fused=True is PyTorch's fastest Adam on this CPU (an epoch: 0.53 s fused,
    # 0.62 s foreach, 0.67 s default), while for SGD the default was faster at
    # 12:01; so both run and the target is judged against the faster one.
    # impl="default" passes no flag, as SGD(params, lr) / Adam(params, lr) do.
    kwargs = {} if impl == "default" else {impl: True}
    opt_cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[optimizer]
    opt = opt_cls(model.parameters(), lr=LEARNING_RATES[optimizer], **kwargs)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)  # shared memory, no copy
    gen = torch.Generator().manual_seed(seed)

    def epoch() -> None:
        c.torch_epoch(model, opt, X_t, y_t, BATCH, gen)

    return epoch


def make_sklearn(X, y, optimizer: str, seed: int = 0):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    # Plain SGD (no momentum) and no L2 penalty, to do the same steps as the others;
    # warm_start so that each timed fit() continues training for one more epoch.
    clf = MLPClassifier(
        hidden_layer_sizes=SIZES[1:-1],
        activation="relu",
        solver=optimizer,
        alpha=0.0,
        batch_size=BATCH,
        learning_rate_init=LEARNING_RATES[optimizer],
        max_iter=1,
        shuffle=True,
        random_state=seed,
        momentum=0.0,
        nesterovs_momentum=False,
        warm_start=True,
    )

    def epoch() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)

    return epoch


# Compile seconds of the JAX contenders, {optimizer: {contender: seconds}}, and the
# bandwidth probes taken after each matmul-floor epoch, {optimizer: [probe, ...]}.
COMPILE: dict[str, dict[str, float]] = {}
PROBES: dict[str, list[dict]] = {}


def make_jax(X, y, optimizer: str, mode: str, seed: int = 0):
    import _jax

    trainer = _jax.JaxTrainer(
        X, y, initial_weights(seed), BATCH, optimizer, LEARNING_RATES[optimizer], mode
    )
    COMPILE.setdefault(optimizer, {})[f"jax_{mode}"] = trainer.compile_seconds
    return trainer.epoch


def make_jax_scan(X, y, optimizer: str, seed: int = 0):
    return make_jax(X, y, optimizer, "scan", seed)


def make_jax_step(X, y, optimizer: str, seed: int = 0):
    return make_jax(X, y, optimizer, "step", seed)


def make_floor(X, y, optimizer: str, seed: int = 0):
    """The matmul floor's epoch; after it (untimed), a memory-bandwidth probe.

    The probe (STREAM-style copy and triad, 1 and 2 threads) runs in the same
    rounds as everything else, so the memory-aware floor of each round uses that
    round's bandwidth (see ``c.MemoryFloor``).
    """
    floor = c.MatmulFloor(SIZES, BATCH, seed=seed)
    memory = c.MemoryFloor(SIZES, BATCH, len(X), optimizer)
    probes = PROBES.setdefault(optimizer, [])

    def epoch() -> float:
        t0 = time.perf_counter()
        floor.epoch(X)
        elapsed = time.perf_counter() - t0
        probes.append(c.stream_bandwidth(memory.probe_sizes()))
        return elapsed

    return epoch


def make_torch_default(X, y, optimizer: str, seed: int = 0):
    return make_torch(X, y, optimizer, "default", seed)


MAKERS = {
    "glassnet": make_glassnet,
    "glassnet_numpy": make_glassnet_numpy,
    "torch": make_torch,
    "torch_default": make_torch_default,
    "jax_scan": make_jax_scan,
    "jax_step": make_jax_step,
    "sklearn": make_sklearn,
    "floor": make_floor,
}
LABELS = {
    "glassnet": "glassnet",
    "glassnet_numpy": "glassnet (pure NumPy)",
    "torch": "PyTorch (fused)",
    "torch_default": "PyTorch (default optim)",
    "jax_scan": "JAX (epoch in lax.scan)",
    "jax_step": "JAX (jit step)",
    "sklearn": "scikit-learn",
    "floor": "matmul floor",
    "memfloor": "memory-aware floor",
}


def labels(torch_impl: str = "fused") -> dict[str, str]:
    """LABELS with the judged PyTorch named by its --torch-impl."""
    return {**LABELS, "torch": f"PyTorch ({torch_impl})"}


# ---------------------------------------------------------------------- running


def measure(args, X, y) -> dict[str, dict[str, list[float] | str]]:
    """{optimizer: {contender: times or an error message}}."""
    results = {}
    for optimizer in args.optimizers.split(","):
        contenders, failed = {}, {}
        for name in args.contenders.split(","):
            try:
                if name == "torch":
                    fn = make_torch(X, y, optimizer, args.torch_impl)
                else:
                    fn = MAKERS[name](X, y, optimizer)
                fn()  # the warm-up epoch; also proves the contender runs at all
                contenders[name] = fn
            except Exception as error:  # a library still being written, a missing peer
                failed[name] = f"failed: {type(error).__name__}: {error}"[:160]
        print(
            f"timing {optimizer}: {', '.join(contenders)}", file=sys.stderr, flush=True
        )
        times = c.alternate(contenders, args.repeats, warmup=0)
        results[optimizer] = {**times, **failed}
        if isinstance(times.get("floor"), list):
            # one probe per floor epoch; the first was the warm-up's
            probes = PROBES[optimizer][-len(times["floor"]) :]
            PROBES[optimizer] = probes
            memory = c.MemoryFloor(SIZES, BATCH, len(X), optimizer)
            results[optimizer]["memfloor"] = [
                memory.seconds(f, bw)
                for f, bw in zip(times["floor"], probes, strict=True)
            ]
    return results


def report(results, source: str, unset: bool = False, torch_impl: str = "fused") -> str:
    # With OpenBLAS on its own kernel (the variables unset, as on most machines)
    # the issue asks for more against PyTorch than with this machine's pins.
    native = unset or not os.environ.get("OPENBLAS_CORETYPE")
    targets = {**TARGETS, "torch": 0.60} if native else TARGETS
    names_of = labels(torch_impl)
    names = [
        n for n in (*CONTENDERS, "memfloor") if any(n in r for r in results.values())
    ]
    rows = []
    for optimizer, res in results.items():
        row = [optimizer_label(optimizer)]
        for name in names:
            value = res.get(name, "-")
            row.append(c.spread(value) if isinstance(value, list) else "n/a")
        rows.append(row)
    out = [
        c.table(
            ["optimizer", *(f"{names_of[n]} s/epoch" for n in names)],
            rows,
            title="MNIST MLP 784-256-128-10, batch 128, float32: "
            "seconds per epoch, median (min–max)",
        )
    ]
    out.append(f"\ndata: {source}")
    compiled = [
        f"{optimizer_label(o)} {names_of[k]} {v:.2f} s"
        for o, per in COMPILE.items()
        for k, v in per.items()
    ]
    if compiled:
        out.append("JAX compile time (once, not in the epochs): " + "; ".join(compiled))
    ratio_rows = []

    def add(optimizer, label, a, b, judged):
        ratio_rows.append(
            [
                optimizer_label(optimizer),
                label,
                f"{c.ratio(a, b):.2f}×",
                f"{min(a) / min(b):.2f}×",
                judged,
            ]
        )

    for optimizer, res in results.items():
        gn = res.get("glassnet")
        if not isinstance(gn, list):
            continue
        for name in (
            "torch",
            "torch_default",
            "jax_scan",
            "jax_step",
            "sklearn",
            "floor",
            "memfloor",
        ):
            peer = res.get(name)
            if not isinstance(peer, list):
                continue
            value = c.ratio(gn, peer)
            judged = INFO[name] if name in INFO else c.verdict(value, targets[name])
            add(optimizer, f"glassnet / {names_of[name]}", gn, peer, judged)
        for kind, fastest in (("PyTorch", faster_torch(res)), ("JAX", faster_jax(res))):
            if fastest is not None:
                target = targets["torch" if kind == "PyTorch" else "jax"]
                value = c.ratio(gn, fastest)
                add(
                    optimizer,
                    f"glassnet / faster {kind}",
                    gn,
                    fastest,
                    c.verdict(value, target),
                )
        ratio_rows += numpy_rows(optimizer, res, names_of)
        if isinstance(res.get("floor"), list):
            share = c.ratio(res["floor"], gn)
            judged = (
                c.verdict(round(share, 2), MATMUL_SHARE, below=False)
                if optimizer == "sgd"
                else "info (the target is on the SGD epoch)"
            )
            ratio_rows.append(
                [
                    optimizer_label(optimizer),
                    "matmul share of glassnet",
                    f"{share:.0%}",
                    f"{min(res['floor']) / min(gn):.0%}",
                    judged,
                ]
            )
    if ratio_rows:
        out.append(
            "\n"
            + c.table(
                ["optimizer", "ratio", "of medians", "of minima", "target (medians)"],
                ratio_rows,
                title="MNIST MLP ratios",
            )
        )
    out += memory_report(results)
    for optimizer, res in results.items():
        for name, value in res.items():
            if isinstance(value, str):
                out.append(
                    f"note: {optimizer_label(optimizer)} {names_of[name]}: {value}"
                )
    return "\n".join(out)


def memory_report(results) -> list[str]:
    """The bandwidth table and, per optimizer, how the memory-aware floor adds up."""
    optimizers = [o for o in results if PROBES.get(o)]
    if not optimizers:
        return []
    sizes = c.MemoryFloor(SIZES, BATCH, N_ROWS[0], optimizers[0]).probe_sizes()
    probes = [p for o in optimizers for p in PROBES[o]]
    out = ["\n" + c.bandwidth_table(probes, sizes)]
    rows = []
    for optimizer in optimizers:
        res = results[optimizer]
        memory = c.MemoryFloor(SIZES, BATCH, N_ROWS[0], optimizer)
        moved = memory.bytes_per_epoch()
        per_round = [memory.pass_seconds(bw) for bw in PROBES[optimizer]]
        cells = [optimizer_label(optimizer), f"{c.med(res['floor']):.3f}"]
        for key in ("gather", "update", "elementwise"):
            seconds = c.med([p[key] for p in per_round])
            cells.append(f"{moved[key] / 1e6:.0f} MB → {seconds * 1e3:.1f} ms")
        cells.append(f"{c.med(res['memfloor']):.3f}")
        rows.append(cells)
    out.append(
        "\n"
        + c.table(
            [
                "optimizer",
                "matmul floor s",
                "gather (copy bw, data-sized)",
                "update (triad bw, params-sized)",
                "elementwise (triad bw, params-sized)",
                "memory-aware floor s",
            ],
            rows,
            title="The memory-aware floor: matmul floor + bytes per epoch / bandwidth",
        )
    )
    return out


# rows of the training set used (set by main), for the memory model's step count
N_ROWS = [0]


def faster_jax(res) -> list[float] | None:
    """The times of whichever JAX way has the lower median, or None."""
    ways = [res[n] for n in ("jax_scan", "jax_step") if isinstance(res.get(n), list)]
    return min(ways, key=c.med) if ways else None


def faster_torch(res) -> list[float] | None:
    """The times of whichever PyTorch contender has the lower median, or None."""
    torches = [
        res[n] for n in ("torch", "torch_default") if isinstance(res.get(n), list)
    ]
    return min(torches, key=c.med) if torches else None


def numpy_rows(optimizer: str, res, names_of: dict[str, str]) -> list[list[str]]:
    """Information rows for glassnet with its compiled loops off (no targets)."""
    pure = res.get("glassnet_numpy")
    if not isinstance(pure, list):
        return []
    label = names_of["glassnet_numpy"]
    peers = [
        ("faster PyTorch", faster_torch(res)),
        (names_of["sklearn"], res.get("sklearn")),
        (names_of["floor"], res.get("floor")),
    ]
    rows = []
    for peer_label, peer in peers:
        if isinstance(peer, list):
            rows.append(
                [
                    optimizer_label(optimizer),
                    f"{label} / {peer_label}",
                    f"{c.ratio(pure, peer):.2f}×",
                    f"{min(pure) / min(peer):.2f}×",
                    "info (targets are judged on glassnet)",
                ]
            )
    gn = res.get("glassnet")
    if isinstance(gn, list):
        rows.append(
            [
                optimizer_label(optimizer),
                f"compiled loops speed-up ({label} / glassnet)",
                f"{c.ratio(pure, gn):.2f}×",
                f"{min(pure) / min(gn):.2f}×",
                "info (> 1: the compiled loops save time)",
            ]
        )
    return rows


def optimizer_label(name: str) -> str:
    return {
        "sgd": f"SGD({LEARNING_RATES['sgd']:g})",
        "adam": f"Adam({LEARNING_RATES['adam']:g})",
    }[name]


def compiled_loops_on() -> bool:
    """True when glassnet loaded its optional compiled loops (glassnet._kernels)."""
    try:
        from glassnet._fused import KERNELS
    except ImportError:  # a glassnet without them
        return False
    return KERNELS is not None


def run_without_openblas_env(argv) -> int:
    """Re-run this script in a child whose environment lacks the OPENBLAS_* pins.

    Only the child's environment dict changes; this process's ``os.environ`` and
    the machine's settings are left exactly as they are.
    """
    child_env = {k: v for k, v in os.environ.items() if k not in c.OPENBLAS_VARS}
    child_argv = [a for a in argv if a != "--unset-openblas-env"]
    removed = ", ".join(f"{k}={os.environ.get(k, '(unset)')}" for k in c.OPENBLAS_VARS)
    print(f"\nre-running in a child process without {removed}", flush=True)
    done = subprocess.run(
        [sys.executable, __file__, *child_argv, "--label-unset"],
        env=child_env,
        check=False,
    )
    return done.returncode


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    unset_label = "--label-unset" in argv
    if unset_label:
        argv.remove("--label-unset")
    args = parse_args(argv)
    if args.unset_openblas_env:
        return run_without_openblas_env(argv)
    X, y, _, _, source = c.load_mnist(n_train=args.n_train, generated=args.quick)
    N_ROWS[0] = len(X)
    chosen = args.contenders.split(",")
    if "torch" in chosen or "torch_default" in chosen:
        c.import_torch()
    if "sklearn" in chosen:
        import sklearn  # noqa: F401  (so that its version is recorded)
    jax_note = ""
    if "jax_scan" in chosen or "jax_step" in chosen:
        try:
            import _jax

            jax_note = _jax.versions()
        except ImportError as error:  # the bench extra without JAX: say so, go on
            chosen = [n for n in chosen if not n.startswith("jax")]
            args.contenders = ",".join(chosen)
            jax_note = f"JAX not installed ({error}): its contenders skipped"
    if "glassnet" in chosen or "glassnet_numpy" in chosen:
        import glassnet  # noqa: F401
    skipped = ""
    if "glassnet_numpy" in chosen and not compiled_loops_on():
        # glassnet already runs the NumPy passes: a second run would time the same.
        chosen.remove("glassnet_numpy")
        args.contenders = ",".join(chosen)
        skipped = (
            f"note: {LABELS['glassnet_numpy']} skipped: glassnet's compiled loops "
            f"are {c.compiled_loops()}, so glassnet itself is pure NumPy here"
        )
    title = "MNIST MLP, seconds per epoch"
    if unset_label:
        title += " — OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this process"
    c.banner(title)
    print(c.environment(), flush=True)
    if jax_note:
        print(jax_note, flush=True)
    print(f"OpenBLAS kernel in use: {c.openblas_architecture()}\n", flush=True)
    if skipped:
        print(skipped + "\n", flush=True)
    t0 = time.perf_counter()
    results = measure(args, X, y)
    print(report(results, source, unset=unset_label, torch_impl=args.torch_impl))
    print(
        f"\n({time.perf_counter() - t0:.0f} s; load average after: "
        f"{', '.join(f'{v:.2f}' for v in os.getloadavg())})",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
