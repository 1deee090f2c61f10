"""Sliding windows over images: the size and padding arithmetic of Conv2D and pooling.

An image axis of length ``size`` seen through windows of length ``k`` moved by
``s`` (Keras' conventions, one axis at a time):

- ``"valid"``: only whole windows, ``out = (size − k) // s + 1``; nothing is padded.
- ``"same"``: ``out = ⌈size / s⌉``, padding ``max((out − 1)·s + k − size, 0)`` in
  total, the smaller half before and the larger half after (an odd amount puts its
  extra element at the bottom or right, as Keras and TensorFlow do; PyTorch's
  ``padding="same"`` is symmetric and refuses strides above 1).

Example
-------
>>> output_length(28, 3, 1, "valid"), output_length(28, 3, 2, "same")
(26, 14)
>>> padding_amounts(28, 3, 2, "same")  # 13·2 + 3 − 28 = 1: none above, one below
(0, 1)
"""

from __future__ import annotations

import math
from typing import Any

from glassnet._validation import check_choice, check_positive_int, describe

__all__ = [
    "PADDINGS",
    "as_pair",
    "check_padding",
    "geometry",
    "offsets",
    "output_length",
    "padding_amounts",
]

PADDINGS = ("valid", "same")


def as_pair(value: Any, name: str) -> tuple[int, int]:
    """An int or a pair of ints (height, width) as a pair of positive ints."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(
                f"{name} must be an int or a pair (height, width). "
                f"Received: {name}={describe(value)}"
            )
        return (
            check_positive_int(value[0], f"{name}[0]"),
            check_positive_int(value[1], f"{name}[1]"),
        )
    number = check_positive_int(value, name)
    return number, number


def check_padding(padding: Any) -> str:
    """``"valid"`` or ``"same"`` (lower case, as Keras), else a ValueError."""
    if isinstance(padding, str):
        padding = padding.lower()
    return check_choice(padding, "padding", PADDINGS)


def output_length(size: int | None, k: int, s: int, padding: str) -> int | None:
    """Number of window positions along an axis of ``size`` (None stays None)."""
    if size is None:
        return None
    if padding == "same":
        return math.ceil(size / s)
    return max((size - k) // s + 1, 0)


def padding_amounts(size: int, k: int, s: int, padding: str) -> tuple[int, int]:
    """Padding (before, after) an axis: none for "valid", Keras' split for "same"."""
    if padding != "same":
        return 0, 0
    total = max((output_length(size, k, s, padding) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def geometry(
    shape: tuple, window: tuple[int, int], strides: tuple[int, int], padding: str
) -> tuple:
    """(out_h, out_w), ((top, bottom), (left, right)) for an (n, h, w, c) shape."""
    (kh, kw), (sh, sw) = window, strides
    out_hw = (
        output_length(shape[1], kh, sh, padding),
        output_length(shape[2], kw, sw, padding),
    )
    pads = (
        padding_amounts(shape[1], kh, sh, padding),
        padding_amounts(shape[2], kw, sw, padding),
    )
    return out_hw, pads


def offsets(
    kernel: tuple[int, int], strides: tuple[int, int], out_hw: tuple[int, int]
) -> list[tuple[int, int, slice, slice]]:
    """``(i, j, rows, cols)`` for each kernel offset: the input pixels it meets.

    ``x[:, rows, cols]`` (of the padded input) is, at every output position at once,
    the pixel that kernel element (i, j) multiplies. Looping over the kh·kw offsets,
    not over samples or positions, keeps every step a large strided NumPy operation.
    """
    (kh, kw), (sh, sw), (oh, ow) = kernel, strides, out_hw
    return [
        (i, j, slice(i, i + sh * (oh - 1) + 1, sh), slice(j, j + sw * (ow - 1) + 1, sw))
        for i in range(kh)
        for j in range(kw)
    ]
