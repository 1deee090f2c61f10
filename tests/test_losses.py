"""Tests for glassnet.losses: worked values, finite differences, PyTorch, targets."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from glassnet import losses
from glassnet.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    MeanAbsoluteError,
    MeanSquaredError,
)

RNG = np.random.default_rng(0)
N, K = 5, 4
LOGITS = RNG.normal(scale=2.0, size=(N, K))
TARGETS = RNG.normal(size=(N, K))
PROBS = RNG.uniform(0.05, 0.95, size=(N, K))  # inside the clip range
BITS = (RNG.uniform(size=(N, K)) > 0.5).astype(np.float64)
SOFT = RNG.uniform(size=(N, K))  # BCE soft targets in [0, 1]
LABELS = np.array([0, 3, 1, 3, 2])
ONE_HOT = np.eye(K)[LABELS]
DIRICHLET = RNG.dirichlet(np.ones(K), size=N)  # probability rows summing to 1

# (id, loss, y_true, y_pred)
CASES = [
    ("mse", MeanSquaredError(), TARGETS, LOGITS),
    ("mae", MeanAbsoluteError(), TARGETS, LOGITS),
    ("bce", BinaryCrossentropy(), BITS, PROBS),
    ("bce_soft", BinaryCrossentropy(), SOFT, PROBS),
    ("bce_logits", BinaryCrossentropy(from_logits=True), SOFT, LOGITS),
    ("cce_int", CategoricalCrossentropy(), LABELS, LOGITS),
    ("cce_onehot", CategoricalCrossentropy(), ONE_HOT, LOGITS),
    ("cce_soft", CategoricalCrossentropy(), DIRICHLET, LOGITS),
]
IDS = [case[0] for case in CASES]


def _numerical_gradient(loss, y_true, y_pred, h=1e-6):
    grad = np.zeros_like(y_pred)
    for i in np.ndindex(y_pred.shape):
        plus, minus = y_pred.copy(), y_pred.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = (loss(y_true, plus) - loss(y_true, minus)) / (2 * h)
    return grad


def _relative_error(a, b):
    return float(
        np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)
    )


# ------------------------------------------------------------- hand-worked values


def test_mse_hand_worked():
    # diffs 0.5 − 1 = −0.5 and 2 − 0 = 2: (0.25 + 4) / 2 = 2.125
    mse = MeanSquaredError()
    assert mse.forward(np.array([[1.0], [0.0]]), np.array([[0.5], [2.0]])) == 2.125
    # 2 · diff / N = [−0.5, 2]
    np.testing.assert_array_equal(mse.backward(), [[-0.5], [2.0]])


def test_mse_averages_over_every_element():
    # one sample, two outputs: (1² + 3²) / 2 = 5; gradient 2 · [1, 3] / 2
    mse = MeanSquaredError()
    assert mse.forward(np.array([[0.0, 0.0]]), np.array([[1.0, 3.0]])) == 5.0
    np.testing.assert_array_equal(mse.backward(), [[1.0, 3.0]])


def test_mae_hand_worked():
    # |0 − 1| + |4 − 3| + |2 − 2| = 2 over 3 elements; sign / 3, sign(0) = 0
    mae = MeanAbsoluteError()
    value = mae.forward(
        np.array([[1.0], [3.0], [2.0]]), np.array([[0.0], [4.0], [2.0]])
    )
    assert value == pytest.approx(2 / 3, rel=1e-15)
    np.testing.assert_allclose(mae.backward(), [[-1 / 3], [1 / 3], [0.0]], rtol=1e-15)


def test_bce_hand_worked():
    # y = 1, p = 3/4: −ln(3/4); y = 0, p = 1/4: −ln(3/4). Mean ln(4/3).
    bce = BinaryCrossentropy()
    value = bce.forward(np.array([[1.0], [0.0]]), np.array([[0.75], [0.25]]))
    assert value == pytest.approx(math.log(4 / 3), rel=1e-15)
    # (p − y) / (p(1 − p)) / 2 = (−1/4) / (3/16) / 2 = −2/3 and (1/4) / (3/16) / 2 = 2/3
    np.testing.assert_allclose(bce.backward(), [[-2 / 3], [2 / 3]], rtol=1e-14)


def test_bce_from_logits_hand_worked():
    # z = ln 3: σ = 3/4; y = 1 gives −ln(3/4); gradient (3/4 − 1) / 1 = −1/4
    bce = BinaryCrossentropy(from_logits=True)
    assert bce.forward(np.array([[1.0]]), np.array([[math.log(3)]])) == pytest.approx(
        math.log(4 / 3), rel=1e-15
    )
    np.testing.assert_allclose(bce.backward(), [[-0.25]], rtol=1e-15)


def test_cce_hand_worked():
    # logits [0, ln 3]: softmax [1/4, 3/4]; label 1 gives −ln(3/4) = ln(4/3)
    cce = CategoricalCrossentropy()
    assert cce.forward(np.array([1]), np.array([[0.0, math.log(3)]])) == pytest.approx(
        math.log(4 / 3), rel=1e-15
    )
    # softmax − one-hot = [1/4, −1/4], divided by n = 1
    np.testing.assert_allclose(cce.backward(), [[0.25, -0.25]], rtol=1e-15)


def test_cce_divides_by_batch_size_only():
    # two samples of uniform logits over 3 classes: loss ln 3 each, mean ln 3;
    # gradient (1/3 − onehot) / 2
    cce = CategoricalCrossentropy()
    assert cce.forward(np.array([0, 2]), np.zeros((2, 3))) == pytest.approx(math.log(3))
    expected = (np.full((2, 3), 1 / 3) - np.array([[1, 0, 0], [0, 0, 1]])) / 2
    np.testing.assert_allclose(cce.backward(), expected, rtol=1e-15)


# ------------------------------------------------------------- finite differences


@pytest.mark.parametrize(("name", "loss", "y_true", "y_pred"), CASES, ids=IDS)
def test_backward_matches_finite_differences(name, loss, y_true, y_pred):
    loss.forward(y_true, y_pred)
    analytic = loss.backward()
    numerical = _numerical_gradient(loss, y_true, y_pred)
    assert _relative_error(analytic, numerical) < 1e-6


# ------------------------------------------------------------- PyTorch reference


def _torch_loss(name, y_true):
    import torch

    functional = torch.nn.functional
    target = torch.tensor(y_true)
    return {
        "mse": lambda p: functional.mse_loss(p, target),
        "mae": lambda p: functional.l1_loss(p, target),
        "bce": lambda p: functional.binary_cross_entropy(p, target),
        "bce_soft": lambda p: functional.binary_cross_entropy(p, target),
        "bce_logits": lambda p: functional.binary_cross_entropy_with_logits(p, target),
        "cce_int": lambda p: functional.cross_entropy(p, target),
        "cce_onehot": lambda p: functional.cross_entropy(p, target),
        "cce_soft": lambda p: functional.cross_entropy(p, target),
    }[name]


@pytest.mark.parametrize(("name", "loss", "y_true", "y_pred"), CASES, ids=IDS)
def test_matches_torch_value_and_gradient(name, loss, y_true, y_pred, torch):
    prediction = torch.tensor(y_pred, requires_grad=True)
    value = _torch_loss(name, y_true)(prediction)
    value.backward()
    assert loss.forward(y_true, y_pred) == pytest.approx(value.item(), rel=0, abs=1e-10)
    np.testing.assert_allclose(
        loss.backward(), prediction.grad.numpy(), rtol=0, atol=1e-10
    )


def test_cce_large_logits_match_torch(torch):
    logits = LOGITS * 100  # log-softmax must stay stable
    prediction = torch.tensor(logits, requires_grad=True)
    value = torch.nn.functional.cross_entropy(prediction, torch.tensor(LABELS))
    value.backward()
    cce = CategoricalCrossentropy()
    assert cce.forward(LABELS, logits) == pytest.approx(value.item(), rel=1e-12)
    np.testing.assert_allclose(cce.backward(), prediction.grad.numpy(), atol=1e-12)


# ------------------------------------------------------------- dtypes and extremes


@pytest.mark.parametrize(("name", "loss", "y_true", "y_pred"), CASES, ids=IDS)
def test_float32_stays_float32(name, loss, y_true, y_pred):
    value = loss.forward(y_true, y_pred.astype(np.float32))
    assert isinstance(value, float)
    assert loss.backward().dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_are_finite_and_exact(dtype):
    big = np.array([[1000.0, -1000.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cce = CategoricalCrossentropy()
        # label 1 sits 2000 below the max: −log softmax = 2000
        assert cce.forward(np.array([1]), big) == pytest.approx(2000.0)
        np.testing.assert_allclose(cce.backward(), [[1.0, -1.0]])
        bce = BinaryCrossentropy(from_logits=True)
        # y = 0 at z = 1000 costs 1000; y = 1 at z = −1000 costs 1000
        assert bce.forward(np.array([[0.0, 1.0]], dtype), big) == pytest.approx(1000.0)
        np.testing.assert_allclose(bce.backward(), [[0.5, -0.5]])
        assert np.isfinite(MeanSquaredError().forward(np.zeros((1, 2), dtype), big))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_clips_probabilities_like_keras(dtype):
    bce = BinaryCrossentropy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # p = 0 with y = 1 is clipped to ε = 1e-7: −ln(1e-7) ≈ 16.118
        value = bce.forward(np.array([[1.0]], dtype), np.array([[0.0]], dtype))
        grad = bce.backward()
    assert value == pytest.approx(-math.log(1e-7), rel=1e-5)
    assert np.isfinite(grad).all() and grad[0, 0] < 0  # still pushes p up


# ------------------------------------------------------------- behaviour


def test_call_caches_nothing_and_backward_is_repeatable():
    mse = MeanSquaredError()
    mse.forward(np.array([[0.0]]), np.array([[1.0]]))  # gradient 2
    mse(np.array([[0.0]]), np.array([[5.0]]))
    np.testing.assert_array_equal(mse.backward(), [[2.0]])
    np.testing.assert_array_equal(mse.backward(), [[2.0]])
    cce = CategoricalCrossentropy()
    cce.forward(LABELS, LOGITS)
    np.testing.assert_array_equal(cce.backward(), cce.backward())


def test_backward_before_forward_is_refused():
    with pytest.raises(
        RuntimeError, match=r"MeanSquaredError.backward was called before"
    ):
        MeanSquaredError().backward()


def test_one_dimensional_targets_beside_one_output():
    # (n,) targets with (n, 1) predictions: (1 + 4) / 2
    assert MeanSquaredError()(np.array([1.0, 2.0]), np.array([[0.0], [0.0]])) == 2.5


def test_mismatched_shapes_are_refused():
    with pytest.raises(
        ValueError, match=r"same shape for mse. Received: y_true with shape \(2,\)"
    ):
        MeanSquaredError()(np.zeros(2), np.zeros((2, 3)))


def test_output_transform():
    probabilities = CategoricalCrossentropy().output_transform(
        np.array([[0.0, math.log(3)]])
    )
    np.testing.assert_allclose(probabilities, [[0.25, 0.75]], rtol=1e-15)
    # σ(ln 3) = 3/4
    sigmoid = BinaryCrossentropy(from_logits=True).output_transform(
        np.array([[math.log(3)]])
    )
    np.testing.assert_allclose(sigmoid, [[0.75]], rtol=1e-15)
    raw = np.array([[0.3]])
    np.testing.assert_array_equal(BinaryCrossentropy().output_transform(raw), raw)
    np.testing.assert_array_equal(MeanSquaredError().output_transform(raw), raw)


# ------------------------------------------------------------- prepare_targets


def test_regression_targets_become_columns_of_the_model_dtype():
    y = MeanSquaredError().prepare_targets([1, 2, 3], 1, "float32", n_samples=3)
    assert y.shape == (3, 1) and y.dtype == np.float32


def test_integer_labels_stay_int64_and_one_dimensional():
    cce = CategoricalCrossentropy()
    for given in ([2, 0, 1], np.array([[2], [0], [1]]), np.array([2.0, 0.0, 1.0])):
        y = cce.prepare_targets(given, 3, "float32")
        assert y.dtype == np.int64 and y.shape == (3,)
        np.testing.assert_array_equal(y, [2, 0, 1])


def test_one_hot_targets_are_cast():
    y = CategoricalCrossentropy().prepare_targets(ONE_HOT, K, "float32")
    assert y.dtype == np.float32 and y.shape == (N, K)


def test_labels_out_of_range_are_refused():
    cce = CategoricalCrossentropy()
    with pytest.raises(
        ValueError,
        match=r"^labels must be integers in \[0, 10\) for 10 outputs\. "
        r"Received: 12 \(y\[2\]\)$",
    ):
        cce.prepare_targets([0, 1, 12], 10, "float32")
    with pytest.raises(ValueError, match=r"Received: -1 \(y\[0\]\)"):
        cce.prepare_targets([-1, 1], 10, "float32")
    with pytest.raises(
        ValueError, match=r"integers in \[0, 10\).*Received: 2.5 \(y\[1\]\)"
    ):
        cce.prepare_targets([1.0, 2.5], 10, "float32")


def test_non_finite_and_non_numeric_targets_are_refused():
    mse = MeanSquaredError()
    with pytest.raises(
        ValueError, match=r"y must not contain NaN or infinity. Received: y\[1\]=.*nan"
    ):
        mse.prepare_targets([1.0, np.nan], 1, "float64")
    with pytest.raises(
        ValueError, match=r"y must not contain NaN or infinity. Received: y\[0\]=.*inf"
    ):
        CategoricalCrossentropy().prepare_targets([np.inf, 1.0], 3, "float64")
    with pytest.raises(TypeError, match=r"y must hold numbers .*, y\[0\]='cat'"):
        mse.prepare_targets(["cat", "dog"], 1, "float64")
    with pytest.raises(ValueError, match=r"y must hold at least one sample"):
        mse.prepare_targets([], 1, "float64")


def test_wrong_length_and_width_are_refused():
    with pytest.raises(
        ValueError,
        match=r"y must have one target per sample of X \(4 samples\)\. "
        r"Received: y with 3 rows",
    ):
        MeanSquaredError().prepare_targets([1.0, 2.0, 3.0], 1, "float64", n_samples=4)
    with pytest.raises(
        ValueError,
        match=r"y must have shape \(n_samples, 3\).*Received: y with shape \(2,\)",
    ):
        MeanSquaredError().prepare_targets([1.0, 2.0], 3, "float64")
    with pytest.raises(ValueError, match=r"one-hot rows of shape \(n_samples, 3\)"):
        CategoricalCrossentropy().prepare_targets(np.eye(4), 3, "float64")


def test_bad_one_hot_rows_and_bce_targets_are_refused():
    with pytest.raises(ValueError, match=r"each row must sum to 1. Received: y\[1\]"):
        CategoricalCrossentropy().prepare_targets([[1, 0], [1, 1]], 2, "float64")
    with pytest.raises(
        ValueError, match=r"targets must be in \[0, 1\].*Received: y\[1, 0\]=2.0"
    ):
        BinaryCrossentropy().prepare_targets([0, 2, 1], 1, "float64")


def test_cce_with_one_output_is_refused():
    with pytest.raises(ValueError, match=r"at least 2 outputs.*Received: n_outputs=1"):
        CategoricalCrossentropy().prepare_targets([0, 1], 1, "float64")


# ------------------------------------------------------------- registry

VALID = (
    "'binary_crossentropy', 'binary_crossentropy_from_logits', "
    "'categorical_crossentropy', 'mae', 'mean_absolute_error', "
    "'mean_squared_error', 'mse', 'sparse_categorical_crossentropy'"
)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        losses.get("crossentropy")
    assert str(info.value) == f"Unknown loss: 'crossentropy'. Valid names: {VALID}"


def test_wrong_type_and_bad_config_are_refused():
    with pytest.raises(TypeError, match=r"loss must be a name.*Received: loss=3"):
        losses.get(3)
    with pytest.raises(TypeError, match=r"Loss 'mse' does not accept"):
        losses.get({"name": "mse", "from_logits": True})
    with pytest.raises(TypeError, match=r"from_logits must be True or False"):
        BinaryCrossentropy(from_logits="yes")
    with pytest.raises(
        ValueError, match=r"epsilon must be a finite number > 0 and <= 0.5"
    ):
        BinaryCrossentropy(epsilon=0)


def test_names_resolve_to_the_right_losses():
    assert isinstance(losses.get("mse"), MeanSquaredError)
    assert isinstance(losses.get("mean_absolute_error"), MeanAbsoluteError)
    assert losses.get("binary_crossentropy").from_logits is False
    assert losses.get("binary_crossentropy_from_logits").from_logits is True
    assert isinstance(
        losses.get("sparse_categorical_crossentropy"), CategoricalCrossentropy
    )


@pytest.mark.parametrize(("name", "loss", "y_true", "y_pred"), CASES, ids=IDS)
def test_get_config_round_trip(name, loss, y_true, y_pred):
    rebuilt = losses.get({"name": loss.name, **loss.get_config()})
    assert rebuilt == loss and type(rebuilt) is type(loss)
    copy = losses.get(loss)
    assert copy == loss and copy is not loss


# ------------------------------------------------------------- sample weights

WEIGHTS = np.array([0.5, 2.0, 0.0, 1.0, 3.0])


def test_sample_weight_hand_worked():
    # per-sample squared errors 1 and 4 (one output), weights 3 and 0.5:
    # (3·1 + 0.5·4) / 2 samples = 2.5 (divided by n, not by Σw = 3.5)
    mse = MeanSquaredError()
    value = mse.forward(np.array([[0.0], [0.0]]), np.array([[1.0], [2.0]]), [3, 0.5])
    assert value == 2.5
    # ∂/∂ŷᵢ = wᵢ·2(ŷᵢ − yᵢ)/n = 3·2·1/2 and 0.5·2·2/2
    np.testing.assert_array_equal(mse.backward(), [[3.0], [1.0]])


@pytest.mark.parametrize(("name", "loss", "y_true", "y_pred"), CASES, ids=IDS)
def test_weighted_backward_matches_weighted_finite_differences(
    name, loss, y_true, y_pred
):
    value = loss.forward(y_true, y_pred, sample_weight=WEIGHTS)
    analytic = loss.backward()

    def weighted(t, p):
        return type(loss)(**loss.get_config()).forward(t, p, sample_weight=WEIGHTS)

    numerical = _numerical_gradient(weighted, y_true, y_pred)
    assert _relative_error(analytic, numerical) < 1e-6
    # the value: Σ wᵢ·lᵢ / n, each lᵢ being the loss of sample i alone
    alone = [loss(y_true[i : i + 1], y_pred[i : i + 1]) for i in range(N)]
    assert value == pytest.approx(float(np.dot(WEIGHTS, alone)) / N, rel=1e-12)


@pytest.mark.parametrize(("name", "loss", "y_true", "y_pred"), CASES, ids=IDS)
def test_unit_weights_change_nothing(name, loss, y_true, y_pred):
    plain = loss.forward(y_true, y_pred)
    plain_grad = loss.backward()
    assert loss.forward(y_true, y_pred, sample_weight=np.ones(N)) == pytest.approx(
        plain, rel=1e-12
    )
    np.testing.assert_allclose(loss.backward(), plain_grad, rtol=1e-12)
    loss.forward(y_true, y_pred)  # an unweighted forward forgets the weights
    np.testing.assert_array_equal(loss.backward(), plain_grad)


def test_bad_sample_weight_is_refused():
    mse = MeanSquaredError()
    with pytest.raises(ValueError, match=r"sample_weight must hold 5 non-negative"):
        mse.forward(TARGETS, LOGITS, sample_weight=np.ones(4))
    with pytest.raises(ValueError, match=r"sample_weight must hold 5 .*minimum -2.0$"):
        mse.forward(TARGETS, LOGITS, sample_weight=-WEIGHTS + 1)
