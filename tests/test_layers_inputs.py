"""Dropout and Activation take lists and integer arrays as Dense does: converted to
the layer's float dtype, in training and at predict; non-numbers refused clearly."""

from __future__ import annotations

import re

import numpy as np
import pytest

from glassnet.layers import Activation, Dropout

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
