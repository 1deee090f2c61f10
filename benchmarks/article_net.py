"""The article's network: microseconds per sample step, and the `glassnet demo` process.

2-2-1 sigmoid, mean squared error, per-sample SGD with learning rate 0.1, 1000 epochs
over the article's four people in the fixed order (no shuffling), all from the same
nine starting parameters. Contenders, alternated round by round:

- ``glassnet.article``: ``OurNeuralNetwork.train`` (scalar float64 Python);
- ``Sequential``: ``gn.Sequential`` fit with ``batch_size=1, shuffle=False``, float64;
- PyTorch: the same steps in a plain loop (float64, ``torch.optim.SGD``);
- the article's original code, written below as the post writes it (NumPy scalars,
  ``np.exp``, ``np.apply_along_axis`` for the loss every 10 epochs).

Then the wall time of whole ``glassnet demo`` processes (median of several runs).

    python benchmarks/article_net.py            # full (about a minute)
    python benchmarks/article_net.py --quick    # smoke run: 50 epochs, one round
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

import numpy as np

import _common as c

# The article's data: (weight - 135, height - 66) and gender (F = 1), as ints, as
# the post writes them.
DATA = np.array([[-2, -1], [25, 6], [17, 4], [-15, -6]])
ALL_Y_TRUES = np.array([1, 0, 0, 1])
NAMES = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")
TARGETS = {"article": 10.0, "sequential": 5.0, "demo": 1.0}


# ------------------------------------------------- the article's code, as written


def original_sigmoid(x):
    # Sigmoid activation function: f(x) = 1 / (1 + e^(-x))
    return 1 / (1 + np.exp(-x))


def original_deriv_sigmoid(x):
    # Derivative of sigmoid: f'(x) = f(x) * (1 - f(x))
    fx = original_sigmoid(x)
    return fx * (1 - fx)


def original_mse_loss(y_true, y_pred):
    # y_true and y_pred are numpy arrays of the same length.
    return ((y_true - y_pred) ** 2).mean()


class OriginalNeuralNetwork:
    """The post's ``OurNeuralNetwork``, line for line, with settable start weights.

    The only changes: the initial values are passed in (the post calls
    ``np.random.normal()`` nine times), and the loss every 10 epochs is collected
    instead of printed, so that terminal speed is not measured.
    """

    def __init__(self, start):
        for name, value in zip(NAMES, start, strict=True):
            setattr(self, name, value)
        self.log = []

    def feedforward(self, x):
        # x is a numpy array with 2 elements.
        h1 = original_sigmoid(self.w1 * x[0] + self.w2 * x[1] + self.b1)
        h2 = original_sigmoid(self.w3 * x[0] + self.w4 * x[1] + self.b2)
        o1 = original_sigmoid(self.w5 * h1 + self.w6 * h2 + self.b3)
        return o1

    def train(self, data, all_y_trues, epochs=1000):
        learn_rate = 0.1
        for epoch in range(epochs):
            for x, y_true in zip(data, all_y_trues):  # noqa: B905 (the post's code)
                # --- Do a feedforward (we'll need these values later)
                sum_h1 = self.w1 * x[0] + self.w2 * x[1] + self.b1
                h1 = original_sigmoid(sum_h1)

                sum_h2 = self.w3 * x[0] + self.w4 * x[1] + self.b2
                h2 = original_sigmoid(sum_h2)

                sum_o1 = self.w5 * h1 + self.w6 * h2 + self.b3
                o1 = original_sigmoid(sum_o1)
                y_pred = o1

                # --- Calculate partial derivatives.
                # --- Naming: d_L_d_w1 represents "partial L / partial w1"
                d_L_d_ypred = -2 * (y_true - y_pred)

                # Neuron o1
                d_ypred_d_w5 = h1 * original_deriv_sigmoid(sum_o1)
                d_ypred_d_w6 = h2 * original_deriv_sigmoid(sum_o1)
                d_ypred_d_b3 = original_deriv_sigmoid(sum_o1)

                d_ypred_d_h1 = self.w5 * original_deriv_sigmoid(sum_o1)
                d_ypred_d_h2 = self.w6 * original_deriv_sigmoid(sum_o1)

                # Neuron h1
                d_h1_d_w1 = x[0] * original_deriv_sigmoid(sum_h1)
                d_h1_d_w2 = x[1] * original_deriv_sigmoid(sum_h1)
                d_h1_d_b1 = original_deriv_sigmoid(sum_h1)

                # Neuron h2
                d_h2_d_w3 = x[0] * original_deriv_sigmoid(sum_h2)
                d_h2_d_w4 = x[1] * original_deriv_sigmoid(sum_h2)
                d_h2_d_b2 = original_deriv_sigmoid(sum_h2)

                # --- Update weights and biases
                # Neuron h1
                self.w1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1
                self.w2 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2
                self.b1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1

                # Neuron h2
                self.w3 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3
                self.w4 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4
                self.b2 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2

                # Neuron o1
                self.w5 -= learn_rate * d_L_d_ypred * d_ypred_d_w5
                self.w6 -= learn_rate * d_L_d_ypred * d_ypred_d_w6
                self.b3 -= learn_rate * d_L_d_ypred * d_ypred_d_b3

            # --- Calculate total loss at the end of each epoch
            if epoch % 10 == 0:
                y_preds = np.apply_along_axis(self.feedforward, 1, data)
                loss = original_mse_loss(all_y_trues, y_preds)
                self.log.append("Epoch %d loss: %.3f" % (epoch, loss))  # noqa: UP031


# -------------------------------------------------------------- the contenders


def start_parameters(seed: int = 0) -> list[float]:
    """Nine standard-normal draws (w1..w6, b1..b3), the same for every contender."""
    return np.random.default_rng(seed).standard_normal(9).tolist()


def run_original(start, epochs: int) -> float:
    net = OriginalNeuralNetwork(start)
    t0 = time.perf_counter()
    net.train(DATA, ALL_Y_TRUES, epochs=epochs)
    return time.perf_counter() - t0


def run_article(start, epochs: int) -> float:
    from glassnet.article import OurNeuralNetwork

    net = OurNeuralNetwork(seed=0)
    net.set_parameters(**dict(zip(NAMES, start, strict=True)))
    t0 = time.perf_counter()
    net.train(DATA, ALL_Y_TRUES, learn_rate=0.1, epochs=epochs)
    return time.perf_counter() - t0


def sequential_weights(start):
    """The nine article parameters as [W0 (2, 2), b0 (2,), W1 (2, 1), b1 (1,)]."""
    w1, w2, w3, w4, w5, w6, b1, b2, b3 = start
    # Dense computes x @ W + b: column j of W holds the weights into neuron j.
    return [
        np.array([[w1, w3], [w2, w4]]),
        np.array([b1, b2]),
        np.array([[w5], [w6]]),
        np.array([b3]),
    ]


def run_sequential(start, epochs: int) -> float:
    import glassnet as gn

    model = gn.Sequential(
        [gn.Dense(2, 2, activation="sigmoid"), gn.Dense(2, 1, activation="sigmoid")],
        seed=0,
        dtype="float64",
    )
    model.set_weights(sequential_weights(start))
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(learning_rate=0.1))
    X = DATA.astype(np.float64)
    y = ALL_Y_TRUES.astype(np.float64).reshape(-1, 1)
    t0 = time.perf_counter()
    model.fit(X, y, epochs=epochs, batch_size=1, shuffle=False, verbose=0)
    return time.perf_counter() - t0


def run_torch(start, epochs: int) -> float:
    torch = c.import_torch()
    import torch.nn.functional as F
    from torch import nn

    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid())
    model = model.double()
    W0, b0, W1, b1 = sequential_weights(start)
    with torch.no_grad():
        model[0].weight.copy_(torch.from_numpy(W0.T))
        model[0].bias.copy_(torch.from_numpy(b0))
        model[2].weight.copy_(torch.from_numpy(W1.T))
        model[2].bias.copy_(torch.from_numpy(b1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    # Rows sliced once, outside the timed loop: PyTorch gets its best case.
    xs = list(torch.from_numpy(DATA.astype(np.float64)).split(1))
    ys = list(torch.from_numpy(ALL_Y_TRUES.astype(np.float64).reshape(-1, 1)).split(1))
    samples = list(zip(xs, ys, strict=True))
    t0 = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in samples:
            opt.zero_grad(set_to_none=True)
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
    return time.perf_counter() - t0


CONTENDERS = {
    "original": ("article's original code", run_original),
    "article": ("glassnet.article", run_article),
    "sequential": ("Sequential bs=1", run_sequential),
    "torch": ("PyTorch", run_torch),
}


def demo_command() -> list[str]:
    exe = shutil.which("glassnet")
    return [exe, "demo"] if exe else [sys.executable, "-m", "glassnet", "demo"]


def time_demo(runs: int) -> tuple[list[float], str]:
    """Wall times of whole ``glassnet demo`` processes, and a note on failures."""
    cmd = demo_command()
    times, note = [], ""
    for _ in range(runs):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - t0
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            return times, f"`{' '.join(cmd)}` failed (exit {done.returncode}): {last}"
        times.append(elapsed)
    return times, note


# -------------------------------------------------------------------- running


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (1000)")
    parser.add_argument("--repeats", type=int, default=None, help="rounds (5)")
    parser.add_argument("--demo-runs", type=int, default=None, help="demo runs (7)")
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = 50 if args.quick else 1000
    if args.repeats is None:
        args.repeats = 1 if args.quick else 5
    if args.demo_runs is None:
        args.demo_runs = 1 if args.quick else 7
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    c.import_torch()
    import glassnet  # noqa: F401  (for the version line)

    c.banner("The article's network (2-2-1 sigmoid, MSE, per-sample SGD 0.1)")
    print(c.environment(with_blas=False), flush=True)
    start = start_parameters()
    steps = args.epochs * len(DATA)
    contenders, failed = {}, {}
    for key, (_, fn) in CONTENDERS.items():
        try:
            fn(start, 2)  # warm-up, and proof that it runs
            contenders[key] = lambda fn=fn: fn(start, args.epochs)
        except Exception as error:
            failed[key] = f"failed: {type(error).__name__}: {error}"[:160]
    times = c.alternate(contenders, args.repeats, warmup=0)
    rows = []
    for key, (label, _) in CONTENDERS.items():
        if key in times:
            rows.append([label, c.spread(times[key], scale=1e6 / steps)])
        else:
            rows.append([label, failed[key]])
    print(
        c.table(
            ["implementation", "µs per sample step, median (min–max)"],
            rows,
            title=f"{args.epochs} epochs × 4 samples = {steps} steps, float64",
        )
    )
    demo_times, demo_note = time_demo(args.demo_runs)
    ratio_rows = []
    if "original" in times and "article" in times:
        value = c.ratio(times["original"], times["article"])
        ratio_rows.append(
            [
                "glassnet.article speed-up over the original code",
                f"{value:.1f}×",
                c.verdict(value, TARGETS["article"], below=False),
            ]
        )
    if "torch" in times and "sequential" in times:
        value = c.ratio(times["torch"], times["sequential"])
        ratio_rows.append(
            [
                "Sequential bs=1 speed-up over PyTorch",
                f"{value:.1f}×",
                c.verdict(value, TARGETS["sequential"], below=False),
            ]
        )
    if demo_times:
        value = c.med(demo_times)
        ratio_rows.append(
            [
                f"`glassnet demo` process wall time, s ({len(demo_times)} runs)",
                c.spread(demo_times),
                c.verdict(value, TARGETS["demo"]),
            ]
        )
    print()
    print(
        c.table(
            ["measure (medians)", "value", "target"],
            ratio_rows,
            title="The article's network: ratios",
        )
    )
    for key, note in failed.items():
        print(f"note: {CONTENDERS[key][0]}: {note}")
    if demo_note:
        print(f"note: demo: {demo_note}")
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"(load average after: {load})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
