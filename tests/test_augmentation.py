"""RandomTranslation: the shifts it draws, the pixels it moves, the gradient it sends.

The reference for the forward is NumPy's own ``np.pad`` (each Keras fill mode is one
of its modes) followed by a slice per image, written here independently of the
layer's flat gather; the backward is checked by the adjoint identity
⟨T x, g⟩ = ⟨x, Tᵀ g⟩, which holds for the exact gradient of a linear map and for
nothing else.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.layers import RandomTranslation

MODES = {
    "reflect": "symmetric",
    "wrap": "wrap",
    "nearest": "edge",
    "constant": "constant",
}


def _by_pad(x, shifts, mode, fill_value):
    """Image k moved by shifts[k] = (dy, dx), via np.pad and one slice per image."""
    n, h, w, _ = x.shape
    pad_h, pad_w = int(np.abs(shifts[:, 0]).max()), int(np.abs(shifts[:, 1]).max())
    out = np.empty_like(x)
    for k in range(n):
        widths = ((pad_h, pad_h), (pad_w, pad_w), (0, 0))
        if mode == "constant":
            padded = np.pad(x[k], widths, constant_values=fill_value)
        else:
            padded = np.pad(x[k], widths, mode=MODES[mode])
        dy, dx = shifts[k]
        out[k] = padded[pad_h - dy : pad_h - dy + h, pad_w - dx : pad_w - dx + w]
    return out


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize(("h", "w", "c"), [(7, 6, 1), (5, 9, 3)])
def test_each_image_is_its_input_shifted_as_np_pad_fills(mode, h, w, c):
    rng = np.random.default_rng(h * w + c)
    x = rng.normal(size=(40, h, w, c))
    layer = RandomTranslation(0.6, (-0.5, 0.3), fill_mode=mode, fill_value=-7.5,
                              seed=3, dtype="float64")  # fmt: skip
    y = layer.forward(x)
    assert y.shape == x.shape and y.dtype == np.float64
    assert layer.shifts.shape == (40, 2)
    np.testing.assert_array_equal(y, _by_pad(x, layer.shifts, mode, -7.5))


def test_the_shifts_are_every_whole_pixel_in_the_range_and_nothing_else():
    layer = RandomTranslation(0.1, (-0.25, -0.1), seed=0)
    layer.forward(np.zeros((4000, 28, 20, 1)))
    dy, dx = layer.shifts.T
    # 0.1·28 = 2.8 → −2…2; [−0.25, −0.1]·20 = [−5, −2] → −5…−2 (ends included)
    assert sorted(set(dy.tolist())) == [-2, -1, 0, 1, 2]
    assert sorted(set(dx.tolist())) == [-5, -4, -3, -2]
    counts = np.bincount(dy + 2)  # uniform: each of 5 values near 800 of 4000
    assert counts.min() > 650 and counts.max() < 950
    assert np.corrcoef(dy, dx)[0, 1] ** 2 < 0.01  # drawn independently


def test_a_zero_factor_leaves_every_image_as_it_was():
    x = np.random.default_rng(0).normal(size=(5, 4, 4, 2)).astype(np.float32)
    y = RandomTranslation(0.0, 0.0, seed=0).forward(x)
    np.testing.assert_array_equal(y, x)


def test_predict_is_the_identity_and_caches_nothing():
    x = np.random.default_rng(0).normal(size=(3, 5, 5, 1)).astype(np.float32)
    layer = RandomTranslation(0.5, 0.5, seed=0)
    np.testing.assert_array_equal(layer(x), x)
    assert layer.shifts is None and layer.outputs is None
    model = gn.Sequential(
        [RandomTranslation(0.5, 0.5), gn.Flatten(), gn.Dense(2)],
        input_shape=(5, 5, 1), seed=0,
    )  # fmt: skip
    bare = gn.Sequential([gn.Flatten(), gn.Dense(2)], input_shape=(5, 5, 1), seed=0)
    bare.set_weights(model.get_weights())
    np.testing.assert_array_equal(model.predict(x), bare.predict(x))


@pytest.mark.parametrize("mode", sorted(MODES))
def test_backward_is_the_adjoint_of_the_forward(mode):
    rng = np.random.default_rng(1)
    x, g = rng.normal(size=(2, 30, 6, 5, 2))
    layer = RandomTranslation(0.8, 0.8, fill_mode=mode, seed=1, dtype="float64")
    y = layer.forward(x)
    dx = layer.backward(g)
    # ⟨T x, g⟩ = ⟨x, Tᵀ g⟩ for the linear map T (fill 0); a fill value adds a
    # constant, which changes no gradient
    assert np.vdot(y, g) == pytest.approx(np.vdot(x, dx), rel=1e-12)
    # and pixel by pixel: dL/dx is the number of outputs each input pixel became
    # (a reflected border is read twice), weighted by their gradients; with g = 1
    counts = layer.backward(np.ones_like(g))
    reads = np.zeros(x.size)
    for k in range(x.shape[0]):  # the same shifts through the np.pad reference
        index = np.arange(x.size, dtype=np.float64).reshape(x.shape)
        moved = _by_pad(index[k : k + 1], layer.shifts[k : k + 1], mode, -1.0)
        np.add.at(reads, moved[moved >= 0].astype(np.int64), 1.0)
    np.testing.assert_array_equal(counts.reshape(-1), reads)


def test_same_seed_same_shifts_and_a_saved_model_continues_the_stream(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.random((64, 8, 8, 1)).astype(np.float32), rng.integers(0, 2, 64)

    def model():
        net = gn.Sequential(
            [RandomTranslation(0.25, 0.25, fill_mode="constant"),
             gn.Conv2D(2, 3, activation="relu"), gn.Flatten(), gn.Dense(2)],
            input_shape=(8, 8, 1), seed=5,
        )  # fmt: skip
        net.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
        return net

    a, b = model(), model()
    a.fit(X, y, epochs=1, batch_size=16, verbose=0)
    b.fit(X, y, epochs=1, batch_size=16, verbose=0)
    np.testing.assert_array_equal(a.layers[0].shifts, b.layers[0].shifts)
    a.save(tmp_path / "a.npz")
    c = gn.load(tmp_path / "a.npz")
    a.fit(X, y, epochs=1, batch_size=16, verbose=0)
    c.fit(X, y, epochs=1, batch_size=16, verbose=0)
    np.testing.assert_array_equal(c.layers[0].shifts, a.layers[0].shifts)
    for wa, wc in zip(a.get_weights(), c.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wc)


def test_onnx_export_is_the_identity(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    x = np.random.default_rng(0).random((3, 6, 6, 1)).astype(np.float32)
    model = gn.Sequential(
        [RandomTranslation(0.3, 0.3), gn.Conv2D(2, 3), gn.Flatten(), gn.Dense(2)],
        input_shape=(6, 6, 1), seed=0,
    )  # fmt: skip
    gn.onnx.export(model, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    name = session.get_inputs()[0].name
    (got,) = session.run(None, {name: x})
    np.testing.assert_allclose(got, model.predict(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"height_factor": 1.5, "width_factor": 0.1}, ValueError,
         "height_factor must be a finite number >= 0 and <= 1. "
         "Received: height_factor=1.5"),
        ({"height_factor": 0.1, "width_factor": (0.2, -0.2)}, ValueError,
         "width_factor must be (lower, upper) with lower <= upper. "
         "Received: width_factor=(0.2, -0.2)"),
        ({"height_factor": 0.1, "width_factor": (0.1,)}, ValueError,
         "width_factor must be a number or a pair (lower, upper)"),
        ({"height_factor": "0.1", "width_factor": 0.1}, TypeError,
         "height_factor must be a number in [0, 1] or a pair"),
        ({"height_factor": 0.1, "width_factor": 0.1, "fill_mode": "mirror"},
         ValueError, "fill_mode must be one of 'reflect', 'wrap', 'nearest', "
         "'constant'. Received: fill_mode='mirror'"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_by_name(kwargs, error, message):
    with pytest.raises(error) as caught:
        RandomTranslation(**kwargs)
    assert message in str(caught.value)


def test_a_range_without_a_whole_pixel_is_refused_naming_it():
    layer = RandomTranslation((0.3, 0.35), 0.1)
    with pytest.raises(ValueError) as caught:
        layer.forward(np.zeros((1, 2, 8, 1)))
    assert "height_factor (0.3, 0.35) allows no whole-pixel shift on an axis of 2 " in (
        str(caught.value)
    )


def test_flat_rows_are_refused_with_the_shape_received():
    with pytest.raises(
        ValueError, match=r"expects 4-D input .* input shape \(None, 784\)"
    ):
        gn.Sequential([RandomTranslation(0.1, 0.1), gn.Dense(2)], input_shape=(784,))
    with pytest.raises(ValueError, match=r"input shape \(None, 3\)"):
        RandomTranslation(0.1, 0.1).forward(np.zeros((2, 3)))


def test_repr_and_config_round_trip():
    layer = RandomTranslation((-0.2, 0.1), 0.3, fill_mode="constant", fill_value=1.0)
    assert repr(layer) == (
        "RandomTranslation((-0.2, 0.1), 0.3, fill_mode='constant', fill_value=1)"
    )
    clone = gn.layers.LAYERS["RandomTranslation"].from_config(layer.get_config())
    assert clone.get_config() == layer.get_config() and repr(clone) == repr(layer)
