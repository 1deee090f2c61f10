"""Where glassnet's MNIST epoch spends its time, pass by pass, beside the floors.

Two views of one epoch of the 784-256-128-10 MLP (batch 128, float32):

1. **Per pass** (the default): a replay of the training step that makes the same
   calls as ``fit`` does (the batch gather, each layer's product, bias and
   activation, the loss, the activation's backward, the weight, bias and input
   gradient products, the optimizer step, on the model's own arrays), with a
   clock read around each. Replayed epochs alternate with real ``fit`` epochs, the
   matmul floor and a bandwidth probe, for ``--repeats`` rounds; the table gives
   each pass's median milliseconds per epoch, its share of the real epoch, and
   the least its bytes could cost at the probed bandwidth (the memory-aware
   floor's share of that pass). What the replay does not contain (Python, loop
   bookkeeping, divergence checks) shows up as the gap between the real epoch and
   the sum of the passes.
2. **cProfile** (``--cprofile``): the real ``fit`` epoch, functions by own time.

    python benchmarks/profile_epoch.py                  # SGD(0.1), full MNIST
    python benchmarks/profile_epoch.py --optimizer adam --repeats 7
    python benchmarks/profile_epoch.py --cprofile --top 30
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

import numpy as np

import _common as c

SIZES = (784, 256, 128, 10)
BATCH = 128
PASSES = {
    "gather": "batch gather (np.take of rows and labels)",
    "products_forward": "forward products x @ W",
    "bias_activation": "bias add + ReLU (one compiled loop), last layer's bias add",
    "loss": "loss forward + backward (softmax cross-entropy)",
    "activation_backward": "ReLU backward dL/dz",
    "products_weight": "weight-gradient products xᵀ @ dz",
    "bias_gradient": "bias gradient (ones @ dz)",
    "products_input": "input-gradient products dz @ Wᵀ",
    "update": "optimizer step (one flat array)",
}


class Replay:
    """The training step of ``model`` with a clock around every pass.

    It calls what ``fit``'s step calls (see ``_training.py`` and ``Dense``) on the
    model's own parameter, gradient and optimizer arrays, so it trains the model
    exactly as ``fit`` would, only slower by the clock reads (~0.1 µs each).
    """

    def __init__(self, model, X, y):
        self.model, self.X, self.y = model, X, y
        # fit hands the optimizer one flat (params, grads) pair; the same one here
        self.pairs = model._flatten()
        self.layers = model.layers
        n_out = [layer.n_out for layer in self.layers]
        f32 = np.float32
        self.xb = np.empty((BATCH, SIZES[0]), f32)
        self.yb = np.empty(BATCH, y.dtype)
        self.z = [np.empty((BATCH, k), f32) for k in n_out]
        self.dz = [np.empty((BATCH, k), f32) for k in n_out]
        self.dx = [np.empty((BATCH, layer.n_in), f32) for layer in self.layers]
        self.ones = np.ones(BATCH, f32)
        self.times = dict.fromkeys(PASSES, 0.0)

    def epoch(self) -> float:
        clock = time.perf_counter
        acc = self.times
        for key in acc:
            acc[key] = 0.0
        X, y, xb, yb = self.X, self.y, self.xb, self.yb
        layers, z, dz, dx, ones = self.layers, self.z, self.dz, self.dx, self.ones
        loss, step, pairs = self.model.loss, self.model.optimizer.step, self.pairs
        n = len(X) - len(X) % BATCH  # whole batches only
        order = self.model.rng.permutation(len(X))
        t_start = clock()
        for start in range(0, n, BATCH):
            idx = order[start : start + BATCH]
            t0 = clock()
            np.take(X, idx, axis=0, out=xb, mode="clip")
            np.take(y, idx, axis=0, out=yb, mode="clip")
            acc["gather"] += clock() - t0
            a = xb
            for i, layer in enumerate(layers):
                W, b = layer.params["W"], layer.params["b"]
                t0 = clock()
                np.dot(a, W, out=z[i])
                t1 = clock()
                if layer._act is not None:
                    layer._act.forward_biased(z[i], b.reshape(1, -1))
                else:
                    np.add(z[i], b.reshape(1, -1), out=z[i])
                t2 = clock()
                acc["products_forward"] += t1 - t0
                acc["bias_activation"] += t2 - t1
                a = z[i]
            t0 = clock()
            loss.forward(yb, a)
            grad = loss.backward()
            acc["loss"] += clock() - t0
            for i in range(len(layers) - 1, -1, -1):
                layer = layers[i]
                t0 = clock()
                if layer._act is not None:
                    grad = layer._act.backward(grad, out=dz[i])
                t1 = clock()
                np.dot((xb if i == 0 else z[i - 1]).T, grad, out=layer.grads["W"])
                t2 = clock()
                np.dot(ones, grad, out=layer.grads["b"])
                t3 = clock()
                if i > 0:
                    grad = np.dot(grad, layer.params["W"].T, out=dx[i])
                t4 = clock()
                acc["activation_backward"] += t1 - t0
                acc["products_weight"] += t2 - t1
                acc["bias_gradient"] += t3 - t2
                acc["products_input"] += t4 - t3
            t0 = clock()
            step(pairs)
            acc["update"] += clock() - t0
        return clock() - t_start


def pass_floors(memory: c.MemoryFloor, bw, steps: int) -> dict[str, float]:
    """The least each pass's bytes cost per epoch at the probed bandwidth.

    The elementwise bytes of ``c.step_bytes``, split by pass (the bias gradient
    of the hidden layers counted inside the activation's backward pass).
    """
    seconds = memory.pass_seconds(bw)
    cache_bw = c.best_bandwidth(bw, "params", "triad") * 1e9
    b, f = BATCH, 4
    hidden, k = sum(SIZES[1:-1]), SIZES[-1]
    per_step = {
        "bias_activation": 2 * b * (hidden + k) * f,
        "loss": 2 * b * k * f + b * 8,
        "activation_backward": 3 * b * hidden * f,
        "bias_gradient": b * k * f,
    }
    out = {key: value * steps / cache_bw for key, value in per_step.items()}
    out["gather"] = seconds["gather"]
    out["update"] = seconds["update"]
    return out


def per_pass(args, model, X, y) -> str:
    replay = Replay(model, X, y)
    floor = c.MatmulFloor(SIZES, BATCH)
    memory = c.MemoryFloor(SIZES, BATCH, len(X), args.optimizer)
    probes: list[dict] = []
    rows: list[dict[str, float]] = []

    def fit_epoch() -> None:
        model.fit(X, y, epochs=1, batch_size=BATCH, verbose=0)

    def replay_epoch() -> float:
        elapsed = replay.epoch()
        rows.append(dict(replay.times))
        return elapsed

    def floor_epoch() -> float:
        t0 = time.perf_counter()
        floor.epoch(X)
        elapsed = time.perf_counter() - t0
        probes.append(c.stream_bandwidth(memory.probe_sizes()))
        return elapsed

    times = c.alternate(
        {"fit": fit_epoch, "replay": replay_epoch, "floor": floor_epoch},
        args.repeats,
        warmup=1,
    )
    rows, probes = rows[-args.repeats :], probes[-args.repeats :]
    fit_s = c.med(times["fit"])
    floors = [pass_floors(memory, bw, len(X) // BATCH) for bw in probes]
    table_rows = []
    total = 0.0
    for key, what in PASSES.items():
        seconds = c.med([r[key] for r in rows])
        total += seconds
        least = c.med([f[key] for f in floors]) if key in floors[0] else None
        table_rows.append(
            [
                key,
                what,
                f"{seconds * 1e3:.1f}",
                f"{seconds / fit_s:.0%}",
                "products"
                if key.startswith("products")
                else (f"{least * 1e3:.1f}" if least is not None else "-"),
            ]
        )
    products = sum(
        c.med([r[k] for r in rows]) for k in PASSES if k.startswith("products")
    )
    table_rows.append(
        [
            "rest",
            "Python, loop and fit's bookkeeping (real epoch − Σ passes)",
            f"{(fit_s - total) * 1e3:.1f}",
            f"{(fit_s - total) / fit_s:.0%}",
            "0",
        ]
    )
    memfloor = c.med(
        [memory.seconds(f, bw) for f, bw in zip(times["floor"], probes, strict=True)]
    )
    lines = [
        c.table(
            ["pass", "what", "ms/epoch", "share of fit's epoch", "memory floor ms"],
            table_rows,
            title=f"One {args.optimizer} epoch, pass by pass (median of "
            f"{args.repeats} replayed epochs, {len(X) // BATCH} batches)",
        ),
        "",
        f"fit epoch {c.spread(times['fit'])} s; replayed epoch "
        f"{c.spread(times['replay'])} s; matmul floor {c.spread(times['floor'])} s; "
        f"memory-aware floor {memfloor:.3f} s",
        f"products in the replay {products:.3f} s against the floor's "
        f"{c.med(times['floor']):.3f} s; fit / matmul floor "
        f"{fit_s / c.med(times['floor']):.2f}×",
        "",
        c.bandwidth_table(probes, memory.probe_sizes()),
    ]
    return "\n".join(lines)


def cprofiled(args, model, X, y) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    model.fit(X, y, epochs=1, batch_size=BATCH)
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("tottime")
    stats.print_stats(args.top)
    return stream.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    parser.add_argument("--repeats", type=int, default=5, help="alternated rounds")
    parser.add_argument("--cprofile", action="store_true", help="cProfile view")
    parser.add_argument("--top", type=int, default=25, help="cProfile rows")
    parser.add_argument("--quick", action="store_true", help="512 generated rows")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 1
    lr = {"sgd": 0.1, "adam": 1e-3}[args.optimizer]
    X, y, _, _, source = c.load_mnist(
        n_train=512 if args.quick else None, generated=args.quick
    )
    model = c.glassnet_mlp(SIZES, seed=0)
    model.compile(
        loss="categorical_crossentropy",
        optimizer=c.glassnet_optimizer(args.optimizer, lr),
    )
    model.fit(X, y, epochs=1, batch_size=BATCH)  # warm-up: buffers, optimizer state
    c.banner(f"Profile of one glassnet epoch, {args.optimizer}, batch {BATCH}")
    print(c.environment())
    print(f"data: {source}\n", flush=True)
    if args.cprofile:
        print(cprofiled(args, model, X, y))
    else:
        print(per_pass(args, model, X, y))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
