"""glassnet.article reproduces every number of the article.

Expectations come from ../shared/ARTICLE.md (the post's printed values and their
float64 versions), from formulas worked by hand in the comments, from central
finite differences, and from a literal transcription of the post's NumPy code.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from glassnet.article import (
    ALL_Y_TRUES,
    DATA,
    EMILY,
    EMILY_RAW,
    FRANK,
    FRANK_RAW,
    MEANS,
    NAMES,
    PARAMETER_NAMES,
    RAW_DATA,
    SHIFT,
    Neuron,
    OurNeuralNetwork,
    deriv_sigmoid,
    gender,
    mse_loss,
    sigmoid,
)

# The worked backprop example (ARTICLE.md section 4): Alice alone, weights 1, biases 0.
# (post's rounded value, float64 value)
WORKED = {
    "h1": ("0.0474", 0.04742587317756678),
    "y_pred": ("0.524", 0.5236951740839997),
    "d_L_d_ypred": ("-0.952", -0.9526096518320006),
    "d_ypred_d_h1": ("0.249", 0.24943853872512894),
    "d_h1_d_w1": ("-0.0904", -0.09035331946182427),
    "d_L_d_w1": ("0.0214", 0.02146953526581111),
}
ONES = dict(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)


def network(**params: float) -> OurNeuralNetwork:
    net = OurNeuralNetwork(seed=0)
    net.set_parameters(**params)
    return net


# ------------------------------------------------------------------ 1. a neuron


def test_neuron_prints_the_articles_number():
    # w·x + b = 0·2 + 1·3 + 4 = 7; the post prints f(7) = 0.9990889488055994
    assert Neuron([0, 1], 4).feedforward([2, 3]) == 0.9990889488055994
    assert Neuron(np.array([0, 1]), 4).feedforward(np.array([2, 3])) == (
        0.9990889488055994
    )


def test_neuron_is_sigmoid_of_weighted_sum():
    # 3 inputs: 0.5·1 − 2·0.25 + 1·3 − 1 = 2
    assert Neuron([0.5, -2, 1], -1).feedforward([1, 0.25, 3]) == pytest.approx(
        1 / (1 + math.exp(-2)), rel=1e-15
    )


# ---------------------------------------------------------------- 2. a network


def test_network_of_neurons_prints_the_articles_number():
    # The post's section-2 code: three Neurons with w = [0, 1], b = 0.
    neuron = Neuron([0, 1], 0)
    h1 = h2 = neuron.feedforward([2, 3])
    assert round(h1, 4) == 0.9526  # f(3)
    o1 = neuron.feedforward([h1, h2])
    assert round(o1, 4) == 0.7216
    assert o1 == 0.7216325609518421


def test_our_network_with_the_same_weights_prints_the_same_number():
    net = network(w1=0, w2=1, w3=0, w4=1, w5=0, w6=1, b1=0, b2=0, b3=0)
    assert net.feedforward([2, 3]) == 0.7216325609518421


# ------------------------------------------------------- 3. data and the loss


def test_the_articles_table():
    table = [  # name, weight, height, gender, weight − 135, height − 66, label
        ("Alice", 133, 65, "F", -2, -1, 1),
        ("Bob", 160, 72, "M", 25, 6, 0),
        ("Charlie", 152, 70, "M", 17, 4, 0),
        ("Diana", 120, 60, "F", -15, -6, 1),
    ]
    assert SHIFT == (135, 66)
    for i, (name, lb, inch, sex, dx, dy, label) in enumerate(table):
        assert NAMES[i] == name
        assert tuple(RAW_DATA[i]) == (lb, inch)
        assert tuple(DATA[i]) == (dx, dy) == (lb - 135, inch - 66)
        assert ALL_Y_TRUES[i] == label
        assert gender(label) == sex


def test_emily_frank_and_the_means():
    assert (EMILY_RAW, EMILY) == ((128, 63), (-7, -3))
    assert (FRANK_RAW, FRANK) == ((155, 68), (20, 2))
    # (133 + 160 + 152 + 120) / 4 = 565 / 4; (65 + 72 + 70 + 60) / 4 = 267 / 4
    assert MEANS == (141.25, 66.75) == (565 / 4, 267 / 4)


def test_mse_example_of_the_article():
    # a network that always outputs 0: (1 + 0 + 0 + 1) / 4
    assert mse_loss([1, 0, 0, 1], [0, 0, 0, 0]) == 0.5
    assert mse_loss(np.array(ALL_Y_TRUES), np.zeros(4)) == 0.5


def test_mse_worked_by_hand():
    # ((1 − 0.5)² + (0 − 0.25)²) / 2 = (0.25 + 0.0625) / 2
    assert mse_loss([1, 0], [0.5, 0.25]) == 0.15625
    assert isinstance(mse_loss([1], [0]), float)


# ------------------------------------------------------------------ the sigmoid


def test_sigmoid_values():
    assert sigmoid(0) == 0.5
    assert sigmoid(3.0) == pytest.approx(1 / (1 + math.e**-3), rel=1e-15)
    assert sigmoid(-3.0) == pytest.approx(math.e**-3 / (1 + math.e**-3), rel=1e-15)
    assert deriv_sigmoid(0) == 0.25  # f(0)·(1 − f(0)) = 0.5 · 0.5


@pytest.mark.parametrize("x", [1000, -1000, 1000.0, -1000.0, 710.0, -710.0, -745.5])
def test_sigmoid_is_stable_at_extremes(x):
    # filterwarnings=error turns any overflow RuntimeWarning into a failure
    value = sigmoid(x)
    assert 0.0 <= value <= 1.0 and math.isfinite(value)
    assert deriv_sigmoid(x) == pytest.approx(0.0, abs=1e-300)
    expected = np.asarray(sigmoid(np.array([x])))[0]
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-320)


def test_sigmoid_far_left_is_exp_x():
    # for x ≪ 0, f(x) = eˣ / (1 + eˣ) = eˣ to double precision (not 0)
    assert sigmoid(-720.0) == pytest.approx(math.exp(-720.0), rel=1e-15)
    assert sigmoid(-720.0) > 0.0
    assert sigmoid(1000) == 1.0 and sigmoid(-1000) == 0.0


def test_sigmoid_on_arrays_matches_scalars():
    xs = np.linspace(-40, 40, 161)
    values = sigmoid(xs)
    assert isinstance(values, np.ndarray) and values.shape == xs.shape
    expected = [sigmoid(float(x)) for x in xs]
    np.testing.assert_allclose(values, expected, rtol=1e-14)
    np.testing.assert_allclose(sigmoid(-xs), 1 - values, atol=1e-15)  # f(−x) = 1 − f(x)
    np.testing.assert_array_equal(sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])


def test_deriv_sigmoid_is_the_derivative():
    for x in (-5.0, -0.5, 0.0, 0.3, 2.0, 8.0):
        eps = 1e-6
        numeric = (sigmoid(x + eps) - sigmoid(x - eps)) / (2 * eps)
        assert deriv_sigmoid(x) == pytest.approx(numeric, rel=1e-7, abs=1e-9)


# ------------------------------------------------------ 4. backprop and training


def test_backprop_worked_example_float64():
    step = network(**ONES).backprop([-2, -1], 1)
    for name, (_, value) in WORKED.items():
        assert getattr(step, name) == pytest.approx(value, rel=1e-15, abs=0), name
    assert step.h2 == step.h1 and step.o1 == step.y_pred


def test_backprop_worked_example_to_the_articles_rounding():
    # The post rounds as it goes (−2·(1 − 0.524) = −0.952, −0.952·0.249·−0.0904 =
    # 0.0214), so its last digit may be one unit off float64 rounding.
    step = network(**ONES).backprop([-2, -1], 1)
    for name, (post, _) in WORKED.items():
        unit = 10.0 ** -len(post.split(".")[1])
        assert abs(getattr(step, name) - float(post)) <= unit * 1.0001, name


def test_backprop_worked_example_by_hand():
    # h1 = f(−2 − 1) = f(−3); o1 = f(h1 + h2) = f(2·h1)
    h = 1 / (1 + math.exp(3))
    o = 1 / (1 + math.exp(-2 * h))
    step = network(**ONES).backprop([-2, -1], 1)
    assert step.loss == pytest.approx((1 - o) ** 2, rel=1e-15)
    assert step.d_ypred_d_w5 == pytest.approx(h * o * (1 - o), rel=1e-15)
    assert step.d_h1_d_w2 == pytest.approx(-1 * h * (1 - h), rel=1e-15)
    # ∂L/∂b3 = −2(1 − o)·o(1 − o)
    assert step.d_L_d_b3 == pytest.approx(-2 * (1 - o) ** 2 * o, rel=1e-14)


def single_sample_loss(net, name, value, x, y_true):
    saved = getattr(net, name)
    setattr(net, name, value)
    try:
        return (y_true - net.feedforward(x)) ** 2
    finally:
        setattr(net, name, saved)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_partial_derivatives_equal_central_finite_differences(seed):
    rng = np.random.default_rng(100 + seed)
    net = OurNeuralNetwork(seed=seed)
    samples = [*zip(DATA, ALL_Y_TRUES, strict=True), (rng.normal(size=2) * 3, 0.3)]
    eps = 1e-5  # truncation ~eps², rounding ~1e-16/eps: both well below 1e-9
    for x, y_true in samples:
        grads = net.backprop(x, y_true).gradients()
        assert list(grads) == list(PARAMETER_NAMES)
        for name in PARAMETER_NAMES:
            p = getattr(net, name)
            numeric = (
                single_sample_loss(net, name, p + eps, x, y_true)
                - single_sample_loss(net, name, p - eps, x, y_true)
            ) / (2 * eps)
            assert grads[name] == pytest.approx(numeric, rel=1e-6, abs=1e-9), name


def test_local_partials_equal_finite_differences():
    # ∂h1/∂w1, ∂h2/∂w4, ∂y_pred/∂w5, ∂y_pred/∂b3 from the traced h1, h2, o1
    net = OurNeuralNetwork(seed=5)
    x, eps = (17.0, 4.0), 1e-5
    step = net.backprop(x, 0)
    for output, name, field in [
        ("h1", "w1", "d_h1_d_w1"),
        ("h1", "b1", "d_h1_d_b1"),
        ("h2", "w4", "d_h2_d_w4"),
        ("o1", "w5", "d_ypred_d_w5"),
        ("o1", "w6", "d_ypred_d_w6"),
        ("o1", "b3", "d_ypred_d_b3"),
    ]:
        p = getattr(net, name)
        values = []
        for shifted in (p + eps, p - eps):
            setattr(net, name, shifted)
            values.append(getattr(net.backprop(x, 0), output))
        setattr(net, name, p)
        numeric = (values[0] - values[1]) / (2 * eps)
        assert getattr(step, field) == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    # ∂y_pred/∂h1 = w5·f'(sum_o1): move h1 by hand in o1 = f(w5·h1 + w6·h2 + b3)
    o1 = [
        sigmoid(net.w5 * (step.h1 + d) + net.w6 * step.h2 + net.b3) for d in (eps, -eps)
    ]
    assert step.d_ypred_d_h1 == pytest.approx((o1[0] - o1[1]) / (2 * eps), rel=1e-6)


def test_one_sgd_step_from_the_articles_numbers():
    # η = 0.1 on Alice alone from weights 1, biases 0. By symmetry h1 = h2 and
    # ∂L/∂w3 = ∂L/∂w1; x2 = −1 = x1/2 halves w2's; b1's is w1's / x1 = / −2.
    net = network(**ONES)
    net.train([DATA[0]], [1], learn_rate=0.1, epochs=1)
    d_w1 = 0.02146953526581111
    d_ypred = -0.9526096518320006
    f_o1 = 0.24943853872512894  # f'(sum_o1) = ∂y_pred/∂h1 / w5, w5 = 1
    h = 0.04742587317756678
    expected = {
        "w1": 1 - 0.1 * d_w1,
        "w2": 1 - 0.1 * d_w1 / 2,
        "w3": 1 - 0.1 * d_w1,
        "w4": 1 - 0.1 * d_w1 / 2,
        "b1": 0 + 0.1 * d_w1 / 2,
        "b2": 0 + 0.1 * d_w1 / 2,
        "w5": 1 - 0.1 * d_ypred * h * f_o1,
        "w6": 1 - 0.1 * d_ypred * h * f_o1,
        "b3": 0 - 0.1 * d_ypred * f_o1,
    }
    for name, value in expected.items():
        assert getattr(net, name) == pytest.approx(value, rel=1e-14), name


def article_train(params, data, all_y_trues, learn_rate=0.1, epochs=1000):
    """The post's train loop, transcribed literally (NumPy scalars, np.exp)."""

    def f(x):
        return 1 / (1 + np.exp(-x))

    def df(x):
        return f(x) * (1 - f(x))

    def feedforward(x, params):
        w1, w2, w3, w4, w5, w6, b1, b2, b3 = params
        h1 = f(w1 * x[0] + w2 * x[1] + b1)
        h2 = f(w3 * x[0] + w4 * x[1] + b2)
        return f(w5 * h1 + w6 * h2 + b3)

    w1, w2, w3, w4, w5, w6, b1, b2, b3 = (np.float64(p) for p in params)
    history = []
    for epoch in range(epochs):
        for x, y_true in zip(data, all_y_trues, strict=True):
            sum_h1 = w1 * x[0] + w2 * x[1] + b1
            h1 = f(sum_h1)
            sum_h2 = w3 * x[0] + w4 * x[1] + b2
            h2 = f(sum_h2)
            sum_o1 = w5 * h1 + w6 * h2 + b3
            y_pred = f(sum_o1)
            d_L_d_ypred = -2 * (y_true - y_pred)
            d_ypred_d_w5 = h1 * df(sum_o1)
            d_ypred_d_w6 = h2 * df(sum_o1)
            d_ypred_d_b3 = df(sum_o1)
            d_ypred_d_h1 = w5 * df(sum_o1)
            d_ypred_d_h2 = w6 * df(sum_o1)
            d_h1_d_w1 = x[0] * df(sum_h1)
            d_h1_d_w2 = x[1] * df(sum_h1)
            d_h1_d_b1 = df(sum_h1)
            d_h2_d_w3 = x[0] * df(sum_h2)
            d_h2_d_w4 = x[1] * df(sum_h2)
            d_h2_d_b2 = df(sum_h2)
            w1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1
            w2 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2
            b1 -= learn_rate * d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1
            w3 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3
            w4 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4
            b2 -= learn_rate * d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2
            w5 -= learn_rate * d_L_d_ypred * d_ypred_d_w5
            w6 -= learn_rate * d_L_d_ypred * d_ypred_d_w6
            b3 -= learn_rate * d_L_d_ypred * d_ypred_d_b3
        if epoch % 10 == 0:
            params = (w1, w2, w3, w4, w5, w6, b1, b2, b3)
            y_preds = np.apply_along_axis(feedforward, 1, data, params)
            history.append((epoch, ((all_y_trues - y_preds) ** 2).mean()))
    return history, (w1, w2, w3, w4, w5, w6, b1, b2, b3)


