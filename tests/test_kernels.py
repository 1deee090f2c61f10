"""The compiled loops (glassnet._kernels) against the NumPy passes.

The optimizers run each update as NumPy passes; when the optional C extension is
built, SGD, momentum SGD, Adam and AdamW run it as one fused loop instead, and so
does ReLU's backward product. The
loops promise the *same* operations in the same order and dtype, so every test
here demands bit-identical parameters and state from the two paths (the NumPy
path is itself checked against torch.optim in test_optimizers.py), including
NaN, infinities, signed zeros and subnormals.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet import _fused

KERNELS = _fused.KERNELS
needs_kernels = pytest.mark.skipif(
    KERNELS is None,
    reason="glassnet._kernels was not built (no C compiler at install time) "
    "or GLASSNET_PURE_NUMPY is set",
)

CONFIGS = [
    ("sgd", {}),
    ("sgd", {"weight_decay": 0.03}),
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "dampening": 0.25}),
    ("sgd", {"momentum": 0.8, "nesterov": True}),
    ("sgd", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("sgd", {"momentum": 0.5, "dampening": 0.5, "weight_decay": 0.02}),
    ("adam", {}),
    ("adam", {"amsgrad": True}),
    ("adam", {"weight_decay": 0.05}),
    ("adam", {"weight_decay": 0.05, "amsgrad": True, "beta_1": 0.5}),
    ("adamw", {}),
    ("adamw", {"weight_decay": 0.0}),
    ("adamw", {"weight_decay": 0.1, "amsgrad": True, "epsilon": 1e-3}),
]


def _ids(config):
    name, kwargs = config
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())


def _run(monkeypatch, use_kernels, name, kwargs, dtype, grads, lr=0.05, schedule=False):
    monkeypatch.setattr(_fused, "KERNELS", KERNELS if use_kernels else None)
    rng = np.random.default_rng(7)
    params = [
        rng.standard_normal((7, 5)).astype(dtype),
        rng.standard_normal(5).astype(dtype),
    ]
    learning_rate = gn.optimizers.ExponentialDecay(lr, 0.5, 2) if schedule else lr
    optimizer = gn.optimizers.get({"name": name, "learning_rate": 0.1, **kwargs})
    optimizer.learning_rate = learning_rate
    for step_grads in grads:
        pairs = zip(params, [g.astype(dtype) for g in step_grads], strict=True)
        optimizer.step(list(pairs))
    return params, optimizer.get_state()


def _grads(steps, special=False):
    rng = np.random.default_rng(11)
    out = []
    for step in range(steps):
        gw = rng.standard_normal((7, 5)) * 10.0 ** rng.integers(-3, 3, (7, 5))
        gb = rng.standard_normal(5)
        if special and step == 2:
            gw[0, :] = [np.nan, np.inf, -np.inf, -0.0, 1e-41]
            gw[1, :] = [1e30, -1e30, 1e-300, 0.0, 3.4e38]
        out.append((gw, gb))
    return out


def _assert_identical(a, b):
    (params_a, state_a), (params_b, state_b) = a, b
    for x, y in zip(params_a, params_b, strict=True):
        assert x.dtype == y.dtype
        np.testing.assert_array_equal(x, y, strict=True)
        # assert_array_equal calls -0.0 equal to 0.0 and NaN equal to NaN: compare bits
        assert x.tobytes() == y.tobytes()
    assert state_a["iterations"] == state_b["iterations"]
    assert state_a["slots"].keys() == state_b["slots"].keys()
    for slot in state_a["slots"]:
        for x, y in zip(state_a["slots"][slot], state_b["slots"][slot], strict=True):
            assert x.tobytes() == y.tobytes(), slot


@needs_kernels
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_kernel_updates_are_bit_identical_to_the_numpy_passes(
    monkeypatch, config, dtype
):
    name, kwargs = config
    grads = _grads(6)
    _assert_identical(
        _run(monkeypatch, True, name, kwargs, dtype, grads),
        _run(monkeypatch, False, name, kwargs, dtype, grads),
    )


@needs_kernels
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_kernel_updates_match_on_nan_inf_signed_zero_and_subnormals(
    monkeypatch, config, dtype
):
    name, kwargs = config
    grads = _grads(5, special=True)
    with np.errstate(all="ignore"):
        _assert_identical(
            _run(monkeypatch, True, name, kwargs, dtype, grads, schedule=True),
            _run(monkeypatch, False, name, kwargs, dtype, grads, schedule=True),
        )


def _uses_kernel(monkeypatch, name, param, grad):
    """Whether step() on these arrays ran a kernel (spied), and the result."""
    calls = []

    class Spy:
        def __getattr__(self, attr):
            def call(*args):
                calls.append(attr)
                return getattr(KERNELS, attr)(*args)

            return call

    monkeypatch.setattr(_fused, "KERNELS", Spy())
    optimizer = gn.optimizers.get(name)
    try:
        optimizer.step([(param, grad)])
    finally:
        monkeypatch.setattr(_fused, "KERNELS", KERNELS)
    return calls


@needs_kernels
@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_arrays_a_kernel_cannot_take_fall_back_to_numpy_with_the_same_result(
    monkeypatch, name
):
    base = np.arange(12.0, dtype=np.float32).reshape(3, 4) / 7
    cases = {
        "float16": (base.astype(np.float16), np.ones((3, 4), np.float16)),
        "mixed dtypes": (base.copy(), np.ones((3, 4), np.float64)),
        "strided view": (np.repeat(base, 2, axis=1)[:, ::2], np.ones((3, 4), "f4")),
        "gradient is the parameter": (base.copy(), None),
        "list gradient": (base.copy(), [[1.0] * 4] * 3),
    }
    for label, (param, grad) in cases.items():
        if grad is None:
            grad = param
        reference_param = np.array(param)  # a contiguous copy
        reference_grad = reference_param if grad is param else np.array(grad)
        monkeypatch.setattr(_fused, "KERNELS", None)
        gn.optimizers.get(name).step([(reference_param, reference_grad)])
        monkeypatch.setattr(_fused, "KERNELS", KERNELS)
        gn.optimizers.get(name).step([(param, grad)])
        assert np.array(param).tobytes() == reference_param.tobytes(), label
    # and plain float32 arrays do take the kernel
    fine = _uses_kernel(monkeypatch, name, base.copy(), np.ones((3, 4), np.float32))
    assert fine == [name]


@needs_kernels
def test_a_kernel_checks_every_argument_before_it_writes():
    p = np.ones(6, np.float32)
    g = np.full(6, 0.5, np.float32)
    m, v = np.zeros(6, np.float32), np.zeros(6, np.float32)
    bad = {
        "m of another shape": dict(m=np.zeros((2, 3), np.float32)),
        "v of another dtype": dict(v=np.zeros(6, np.float64)),
        "v shorter": dict(v=np.zeros(5, np.float32)),
        "read-only m": dict(m=np.zeros(6, np.float32)),
        "v_max aliasing v": dict(v_max="v"),
        "m not an array": dict(m=[0.0] * 6),
    }
    for label, change in bad.items():
        args = dict(p=p, g=g, m=m.copy(), v=v.copy(), v_max=None)
        args.update(change)
        if label == "read-only m":
            args["m"].flags.writeable = False
        if args["v_max"] == "v":
            args["v_max"] = args["v"]
        before = [np.array(a).tobytes() for a in (args["p"], args["m"], args["v"])]
        with pytest.raises(TypeError):
            KERNELS.adam(
                args["p"], args["g"], args["m"], args["v"], args["v_max"],
                0.9, 0.999, 1e-8, 0.001, 0.0, None,
            )  # fmt: skip
        after = [np.array(a).tobytes() for a in (args["p"], args["m"], args["v"])]
        assert before == after, label
    with pytest.raises(TypeError, match="param"):
        KERNELS.sgd(np.ones(3, np.int64), np.ones(3, np.int64), 0.1, 0.0)
    with pytest.raises(TypeError, match="overlaps"):
        KERNELS.sgd(p, p, 0.1, 0.0)


@needs_kernels
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_training_is_bit_identical_with_and_without_kernels(monkeypatch, optimizer):
    x, y = gn.datasets.two_spirals(n_samples=300, noise=0.1, seed=0)
    runs = []
    for kernels in (KERNELS, None):
        monkeypatch.setattr(_fused, "KERNELS", kernels)
        monkeypatch.setattr(_fused, "KERNELS", kernels)
        model = gn.Sequential(
            [gn.Dense(2, 32, activation="relu"), gn.Dense(32, 2)], seed=3
        )
        model.compile(optimizer=optimizer, loss="categorical_crossentropy")
        history = model.fit(x, y, epochs=3, batch_size=16)
        runs.append(([w.tobytes() for w in model.get_weights()], history.history))
    assert runs[0] == runs[1]


def test_glassnet_pure_numpy_turns_the_kernels_off():
    env = dict(os.environ, GLASSNET_PURE_NUMPY="1")
    code = "import glassnet._fused as f; print(f.KERNELS is None)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True
    )
    assert result.stdout.strip() == "True", result.stderr


@needs_kernels
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_backward_kernel_is_bit_identical_to_the_mask_product(monkeypatch, dtype):
    rng = np.random.default_rng(3)
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-41, -1e-41, 1e-310]
    x = np.concatenate([rng.standard_normal(992), special]).astype(dtype)
    g = np.concatenate([rng.standard_normal(992), special[::-1]]).astype(dtype)
    x, g = x.reshape(-1, 5), rng.permutation(g).reshape(-1, 5)
    results = []
    for kernels in (KERNELS, None):
        monkeypatch.setattr(_fused, "KERNELS", kernels)
        relu = gn.activations.get("relu")
        relu.forward(x.copy())
        out = np.empty_like(g)
        with np.errstate(invalid="ignore"):
            results.append(relu.backward(g, out=out).tobytes())
    assert results[0] == results[1]
    # the reference written out: g · (x > 0), NaN · 0 and ∞ · 0 included
    with np.errstate(invalid="ignore"):
        expected = g * (np.maximum(x, 0) > 0).astype(dtype)
    assert results[0] == expected.tobytes()


@needs_kernels
def test_relu_backward_into_its_own_gradient_buffer_falls_back_to_numpy():
    relu = gn.activations.get("relu")
    relu.forward(np.array([-1.0, 2.0, 0.5], np.float32))
    g = np.array([3.0, 4.0, -5.0], np.float32)
    assert relu.backward(g, out=g) is g
    np.testing.assert_array_equal(g, [0.0, 4.0, -5.0])


@needs_kernels
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(37, 11), (11,), (3, 4, 11), (0, 11)])
def test_bias_relu_kernel_matches_the_add_then_maximum_passes(
    monkeypatch, dtype, shape
):
    rng = np.random.default_rng(5)
    z = rng.standard_normal(shape).astype(dtype)
    bias = rng.standard_normal(11).astype(dtype)
    if z.size:
        flat = z.reshape(-1)
        flat[:6] = [np.nan, np.inf, -np.inf, -0.0, 1e-41, -1e-41]
        bias[:2] = [0.0, -np.inf]
    results = []
    for kernels in (KERNELS, None):
        monkeypatch.setattr(_fused, "KERNELS", kernels)
        relu = gn.activations.get("relu")
        out = z.copy()
        with np.errstate(invalid="ignore"):
            y = relu.forward_biased(out, bias.reshape(1, -1) if z.ndim > 1 else bias)
        assert y is out and relu._y is out  # in place, and cached for backward
        results.append(out)
    # equal values, NaN where NumPy has NaN; the sign of a zero may differ from
    # NumPy builds whose scalar loop keeps -0.0 (its SIMD loop gives +0.0, as here)
    np.testing.assert_array_equal(results[0], results[1], strict=True)
    with np.errstate(invalid="ignore"):
        expected = np.maximum(z + bias, 0)
    np.testing.assert_array_equal(results[0], expected)


@needs_kernels
def test_bias_relu_kernel_refuses_a_bias_that_does_not_fit():
    z = np.zeros((4, 5), np.float32)
    for bias in (
        np.zeros(4, np.float32),  # wrong length
        np.zeros(5, np.float64),  # other dtype
        np.zeros((2, 5), np.float32),  # not one row
        z[0],  # overlaps z
    ):
        with pytest.raises(TypeError, match="bias"):
            KERNELS.bias_relu(z, bias)
    assert not z.any()


@needs_kernels
def test_dense_training_forward_uses_the_fused_bias_relu(monkeypatch):
    # Dense(relu).forward in training equals the predict path's add-then-maximum
    layer = gn.Dense(6, 4, activation="relu")
    layer.build(np.random.default_rng(0), np.dtype("float32"))
    layer.params["b"][:] = [0.5, -0.5, 0.0, 2.0]
    x = np.random.default_rng(1).standard_normal((9, 6)).astype(np.float32)
    calls = []

    class Spy:
        def __getattr__(self, name):
            calls.append(name)
            return getattr(KERNELS, name)

    monkeypatch.setattr(_fused, "KERNELS", Spy())
    trained = layer.forward(x).copy()
    assert "bias_relu" in calls
    np.testing.assert_array_equal(trained, layer.forward(x, training=False))


def test_every_loop_the_callers_use_is_one_the_loader_requires():
    # _fused refuses a stale build lacking a loop in _NEEDED; a loop called but not
    # listed there would fail mid-training (AttributeError) on such a build instead
    import pathlib
    import re

    source = pathlib.Path(_fused.__file__).parent
    called = set()
    for module in sorted(source.rglob("*.py")):
        called |= set(re.findall(r"kernels\.(\w+)\(", module.read_text()))
    assert called, "no kernel calls found: the pattern is stale"
    assert called <= set(_fused._NEEDED), called - set(_fused._NEEDED)


@needs_kernels
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [1, 3, 257])
def test_dense_relu_predict_gives_the_numpy_and_training_paths_bits(
    monkeypatch, dtype, n
):
    # Dense's predict adds the bias and applies ReLU in place in one compiled loop
    # (bias_relu); the NumPy passes (z += b; maximum) and the training forward
    # must give the same bits, signed zeros and NaN included
    rng = np.random.default_rng(3)
    layer = gn.layers.Dense(9, activation="relu", seed=1, dtype=dtype)
    x = rng.standard_normal((n, 5)).astype(dtype)
    x[0, :2] = [-0.0, 0.0]
    layer(x)
    layer.params["b"][:3] = [-0.0, 0.0, np.nan]
    compiled = layer(x)
    monkeypatch.setattr(_fused, "KERNELS", None)
    numpy_path = layer(x)
    training = layer.forward(x, training=True).copy()
    monkeypatch.setattr(_fused, "KERNELS", KERNELS)
    assert compiled.tobytes() == numpy_path.tobytes()
    assert compiled.tobytes() == training.tobytes()
    # an input of another dtype gives a float64 z: the loop refuses, NumPy runs
    wide = layer(x.astype(np.float64))
    monkeypatch.setattr(_fused, "KERNELS", None)
    assert wide.tobytes() == layer(x.astype(np.float64)).tobytes()


def _window_case(rng, n, size, channels, special):
    """Images with many ties (small integers), and NaN/±inf/±0 when ``special``."""
    x = rng.integers(-3, 4, size=(n, size, size + 1, channels)).astype(np.float64)
    x += rng.standard_normal(x.shape) * (rng.random(x.shape) < 0.3)
    if special:
        flat = x.reshape(-1)
        picks = rng.choice(flat.size, size=min(12, flat.size), replace=False)
        flat[picks] = [np.nan, np.inf, -np.inf, -0.0, 0.0, np.nan] * 2
    return x


def _conv_and_pool_run(monkeypatch, use_kernels, layer, x, grad_seed):
    """Forward, backward and predict with the compiled loops on or off."""
    monkeypatch.setattr(_fused, "KERNELS", KERNELS if use_kernels else None)
    try:
        with np.errstate(all="ignore"):  # NaN and inf on purpose
            y = layer.forward(x, training=True).copy()
            rng = np.random.default_rng(grad_seed)
            g = rng.standard_normal(y.shape).astype(y.dtype)
            g.reshape(-1)[:3] = [-0.0, np.nan, 2.0][: g.size]
            dx = np.array(layer.backward(g))
            grads = {k: v.copy() for k, v in layer.grads.items()}
            predicted = layer(x)
        return y, dx, grads, predicted
    finally:
        monkeypatch.setattr(_fused, "KERNELS", KERNELS)


def _same_bits_both_paths(monkeypatch, make_layer, x, grad_seed, label):
    """A fresh layer from ``make_layer()`` with the compiled loops on, one off."""
    runs = [
        _conv_and_pool_run(monkeypatch, use, make_layer(), x, grad_seed)
        for use in (True, False)
    ]
    _same_bits(*runs, label)


def _same_bits(a, b, label):
    ya, dxa, ga, pa = a
    yb, dxb, gb, pb = b
    assert ya.tobytes() == yb.tobytes(), f"{label}: forward"
    assert dxa.tobytes() == dxb.tobytes(), f"{label}: input gradient"
    assert pa.tobytes() == pb.tobytes(), f"{label}: predict"
    for key in ga:
        assert ga[key].tobytes() == gb[key].tobytes(), f"{label}: grads[{key!r}]"


@needs_kernels
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("special", [False, True])
def test_conv2d_windows_loops_give_the_numpy_bits(monkeypatch, dtype, special):
    # im2col and col2im compiled against Conv2D's NumPy copies and additions:
    # kernels 1-5 (odd and even), strides 1-3, both paddings, odd and even sizes
    rng = np.random.default_rng(11)
    cases = [
        (1, 1, "valid", 1, 5, 1),
        (2, 1, "same", 3, 6, 2),
        (3, 1, "valid", 7, 9, 16),
        (3, 2, "same", 2, 8, 3),
        (4, 3, "same", 1, 11, 5),
        (5, 2, "valid", 3, 12, 4),
        ((3, 2), (1, 2), "same", 2, 7, 6),
    ]
    for kernel, stride, padding, n, size, channels in cases:
        x = _window_case(rng, n, size, channels, special).astype(dtype)

        def make(kernel=kernel, stride=stride, padding=padding, x=x):
            layer = gn.layers.Conv2D(
                4,
                kernel,
                strides=stride,
                padding=padding,
                activation="relu",
                seed=5,
                dtype=dtype,
            )
            layer(np.zeros_like(x))  # builds: W from the seed
            return layer

        label = f"Conv2D{(kernel, stride, padding, n, size, channels)}"
        _same_bits_both_paths(monkeypatch, make, x, 2, label)


@needs_kernels
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("special", [False, True])
def test_max_pooling_loops_give_the_numpy_bits(monkeypatch, dtype, special):
    # max pooling compiled against its NumPy passes: ties go to the first maximum,
    # NaN wins, ±0 as np.maximum orders them; overlapping windows (stride < pool),
    # gaps (stride > pool), "same" padding, and more channels than one block (256)
    rng = np.random.default_rng(12)
    cases = [
        (2, None, "valid", 3, 8, 4),
        (2, None, "valid", 2, 7, 3),
        (3, 1, "valid", 2, 7, 2),
        (3, 2, "same", 2, 9, 5),
        (2, 3, "valid", 1, 10, 2),
        ((2, 3), (1, 2), "same", 2, 6, 3),
        (2, None, "valid", 2, 4, 300),
    ]
    for pool, stride, padding, n, size, channels in cases:
        x = _window_case(rng, n, size, channels, special).astype(dtype)

        def make(pool=pool, stride=stride, padding=padding):
            layer = gn.layers.MaxPooling2D(pool, strides=stride, padding=padding)
            layer.build(np.random.default_rng(0), dtype)
            return layer

        label = f"MaxPooling2D{(pool, stride, padding, n, size, channels)}"
        _same_bits_both_paths(monkeypatch, make, x, 3, label)


@needs_kernels
def test_the_thread_count_changes_no_bit(monkeypatch):
    # each element is computed by one thread with the same operations: 1 and 3
    # threads, on arrays large enough to be split, give the same bits
    rng = np.random.default_rng(13)
    x = rng.standard_normal((40, 28, 28, 8)).astype(np.float32)
    runs = []
    try:
        for threads in (1, 3):
            _fused.set_threads(threads)
            conv = gn.layers.Conv2D(16, 3, activation="relu", seed=2)
            pool = gn.layers.MaxPooling2D()
            y = pool.forward(conv.forward(x))
            g = np.random.default_rng(4).standard_normal(y.shape).astype(np.float32)
            dx = conv.backward(pool.backward(g))
            runs.append((y.copy(), dx.copy(), conv.grads["W"].copy()))
    finally:
        _fused.set_threads(_fused.default_threads())
    for a, b in zip(*runs, strict=True):
        assert a.tobytes() == b.tobytes()
