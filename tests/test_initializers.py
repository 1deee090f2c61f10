"""Tests for glassnet.initializers: Keras' formulas checked on large seeded draws."""

from __future__ import annotations

import math

import numpy as np
import pytest

from glassnet import initializers
from glassnet.initializers import TRUNCATED_STD

FAN_IN, FAN_OUT = 400, 500  # 200 000 draws per initializer
N = FAN_IN * FAN_OUT

# name -> (variance by formula, uniform limit or None for a truncated normal)
EXPECTED = {
    "glorot_uniform": (2 / (FAN_IN + FAN_OUT), math.sqrt(6 / (FAN_IN + FAN_OUT))),
    "he_uniform": (2 / FAN_IN, math.sqrt(6 / FAN_IN)),
    "lecun_uniform": (1 / FAN_IN, math.sqrt(3 / FAN_IN)),
    "glorot_normal": (2 / (FAN_IN + FAN_OUT), None),
    "he_normal": (2 / FAN_IN, None),
    "lecun_normal": (1 / FAN_IN, None),
    "standard_normal": (1.0, None),
}


def _draw(name, seed=0, fan_in=FAN_IN, fan_out=FAN_OUT):
    return initializers.get(name)(fan_in, fan_out, np.random.default_rng(seed))


def test_truncated_std_constant_is_the_std_of_a_normal_cut_at_two():
    # Var of N(0, 1) truncated to [−2, 2] = 1 − 2·2·φ(2) / (Φ(2) − Φ(−2)),
    # with Φ(2) − Φ(−2) = erf(2/√2) = erf(√2)
    density = math.exp(-2) / math.sqrt(2 * math.pi)
    variance = 1 - 4 * density / math.erf(math.sqrt(2))
    assert TRUNCATED_STD == pytest.approx(math.sqrt(variance), rel=1e-15)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_variance_and_mean_match_the_formula(name):
    variance, _ = EXPECTED[name]
    w = _draw(name)
    assert w.shape == (FAN_IN, FAN_OUT) and w.dtype == np.float64
    # sampling error of a variance estimate: sd(s²) = σ²·√((κ − 1)/n), κ ≤ 3 for
    # these (uniform 1.8, truncated normal < 3, normal 3); allow 5 standard errors
    assert np.var(w) == pytest.approx(variance, rel=5 * math.sqrt(2 / N))
    # the mean's standard error is σ/√n
    assert abs(np.mean(w)) < 5 * math.sqrt(variance / N)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_columns_draws_fewer_columns_at_the_scale_of_the_full_fan_out(name):
    # a convolution's W: fan_out counts every kernel offset, W has fewer columns
    variance, limit = EXPECTED[name]
    n = FAN_IN * 5 * 100
    draw = initializers.get(name)
    w = np.concatenate(  # 5 draws of 400×100: as many values as above
        [draw(FAN_IN, FAN_OUT, np.random.default_rng(s), columns=100) for s in range(5)]
    )
    assert w.shape == (5 * FAN_IN, 100)
    assert np.var(w) == pytest.approx(variance, rel=5 * math.sqrt(2 / n))
    if limit is not None:
        assert np.max(np.abs(w)) <= limit and np.max(np.abs(w)) > 0.999 * limit
    assert initializers.zeros(3, 9, columns=2).shape == (3, 2)


@pytest.mark.parametrize("name", ["glorot_uniform", "he_uniform", "lecun_uniform"])
def test_uniform_limits(name):
    _, limit = EXPECTED[name]
    w = _draw(name)
    assert np.max(np.abs(w)) <= limit
    # with 200 000 draws the extremes come within 0.1 % of the limit
    assert np.max(w) > 0.999 * limit and np.min(w) < -0.999 * limit


@pytest.mark.parametrize("name", ["glorot_normal", "he_normal", "lecun_normal"])
def test_truncated_normals_stay_within_two_sigma(name):
    variance, _ = EXPECTED[name]
    sigma = math.sqrt(variance) / TRUNCATED_STD  # the untruncated normal's σ
    w = _draw(name)
    assert np.max(np.abs(w)) <= 2 * sigma
    assert np.max(np.abs(w)) > 1.99 * sigma


def test_standard_normal_has_tails_beyond_two():
    # N(0, 1) is not truncated: about 4.6 % of draws lie beyond ±2
    w = _draw("standard_normal")
    assert np.mean(np.abs(w) > 2) == pytest.approx(
        1 - math.erf(math.sqrt(2)), abs=0.003
    )


def test_he_depends_on_fan_in_only():
    wide = _draw("he_uniform", fan_in=50, fan_out=4000)
    assert np.max(np.abs(wide)) <= math.sqrt(6 / 50)
    assert np.max(np.abs(wide)) > 0.99 * math.sqrt(6 / 50)


def test_zeros():
    w = initializers.zeros(3, 2)
    assert w.shape == (3, 2) and w.dtype == np.float64 and not w.any()
    np.testing.assert_array_equal(
        initializers.get("zeros")(3, 2, np.random.default_rng(0)), w
    )


@pytest.mark.parametrize("name", initializers.names())
def test_same_seed_same_weights_different_seed_different_weights(name):
    a = _draw(name, seed=1, fan_in=7, fan_out=5)
    b = _draw(name, seed=1, fan_in=7, fan_out=5)
    np.testing.assert_array_equal(a, b)
    if name != "zeros":
        assert not np.array_equal(a, _draw(name, seed=2, fan_in=7, fan_out=5))


def test_bad_arguments_are_refused():
    with pytest.raises(
        ValueError, match=r"fan_in must be an integer >= 1. Received: fan_in=0"
    ):
        initializers.glorot_uniform(0, 3, np.random.default_rng(0))
    with pytest.raises(
        TypeError, match=r"fan_out must be an integer >= 1. Received: fan_out=2.5"
    ):
        initializers.he_normal(3, 2.5, np.random.default_rng(0))
    with pytest.raises(
        TypeError, match=r"rng must be a numpy.random.Generator.*Received: rng=0"
    ):
        initializers.glorot_uniform(2, 3, 0)


def test_registry():
    assert initializers.names() == [
        "glorot_normal",
        "glorot_uniform",
        "he_normal",
        "he_uniform",
        "lecun_normal",
        "lecun_uniform",
        "standard_normal",
        "zeros",
    ]
    assert initializers.get("he_normal") is initializers.he_normal
    assert initializers.get({"name": "zeros"}) is initializers.zeros

    def custom(fan_in, fan_out, rng):
        return np.ones((fan_in, fan_out))

    assert initializers.get(custom) is custom
    with pytest.raises(ValueError) as info:
        initializers.get("xavier")
    assert str(info.value) == (
        "Unknown initializer: 'xavier'. Valid names: 'glorot_normal', "
        "'glorot_uniform', 'he_normal', 'he_uniform', 'lecun_normal', "
        "'lecun_uniform', 'standard_normal', 'zeros'"
    )
    with pytest.raises(
        TypeError, match=r"initializer must be a name.*Received: initializer=3"
    ):
        initializers.get(3)
    with pytest.raises(TypeError, match=r"Initializer 'zeros' takes no configuration"):
        initializers.get({"name": "zeros", "value": 1})
