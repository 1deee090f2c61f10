"""Model files written by older glassnet still load and predict the same numbers.

tests/data/format1_*.npz were written by glassnet at commit 7f0ac95 (model file
format version 1: no input shape in the header), beside ``<name>.expected.json``
holding what that code computed from the same model: ``predict`` (and
``predict_proba``) on fresh inputs, and the predictions after one more epoch of
``fit`` resumed from the loaded file. The exact command, from a checkout of this
repository::

    git worktree add --detach /tmp/glassnet-7f0ac95 7f0ac95
    cd /tmp/glassnet-7f0ac95 && GLASSNET_PURE_NUMPY=1 PYTHONPATH=src \\
        python /path/to/glassnet/tests/data/write_format1_models.py \\
        /path/to/glassnet/tests/data

(tests/data/write_format1_models.py says what each model holds). The files are
fixtures: never rewrite them with newer code, add a new file for a new format.

Weights and stored values must come back exactly; the numbers computed from them
are compared with tolerances, since NumPy's BLAS kernel may round a float32 product
differently from the one that wrote the expectations.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn

DATA = Path(__file__).resolve().parent / "data"
NAMES = ["format1_classifier", "format1_regressor"]
# (rtol, atol) per dtype: far below any change a wrong weight, bias, activation,
# standardiser or optimizer state would make (the test checks that, below)
TOLERANCE = {"float32": (2e-5, 1e-6), "float64": (1e-10, 1e-12)}


def _fixture(name):
    expected = json.loads((DATA / f"{name}.expected.json").read_text("utf-8"))
    return DATA / f"{name}.npz", expected


@pytest.mark.parametrize("name", NAMES)
def test_the_fixture_was_written_by_format_1(name):
    path, expected = _fixture(name)
    header = gn.serialization.read_header(path)
    assert header["format_version"] == 1
    assert "input_shape" not in header  # the field format 2 added
    assert expected["written_by_commit"] == "7f0ac95"
    assert path.stat().st_size < 8192


@pytest.mark.parametrize("name", NAMES)
def test_loads_with_every_array_and_record_as_saved(name):
    path, expected = _fixture(name)
    model = gn.load(path)
    with np.load(path, allow_pickle=False) as saved:
        params = {k: saved[k] for k in saved.files if k.startswith("param/")}
    assert len(params) == sum(len(layer.params) for layer in model.layers)
    for key, array in params.items():
        _, i, what = key.split("/")
        loaded = model.layers[int(i)].params[what]
        assert loaded.dtype == array.dtype and np.array_equal(loaded, array), key
    assert model.history.history == expected["history"]
    assert model.epoch == expected["epoch"]
    assert model.optimizer is not None and model.optimizer.iterations > 0


@pytest.mark.parametrize("name", NAMES)
def test_predicts_the_numbers_the_old_code_predicted(name):
    path, expected = _fixture(name)
    model = gn.load(path)
    rtol, atol = TOLERANCE[model.dtype.name]
    X_new = np.array(expected["X_new"])
    np.testing.assert_allclose(
        model.predict(X_new), expected["predict"], rtol=rtol, atol=atol
    )
    if "predict_proba" in expected:
        proba = model.predict_proba(X_new)
        np.testing.assert_allclose(
            proba, expected["predict_proba"], rtol=rtol, atol=atol
        )
        assert model.classes_.tolist() == ["ant", "bee", "cat"]
    # the comparison can fail: one more epoch moves every prediction by far more
    moved = np.abs(
        np.subtract(expected["predict_after_one_more_epoch"], expected["predict"])
    )
    assert moved.max() > 100 * (atol + rtol * np.abs(expected["predict"]).max())


@pytest.mark.parametrize("name", NAMES)
def test_resumed_training_continues_as_the_old_code_did(name):
    # optimizer moments and step count, the generators' states (shuffling, dropout)
    # and the epoch count all come back, or this epoch lands somewhere else
    path, expected = _fixture(name)
    model = gn.load(path)
    rtol, atol = TOLERANCE[model.dtype.name]
    X, y = np.array(expected["X_train"]), np.array(expected["y_train"])
    model.fit(
        X, y, epochs=model.epoch + 1, initial_epoch=model.epoch, **expected["fit"]
    )
    np.testing.assert_allclose(
        model.predict(np.array(expected["X_new"])),
        expected["predict_after_one_more_epoch"],
        rtol=10 * rtol,
        atol=10 * atol,
    )
