"""Edge cases of the compiled loops (glassnet._kernels) against the NumPy passes.

test_kernels.py checks the loops on ordinary arrays; this module checks the
corners of their contract: arrays a loop must refuse (big-endian, Fortran order,
read-only, overlapping, another shape) fall back to the NumPy passes with their
numbers and errors; empty, 0-d and one-element arrays; the float32 rounding of
the scalars (NumPy 2 rounds a Python float beside a float32 array to float32, NEP
50); NumPy scalars given as hyperparameters or returned by a schedule; and
amsgrad's running maximum on NaN and signed zeros, which must be np.maximum's.
Every expectation comes from the NumPy path (the kernels switched off) or from a
formula worked out here in NumPy float32 scalars, never from a kernel.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet import _fused

KERNELS = _fused.KERNELS
pytestmark = pytest.mark.skipif(
    KERNELS is None,
    reason="glassnet._kernels was not built (no C compiler at install time) "
    "or GLASSNET_PURE_NUMPY is set: nothing compiled to check",
)

CONFIGS = [
    ("sgd", {}),
    ("sgd", {"weight_decay": 0.03}),
    ("sgd", {"momentum": 0.9, "dampening": 0.25, "weight_decay": 0.01}),
    ("sgd", {"momentum": 0.8, "nesterov": True}),
    ("adam", {}),
    ("adam", {"weight_decay": 0.05, "amsgrad": True}),
    ("adamw", {"weight_decay": 0.1, "amsgrad": True}),
]


def _kernel_of(name, kwargs):
    if name == "sgd":
        return "sgd_momentum" if kwargs.get("momentum") else "sgd"
    return "adam"


def _ids(config):
    name, kwargs = config
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())


class _Spy:
    """Stands in for the kernels module and records which kernels ran to the end."""

    def __init__(self):
        self.calls = []

    def __getattr__(self, attr):
        def call(*args):
            result = getattr(KERNELS, attr)(*args)
            self.calls.append(attr)
            return result

        return call


def _bits(arrays):
    return [np.asarray(a).tobytes() for a in arrays]


def _steps(monkeypatch, use_kernels, name, kwargs, params, grads, steps=3, **extra):
    """Run `steps` updates on the given arrays (changed in place).

    Returns (kernel calls that completed, the optimizer's state).
    """
    spy = _Spy()
    monkeypatch.setattr(_fused, "KERNELS", spy if use_kernels else None)
    optimizer = gn.optimizers.get({"name": name, "learning_rate": 0.1, **kwargs})
    for key, value in extra.items():
        if key == "state":
            optimizer.set_state(value)
        else:
            setattr(optimizer, key, value)
    pairs = list(zip(params, grads, strict=True))
    for _ in range(steps):
        optimizer.step(pairs)
    return spy.calls, optimizer.get_state()


def _compare(monkeypatch, name, kwargs, make, steps=3, **extra):
    """Both paths on fresh arrays from make(); bits of params and state must agree.

    Returns the kernel calls of the kernel run (to tell whether a kernel ran).
    """
    runs = []
    for use in (True, False):
        params, grads = make()
        with np.errstate(all="ignore"):
            calls, state = _steps(
                monkeypatch, use, name, kwargs, params, grads, steps, **extra
            )
        slots = [a for key in sorted(state["slots"]) for a in state["slots"][key]]
        runs.append((calls, _bits(params), _bits(slots), state["iterations"]))
    (calls, *kernel_run), (_, *numpy_run) = runs
    assert kernel_run == numpy_run
    return calls


def _ordinary(shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(
        dtype
    )


# ----------------------------------------------------------- arrays it must refuse
def test_numpy_reports_a_big_endian_buffer_as_non_native_and_the_kernel_refuses_it():
    big = np.ones(4, ">f4")
    # the premise: a byte-swapped float32 array exports format '>f', not 'f'
    assert memoryview(big).format == ">f"
    assert memoryview(np.ones(4, ">f8")).format == ">d"
    grad = np.ones(4, ">f4")
    with pytest.raises(TypeError, match="param: a float32 or float64 buffer.*'>f'"):
        KERNELS.sgd(big, grad, 0.1, 0.0)
    # the first argument native, a later one swapped: refused too, nothing written
    native = np.ones(4, np.float32)
    with pytest.raises(TypeError, match="grad: .*'>f'"):
        KERNELS.sgd(native, grad, 0.1, 0.0)
    np.testing.assert_array_equal(native, 1.0)
    out = np.full(4, 7.0, np.float32)
    with pytest.raises(TypeError, match="'>f'"):
        KERNELS.relu_backward(np.ones(4, np.float32), np.ones(4, ">f4"), out)
    np.testing.assert_array_equal(out, 7.0)


@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_big_endian_parameters_fall_back_to_numpy_with_its_numbers(monkeypatch, config):
    name, kwargs = config

    def make():
        p, g = _ordinary((4, 3), np.float64)
        return [p.astype(">f8")], [g.astype(">f8")]

    assert _compare(monkeypatch, name, kwargs, make) == []


@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_fortran_ordered_arrays_fall_back_to_numpy_with_its_numbers(
    monkeypatch, config
):
    name, kwargs = config

    def make():
        p, g = _ordinary((4, 3))
        return [np.asfortranarray(p)], [np.asfortranarray(g)]

    assert _compare(monkeypatch, name, kwargs, make) == []
    p, g = _ordinary((4, 3))
    with pytest.raises(TypeError, match="C-contiguous"):
        KERNELS.sgd(np.asfortranarray(p), g, 0.1, 0.0)


def test_a_one_row_fortran_array_is_also_c_contiguous_and_takes_the_kernel(
    monkeypatch,
):
    def make():
        p, g = _ordinary((1, 5))
        return [np.asfortranarray(p)], [g]

    assert _compare(monkeypatch, "adam", {}, make) == ["adam"] * 3


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_a_read_only_parameter_raises_numpy_s_error_and_a_read_only_gradient_is_fine(
    monkeypatch, name
):
    for use in (True, False):
        p, g = _ordinary(6)
        p.flags.writeable = False
        before = p.tobytes()
        with pytest.raises(ValueError, match="read-only"):
            _steps(monkeypatch, use, name, {}, [p], [g], steps=1)
        assert p.tobytes() == before

    def make():
        p, g = _ordinary(6)
        g.flags.writeable = False
        return [p], [g]

    assert _compare(monkeypatch, name, {}, make) == [_kernel_of(name, {})] * 3


@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_parameter_and_gradient_overlapping_in_memory_fall_back_to_numpy(
    monkeypatch, config
):
    name, kwargs = config

    def make():
        base = np.linspace(-1.0, 1.0, 9, dtype=np.float32)
        return [base[:6]], [base[3:]]  # three shared elements

    assert _compare(monkeypatch, name, kwargs, make) == []


def test_arrays_that_only_touch_in_memory_are_not_overlapping(monkeypatch):
    def make():
        base = np.linspace(-1.0, 1.0, 12, dtype=np.float32)
        return [base[:6]], [base[6:]]  # adjacent, sharing no byte

    assert _compare(monkeypatch, "adam", {"amsgrad": True}, make) == ["adam"] * 3
    base = np.arange(8, dtype=np.float32)
    with pytest.raises(TypeError, match="overlaps"):
        KERNELS.sgd(base[:4], base[3:7], 0.1, 0.0)  # one shared element
    np.testing.assert_array_equal(base, np.arange(8))
    out = np.zeros(8, np.float32)
    with pytest.raises(TypeError, match="overlaps"):
        KERNELS.relu_backward(out[:4], np.ones(4, np.float32), out[:4])


def test_shapes_numpy_would_broadcast_are_refused_and_left_to_numpy():
    p = np.zeros((3, 4), np.float32)
    with pytest.raises(TypeError, match="shape"):
        KERNELS.sgd(p, np.ones(4, np.float32), 0.1, 0.0)
    with pytest.raises(TypeError, match="shape"):
        KERNELS.sgd(p, np.ones((4, 3), np.float32), 0.1, 0.0)
    with pytest.raises(TypeError, match="shape"):
        KERNELS.sgd(np.zeros((), np.float32), np.ones(1, np.float32), 0.1, 0.0)
    np.testing.assert_array_equal(p, 0.0)


# ------------------------------------------------------------ sizes 0 and 1, 0-d
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(0,), (0, 5), (), (1,), (1, 1)], ids=str)
@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_empty_0d_and_one_element_arrays_match_numpy(monkeypatch, config, shape, dtype):
    name, kwargs = config

    def make():
        p, g = _ordinary(shape, dtype, seed=5)
        return [p], [g]

    assert _compare(monkeypatch, name, kwargs, make) == [_kernel_of(name, kwargs)] * 3


@pytest.mark.parametrize("shape", [(0, 3), (), (1,)], ids=str)
def test_relu_backward_on_empty_0d_and_one_element_arrays(monkeypatch, shape):
    results = []
    for kernels in (KERNELS, None):
        monkeypatch.setattr(_fused, "KERNELS", kernels)
        relu = gn.activations.get("relu")
        x, g = _ordinary(shape, seed=2)
        relu.forward(x)
        out = np.full(shape, 9.0, np.float32)
        results.append(relu.backward(g, out=out).tobytes())
    assert results[0] == results[1]
    assert results[0] == (g * (x > 0)).astype(np.float32).tobytes()


def test_relu_backward_with_a_big_endian_gradient_falls_back(monkeypatch):
    monkeypatch.setattr(_fused, "KERNELS", KERNELS)
    relu = gn.activations.get("relu")
    relu.forward(np.array([-1.0, 2.0, 0.0, 3.0], np.float32))
    g = np.array([5.0, -6.0, 7.0, 8.0], ">f4")
    out = np.empty(4, np.float32)
    assert relu.backward(g, out=out) is out
    np.testing.assert_array_equal(out, [0.0, -6.0, 0.0, 8.0])


# --------------------------------------------------- the scalars and their rounding
@pytest.mark.parametrize(
    "lr",
    [
        0.1,  # not a float32: rounds to 0.100000001490116...
        1.0 + 2.0**-24,  # halfway between float32 1 and 1 + 2**-23: to even (1)
        1.0 + 3 * 2.0**-24,  # halfway again: to even, 1 + 2**-22
        1e-45,  # rounds to float32's smallest subnormal, 2**-149
        7e-46,  # just under half of 2**-149: rounds to 0 (no update at all)
    ],
)
def test_sgd_rounds_the_learning_rate_to_float32_as_numpy_does(monkeypatch, lr):
    p0, g = _ordinary(64, seed=3)
    g[:4] = [1.0, -1.0, 3.0e38, 1e30]
    # the formula in float32 scalars: w - g·fl32(η), each product rounded to float32
    lr32 = np.float32(lr)
    pairs = zip(p0, g, strict=True)
    expected = np.array([np.float32(w - np.float32(d * lr32)) for w, d in pairs])
    spy = _Spy()
    for kernels in (spy, None):
        monkeypatch.setattr(_fused, "KERNELS", kernels)
        p = p0.copy()
        optimizer = gn.optimizers.SGD(learning_rate=lr)
        with np.errstate(over="ignore"):
            optimizer.step([(p, g)])
        assert p.tobytes() == expected.tobytes()
    assert spy.calls == ["sgd"]
    if lr == 7e-46:
        assert p.tobytes() == p0.tobytes()


def test_adam_scalars_round_to_float32_one_by_one_as_numpy_does(monkeypatch):
    # Adam's first step on one float32 weight, written out in float32 scalars:
    # every Python float (1 - β, eps_hat, scale) is rounded to float32 on its own
    w0, g0 = np.float32(0.75), np.float32(-0.3)
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.1
    bc2_sqrt = np.sqrt(1.0 - b2)
    eps_hat, scale = eps * bc2_sqrt, lr / (1.0 - b1) * bc2_sqrt
    f = np.float32
    m = f(f(0.0) * f(b1)) + f(g0 * f(1.0 - b1))
    v = f(f(0.0) * f(b2)) + f(f(g0 * g0) * f(1.0 - b2))
    step = f(f(np.sqrt(v) + f(eps_hat)))
    expected = f(w0 - f(f(m / step) * f(scale)))
    for kernels in (KERNELS, None):
        monkeypatch.setattr(_fused, "KERNELS", kernels)
        w, g = np.array([w0]), np.array([g0])
        gn.optimizers.Adam(learning_rate=lr).step([(w, g)])
        assert w.tobytes() == np.array([expected]).tobytes()


@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_numpy_scalar_hyperparameters_are_taken_as_python_floats(monkeypatch, config):
    # np.float64 is a strong type under NEP 50: beside a float32 array NumPy would
    # compute in float64, where the kernel rounds the scalar to float32 first. The
    # constructor and step must therefore hand both paths plain Python floats.
    name, kwargs = config
    numpy_kwargs = {
        k: v if isinstance(v, bool) else np.float64(v) for k, v in kwargs.items()
    }
    optimizer = gn.optimizers.get({"name": name, **numpy_kwargs})
    for key in numpy_kwargs:
        assert type(getattr(optimizer, key)) in (float, bool), key

    def make():
        p, g = _ordinary(10, seed=4)
        return [p], [g]

    def schedule(step):
        return np.float64(0.1) / np.float64(step + 3)  # a NumPy scalar on purpose

    calls = _compare(
        monkeypatch, name, numpy_kwargs, make, learning_rate=schedule, steps=4
    )
    assert calls == [_kernel_of(name, kwargs)] * 4


@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_numpy_scalars_set_on_the_optimizer_directly_still_match_numpy(
    monkeypatch, config
):
    # Bypassing the constructor (optimizer.beta_1 = np.float64(...)) leaves NumPy
    # scalars in the attributes: the kernel must not compute with them in float32
    # what NumPy computes in float64 (it refuses, and NumPy's passes run).
    name, kwargs = config
    if name == "sgd":
        extra = {"weight_decay": np.float64(kwargs.get("weight_decay", 0.02))}
        if "momentum" in kwargs:
            extra["momentum"] = np.float64(kwargs["momentum"])
    else:
        extra = {
            "beta_1": np.float64(0.8),
            "beta_2": np.float64(0.99),
            "epsilon": np.float64(1e-3),
            "weight_decay": np.float64(kwargs.get("weight_decay", 0.02)),
        }

    def make():
        p, g = _ordinary(10, seed=6)
        return [p], [g]

    _compare(monkeypatch, name, kwargs, make, **extra)


def test_a_huge_integer_hyperparameter_raises_what_numpy_raises(monkeypatch):
    # an int too large for a double: the kernel must answer TypeError (fall back),
    # not OverflowError from the call site, so the error is NumPy's in both paths
    errors = []
    for use in (True, False):
        p, g = _ordinary(4)
        with pytest.raises(Exception) as info:  # noqa: PT011 - compared below
            _steps(monkeypatch, use, "sgd", {}, [p], [g], steps=1, weight_decay=10**400)
        errors.append((type(info.value), str(info.value)))
    assert errors[0] == errors[1]


# --------------------------------------------------- amsgrad's running maximum
def _amsgrad_state(v_max_values, dtype):
    n = len(v_max_values)
    return {
        "iterations": 3,
        "slots": {
            "m": [np.zeros(n, dtype)],
            "v": [np.zeros(n, dtype)],
            "v_max": [np.array(v_max_values, dtype)],
        },
    }


def _nan(payload, dtype, negative=False):
    bits = {np.float32: (np.uint32, 0x7FC00000, 1 << 31), np.float64: None}
    if dtype is np.float64:
        uint, quiet, sign = np.uint64, 0x7FF8000000000000, 1 << 63
    else:
        uint, quiet, sign = bits[np.float32]
    word = quiet | payload | (sign if negative else 0)
    return np.array([word], uint).view(dtype)[0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_amsgrad_maximum_keeps_numpy_s_choice_of_signed_zero(monkeypatch, dtype):
    # np.maximum(a, b) with a == b returns b: np.maximum(-0.0, +0.0) is +0.0. With a
    # zero gradient v stays +0.0, so a v_max of -0.0 must become +0.0.
    assert np.signbit(np.maximum(np.array([-0.0]), np.array([0.0]))).tolist() == [False]

    def make():
        return [np.ones(3, dtype)], [np.zeros(3, dtype)]

    for name in ("adam", "adamw"):
        kwargs = {"amsgrad": True}
        state = _amsgrad_state([-0.0, 0.0, -0.0], dtype)
        monkeypatch.setattr(_fused, "KERNELS", None)
        params, grads = make()
        _, reference = _steps(
            monkeypatch, False, name, kwargs, params, grads, 1, state=state
        )
        assert not np.signbit(reference["slots"]["v_max"][0]).any()
        calls = _compare(monkeypatch, name, kwargs, make, steps=1, state=state)
        assert calls == ["adam"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_amsgrad_maximum_propagates_nan_as_numpy_does(monkeypatch, dtype):
    # NaN in v_max (from the first step's gradient), in v (from the second's), or
    # in both with other payloads and signs: np.maximum returns its first NaN
    # argument, and so must the loop (set_state refuses NaN, so steps make them)
    grads = [
        [_nan(3, dtype), 1.0, _nan(7, dtype), _nan(11, dtype, True), 2.0],
        [0.5, _nan(5, dtype), _nan(9, dtype, True), 0.25, 0.0],
    ]
    runs = []
    for kernels in (_Spy(), None):
        monkeypatch.setattr(_fused, "KERNELS", kernels)
        optimizer = gn.optimizers.Adam(learning_rate=0.1, amsgrad=True)
        param = np.ones(5, dtype)
        with np.errstate(invalid="ignore"):
            for values in grads:
                optimizer.step([(param, np.array(values, dtype))])
        slots = optimizer.get_state()["slots"]
        runs.append(_bits([param, *slots["m"], *slots["v"], *slots["v_max"]]))
        v_max = slots["v_max"][0]
    assert runs[0] == runs[1]
    assert np.isnan(v_max).tolist() == [True, True, True, True, False]
    assert kernels is None


@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_nan_payloads_and_signs_in_every_array_match_numpy(monkeypatch, config):
    # x86 passes on the first operand's NaN when both are NaN: the loops must keep
    # the operands in NumPy's order for the bits to agree
    name, kwargs = config

    def make():
        p = np.array([_nan(1, np.float32), 1.0, _nan(2, np.float32, True)], "f4")
        g = np.array([_nan(3, np.float32, True), _nan(4, np.float32), 0.5], "f4")
        return [p], [g]

    assert _compare(monkeypatch, name, kwargs, make) == [_kernel_of(name, kwargs)] * 3


# ------------------------------------------------------------- what escapes
def test_every_refusal_is_a_type_error_and_changes_nothing():
    p = np.ones(4, np.float32)
    g = np.ones(4, np.float32)
    z = np.zeros(4, np.float32)
    bad_calls = [
        lambda: KERNELS.sgd(p, g, "0.1", 0.0),
        lambda: KERNELS.sgd(p, g, 0.1),
        lambda: KERNELS.sgd(p, b"abcdefghijklmnop", 0.1, 0.0),
        lambda: KERNELS.sgd(p, object(), 0.1, 0.0),
        lambda: KERNELS.sgd_momentum(p, g, np.ones(4, "f8"), 0.1, 0.9, 0, 0, 0, 0),
        lambda: KERNELS.adam(p, g, z.copy(), z.copy(), None, 0.9, 0.999, 0, 1, 0, "1"),
        lambda: KERNELS.adam(p, g, z.copy(), z.copy(), z[:2], 0.9, 0.999, 0, 1, 0, 0.5),
        lambda: KERNELS.relu_backward(g, p, np.ones(4, np.complex64)),
        lambda: KERNELS.relu_backward(g, p, np.ones(4, np.float16)),
        lambda: KERNELS.relu_backward(g, p, np.ones(4, np.longdouble)),
    ]
    for i, call in enumerate(bad_calls):
        with pytest.raises(TypeError):
            call()
        assert p.tobytes() == np.ones(4, np.float32).tobytes(), i


def test_the_kernel_releases_every_buffer_on_every_path():
    # a Py_buffer not released keeps a reference to its array: count them
    p = np.ones(4, np.float32)
    g = np.ones(4, np.float32)
    m, v, x = np.zeros(4, np.float32), np.zeros(4, np.float32), np.zeros(4, "f4")
    arrays = (p, g, m, v, x)
    calls = (
        lambda: KERNELS.sgd(p, g, 0.1, 0.0),
        lambda: KERNELS.sgd(p, np.ones(3, np.float32), 0.1, 0.0),
        lambda: KERNELS.sgd(p, g.astype(">f4"), 0.1, 0.0),
        lambda: KERNELS.sgd(p, p, 0.1, 0.0),
        lambda: KERNELS.sgd_momentum(p, g, m, 0.1, 0.9, 0.0, 0.0, False, False),
        lambda: KERNELS.sgd_momentum(p, g, p, 0.1, 0.9, 0.0, 0.0, False, False),
        lambda: KERNELS.adam(p, g, m, v, x, 0.9, 0.9, 1e-8, 1.0, 0.0, None),
        lambda: KERNELS.adam(p, g, m, v, v, 0.9, 0.9, 1e-8, 1.0, 0.0, None),
        lambda: KERNELS.adam(p, g, m, v, [0.0] * 4, 0.9, 0.9, 1e-8, 1.0, 0.0, 0.5),
        lambda: KERNELS.relu_backward(g, p, m),
        lambda: KERNELS.relu_backward(g, p, p),
    )
    before = [sys.getrefcount(a) for a in arrays]
    for call in calls:
        for _ in range(3):
            try:
                call()
            except TypeError:
                pass
    assert [sys.getrefcount(a) for a in arrays] == before


# ----------------------------------------------------------- ReLU's biased forward
def _forward_biased(monkeypatch, kernels, z, bias):
    monkeypatch.setattr(_fused, "KERNELS", kernels)
    relu = gn.activations.get("relu")
    return relu.forward_biased(z, bias)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_relu_keeps_numpy_s_nan_payloads_and_signed_zeros(monkeypatch, dtype):
    nan = [_nan(1, dtype), _nan(2, dtype, True), _nan(3, dtype), _nan(4, dtype, True)]
    rng = np.random.default_rng(8)
    z0 = rng.standard_normal((37, 9)).astype(dtype)
    bias = rng.standard_normal(9).astype(dtype)
    z0[:3, :4] = nan  # NaN + NaN: np.add keeps z's
    bias[:4] = nan[::-1]
    z0[3, 4:] = [-0.0, 0.0, -0.0, 0.5, -0.5]  # -0 + -0 is -0: max(-0, 0) is +0
    bias[4:] = [-0.0, -0.0, 0.0, -0.5, 0.5]
    results = []
    for kernels in (KERNELS, None):
        z = z0.copy()
        assert _forward_biased(monkeypatch, kernels, z, bias) is z
        results.append(z.tobytes())
    assert results[0] == results[1]
    assert not np.signbit(z[3, 4:]).any()


def test_bias_relu_refuses_what_numpy_refuses(monkeypatch):
    # a (1, n) bias cannot be added in place into a 1-D z of n: NumPy raises
    errors = []
    for kernels in (KERNELS, None):
        z = np.ones(4, np.float32)
        with pytest.raises(ValueError, match="broadcast") as info:
            _forward_biased(monkeypatch, kernels, z, np.ones((1, 4), np.float32))
        np.testing.assert_array_equal(z, 1.0)
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    with pytest.raises(TypeError, match="bias"):
        KERNELS.bias_relu(np.ones(4, np.float32), np.ones((1, 4), np.float32))


# ------------------------------------------------ parameters of another dtype later
@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_float32_parameters_given_to_a_state_built_for_float64_match_numpy(
    monkeypatch, config
):
    # the NumPy passes round through the float64 scratch (and slots) built at the
    # first step; a loop in float32 would round elsewhere, so none may run
    name, kwargs = config
    runs, spy = [], _Spy()
    for use in (True, False):
        monkeypatch.setattr(_fused, "KERNELS", spy if use else None)
        optimizer = gn.optimizers.get({"name": name, "learning_rate": 0.1, **kwargs})
        p64, g64 = _ordinary(40, np.float64, seed=1)
        optimizer.step([(p64, g64)])
        p, g = _ordinary(40, np.float32, seed=2)
        optimizer.step([(p, g)])
        runs.append(p.tobytes())
    assert runs[0] == runs[1]
    assert spy.calls == [_kernel_of(name, kwargs)]  # the float64 step only


# ------------------------------------------------------------- signaling NaNs
def _snan(payload, dtype, negative=False):
    # quiet bit clear, payload non-zero: a signaling NaN, which arithmetic quiets
    if dtype is np.float64:
        uint, exponent, sign = np.uint64, 0x7FF0000000000000, 1 << 63
    else:
        uint, exponent, sign = np.uint32, 0x7F800000, 1 << 31
    return np.array([exponent | payload | (sign if negative else 0)], uint).view(dtype)[
        0
    ]


@pytest.mark.parametrize("config", CONFIGS, ids=_ids)
def test_signaling_nans_are_quieted_as_numpy_quiets_them(monkeypatch, config):
    name, kwargs = config
    f = np.float32

    def make():
        p = np.array([_nan(1, f), 1.0, _snan(2, f), 0.5, _snan(3, f, True)], f)
        g = np.array([_snan(4, f), _snan(5, f, True), _nan(6, f), 0.5, _snan(7, f)], f)
        return [p], [g]

    calls = _compare(monkeypatch, name, kwargs, make, steps=2)
    assert calls == [_kernel_of(name, kwargs)] * 2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bias_relu_quiets_signaling_nans_as_numpy(monkeypatch, dtype):
    row = [_snan(1, dtype), 1.0, _nan(2, dtype), _snan(3, dtype, True)]
    z0 = np.array([row], dtype)
    bias = np.array([_nan(4, dtype), _snan(5, dtype), _snan(6, dtype), 2.0], dtype)
    results = []
    for kernels in (KERNELS, None):
        z = z0.copy()
        with np.errstate(invalid="ignore"):  # NumPy flags a signaling NaN
            _forward_biased(monkeypatch, kernels, z, bias)
        results.append(z.tobytes())
    assert results[0] == results[1]
