"""Learning: the library solves problems, with thresholds from the literature.

Each test trains a small seeded network to a threshold it must reach; together
they take a few seconds on two cores.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.data import Standardizer
from glassnet.layers import Dense


def test_xor_reaches_100_percent():
    X, y = gn.datasets.xor()
    model = gn.Sequential([Dense(2, 8, activation="tanh"),
                           Dense(8, 1, activation="sigmoid")], seed=0)  # fmt: skip
    model.compile(loss="binary_crossentropy", optimizer=gn.optimizers.Adam(0.05),
                  metrics=["accuracy"])  # fmt: skip
    model.fit(X, y, epochs=300, batch_size=4)
    assert model.evaluate(X, y)["accuracy"] == 1.0
    np.testing.assert_array_equal(model.predict(X).ravel() > 0.5, y == 1)


def test_two_spirals_reach_95_percent_on_fresh_points():
    X, y = gn.datasets.two_spirals(600, noise=0.02, seed=0)
    X_new, y_new = gn.datasets.two_spirals(300, noise=0.02, seed=1)
    model = gn.Sequential(
        [Dense(2, 64, activation="relu"), Dense(64, 64, activation="relu"),
         Dense(64, 2)], seed=0
    )  # fmt: skip
    model.compile(loss="categorical_crossentropy",
                  optimizer=gn.optimizers.Adam(0.01), metrics=["accuracy"])  # fmt: skip
    model.fit(X, y, epochs=200, batch_size=32)
    assert model.evaluate(X_new, y_new)["accuracy"] >= 0.95


def test_sklearn_digits_reach_097_test_accuracy():
    """scikit-learn's MLPClassifier reaches about 0.975-0.983 on this split."""
    datasets = pytest.importorskip("sklearn.datasets")
    selection = pytest.importorskip("sklearn.model_selection")
    X, y = datasets.load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = selection.train_test_split(
        X, y, test_size=0.2, random_state=0, stratify=y
    )
    model = gn.Sequential(
        [Dense(64, 64, activation="relu", l2=1e-4), Dense(64, 10)], seed=0
    )
    model.preprocessing = Standardizer().fit(X_train)
    epochs, steps = 60, -(-len(X_train) // 32)
    schedule = gn.optimizers.CosineDecay(3e-3, decay_steps=epochs * steps)
    model.compile(
        loss="categorical_crossentropy",
        optimizer=gn.optimizers.Adam(schedule),
        metrics=["accuracy"],
    )
    model.fit(X_train, y_train, epochs=epochs, batch_size=32)
    assert model.evaluate(X_test, y_test)["accuracy"] >= 0.97


def test_regression_recovers_a_linear_rule():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([2.0, -1.0, 0.5]) + 3.0  # exact: w = (2, -1, 0.5), b = 3
    model = gn.Sequential([Dense(3, 1)], seed=0, dtype="float64")
    model.compile(loss="mse", optimizer=gn.optimizers.SGD(0.1))
    model.fit(X, y, epochs=100, batch_size=20)
    W, b = model.get_weights()
    np.testing.assert_allclose(W.ravel(), [2.0, -1.0, 0.5], atol=1e-6)
    np.testing.assert_allclose(b, [3.0], atol=1e-6)
