"""Layers: Dense, Dropout, Activation, Flatten and Reshape, all of one small shape.

A layer holds its parameters in ``params`` and their gradients in ``grads`` (dicts
with the same keys), caches what backward needs during a training ``forward``, and
overwrites ``grads`` in ``backward`` (never accumulates, so there is no
``zero_grad``)::

    y = layer.forward(x)              # training forward: caches layer.inputs/outputs
    dx = layer.backward(dy)           # fills layer.grads, returns dL/dx
    y = layer(x)                      # predict path: caches nothing
    for param, grad in layer.parameters(): ...

Speed without losing the glass box: a training ``forward`` writes into buffers the
layer owns, one set per input shape (the last, smaller batch of an epoch gets its
own), so an epoch allocates nothing after its first batch. The array returned by
``forward``/``backward`` is such a buffer and is overwritten by the next call with
the same shape; ``copy()`` it to keep it. ``params`` and ``grads`` are the same array
objects for the life of the layer (optimizers keep state parallel to them).

Example
-------
>>> import numpy as np
>>> from glassnet.layers import Dense
>>> layer = Dense(3, 2, activation="relu", seed=0)
>>> layer
Dense(3, 2, activation='relu')
>>> layer.forward(np.ones((4, 3))).shape
(4, 2)
>>> layer.backward(np.ones((4, 2))).shape
(4, 3)
>>> layer.grads["W"].shape, layer.grads["b"].shape
((3, 2), (2,))
"""

from __future__ import annotations

from glassnet.layers.activation import Activation
from glassnet.layers.augmentation import RandomTranslation
from glassnet.layers.base import Layer
from glassnet.layers.conv import Conv2D
from glassnet.layers.dense import Dense
from glassnet.layers.dropout import Dropout
from glassnet.layers.normalization import BatchNormalization
from glassnet.layers.pooling import (
    AveragePooling2D,
    AvgPool2D,
    GlobalAveragePooling2D,
    MaxPool2D,
    MaxPooling2D,
)
from glassnet.layers.reshape import Flatten, Reshape

__all__ = [
    "LAYERS",
    "Activation",
    "AveragePooling2D",
    "AvgPool2D",
    "BatchNormalization",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "GlobalAveragePooling2D",
    "Layer",
    "MaxPool2D",
    "MaxPooling2D",
    "RandomTranslation",
    "Reshape",
]


LAYERS: dict[str, type[Layer]] = {
    "Dense": Dense,
    "Dropout": Dropout,
    "Activation": Activation,
    "Flatten": Flatten,
    "Reshape": Reshape,
    "Conv2D": Conv2D,
    "MaxPooling2D": MaxPooling2D,
    "AveragePooling2D": AveragePooling2D,
    "GlobalAveragePooling2D": GlobalAveragePooling2D,
    "BatchNormalization": BatchNormalization,
    "RandomTranslation": RandomTranslation,
}
"""Layer classes by name, as serialization stores them (``{"class": "Dense", ...}``)."""