def test_train_is_the_articles_loop():
    net = OurNeuralNetwork(seed=3)
    start = list(net.parameters().values())
    expected, final = article_train(
        start, np.array(DATA), np.array(ALL_Y_TRUES), epochs=300
    )
    history = net.train(DATA, ALL_Y_TRUES, epochs=300)
    assert [e for e, _ in history] == [e for e, _ in expected]
    for (_, loss), (_, reference) in zip(history, expected, strict=True):
        assert loss == pytest.approx(reference, rel=1e-10)
    assert list(net.parameters().values()) == pytest.approx(final, rel=1e-10)


def test_parameters_are_standard_normal_draws_in_order():
    draws = np.random.default_rng(42).standard_normal(9)
    net = OurNeuralNetwork(seed=42)
    assert list(net.parameters()) == [
        "w1",
        "w2",
        "w3",
        "w4",
        "w5",
        "w6",
        "b1",
        "b2",
        "b3",
    ]
    assert list(net.parameters().values()) == draws.tolist()
    assert all(type(getattr(net, name)) is float for name in PARAMETER_NAMES)


def test_history_records_every_tenth_epoch():
    history = OurNeuralNetwork(seed=0).train(DATA, ALL_Y_TRUES)
    assert [epoch for epoch, _ in history] == list(range(0, 1000, 10))
    assert all(isinstance(loss, float) for _, loss in history)
    assert [e for e, _ in OurNeuralNetwork(0).train(DATA, ALL_Y_TRUES, epochs=25)] == [
        0,
        10,
        20,
    ]
    assert [e for e, _ in OurNeuralNetwork(0).train(DATA, ALL_Y_TRUES, epochs=1)] == [0]


