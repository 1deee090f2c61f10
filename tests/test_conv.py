"""Conv2D: PyTorch agreement (float64, 1e-10), hand-worked pixels, shapes, errors."""

import math

import numpy as np
import pytest

from glassnet.layers import LAYERS, Conv2D
from glassnet.layers import conv as conv_module


def _keras_same(size, k, s):
    """Keras/TensorFlow "same": ⌈size/s⌉ outputs, the odd pad element after."""
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def _torch_conv(torch, x, W, b, strides, padding, activation):
    """The reference: explicit (asymmetric) zero padding, then conv2d in NCHW."""
    functional = torch.nn.functional
    xt = torch.tensor(x).permute(0, 3, 1, 2).contiguous().requires_grad_()
    Wt = torch.tensor(W).requires_grad_()
    bt = None if b is None else torch.tensor(b).requires_grad_()
    inp = xt
    if padding == "same":
        top, bottom = _keras_same(x.shape[1], W.shape[0], strides[0])
        left, right = _keras_same(x.shape[2], W.shape[1], strides[1])
        inp = functional.pad(xt, (left, right, top, bottom))
    y = functional.conv2d(inp, Wt.permute(3, 2, 0, 1), bt, stride=strides)
    if activation == "relu":
        y = torch.relu(y)
    return xt, Wt, bt, y.permute(0, 2, 3, 1)


# (kernel, strides, padding, height, width, in_channels, filters, batch):
# kernel sizes 1-5 odd and even, strides 1-3, both paddings, odd and even
# images, 1-16 channels, batches 1 and 7; a grid, not every combination
CASES = [
    (1, 1, "valid", 5, 5, 1, 1, 1),
    (1, 2, "same", 5, 6, 3, 2, 7),
    (2, 1, "same", 6, 7, 3, 4, 7),
    (2, 2, "valid", 8, 8, 16, 16, 1),
    (3, 1, "valid", 7, 7, 1, 8, 7),
    (3, 1, "same", 5, 5, 1, 4, 7),
    (3, 2, "same", 8, 8, 2, 3, 1),
    (3, 2, "same", 7, 9, 4, 2, 7),
    (3, 3, "valid", 10, 11, 2, 5, 7),
    (4, 3, "same", 9, 10, 16, 5, 1),
    (4, 2, "valid", 10, 9, 3, 16, 7),
    (4, 1, "same", 6, 5, 2, 3, 7),
    (5, 1, "same", 6, 6, 2, 2, 7),
    (5, 3, "valid", 11, 12, 5, 3, 1),
    (5, 2, "same", 5, 8, 1, 6, 7),
    ((2, 3), (1, 2), "same", 5, 8, 3, 2, 7),
    ((3, 1), (2, 1), "valid", 7, 4, 4, 3, 1),
]


@pytest.mark.parametrize(
    ("kernel", "strides", "padding", "height", "width", "channels", "filters", "n"),
    CASES,
)
@pytest.mark.parametrize(("activation", "use_bias"), [("relu", True), (None, False)])
@pytest.mark.parametrize("pieces", ["whole batch", "image by image"])
def test_matches_torch_forward_input_and_parameter_gradients(
    pieces,
    monkeypatch,
    kernel,
    strides,
    padding,
    height,
    width,
    channels,
    filters,
    n,
    activation,
    use_bias,
    torch,
):
    if pieces == "image by image":  # backward's pieces: one image each
        monkeypatch.setattr(conv_module, "_BACKWARD_BYTES", 1)
    rng = np.random.default_rng(height * 100 + width * 10 + channels)
    layer = Conv2D(
        filters,
        kernel,
        strides=strides,
        padding=padding,
        activation=activation,
        use_bias=use_bias,
        dtype="float64",
    )
    x = rng.normal(size=(n, height, width, channels))
    y = layer.forward(x)
    kh, kw = layer.kernel_size
    assert layer.params["W"].shape == (kh, kw, channels, filters)
    layer.params["W"][...] = rng.normal(size=layer.params["W"].shape)
    b = None
    if use_bias:
        layer.params["b"][...] = rng.normal(size=filters)
        b = layer.params["b"]
    y = layer.forward(x).copy()
    grad_y = rng.normal(size=y.shape)
    grad_x = layer.backward(grad_y)

    xt, Wt, bt, yt = _torch_conv(
        torch, x, layer.params["W"], b, layer.strides, padding, activation
    )
    (yt * torch.tensor(grad_y)).sum().backward()
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(
        grad_x, xt.grad.permute(0, 2, 3, 1).numpy(), rtol=0, atol=1e-10
    )
    np.testing.assert_allclose(layer.grads["W"], Wt.grad.numpy(), rtol=0, atol=1e-10)
    if use_bias:
        np.testing.assert_allclose(layer.grads["b"], bt.grad.numpy(), atol=1e-10)
    # the predict path (sliced, uncached) computes the same numbers
    np.testing.assert_allclose(layer(x), y, rtol=0, atol=1e-12)


