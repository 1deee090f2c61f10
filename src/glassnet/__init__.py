"""glassnet: a neural-network library you can see through.

Start with :mod:`glassnet.article`, Victor Zhou's "Introduction to Neural Networks"
written as a module, then build any size of network with the same maths::

    import glassnet as gn
    model = gn.Sequential([gn.Dense(2, 2, activation="sigmoid"),
                           gn.Dense(2, 1, activation="sigmoid")], seed=0)

Submodules and public names load on first use (PEP 562), so ``import glassnet``
costs almost nothing beyond NumPy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_NAMES = {
    "Sequential": "network",
    "Layer": "layers",
    "Dense": "layers",
    "Dropout": "layers",
    "Activation": "layers",
    "Flatten": "layers",
    "Reshape": "layers",
    "Conv2D": "layers",
    "MaxPooling2D": "layers",
    "AveragePooling2D": "layers",
    "GlobalAveragePooling2D": "layers",
    "BatchNormalization": "layers",
    "MaxPool2D": "layers",
    "AvgPool2D": "layers",
    "RandomTranslation": "layers",
    "History": "callbacks",
    "EarlyStopping": "callbacks",
    "ProgressBar": "callbacks",
    "ReduceLROnPlateau": "callbacks",
    "ModelCheckpoint": "callbacks",
    "LambdaCallback": "callbacks",
    "Callback": "callbacks",
    "gradcheck": "finitediff",
    "save": "serialization",
    "load": "serialization",
}
_SUBMODULES = {
    "activations",
    "article",
    "callbacks",
    "dask",
    "data",
    "datasets",
    "errors",
    "finitediff",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "network",
    "onnx",
    "optimizers",
    "plotting",
    "schedules",
    "serialization",
    "sklearn",
}

__all__ = sorted([*_NAMES, *_SUBMODULES, "__version__"])

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from glassnet import (  # noqa: F401
        activations,
        article,
        callbacks,
        data,
        datasets,
        initializers,
        layers,
        losses,
        metrics,
        network,
        optimizers,
        schedules,
        serialization,
    )
    from glassnet.callbacks import (  # noqa: F401
        EarlyStopping,
        History,
        ModelCheckpoint,
        ProgressBar,
        ReduceLROnPlateau,
    )
    from glassnet.finitediff import gradcheck  # noqa: F401
    from glassnet.layers import (  # noqa: F401
        Activation,
        AveragePooling2D,
        AvgPool2D,
        BatchNormalization,
        Conv2D,
        Dense,
        Dropout,
        Flatten,
        GlobalAveragePooling2D,
        Layer,
        MaxPool2D,
        MaxPooling2D,
        RandomTranslation,
        Reshape,
    )
    from glassnet.network import Sequential  # noqa: F401
    from glassnet.serialization import load, save  # noqa: F401


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        value = getattr(importlib.import_module(f"glassnet.{_NAMES[name]}"), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"glassnet.{name}")
    else:
        raise AttributeError(f"module 'glassnet' has no attribute {name!r}")
    globals()[name] = value  # cache: the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return __all__