def test_recorded_loss_is_the_loss_after_that_epoch():
    net = OurNeuralNetwork(seed=1)
    (epoch, loss), *_ = net.train(DATA, ALL_Y_TRUES, epochs=1)
    assert epoch == 0
    assert loss == mse_loss(ALL_Y_TRUES, [net.feedforward(x) for x in DATA])


def test_same_seed_same_history_and_weights():
    a, b = OurNeuralNetwork(seed=7), OurNeuralNetwork(seed=7)
    assert a.train(DATA, ALL_Y_TRUES) == b.train(DATA, ALL_Y_TRUES)
    assert a.parameters() == b.parameters()
    assert (
        OurNeuralNetwork(seed=8).parameters() != OurNeuralNetwork(seed=7).parameters()
    )


# Seed 13 of default_rng is the one seed in 0..299 whose run ends outside the
# article's ranges: Frank 0.24 (still M) while the training loss is 0.0013. It is
# a different minimum of the same loss, not a slip: the literal transcription of
# the post's code (article_train) lands there too from the same start.
OUTLIERS = {13}


def test_training_over_fifty_seeds_matches_the_article():
    in_range = 0
    for seed in range(50):
        net = OurNeuralNetwork(seed=seed)
        history = net.train(DATA, ALL_Y_TRUES)
        emily, frank = net.feedforward(EMILY), net.feedforward(FRANK)
        assert gender(emily) == "F" and gender(frank) == "M", seed
        assert float(f"{history[-1][1]:.3f}") <= 0.003, seed  # the printed loss
        assert history[0][1] > 5 * history[-1][1], seed  # it learned
        if seed in OUTLIERS:
            continue
        assert 0.94 <= emily <= 0.98, (seed, emily)
        assert 0.03 <= frank <= 0.06, (seed, frank)
        in_range += 1
    assert in_range >= 49


