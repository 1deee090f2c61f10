"""Convolutional networks in Sequential: shapes, summary, files, gradients, errors."""

import numpy as np
import pytest

import glassnet as gn


def _mnist_like(**kwargs):
    return gn.Sequential(
        [
            gn.Conv2D(4, 3, activation="relu"),
            gn.MaxPooling2D(),
            gn.Conv2D(6, 3, activation="relu"),
            gn.MaxPooling2D(),
            gn.Flatten(),
            gn.Dropout(0.5),
            gn.Dense(3),
        ],
        **kwargs,
    )


def test_shapes_flow_and_summary_lists_every_layer():
    model = _mnist_like(input_shape=(28, 28, 1), seed=0)
    text = model.summary()
    # 28 −3+1 = 26 → 13 → 11 → 5; 5·5·6 = 150 features
    for shape in ("(None, 26, 26, 4)", "(None, 13, 13, 4)", "(None, 11, 11, 6)"):
        assert shape in text
    assert "(None, 150)" in text
    assert model.layers[0].params["W"].shape == (3, 3, 1, 4)
    assert model.layers[2].params["W"].shape == (3, 3, 4, 6)
    # (3·3·1·4 + 4) + (3·3·4·6 + 6) + (150·3 + 3) = 40 + 222 + 453
    assert "Total params: 715" in text


def test_fit_predict_evaluate_and_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.random((40, 12, 12, 1), dtype=np.float32)
    y = rng.integers(0, 3, 40)
    model = gn.Sequential(
        [
            gn.Conv2D(3, 3, padding="same", activation="relu"),
            gn.BatchNormalization(),
            gn.AveragePooling2D(),
            gn.Conv2D(4, 2, strides=2),
            gn.MaxPool2D(),
            gn.GlobalAveragePooling2D(),
            gn.Dense(3),
        ],
        seed=1,
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(X, y, epochs=2, batch_size=16, verbose=0)
    moving = model.layers[1].state["moving_mean"].copy()
    assert np.any(moving != 0)  # training moved the statistics
    path = tmp_path / "cnn.npz"
    model.save(path)
    loaded = gn.load(path)
    np.testing.assert_array_equal(loaded.layers[1].state["moving_mean"], moving)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert [type(a).__name__ for a in loaded.layers] == [
        type(a).__name__ for a in model.layers
    ]
    assert loaded.evaluate(X, y)["loss"] == pytest.approx(model.evaluate(X, y)["loss"])


@pytest.mark.parametrize(
    "layers",
    [
        [gn.Conv2D(2, 3, activation="tanh"), gn.MaxPooling2D(), gn.Flatten()],
        [
            gn.Conv2D(2, 2, strides=2, padding="same", activation="sigmoid"),
            gn.AveragePooling2D(padding="same"),
            gn.Conv2D(3, (1, 2)),
            gn.GlobalAveragePooling2D(),
        ],
        [
            # no bias before batch normalization: it would cancel, ∂L/∂b = 0
            gn.Conv2D(3, 3, padding="same", use_bias=False),
            gn.BatchNormalization(),
            gn.Flatten(),
        ],
    ],
    ids=["conv-maxpool", "strided-same-avg-global", "batchnorm"],
)
def test_gradcheck_passes_on_small_cnns(layers):
    rng = np.random.default_rng(0)
    model = gn.Sequential([*layers, gn.Dense(3)], seed=0, dtype="float64")
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    X = rng.normal(size=(4, 7, 6, 2))
    y = rng.integers(0, 3, 4)
    assert gn.gradcheck(model, X, y) < 1e-6


def test_flat_rows_are_refused_before_training_naming_the_layer():
    with pytest.raises(ValueError, match=r"Conv2D\(4, 3.*expects 4-D.*\(None, 784\)"):
        _mnist_like(input_shape=(784,))


def test_a_kernel_larger_than_the_image_is_refused_at_build():
    model = gn.Sequential([gn.Conv2D(2, 5), gn.Flatten(), gn.Dense(1)])
    with pytest.raises(ValueError, match=r"at least 5×5.*\(None, 4, 4, 1\)"):
        model.build((None, 4, 4, 1))


def test_a_channel_count_unlike_the_built_one_is_refused():
    model = _mnist_like(input_shape=(28, 28, 1), seed=0)
    with pytest.raises(ValueError, match=r"28, 28, 3"):
        model.predict(np.zeros((2, 28, 28, 3), np.float32))


def test_predict_passes_keep_a_cnns_activations_small():
    # predict and evaluate go through a CNN in passes whose largest layer output
    # stays near 8 MB: 2,000 MNIST-sized images in one pass would hold a 173 MB
    # first-convolution output (and page-fault through it on every call)
    import tracemalloc

    model = gn.Sequential(
        [gn.Conv2D(32, 3, activation="relu"), gn.MaxPooling2D(), gn.Flatten()],
        input_shape=(28, 28, 1),
        seed=0,
    )
    X = np.random.default_rng(0).random((2000, 28, 28, 1), dtype=np.float32)
    tracemalloc.start()
    try:
        out = model.predict(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    result_bytes = out.nbytes  # 2000 × 13·13·32 floats: 43 MB, returned
    assert peak < result_bytes + 40e6, f"peak {peak / 1e6:.0f} MB"
    # the passes change no number: image by image gives the same outputs
    for i in (0, 1234, 1999):
        np.testing.assert_allclose(out[i], model.predict(X[i]), rtol=1e-6, atol=1e-7)
