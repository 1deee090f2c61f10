"""Write the format-1 model files of tests/test_model_files.py, once, with old code.

The files in tests/data/ were written by glassnet at commit 7f0ac95 (model file
format version 1, before files recorded the input shape), from a checkout of that
commit, with the NumPy passes (no compiled kernels)::

    git worktree add --detach /tmp/glassnet-7f0ac95 7f0ac95
    cd /tmp/glassnet-7f0ac95 && GLASSNET_PURE_NUMPY=1 PYTHONPATH=src \\
        python /path/to/glassnet/tests/data/write_format1_models.py \\
        /path/to/glassnet/tests/data

For each model it writes ``<name>.npz`` (the model file, through ``glassnet.save``)
and ``<name>.expected.json``: what that same code computed from the model it saved
(``predict`` and ``predict_proba`` on fresh inputs) and from the file it had just
loaded (one more epoch of ``fit``, resumed from the checkpoint).
The test loads the file with today's code and must find the same numbers. Never
rerun this script with newer code: the point is that the files are old.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

import glassnet as gn


def classifier():
    """float32, standardised inputs, string labels, dropout, Adam mid-run."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(48, 4)) * [1.0, 10.0, 0.1, 3.0] + [0.0, 50.0, -1.0, 2.0]
    labels = np.array(["ant", "bee", "cat"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 50)]
    model = gn.Sequential(
        [
            gn.Dense(4, 6, activation="tanh", l2=1e-3),
            gn.Dropout(0.25),
            gn.Dense(6, 5, activation="gelu", use_bias=False),
            gn.Dense(5, 3),
        ],
        seed=11,
    )
    model.compile(
        loss="categorical_crossentropy",
        optimizer=gn.optimizers.Adam(0.02, clipnorm=1.0),
        metrics=["accuracy"],
    )
    model.preprocessing = gn.data.Standardizer().fit(X)
    model.classes_, y = np.unique(labels, return_inverse=True)
    assert len(model.classes_) == 3, model.classes_
    model.metadata = {"written_by": "tests/data/write_format1_models.py"}
    fit = {"batch_size": 16, "validation_split": 0.25}
    model.fit(X, y, epochs=4, **fit)
    X_new = rng.normal(size=(5, 4)) * [1.0, 10.0, 0.1, 3.0] + [0.0, 50.0, -1.0, 2.0]
    return model, X, y, X_new, fit


def regressor():
    """float64, no preprocessing, an Activation layer, SGD with Nesterov momentum."""
    rng = np.random.default_rng(8)
    X = rng.uniform(-2, 2, size=(40, 3))
    y = np.stack([np.sin(X[:, 0]) + X[:, 1] * X[:, 2], X.sum(axis=1)], axis=1)
    model = gn.Sequential(
        [gn.Dense(3, 8), gn.Activation("softplus"), gn.Dense(8, 2)],
        seed=12,
        dtype="float64",
    )
    model.compile(
        loss="mse", optimizer=gn.optimizers.SGD(0.05, momentum=0.9, nesterov=True)
    )
    fit = {"batch_size": 8}
    model.fit(X, y, epochs=3, **fit)
    X_new = rng.uniform(-2, 2, size=(4, 3))
    return model, X, y, X_new, fit


def main(folder: Path) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    for name, make in [
        ("format1_classifier", classifier),
        ("format1_regressor", regressor),
    ]:
        model, X, y, X_new, fit = make()
        path = folder / f"{name}.npz"
        gn.save(model, path)
        expected = {
            "written_by_commit": commit,
            "glassnet_version": gn.__version__,
            "X_new": X_new.tolist(),
            "predict": model.predict(X_new).tolist(),
            "history": model.history.history,
            "epoch": model.epoch,
        }
        if model.loss.name == "categorical_crossentropy":
            expected["predict_proba"] = model.predict_proba(X_new).tolist()
        resumed = gn.load(path)
        resumed.fit(X, y, epochs=resumed.epoch + 1, initial_epoch=resumed.epoch, **fit)
        expected["X_train"] = X.tolist()
        expected["y_train"] = y.tolist()
        expected["fit"] = fit
        expected["predict_after_one_more_epoch"] = resumed.predict(X_new).tolist()
        (folder / f"{name}.expected.json").write_text(
            json.dumps(expected, indent=1) + "\n"
        )
        print(f"wrote {path} ({path.stat().st_size} bytes) with glassnet at {commit}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
