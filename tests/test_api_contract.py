# ruff: noqa: E501 - the contract block is quoted verbatim, long lines included
"""DESIGN.md's public API contract, run literally on the article's four people.

The block below is the contract from ``../shared/DESIGN.md`` character for
character (a test checks that, where the file is present); every statement runs,
and every bare expression's value is then checked against what the contract's
comments promise.
"""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import numpy as np
import pytest

DESIGN = Path(__file__).resolve().parents[2] / "shared" / "DESIGN.md"

CONTRACT = """\
from glassnet.article import sigmoid, deriv_sigmoid, mse_loss, Neuron, OurNeuralNetwork
Neuron(weights, bias).feedforward(x)            # float
net = OurNeuralNetwork(seed=None)               # attributes w1..w6, b1..b3 (floats, settable)
net.feedforward(x); net.train(data, all_y_trues, learn_rate=0.1, epochs=1000)  # returns [(epoch, loss)] every 10 epochs

import glassnet as gn
model = gn.Sequential([gn.Dense(2, 2, activation="sigmoid"),
                       gn.Dense(2, 1, activation="sigmoid")], seed=0, dtype="float64")
model.layers[0].params["W"], model.layers[0].params["b"]   # (n_in, n_out), (n_out,)
model.compile(loss="mse", optimizer=gn.optimizers.SGD(learning_rate=0.1), metrics=["accuracy"])
history = model.fit(X, y, epochs=1000, batch_size=1, shuffle=False,
                    validation_data=None, callbacks=None, verbose=0)
history.history["loss"]                          # one float per epoch
model.predict(X)                                 # (n_samples, n_out)
model.evaluate(X, y)                             # {"loss": ..., "accuracy": ...}
loss, grads = model.loss_and_gradients(X, y)     # grads aligned with model.parameters()
model.save("model.npz"); gn.load("model.npz")
gn.gradcheck(model, X, y)                        # max relative error
"""


def run_contract(namespace: dict) -> dict[str, object]:
    """Execute CONTRACT in ``namespace``; return each bare expression's value."""
    values = {}
    for statement in ast.parse(CONTRACT).body:
        source = ast.get_source_segment(CONTRACT, statement)
        if isinstance(statement, ast.Expr):
            code = compile(ast.Expression(statement.value), "<contract>", "eval")
            values[source] = eval(code, namespace)  # noqa: S307 - our own block
        else:
            exec(compile(ast.Module([statement], []), "<contract>", "exec"), namespace)
    return values


def test_the_block_is_designs_contract_verbatim():
    if not DESIGN.is_file():
        pytest.skip("../shared/DESIGN.md is not beside this checkout")
    text = DESIGN.read_text(encoding="utf-8")
    section = text.split("## Public API contract", 1)[1]
    block = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    assert block == CONTRACT


@pytest.fixture(scope="module")
def contract(tmp_path_factory):
    from glassnet.article import ALL_Y_TRUES, DATA

    folder = tmp_path_factory.mktemp("contract")
    namespace = {
        "weights": [0, 1],  # the article's neuron: w = [0, 1], b = 4, x = [2, 3]
        "bias": 4,
        "x": [2, 3],
        "data": DATA,
        "all_y_trues": ALL_Y_TRUES,
        "X": np.asarray(DATA, dtype=float),
        "y": np.asarray(ALL_Y_TRUES, dtype=float),
    }
    import os

    cwd = os.getcwd()
    os.chdir(folder)  # model.save("model.npz") writes into the working folder
    try:
        values = run_contract(namespace)
    finally:
        os.chdir(cwd)
    return namespace, values, folder


def _value(values: dict, start: str):
    (match,) = [v for source, v in values.items() if source.startswith(start)]
    return match


