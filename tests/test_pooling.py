"""Pooling layers: PyTorch agreement (float64, 1e-10), ties, shapes, errors."""

import math

import numpy as np
import pytest

from glassnet.layers import (
    LAYERS,
    AveragePooling2D,
    AvgPool2D,
    GlobalAveragePooling2D,
    MaxPool2D,
    MaxPooling2D,
)


def _keras_same(size, k, s):
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def _torch_pool(torch, kind, x, pool, strides, padding):
    """Max: pad with −inf; average: sum over zero-padded windows / real pixels."""
    functional = torch.nn.functional
    xt = torch.tensor(x).permute(0, 3, 1, 2).contiguous().requires_grad_()
    pads = (0, 0, 0, 0)
    if padding == "same":
        top, bottom = _keras_same(x.shape[1], pool[0], strides[0])
        left, right = _keras_same(x.shape[2], pool[1], strides[1])
        pads = (left, right, top, bottom)
    if kind == "max":
        padded = functional.pad(xt, pads, value=-math.inf)
        y = functional.max_pool2d(padded, pool, strides)
    else:
        sums = functional.avg_pool2d(
            functional.pad(xt, pads), pool, strides, divisor_override=1
        )
        ones = torch.ones((1, 1, *x.shape[1:3]), dtype=torch.float64)
        counts = functional.avg_pool2d(
            functional.pad(ones, pads), pool, strides, divisor_override=1
        )
        y = sums / counts
    return xt, y.permute(0, 2, 3, 1)


# (pool, strides, padding, height, width, channels, batch)
CASES = [
    (2, None, "valid", 8, 8, 3, 7),
    (2, None, "valid", 7, 9, 2, 1),  # odd sizes: the last row/column is dropped
    (3, 2, "valid", 9, 8, 4, 7),  # overlapping windows
    (3, 1, "same", 5, 6, 2, 1),
    (2, None, "same", 7, 7, 3, 7),
    (3, 3, "same", 8, 10, 1, 1),
    ((2, 3), (1, 2), "valid", 6, 7, 16, 7),
    (4, 2, "same", 9, 9, 5, 7),
    (1, 1, "valid", 3, 3, 2, 1),
    (5, 3, "valid", 11, 11, 1, 7),
]


@pytest.mark.parametrize(
    ("pool", "strides", "padding", "height", "width", "channels", "n"), CASES
)
@pytest.mark.parametrize("kind", ["max", "average"])
def test_matches_torch_forward_and_input_gradient(
    kind, pool, strides, padding, height, width, channels, n, torch
):
    cls = MaxPooling2D if kind == "max" else AveragePooling2D
    layer = cls(pool, strides, padding, dtype="float64")
    rng = np.random.default_rng(height * 10 + width)
    x = rng.normal(size=(n, height, width, channels))
    y = layer.forward(x).copy()
    grad_y = rng.normal(size=y.shape)
    grad_x = layer.backward(grad_y)
    xt, yt = _torch_pool(torch, kind, x, layer.pool_size, layer.strides, padding)
    (yt * torch.tensor(grad_y)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        grad_x, xt.grad.permute(0, 2, 3, 1).numpy(), rtol=0, atol=1e-10
    )
    np.testing.assert_allclose(layer(x), y, rtol=0, atol=1e-12)


def test_max_pool_sends_a_tie_to_the_first_maximum_like_torch(torch):
    x = np.array([[3.0, 3.0, 0.0, 1.0], [3.0, 1.0, 1.0, 1.0]]).reshape(1, 2, 4, 1)
    layer = MaxPooling2D(dtype="float64")
    layer.forward(x)
    grad_x = layer.backward(np.array([10.0, 20.0]).reshape(1, 1, 2, 1))
    # window 1: three 3s, the first (0, 0) takes all; window 2: three 1s, (0, 3)
    expected = [[10.0, 0.0, 0.0, 20.0], [0.0, 0.0, 0.0, 0.0]]
    np.testing.assert_array_equal(grad_x[0, :, :, 0], expected)
    xt, yt = _torch_pool(torch, "max", x, (2, 2), (2, 2), "valid")
    (yt * torch.tensor([10.0, 20.0]).reshape(1, 1, 2, 1)).sum().backward()
    np.testing.assert_array_equal(xt.grad[0, 0].numpy(), expected)


def test_average_same_padding_counts_only_real_pixels():
    # 3×3 ones, pool 2, "same": 2×2 outputs; windows at the bottom/right edge hold
    # 2 or 1 real pixels, and all average to 1 (zeros from padding would lower them)
    y = AveragePooling2D(padding="same", dtype="float64")(np.ones((1, 3, 3, 1)))
    np.testing.assert_array_equal(y, np.ones((1, 2, 2, 1)))


def test_global_average_pooling_matches_torch(torch):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(7, 5, 6, 3))
    layer = GlobalAveragePooling2D(dtype="float64")
    y = layer.forward(x).copy()
    grad_y = rng.normal(size=y.shape)
    grad_x = layer.backward(grad_y)
    xt = torch.tensor(x, requires_grad=True)
    yt = xt.mean(dim=(1, 2))
    (yt * torch.tensor(grad_y)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(grad_x, xt.grad.numpy(), rtol=0, atol=1e-12)
    assert layer.output_shape((None, 5, 6, 3)) == (None, 3)


def test_output_shapes_follow_keras():
    assert MaxPooling2D().output_shape((None, 26, 26, 32)) == (None, 13, 13, 32)
    assert MaxPooling2D().output_shape((None, 11, 11, 64)) == (None, 5, 5, 64)
    assert AveragePooling2D(3, 2, "same").output_shape((None, 7, 8, 1)) == (
        None,
        4,
        4,
        1,
    )


def test_aliases_and_config_round_trip():
    assert MaxPool2D is MaxPooling2D and AvgPool2D is AveragePooling2D
    for layer in (MaxPooling2D(3, 1, "same"), AveragePooling2D((2, 3))):
        clone = LAYERS[type(layer).__name__].from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()
        assert repr(clone) == repr(layer)
    assert (
        repr(MaxPooling2D(3, 1, "same")) == "MaxPooling2D(3, strides=1, padding='same')"
    )


def test_refuses_what_cannot_work():
    with pytest.raises(ValueError, match=r"MaxPooling2D\(\) expects 4-D.*\(None, 10\)"):
        MaxPooling2D().output_shape((None, 10))
    with pytest.raises(ValueError, match=r"at least 3×3.*\(None, 2, 5, 1\)"):
        AveragePooling2D(3).output_shape((None, 2, 5, 1))
    with pytest.raises(ValueError, match=r"GlobalAveragePooling2D\(\) expects 4-D"):
        GlobalAveragePooling2D()(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"pool_size must be an integer >= 1"):
        MaxPooling2D(0)
