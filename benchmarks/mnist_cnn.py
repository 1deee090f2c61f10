"""MNIST CNN: seconds per epoch for glassnet, PyTorch (two memory formats), the floor.

The network of issue 10: Conv2D(32, 3, relu) → MaxPooling2D → Conv2D(64, 3, relu) →
MaxPooling2D → Flatten → Dropout(0.5) → Dense(10), softmax cross-entropy from
logits, Adam(1e-3), batch 128, float32, the 60,000 MNIST training images. One epoch
per timed call; the contenders run in turn (A B C D A B C D ...) after a warm-up on
a slice, medians with min and max are reported.

- ``glassnet``: ``Sequential.fit(epochs=1, batch_size=128)`` (shuffled), as a user
  writes it.
- ``torch`` / ``torch_cl``: the same network in PyTorch 2.13 on the CPU with
  ``torch.set_num_threads(2)``, the plain loop of ``_common.torch_epoch`` (fresh
  permutation, ``index_select`` batches, fused Adam), in the default NCHW memory
  format and in ``channels_last``; the target is judged against the faster one.
- ``floor``: the im2col floor, NumPy doing only the same epoch's matrix products
  (conv1: cols @ W and colsᵀ @ δ; conv2: the same and δ @ Wᵀ; the Dense layer's
  three) on preallocated, contiguous random arrays: no im2col copy, col2im,
  pooling, activation, loss or update.

Then inference (images per second through ``predict`` on the 10,000 test images,
against PyTorch's forward under ``torch.inference_mode()``) and the peak resident
memory of a fresh process training one epoch (``VmHWM``).

    python benchmarks/mnist_cnn.py                   # the full run (≈ 10 minutes)
    python benchmarks/mnist_cnn.py --quick           # a smoke run on 512 generated rows
    python benchmarks/mnist_cnn.py --unset-openblas-env   # in a child process without
                                                     # OPENBLAS_CORETYPE/L2_SIZE
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

import numpy as np

import _common as c

BATCH = 128
CONTENDERS = ("glassnet", "torch", "torch_cl", "floor")
LABELS = {
    "glassnet": "glassnet",
    "torch": "PyTorch (NCHW)",
    "torch_cl": "PyTorch (channels_last)",
    "floor": "im2col floor (NumPy matmuls only)",
}
TARGET = 1.0  # glassnet's epoch ≤ 1.0× the faster PyTorch


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--repeats", type=int, default=None, help="timed rounds (3)")
    parser.add_argument("--n-train", type=int, default=None, help="training rows used")
    parser.add_argument(
        "--contenders", default=",".join(CONTENDERS), help="comma-separated subset"
    )
    parser.add_argument(
        "--unset-openblas-env",
        action="store_true",
        help="rerun in a child process without OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE",
    )
    parser.add_argument(
        "--per-layer",
        action="store_true",
        help="only time each glassnet layer's forward and backward on one batch",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for every contender: glassnet's BLAS and torch (2)",
    )
    parser.add_argument(
        "--rss-child", choices=("glassnet", "torch"), help=argparse.SUPPRESS
    )
    return parser.parse_args(argv)


# ------------------------------------------------------------------ the contenders


# The networks: "issue" is issue 10's; the "slightly larger" ones for Fashion-MNIST:
# "dense128" adds a hidden Dense(128, relu) and Dropout(0.5) before the output
# (+205,000 weights, ~3 % more arithmetic a step); "same128" pads both convolutions
# "same" (28×28 and 14×14 outputs, 7·7·64 features) and adds a hidden Dense(128, relu)
# without a second dropout (~1.5× the arithmetic of "issue"). A name with "+translate"
# puts RandomTranslation(0.1, 0.1, fill_mode="constant") in front: in training each
# image moves by up to 2 pixels a way (no weights; the identity at predict time).
NETS = ("issue", "dense128", "same128", "issue+translate")


def _spec(net: str) -> tuple[str, int, list]:
    """(padding, flat features, head): head items ("dense", units) or ("drop",)."""
    net = net.removesuffix("+translate")
    if net == "issue":
        return "valid", 5 * 5 * 64, []
    if net == "dense128":
        return "valid", 5 * 5 * 64, [("dense", 128), ("drop",)]
    if net == "same128":
        return "same", 7 * 7 * 64, [("dense", 128)]
    raise ValueError(f"net must be one of {NETS}, got {net!r}")


def glassnet_cnn(seed: int = 0, metrics=None, net: str = "issue"):
    import glassnet as gn

    padding, _, hidden = _spec(net)
    front = []
    if net.endswith("+translate"):
        front = [gn.RandomTranslation(0.1, 0.1, fill_mode="constant")]
    head = [
        gn.Dense(item[1], activation="relu") if item[0] == "dense" else gn.Dropout(0.5)
        for item in hidden
    ]
    model = gn.Sequential(
        [
            *front,
            gn.Conv2D(32, 3, activation="relu", padding=padding),
            gn.MaxPooling2D(),
            gn.Conv2D(64, 3, activation="relu", padding=padding),
            gn.MaxPooling2D(),
            gn.Flatten(),
            gn.Dropout(0.5),
            *head,
            gn.Dense(10),
        ],
        input_shape=(28, 28, 1),
        seed=seed,
    )
    model.compile(
        optimizer=gn.optimizers.Adam(1e-3),
        loss="categorical_crossentropy",
        metrics=metrics,
    )
    return model


def torch_cnn(glassnet_model=None, channels_last: bool = False, net: str = "issue"):
    """The same network in PyTorch, starting from glassnet's weights when given."""
    import torch

    if net.endswith("+translate"):
        raise ValueError(f"no PyTorch twin for {net!r}: its shifts are glassnet's")
    nn = torch.nn
    padding, flat, hidden = _spec(net)
    pad = 1 if padding == "same" else 0  # a 3×3 kernel, stride 1: one pixel a side
    head, width = [], flat
    for item in hidden:
        if item[0] == "dense":
            head += [nn.Linear(width, item[1]), nn.ReLU(inplace=True)]
            width = item[1]
        else:
            head.append(nn.Dropout(0.5))
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=pad),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=pad),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
        nn.Flatten(),  # NCHW order: (64, h, w); glassnet flattens (h, w, 64)
        nn.Dropout(0.5),
        *head,
        nn.Linear(width, 10),
    )
    if glassnet_model is not None:
        side = int(round((flat // 64) ** 0.5))
        g_dense = [layer for layer in glassnet_model.layers if hasattr(layer, "n_out")]
        t_dense = [m for m in model if isinstance(m, nn.Linear)]
        g_conv = [glassnet_model.layers[0], glassnet_model.layers[2]]
        with torch.no_grad():
            for t_layer, g_layer in zip((model[0], model[3]), g_conv, strict=True):
                t_layer.weight.copy_(
                    torch.from_numpy(g_layer.params["W"].transpose(3, 2, 0, 1).copy())
                )
                t_layer.bias.copy_(torch.from_numpy(g_layer.params["b"]))
            for i, (t_layer, g_layer) in enumerate(zip(t_dense, g_dense, strict=True)):
                W = g_layer.params["W"]
                if i == 0:  # after Flatten: its rows from (h, w, c) to (c, h, w)
                    W = W.reshape(side, side, 64, -1).transpose(2, 0, 1, 3)
                    W = W.reshape(flat, -1)
                t_layer.weight.copy_(torch.from_numpy(W.T.copy()))
                t_layer.bias.copy_(torch.from_numpy(g_layer.params["b"]))
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    return model


def torch_images(X: np.ndarray, channels_last: bool):
    import torch

    t = torch.from_numpy(X.reshape(-1, 1, 28, 28).copy())
    return t.contiguous(memory_format=torch.channels_last) if channels_last else t


class ConvFloor:
    """Only the matrix products of one training epoch of the network, per batch."""

    def __init__(self, batch: int = BATCH, seed: int = 0):
        rng = np.random.default_rng(seed)
        f32 = np.float32
        m1, m2 = batch * 26 * 26, batch * 11 * 11

        def a(*shape):
            return rng.standard_normal(shape).astype(f32)

        self.cols1, self.W1, self.out1, self.dW1 = (
            a(m1, 9),
            a(9, 32),
            a(m1, 32),
            a(9, 32),
        )
        self.cols2, self.W2 = a(m2, 288), a(288, 64)
        self.out2, self.dW2, self.dcols2 = a(m2, 64), a(288, 64), a(m2, 288)
        self.x3, self.W3, self.out3 = a(batch, 1600), a(1600, 10), a(batch, 10)
        self.dW3, self.dx3 = a(1600, 10), a(batch, 1600)

    def step(self) -> None:
        mm = np.matmul
        mm(self.cols1, self.W1, out=self.out1)
        mm(self.cols2, self.W2, out=self.out2)
        mm(self.x3, self.W3, out=self.out3)
        mm(self.x3.T, self.out3, out=self.dW3)
        mm(self.out3, self.W3.T, out=self.dx3)
        mm(self.cols2.T, self.out2, out=self.dW2)
        mm(self.out2, self.W2.T, out=self.dcols2)
        mm(self.cols1.T, self.out1, out=self.dW1)

    def epoch(self, n: int) -> None:
        for _ in range(-(-n // BATCH)):
            self.step()


def contenders(chosen, X, y):
    import torch

    funcs = {}
    model = glassnet_cnn()
    if "glassnet" in chosen:

        def fit():
            model.fit(X, y, epochs=1, batch_size=BATCH, verbose=0)

        funcs["glassnet"] = fit
    for name, cl in (("torch", False), ("torch_cl", True)):
        if name not in chosen:
            continue
        net = torch_cnn(model, channels_last=cl)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, fused=True)
        Xt, yt = torch_images(X, cl), torch.from_numpy(y)
        gen = torch.Generator().manual_seed(0)

        def run(net=net, opt=opt, Xt=Xt, yt=yt, gen=gen):
            net.train()
            c.torch_epoch(net, opt, Xt, yt, BATCH, gen)

        funcs[name] = run
    if "floor" in chosen:
        floor = ConvFloor()
        funcs["floor"] = lambda: floor.epoch(len(X))
    return funcs, model


def inference(model, X_test):
    """Images per second: glassnet's predict and PyTorch's inference-mode forward."""
    import torch

    nets = {
        name: torch_cnn(model, channels_last=cl).eval()
        for name, cl in (("torch", False), ("torch_cl", True))
    }
    inputs = {name: torch_images(X_test, name == "torch_cl") for name in nets}

    def torch_predict(name):
        with torch.inference_mode():
            for start in range(0, len(X_test), 1000):
                nets[name](inputs[name][start : start + 1000])

    def glassnet_predict():
        model.predict(X_test)

    funcs = {
        "glassnet": glassnet_predict,
        "torch": lambda: torch_predict("torch"),
        "torch_cl": lambda: torch_predict("torch_cl"),
    }
    rounds = c.alternate(funcs, repeats=3, warmup=1, progress=False)
    return {k: [len(X_test) / t for t in v] for k, v in rounds.items()}


def peak_rss_mb(which: str, n_train: int | None, quick: bool) -> float | None:
    """ru_maxrss of a fresh process that loads the data and trains one epoch."""
    argv = [sys.executable, __file__, "--rss-child", which]
    if quick:
        argv.append("--quick")
    if n_train:
        argv += ["--n-train", str(n_train)]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    try:
        return float(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(done.stderr[-2000:], file=sys.stderr)
        return None


def rss_child(args) -> int:
    X, y, _, _, _ = c.load_mnist(n_train=args.n_train, generated=args.quick)
    X = X.reshape(-1, 28, 28, 1)
    if args.rss_child == "glassnet":
        glassnet_cnn().fit(X, y, epochs=1, batch_size=BATCH, verbose=0)
    else:
        import torch

        torch.set_num_threads(2)
        net = torch_cnn()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, fused=True)
        gen = torch.Generator().manual_seed(0)
        c.torch_epoch(net, opt, torch_images(X, False), torch.from_numpy(y), BATCH, gen)
    print(_peak_rss_kb() / 1024)
    return 0


def _peak_rss_kb() -> float:
    """This process's peak RSS: VmHWM, which exec resets (ru_maxrss inherits the
    parent's high-water mark across fork and exec on Linux)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def per_layer(repeats: int) -> None:
    """Median ms of each layer's training forward and backward on one batch of 128."""
    import glassnet as gn

    model = glassnet_cnn()
    rng = np.random.default_rng(0)
    x = rng.random((BATCH, 28, 28, 1), dtype=np.float32)
    times: dict[str, list[float]] = {}
    for round_ in range(repeats + 2):  # two untimed rounds first
        out = x
        for i, layer in enumerate(model.layers):
            t0 = time.perf_counter()
            out = layer.forward(out)
            if round_ >= 2:
                times.setdefault(f"{i} {layer!r} forward", []).append(
                    time.perf_counter() - t0
                )
        grad = np.full(out.shape, 1 / BATCH, np.float32)
        for i in range(len(model.layers) - 1, -1, -1):
            layer = model.layers[i]
            t0 = time.perf_counter()
            grad = layer.backward(grad, need_input_grad=i > 0)
            if round_ >= 2:
                times.setdefault(f"{i} {layer!r} backward", []).append(
                    time.perf_counter() - t0
                )
    total = sum(c.med(v) for v in times.values())
    rows = [
        [name, f"{1000 * c.med(v):.2f}", f"{100 * c.med(v) / total:.0f}%"]
        for name, v in times.items()
    ]
    rows.append(["total", f"{1000 * total:.2f}", "100%"])
    c.banner(f"glassnet {gn.__version__}: one batch of {BATCH}, per layer")
    print(c.table(["layer and pass", "ms (median)", "share"], rows))


# ----------------------------------------------------------------------- the run


def run_without_openblas_env(argv) -> int:
    env = {k: v for k, v in os.environ.items() if k not in c.OPENBLAS_VARS}
    argv = [a for a in argv if a != "--unset-openblas-env"]
    return subprocess.run(
        [sys.executable, __file__, *argv, "--label-unset"], env=env, check=False
    ).returncode


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    unset_label = "--label-unset" in argv
    if unset_label:
        argv.remove("--label-unset")
    args = parse_args(argv)
    if args.unset_openblas_env:
        return run_without_openblas_env(argv)
    if args.rss_child:
        return rss_child(args)
    if args.per_layer:
        if args.threads:
            from threadpoolctl import threadpool_limits

            threadpool_limits(args.threads)
        print(c.environment(), flush=True)
        per_layer(args.repeats or 20)
        return 0
    torch = c.import_torch()
    threads = args.threads or 2
    torch.set_num_threads(threads)
    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads, user_api="blas")  # glassnet's NumPy
    import glassnet  # noqa: F401

    n_train = 512 if args.quick and args.n_train is None else args.n_train
    X, y, X_test, _, source = c.load_mnist(n_train=n_train, generated=args.quick)
    X, X_test = X.reshape(-1, 28, 28, 1), X_test.reshape(-1, 28, 28, 1)
    if args.quick:
        X_test = X_test[:256]
    repeats = args.repeats or (1 if args.quick else 3)
    chosen = args.contenders.split(",")
    title = "MNIST CNN, seconds per epoch"
    if unset_label:
        title += " — OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this process"
    c.banner(title)
    print(c.environment(), flush=True)
    print(f"OpenBLAS kernel in use: {c.openblas_architecture()}", flush=True)
    print(f"data: {source}; {len(X):,} training images", flush=True)
    print(f"threads: {threads} for each contender (BLAS, torch)\n", flush=True)
    t0 = time.perf_counter()
    funcs, model = contenders(chosen, X, y)
    # warm-up on a slice (buffers, thread pools, lazy imports), then alternate
    warm = min(len(X), 4 * BATCH)
    warm_funcs, _ = contenders(chosen, X[:warm], y[:warm])
    for fn in warm_funcs.values():
        fn()
    times = c.alternate(funcs, repeats=repeats, warmup=0)
    peers = [name for name in ("torch", "torch_cl") if name in times]
    best = min(peers, key=lambda k: c.med(times[k])) if peers else None
    rows = []
    for name, values in times.items():
        row = [LABELS[name], c.spread(values)]
        row.append(
            f"{c.ratio(times['glassnet'], values):.2f}" if "glassnet" in times else "-"
        )
        rows.append(row)
    print(c.table(["contender", "s/epoch median (min–max)", "glassnet ÷ this"], rows))
    if best and "glassnet" in times:
        r = c.ratio(times["glassnet"], times[best])
        print(
            f"\nglassnet ÷ faster PyTorch ({LABELS[best]}): {r:.2f} — "
            f"{c.verdict(r, TARGET)}"
        )
    if "floor" in times and "glassnet" in times:
        share = c.med(times["floor"]) / c.med(times["glassnet"])
        print(
            f"im2col floor ÷ glassnet: {share:.2f} (the matrix products are "
            f"{100 * share:.0f}% of glassnet's epoch)"
        )
    # inference: a model trained for the rounds above (weights matter little)
    if "glassnet" in times and peers:
        ips = inference(model, X_test)
        rows = [
            [LABELS[k], c.spread(v, digits=4), f"{c.ratio(ips['glassnet'], v):.2f}"]
            for k, v in ips.items()
        ]
        c.banner(f"Inference on {len(X_test):,} test images, images per second")
        print(
            c.table(["contender", "images/s median (min–max)", "glassnet ÷ this"], rows)
        )
    c.banner("Peak resident memory, a fresh process training one epoch")
    rows = []
    for which in ("glassnet", "torch"):
        mb = peak_rss_mb(which, n_train, args.quick)
        note = c.verdict(mb, 1500) if which == "glassnet" and mb else ""
        rows.append([which, "failed" if mb is None else f"{mb:.0f} MB", note])
    print(c.table(["process", "peak RSS (VmHWM)", "target ≤ 1.5 GB"], rows))
    print(
        f"\n({time.perf_counter() - t0:.0f} s; load average after: "
        f"{', '.join(f'{v:.2f}' for v in os.getloadavg())})",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
