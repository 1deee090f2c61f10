"""Victor Zhou's "An Introduction to Neural Networks", as a module.

The article builds a neuron, joins three of them into a 2-2-1 network, defines the
mean squared error, derives every partial derivative by the chain rule and trains
the network with stochastic gradient descent to tell women (1) from men (0) by
weight and height. This module is that code, written carefully: scalar float64
arithmetic with :func:`math.exp` (NumPy buys nothing for nine numbers), one named
partial derivative per line, and a clear error for every bad input. It stands
alone on the standard library and NumPy, so it can be read, and copied, as one file.

Every number the article prints is reproduced exactly; ``glassnet demo`` walks
through them in order.

Examples
--------
>>> from glassnet.article import Neuron, OurNeuralNetwork, DATA, ALL_Y_TRUES, EMILY
>>> Neuron([0, 1], 4).feedforward([2, 3])
0.9990889488055994
>>> net = OurNeuralNetwork(seed=0)
>>> history = net.train(DATA, ALL_Y_TRUES)
>>> history[-1][0], history[-1][1] < 0.01
(990, True)
>>> net.feedforward(EMILY) > 0.5  # female
True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "ALL_Y_TRUES",
    "DATA",
    "EMILY",
    "EMILY_RAW",
    "FRANK",
    "FRANK_RAW",
    "MEANS",
    "NAMES",
    "PARAMETER_NAMES",
    "RAW_DATA",
    "SHIFT",
    "Backprop",
    "Neuron",
    "OurNeuralNetwork",
    "deriv_sigmoid",
    "gender",
    "mse_loss",
    "sigmoid",
]

# --------------------------------------------------------------------------- data

#: The four people of the article, in its order (which is also the SGD order).
NAMES = ("Alice", "Bob", "Charlie", "Diana")
#: Their (weight in lb, height in in).
RAW_DATA = ((133, 65), (160, 72), (152, 70), (120, 60))
#: The article subtracts these arbitrary round numbers from (weight, height).
SHIFT = (135, 66)
#: What one would normally shift by: the means of ``RAW_DATA``.
MEANS = (141.25, 66.75)
#: ``RAW_DATA`` minus ``SHIFT``: the network's inputs.
DATA = ((-2, -1), (25, 6), (17, 4), (-15, -6))
#: Labels: female is 1, male is 0 (Alice F, Bob M, Charlie M, Diana F).
ALL_Y_TRUES = (1, 0, 0, 1)
#: The two new people the trained network is asked about, raw and shifted.
EMILY_RAW, EMILY = (128, 63), (-7, -3)
FRANK_RAW, FRANK = (155, 68), (20, 2)

#: The network's parameters in the order they are drawn and listed.
PARAMETER_NAMES = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")


def gender(prediction: float) -> str:
    """The article's reading of an output: ``"F"`` above 0.5, ``"M"`` otherwise.

    >>> gender(0.951), gender(0.039)
    ('F', 'M')
    """
    return "F" if prediction > 0.5 else "M"


# ------------------------------------------------------------ activation and loss


def _sigmoid(x: float) -> float:
    """f(x) = 1 / (1 + e^-x) for one float, exactly the article's formula."""
    try:
        return 1.0 / (1.0 + math.exp(-x))
    except OverflowError:
        # x < -709.78: e^-x overflows, yet f(x) = e^x to within rounding (and
        # e^x is tiny, not an overflow). NumPy would warn and return 0.0 here.
        return math.exp(x)


def sigmoid(x: Any) -> Any:
    """The sigmoid activation f(x) = 1 / (1 + e^-x), squashing ℝ into (0, 1).

    Numerically stable: no overflow at any input. A float goes through the
    article's own formula, ``1 / (1 + exp(-x))``, wherever that does not
    overflow, so it reproduces the article's digits.

    Parameters
    ----------
    x : float or array_like
        One number (returns a float) or an array of them (returns an ndarray).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> sigmoid(0.0), sigmoid(7), sigmoid(-1000.0)
    (0.5, 0.9990889488055994, 0.0)
    """
    if isinstance(x, numbers.Real):
        return _sigmoid(float(x))
    x = np.asarray(x, dtype=np.float64)
    # e^-|x| never overflows; split by sign so each side divides by 1 + small.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def deriv_sigmoid(x: Any) -> Any:
    """The sigmoid's derivative f'(x) = f(x) · (1 − f(x)).

    Parameters
    ----------
    x : float or array_like

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> deriv_sigmoid(0.0), deriv_sigmoid(1000.0)
    (0.25, 0.0)
    """
    fx = sigmoid(x)
    return fx * (1 - fx)


