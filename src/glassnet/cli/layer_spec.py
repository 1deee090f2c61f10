"""``glassnet train --layers``: a network's hidden layers written as one short string.

A comma-separated list of layers, each a name and its numbers split by colons;
``--activation`` (default relu) goes to every ``conv`` and ``dense``, and ``train``
adds the output layer the task needs::

    conv:32:3            Conv2D(32 filters, 3×3), stride 1, "valid"
    conv:64:3:2:same     Conv2D(64, 3×3), stride 2, "same" padding
    pool, pool:3         MaxPooling2D(2), MaxPooling2D(3)
    avgpool[:N]          AveragePooling2D(N, default 2)
    gap                  GlobalAveragePooling2D()
    batchnorm            BatchNormalization()
    flatten              Flatten()
    dropout:0.5          Dropout(0.5)
    dense:128            Dense(128)
    reshape:28:28:1      Reshape((28, 28, 1)): each row as an image
    translate:0.1        RandomTranslation(0.1, 0.1, fill_mode="constant"): in
                         training, every image moved by up to 10 % of its size

``cnn`` is the classic MNIST network, ``conv:32:3,pool,conv:64:3,pool,flatten,
dropout:0.5``, alone or with other layers (``translate:0.1,cnn``). When the first
layer is an image layer and no ``reshape`` comes first, rows of a square number of
values become one-channel square images (784 pixels: 28×28×1), so ``glassnet train
mnist --layers cnn`` just works.

A string rather than a preset name only: the same flag writes the preset and any
variation of it (a wider network for Fashion-MNIST, batch normalization), it is
stored in the model's settings as written, and ``--resume`` compares it like
every other flag.
"""

from __future__ import annotations

import math

PRESETS = {"cnn": "conv:32:3,pool,conv:64:3,pool,flatten,dropout:0.5"}

# name: (number of arguments allowed (min, max), what they are, for messages)
_FORMS = {
    "conv": ((2, 4), "conv:FILTERS:KERNEL[:STRIDE][:same|valid]"),
    "pool": ((0, 1), "pool[:SIZE]"),
    "avgpool": ((0, 1), "avgpool[:SIZE]"),
    "gap": ((0, 0), "gap"),
    "batchnorm": ((0, 0), "batchnorm"),
    "flatten": ((0, 0), "flatten"),
    "dropout": ((1, 1), "dropout:RATE"),
    "dense": ((1, 1), "dense:UNITS"),
    "reshape": ((1, 3), "reshape:H:W:C"),
    "translate": ((1, 1), "translate:FACTOR"),
}
_IMAGE_LAYERS = ("conv", "pool", "avgpool", "gap", "translate")


def _error(text: str, part: str, rule: str) -> ValueError:
    return ValueError(
        f"--layers: {part!r} {rule}. Layers are comma-separated, such as "
        f"{PRESETS['cnn']}; names: {', '.join(_FORMS)} (or the preset 'cnn'). "
        f"Received: --layers={text}"
    )


def _int(text: str, part: str, value: str) -> int:
    if not value.isdecimal() or int(value) < 1:
        raise _error(text, part, f"needs whole numbers >= 1, not {value!r}")
    return int(value)


def parse(text: str) -> list[tuple[str, list]]:
    """The spec as ``[(name, [arguments]), ...]``, checked; presets expanded.

    A preset may stand for some of the layers: ``translate:0.1,cnn``.
    """
    spec = ",".join(PRESETS.get(part.strip(), part) for part in text.split(","))
    layers = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            raise _error(text, part, "is empty (two commas in a row?)")
        name, *args = part.split(":")
        name = name.lower()
        if name not in _FORMS:
            raise _error(text, part, "is not a layer name")
        (low, high), form = _FORMS[name]
        if not low <= len(args) <= high:
            raise _error(text, part, f"is written {form}")
        if (
            name == "conv"
            and len(args) == 4
            or (name == "conv" and len(args) == 3 and not args[2].isdecimal())
        ):
            padding = args.pop().lower()
            if padding not in ("same", "valid"):
                raise _error(text, part, "has padding 'same' or 'valid'")
            args = [*(_int(text, part, a) for a in args), padding]
        elif name in ("dropout", "translate"):
            try:
                number = float(args[0])
            except ValueError:
                number = -1.0
            if name == "dropout" and not 0.0 <= number < 1.0:
                raise _error(text, part, "needs a rate in [0, 1)")
            if name == "translate" and not 0.0 < number <= 1.0:
                raise _error(text, part, "needs a fraction of the image in (0, 1]")
            args = [number]
        else:
            args = [_int(text, part, a) for a in args]
        layers.append((name, args))
    return layers


def build_layers(text: str, n_features: int, activation: str) -> list:
    """The hidden layers ``text`` describes, for rows of ``n_features`` values."""
    from glassnet import layers as L

    spec = parse(text)
    if spec and spec[0][0] in _IMAGE_LAYERS:
        side = math.isqrt(n_features)
        if side * side != n_features:
            raise ValueError(
                f"--layers starts with {spec[0][0]!r}, an image layer, but rows of "
                f"{n_features} values are not square images; start with "
                f"reshape:H:W:C (H·W·C = {n_features}). Received: --layers={text}"
            )
        spec.insert(0, ("reshape", [side, side, 1]))
    made = []
    for name, args in spec:
        if name == "conv":
            filters, kernel, *rest = args
            strides = rest[0] if rest and isinstance(rest[0], int) else 1
            padding = rest[-1] if rest and isinstance(rest[-1], str) else "valid"
            made.append(
                L.Conv2D(filters, kernel, strides, padding, activation=activation)
            )
        elif name == "pool":
            made.append(L.MaxPooling2D(*args))
        elif name == "avgpool":
            made.append(L.AveragePooling2D(*args))
        elif name == "gap":
            made.append(L.GlobalAveragePooling2D())
        elif name == "batchnorm":
            made.append(L.BatchNormalization())
        elif name == "flatten":
            made.append(L.Flatten())
        elif name == "dropout":
            made.append(L.Dropout(args[0]))
        elif name == "dense":
            made.append(L.Dense(args[0], activation=activation))
        elif name == "translate":  # MNIST's black border: fill with black
            made.append(L.RandomTranslation(args[0], args[0], fill_mode="constant"))
        else:
            made.append(L.Reshape(tuple(args)))
    return made


def has_image_layers(text: str | None) -> bool:
    """Whether a spec (None: no spec) holds convolution or pooling layers."""
    return text is not None and any(name in _IMAGE_LAYERS for name, _ in parse(text))
