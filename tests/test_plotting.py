"""glassnet.plotting: decision boundaries and network drawings.

The pictures are checked by their pixels against what hand-set weights must
give (a boundary at x1 = 0, a weight's sign as its colour), not by comparing
with an earlier rendering. plot_loss is tested in test_demo.py.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import glassnet as gn
from glassnet.article import OurNeuralNetwork
from glassnet.errors import OptionalDependencyError
from glassnet.plotting import plot_decision_boundary, plot_network

pytest.importorskip("matplotlib")

CORNERS = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])


def _pixels(path):
    from matplotlib.image import imread

    return imread(path)[..., :3]  # RGB floats in [0, 1]


def _binary_model(sign):
    # P(class 1) = σ(10·sign·x1): the boundary is the line x1 = 0
    model = gn.Sequential([gn.Dense(2, 1, activation="sigmoid")], dtype="float64")
    model.set_weights([[[10.0 * sign], [0.0]], [0.0]])
    model.compile(loss="binary_crossentropy")
    return model


def _middle_row_columns(image, rgb):
    """Columns of the middle row whose colour is nearest to ``rgb`` (of 3 tints)."""
    row = image[image.shape[0] // 2]
    return np.flatnonzero(np.abs(row - rgb).sum(axis=1) < 0.12)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_binary_boundary_splits_the_plane_where_the_model_does(tmp_path, sign):
    path = tmp_path / "boundary.png"
    plot_decision_boundary(_binary_model(sign), CORNERS, [0, 1, 0, 1], path,
                           resolution=40)  # fmt: skip
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    row = _pixels(path)[_pixels(path).shape[0] // 2]
    blue = np.flatnonzero(row[:, 2] - row[:, 0] > 0.15)  # P(class 1) near 0
    red = np.flatnonzero(row[:, 0] - row[:, 2] > 0.15)  # P(class 1) near 1
    width = len(row)
    assert len(blue) > 0.15 * width and len(red) > 0.15 * width
    # sign +1: class 1 (red) right of x1 = 0; sign -1: left of it
    assert (np.median(blue) < np.median(red)) == (sign > 0)


def test_multiclass_regions_follow_the_largest_output(tmp_path):
    # logits (-10·x1 - 5, 0, 10·x1 - 5): class 0 for x1 < -0.5, class 2 for
    # x1 > 0.5, class 1 between
    model = gn.Sequential([gn.Dense(2, 3)], dtype="float64")
    model.set_weights([[[-10.0, 0.0, 10.0], [0.0, 0.0, 0.0]], [-5.0, 0.0, -5.0]])
    model.compile(loss="categorical_crossentropy")
    X = np.array([[-1.0, -1.0], [0.0, 1.0], [1.0, -1.0]])
    path = tmp_path / "three.png"
    plot_decision_boundary(model, X, np.eye(3), path, resolution=60)  # one-hot y
    image = _pixels(path)
    from matplotlib import colormaps

    # regions are tab10 colours 0, 1, 2 at alpha 0.3 over white
    tints = [0.3 * np.array(colormaps["tab10"](k)[:3]) + 0.7 for k in range(3)]
    columns = [_middle_row_columns(image, tint) for tint in tints]
    assert all(len(c) > 0.1 * image.shape[1] for c in columns)
    assert np.median(columns[0]) < np.median(columns[1]) < np.median(columns[2])


def test_two_spirals_boundary_and_other_formats(tmp_path):
    X, y = gn.datasets.two_spirals(200, noise=0.02, seed=0)
    model = gn.Sequential([gn.Dense(2, 32, activation="relu"), gn.Dense(32, 2)], seed=0)
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    model.fit(X, y, epochs=5)
    plot_decision_boundary(model, X, y, tmp_path / "spirals.png", resolution=50)
    assert (tmp_path / "spirals.png").stat().st_size > 10_000
    plot_decision_boundary(model, X, y, tmp_path / "spirals.svg", resolution=20)
    assert b"<svg" in (tmp_path / "spirals.svg").read_bytes()[:500]


def _article(w5):
    network = OurNeuralNetwork(seed=0)
    for i, value in enumerate([0.5, 1.0, 1.5, 2.0, w5, 1.0], start=1):
        setattr(network, f"w{i}", value)
    return network


def _red_and_blue(path):
    image = _pixels(path)
    red = (image[..., 0] - image[..., 2] > 0.3) & (image[..., 0] - image[..., 1] > 0.3)
    blue = (image[..., 2] - image[..., 0] > 0.3) & (image[..., 2] - image[..., 1] > 0.1)
    return int(red.sum()), int(blue.sum())


def test_network_colours_each_weight_by_its_sign(tmp_path):
    plot_network(_article(w5=3.0), tmp_path / "positive.png")
    plot_network(_article(w5=-3.0), tmp_path / "one_negative.png")
    red, blue = _red_and_blue(tmp_path / "positive.png")
    assert blue > 1000
    assert red < 200  # only the legend's short red line (~80 pixels)
    red, blue = _red_and_blue(tmp_path / "one_negative.png")
    assert red > 1000  # w5 = -3: the thickest line is red


def test_network_of_a_sequential_with_dropout_and_activation(tmp_path):
    model = gn.Sequential(
        [gn.Dense(4, 6, activation="relu"), gn.Dropout(0.1), gn.Dense(6, 3),
         gn.Activation("softmax")], seed=1,
    )  # fmt: skip
    path = tmp_path / "network.png"
    plot_network(model, path, title="4-6-3")
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert path.stat().st_size > 10_000
    red, blue = _red_and_blue(path)
    assert red > 100 and blue > 100  # glorot weights of both signs


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        (np.zeros((4, 3)), [0, 1, 0, 1], ValueError,
         r"X must have 2 features \(columns\).*Received: X with shape \(4, 3\)"),
        (np.zeros(4), [0, 1, 0, 1], ValueError,
         r"X must have 2 dimension\(s\)\. Received: X with shape \(4,\)"),
        (np.zeros((4, 2, 1)), [0, 1, 0, 1], ValueError,
         r"X must have 2 dimension\(s\)\. Received: X with shape \(4, 2, 1\)"),
        ([["a", "b"]] * 4, [0, 1, 0, 1], TypeError, r"X must hold numbers"),
        (CORNERS, [0, 1, 0], ValueError,
         r"X and y must have the same number of samples\. Received: X with 4 "
         r"samples, y with 3 samples"),
        (CORNERS, [0, 1, -1, 1], ValueError,
         r"y must be class labels: integers >= 0 \(or one-hot rows\)\. "
         r"Received: y containing -1"),
        (CORNERS, [0, 1, 0.5, 1], ValueError, r"Received: y containing 0\.5"),
        (CORNERS, [0, 1, 2, 1], ValueError,
         r"y must hold labels in \[0, 2\) for a model with 1 output\(s\)\. "
         r"Received: y containing 2"),
    ],
    ids=["three-features", "1-D", "3-D", "strings", "lengths", "negative",
         "fraction", "out-of-range"],
)  # fmt: skip
def test_decision_boundary_bad_data(tmp_path, X, y, error, message):
    path = tmp_path / "old.png"
    path.write_bytes(b"old")
    with pytest.raises(error, match=message):
        plot_decision_boundary(_binary_model(1.0), X, y, path)
    assert path.read_bytes() == b"old"  # nothing written


def test_decision_boundary_bad_model_or_resolution(tmp_path):
    path = tmp_path / "b.png"
    three_inputs = gn.Sequential([gn.Dense(3, 1)])
    with pytest.raises(ValueError, match=r"model must take 2 inputs to draw its "
                       r"decision boundary.*Received: a model whose first layer "
                       r"is Dense\(3, 1\)"):  # fmt: skip
        plot_decision_boundary(three_inputs, CORNERS, [0, 1, 0, 1], path)
    with pytest.raises(TypeError, match=r"model must have a predict method"):
        plot_decision_boundary("model.npz", CORNERS, [0, 1, 0, 1], path)
    with pytest.raises(ValueError, match=r"resolution must be an integer >= 2"):
        plot_decision_boundary(_binary_model(1.0), CORNERS, [0, 1, 0, 1], path,
                               resolution=1)  # fmt: skip
    assert not path.exists()


def test_network_bad_models(tmp_path):
    path = tmp_path / "n.png"
    message = r"model must be a Sequential of Dense layers or the article's Our"
    with pytest.raises(TypeError, match=message):
        plot_network("model.npz", path)
    with pytest.raises(ValueError, match=r"model must hold at least one Dense layer"):
        plot_network(gn.Sequential([gn.Dropout(0.5)]), path)
    with pytest.raises(ValueError, match=r"at most 32 neurons per layer.*Received: "
                       r"a layer with 784 inputs and 16 outputs"):  # fmt: skip
        plot_network(gn.Sequential([gn.Dense(784, 16), gn.Dense(16, 10)]), path)
    assert not path.exists()


@pytest.mark.parametrize("draw", ["boundary", "network"])
def test_without_matplotlib_says_how_to_install(tmp_path, monkeypatch, draw):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # the import fails
    message = (
        r"plotting needs matplotlib, which is not installed\. Install it with: "
        r'pip install "glassnet\[plot\]"'
    )
    with pytest.raises(OptionalDependencyError, match=message):
        if draw == "boundary":
            plot_decision_boundary(_binary_model(1.0), CORNERS, [0, 1, 0, 1],
                                   tmp_path / "b.png")  # fmt: skip
        else:
            plot_network(_article(1.0), tmp_path / "n.png")
    assert not list(tmp_path.iterdir())
