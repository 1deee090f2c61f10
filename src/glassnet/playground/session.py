"""One browser tab's playground: its data, its network, its training state.

A :class:`Session` holds the settings the page chose, the two-dimensional data
set drawn from them, the glassnet ``Sequential`` that learns it, and the loss
curves so far. :meth:`Session.snapshot` is everything the page draws, as plain
JSON-ready values: the decision boundary and every neuron's output over the
plane as 50 × 50 grids (quantised to bytes, base64), every weight with its
current gradient, the points and the losses.

:func:`check_settings` validates what the page sends; every bad value raises a
``ValueError`` naming the setting, the rule and what was received (the server
answers it with a 400).
"""

from __future__ import annotations

import base64
import math
import threading
from typing import Any

import numpy as np

from glassnet import article
from glassnet.errors import TrainingDiverged
from glassnet.layers import Dense
from glassnet.network import Sequential
from glassnet.optimizers import get as get_optimizer

__all__ = [
    "ACTIVATIONS",
    "DATASETS",
    "DEFAULTS",
    "EXTENT",
    "FEATURES",
    "GRID",
    "OPTIMIZERS",
    "Session",
    "article_sample",
    "check_settings",
    "make_dataset",
]

#: The plane shown on the page: x1 and x2 both in [-EXTENT, EXTENT].
EXTENT = 6.0
#: Grid points per side of the boundary and of every neuron's map.
GRID = 50
DATASETS = ("circle", "xor", "gaussians", "spiral", "people")
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
OPTIMIZERS = ("sgd", "adam", "rmsprop")
DEFAULTS: dict[str, Any] = {
    "dataset": "circle",
    "noise": 0.0,
    "train_ratio": 0.5,
    "features": ["x1", "x2"],
    "hidden": [4, 2],
    "activation": "tanh",
    "learning_rate": 0.03,
    "optimizer": "sgd",
    "batch_size": 10,
    "l2": 0.0,
    "seed": 0,
}
N_POINTS = 400
#: The article's four people on the page's plane: (weight − 135 lb) / 5 and
#: (height − 66 in) / 1.5, so that they spread over [-6, 6].
PEOPLE_SCALE = (5.0, 1.5)