def test_outlier_seed_follows_the_articles_code_too():
    net = OurNeuralNetwork(seed=13)
    _, final = article_train(
        list(net.parameters().values()), np.array(DATA), np.array(ALL_Y_TRUES)
    )
    net.train(DATA, ALL_Y_TRUES)
    assert list(net.parameters().values()) == pytest.approx(final, rel=1e-9)


def test_training_learns_from_other_data_and_learning_rates():
    # XOR-free, linearly separable toy: y = 1 when x1 + x2 > 0
    data = [(-2, -1), (-1, -3), (2, 1), (3, 2), (-3, 1), (1, 3)]
    labels = [0, 0, 1, 1, 0, 1]
    history = OurNeuralNetwork(seed=4).train(data, labels, learn_rate=0.5, epochs=200)
    assert history[-1][1] < 0.05 < history[0][1]


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("x", "message"),
    [
        ([1, 2, 3], r"x must hold exactly 2 numbers\. Received: x=\[1, 2, 3\]"),
        ([1], r"x must hold exactly 2 numbers\. Received: x=\[1\]"),
        (5, r"x must hold exactly 2 numbers\. Received: x=5"),
        ([[1, 2]], r"x must hold exactly 2 numbers\. Received: x=\[\[1, 2\]\]"),
        ([1, float("nan")], r"x must hold finite numbers\. Received: x=\[1, nan\]"),
    ],
)
def test_feedforward_rejects_bad_input(x, message, capsys):
    with pytest.raises(ValueError, match=message):
        OurNeuralNetwork(seed=0).feedforward(x)
    assert capsys.readouterr() == ("", "")


