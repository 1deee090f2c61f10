"""ONNX export, checked by running every exported graph in onnxruntime.

The reference is glassnet itself: ``predict_proba`` (and the label the command
line would print) on the same rows, to 1e-5 in float32 and 1e-10 in float64,
relative to the largest output (an elementwise relative bound means nothing for
an output that is 1e-30 in one and 0 in the other). The activation tests also
feed the raw activations extreme inputs and compare elementwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import activations, losses
from glassnet import onnx as gn_onnx

onnx = pytest.importorskip("onnx", reason="the onnx extra is not installed")
ort = pytest.importorskip("onnxruntime", reason="onnxruntime is not installed")

RTOL = {"float32": 1e-5, "float64": 1e-10}
ACTIVATIONS = [
    "linear",
    "sigmoid",
    "tanh",
    "relu",
    {"name": "leaky_relu", "alpha": 0.2},
    {"name": "elu", "alpha": 0.7},
    "gelu",
    "softplus",
    "softmax",
]


def session(proto):
    return ort.InferenceSession(
        proto.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def run(proto, X):
    """The graph's outputs by name."""
    sess = session(proto)
    names = [output.name for output in sess.get_outputs()]
    return dict(zip(names, sess.run(None, {"X": X}), strict=True))


def assert_close(actual, expected, dtype):
    assert actual.dtype == expected.dtype == np.dtype(dtype)
    assert actual.shape == expected.shape
    scale = max(float(np.abs(expected).max()), np.finfo(dtype).tiny)
    np.testing.assert_allclose(
        actual, expected, rtol=RTOL[dtype], atol=RTOL[dtype] * scale
    )


def labels_of(model, X):
    """What ``glassnet predict`` prints: classes_[argmax] of [1 − p, p] or p."""
    proba = model.predict_proba(X)
    if proba.shape[1] == 1:
        proba = np.hstack([1 - proba, proba])
    index = proba.argmax(axis=1)
    return index if model.classes_ is None else np.asarray(model.classes_)[index]


def features(rng, n, width, dtype):
    return (rng.normal(size=(n, width)) * 3).astype(dtype)