# ------------------------------------------------------------------ settings
def _number(settings: dict, name: str, low: float, high: float) -> float:
    value = settings[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number. Received: {name}={value!r}")
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(
            f"{name} must be between {low:g} and {high:g}. Received: {name}={value!r}"
        )
    return float(value)


def _integer(settings: dict, name: str, low: int, high: int) -> int:
    value = settings[name]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer. Received: {name}={value!r}")
    if not low <= value <= high:
        raise ValueError(
            f"{name} must be between {low} and {high}. Received: {name}={value!r}"
        )
    return value


def _choice(settings: dict, name: str, options: tuple) -> str:
    value = settings[name]
    if value not in options:
        raise ValueError(
            f"{name} must be one of {', '.join(options)}. Received: {name}={value!r}"
        )
    return value


def check_settings(changes: Any, base: dict | None = None) -> dict:
    """``base`` (the defaults when None) updated with ``changes``, validated.

    Raises
    ------
    ValueError
        For an unknown setting or a value of the wrong type or out of range; the
        message names the setting, the rule and the value received.

    Examples
    --------
    >>> check_settings({"hidden": [8, 8]})["hidden"]
    [8, 8]
    >>> check_settings({"hidden": [9]})
    Traceback (most recent call last):
    ...
    ValueError: hidden[0] must be between 1 and 8. Received: hidden[0]=9
    """
    if not isinstance(changes, dict):
        raise ValueError(
            f"settings must be a JSON object. Received: {type(changes).__name__}"
        )
    unknown = sorted(set(changes) - set(DEFAULTS))
    if unknown:
        raise ValueError(
            f"unknown setting {unknown[0]!r}; valid: {', '.join(DEFAULTS)}. "
            f"Received: {unknown[0]}={changes[unknown[0]]!r}"
        )
    s = dict(DEFAULTS if base is None else base)
    s.update(changes)
    out = {
        "dataset": _choice(s, "dataset", DATASETS),
        "noise": _number(s, "noise", 0.0, 0.5),
        "train_ratio": _number(s, "train_ratio", 0.1, 0.9),
        "activation": _choice(s, "activation", ACTIVATIONS),
        "learning_rate": _number(s, "learning_rate", 1e-5, 10.0),
        "optimizer": _choice(s, "optimizer", OPTIMIZERS),
        "batch_size": _integer(s, "batch_size", 1, 100),
        "l2": _number(s, "l2", 0.0, 1.0),
        "seed": _integer(s, "seed", 0, 2**31 - 1),
    }
    features = s["features"]
    if (
        not isinstance(features, list)
        or not features
        or any(f not in FEATURES for f in features)
        or len(set(features)) != len(features)
    ):
        raise ValueError(
            f"features must be a non-empty list of distinct names from "
            f"{', '.join(FEATURES)}. Received: features={features!r}"
        )
    out["features"] = [f for f in FEATURES if f in features]
    hidden = s["hidden"]
    if not isinstance(hidden, list) or len(hidden) > 6:
        raise ValueError(
            "hidden must be a list of at most 6 layer sizes. "
            f"Received: hidden={hidden!r}"
        )
    for i, size in enumerate(hidden):
        _integer({f"hidden[{i}]": size}, f"hidden[{i}]", 1, 8)
    out["hidden"] = list(hidden)
    return out


# ---------------------------------------------------------------------- data
def make_dataset(
    name: str, n: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points ``(x1, x2)`` in about [-6, 6]² and their labels (0 or 1).

    ``noise`` (0 to 0.5) is the share of the class spread added as Gaussian jitter.

    >>> X, y = make_dataset("xor", 8, 0.0, np.random.default_rng(0))
    >>> X.shape, bool(np.all((X[:, 0] * X[:, 1] > 0) == (y == 1)))
    ((8, 2), True)
    """
    if name == "circle":
        half = n // 2
        r = np.concatenate([rng.uniform(0, 2.5, half), rng.uniform(3.5, 5.0, n - half)])
        angle = rng.uniform(0, 2 * np.pi, n)
        X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
        X += rng.normal(0, 1, X.shape) * noise * 5
        y = (np.arange(n) < half).astype(float)
    elif name == "xor":
        X = rng.uniform(-5, 5, (n, 2))
        X += np.where(X > 0, 0.3, -0.3)  # a margin along the axes
        y = (X[:, 0] * X[:, 1] > 0).astype(float)
        X += rng.normal(0, 1, X.shape) * noise * 5
    elif name == "gaussians":
        y = (np.arange(n) % 2).astype(float)
        centre = np.where(y[:, None] == 1, 2.0, -2.0)
        X = centre + rng.normal(0, 0.5 + noise * 4, (n, 2))
    elif name == "spiral":
        half = n // 2
        t = np.concatenate([np.linspace(0, 1, half), np.linspace(0, 1, n - half)])
        delta = np.concatenate([np.zeros(half), np.full(n - half, np.pi)])
        r = 5 * t
        angle = 1.75 * t * 2 * np.pi + delta
        X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
        X += rng.uniform(-1, 1, X.shape) * noise * 5
        y = (np.arange(n) < half).astype(float)
    else:  # people: the article's four, each a cloud around its point
        people = np.array(article.DATA, dtype=float) / np.array(PEOPLE_SCALE)
        which = np.arange(n) % len(people)
        X = people[which] + rng.normal(0, 0.05 + noise * 3, (n, 2))
        y = np.array(article.ALL_Y_TRUES, dtype=float)[which]
    order = rng.permutation(n)
    return X[order], y[order]


def features(X: np.ndarray, names: list[str]) -> np.ndarray:
    """The input columns the network sees, one per feature name."""
    x1, x2 = X[:, 0], X[:, 1]
    table = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1^2": lambda: x1 * x1,
        "x2^2": lambda: x2 * x2,
        "x1*x2": lambda: x1 * x2,
        "sin(x1)": lambda: np.sin(x1),
        "sin(x2)": lambda: np.sin(x2),
    }
    return np.column_stack([table[name]() for name in names])


def _quantise(values: np.ndarray) -> str:
    """Values in [-1, 1] (clipped) as base64 bytes 0..255, row by row."""
    q = np.rint((np.clip(values, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
    return base64.b64encode(q.tobytes()).decode("ascii")


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


# ------------------------------------------------------------------- session
class Session:
    """One tab's playground; every method is safe to call from any thread."""

    MAX_HISTORY = 600

    def __init__(self, settings: dict | None = None) -> None:
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.playing = False
        self.version = 0
        self.reset(settings or dict(DEFAULTS))

    # ---- changes (each bumps the version the event stream waits on)
    def touch(self) -> None:
        self.version += 1
        self.changed.notify_all()

    def reset(self, settings: dict) -> None:
        """Draw the data and a fresh network for ``settings`` (already checked)."""
        rng = np.random.default_rng(settings["seed"])
        X, y = make_dataset(settings["dataset"], N_POINTS, settings["noise"], rng)
        n_train = int(round(len(X) * settings["train_ratio"]))
        self.settings = settings
        self.points = (X[:n_train], y[:n_train], X[n_train:], y[n_train:])
        names = settings["features"]
        self.train_X = features(self.points[0], names).astype(np.float32)
        self.test_X = features(self.points[2], names).astype(np.float32)
        self.train_y, self.test_y = self.points[1], self.points[3]
        axis = np.linspace(-EXTENT, EXTENT, GRID)
        gx, gy = np.meshgrid(axis, -axis)  # row 0 is the top of the plane
        self.grid_X = features(np.column_stack([gx.ravel(), gy.ravel()]), names)
        self.grid_X = self.grid_X.astype(np.float32)
        sizes = [len(names), *settings["hidden"], 1]
        layers = [
            Dense(n_in, n_out, activation=settings["activation"], l2=settings["l2"])
            for n_in, n_out in zip(sizes[:-2], sizes[1:-1], strict=True)
        ]
        layers.append(Dense(sizes[-2], 1, activation="sigmoid", l2=settings["l2"]))
        model = Sequential(layers, seed=settings["seed"])
        model.compile(
            loss="binary_crossentropy",
            optimizer=get_optimizer(
                {
                    "name": settings["optimizer"],
                    "learning_rate": settings["learning_rate"],
                }
            ),
        )
        self.model = model
        self.epoch = 0
        self.message = ""
        self.history: list[tuple[int, float, float]] = []
        self.stride = 1
        self._record()

    def _losses(self) -> tuple[float, float]:
        train = self.model.evaluate(self.train_X, self.train_y)["loss"]
        test = self.model.evaluate(self.test_X, self.test_y)["loss"]
        return train, test

    def _record(self) -> None:
        train, test = self._losses()
        self.last_losses = (train, test)
        if self.epoch % self.stride == 0:
            self.history.append((self.epoch, train, test))
            if len(self.history) > self.MAX_HISTORY:
                self.history = self.history[::2]
                self.stride *= 2

    def train_epoch(self) -> None:
        """One epoch of minibatch training (caller holds ``lock``)."""
        try:
            self.model.fit(
                self.train_X,
                self.train_y,
                epochs=1,
                batch_size=self.settings["batch_size"],
                verbose=0,
            )
        except TrainingDiverged as error:  # weights restored; stop and say why
            self.playing = False
            self.message = f"{error} Lower the learning rate and press reset."
            self.touch()
            return
        self.epoch += 1
        self._record()

    # ---- what the page draws
    def snapshot(self) -> dict:
        """Everything the page draws, JSON-ready (caller holds ``lock``)."""
        model = self.model
        _, grads = model.loss_and_gradients(self.train_X, self.train_y)
        out = self.grid_X
        maps = [[_quantise(out[:, j] / EXTENT) for j in range(out.shape[1])]]
        for layer in model.layers:
            out = layer.forward(out, training=False)
            if layer is model.layers[-1]:
                maps.append([_quantise(2.0 * out[:, 0] - 1.0)])
            else:
                maps.append([_quantise(out[:, j]) for j in range(out.shape[1])])
        weights = []
        for i, layer in enumerate(model.layers):
            W, b = layer.params["W"], layer.params["b"]
            weights.append(
                {
                    "W": np.round(W.astype(float), 4).tolist(),
                    "dW": np.round(grads[2 * i].astype(float), 5).tolist(),
                    "b": np.round(b.astype(float), 4).tolist(),
                    "db": np.round(grads[2 * i + 1].astype(float), 5).tolist(),
                }
            )
        train_p, train_y, test_p, test_y = self.points
        return {
            "version": self.version,
            "playing": self.playing,
            "settings": self.settings,
            "epoch": self.epoch,
            "message": self.message,
            "train_loss": _finite_or_none(self.last_losses[0]),
            "test_loss": _finite_or_none(self.last_losses[1]),
            "history": [
                [e, _finite_or_none(a), _finite_or_none(b)] for e, a, b in self.history
            ],
            "grid": GRID,
            "extent": EXTENT,
            "maps": maps,
            "weights": weights,
            "train": np.column_stack([train_p, train_y]).round(3).tolist(),
            "test": np.column_stack([test_p, test_y]).round(3).tolist(),
        }


# ------------------------------------------------------------------- article
#: The article's worked example starts from every weight 1 and every bias 0.
ARTICLE_START = dict.fromkeys(article.PARAMETER_NAMES, 0.0) | {
    f"w{i}": 1.0 for i in range(1, 7)
}
ARTICLE_LEARN_RATE = 0.1
ARTICLE_MAX_SAMPLE = 4000


def article_sample(index: int) -> dict:
    """Sample number ``index`` of the article's SGD, from the worked example's start.

    Starting from every weight 1 and bias 0, SGD (learning rate 0.1) visits Alice,
    Bob, Charlie, Diana, Alice, ...; this replays the first ``index`` steps, then
    returns the parameters, every forward and backward value of ``glassnet.article``
    on sample ``index``, and the parameters after its SGD step.

    >>> first = article_sample(0)
    >>> first["name"], round(first["values"]["d_L_d_w1"], 4)
    ('Alice', 0.0215)
    """
    if isinstance(index, bool) or not isinstance(index, int):
        raise ValueError(f"sample must be an integer. Received: sample={index!r}")
    if not 0 <= index <= ARTICLE_MAX_SAMPLE:
        raise ValueError(
            f"sample must be between 0 and {ARTICLE_MAX_SAMPLE}. "
            f"Received: sample={index}"
        )
    net = article.OurNeuralNetwork(seed=0)
    net.set_parameters(**ARTICLE_START)
    n = len(article.DATA)
    for k in range(index + 1):
        x, y_true = article.DATA[k % n], article.ALL_Y_TRUES[k % n]
        before = net.parameters()
        step = net.backprop(x, y_true)
        after = {
            name: value - ARTICLE_LEARN_RATE * step.gradients()[name]
            for name, value in before.items()
        }
        net.set_parameters(**after)
    return {
        "sample": index,
        "name": article.NAMES[index % n],
        "raw": list(article.RAW_DATA[index % n]),
        "x": list(x),
        "y_true": y_true,
        "learn_rate": ARTICLE_LEARN_RATE,
        "before": before,
        "values": step._asdict(),
        "after": after,
    }
