"""``glassnet train`` with default flags on five classic tables, beside scikit-learn.

scikit-learn's bundled iris, wine, breast cancer, diabetes and digits tables are
written to CSV (80/20 split, stratified for classes, ``random_state`` = split seed),
then, on the same rows:

* ``glassnet train train.csv --target target --seed S`` (every other flag at its
  default) and ``glassnet predict``, run in-process (no interpreter start-up);
* scikit-learn's ``MLPClassifier()`` / ``MLPRegressor()`` with their defaults
  (``random_state=S``) behind a ``StandardScaler`` (glassnet standardises the
  features by default too; scikit-learn's MLP without it is far worse on wine and
  breast cancer);
* a linear model: ``LogisticRegression()`` / ``LinearRegression()`` behind a
  ``StandardScaler``.

Score: test accuracy, or R² for diabetes; time: fit (train) seconds. Medians over
three seeds (S = 0, 1, 2, each with its own split). ConvergenceWarnings of
scikit-learn's MLP at its default 200 iterations are silenced.

    python benchmarks/tables.py            # a few minutes
    python benchmarks/tables.py --quick    # one seed, iris only (a smoke run)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

import _common as c


def _tables(quick: bool):
    from sklearn import datasets

    loaders = {
        "iris": datasets.load_iris,
        "wine": datasets.load_wine,
        "breast cancer": datasets.load_breast_cancer,
        "diabetes": datasets.load_diabetes,
        "digits": datasets.load_digits,
    }
    for name, load in loaders.items():
        if quick and name != "iris":
            continue
        X, y = load(return_X_y=True)
        yield name, X, y, name == "diabetes"


def _write(path: Path, X: np.ndarray, y: np.ndarray, regression: bool) -> None:
    header = ",".join(f"x{j}" for j in range(X.shape[1])) + ",target"
    target = [f"{v:.6g}" if regression else str(int(v)) for v in y]
    lines = [header] + [
        ",".join(f"{v:.8g}" for v in row) + "," + t
        for row, t in zip(X, target, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")


def _score(y_true, y_pred, regression: bool) -> float:
    from sklearn.metrics import accuracy_score, r2_score

    if regression:
        return float(r2_score(y_true, y_pred))
    return float(accuracy_score(y_true, y_pred))


def _glassnet(folder: Path, seed: int, regression: bool, y_test) -> tuple[float, float]:
    from glassnet import cli

    train = ["train", str(folder / "train.csv"), "--target", "target"]
    train += ["--seed", str(seed), "--out", str(folder / "m.npz"), "--quiet"]
    start = time.perf_counter()
    assert cli.main(train) == 0
    seconds = time.perf_counter() - start
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert (
            cli.main(["predict", str(folder / "m.npz"), str(folder / "test.csv")]) == 0
        )
    values = out.getvalue().splitlines()[1:]
    predicted = [float(v) for v in values] if regression else [int(v) for v in values]
    return seconds, _score(y_test, predicted, regression)


def _sklearn(model, X_train, y_train, X_test, y_test, regression):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        pipe.fit(X_train, y_train)
        seconds = time.perf_counter() - start
    return seconds, _score(y_test, pipe.predict(X_test), regression)


def main() -> None:
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    args = parser.parse_args()
    seeds = [0] if args.quick else [0, 1, 2]
    c.banner("glassnet train (defaults) vs scikit-learn on five tables")
    print(c.environment(with_blas=False), flush=True)
    rows = []
    for name, X, y, regression in _tables(args.quick):
        results: dict[str, list[tuple[float, float]]] = {}
        for seed in seeds:
            parts = train_test_split(
                X, y, test_size=0.2, random_state=seed,
                stratify=None if regression else y,
            )  # fmt: skip
            X_train, X_test, y_train, y_test = parts
            with tempfile.TemporaryDirectory() as tmp:
                folder = Path(tmp)
                _write(folder / "train.csv", X_train, y_train, regression)
                _write(folder / "test.csv", X_test, y_test, regression)
                with open(os.devnull, "w") as null, contextlib.redirect_stderr(null):
                    got = _glassnet(folder, seed, regression, y_test)
                results.setdefault("glassnet train", []).append(got)
            mlp = (MLPRegressor if regression else MLPClassifier)(random_state=seed)
            linear = LinearRegression() if regression else LogisticRegression()
            for label, model in (("sklearn MLP", mlp), ("linear", linear)):
                got = _sklearn(model, X_train, y_train, X_test, y_test, regression)
                results.setdefault(label, []).append(got)
            print(
                f"{name} seed {seed}: "
                + ", ".join(
                    f"{k} {v[-1][1]:.3f} in {v[-1][0]:.2f} s"
                    for k, v in results.items()
                ),
                flush=True,
            )
        metric = "R²" if regression else "accuracy"
        row = [name, f"{len(X)} x {X.shape[1]}", metric]
        for label in ("glassnet train", "sklearn MLP", "linear"):
            scores = [s for _, s in results[label]]
            times = [t for t, _ in results[label]]
            row.append(
                f"{statistics.median(scores):.3f} ({min(scores):.3f}–{max(scores):.3f})"
            )
            row.append(f"{statistics.median(times):.2f}")
        rows.append(row)
    print()
    print(
        c.table(
            [
                "table",
                "rows x features",
                "score",
                "glassnet train",
                "s",
                "sklearn MLP",
                "s",
                "linear",
                "s",
            ],
            rows,
            title="test score, median (min–max) over seeds, and median fit seconds",
        )  # fmt: skip
    )


if __name__ == "__main__":
    main()
