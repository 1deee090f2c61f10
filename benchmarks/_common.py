"""Shared pieces of the benchmark scripts: data, models, timing, tables, environment.

Every benchmark script imports this module from its own folder (``python
benchmarks/x.py`` puts ``benchmarks/`` on ``sys.path``). Nothing here is part of
glassnet: the glassnet side uses only the public API (``gn.Sequential``,
``gn.Dense``, ``gn.optimizers``, ``compile``/``fit``/``evaluate``,
``glassnet.datasets``, ``glassnet.article``).
"""

from __future__ import annotations

import gzip
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
MNIST_SHAPE = (60_000, 784)
# The float32 MNIST training set: 60,000 x 784 x 4 bytes.
MNIST_TRAIN_MB = MNIST_SHAPE[0] * MNIST_SHAPE[1] * 4 / 1e6
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# ---------------------------------------------------------------------------- data


def data_root() -> Path | None:
    """The folder holding ``mnist/`` and ``fashion-mnist/``, or None when absent.

    ``GLASSNET_DATA`` wins when set (it may name the root or the dataset folder's
    parent); otherwise ``../shared/data`` relative to the repository.
    """
    candidates = []
    if os.environ.get("GLASSNET_DATA"):
        candidates.append(Path(os.environ["GLASSNET_DATA"]))
    candidates.append(REPO.parent / "shared" / "data")
    for root in candidates:
        if (root / "mnist").is_dir() or (root / "fashion-mnist").is_dir():
            return root
    return None