def test_one_output_pixel_by_hand():
    layer = Conv2D(1, 2, dtype="float64", use_bias=True)
    x = np.arange(9.0).reshape(1, 3, 3, 1)  # 0 1 2 / 3 4 5 / 6 7 8
    layer(x)
    layer.params["W"][:, :, 0, 0] = [[1.0, 2.0], [3.0, 4.0]]
    layer.params["b"][:] = -1.0
    y = layer(x)[0, :, :, 0]
    # pixel (1, 0) sees [[3, 4], [6, 7]]: 3·1 + 4·2 + 6·3 + 7·4 − 1 = 56
    assert y[1, 0] == 56.0
    # pixel (0, 1) sees [[1, 2], [4, 5]]: 1 + 4 + 12 + 20 − 1 = 36
    assert y[0, 1] == 36.0


def test_same_padding_puts_the_odd_row_and_column_after():
    # 4×4 ones, 3×3 ones kernel, stride 2, "same": 2×2 outputs, 1 pad in total per
    # axis, all of it after. Pixel (0, 0) covers rows/cols 0-2 (9 real ones);
    # pixel (1, 1) covers rows/cols 2-4, where 4 is padding: 2·2 = 4 ones.
    layer = Conv2D(1, 3, strides=2, padding="same", use_bias=False, dtype="float64")
    x = np.ones((1, 4, 4, 1))
    layer(x)
    layer.params["W"][...] = 1.0
    y = layer(x)[0, :, :, 0]
    np.testing.assert_array_equal(y, [[9.0, 6.0], [6.0, 4.0]])


def test_output_shape_keras_rules():
    assert Conv2D(32, 3).output_shape((None, 28, 28, 1)) == (None, 26, 26, 32)
    assert Conv2D(8, 3, strides=2, padding="same").output_shape((None, 7, 8, 3)) == (
        None,
        4,
        4,
        8,
    )
    assert Conv2D(4, (2, 5), strides=(1, 3)).output_shape((None, 6, 11, 2)) == (
        None,
        5,
        3,
        4,
    )


def test_glorot_fans_follow_keras():
    # fan_in = 3·3·4 = 36, fan_out = 3·3·50 = 450: limit √(6/486) ≈ 0.111; a Dense-
    # style (36, 50) draw would allow √(6/86) ≈ 0.264
    layer = Conv2D(50, 3, dtype="float64")
    layer(np.zeros((1, 5, 5, 4)))
    W = layer.params["W"]
    limit = math.sqrt(6 / (36 + 450))
    assert np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.9 * limit  # 1800 draws fill the range


def test_a_kernel_keeps_the_full_draw_when_it_is_small():
    # W is the first `filters` columns of the (fan_in, fan_out) Glorot draw, so a
    # seed gives the weights it always gave
    from glassnet import initializers

    layer = Conv2D(8, 3, seed=4, dtype="float64")
    layer(np.zeros((1, 5, 5, 2)))
    full = initializers.glorot_uniform(18, 72, np.random.default_rng(4))
    np.testing.assert_array_equal(layer.params["W"].reshape(18, 8), full[:, :8])