# ------------------------------------------------------------------- activations


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_every_activation_in_a_dense_layer_and_as_a_layer(activation, dtype):
    rng = np.random.default_rng(0)
    model = gn.Sequential(
        [
            gn.Dense(4, 6, activation=activation),
            gn.Activation(activation),
            gn.Dense(6, 3),
        ],
        seed=1,
        dtype=dtype,
    )
    proto = gn_onnx.to_onnx(model)
    for n in (1, 1000):
        X = features(rng, n, 4, dtype)
        assert_close(run(proto, X)["predictions"], model.predict(X), dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
def test_activations_elementwise_in_their_tails(activation, dtype):
    """Far tails and zero, elementwise: where expm1, log1p and Φ lose digits."""
    width = 8 if activation == "softmax" else 1
    model = gn.Sequential(
        [gn.Activation(activation)], dtype=dtype, input_shape=(width,)
    )
    x = np.concatenate(
        [-np.geomspace(1e-12, 60, 200), [0.0], np.geomspace(1e-12, 60, 200)]
    )
    X = (x[:400].reshape(-1, 8) if activation == "softmax" else x[:, None]).astype(
        dtype
    )
    expected = model.predict(X)
    actual = run(gn_onnx.to_onnx(model), X)["predictions"]
    assert actual.dtype == expected.dtype
    # elementwise, with a floor at the smallest normal number
    np.testing.assert_allclose(
        actual, expected, rtol=RTOL[dtype], atol=np.finfo(dtype).tiny
    )


def test_gelu_keeps_the_left_tail_that_one_plus_erf_would_lose():
    # Φ(−8) ≈ 6.2e-16: 0.5·(1 + erf(−8/√2)) in float64 keeps no correct digit
    model = gn.Sequential([gn.Activation("gelu")], dtype="float64", input_shape=(1,))
    out = run(gn_onnx.to_onnx(model), np.array([[-8.0]]))["predictions"]
    # x·Φ(x) at −8, from the complementary error function (math.erfc)
    import math

    assert out[0, 0] == pytest.approx(-8 * 0.5 * math.erfc(8 / math.sqrt(2)), rel=1e-13)


# ---------------------------------------------------------------------- models


def random_model(rng, dtype):
    """A seeded random architecture: depth, widths, activations, extras, loss."""
    n_in = int(rng.integers(1, 9))
    layers, width = [], n_in
    for _ in range(int(rng.integers(1, 5))):
        out = int(rng.integers(1, 17))
        act = ACTIVATIONS[int(rng.integers(len(ACTIVATIONS)))]
        layers.append(
            gn.Dense(width, out, activation=act, use_bias=bool(rng.random() < 0.8))
        )
        width = out
        if rng.random() < 0.3:
            layers.append(gn.Dropout(0.5))
        if rng.random() < 0.3:
            layers.append(gn.Activation(ACTIVATIONS[int(rng.integers(8))]))
    kind = ["none", "mse", "mae", "bce_logits", "bce", "cce"][int(rng.integers(6))]
    if kind in ("bce", "bce_logits"):
        act = "sigmoid" if kind == "bce" else None
        layers.append(gn.Dense(width, 1, activation=act))
    elif kind == "cce":
        layers.append(gn.Dense(width, int(rng.integers(2, 6))))
    model = gn.Sequential(layers, seed=int(rng.integers(1000)), dtype=dtype)
    loss = {
        "mse": "mse",
        "mae": "mae",
        "bce": "binary_crossentropy",
        "bce_logits": losses.BinaryCrossentropy(from_logits=True),
        "cce": "categorical_crossentropy",
    }.get(kind)
    if loss is not None:
        model.compile(loss=loss)
    if rng.random() < 0.5:
        model.preprocessing = gn.data.Standardizer().fit(
            rng.normal(2.0, 5.0, size=(30, n_in))
        )
    if kind in ("bce", "bce_logits", "cce") and rng.random() < 0.7:
        k = model.layers[-1].n_out if kind == "cce" else 2
        model.classes_ = (
            np.array([f"class {i}" for i in range(k)])
            if rng.random() < 0.5
            else np.arange(10, 10 + 3 * k, 3)
        )
    return model, n_in


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", range(12))
def test_random_architectures_match_predict_proba(seed, dtype):
    rng = np.random.default_rng(seed)
    model, n_in = random_model(rng, dtype)
    proto = gn_onnx.to_onnx(model)
    for n in (1, 1000):
        X = features(rng, n, n_in, dtype) + 2.0
        outputs = run(proto, X)
        expected = model.predict_proba(X)
        if "predictions" in outputs:
            assert_close(outputs["predictions"], expected, dtype)
            continue
        if expected.shape[1] == 1:
            expected = np.hstack([1 - expected, expected])
        assert_close(outputs["probabilities"], expected, dtype)
        # the label of a near tie may flip with the last bits: compare the others
        ordered = np.sort(expected, axis=1)
        clear = ordered[:, -1] - ordered[:, -2] > 1e3 * RTOL[dtype]
        np.testing.assert_array_equal(
            outputs["label"][clear], labels_of(model, X)[clear]
        )


def test_a_classifier_gives_probabilities_and_the_label_by_name():
    model = gn.Sequential([gn.Dense(2, 3)], seed=0, dtype="float64")
    model.compile(loss="categorical_crossentropy")
    model.classes_ = np.array(["red", "green", "blue"])
    model.layers[0].params["W"][:] = [[1, 0, 0], [0, 0, 1]]
    outputs = run(gn_onnx.to_onnx(model), np.array([[5.0, 0.0], [0.0, 5.0]]))
    assert outputs["label"].tolist() == ["red", "blue"]
    # softmax of (5, 0, 0) by hand: e⁵ / (e⁵ + 2)
    assert outputs["probabilities"][0, 0] == pytest.approx(np.e**5 / (np.e**5 + 2))


def test_a_single_sigmoid_output_becomes_two_columns():
    model = gn.Sequential([gn.Dense(1, 1, activation="sigmoid")], dtype="float64")
    model.compile(loss="binary_crossentropy")
    model.classes_ = np.array([0, 1])
    model.layers[0].params["W"][:] = 1.0
    outputs = run(gn_onnx.to_onnx(model), np.array([[0.0], [2.0]]))
    p = 1 / (1 + np.exp(-2.0))
    np.testing.assert_allclose(outputs["probabilities"], [[0.5, 0.5], [1 - p, p]])
    assert outputs["label"].tolist() == [0, 1]  # a tie goes to the first class
    assert outputs["label"].dtype == np.int64


def test_the_standardizer_runs_inside_the_graph():
    model = gn.Sequential([gn.Dense(2, 1)], dtype="float64")
    model.layers[0].params["W"][:] = [[1.0], [1.0]]
    model.preprocessing = gn.data.Standardizer().fit([[0.0, 10.0], [4.0, 30.0]])
    # mean (2, 20), scale (2, 10): (4 − 2)/2 + (40 − 20)/10 = 1 + 2
    assert run(gn_onnx.to_onnx(model), np.array([[4.0, 40.0]]))["predictions"] == 3.0


# --------------------------------------------------------------------- refusals


class ReLU6(activations.ReLU):
    name = "relu6"

    def _apply(self, x, out):
        return np.minimum(np.maximum(x, 0, out=out), 6, out=out)


class Double(gn.Layer):
    def forward(self, x, training=True):
        return 2 * x


def test_a_layer_it_cannot_express_is_refused_by_name_before_writing(tmp_path):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"an earlier file")
    model = gn.Sequential([gn.Dense(2, 2), Double()])
    with pytest.raises(ValueError, match=r"cannot export layer 1, Double\(\)"):
        gn_onnx.export(model, path)
    assert path.read_bytes() == b"an earlier file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.onnx"]