def mse_loss(y_true: Any, y_pred: Any) -> float:
    """Mean squared error, (1/n) Σ (y_true − y_pred)², as the article defines it.

    Parameters
    ----------
    y_true, y_pred : array_like of shape (n,)
        The labels and the network's outputs, the same length n >= 1.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        When either is empty or not 1-D, or their lengths differ.

    Examples
    --------
    >>> mse_loss([1, 0, 0, 1], [0, 0, 0, 0])  # the article's example
    0.5
    """
    y_true = _vector(y_true, "y_true")
    y_pred = _vector(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            "y_true and y_pred must have the same length. "
            f"Received: {y_true.size} values in y_true and {y_pred.size} in y_pred"
        )
    return float(((y_true - y_pred) ** 2).mean())


# --------------------------------------------------------------------- the neuron


class Neuron:
    """One neuron: y = f(w · x + b) with the sigmoid f.

    Parameters
    ----------
    weights : array_like of shape (n_inputs,)
        One weight per input.
    bias : float

    Examples
    --------
    >>> Neuron([0, 1], 4).feedforward([2, 3])  # w·x + b = 7
    0.9990889488055994
    """

    def __init__(self, weights: Sequence[float], bias: float) -> None:
        self.weights = tuple(_vector(weights, "weights").tolist())
        self.bias = _finite(bias, "bias")

    def feedforward(self, x: Sequence[float]) -> float:
        """Pass the inputs forward: weight them, add the bias, apply the sigmoid."""
        x = _point(x, "x", len(self.weights))
        total = sum(w * xi for w, xi in zip(self.weights, x, strict=True)) + self.bias
        return _sigmoid(total)

    def __repr__(self) -> str:
        return f"Neuron(weights={list(self.weights)}, bias={self.bias!r})"


# -------------------------------------------------------------------- the network


class Backprop(NamedTuple):
    """Every intermediate value of one forward and backward pass on one sample.

    The names are the article's: ``d_L_d_ypred`` is ∂L/∂y_pred, ``d_h1_d_w1`` is
    ∂h1/∂w1, and so on; ``d_L_d_w1`` … ``d_L_d_b3`` are the chain-rule products
    that SGD subtracts (times the learning rate). L is the single-sample loss
    (y_true − y_pred)².
    """

    sum_h1: float
    h1: float
    sum_h2: float
    h2: float
    sum_o1: float
    o1: float
    loss: float
    d_L_d_ypred: float
    # neuron o1
    d_ypred_d_w5: float
    d_ypred_d_w6: float
    d_ypred_d_b3: float
    d_ypred_d_h1: float
    d_ypred_d_h2: float
    # neuron h1
    d_h1_d_w1: float
    d_h1_d_w2: float
    d_h1_d_b1: float
    # neuron h2
    d_h2_d_w3: float
    d_h2_d_w4: float
    d_h2_d_b2: float
    # the chain rule: ∂L/∂(each parameter)
    d_L_d_w1: float
    d_L_d_w2: float
    d_L_d_w3: float
    d_L_d_w4: float
    d_L_d_w5: float
    d_L_d_w6: float
    d_L_d_b1: float
    d_L_d_b2: float
    d_L_d_b3: float

    @property
    def y_pred(self) -> float:
        """The network's output, o1."""
        return self.o1

    def gradients(self) -> dict[str, float]:
        """∂L/∂p for each parameter p, keyed ``"w1"`` … ``"b3"``."""
        return {name: getattr(self, f"d_L_d_{name}") for name in PARAMETER_NAMES}