def test_a_large_kernel_draws_only_its_weights():
    # 64×64 from 1 channel to 2 filters: fan_in 4,096, fan_out 8,192; the full
    # draw would be 33.5 million values (268 MB) for 8,192 weights
    import tracemalloc

    layer = Conv2D(2, 64, seed=0, dtype="float64")
    tracemalloc.start()
    try:
        layer.build(np.random.default_rng(0), "float64", (None, 64, 64, 1))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20
    W = layer.params["W"]
    limit = math.sqrt(6 / (4096 + 8192))  # Keras' fans, kernel offsets counted
    assert W.shape == (64, 64, 1, 2)
    assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit
    assert np.var(W) == pytest.approx(limit**2 / 3, rel=0.05)


def test_backward_of_a_first_layer_can_skip_the_input_gradient():
    layer = Conv2D(2, 3, dtype="float64")
    layer.forward(np.ones((2, 5, 5, 1)))
    assert layer.backward(np.ones((2, 3, 3, 2)), need_input_grad=False) is None
    # each of 2 samples × 9 pixels adds the window (all ones) to dL/dW
    np.testing.assert_array_equal(layer.grads["W"], np.full((3, 3, 1, 2), 18.0))
    np.testing.assert_array_equal(layer.grads["b"], [18.0, 18.0])


def test_refuses_flat_input_naming_the_layer_and_shapes():
    layer = Conv2D(4, 3)
    with pytest.raises(ValueError, match=r"Conv2D\(4, 3\) expects 4-D input.*784"):
        layer.forward(np.zeros((2, 784)))
    with pytest.raises(ValueError, match=r"Conv2D\(4, 3\) expects 4-D.*\(None, 784\)"):
        layer.output_shape((None, 784))


def test_refuses_a_kernel_larger_than_a_valid_input():
    with pytest.raises(ValueError, match=r"at least 5×5 .*Received: input shape"):
        Conv2D(2, 5).output_shape((None, 4, 9, 1))
    # "same" pads: fine
    assert Conv2D(2, 5, padding="same").output_shape((None, 4, 9, 1)) == (
        None,
        4,
        9,
        2,
    )


def test_refuses_a_channel_count_that_changes_between_calls():
    layer = Conv2D(2, 3)
    layer(np.zeros((1, 5, 5, 3)))
    with pytest.raises(
        ValueError, match=r"built for 3 input channels.*\(None, 5, 5, 1\)"
    ):
        layer(np.zeros((1, 5, 5, 1)))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"filters": 0, "kernel_size": 3}, r"filters must be an integer >= 1"),
        ({"filters": 2, "kernel_size": (3, 3, 3)}, r"kernel_size must be an int or"),
        ({"filters": 2, "kernel_size": 3, "strides": 0}, r"strides must be"),
        ({"filters": 2, "kernel_size": 3, "padding": "full"}, r"padding must be one"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Conv2D(**kwargs)


def test_config_round_trip_and_registry():
    layer = Conv2D(
        6, (3, 2), strides=2, padding="same", activation="relu", use_bias=False, l2=0.1
    )
    config = layer.get_config()
    clone = LAYERS["Conv2D"].from_config(config)
    assert clone.get_config() == config
    assert repr(clone) == (
        "Conv2D(6, (3, 2), strides=2, padding='same', activation='relu', "
        "use_bias=False, l2=0.1)"
    )


def test_l2_adds_its_gradient():
    layer = Conv2D(2, 2, l2=0.5, use_bias=False, dtype="float64")
    x = np.random.default_rng(0).normal(size=(1, 3, 3, 1))
    layer.forward(x)
    W = layer.params["W"]
    assert layer.regularization_loss() == pytest.approx(0.5 * float((W**2).sum()))
    layer.backward(np.zeros((1, 2, 2, 2)))
    np.testing.assert_allclose(layer.grads["W"], 2 * 0.5 * W)


def test_float32_stays_float32():
    layer = Conv2D(3, 3, activation="relu")
    x = np.random.default_rng(0).normal(size=(2, 6, 6, 2)).astype(np.float32)
    assert layer.forward(x).dtype == np.float32
    assert layer.backward(np.ones((2, 4, 4, 3), np.float32)).dtype == np.float32
    assert layer(x).dtype == np.float32