def _read_idx(path: Path) -> np.ndarray:
    """Read one gzipped IDX file (the original MNIST format) into a uint8 array."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = tuple(
        int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _scale(images: np.ndarray) -> np.ndarray:
    """uint8 images -> float32 rows in [0, 1], without a float64 temporary."""
    x = images.reshape(len(images), -1).astype(np.float32)
    x *= np.float32(1 / 255)
    return x


def _load_with_glassnet(name: str, folder: Path):
    """``glassnet.datasets.<name>(folder)`` as (Xtr, ytr, Xte, yte), or None."""
    try:
        from glassnet import datasets

        loader = getattr(datasets, name.replace("-", "_"))
        (xtr, ytr), (xte, yte) = loader(folder, dtype="float32")
    except Exception as error:  # the module may be half-written while we work
        print(f"glassnet.datasets failed ({error}); reading IDX here", file=sys.stderr)
        return None
    return xtr, ytr, xte, yte


def load_mnist(
    name: str = "mnist",
    n_train: int | None = None,
    generated_ok: bool = True,
    generated: bool = False,
):
    """MNIST (or ``"fashion-mnist"``) as float32 rows in [0, 1] and int64 labels.

    Returns ``(X_train, y_train, X_test, y_test, source)`` where ``source`` says
    where the data came from. When the files are absent and ``generated_ok``,
    same-shaped random data stands in (good for timing, meaningless for accuracy);
    otherwise ``None`` is returned. ``generated=True`` skips the files (the
    ``--quick`` smoke runs, which only check that a script works).
    """
    root = data_root()
    folder = root / name if root is not None else None
    have_files = folder is not None and (folder / "train-images-idx3-ubyte.gz").exists()
    if have_files and not generated:
        arrays = _load_with_glassnet(name, folder)
        how = "glassnet.datasets"
        if arrays is None:
            how = "benchmarks IDX reader (glassnet.datasets not usable)"
            arrays = tuple(
                _read_idx(
                    folder / f"{part}-{kind}-idx{3 if kind == 'images' else 1}-ubyte.gz"
                )
                for part in ("train", "t10k")
                for kind in ("images", "labels")
            )
        xtr, ytr, xte, yte = (np.asarray(a) for a in arrays)
        xtr, xte = (_as_rows(x) for x in (xtr, xte))
        ytr, yte = (_as_labels(y) for y in (ytr, yte))
        source = f"{name} from {folder} via {how}"
    elif generated_ok or generated:
        rng = np.random.default_rng(0)
        n = MNIST_SHAPE[0] if n_train is None else min(n_train, MNIST_SHAPE[0])
        xtr = rng.random((n, 784), dtype=np.float32)
        ytr = rng.integers(0, 10, n)
        xte = rng.random((min(n, 10_000), 784), dtype=np.float32)
        yte = rng.integers(0, 10, len(xte))
        why = "--quick" if generated else f"{name} files not found"
        source = f"GENERATED random data of MNIST's row shape ({why})"
    else:
        return None
    if n_train is not None and n_train < len(xtr):
        xtr, ytr = np.ascontiguousarray(xtr[:n_train]), ytr[:n_train].copy()
        source += f", first {n_train} training rows"
    return xtr, ytr, xte, yte, source


def _as_rows(x: np.ndarray) -> np.ndarray:
    x = x.reshape(len(x), -1)
    if x.dtype == np.uint8:
        return _scale(x)
    x = np.ascontiguousarray(x, dtype=np.float32)
    if x.max() > 1.5:  # a loader that returned 0..255 floats
        x *= np.float32(1 / 255)
    return x


def _as_labels(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2:  # one-hot
        y = y.argmax(axis=1)
    return y.astype(np.int64)


# -------------------------------------------------------------------------- models


def import_torch():
    """Import PyTorch and pin it to two threads, as every comparison here does."""
    import torch

    torch.set_num_threads(2)
    return torch


def torch_mlp(sizes: Sequence[int], seed: int, dtype=None, final=None):
    """An ``nn.Sequential`` of Linear+ReLU layers, glorot-uniform weights, zero biases.

    The same initialisation scheme as glassnet's ``Dense`` default
    (``weight_init="glorot_uniform"``, ``bias_init="zeros"``).
    """
    torch = import_torch()
    from torch import nn

    torch.manual_seed(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        linear = nn.Linear(n_in, n_out)
        nn.init.xavier_uniform_(linear.weight)
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(nn.ReLU(inplace=True))
    if final is not None:
        layers.append(final)
    model = nn.Sequential(*layers)
    return model.to(dtype if dtype is not None else torch.float32)


def torch_epoch(
    model, optimizer, X, y, batch_size: int, generator, scheduler=None
) -> float:
    """One epoch of the fastest plain PyTorch loop; returns the mean batch loss.

    A fresh permutation per epoch, each batch gathered by ``index_select``, no
    DataLoader, ``zero_grad(set_to_none=True)``; ``scheduler.step()`` after every
    update when a learning-rate scheduler is given.
    """
    import torch
    import torch.nn.functional as F

    n = X.shape[0]
    perm = torch.randperm(n, generator=generator)
    total = torch.zeros((), dtype=torch.float64)
    for start in range(0, n, batch_size):
        idx = perm[start : start + batch_size]
        xb = X.index_select(0, idx)
        yb = y.index_select(0, idx)
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total += loss.detach()
    return float(total) / -(-n // batch_size)


def torch_accuracy(model, X, y, batch_size: int = 10_000) -> float:
    """Test accuracy of a PyTorch classifier (logits out)."""
    import torch

    correct = 0
    with torch.inference_mode():
        for start in range(0, X.shape[0], batch_size):
            logits = model(X[start : start + batch_size])
            correct += int((logits.argmax(1) == y[start : start + batch_size]).sum())
    return correct / X.shape[0]


def glassnet_mlp(sizes: Sequence[int], seed: int, dtype: str = "float32"):
    """The glassnet ``Sequential`` twin of :func:`torch_mlp` (logits out)."""
    import glassnet as gn

    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        hidden = i < len(sizes) - 2
        layers.append(
            gn.Dense(
                n_in,
                n_out,
                activation="relu" if hidden else None,
                weight_init="glorot_uniform",
            )
        )
    return gn.Sequential(layers, seed=seed, dtype=dtype)


def glassnet_optimizer(name: str, learning_rate: float):
    import glassnet as gn

    cls = {"sgd": gn.optimizers.SGD, "adam": gn.optimizers.Adam}[name]
    return cls(learning_rate=learning_rate)


def torch_optimizer(name: str, params, learning_rate: float):
    import torch

    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[name]
    return cls(params, lr=learning_rate)


class MatmulFloor:
    """Only the matrix products of an MLP's training step, into preallocated buffers.

    Forward ``a @ W`` per layer; backward ``a.T @ delta`` (weight gradient) per layer
    and ``delta @ W.T`` (input gradient) for every layer but the first. No bias,
    activation, loss, gather or update: what remains is the BLAS time that any
    implementation of this step must spend, the physical floor on this machine.
    """

    def __init__(self, sizes: Sequence[int], batch_size: int, seed: int = 0):
        rng = np.random.default_rng(seed)
        pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
        f32 = np.float32
        self.batch_size = batch_size
        self.W = [
            (rng.standard_normal((a, b)) / np.sqrt(a)).astype(f32) for a, b in pairs
        ]
        self.dW = [np.empty((a, b), f32) for a, b in pairs]
        self.acts = [np.empty((batch_size, b), f32) for _, b in pairs]
        self.deltas = [np.empty((batch_size, a), f32) for a, _ in pairs]
        self.grad_out = (rng.standard_normal((batch_size, sizes[-1])) * 1e-2).astype(
            f32
        )

    def epoch(self, X: np.ndarray) -> None:
        n, bs = X.shape[0], self.batch_size
        for start in range(0, n, bs):
            xb = X[start : start + bs]
            b = xb.shape[0]
            inputs = [xb]
            for W, act in zip(self.W, self.acts, strict=True):
                np.matmul(inputs[-1], W, out=act[:b])
                inputs.append(act[:b])
            delta = self.grad_out[:b]
            for i in range(len(self.W) - 1, -1, -1):
                np.matmul(inputs[i].T, delta, out=self.dW[i])
                if i > 0:
                    np.matmul(delta, self.W[i].T, out=self.deltas[i][:b])
                    delta = self.deltas[i][:b]


# ------------------------------------------------------ memory bandwidth and bytes


def _triad_loop():
    """(loop, name): ``a = a - b·s`` as one pass (3 streams), or NumPy's two passes.

    glassnet's compiled SGD loop is exactly the STREAM triad's shape (read a and b,
    write a, one multiply and one subtract per element); without the compiled loops
    NumPy needs a temporary pass, which moves more bytes than it is credited with.
    """
    try:
        from glassnet._fused import KERNELS
    except ImportError:
        KERNELS = None
    if KERNELS is not None:

        def loop(a, b, tmp):
            KERNELS.sgd(a, b, 0.5, 0.0)

        return loop, "glassnet._kernels.sgd"

    def numpy_loop(a, b, tmp):
        np.multiply(b, np.float32(0.5), out=tmp)
        np.subtract(a, tmp, out=a)

    return numpy_loop, "NumPy multiply+subtract (no compiled loops)"


def _stream_once(kind: str, arrays, threads: int, loops: int) -> float:
    """Best-of-three seconds for ``loops`` passes of ``kind`` over ``arrays``.

    With 2 threads each thread takes its own half of the arrays and runs all its
    passes between one barrier and its end (no hand-off per pass).
    """
    import threading

    triad, _ = _triad_loop()
    n = len(arrays[0])
    cuts = [0, n // 2, n] if threads == 2 else [0, n]
    parts = [
        tuple(x[lo:hi] for x in arrays)
        for lo, hi in zip(cuts[:-1], cuts[1:], strict=True)
    ]

    def work(a, b, tmp):
        if kind == "copy":
            for _ in range(loops):
                np.copyto(a, b)
        else:
            for _ in range(loops):
                triad(a, b, tmp)

    best = float("inf")
    for _ in range(3):
        if threads == 1:
            t0 = time.perf_counter()
            work(*parts[0])
            best = min(best, time.perf_counter() - t0)
            continue
        gate = threading.Barrier(threads + 1)

        def run(part, gate=gate):
            gate.wait()
            work(*part)

        pool = [threading.Thread(target=run, args=(p,)) for p in parts]
        for thread in pool:
            thread.start()
        gate.wait()
        t0 = time.perf_counter()
        for thread in pool:
            thread.join()
        best = min(best, time.perf_counter() - t0)
    return best


_STREAM_ARRAYS: dict[int, tuple[np.ndarray, ...]] = {}


def stream_bandwidth(sizes: dict[str, int]) -> dict[tuple[str, str, int], float]:
    """STREAM-style copy and triad bandwidth in GB/s, 1 and 2 threads, per size.

    ``sizes`` maps a label to a float32 count per array. Bytes are counted as
    STREAM counts them: copy moves 2 arrays (read b, write a), the triad 3 (read a
    and b, write a). Each figure is the best of three timings (the least disturbed
    by other work), each timing at least ~20 MB of traffic. Returns
    ``{(size_label, "copy"|"triad", threads): GB/s}``.
    """
    out = {}
    for label, n in sizes.items():
        arrays = _STREAM_ARRAYS.get(n)
        if arrays is None:  # allocated and touched once per process
            arrays = _STREAM_ARRAYS[n] = tuple(np.ones(n, np.float32) for _ in "abc")
        for kind, streams in (("copy", 2), ("triad", 3)):
            loops = max(1, int(20e6 // (streams * 4 * n)))
            for threads in (1, 2):
                seconds = _stream_once(kind, arrays, threads, loops)
                out[label, kind, threads] = streams * 4 * n * loops / seconds / 1e9
    return out


def best_bandwidth(bw: dict[tuple[str, str, int], float], label: str, kind: str):
    """The higher of the 1- and 2-thread figures: the floor uses the best case."""
    return max(bw[label, kind, 1], bw[label, kind, 2])


def step_bytes(sizes: Sequence[int], batch: int, optimizer: str) -> dict[str, int]:
    """Bytes one training step must move outside the matrix products (float32).

    The least any implementation moves, each pass fused as far as it can be:
    ``gather``: the batch's rows read from the training set and written to the
    batch (labels too, int64); ``update``: every parameter and gradient read and
    every parameter written once, plus Adam's two moment arrays read and written
    (SGD 3 streams of the parameter count, Adam 7); ``elementwise``: per hidden
    layer one bias+activation pass (read and write b×h) and one backward pass that
    reads dL/dy and y and writes dL/dz, the bias gradient summed in the same pass
    (3 b×h); for the output layer its bias add (2 b×k), the loss (read the logits,
    write their gradient, 2 b×k, labels read) and its bias gradient (read b×k).
    """
    f = 4
    n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    hidden = sizes[1:-1]
    k = sizes[-1]
    streams = {"sgd": 3, "adam": 7}[optimizer]
    return {
        "gather": 2 * batch * sizes[0] * f + 2 * batch * 8,
        "update": streams * n_params * f,
        "elementwise": sum(5 * batch * h * f for h in hidden)
        + 5 * batch * k * f
        + batch * 8,
    }


class MemoryFloor:
    """The memory-aware floor: matrix products plus the bytes that must move.

    ``seconds(matmul_s, bw)`` = the measured matmul floor of the epoch + for each
    step, the gather's bytes at the copy bandwidth of arrays the size of the
    training set (rows come from memory), and the update's and elementwise passes'
    bytes at the triad bandwidth of arrays the size of the parameters (they live in
    cache between steps), each at the better of 1 and 2 threads. Nothing overlaps:
    it is what a step costs when every pass is as lean as it can be, done after
    the products that feed it.
    """

    def __init__(
        self, sizes: Sequence[int], batch: int, n_rows: int, optimizer: str
    ) -> None:
        self.n_params = sum(
            a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        )
        self.n_data = n_rows * sizes[0]
        self.steps_full, rest = divmod(n_rows, batch)
        self.full = step_bytes(sizes, batch, optimizer)
        self.rest = step_bytes(sizes, rest, optimizer) if rest else None
        self.optimizer = optimizer

    def probe_sizes(self) -> dict[str, int]:
        return {"params": self.n_params, "data": max(self.n_data, self.n_params)}

    def bytes_per_epoch(self) -> dict[str, int]:
        total = {k: v * self.steps_full for k, v in self.full.items()}
        if self.rest is not None:
            for key, value in self.rest.items():
                total[key] += value
        return total

    def pass_seconds(self, bw) -> dict[str, float]:
        """Seconds per epoch for each kind of bytes at the measured bandwidths."""
        moved = self.bytes_per_epoch()
        data_bw = best_bandwidth(bw, "data", "copy") * 1e9
        cache_bw = best_bandwidth(bw, "params", "triad") * 1e9
        return {
            "gather": moved["gather"] / data_bw,
            "update": moved["update"] / cache_bw,
            "elementwise": moved["elementwise"] / cache_bw,
        }

    def seconds(self, matmul_s: float, bw) -> float:
        return matmul_s + sum(self.pass_seconds(bw).values())


def bandwidth_table(bws: Sequence[dict], sizes: dict[str, int]) -> str:
    """Median GB/s over rounds, per size, kind and thread count."""
    rows = []
    for label, n in sizes.items():
        for kind in ("copy", "triad"):
            cells = [f"{label} ({n * 4 / 1e6:.3g} MB/array)", kind]
            for threads in (1, 2):
                cells.append(f"{med([bw[label, kind, threads] for bw in bws]):.1f}")
            rows.append(cells)
    _, triad_name = _triad_loop()
    return table(
        ["arrays", "pass", "GB/s, 1 thread", "GB/s, 2 threads"],
        rows,
        title=f"Memory bandwidth (STREAM-style, median of rounds; triad: {triad_name})",
    )


# -------------------------------------------------------------------------- timing


def alternate(
    contenders: dict[str, Callable[[], float | None]],
    repeats: int,
    warmup: int = 1,
    progress: bool = True,
) -> dict[str, list[float]]:
    """Run the contenders A B C A B C ... and return each one's times in seconds.

    A contender is a callable that does one unit of work; it may return its own
    elapsed seconds (to leave setup out), or None to be timed around the call.
    ``warmup`` untimed rounds come first (caches, lazy imports, thread pools).
    """
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(warmup):
        for fn in contenders.values():
            fn()
    for r in range(repeats):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            own = fn()
            elapsed = time.perf_counter() - t0
            times[name].append(own if own is not None else elapsed)
        if progress:
            done = ", ".join(f"{k} {v[-1]:.3g}s" for k, v in times.items())
            print(f"  round {r + 1}/{repeats}: {done}", file=sys.stderr, flush=True)
    return times


def med(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float], scale: float = 1.0, digits: int = 3) -> str:
    """'median (min–max)' of ``values * scale``."""
    m, lo, hi = (scale * v for v in (med(values), min(values), max(values)))
    return f"{m:.{digits}g} ({lo:.{digits}g}–{hi:.{digits}g})"


def ratio(a: Sequence[float], b: Sequence[float]) -> float:
    return med(a) / med(b)


def verdict(value: float, target: float, below: bool = True) -> str:
    ok = value <= target if below else value >= target
    sign = "≤" if below else "≥"
    return f"{'MET' if ok else 'MISSED'} (target {sign} {target:g})"


# -------------------------------------------------------------------------- output


def table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = ""
) -> str:
    """A Markdown pipe table (readable in a terminal, pasteable into the README)."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    if title:  # every table names the CPU it was measured on
        lines += [f"### {title} — {cpu_name()}", ""]

    def fmt(row: list[str]) -> str:
        padded = (cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        return "| " + " | ".join(padded) + " |"

    lines.append(fmt(cells[0]))
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [fmt(r) for r in cells[1:]]
    return "\n".join(lines)


def cpu_name() -> str:
    """The CPU model, with its widest vector unit (a VM may hide the model number)."""
    name, flags = "", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and not name:
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    name = name or platform.processor() or platform.machine()
    for flag, label in (("avx512f", "AVX-512"), ("avx2", "AVX2")):
        if flag in flags:
            return f"{name}, {label}"
    return name


def environment(with_blas: bool = True) -> str:
    """Versions, CPU, load and BLAS (threadpoolctl) as a few lines of text."""
    lines = [f"python {platform.python_version()}, numpy {np.__version__}"]
    for mod in ("torch", "sklearn", "glassnet"):
        if mod in sys.modules:
            lines[0] += f", {mod} {getattr(sys.modules[mod], '__version__', '?')}"
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    lines.append(
        f"cpu: {cpu_name()}, {os.cpu_count()} logical cores, load average {load}"
    )
    env = ", ".join(f"{k}={os.environ.get(k, '(unset)')}" for k in OPENBLAS_VARS)
    lines.append(f"env: {env}")
    lines.append(f"glassnet compiled loops: {compiled_loops()}")
    if with_blas:
        lines += [f"blas: {entry}" for entry in blas_info()]
    return "\n".join(lines)


def compiled_loops() -> str:
    """Whether glassnet's optional compiled loops (``glassnet._kernels``) are in use.

    ``on (glassnet._kernels, <file>)``, or ``off (<why>)``: the environment
    variable ``GLASSNET_PURE_NUMPY`` set, or the extension not built (``pip
    install`` skips it without a C compiler). Either way the numbers are the same;
    only the optimizer updates and ReLU's passes are slower without it.
    """
    try:
        from glassnet import _fused
    except ImportError as error:  # an older glassnet, or none importable
        return f"unknown (glassnet._fused not importable: {error})"
    kernels = _fused.KERNELS
    if kernels is not None:
        return f"on (glassnet._kernels, {Path(kernels.__file__).name})"
    flag = os.environ.get("GLASSNET_PURE_NUMPY", "")
    if flag not in ("", "0"):
        return f"off (GLASSNET_PURE_NUMPY={flag})"
    try:
        from glassnet import _kernels  # noqa: F401
    except ImportError as error:
        if "_kernels" in str(error) and "cannot import name" in str(error):
            return "off (not built: no C compiler at install time?)"
        return f"off (glassnet._kernels does not load: {error})"[:200]
    return "off (glassnet._fused.KERNELS is None)"


def blas_info() -> list[str]:
    """One line per thread pool threadpoolctl sees (BLAS and OpenMP libraries)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["threadpoolctl not installed"]
    out = []
    for pool in threadpool_info():
        kernel = pool.get("architecture") or pool.get("threading_layer") or "-"
        out.append(
            f"{pool.get('internal_api')} {pool.get('version')} "
            f"kernel/corelib={kernel} threads={pool.get('num_threads')} "
            f"({Path(pool.get('filepath', '')).name})"
        )
    return out


def openblas_architecture() -> str:
    """The OpenBLAS kernel that NumPy's BLAS uses right now (e.g. Haswell, SkylakeX)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (no threadpoolctl)"
    archs = [
        f"{p.get('architecture')} ({Path(p.get('filepath', '')).name})"
        for p in threadpool_info()
        if p.get("internal_api") == "openblas"
    ]
    return ", ".join(archs) or "no OpenBLAS loaded"


def banner(title: str) -> None:
    print(f"\n## {title}\n", flush=True)
