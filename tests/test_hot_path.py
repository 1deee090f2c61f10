"""The shortcuts of the training hot path give the plain formulas' answers."""

import numpy as np
import pytest

from glassnet._validation import _FINITE_CHUNK, _all_finite, check_array
from glassnet.losses import CategoricalCrossentropy

# -------------------------------------------------------------- the finite check


def _big(dtype=np.float32):
    rows = _FINITE_CHUNK // 100 + 7  # more than one chunk, not a multiple of it
    return np.random.default_rng(0).random((rows, 100)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_large_arrays_with_one_bad_value_are_refused(dtype, bad):
    X = _big(dtype)
    assert _all_finite(X)
    X[-1, -1] = bad  # in the last, partial chunk
    assert not _all_finite(X)
    with pytest.raises(ValueError, match=r"X must not contain NaN or infinity"):
        check_array(X, "X")


def test_finite_rows_whose_sum_overflows_are_accepted():
    # the row-sum shortcut overflows here; the exact check must still say finite
    X = _big()
    X[3, :] = 3e38
    assert _all_finite(X)
    X[4, 0], X[4, 1] = np.inf, -np.inf  # sums to NaN, still refused
    assert not _all_finite(X)


def test_non_contiguous_and_narrow_arrays():
    X = _big()
    assert _all_finite(X[:, ::2])
    narrow = np.zeros((_FINITE_CHUNK + 5, 1))
    narrow[-1, 0] = np.nan
    assert not _all_finite(narrow)


# -------------------------------------------------------- cross-entropy buffers


def _reference(z, y):
    """Plain log-softmax cross-entropy and its gradient, by the textbook."""
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(y)
    value = -log_p[np.arange(n), y].mean()
    grad = np.exp(log_p)
    grad[np.arange(n), y] -= 1
    return value, grad / n


def test_cross_entropy_buffers_survive_an_interleaved_call():
    rng = np.random.default_rng(1)
    z1, z2 = rng.normal(size=(2, 6, 4))
    y1, y2 = rng.integers(0, 4, 6), rng.integers(0, 4, 6)
    cce = CategoricalCrossentropy()
    value = cce.forward(y1, z1)
    other = cce(y2, z2)  # caches nothing: backward still belongs to z1
    grad = cce.backward()
    expected_value, expected_grad = _reference(z1, y1)
    assert value == pytest.approx(expected_value, rel=1e-12)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-15)
    assert other == pytest.approx(_reference(z2, y2)[0], rel=1e-12)
    # the next forward (same shape, reusing the buffers) gives z2's numbers
    cce.forward(y2, z2)
    np.testing.assert_allclose(cce.backward(), _reference(z2, y2)[1], atol=1e-15)


# ------------------------------------------------------- predict's one-chunk path


def _mlp(dtype="float32"):
    import glassnet as gn

    return gn.Sequential(
        [gn.Dense(5, 7, activation="relu"), gn.Dropout(0.5), gn.Dense(7, 3)],
        seed=0,
        dtype=dtype,
    )


def _general(model, X):
    """predict through the general path: a batch_size keeps it off the shortcut."""
    return model.predict(X, batch_size=8192)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [1, 3, 8192])
def test_predict_shortcut_gives_the_general_paths_bits(dtype, n):
    model = _mlp(dtype)
    X = np.random.default_rng(1).normal(size=(n, 5)).astype(dtype)
    fast = model.predict(X)
    assert fast.dtype == np.dtype(dtype) and fast.shape == (n, 3)
    np.testing.assert_array_equal(fast, _general(model, X))
    # and the general path's answer is the layers' own
    out = X.astype(np.float64)
    for layer in model.layers:
        if hasattr(layer, "params") and "W" in layer.params:
            out = out @ layer.params["W"].astype(np.float64) + layer.params["b"]
            if layer.activation.name == "relu":
                out = np.maximum(out, 0)
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(
        fast, out, rtol=tolerance, atol=tolerance * np.abs(out).max()
    )


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_predict_shortcut_still_refuses_nan_and_infinity(bad):
    X = np.ones((1, 5), np.float32)
    X[0, 3] = bad
    with pytest.raises(ValueError, match=r"X must not contain NaN or infinity. "
                       r"Received: X\[0, 3\]="):  # fmt: skip
        _mlp().predict(X)


def test_predict_shortcut_still_refuses_the_wrong_width():
    with pytest.raises(ValueError, match=r"X must have 5 features .* shape \(1, 4\)"):
        _mlp().predict(np.ones((1, 4), np.float32))
    with pytest.raises(ValueError, match=r"X must hold at least one sample"):
        _mlp().predict(np.ones((0, 5), np.float32))


@pytest.mark.parametrize(
    "X",
    [
        np.ones((2, 5), np.float64),  # another dtype: cast by the general path
        np.ones((5, 2), np.float32).T,  # not C-contiguous
        np.ones(5, np.float32),  # one sample, 1-D in and out
        np.ones((2, 5), np.float32).view(np.matrix),  # a subclass
        [[1.0] * 5, [1.0] * 5],  # a list
    ],
    ids=["float64", "transposed", "1-D", "matrix", "list"],
)
def test_inputs_off_the_shortcut_get_the_same_numbers(X):
    model = _mlp()
    # one sample is compared with a one-row batch: BLAS may multiply a single row
    # by another kernel (a matrix-vector product) than a block of rows
    rows = 1 if np.ndim(X) == 1 else 2
    expected = model.predict(np.ones((rows, 5), np.float32))
    got = model.predict(X)
    assert isinstance(got, np.ndarray) and got.__class__ is np.ndarray
    np.testing.assert_array_equal(got, expected[0] if np.ndim(X) == 1 else expected)


def test_predict_shortcut_is_skipped_with_preprocessing():
    import glassnet as gn

    model = _mlp("float64")
    X = np.random.default_rng(2).normal(3.0, 2.0, size=(4, 5))
    model.preprocessing = gn.data.Standardizer().fit(X)
    expected = _general(_mlp("float64"), model.preprocessing.transform(X))
    np.testing.assert_array_equal(model.predict(X), expected)
