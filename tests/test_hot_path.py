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