class OurNeuralNetwork:
    """The article's network: 2 inputs, hidden neurons h1 and h2, output neuron o1.

    h1 = f(w1·x1 + w2·x2 + b1), h2 = f(w3·x1 + w4·x2 + b2),
    o1 = f(w5·h1 + w6·h2 + b3), with the sigmoid f.

    Parameters
    ----------
    seed : int or None
        Seeds ``numpy.random.default_rng``, from which the nine parameters are
        drawn from a standard normal in one call, in the order w1, …, w6, b1, b2,
        b3. ``None`` (the article's unseeded run) draws fresh entropy.

    Attributes
    ----------
    w1, w2, w3, w4, w5, w6, b1, b2, b3 : float
        The weights and biases; plain floats that may be set directly.

    Examples
    --------
    >>> net = OurNeuralNetwork(seed=0)
    >>> net.set_parameters(w1=0, w2=1, w3=0, w4=1, w5=0, w6=1, b1=0, b2=0, b3=0)
    >>> net.feedforward([2, 3])  # the article's network example
    0.7216325609518421
    """

    def __init__(self, seed: int | None = None) -> None:
        if seed is not None:
            seed = _seed(seed)
        draws = np.random.default_rng(seed).standard_normal(len(PARAMETER_NAMES))
        self.set_parameters(**dict(zip(PARAMETER_NAMES, draws.tolist(), strict=True)))

    def parameters(self) -> dict[str, float]:
        """The nine parameters by name, in the order w1 … w6, b1, b2, b3."""
        return {name: getattr(self, name) for name in PARAMETER_NAMES}

    def set_parameters(self, **values: float) -> None:
        """Set any of the parameters by name, e.g. ``set_parameters(w1=1.0)``."""
        unknown = [name for name in values if name not in PARAMETER_NAMES]
        if unknown:
            raise ValueError(
                f"Unknown parameter: {unknown[0]!r}. Valid names: "
                + ", ".join(map(repr, PARAMETER_NAMES))
            )
        checked = {name: _finite(value, name) for name, value in values.items()}
        for name, value in checked.items():  # all or nothing
            setattr(self, name, value)

    def feedforward(self, x: Sequence[float]) -> float:
        """The network's output o1 for one input x = [weight, height] (shifted).

        Raises
        ------
        ValueError
            Unless x holds exactly two finite numbers.
        """
        return self._feedforward(*_point(x, "x", 2))

    def _feedforward(self, x0: float, x1: float) -> float:
        """feedforward without input checks, for the loss inside ``train``."""
        h1 = _sigmoid(self.w1 * x0 + self.w2 * x1 + self.b1)
        h2 = _sigmoid(self.w3 * x0 + self.w4 * x1 + self.b2)
        return _sigmoid(self.w5 * h1 + self.w6 * h2 + self.b3)

    def backprop(self, x: Sequence[float], y_true: float) -> Backprop:
        """Forward and backward pass for one sample, at the current parameters.

        This is the article's worked example as a function: with only Alice
        (x = [-2, -1], y_true = 1), every weight 1 and every bias 0, it gives
        h1 = 0.0474, y_pred = 0.524, ∂L/∂y_pred = −0.952, ∂y_pred/∂h1 = 0.249,
        ∂h1/∂w1 = −0.0904 and ∂L/∂w1 = 0.0214 (the article's roundings).

        Parameters
        ----------
        x : array_like of shape (2,)
        y_true : float

        Returns
        -------
        Backprop

        Examples
        --------
        >>> net = OurNeuralNetwork()
        >>> net.set_parameters(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
        >>> step = net.backprop([-2, -1], 1)
        >>> round(step.h1, 4), round(step.y_pred, 3), round(step.d_L_d_w1, 4)
        (0.0474, 0.524, 0.0215)
        """
        x0, x1 = _point(x, "x", 2)
        return self._backprop(x0, x1, _finite(y_true, "y_true"))

    def _backprop(self, x0: float, x1: float, y_true: float) -> Backprop:
        """backprop without input checks: the body of every SGD step."""
        w1, w2, w3, w4, w5, w6 = self.w1, self.w2, self.w3, self.w4, self.w5, self.w6
        sum_h1 = w1 * x0 + w2 * x1 + self.b1
        h1 = _sigmoid(sum_h1)
        sum_h2 = w3 * x0 + w4 * x1 + self.b2
        h2 = _sigmoid(sum_h2)
        sum_o1 = w5 * h1 + w6 * h2 + self.b3
        o1 = _sigmoid(sum_o1)
        y_pred = o1

        d_L_d_ypred = -2 * (y_true - y_pred)

        # f'(sum) = f(sum)·(1 − f(sum)), from outputs already computed
        deriv_o1 = o1 * (1 - o1)
        deriv_h1 = h1 * (1 - h1)
        deriv_h2 = h2 * (1 - h2)

        # Neuron o1
        d_ypred_d_w5 = h1 * deriv_o1
        d_ypred_d_w6 = h2 * deriv_o1
        d_ypred_d_b3 = deriv_o1
        d_ypred_d_h1 = w5 * deriv_o1
        d_ypred_d_h2 = w6 * deriv_o1

        # Neuron h1
        d_h1_d_w1 = x0 * deriv_h1
        d_h1_d_w2 = x1 * deriv_h1
        d_h1_d_b1 = deriv_h1

        # Neuron h2
        d_h2_d_w3 = x0 * deriv_h2
        d_h2_d_w4 = x1 * deriv_h2
        d_h2_d_b2 = deriv_h2

        # The chain rule, e.g. ∂L/∂w1 = ∂L/∂y_pred · ∂y_pred/∂h1 · ∂h1/∂w1
        d_L_d_w1 = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1
        d_L_d_w2 = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2
        d_L_d_w3 = d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3
        d_L_d_w4 = d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4
        d_L_d_w5 = d_L_d_ypred * d_ypred_d_w5
        d_L_d_w6 = d_L_d_ypred * d_ypred_d_w6
        d_L_d_b1 = d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1
        d_L_d_b2 = d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2
        d_L_d_b3 = d_L_d_ypred * d_ypred_d_b3

        return Backprop(
            sum_h1, h1, sum_h2, h2, sum_o1, o1, (y_true - y_pred) ** 2,
            d_L_d_ypred,
            d_ypred_d_w5, d_ypred_d_w6, d_ypred_d_b3, d_ypred_d_h1, d_ypred_d_h2,
            d_h1_d_w1, d_h1_d_w2, d_h1_d_b1,
            d_h2_d_w3, d_h2_d_w4, d_h2_d_b2,
            d_L_d_w1, d_L_d_w2, d_L_d_w3, d_L_d_w4, d_L_d_w5, d_L_d_w6,
            d_L_d_b1, d_L_d_b2, d_L_d_b3,
        )  # fmt: skip

    def train(
        self,
        data: Any,
        all_y_trues: Any,
        learn_rate: float = 0.1,
        epochs: int = 1000,
    ) -> list[tuple[int, float]]:
        """Train with stochastic gradient descent, one sample at a time.

        Each epoch visits the samples in the order given (no shuffling). For
        each sample, all nine partial derivatives are taken at the current
        parameters (:meth:`backprop`), then every parameter p is updated,
        p ← p − η · ∂L/∂p. After every 10th epoch the loss over all the data
        is recorded, as the article prints it.

        Parameters
        ----------
        data : array_like of shape (n, 2)
            The inputs, one [weight, height] row per sample (the article shifts
            them by ``SHIFT``).
        all_y_trues : array_like of shape (n,)
            The labels (1 female, 0 male).
        learn_rate : float
            η, a finite number > 0.
        epochs : int
            Passes over the data, at least 1.

        Returns
        -------
        list of (int, float)
            ``(epoch, mse_loss over all samples after that epoch)`` for epochs
            0, 10, 20, … below ``epochs``.

        Raises
        ------
        ValueError
            For data that is not n × 2 finite numbers, labels of another
            length, a learning rate that is not finite and positive, or
            ``epochs`` < 1 (nothing is changed then).

        Examples
        --------
        >>> net = OurNeuralNetwork(seed=2485)
        >>> history = net.train(DATA, ALL_Y_TRUES)
        >>> len(history), history[0][0], history[-1][0]
        (100, 0, 990)
        >>> for epoch, loss in history[:2]:
        ...     print(f"Epoch {epoch} loss: {loss:.3f}")
        Epoch 0 loss: 0.259
        Epoch 10 loss: 0.116
        """
        rows = _matrix(data, "data")
        labels = _vector(all_y_trues, "all_y_trues")
        if labels.size != len(rows):
            raise ValueError(
                "data and all_y_trues must hold the same number of samples. "
                f"Received: {len(rows)} rows in data and {labels.size} values "
                "in all_y_trues"
            )
        learn_rate = _finite(learn_rate, "learn_rate", positive=True)
        epochs = _epochs(epochs)
        samples = [(*row, y) for row, y in zip(rows, labels.tolist(), strict=True)]

        # The step below is the article's train loop, and _backprop's arithmetic
        # line for line and in the same order (so the numbers are identical), on
        # local variables: building the Backprop record and reading nine
        # attributes per sample would cost twice the arithmetic.
        # tests/test_article.py holds the two copies to the same bits. The
        # parameters go back to self for every loss record and when training
        # ends (also by an exception).
        w1, w2, w3, w4, w5, w6 = self.w1, self.w2, self.w3, self.w4, self.w5, self.w6
        b1, b2, b3 = self.b1, self.b2, self.b3
        exp = math.exp
        history = []
        try:
            for epoch in range(epochs):
                for x0, x1, y_true in samples:
                    # --- Do a feedforward (f = sigmoid)
                    sum_h1 = w1 * x0 + w2 * x1 + b1
                    sum_h2 = w3 * x0 + w4 * x1 + b2
                    try:
                        h1 = 1.0 / (1.0 + exp(-sum_h1))
                        h2 = 1.0 / (1.0 + exp(-sum_h2))
                    except OverflowError:  # far left: _sigmoid's careful branch
                        h1, h2 = _sigmoid(sum_h1), _sigmoid(sum_h2)
                    sum_o1 = w5 * h1 + w6 * h2 + b3
                    try:
                        o1 = 1.0 / (1.0 + exp(-sum_o1))
                    except OverflowError:
                        o1 = _sigmoid(sum_o1)
                    y_pred = o1

                    # --- Calculate partial derivatives
                    d_L_d_ypred = -2 * (y_true - y_pred)
                    deriv_o1 = o1 * (1 - o1)
                    deriv_h1 = h1 * (1 - h1)
                    deriv_h2 = h2 * (1 - h2)

                    # Neuron o1
                    d_ypred_d_w5 = h1 * deriv_o1
                    d_ypred_d_w6 = h2 * deriv_o1
                    d_ypred_d_b3 = deriv_o1
                    d_ypred_d_h1 = w5 * deriv_o1
                    d_ypred_d_h2 = w6 * deriv_o1

                    # Neuron h1
                    d_h1_d_w1 = x0 * deriv_h1
                    d_h1_d_w2 = x1 * deriv_h1
                    d_h1_d_b1 = deriv_h1

                    # Neuron h2
                    d_h2_d_w3 = x0 * deriv_h2
                    d_h2_d_w4 = x1 * deriv_h2
                    d_h2_d_b2 = deriv_h2

                    # --- Update weights and biases: p ← p − η · ∂L/∂p
                    # Neuron h1
                    w1 -= learn_rate * (d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1)
                    w2 -= learn_rate * (d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2)
                    b1 -= learn_rate * (d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1)
                    # Neuron h2
                    w3 -= learn_rate * (d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3)
                    w4 -= learn_rate * (d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4)
                    b2 -= learn_rate * (d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2)
                    # Neuron o1
                    w5 -= learn_rate * (d_L_d_ypred * d_ypred_d_w5)
                    w6 -= learn_rate * (d_L_d_ypred * d_ypred_d_w6)
                    b3 -= learn_rate * (d_L_d_ypred * d_ypred_d_b3)

                if epoch % 10 == 0:
                    self.w1, self.w2, self.w3 = w1, w2, w3
                    self.w4, self.w5, self.w6 = w4, w5, w6
                    self.b1, self.b2, self.b3 = b1, b2, b3
                    # mse_loss over all samples, as plain floats (the same sum)
                    total = 0.0
                    for x0, x1, y_true in samples:
                        total += (y_true - self._feedforward(x0, x1)) ** 2
                    history.append((epoch, total / len(samples)))
        finally:
            self.w1, self.w2, self.w3 = w1, w2, w3
            self.w4, self.w5, self.w6 = w4, w5, w6
            self.b1, self.b2, self.b3 = b1, b2, b3
        return history

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v:.4g}" for k, v in self.parameters().items())
        return f"OurNeuralNetwork({values})"


