"""The bridge between the two levels: the article's scalar network and Sequential.

``glassnet.article.OurNeuralNetwork`` computes one named partial derivative per
line; ``Sequential`` does the same maths with matrices. Given the same nine
starting numbers, the same data order, MSE, SGD(0.1) and one sample per step, the
two must end with the same nine parameters and record the same losses.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import article
from glassnet.callbacks import LambdaCallback


def _sequential_from(net: article.OurNeuralNetwork) -> gn.Sequential:
    """A 2-2-1 sigmoid Sequential holding the article network's parameters.

    Column j of W1 feeds hidden neuron j: h1 = f(w1·x1 + w2·x2 + b1) and
    h2 = f(w3·x1 + w4·x2 + b2), so W1 = [[w1, w3], [w2, w4]].
    """
    model = gn.Sequential(
        [gn.Dense(2, 2, activation="sigmoid"), gn.Dense(2, 1, activation="sigmoid")],
        seed=123,
        dtype="float64",
    )
    p = net.parameters()
    model.set_weights(
        [
            [[p["w1"], p["w3"]], [p["w2"], p["w4"]]],
            [p["b1"], p["b2"]],
            [[p["w5"]], [p["w6"]]],
            [p["b3"]],
        ]
    )
    return model


def _nine(model: gn.Sequential) -> dict[str, float]:
    W1, b1, W2, b2 = model.get_weights()
    return {
        "w1": W1[0, 0], "w2": W1[1, 0], "w3": W1[0, 1], "w4": W1[1, 1],
        "w5": W2[0, 0], "w6": W2[1, 0], "b1": b1[0], "b2": b1[1], "b3": b2[0],
    }  # fmt: skip


@pytest.mark.parametrize("seed", [0, 2485])
def test_sequential_retraces_the_article_step_for_step(seed):
    net = article.OurNeuralNetwork(seed=seed)
    model = _sequential_from(net)
    assert _nine(model) == pytest.approx(net.parameters(), abs=0)

    X = np.array(article.DATA, dtype=float)
    y = np.array(article.ALL_Y_TRUES, dtype=float)
    article_history = net.train(article.DATA, article.ALL_Y_TRUES, 0.1, 1000)

    recorded = []

    def record(epoch, logs):
        if epoch % 10 == 0:  # the article's loss over all four, every 10th epoch
            recorded.append((epoch, model.evaluate(X, y)["loss"]))

    model.compile(loss="mse", optimizer=gn.optimizers.SGD(learning_rate=0.1))
    model.fit(
        X, y, epochs=1000, batch_size=1, shuffle=False,
        callbacks=[LambdaCallback(on_epoch_end=record)],
    )  # fmt: skip

    final = _nine(model)
    for name, value in net.parameters().items():
        assert abs(final[name] - value) < 1e-12, name
    assert [e for e, _ in recorded] == [e for e, _ in article_history]
    np.testing.assert_allclose(
        [v for _, v in recorded], [v for _, v in article_history], rtol=0, atol=1e-12
    )
    # training really happened: the loss fell from about 0.26 towards 0
    assert article_history[-1][1] < 0.01 < article_history[0][1]


def test_one_backprop_step_matches_the_articles_named_derivatives():
    """Alice alone, every weight 1 and bias 0: ∂L/∂w1 = 0.02146953526581111."""
    net = article.OurNeuralNetwork(seed=0)
    net.set_parameters(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
    model = _sequential_from(net)
    model.compile(loss="mse")
    loss, grads = model.loss_and_gradients(np.array([[-2.0, -1.0]]), [1.0])
    g = net.backprop([-2, -1], 1).gradients()
    dW1, db1, dW2, db2 = grads
    assert dW1[0, 0] == pytest.approx(0.02146953526581111, rel=1e-14)
    np.testing.assert_allclose(
        [dW1[0, 0], dW1[1, 0], dW1[0, 1], dW1[1, 1], dW2[0, 0], dW2[1, 0],
         db1[0], db1[1], db2[0]],
        [g[k] for k in
         ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")],
        rtol=1e-13, atol=0,
    )  # fmt: skip
    assert loss == pytest.approx((1 - 0.5236951740839997) ** 2, rel=1e-14)
