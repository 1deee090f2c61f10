"""Plots of convolutional networks: learned filters and feature maps."""

import numpy as np
import pytest

import glassnet as gn

pytest.importorskip("matplotlib")
from glassnet.plotting import plot_feature_maps, plot_filters  # noqa: E402


def _model(channels=1):
    return gn.Sequential(
        [
            gn.Conv2D(5, 3, activation="relu"),
            gn.MaxPooling2D(),
            gn.Flatten(),
            gn.Dense(2),
        ],
        input_shape=(8, 8, channels),
        seed=0,
        dtype="float64",
    )


def _tile(figure, index, size, columns):
    """Tile ``index`` of the mosaic (``size`` pixels square, one-pixel gaps)."""
    grid = np.ma.filled(figure.axes[0].images[0].get_array(), np.nan)
    r, c = divmod(index, columns)
    step = size + 1
    return grid[r * step : r * step + size, c * step : c * step + size]


def test_filters_are_drawn_as_they_are_stored():
    model = _model()
    figure = plot_filters(model)
    W = model.layers[0].params["W"]
    # 5 filters: a 3-column grid (⌈√5⌉), filter 4 in row 1, column 1
    for f in range(5):
        np.testing.assert_array_equal(_tile(figure, f, 3, 3), W[:, :, 0, f])
    assert "5 filters" in figure.axes[0].get_title()
    # a colour scale centred on 0: the largest weight sets both ends
    low, high = figure.axes[0].images[0].get_clim()
    assert high == -low == pytest.approx(np.abs(W).max())


def test_filters_of_one_channel_or_the_mean_over_channels():
    model = _model(channels=2)
    W = model.layers[0].params["W"]
    one = plot_filters(model, 0, channel=1)
    np.testing.assert_array_equal(_tile(one, 2, 3, 3), W[:, :, 1, 2])
    mean = plot_filters(model.layers[0])
    np.testing.assert_allclose(_tile(mean, 2, 3, 3), W[:, :, :, 2].mean(axis=2))
    assert "mean over 2 input channels" in mean.axes[0].get_title()
    with pytest.raises(ValueError, match=r"channel must be an input channel.*0 to 1"):
        plot_filters(model, channel=2)


def test_feature_maps_are_the_layer_outputs_for_the_image():
    model = _model()
    image = np.random.default_rng(0).random((8, 8))
    figure = plot_feature_maps(model, image, layer=1)
    pooled = model.layers[1](model.layers[0](image.reshape(1, 8, 8, 1)))
    # 5 maps of 3×3 after pooling 6×6
    for f in range(5):
        np.testing.assert_allclose(_tile(figure, f, 3, 3), pooled[0, :, :, f])
    assert "5 feature maps of 3×3" in figure.axes[0].get_title()


def test_draws_into_a_given_axes_and_saves(tmp_path):
    from matplotlib.figure import Figure

    outer = Figure()
    left, right = outer.subplots(1, 2)
    assert plot_filters(_model(), ax=right, path=tmp_path / "f.png") is outer
    assert right.images and not left.images
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"


def test_refuses_layers_that_are_not_what_the_plot_needs():
    model = _model()
    with pytest.raises(ValueError, match=r"needs a built Conv2D layer.*layer 3"):
        plot_filters(model, 3)
    with pytest.raises(ValueError, match=r"not images"):
        plot_feature_maps(model, np.zeros((8, 8)), layer=2)
    with pytest.raises(ValueError, match=r"one image.*\(2, 8, 8, 1\)"):
        plot_feature_maps(model, np.zeros((2, 8, 8, 1)))
    with pytest.raises(ValueError, match=r"index one of the model's 4 layers"):
        plot_filters(model, 7)