# ------------------------------------------------------------------ input checks
# The library's shared checks live in glassnet._validation; these few are written
# out here so that this module stays one self-contained file. Same message style.


def _finite(value: Any, name: str, *, positive: bool = False) -> float:
    """A finite real number (> 0 when ``positive``) as a float."""
    rule = "a finite number" + (" > 0" if positive else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {rule}. Received: {name}={value!r}")
    number = float(value)
    if not math.isfinite(number) or (positive and number <= 0):
        raise ValueError(f"{name} must be {rule}. Received: {name}={value!r}")
    return number


def _epochs(value: Any) -> int:
    """An integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"epochs must be an integer >= 1. Received: epochs={value!r}")
    if value < 1:
        raise ValueError(f"epochs must be an integer >= 1. Received: epochs={value!r}")
    return int(value)


def _seed(value: Any) -> int:
    """An integer >= 0 (what numpy.random.default_rng accepts)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        kind = ValueError if isinstance(value, numbers.Integral) else TypeError
        raise kind(f"seed must be None or an integer >= 0. Received: seed={value!r}")
    return int(value)


def _array(value: Any, name: str, ndim: int) -> np.ndarray:
    """A non-empty float64 array of ``ndim`` dimensions holding finite numbers."""
    try:
        array = np.asarray(value)
    except ValueError:  # ragged nested lists
        raise ValueError(
            f"{name} must be a rectangular array of numbers. "
            f"Received: {name}={_short(value)}"
        ) from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers. Received: {name}={_short(value)}")
    if array.ndim != ndim or array.size == 0:
        shape = "a non-empty 1-D sequence" if ndim == 1 else "an (n, 2) array, n >= 1"
        raise ValueError(
            f"{name} must be {shape}. Received: {name} with shape {array.shape}"
        )
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(
            f"{name} must hold finite numbers. Received: {name}={_short(value)}"
        )
    return array


def _vector(value: Any, name: str) -> np.ndarray:
    """A non-empty 1-D float64 array of finite numbers."""
    return _array(value, name, 1)


def _matrix(value: Any, name: str) -> list[tuple[float, float]]:
    """An (n, 2) array of finite numbers, as n pairs of floats."""
    array = _array(value, name, 2)
    if array.shape[1] != 2:
        raise ValueError(
            f"{name} must have 2 columns (weight, height). "
            f"Received: {name} with shape {array.shape}"
        )
    return [(x0, x1) for x0, x1 in array.tolist()]


def _point(value: Any, name: str, size: int) -> tuple[float, ...]:
    """Exactly ``size`` finite numbers, as a tuple of floats."""
    array = _array(value, name, 1) if np.ndim(value) == 1 else None
    if array is None or array.size != size:
        raise ValueError(
            f"{name} must hold exactly {size} numbers. Received: {name}={_short(value)}"
        )
    return tuple(array.tolist())


def _short(value: Any, limit: int = 60) -> str:
    """repr(value), cut to ``limit`` characters."""
    text = repr(value.tolist() if isinstance(value, np.ndarray) else value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
