"""Inference latency: the MNIST MLP predicting 1 row and 1,000 rows.

The contenders compute the same function on the same rows, in one process,
alternated (A B C A B C ...) for many rounds; each timed sample is the mean of
the back-to-back calls that fit in about 3 ms (short, so that on a shared host
most samples hold no preemption by another process), and the table reports
medians with min and max:

- ``glassnet``: ``model.predict(X)`` (logits), every input check included;
- ``glassnet layers``: the same layers called directly (``layer(x)`` in turn),
  with no check, cast or reshape: predict minus this is glassnet's per-call
  overhead;
- ``onnxruntime``: the model exported with :func:`glassnet.onnx.to_onnx`
  (uncompiled, so its graph gives the logits), ``CPUExecutionProvider``,
  2 intra-op threads;
- ``PyTorch``: the twin ``nn.Sequential`` with the same weights, called under
  ``torch.inference_mode()``;
- the "what a service calls" variants: ``glassnet predict_proba``, the exported
  classifier graph (softmax and the label) in onnxruntime, and
  ``softmax(model(x))`` in PyTorch.

The MNIST MLP is the one the other MNIST benchmarks train (784-256-128-10, ReLU,
float32, glorot-uniform weights from seed 0); latency does not depend on the
weights' values, so it is not trained. The rows are MNIST test images when the
files are there (random rows of the same shape otherwise).

Every contender gets the same number of threads, ``--threads`` (1 by default:
glassnet's BLAS through threadpoolctl, ``torch.set_num_threads``, onnxruntime's
intra-op pool). One row gains nothing from a second thread, and on a shared
host a 2-thread call can wait milliseconds for its second thread's core;
``--threads 2`` is the setting of the training benchmarks.

Target: glassnet's one-row latency ≤ 0.5× PyTorch's.

    python benchmarks/inference.py               # ~30 s on 2 cores
    python benchmarks/inference.py --threads 2
    python benchmarks/inference.py --quick       # a smoke run
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import _common as c

SIZES = (784, 256, 128, 10)
TARGET = 0.5  # glassnet / PyTorch, one row
# each contender's ratio is to the PyTorch call that computes the same thing
PEERS = {
    "glassnet predict_proba": "PyTorch softmax",
    "onnxruntime classifier": "PyTorch softmax",
    "PyTorch softmax": "PyTorch softmax",
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--repeats", type=int, default=None, help="rounds (101)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads for every contender (1)"
    )
    parser.add_argument(
        "--seconds", type=float, default=None, help="aimed time per sample (0.003)"
    )
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 3 if args.quick else 101
    if args.seconds is None:
        args.seconds = 0.002 if args.quick else 0.003
    return args


def onnx_session(ort, proto, threads):
    """An onnxruntime session on the CPU with as many threads as the others."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(
        proto.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def models(threads: int, seed: int = 0):
    """glassnet, its ONNX sessions and the PyTorch twin, all with the same weights."""
    import onnxruntime as ort
    import torch

    from glassnet import onnx as gn_onnx

    model = c.glassnet_mlp(SIZES, seed=seed)
    twin = c.torch_mlp(SIZES, seed=seed).eval()
    linears = [m for m in twin if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for layer, linear in zip(model.layers, linears, strict=True):
            linear.weight.copy_(torch.from_numpy(layer.params["W"].T.copy()))
            linear.bias.copy_(torch.from_numpy(layer.params["b"]))

    logits_session = onnx_session(ort, gn_onnx.to_onnx(model), threads)
    return model, logits_session, twin


def contenders(model, session, classifier_session, twin, X):
    import torch

    Xt = torch.from_numpy(X)
    layers = model.layers

    def layers_only():
        out = X
        for layer in layers:
            out = layer(out)
        return out

    def torch_logits():
        with torch.inference_mode():
            return twin(Xt)

    def torch_proba():
        with torch.inference_mode():
            return torch.softmax(twin(Xt), dim=1)

    return {
        "glassnet": lambda: model.predict(X),
        "glassnet layers": layers_only,
        "onnxruntime": lambda: session.run(None, {"X": X}),
        "PyTorch": torch_logits,
        "glassnet predict_proba": lambda: model.predict_proba(X),
        "onnxruntime classifier": lambda: classifier_session.run(None, {"X": X}),
        "PyTorch softmax": torch_proba,
    }


def per_call(fn, seconds: float):
    """A function that times ``calls`` back-to-back calls and returns s per call."""
    t0 = time.perf_counter()
    fn()
    once = max(time.perf_counter() - t0, 1e-7)
    calls = max(1, int(seconds / once))

    def sample() -> float:
        # the thread pools of the contender before (OpenBLAS, OpenMP, onnxruntime)
        # spin for a while after their last call, on the same two cores: let them
        # go idle, then wake this contender's own pools with untimed calls
        time.sleep(0.005)
        for _ in range(max(2, calls // 5)):
            fn()
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        return (time.perf_counter() - start) / calls

    return sample


def main(argv=None) -> None:
    args = parse_args(argv)
    torch = c.import_torch()
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=args.threads, user_api="blas")  # glassnet's NumPy
    import glassnet as gn
    from glassnet import onnx as gn_onnx

    c.banner("Inference latency: MNIST MLP 784-256-128-10, float32")
    print(c.environment())
    data = c.load_mnist(generated=args.quick)
    X_all, source = data[2], data[4]
    print(f"rows: {source}")

    model, session, twin = models(args.threads)
    torch.set_num_threads(args.threads)  # after the models: import_torch sets 2
    # the classifier graph: the same weights, compiled with softmax cross-entropy
    classifier = c.glassnet_mlp(SIZES, seed=0)
    classifier.compile(loss="categorical_crossentropy")
    classifier.set_weights(model.get_weights())
    model.compile(loss="categorical_crossentropy")  # predict_proba: softmax
    import onnxruntime as ort

    classifier_session = onnx_session(ort, gn_onnx.to_onnx(classifier), args.threads)
    print(
        f"threads: {args.threads} each (onnxruntime {ort.__version__} intra-op, "
        f"torch {torch.get_num_threads()}, BLAS via threadpoolctl); "
        f"glassnet {gn.__version__}"
    )

    rows = []
    ratios = {}
    for n in (1, 1000):
        X = np.ascontiguousarray(X_all[:n], dtype=np.float32)
        fns = contenders(model, session, classifier_session, twin, X)
        # the same numbers from all three before any timing
        reference = model.predict(X)
        with torch.inference_mode():
            torch_out = twin(torch.from_numpy(X)).numpy()
        onnx_out = session.run(None, {"X": X})[0]
        agree = max(
            float(np.abs(torch_out - reference).max()),
            float(np.abs(onnx_out - reference).max()),
        )
        print(f"{n} row(s): largest logit difference to glassnet {agree:.2g}")
        samplers = {name: per_call(fn, args.seconds) for name, fn in fns.items()}
        load_before = os.getloadavg()[0]
        times = c.alternate(samplers, args.repeats, warmup=2, progress=False)
        load_after = os.getloadavg()[0]
        print(f"  load average {load_before:.2f} before, {load_after:.2f} after")
        base = times["PyTorch"]
        for name, values in times.items():
            peer = PEERS.get(name, "PyTorch")
            r = c.ratio(values, times[peer])
            ratios[(n, name)] = r
            shown = "(peer)" if name == peer else f"{r:.2f}× {peer}"
            rows.append([f"{n:,}", name, c.spread(values, scale=1e6), shown])
        overhead = c.med(times["glassnet"]) - c.med(times["glassnet layers"])
        print(
            f"  glassnet predict's overhead over its layers: {overhead * 1e6:.1f} µs "
            f"a call ({overhead / c.med(times['glassnet']):.0%}); "
            f"PyTorch {c.med(base) * 1e6:.1f} µs"
        )
    print()
    print(
        c.table(
            ["rows", "contender", "µs per call, median (min–max)", "ratio"],
            rows,
            title=f"{args.repeats} alternated rounds",
        )
    )
    one = ratios[(1, "glassnet")]
    print(
        f"\n{args.threads} thread(s): glassnet / PyTorch, one row: {one:.2f}× — "
        f"{c.verdict(one, TARGET)}; onnxruntime: {ratios[(1, 'onnxruntime')]:.2f}×; "
        f"1,000 rows: glassnet {ratios[(1000, 'glassnet')]:.2f}×, "
        f"onnxruntime {ratios[(1000, 'onnxruntime')]:.2f}×"
    )


if __name__ == "__main__":
    main()
