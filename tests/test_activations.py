"""Tests for glassnet.activations: hand-worked values, finite differences, PyTorch."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from glassnet import activations
from glassnet._numerics import ERFCX_CHEBYSHEV
from glassnet.activations import (
    ELU,
    GELU,
    LeakyReLU,
    Linear,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from glassnet.layers import Dense

ALL = [
    Linear(),
    Sigmoid(),
    Tanh(),
    ReLU(),
    LeakyReLU(alpha=0.1),
    ELU(alpha=0.7),
    GELU(),
    Softplus(),
    Softmax(),
]
IDS = [type(a).__name__ for a in ALL]


def _inputs(seed: int = 0, shape=(4, 5)) -> np.ndarray:
    """Random float64 inputs kept away from the kinks at 0 (relu, leaky_relu, elu)."""
    x = np.random.default_rng(seed).normal(scale=2.0, size=shape)
    return np.where(np.abs(x) < 0.05, 0.5, x)


def _numerical_gradient(f, x: np.ndarray, g: np.ndarray, h: float = 1e-5):
    """Central differences of L(x) = Σ g ⊙ f(x) with respect to every element of x."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = (np.sum(g * f(plus)) - np.sum(g * f(minus))) / (2 * h)
    return grad


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(
        np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)
    )


# ------------------------------------------------------------- hand-worked values

LN2, LN3, LN5 = math.log(2), math.log(3), math.log(5)


@pytest.mark.parametrize(
    ("activation", "x", "y", "dy"),
    [
        (Linear(), -2.0, -2.0, 1.0),
        # σ(0) = 1/2, σ' = 1/2 · 1/2
        (Sigmoid(), 0.0, 0.5, 0.25),
        # σ(ln 3) = 1 / (1 + 1/3) = 3/4, σ' = 3/4 · 1/4 = 3/16
        (Sigmoid(), LN3, 0.75, 3 / 16),
        # σ(−ln 3) = 1/4, σ' = 1/4 · 3/4 = 3/16
        (Sigmoid(), -LN3, 0.25, 3 / 16),
        # tanh(ln 2) = (2 − 1/2) / (2 + 1/2) = 3/5, tanh' = 1 − 9/25 = 16/25
        (Tanh(), LN2, 0.6, 0.64),
        (ReLU(), -3.0, 0.0, 0.0),
        (ReLU(), 2.5, 2.5, 1.0),
        # leaky: −2 · 0.1 = −0.2, slope 0.1 on the negative side
        (LeakyReLU(alpha=0.1), -2.0, -0.2, 0.1),
        (LeakyReLU(alpha=0.1), 3.0, 3.0, 1.0),
        # elu(−ln 2) = e^(−ln 2) − 1 = −1/2, elu' = e^(−ln 2) = 1/2
        (ELU(), -LN2, -0.5, 0.5),
        # α = 2: 2(1/2 − 1) = −1, derivative 2 · 1/2 = 1
        (ELU(alpha=2.0), -LN2, -1.0, 1.0),
        (ELU(), 1.5, 1.5, 1.0),
        # gelu(0) = 0 · Φ(0) = 0, gelu'(0) = Φ(0) + 0 · φ(0) = 1/2
        (GELU(), 0.0, 0.0, 0.5),
        # softplus(ln 3) = ln(1 + 3) = ln 4, softplus' = σ(ln 3) = 3/4
        (Softplus(), LN3, math.log(4), 0.75),
        # softplus(−ln 3) = ln(4/3), softplus' = σ(−ln 3) = 1/4
        (Softplus(), -LN3, math.log(4 / 3), 0.25),
    ],
)
def test_hand_worked_values(activation, x, y, dy):
    out = activation.forward(np.array([x]))
    assert out[0] == pytest.approx(y, rel=1e-14, abs=1e-15)
    assert activation.backward(np.array([1.0]))[0] == pytest.approx(dy, rel=1e-14)