def test_feedforward_rejects_text():
    with pytest.raises(
        TypeError, match=r"x must hold numbers\. Received: x=\['1', '2'\]"
    ):
        OurNeuralNetwork(seed=0).feedforward(["1", "2"])


def test_neuron_rejects_wrong_length_input():
    with pytest.raises(ValueError, match=r"x must hold exactly 2 numbers"):
        Neuron([0, 1], 4).feedforward([2, 3, 4])
    with pytest.raises(ValueError, match=r"bias must be a finite number\. Received: "):
        Neuron([0, 1], float("inf"))


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"epochs": 0},
            ValueError,
            r"epochs must be an integer >= 1\. Received: epochs=0",
        ),
        (
            {"epochs": -5},
            ValueError,
            r"epochs must be an integer >= 1\. Received: epochs=-5",
        ),
        (
            {"epochs": 2.5},
            TypeError,
            r"epochs must be an integer >= 1\. Received: epochs=2\.5",
        ),
        (
            {"learn_rate": float("nan")},
            ValueError,
            r"learn_rate must be a finite number > 0\. Received: learn_rate=nan",
        ),
        (
            {"learn_rate": float("inf")},
            ValueError,
            r"learn_rate must be a finite number > 0\. Received: learn_rate=inf",
        ),
        (
            {"learn_rate": 0},
            ValueError,
            r"learn_rate must be a finite number > 0\. Received: learn_rate=0",
        ),
        (
            {"learn_rate": -0.1},
            ValueError,
            r"learn_rate must be a finite number > 0\. Received: learn_rate=-0\.1",
        ),
        (
            {"all_y_trues": [1, 0, 0]},
            ValueError,
            r"data and all_y_trues must hold the same number of samples\. "
            r"Received: 4 rows in data and 3 values in all_y_trues",
        ),
        (
            {"data": [(1, 2, 3)] * 4},
            ValueError,
            r"data must have 2 columns \(weight, height\)\. "
            r"Received: data with shape \(4, 3\)",
        ),
        (
            {"data": [(1, 2), (3, float("nan")), (0, 0), (1, 1)]},
            ValueError,
            r"data must hold finite numbers",
        ),
        (
            {"data": [(1, 2), (3,)]},
            ValueError,
            r"data must be a rectangular array of numbers",
        ),
        (
            {"data": []},
            ValueError,
            r"data must be an \(n, 2\) array, n >= 1\. "
            r"Received: data with shape \(0,\)",
        ),
    ],
)
def test_train_rejects_bad_input(kwargs, error, message, capsys):
    net = OurNeuralNetwork(seed=0)
    before = net.parameters()
    arguments = {"data": DATA, "all_y_trues": ALL_Y_TRUES, **kwargs}
    with pytest.raises(error, match=message):
        net.train(**arguments)
    assert net.parameters() == before  # nothing changed
    assert capsys.readouterr() == ("", "")  # nothing printed


