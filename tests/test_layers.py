"""Layers: hand-worked forward passes, finite-difference gradients, errors, configs."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations
from glassnet.finitediff import numerical_gradient, relative_error
from glassnet.layers import LAYERS, Activation, Dense, Dropout

ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu",
               "softplus", "softmax"]  # fmt: skip


def _check_layer_gradients(layer, x, weights, rel=1e-6):
    """Compare backward with central differences of L = Σ(output ⊙ weights)."""

    def loss():
        return float(np.sum(layer.forward(x) * weights))

    loss()
    dx = layer.backward(weights).copy()
    analytic = {key: grad.copy() for key, grad in layer.grads.items()}
    for key, param in layer.params.items():
        numeric = numerical_gradient(loss, param)
        assert relative_error(analytic[key], numeric) < rel, key
    assert relative_error(dx, numerical_gradient(loss, x)) < rel


# ----------------------------------------------------------------- Dense forward


def test_dense_forward_is_x_W_plus_b_worked_by_hand():
    layer = Dense(2, 3, dtype="float64")
    layer.params["W"][...] = [[1, 2, 3], [4, 5, 6]]
    layer.params["b"][...] = [0.5, -1, 0]
    x = np.array([[1.0, 1.0], [2.0, 0.0]])
    # row 0: [1+4, 2+5, 3+6] + b = [5.5, 6, 9]; row 1: [2, 4, 6] + b = [2.5, 3, 6]
    expected = [[5.5, 6.0, 9.0], [2.5, 3.0, 6.0]]
    np.testing.assert_array_equal(layer.forward(x), expected)
    np.testing.assert_array_equal(layer(x), expected)
    np.testing.assert_array_equal(layer(np.array([1.0, 1.0])), expected[0])


def test_dense_with_relu_worked_by_hand():
    layer = Dense(2, 2, activation="relu", dtype="float64")
    layer.params["W"][...] = [[1, -1], [1, -1]]
    out = layer.forward(np.array([[1.0, 2.0]]))  # z = [3, -3] -> [3, 0]
    np.testing.assert_array_equal(out, [[3.0, 0.0]])
    layer.backward(np.array([[1.0, 1.0]]))
    # dL/dz = [1, 0]; dW = xᵀ dz = [[1, 0], [2, 0]]; db = [1, 0]
    np.testing.assert_array_equal(layer.grads["W"], [[1.0, 0.0], [2.0, 0.0]])
    np.testing.assert_array_equal(layer.grads["b"], [1.0, 0.0])


def test_training_forward_caches_inputs_and_outputs():
    layer = Dense(3, 2, activation="tanh", seed=0)
    x = np.ones((4, 3), dtype=np.float32)
    out = layer.forward(x)
    assert layer.inputs is x
    assert layer.outputs is out
    np.testing.assert_allclose(out, layer(x), rtol=1e-6)


def test_predict_path_caches_nothing():
    layer = Dense(3, 2, seed=0)
    layer(np.ones((4, 3)))
    assert layer.inputs is None and layer.outputs is None
    with pytest.raises(RuntimeError, match="before a training forward"):
        layer.backward(np.ones((4, 2)))


def test_float32_stays_float32():
    layer = Dense(3, 2, activation="sigmoid", seed=0)
    x = np.ones((5, 3), dtype=np.float32)
    assert layer.forward(x).dtype == np.float32
    assert layer.backward(np.ones((5, 2), np.float32)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in layer.grads.values())
    assert layer(x).dtype == np.float32


# ----------------------------------------------------------------- gradients


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_gradients_match_finite_differences(activation):
    rng = np.random.default_rng(7)
    layer = Dense(4, 3, activation=activation, seed=1, dtype="float64")
    layer.params["b"][...] = rng.normal(size=3)
    x = rng.normal(size=(5, 4))
    _check_layer_gradients(layer, x, rng.normal(size=(5, 3)))


def test_dense_without_bias_and_with_l2_gradients():
    rng = np.random.default_rng(3)
    layer = Dense(3, 2, activation="tanh", use_bias=False, l2=0.1, seed=0,
                  dtype="float64")  # fmt: skip
    assert list(layer.params) == ["W"]
    x, weights = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))

    def loss():
        return float(np.sum(layer.forward(x) * weights)) + layer.regularization_loss()

    loss()
    layer.backward(weights)
    numeric = numerical_gradient(loss, layer.params["W"])
    assert relative_error(layer.grads["W"], numeric) < 1e-7
    W = layer.params["W"]
    assert layer.regularization_loss() == pytest.approx(0.1 * np.sum(W**2))


def test_backward_overwrites_and_never_accumulates():
    layer = Dense(2, 2, seed=0, dtype="float64")
    x, g = np.ones((3, 2)), np.ones((3, 2))
    layer.forward(x)
    layer.backward(g)
    first = layer.grads["W"].copy()
    layer.forward(x)
    layer.backward(g)
    np.testing.assert_array_equal(layer.grads["W"], first)


def test_need_input_grad_false_skips_the_input_gradient():
    layer = Dense(2, 2, seed=0)
    layer.forward(np.ones((3, 2), np.float32))
    assert layer.backward(np.ones((3, 2), np.float32), need_input_grad=False) is None
    assert layer.grads["W"].any()


def test_params_and_grads_keep_their_identity():
    layer = Dense(3, 2, activation="relu", seed=0)
    W, gW = layer.params["W"], layer.grads["W"]
    for n in (4, 4, 1):  # a new batch size gets new buffers, not new parameters
        layer.forward(np.ones((n, 3), np.float32))
        layer.backward(np.ones((n, 2), np.float32))
    layer.reset_parameters(np.random.default_rng(1))
    assert layer.params["W"] is W and layer.grads["W"] is gW
    assert [p for p, _ in layer.parameters()] == [layer.params["W"], layer.params["b"]]


def test_a_smaller_last_batch_gets_its_own_buffer():
    layer = Dense(2, 2, seed=0, dtype="float64")
    full = layer.forward(np.ones((4, 2)))
    kept = full.copy()
    layer.forward(np.zeros((1, 2)))
    np.testing.assert_array_equal(full, kept)  # the size-4 buffer was not touched


@pytest.mark.parametrize("activation", ["sigmoid", "linear", "softmax"])
def test_activation_layer_gradients(activation):
    rng = np.random.default_rng(2)
    layer = Activation(activation, dtype="float64")
    _check_layer_gradients(layer, rng.normal(size=(3, 4)), rng.normal(size=(3, 4)))


# ----------------------------------------------------------------- Dropout


def test_dropout_is_inverted_and_off_at_predict():
    layer = Dropout(0.25, seed=0, dtype="float64")
    x = np.ones((200, 50))
    out = layer.forward(x)
    kept = out != 0
    np.testing.assert_array_equal(out[kept], 1 / 0.75)  # survivors scaled up
    assert abs(kept.mean() - 0.75) < 0.01  # about 1 - rate survive
    assert layer(x) is x  # identity at predict
    grad = layer.backward(np.full((200, 50), 2.0))
    np.testing.assert_array_equal(grad, 2.0 * out)  # same mask backwards


def test_dropout_with_a_fixed_mask_matches_finite_differences():
    rng = np.random.default_rng(5)
    layer = Dropout(0.5, seed=3, dtype="float64")
    state = layer.rng.bit_generator.state
    x, weights = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))

    def loss():
        layer.rng.bit_generator.state = state  # replay the same mask
        return float(np.sum(layer.forward(x) * weights))

    loss()
    dx = layer.backward(weights).copy()
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-9
    assert (dx == 0).any()  # some inputs really were dropped


def test_dropout_rate_zero_is_the_identity_and_rate_one_is_refused():
    x = np.ones((2, 3))
    assert Dropout(0.0).forward(x) is x
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\). Received: rate=1"):
        Dropout(1.0)


def test_dropout_in_a_model_draws_masks_from_the_model_seed():
    def masks(seed):
        model = gn.Sequential([Dense(3, 8, seed=99), Dropout(0.5)], seed=seed)
        model.forward(np.ones((4, 3), np.float32))
        return model.layers[1].mask.copy()

    np.testing.assert_array_equal(masks(1), masks(1))
    assert not np.array_equal(masks(1), masks(2))


# ----------------------------------------------------------------- errors


def test_wrong_input_width_names_layer_expected_and_received():
    layer = Dense(784, 256)
    message = (r"Dense\(784, 256\) expects inputs with 784 features \(last "
               r"dimension\). Received: shape \(32, 28\)")  # fmt: skip
    with pytest.raises(ValueError, match=message):
        layer.forward(np.ones((32, 28), np.float32))
    with pytest.raises(ValueError, match=message):
        layer(np.ones((32, 28), np.float32))


@pytest.mark.parametrize(
    "layer", [Dropout(0.5, seed=0), Activation("tanh")], ids=["Dropout", "Activation"]
)
def test_wrong_gradient_shape_names_layer_expected_and_received(layer):
    layer.forward(np.ones((1, 3)))
    # (4, 3) would broadcast against a (1, 3) mask without the check
    for shape in [(4, 3), (1, 5)]:
        with pytest.raises(ValueError, match=(
            rf"{type(layer).__name__}\(.*\)\.backward expects dL/d\(output\) shaped "
            r"like the output of its last training forward, \(1, 3\)\. "
            rf"Received: shape \({shape[0]}, {shape[1]}\)"
        )):  # fmt: skip
            layer.backward(np.ones(shape))
    assert layer.backward(np.ones((1, 3))).shape == (1, 3)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_in": 0, "n_out": 2}, ValueError, r"n_in must be an integer >= 1\. "
         r"Received: n_in=0"),
        ({"n_in": 2.5, "n_out": 2}, TypeError, r"n_in must be an integer >= 1"),
        ({"n_in": 2, "n_out": 2, "activation": "relux"}, ValueError,
         r"Unknown activation: 'relux'\. Valid names: .*'relu'"),
        ({"n_in": 2, "n_out": 2, "weight_init": "glorot"}, ValueError,
         r"Unknown initializer: 'glorot'"),
        ({"n_in": 2, "n_out": 2, "l2": -1}, ValueError, r"l2 must be a finite number"
         r" >= 0\. Received: l2=-1"),
        ({"n_in": 2, "n_out": 2, "use_bias": "yes"}, TypeError,
         r"use_bias must be True or False"),
        ({"n_in": 2, "n_out": 2, "dtype": "float16"}, ValueError,
         r"dtype must be 'float32' or 'float64'"),
    ],
)  # fmt: skip
def test_bad_constructor_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        Dense(**kwargs)


# ----------------------------------------------------------------- configs


def test_repr_is_one_readable_line():
    assert repr(Dense(784, 256, activation="relu")) == (
        "Dense(784, 256, activation='relu')"
    )
    assert repr(Dense(3, 1)) == "Dense(3, 1)"
    assert repr(Dense(2, 2, use_bias=False, l2=0.01)) == (
        "Dense(2, 2, use_bias=False, l2=0.01)"
    )
    assert repr(Dropout(0.2)) == "Dropout(0.2)"
    assert repr(Activation("tanh")) == "Activation('tanh')"


@pytest.mark.parametrize(
    "layer",
    [
        Dense(3, 4, activation={"name": "leaky_relu", "alpha": 0.2},
              weight_init="he_normal", use_bias=False, l2=0.5),
        Dense(2, 1, activation="sigmoid", bias_init="standard_normal"),
        Dropout(0.3),
        Activation("elu"),
    ],
    ids=repr,
)  # fmt: skip
def test_config_round_trip_through_the_registry(layer):
    config = layer.get_config()
    rebuilt = LAYERS[type(layer).__name__].from_config(copy.deepcopy(config))
    assert rebuilt.get_config() == config
    assert repr(rebuilt) == repr(layer)
    activation = getattr(rebuilt, "activation", None)
    if activation is not None:
        assert activation == activations.get(config["activation"])


def test_output_shape_and_parameter_count():
    layer = Dense(784, 256)
    assert layer.output_shape((None, 784)) == (None, 256)
    assert layer.n_params() == 784 * 256 + 256
    assert Dropout(0.5).n_params() == 0
    assert Dropout(0.5).output_shape((None, 7)) == (None, 7)


def test_standalone_layer_seed_decides_initial_weights():
    a, b, c = Dense(5, 4, seed=1), Dense(5, 4, seed=1), Dense(5, 4, seed=2)
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    assert not np.array_equal(a.params["W"], c.params["W"])
    limit = np.sqrt(6 / (5 + 4))  # glorot_uniform's bound
    assert np.all(np.abs(a.params["W"]) <= limit)
    np.testing.assert_array_equal(a.params["b"], 0)


def test_dense_gradients_for_one_sample_and_extra_leading_dimensions():
    rng = np.random.default_rng(11)
    for shape in [(3,), (2, 4, 3)]:
        layer = Dense(3, 2, activation="tanh", seed=0, dtype="float64")
        layer.params["b"][...] = rng.normal(size=2)
        x = rng.normal(size=shape)
        weights = rng.normal(size=shape[:-1] + (2,))
        _check_layer_gradients(layer, x, weights)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", [None, "relu", "tanh"])
def test_dense_training_forward_equals_predict_on_extra_leading_dimensions(
    dtype, activation
):
    # "any leading dimensions work": the training forward ran np.dot on 3-D inputs,
    # another summation than predict's matmul (last bits differed)
    layer = Dense(40, 6, activation=activation, dtype=dtype)
    x = np.random.default_rng(1).standard_normal((3, 4, 40)).astype(dtype)
    trained = layer.forward(x).copy()
    predicted = layer.forward(x, training=False)
    assert trained.tobytes() == predicted.tobytes()


def test_a_deep_copy_follows_in_place_changes_of_its_bias():
    # A training forward caches a (1, n_out) view of b; a deep copy must not keep
    # adding the bias it was copied with once its own b changes in place.
    layer = Dense(2, 3, seed=0, dtype="float64")
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    layer.forward(x)
    twin = copy.deepcopy(layer)
    twin.params["b"][...] = [1.0, 2.0, 3.0]
    expected = x @ twin.params["W"] + np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(twin.forward(x), expected, rtol=1e-15)


def test_gradcheck_after_training_sees_the_bias():
    # gradcheck deep-copies the layers and perturbs b in place: after fit (which
    # caches the bias view) the bias gradients must still match.
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([1.0, 1.0, 0.0, 0.0])
    model = gn.Sequential(
        [Dense(2, 3, activation="tanh"), Dense(3, 1)], seed=0, dtype="float64"
    )
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(learning_rate=0.1))
    model.fit(X, y, epochs=5, batch_size=2, verbose=0)
    assert gn.gradcheck(model, X, y) < 1e-6


# ----------------------------------------------------------------- list inputs
# Dropout and Activation take lists and integer arrays as Dense does: converted to
# the layer's float dtype, in training and at predict; non-numbers refused clearly.

ROWS = [[-2, 0, 3], [1, -1, 4]]  # integers: relu keeps 0, 3, 1, 4 and zeroes the rest
RELU = [[0.0, 0.0, 3.0], [1.0, 0.0, 4.0]]  # worked by hand from ROWS


def _layers(dtype):
    """Fresh layers, so each input kind meets the same mask stream."""
    return {
        "Dropout": lambda: Dropout(0.5, seed=7, dtype=dtype),
        "Dropout(0)": lambda: Dropout(0.0, dtype=dtype),
        "Activation": lambda: Activation("relu", dtype=dtype),
    }


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["Dropout", "Dropout(0)", "Activation"])
@pytest.mark.parametrize("training", [True, False], ids=["training", "predict"])
def test_a_list_and_an_int_array_give_what_the_float_array_gives(dtype, name, training):
    make = _layers(dtype)[name]
    expected = make().forward(np.array(ROWS, dtype=dtype), training=training)
    for given in (ROWS, np.array(ROWS), np.array(ROWS, dtype=np.int8)):
        out = make().forward(given, training=training)
        assert isinstance(out, np.ndarray)
        assert out.dtype == np.dtype(dtype)  # the layer's float, not int, not float64
        np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_converted_values_are_the_numbers_given(dtype):
    # identity at predict / rate 0, relu worked by hand: no rounding of small ints
    np.testing.assert_array_equal(Dropout(0.5, dtype=dtype)(ROWS), ROWS)
    np.testing.assert_array_equal(Dropout(0.0, dtype=dtype).forward(ROWS), ROWS)
    np.testing.assert_array_equal(Activation("relu", dtype=dtype)(ROWS), RELU)
    np.testing.assert_array_equal(Activation("relu", dtype=dtype).forward(ROWS), RELU)


def test_the_dropout_mask_of_a_list_is_inverted_dropout():
    layer = Dropout(0.5, seed=0, dtype="float64")
    out = layer.forward([[1] * 40] * 5)
    assert set(np.unique(out).tolist()) == {0.0, 2.0}  # dropped, or 1 / (1 - 0.5)
    grad = layer.backward(np.ones((5, 40)))
    np.testing.assert_array_equal(grad, out)  # the same mask backwards


def test_booleans_become_zeros_and_ones():
    out = Activation("linear", dtype="float64").forward([[True, False]])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1.0, 0.0]])


def test_backward_after_a_list_forward_matches_the_array_forward():
    # sigmoid' = y(1 - y) from the cached output: the cache must be the float array
    from_list = Activation("sigmoid", dtype="float64")
    from_array = Activation("sigmoid", dtype="float64")
    from_list.forward(ROWS)
    from_array.forward(np.array(ROWS, dtype=np.float64))
    grad = np.full((2, 3), 0.5)
    np.testing.assert_array_equal(
        from_list.backward(grad).copy(), from_array.backward(grad)
    )
    y = 1 / (1 + np.exp(-np.array(ROWS, dtype=np.float64)))
    np.testing.assert_allclose(from_list.backward(grad), 0.5 * y * (1 - y), rtol=1e-12)


def test_a_float_array_is_used_as_it_is():
    x = np.ones((2, 3), dtype=np.float64)
    assert Dropout(0.5, dtype="float32")(x) is x  # identity at predict: no copy
    assert Dropout(0.0, dtype="float32").forward(x) is x


BAD = {
    "strings": (["a", "b"], "['a', 'b']"),
    "string array": (np.array(["1.5"]), "array of shape (1,) and dtype <U3"),
    "complex": ([1 + 2j], "[(1+2j)]"),
    "None in a list": ([[1, 2], [3, None]], "[[1, 2], [3, None]]"),
    "ragged": ([[1], [1, 2]], "[[1], [1, 2]]"),
    "dict": ({"x": 1}, "{'x': 1}"),
}


@pytest.mark.parametrize("case", list(BAD))
@pytest.mark.parametrize(
    "layer", [Dropout(0.5, seed=0), Activation("tanh")], ids=["Dropout", "Activation"]
)
@pytest.mark.parametrize("training", [True, False], ids=["training", "predict"])
def test_non_numbers_are_refused_naming_the_layer_and_the_value(layer, case, training):
    given, shown = BAD[case]
    message = (
        f"{layer!r} expects numbers: a float array, or a list or array of "
        f"integers or floats. Received: {shown}"
    )
    with pytest.raises(TypeError, match=re.escape(message)):
        layer.forward(given, training=training)


# ----------------------------------------------------------------- shapes of any rank


def test_dense_units_infers_its_input_size_at_build():
    layer = Dense(16, activation="relu")
    assert (layer.n_in, layer.n_out, layer.params) == (None, 16, {})
    assert layer.output_shape((None, 5)) == (None, 16)
    layer.build(np.random.default_rng(0), "float64", (None, 5))
    assert layer.n_in == 5 and layer.params["W"].shape == (5, 16)
    assert layer.input_shape == (None, 5)
    assert repr(layer) == "Dense(16, activation='relu')"
    assert layer.get_config()["n_in"] is None  # from_config infers it again


def test_dense_two_sizes_keep_meaning_n_in_n_out():
    layer = Dense(2, 64)
    assert (layer.n_in, layer.n_out, layer.input_shape) == (2, 64, (None, 2))
    assert Dense(units=7).n_out == 7
    assert Dense(3, units=7).n_in == 3


def test_dense_units_used_on_its_own_builds_from_its_first_input():
    x = np.random.default_rng(0).normal(size=(4, 3))
    a, b = Dense(2, seed=5, dtype="float64"), Dense(2, seed=5, dtype="float64")
    np.testing.assert_array_equal(a.forward(x), b(x))  # the seed decides the weights
    assert a.params["W"].shape == (3, 2)


def test_dense_on_rank_3_input_works_on_the_last_axis():
    rng = np.random.default_rng(0)
    layer = Dense(3, 2, activation="tanh", dtype="float64", seed=0)
    x = rng.normal(size=(4, 5, 3))
    W, b = layer.params["W"], layer.params["b"]
    # each (sample, position) row on its own: tanh(x[i, j] @ W + b)
    np.testing.assert_allclose(layer.forward(x), np.tanh(x @ W + b), rtol=1e-12)
    assert layer.output_shape((None, 5, 3)) == (None, 5, 2)
    _check_layer_gradients(layer, x, rng.normal(size=(4, 5, 2)))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({}, TypeError, r"Dense needs its number of units: Dense\(units\) or "
         r"Dense\(n_in, n_out\)\. Received: neither"),
        ({"n_in": 16, "n_out": "relu"}, TypeError, r"Dense's second argument is n_out"
         r".*Dense\(16, activation='relu'\)\. Received: n_out='relu'"),
        ({"n_in": 2, "n_out": 3, "units": 3}, TypeError, r"Dense takes n_out or units"
         r" \(the same thing\), not both\. Received: n_out=3, units=3"),
        ({"units": 0}, ValueError, r"n_out must be an integer >= 1\. Received: "
         r"n_out=0"),
    ],
    ids=["no-size", "keras-positional-activation", "n_out-and-units", "zero-units"],
)  # fmt: skip
def test_bad_dense_sizes_are_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        Dense(**kwargs)


@pytest.mark.parametrize(
    "layer, shape, message",
    [
        (Dense(4, 2), (None, 3), r"Dense\(4, 2\) expects inputs of shape \(None, 4\)"
         r"\. Received: input_shape=\(None, 3\)"),
        (Dense(4, 2), (None, 5, 3), r"Dense\(4, 2\) expects inputs of shape "
         r"\(None, \.\.\., 4\)\. Received: input_shape=\(None, 5, 3\)"),
        (Dense(2), (None,), r"Dense\(2\) expects inputs of shape "
         r"\(None, n_features\)\. Received: input_shape=\(None,\)"),
        (gn.Reshape((2, 2)), (None, 5), r"Reshape\(\(2, 2\)\) expects inputs of "
         r"shape \(None, \.\.\.\) with 4 values per sample\. Received: "
         r"input_shape=\(None, 5\)"),
        (gn.Reshape((3, -1)), (None, 4), r"with a multiple of 3 values per sample\. "
         r"Received: input_shape=\(None, 4\)"),
    ],
    ids=["dense-width", "dense-rank-3", "dense-no-features", "reshape", "reshape-free"],
)  # fmt: skip
def test_a_shape_a_layer_cannot_take_is_refused_at_build(layer, shape, message):
    with pytest.raises(ValueError, match=message):
        layer.output_shape(shape)
    with pytest.raises(ValueError, match=message):
        layer.build(np.random.default_rng(0), "float32", shape)


def test_flatten_keeps_c_order_and_gives_the_gradient_its_shape_back():
    layer = gn.Flatten(dtype="float64")
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    out = layer.forward(x)
    # sample 0 holds 0..11 and sample 1 holds 12..23, in memory order
    np.testing.assert_array_equal(out, np.arange(24.0).reshape(2, 12))
    assert layer.output_shape((None, 3, 2, 2)) == (None, 12)
    assert layer.output_shape((None, None, 2)) == (None, None)
    grad = np.arange(24.0).reshape(2, 12) * 10
    np.testing.assert_array_equal(layer.backward(grad), grad.reshape(2, 3, 2, 2))
    assert layer.backward(grad, need_input_grad=False) is None
    assert layer.params == {} and layer.n_params() == 0


def test_reshape_with_a_free_axis():
    layer = gn.Reshape((2, -1), dtype="float64")
    assert layer.output_shape((None, 3, 4)) == (None, 2, 6)
    assert layer.output_shape((None, None)) == (None, 2, None)
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(layer.forward(x), np.arange(24.0).reshape(2, 2, 6))
    grad = np.ones((2, 2, 6))
    assert layer.backward(grad).shape == (2, 3, 4)
    assert repr(layer) == "Reshape((2, -1))"
    assert gn.Reshape.from_config(layer.get_config()).target_shape == (2, -1)


@pytest.mark.parametrize(
    "target, error",
    [((2, -1, -1), ValueError), ((0, 3), ValueError), ("2x3", TypeError),
     ((2.5,), TypeError), ((), TypeError), ((True, 2), TypeError)],
)  # fmt: skip
def test_bad_reshape_target_is_refused(target, error):
    message = (
        r"target_shape must be a tuple of integers >= 1 "
        r"\(one of them may be -1\)\. Received: target_shape="
    )
    with pytest.raises(error, match=message):
        gn.Reshape(target)


def test_reshape_refuses_an_input_of_another_size_at_forward():
    message = (
        r"Reshape\(\(2, 2\)\) expects inputs of "
        r"shape .* 4 values per sample\. Received: input_shape=\(3, 5\)"
    )
    with pytest.raises(ValueError, match=message):
        gn.Reshape((2, 2)).forward(np.ones((3, 5)))


@pytest.mark.parametrize("layer", [gn.Flatten(), gn.Reshape((3, 2))],
                         ids=["Flatten", "Reshape"])  # fmt: skip
def test_relayout_backward_errors(layer):
    with pytest.raises(RuntimeError, match=r"backward was called before a training "
                       r"forward"):  # fmt: skip
        type(layer).from_config(layer.get_config()).backward(np.ones((2, 6)))
    layer.forward(np.ones((2, 6)))
    with pytest.raises(ValueError, match=r"backward expects dL/d\(output\) shaped "):
        layer.backward(np.ones((2, 7)))


def test_relayout_layers_gradcheck_on_4d_input():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 2, 2, 3))
    assert gn.gradcheck(gn.Flatten(), x) < 1e-9
    assert gn.gradcheck(gn.Reshape((4, 3)), x) < 1e-9