def test_gelu_at_one_is_phi_of_one():
    # Φ(1) = (1 + erf(1/√2)) / 2 from math.erf; gelu'(1) = Φ(1) + φ(1)
    phi = 0.5 * (1 + math.erf(1 / math.sqrt(2)))
    density = math.exp(-0.5) / math.sqrt(2 * math.pi)
    gelu = GELU()
    assert gelu.forward(np.array([1.0]))[0] == pytest.approx(phi, rel=1e-15)
    assert gelu.backward(np.array([1.0]))[0] == pytest.approx(phi + density, rel=1e-15)


def test_softmax_hand_worked():
    # exp(0), exp(ln 2), exp(ln 5) = 1, 2, 5; total 8
    y = Softmax().forward(np.array([[0.0, LN2, LN5]]))
    np.testing.assert_allclose(y, [[1 / 8, 2 / 8, 5 / 8]], rtol=1e-14)


def test_softmax_backward_is_the_jacobian_transpose_times_g():
    x = _inputs(3, (3, 4))
    g = np.random.default_rng(4).normal(size=x.shape)
    softmax = Softmax()
    y = softmax.forward(x)
    got = softmax.backward(g)
    for row in range(x.shape[0]):
        # ∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ): the full Jacobian, symmetric
        jacobian = np.diag(y[row]) - np.outer(y[row], y[row])
        np.testing.assert_allclose(
            got[row], jacobian.T @ g[row], rtol=1e-12, atol=1e-15
        )


def test_erf_matches_math_erf_to_1e_15():
    xs = np.concatenate([np.linspace(-7, 7, 4001), [-40.0, -2.5, 2.5, 40.0]])
    expected = np.array([math.erf(v) for v in xs])
    np.testing.assert_allclose(activations.erf(xs), expected, rtol=0, atol=1e-15)


def test_erf_keeps_relative_precision_near_zero():
    # erf(x) ≈ 2x/√π for tiny x; 1 − erfc(x) would lose every digit here
    assert activations.erf(np.array([1e-12]))[0] == pytest.approx(
        2e-12 / math.sqrt(math.pi), rel=1e-15
    )


def test_erfcx_table_is_what_its_comment_says():
    # recompute the Chebyshev coefficients of erfcx(2.5(1+t)/(1−t)) at the 25
    # Chebyshev–Gauss nodes, in 50-digit arithmetic
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(50):
        m = 25
        nodes = [mpmath.cos(mpmath.pi * (j + 0.5) / m) for j in range(m)]
        values = []
        for t in nodes:
            z = mpmath.mpf(2.5) * (1 + t) / (1 - t)
            values.append(mpmath.exp(z * z) * mpmath.erfc(z))
        for n, stored in enumerate(ERFCX_CHEBYSHEV):
            cosines = [mpmath.cos(mpmath.pi * n * (j + 0.5) / m) for j in range(m)]
            c = 2 * mpmath.fsum(v * w for v, w in zip(values, cosines, strict=True)) / m
            expected = float(c / 2 if n == 0 else c)
            assert stored == pytest.approx(expected, rel=1e-15, abs=1e-30)


def test_gelu_left_tail_keeps_relative_precision():
    # gelu(−10) = −10 · Φ(−10) = −10 · erfc(10/√2)/2; 1 + erf(−7.07) would round to 0
    expected = -10 * 0.5 * math.erfc(10 / math.sqrt(2))
    assert GELU()(np.array([-10.0]))[0] == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("activation", ALL, ids=IDS)
def test_float32_agrees_with_float64(activation):
    x = _inputs(9) * 3
    g = np.random.default_rng(10).normal(size=x.shape)
    y64 = activation.forward(x)
    dx64 = activation.backward(g)
    y32 = activation.forward(x.astype(np.float32))
    dx32 = activation.backward(g.astype(np.float32))
    np.testing.assert_allclose(y32, y64, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dx32, dx64, rtol=1e-5, atol=1e-6)


def test_sigmoid_keeps_relative_precision_far_left():
    # σ(−700) = e^−700 / (1 + e^−700), about 9.86e-305, must not round to 0
    y = Sigmoid()(np.array([-700.0]))[0]
    assert y == pytest.approx(math.exp(-700) / (1 + math.exp(-700)), rel=1e-13)