def test_train_prints_nothing(capsys):
    OurNeuralNetwork(seed=0).train(DATA, ALL_Y_TRUES, epochs=20)
    assert capsys.readouterr() == ("", "")


def test_other_bad_input():
    with pytest.raises(ValueError, match=r"seed must be None or an integer >= 0\. "):
        OurNeuralNetwork(seed=-1)
    with pytest.raises(TypeError, match=r"seed must be None or an integer >= 0\. "):
        OurNeuralNetwork(seed=1.5)
    with pytest.raises(
        ValueError, match=r"Unknown parameter: 'w7'\. Valid names: 'w1'"
    ):
        OurNeuralNetwork(seed=0).set_parameters(w7=1.0)
    net = OurNeuralNetwork(seed=0)
    before = net.parameters()
    with pytest.raises(
        ValueError, match=r"b1 must be a finite number\. Received: b1=nan"
    ):
        net.set_parameters(w1=5.0, b1=float("nan"))
    assert net.parameters() == before  # all or nothing
    with pytest.raises(
        ValueError, match=r"y_true and y_pred must have the same length\. Received: 2 "
    ):
        mse_loss([1, 0], [1, 0, 0])
    with pytest.raises(ValueError, match=r"y_true must be a non-empty 1-D sequence"):
        mse_loss([], [])


def test_unseeded_networks_differ():
    assert OurNeuralNetwork().parameters() != OurNeuralNetwork().parameters()


def test_trains_inlined_step_is_backprop_bit_for_bit():
    # train repeats _backprop's arithmetic on local names (the article's loop, and
    # twice as fast as building a Backprop record per sample); this pins the two
    # copies together: SGD by hand from backprop() must give the very same bits.
    # The far sample overflows exp(-sum) and takes _sigmoid's careful branch.
    data = [*DATA, [-900.0, -800.0], [3.5, -0.25]]
    labels = [*ALL_Y_TRUES, 1, 0]
    trained, by_hand = OurNeuralNetwork(seed=7), OurNeuralNetwork(seed=7)
    trained.train(data, labels, learn_rate=0.3, epochs=3)
    for _ in range(3):
        for x, y_true in zip(data, labels, strict=True):
            grads = by_hand.backprop(x, y_true).gradients()
            by_hand.set_parameters(
                **{name: getattr(by_hand, name) - 0.3 * g for name, g in grads.items()}
            )
    assert trained.parameters() == by_hand.parameters()
