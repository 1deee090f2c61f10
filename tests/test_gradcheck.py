"""gn.gradcheck, its finite-difference helpers, and whole networks checked by it."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.finitediff import numerical_gradient, relative_error
from glassnet.layers import Dense

HIDDEN_ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu",
                      "softplus"]  # fmt: skip


def test_numerical_gradient_of_a_hand_worked_function():
    # f(w) = w0² w1 + 3 w1: ∂f/∂w0 = 2 w0 w1 = 12, ∂f/∂w1 = w0² + 3 = 7 at (2, 3)
    w = np.array([2.0, 3.0])
    grad = numerical_gradient(lambda: float(w[0] ** 2 * w[1] + 3 * w[1]), w)
    np.testing.assert_allclose(grad, [12.0, 7.0], rtol=1e-9)
    np.testing.assert_array_equal(w, [2.0, 3.0])  # restored exactly


def test_relative_error_formula():
    # ‖a − n‖ / (‖a‖ + ‖n‖) = ‖(0, 1)‖ / (‖(3, 4)‖ + ‖(3, 5)‖) = 1 / (5 + √34)
    value = relative_error(np.array([3.0, 4.0]), np.array([3.0, 5.0]))
    assert value == pytest.approx(1 / (5 + np.sqrt(34)))
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_gradcheck_catches_a_wrong_backward():
    class BrokenDense(Dense):
        def backward(self, grad_out, need_input_grad=True):
            dx = super().backward(grad_out, need_input_grad)
            self.grads["b"] *= 2  # a classic bug: a factor of two
            return dx

    model = gn.Sequential([Dense(3, 4, activation="tanh"), BrokenDense(4, 2)], seed=0)
    model.compile(loss="mse")
    X = np.random.default_rng(0).normal(size=(6, 3))
    y = np.random.default_rng(1).normal(size=(6, 2))
    assert gn.gradcheck(model, X, y) > 1e-2


def test_gradcheck_leaves_the_model_untouched():
    model = gn.Sequential(
        [Dense(3, 5, activation="relu"), gn.Dropout(0.5), Dense(5, 2)], seed=4
    )
    model.compile(loss="categorical_crossentropy")
    before = model.get_weights()
    rng_state = model.rng.bit_generator.state
    mask_state = model.layers[1].rng.bit_generator.state
    X = np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32)
    error = gn.gradcheck(model, X, [0, 1, 0, 1, 1, 0])
    assert error < 1e-6
    assert model.dtype == np.float32
    assert all(w.dtype == np.float32 for w in model.get_weights())
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert model.rng.bit_generator.state == rng_state
    assert model.layers[1].rng.bit_generator.state == mask_state


def test_gradcheck_on_a_layer_without_loss():
    layer = Dense(4, 3, activation="gelu", seed=2)
    X = np.random.default_rng(0).normal(size=(5, 4))
    assert gn.gradcheck(layer, X) < 1e-7


def test_gradcheck_errors():
    model = gn.Sequential([Dense(2, 1)], seed=0)
    with pytest.raises(ValueError, match="gradcheck needs a loss: compile the model"):
        gn.gradcheck(model, np.ones((2, 2)), [1, 2])
    with pytest.raises(ValueError, match="needs targets: pass y"):
        gn.gradcheck(model, np.ones((2, 2)), loss="mse")
    with pytest.raises(TypeError, match="must be a Sequential or a Layer"):
        gn.gradcheck("model", np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"eps must be a finite number > 0"):
        gn.gradcheck(Dense(2, 1), np.ones((2, 2)), eps=0)


def _random_network(rng, n_layers, loss):
    """A random stack: random widths, a random hidden activation per layer."""
    sizes = rng.integers(1, 6, size=n_layers + 1).tolist()
    if loss == "categorical_crossentropy":
        sizes[-1] = max(sizes[-1], 2)
    layers = []
    for i in range(n_layers):
        last = i == n_layers - 1
        activation = None if last else rng.choice(HIDDEN_ACTIVATIONS)
        if last and loss in ("binary_crossentropy",):
            activation = "sigmoid"
        layers.append(Dense(sizes[i], sizes[i + 1], activation=activation,
                            l2=float(rng.choice([0.0, 0.01]))))  # fmt: skip
    model = gn.Sequential(layers, seed=int(rng.integers(1000)), dtype="float64")
    model.compile(loss=loss)
    n = 7
    X = rng.normal(size=(n, sizes[0]))
    if loss == "categorical_crossentropy":
        y = rng.integers(0, sizes[-1], size=n)
    elif loss.startswith("binary"):
        y = rng.integers(0, 2, size=(n, sizes[-1]))
    else:
        y = rng.normal(size=(n, sizes[-1]))
    return model, X, y


@pytest.mark.parametrize("n_layers", [1, 2, 3, 4])
@pytest.mark.parametrize(
    "loss",
    ["mse", "mae", "binary_crossentropy", "binary_crossentropy_from_logits",
     "categorical_crossentropy"],
)  # fmt: skip
def test_random_networks_backprop_matches_finite_differences(n_layers, loss):
    rng = np.random.default_rng([n_layers, len(loss)])
    for _ in range(3):
        model, X, y = _random_network(rng, n_layers, loss)
        assert gn.gradcheck(model, X, y) < 1e-6, model