# ------------------------------------------------------------- finite differences


@pytest.mark.parametrize("activation", ALL, ids=IDS)
def test_backward_matches_finite_differences(activation):
    x = _inputs()
    g = np.random.default_rng(1).normal(size=x.shape)
    activation.forward(x)
    analytic = activation.backward(g)
    numerical = _numerical_gradient(activation, x, g)
    assert _relative_error(analytic, numerical) < 1e-6


# ------------------------------------------------------------- PyTorch reference


def _torch_function(activation):
    import torch

    functional = torch.nn.functional
    return {
        "linear": lambda t: t * 1,
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda t: functional.leaky_relu(
            t, activation.get_config().get("alpha", 0)
        ),
        "elu": lambda t: functional.elu(t, activation.get_config().get("alpha", 1.0)),
        "gelu": functional.gelu,
        # PyTorch returns x itself above threshold=20; the inputs below stay under it
        "softplus": functional.softplus,
        "softmax": lambda t: torch.softmax(t, dim=-1),
    }[activation.name]


@pytest.mark.parametrize("activation", ALL, ids=IDS)
def test_matches_torch_forward_and_backward(activation, torch):
    function = _torch_function(activation)
    x = np.concatenate([_inputs(5, (6, 5)) * 3, [[-19.0, -8.0, 0.3, 8.0, 19.0]]])
    g = np.random.default_rng(6).normal(size=x.shape)
    x_t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y_t = function(x_t)
    y_t.backward(torch.tensor(g))
    y = activation.forward(x)
    np.testing.assert_allclose(y, y_t.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        activation.backward(g), x_t.grad.numpy(), rtol=0, atol=1e-10
    )


# ---------------------------------------------------- dtypes, buffers, extremes


@pytest.mark.parametrize("activation", ALL, ids=IDS)
def test_float32_stays_float32(activation):
    x = _inputs().astype(np.float32)
    g = np.ones_like(x)
    assert activation(x).dtype == np.float32
    assert activation.forward(x).dtype == np.float32
    assert activation.backward(g).dtype == np.float32


@pytest.mark.parametrize("activation", ALL, ids=IDS)
def test_out_buffers_in_place_give_the_same_numbers(activation):
    x = _inputs(7)
    g = np.random.default_rng(8).normal(size=x.shape)
    expected_y = activation.forward(x).copy()
    expected_dx = activation.backward(g).copy()

    buffer, grad = x.copy(), g.copy()
    y = activation.forward(buffer, out=buffer)  # out = the input itself
    assert y is buffer
    dx = activation.backward(grad, out=grad)  # out = grad_y itself
    assert dx is grad
    np.testing.assert_array_equal(y, expected_y)
    np.testing.assert_array_equal(dx, expected_dx)

    other = np.empty_like(x)
    assert activation.forward(x, out=other) is other
    np.testing.assert_array_equal(other, expected_y)
    np.testing.assert_array_equal(x, _inputs(7))  # the input was not touched


@pytest.mark.parametrize("activation", ALL, ids=IDS)
def test_backward_rows_is_backward_for_those_rows(activation):
    # Conv2D's backward goes through a batch a few rows at a time: each piece
    # must be exactly what the whole backward gives for its rows
    x = np.random.default_rng(3).normal(size=(9, 6))
    g = np.random.default_rng(4).normal(size=x.shape)
    activation.forward(x)
    whole = activation.backward(g).copy()
    pieces = np.empty_like(x)
    for rows in (slice(0, 4), slice(4, 5), slice(5, 9)):
        activation.backward_rows(g[rows], rows, out=pieces[rows])
    np.testing.assert_array_equal(pieces, whole)
    np.testing.assert_array_equal(activation.backward(g), whole)  # cache restored


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ALL, ids=IDS)
def test_extreme_inputs_are_finite_without_warnings(activation, dtype):
    x = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = activation.forward(x)
        dx = activation.backward(np.ones_like(x))
    assert np.isfinite(y).all() and np.isfinite(dx).all()
    assert y.dtype == dtype and dx.dtype == dtype