def test_article_names(contract):
    namespace, values, _ = contract
    # sigmoid(w.x + b) = sigmoid(0*2 + 1*3 + 4) = sigmoid(7), worked by hand
    y = _value(values, "Neuron(weights, bias)")
    assert isinstance(y, float)
    assert y == pytest.approx(1 / (1 + math.exp(-7)), abs=1e-15)
    assert namespace["sigmoid"](0) == 0.5
    assert namespace["deriv_sigmoid"](0) == 0.25  # f(0)(1 - f(0)) = 0.5 * 0.5
    assert namespace["mse_loss"]([1, 0, 0, 1], [0, 0, 0, 0]) == 0.5  # (1+0+0+1)/4
    net = namespace["net"]
    for name in ["w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3"]:
        assert isinstance(getattr(net, name), float), name
    net.w1 = 2.5  # settable
    assert net.w1 == 2.5


def test_article_train_returns_every_10th_epoch(contract):
    _, values, _ = contract
    feedforward = _value(values, "net.feedforward(x)")
    history = _value(values, "net.train(")
    assert 0.0 < feedforward < 1.0
    assert [epoch for epoch, _ in history] == list(range(0, 1000, 10))
    assert all(isinstance(loss, float) for _, loss in history)
    assert history[-1][1] < history[0][1]


def test_layer_params_shapes(contract):
    _, values, _ = contract
    W, b = _value(values, 'model.layers[0].params["W"]')
    assert W.shape == (2, 2) and b.shape == (2,)  # (n_in, n_out), (n_out,)
    assert W.dtype == np.float64 and b.dtype == np.float64


def test_fit_history_predict_evaluate(contract):
    namespace, values, _ = contract
    losses = _value(values, 'history.history["loss"]')
    assert len(losses) == 1000
    assert all(isinstance(v, float) for v in losses)
    assert losses[-1] < losses[0]
    predictions = _value(values, "model.predict(X)")
    assert predictions.shape == (4, 1)
    scores = _value(values, "model.evaluate(X, y)")
    assert set(scores) == {"loss", "accuracy"}
    # the model has learned the four people: every prediction on the right side
    expected_accuracy = np.mean((predictions[:, 0] > 0.5) == (namespace["y"] > 0.5))
    assert scores["accuracy"] == pytest.approx(expected_accuracy)
    # evaluate's loss is the MSE of predict's output, worked from its definition
    mse = np.mean((predictions[:, 0] - namespace["y"]) ** 2)
    assert scores["loss"] == pytest.approx(mse, rel=1e-12)


def test_loss_and_gradients_aligned_with_parameters(contract):
    namespace, values, _ = contract
    model = namespace["model"]
    loss, grads = namespace["loss"], namespace["grads"]
    assert loss == pytest.approx(_value(values, "model.evaluate(X, y)")["loss"])
    pairs = list(model.parameters())
    assert len(grads) == len(pairs) == 4
    for grad, (param, _) in zip(grads, pairs, strict=True):
        assert grad.shape == param.shape
    # the first weight's gradient against a central finite difference
    X, y = namespace["X"], namespace["y"]
    W = model.layers[0].params["W"]
    h, w00 = 1e-6, W[0, 0]
    W[0, 0] = w00 + h
    up = model.evaluate(X, y)["loss"]
    W[0, 0] = w00 - h
    down = model.evaluate(X, y)["loss"]
    W[0, 0] = w00  # exactly: later tests compare the saved weights bit for bit
    assert grads[0][0, 0] == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-10)


def test_save_and_load_round_trip(contract):
    namespace, values, folder = contract
    model = namespace["model"]
    assert _value(values, 'model.save("model.npz")') is None
    loaded = _value(values, 'gn.load("model.npz")')
    assert (folder / "model.npz").is_file()
    X = namespace["X"]
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    for (a, _), (b, _) in zip(loaded.parameters(), model.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_gradcheck_is_below_1e_6(contract):
    _, values, _ = contract
    error = _value(values, "gn.gradcheck(model, X, y)")
    assert isinstance(error, float)
    assert error < 1e-6
