"""Configurable: equality, hash and repr from get_config, shared by three families."""

from __future__ import annotations

import pytest

from glassnet import activations, losses, schedules
from glassnet._registry import Configurable


@pytest.mark.parametrize(
    "base", [activations.ActivationFunction, losses.Loss, schedules.Schedule]
)
def test_every_family_shares_one_base(base):
    assert issubclass(base, Configurable)
    assert "__eq__" not in vars(base) and "__repr__" not in vars(base)


def test_activations_equal_by_class_and_config():
    assert activations.get("relu") == activations.ReLU()
    assert activations.LeakyReLU(0.2) == activations.LeakyReLU(alpha=0.2)
    assert activations.LeakyReLU(0.2) != activations.LeakyReLU(0.3)
    assert activations.ReLU() != activations.Linear()
    assert len({activations.ReLU(), activations.ReLU(), activations.Tanh()}) == 2
    assert repr(activations.LeakyReLU(0.2)) == "LeakyReLU(alpha=0.2)"
    assert repr(activations.ReLU()) == "ReLU()"


def test_losses_equal_by_class_and_config():
    bce = losses.BinaryCrossentropy(from_logits=True)
    assert bce == losses.get("binary_crossentropy_from_logits")
    assert bce != losses.BinaryCrossentropy()
    assert hash(bce) == hash(losses.BinaryCrossentropy(from_logits=True))
    assert repr(losses.MeanSquaredError()) == "MeanSquaredError()"
    assert losses.MeanSquaredError() != activations.Linear()


def test_schedules_equal_by_value_but_unhashable():
    a = schedules.StepDecay(0.1, step_size=2, gamma=0.5)
    assert a == schedules.StepDecay(0.1, 2, 0.5)
    assert a != schedules.StepDecay(0.1, 2, 0.25)
    assert repr(a) == "StepDecay(initial_learning_rate=0.1, step_size=2, gamma=0.5)"
    with pytest.raises(TypeError, match="unhashable"):
        hash(a)