def test_extreme_values_are_the_limits():
    x = np.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(Sigmoid()(x), [0.0, 1.0])
    np.testing.assert_array_equal(Tanh()(x), [-1.0, 1.0])
    np.testing.assert_array_equal(Softplus()(x), [0.0, 1000.0])
    np.testing.assert_array_equal(GELU()(x), [0.0, 1000.0])
    np.testing.assert_array_equal(ELU()(x), [-1.0, 1000.0])
    np.testing.assert_array_equal(
        Softmax()(np.array([[1000.0, -1000.0]])), [[1.0, 0.0]]
    )


def test_integer_input_becomes_float64():
    assert ReLU()(np.array([1, -2])).dtype == np.float64


# ------------------------------------------------------------- caching


def test_call_caches_nothing():
    sigmoid = Sigmoid()
    sigmoid.forward(np.array([0.0]))  # σ' = 1/4 here
    sigmoid(np.array([5.0]))  # must not replace the cache
    assert sigmoid.backward(np.array([1.0]))[0] == 0.25


def test_backward_before_forward_is_refused():
    with pytest.raises(RuntimeError, match=r"Tanh.backward was called before forward"):
        Tanh().backward(np.ones(2))


# ------------------------------------------------------------- registry

VALID = (
    "'elu', 'gelu', 'identity', 'leaky_relu', 'linear', 'relu', 'sigmoid', "
    "'softmax', 'softplus', 'tanh'"
)


def test_names_are_the_keras_names():
    assert activations.names() == [
        "elu",
        "gelu",
        "identity",
        "leaky_relu",
        "linear",
        "relu",
        "sigmoid",
        "softmax",
        "softplus",
        "tanh",
    ]


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        activations.get("relux")
    assert str(info.value) == f"Unknown activation: 'relux'. Valid names: {VALID}"


def test_wrong_type_is_refused():
    with pytest.raises(
        TypeError, match=r"activation must be a name.*Received: activation=3"
    ):
        activations.get(3)


def test_bad_config_is_refused():
    with pytest.raises(TypeError, match=r"Activation 'relu' does not accept"):
        activations.get({"name": "relu", "alpha": 0.1})
    with pytest.raises(
        ValueError, match=r"alpha must be a finite number >= 0 and <= 1"
    ):
        LeakyReLU(alpha=-0.5)
    with pytest.raises(ValueError, match=r"alpha must be a finite number > 0"):
        ELU(alpha=0)


def test_aliases_and_defaults():
    assert isinstance(activations.get("identity"), Linear)
    assert isinstance(activations.get(None), Linear)
    assert activations.get("leaky_relu").alpha == 0.01
    assert activations.get("elu").alpha == 1.0


@pytest.mark.parametrize("activation", ALL, ids=IDS)
def test_get_config_round_trip(activation):
    rebuilt = activations.get({"name": activation.name, **activation.get_config()})
    assert rebuilt == activation and type(rebuilt) is type(activation)
    copy = activations.get(activation)
    assert copy == activation and copy is not activation  # never a shared cache
    assert activations.get(activation.name) == type(activation)()


class _ReLU6(activations.ReLU):
    """A user's subclass that changes the function: min(max(x, 0), 6)."""

    name = "relu6_review"

    def _apply(self, x, out):
        return np.clip(x, 0, 6, out=out)


@pytest.mark.parametrize("training", [True, False])
def test_a_relu_subclass_with_its_own_function_is_applied_in_training(training):
    # Dense's training forward calls forward_biased, which ReLU ran as its compiled
    # bias + max(·, 0) loop even for a subclass: the subclass's _apply was skipped
    layer = Dense(2, 3, activation=_ReLU6())
    layer.params["W"][...] = 10.0
    layer.params["b"][...] = [-30.0, 1.0, -19.5]
    x = np.ones((2, 2), np.float32)
    expected = np.clip(x @ layer.params["W"] + layer.params["b"], 0, 6)  # 0, 6, 0.5
    np.testing.assert_array_equal(layer.forward(x, training=training), expected)