def test_an_activation_subclass_is_refused_not_exported_as_its_parent(tmp_path):
    model = gn.Sequential([gn.Dense(2, 2, activation=ReLU6())])
    with pytest.raises(ValueError, match=r"layer 0, Dense\(2, 2.*ReLU6|relu6"):
        gn_onnx.export(model, tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()


@pytest.mark.parametrize("opset", [12, 10_000, "17", 17.0, True])
def test_an_opset_out_of_range_is_refused(opset):
    model = gn.Sequential([gn.Dense(2, 2)])
    with pytest.raises(ValueError, match=r"opset must be an integer from 13 to \d+"):
        gn_onnx.to_onnx(model, opset=opset)


def test_a_model_without_layers_is_refused():
    with pytest.raises(ValueError, match="at least one layer"):
        gn_onnx.to_onnx(gn.Sequential())


def test_a_model_not_built_yet_is_refused_with_the_way_to_build_it():
    model = gn.Sequential([gn.Dense(4), gn.Dense(2)])  # Dense(units): no weights yet
    with pytest.raises(ValueError, match=r"needs a built model.*input_shape="):
        gn_onnx.to_onnx(model)
    model.build((None, 3))
    X = np.ones((2, 3), np.float32)
    assert_close(run(gn_onnx.to_onnx(model), X)["predictions"], model.predict(X),
                 "float32")  # fmt: skip


# ------------------------------------------------------------ shapes of any rank


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_images_through_flatten_reshape_and_dense_on_the_last_axis(dtype):
    rng = np.random.default_rng(3)
    model = gn.Sequential(
        [
            gn.Dense(5, activation="tanh"),  # on the last axis of (n, 4, 3, 2)
            gn.Flatten(),  # (n, 60) in C order, channels fastest
            gn.Reshape((6, -1)),  # (n, 6, 10)
            gn.Activation("softmax"),  # over the last axis
            gn.Flatten(),
            gn.Dense(3),
        ],
        input_shape=(4, 3, 2),
        seed=0,
        dtype=dtype,
    )
    model.compile(loss="categorical_crossentropy")
    proto = gn_onnx.to_onnx(model)
    assert [d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim][
        1:
    ] == [4, 3, 2]
    for n in (1, 1000):
        X = rng.normal(size=(n, 4, 3, 2)).astype(dtype)
        outputs = run(proto, X)
        assert_close(outputs["probabilities"], model.predict_proba(X), dtype)


def test_a_reshape_output_keeps_its_shape():
    model = gn.Sequential([gn.Reshape((2, 3))], input_shape=(6,), dtype="float64")
    X = np.arange(12.0).reshape(2, 6)
    out = run(gn_onnx.to_onnx(model), X)["predictions"]
    np.testing.assert_array_equal(out, X.reshape(2, 2, 3))


# ------------------------------------------------------------------------ files


@pytest.mark.parametrize("opset", [13, 17, None])
def test_the_file_passes_the_full_checker_and_runs(tmp_path, opset):
    model = gn.Sequential([gn.Dense(3, 2, activation="gelu")], seed=0)
    path = tmp_path / "model.onnx"
    gn_onnx.export(model, path, opset=opset)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version == (opset or gn_onnx.DEFAULT_OPSET)
    assert proto.producer_name == "glassnet"
    X = np.ones((5, 3), np.float32)
    assert_close(run(proto, X)["predictions"], model.predict(X), "float32")


def test_export_replaces_a_file_only_with_a_complete_one(tmp_path, monkeypatch):
    path = tmp_path / "model.onnx"
    path.write_bytes(b"old")
    model = gn.Sequential([gn.Dense(3, 2)], seed=0)

    class Broken:
        def SerializeToString(self):  # noqa: N802 - protobuf's name
            raise OSError("disk full")

    monkeypatch.setattr(gn_onnx, "to_onnx", lambda model, opset=None: Broken())
    with pytest.raises(OSError, match="disk full"):
        gn_onnx.export(model, path)
    assert path.read_bytes() == b"old"


# ---------------------------------------------------------------- command line


def glassnet(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A folder with colours.csv and the model ``glassnet train`` made from it."""
    folder = tmp_path_factory.mktemp("export")
    rng = np.random.default_rng(0)
    lines = ["x,y,colour"]
    for name, centre in {"red": (30, 0), "green": (0, 30), "blue": (-30, -30)}.items():
        for a, b in rng.normal(centre, 5.0, size=(20, 2)):
            lines.append(f"{a:.3f},{b:.3f},{name}")
    (folder / "colours.csv").write_text("\n".join(lines) + "\n")
    result = glassnet(
        "train", "colours.csv", "--target", "colour", "--hidden", "8",
        "--epochs", "5", "--seed", "0", "--out", "model.npz", "--quiet", cwd=folder,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder


def test_cli_export_writes_the_model_with_its_standardizer_and_labels(trained):
    result = glassnet("export", "model.npz", "model.onnx", cwd=trained)
    assert result.returncode == 0, result.stderr
    assert "model.onnx" in result.stdout
    predicted = glassnet("predict", "model.npz", "colours.csv", "--proba", cwd=trained)
    rows = [line.split(",") for line in predicted.stdout.splitlines()[1:]]
    raw = np.loadtxt(trained / "colours.csv", delimiter=",", skiprows=1, usecols=(0, 1))
    proto = onnx.load(trained / "model.onnx")
    # one input per column, raw: the graph standardises
    feed = {"x": raw[:, :1].astype(np.float32), "y": raw[:, 1:].astype(np.float32)}
    outputs = session(proto).run(None, feed)
    outputs = dict(zip(["probabilities", "label"], outputs, strict=True))
    assert outputs["label"].tolist() == [row[0] for row in rows]
    np.testing.assert_allclose(
        outputs["probabilities"], [[float(v) for v in row[1:]] for row in rows],
        rtol=1e-5, atol=1e-6,
    )  # fmt: skip
    properties = {p.key: p.value for p in proto.metadata_props}
    assert properties["features"] == '["x", "y"]'
    assert properties["classes"] == '["blue", "green", "red"]'


def test_cli_export_of_a_table_with_text_missing_cells_and_a_scaled_target(
    tmp_path,
):
    """One-hot text columns, --impute fills, a regression target in its units."""
    rng = np.random.default_rng(1)
    colours = np.array(["red", "green", "blue"])
    lines = ["size,colour,weight,price"]
    for i in range(90):
        size, colour = rng.uniform(1, 10), colours[i % 3]
        weight = "" if i % 7 == 0 else f"{rng.uniform(50, 80):.2f}"
        shown = "NA" if i % 11 == 0 else colour
        price = 1000 + 40 * size + {"red": 300, "green": 0, "blue": -200}[colour]
        lines.append(f"{size:.3f},{shown},{weight},{price:.2f}")
    (tmp_path / "prices.csv").write_text("\n".join(lines) + "\n")
    result = glassnet(
        "train", "prices.csv", "--target", "price", "--hidden", "8", "--epochs",
        "20", "--seed", "0", "--impute", "mean", "--out", "m.npz", "--quiet",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert glassnet("export", "m.npz", "m.onnx", cwd=tmp_path).returncode == 0
    # new rows: a category never seen, missing cells of both kinds
    new = ["size,colour,weight", "2.5,red,60", "7.0,blue,", "4.0,purple,70",
           "9.5,na,55", "1.0,green,75.5"]  # fmt: skip
    (tmp_path / "new.csv").write_text("\n".join(new) + "\n")
    predicted = glassnet("predict", "m.npz", "new.csv", cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    expected = [float(line) for line in predicted.stdout.splitlines()[1:]]
    rows = [line.split(",") for line in new[1:]]
    feed = {
        "size": np.array([[float(r[0])] for r in rows], np.float32),
        "colour": np.array([[r[1]] for r in rows], dtype=object),
        "weight": np.array([[float(r[2] or "nan")] for r in rows], np.float32),
    }
    out = session(onnx.load(tmp_path / "m.onnx")).run(None, feed)[0]
    # prices in dollars, not in standard deviations: about 1000-1600
    assert 500 < np.median(out) < 2000
    np.testing.assert_allclose(out[:, 0], expected, rtol=1e-5)


def test_cli_export_refuses_bad_arguments_with_one_line(trained):
    (trained / "keep.onnx").write_bytes(b"keep")
    result = glassnet("export", "colours.csv", "keep.onnx", cwd=trained)
    assert result.returncode == 2
    assert result.stderr.startswith("glassnet: error: ")
    assert "Traceback" not in result.stderr
    assert (trained / "keep.onnx").read_bytes() == b"keep"
    result = glassnet("export", "model.npz", "model.npz", cwd=trained)
    assert result.returncode == 2 and "is the input file (MODEL)" in result.stderr
    result = glassnet("export", "model.npz", "x.onnx", "--opset", "3", cwd=trained)
    assert result.returncode == 2 and "opset must be an integer" in result.stderr
    assert not (trained / "x.onnx").exists()


# ------------------------------------------------------- scikit-learn estimators


# a few dozen epochs are enough to compare outputs; training need not converge
quiet = pytest.mark.filterwarnings("ignore::UserWarning")  # ConvergenceWarning


@pytest.fixture(scope="module")
def sk():
    return pytest.importorskip("glassnet.sklearn", reason="scikit-learn is missing")


def estimator_data(dtype, n_classes=None, multilabel=False):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(120, 4)).astype(dtype)
    if multilabel:
        y = (X[:, :3] + 0.3 * rng.normal(size=(120, 3)) > 0).astype(int)
    elif n_classes is None:
        y = X @ [1.0, -2.0, 0.5, 3.0] + 10.0  # regression, far from 0
    else:
        y = np.array(["ant", "bee", "cat", "dog"])[
            np.digitize(X[:, 0] + X[:, 1], np.linspace(-1.5, 1.5, n_classes - 1))
        ]
    return X, y


@quiet
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n_classes", [2, 4])
def test_an_mlp_classifier_exports_with_its_labels(sk, dtype, n_classes):
    X, y = estimator_data(dtype, n_classes)
    clf = sk.MLPClassifier(hidden_layer_sizes=(8, 5), max_iter=60, random_state=0).fit(
        X, y
    )
    outputs = run(gn_onnx.to_onnx(clf), X)
    assert_close(outputs["probabilities"], clf.predict_proba(X), dtype)
    np.testing.assert_array_equal(outputs["label"], clf.predict(X))


@quiet
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_multilabel_classifier_gives_the_indicator_matrix(sk, dtype):
    X, y = estimator_data(dtype, multilabel=True)
    clf = sk.MLPClassifier(hidden_layer_sizes=(8,), max_iter=60, random_state=0).fit(
        X, y
    )
    outputs = run(gn_onnx.to_onnx(clf), X)
    assert_close(outputs["probabilities"], clf.predict_proba(X), dtype)
    np.testing.assert_array_equal(outputs["label"], clf.predict(X))


@quiet
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("two_targets", [False, True])
def test_an_mlp_regressor_exports_its_values(sk, dtype, two_targets, tmp_path):
    X, y = estimator_data(dtype)
    if two_targets:
        y = np.column_stack([y, -y])
    reg = sk.MLPRegressor(
        hidden_layer_sizes=(6,), activation="tanh", max_iter=80, random_state=0
    )
    reg.fit(X, y)
    gn_onnx.export(reg, tmp_path / "reg.onnx")
    out = run(onnx.load(tmp_path / "reg.onnx"), X)["predictions"]
    assert_close(out, reg.predict(X).reshape(len(X), -1), dtype)


def test_an_estimator_not_fitted_or_another_object_is_refused(sk):
    with pytest.raises(ValueError, match="needs a fitted estimator: call fit"):
        gn_onnx.to_onnx(sk.MLPClassifier())
    with pytest.raises(TypeError, match="Received: model="):
        gn_onnx.to_onnx("model.npz")


# ----------------------------------------------------------------- image layers


def cnn(dtype, padding, pooling, seed=0):
    model = gn.Sequential(
        [
            gn.layers.Conv2D(4, 3, padding=padding, activation="relu"),
            gn.layers.BatchNormalization(),
            pooling,
            gn.layers.Conv2D(5, (2, 3), strides=(1, 2), padding=padding),
            gn.Activation("elu"),
            gn.Flatten(),
            gn.Dense(3),
        ],
        input_shape=(9, 8, 2),
        seed=seed,
        dtype=dtype,
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize(
    "pooling",
    [
        lambda p: gn.layers.MaxPooling2D(2, padding=p),
        lambda p: gn.layers.AveragePooling2D((3, 2), strides=2, padding=p),
    ],
    ids=["max", "average"],
)
def test_a_cnn_matches_predict_proba(dtype, padding, pooling):
    rng = np.random.default_rng(4)
    model = cnn(dtype, padding, pooling(padding))
    X = rng.normal(size=(64, 9, 8, 2)).astype(dtype)
    # a few steps, so that BatchNormalization's moving statistics are not 0 and 1
    model.fit(X, rng.integers(0, 3, 64), epochs=2, batch_size=16)
    proto = gn_onnx.to_onnx(model)
    for n in (1, 1000):
        X = rng.normal(size=(n, 9, 8, 2)).astype(dtype)
        outputs = run(proto, X)
        assert_close(outputs["probabilities"], model.predict_proba(X), dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_global_average_pooling_and_images_out(dtype):
    rng = np.random.default_rng(6)
    model = gn.Sequential(
        [gn.layers.Conv2D(3, 2, padding="same"), gn.layers.GlobalAveragePooling2D()],
        input_shape=(5, 4, 2),
        seed=0,
        dtype=dtype,
    )
    X = rng.normal(size=(7, 5, 4, 2)).astype(dtype)
    for opset in (13, 17, 21):  # ReduceSum's axes, Pad's value: inputs since 13
        out = run(gn_onnx.to_onnx(model, opset=opset), X)["predictions"]
        assert_close(out, model.predict(X), dtype)
    images = gn.Sequential(  # an image out: back to channels-last at the end
        [gn.layers.Conv2D(3, 2), gn.layers.BatchNormalization()],
        input_shape=(5, 4, 2),
        seed=0,
        dtype=dtype,
    )
    out = run(gn_onnx.to_onnx(images), X)["predictions"]
    assert out.shape == (7, 4, 3, 3)
    assert_close(out, images.predict(X), dtype)


def test_every_registered_layer_has_an_exporter():
    # a layer added to glassnet.layers.LAYERS without one fails here, not in a
    # user's deployment
    from glassnet.layers import LAYERS

    missing = sorted(name for name, cls in LAYERS.items() if cls not in gn_onnx._LAYERS)
    assert missing == []
