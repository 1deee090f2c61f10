"""glassnet.sklearn.MLPClassifier beside scikit-learn's, same parameters, same data.

Two problems, each fitted by both estimators with the same settings (scikit-learn's
defaults apart from those named) on the same float32 arrays, in turn
(sklearn, glassnet, sklearn, glassnet, ...) for ``--rounds`` rounds:

* MNIST: ``hidden_layer_sizes=(256, 128)``, ``max_iter=10`` (Adam, batch 200),
  pixels scaled to [0, 1]; test accuracy on the 10,000 test images;
* a generated table: ``make_classification(100_000, 50, n_informative=20,
  n_classes=3, random_state=0)``, standardised, 80/20 split, the default
  ``hidden_layer_sizes=(100,)``, ``max_iter=20``.

Targets (issue 11): glassnet's fit time ≤ 0.5 × scikit-learn's, at a test accuracy
within 0.5 points. Both stop at ``max_iter`` here (``n_iter_no_change`` is not
reached in so few epochs), so both run the same number of epochs; the
ConvergenceWarning that says so is silenced.

    python benchmarks/tabular.py              # the full run (several minutes)
    python benchmarks/tabular.py --quick      # a smoke run on small data
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import _common as c


def _problems(quick: bool):
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    n_mnist = 2_000 if quick else None
    xtr, ytr, xte, yte, source = c.load_mnist(n_train=n_mnist, generated=quick)
    yield (
        f"MNIST ({source})",
        dict(hidden_layer_sizes=(256, 128), max_iter=2 if quick else 10),
        (xtr, ytr, xte[:2000] if quick else xte, yte[:2000] if quick else yte),
    )
    n = 5_000 if quick else 100_000
    X, y = make_classification(n, 50, n_informative=20, n_classes=3, random_state=0)
    X = StandardScaler().fit_transform(X).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    yield (
        f"generated table {n:,} x 50, 3 classes",
        dict(max_iter=3 if quick else 20),
        (Xtr, ytr, Xte, yte),
    )


def _fit(kind: str, params: dict, arrays) -> tuple[float, float]:
    """(seconds to fit, test accuracy) of one estimator."""
    from sklearn.exceptions import ConvergenceWarning

    if kind == "glassnet":
        from glassnet.sklearn import MLPClassifier
    else:
        from sklearn.neural_network import MLPClassifier
    Xtr, ytr, Xte, yte = arrays
    model = MLPClassifier(random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(Xtr, ytr)
        seconds = time.perf_counter() - start
    return seconds, float(model.score(Xte, yte))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--rounds", type=int, default=2, help="rounds (default 2)")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    c.banner("glassnet.sklearn.MLPClassifier vs sklearn.neural_network.MLPClassifier")
    print(c.environment(with_blas=False), flush=True)
    rows = []
    for title, params, arrays in _problems(args.quick):
        times = {"sklearn": [], "glassnet": []}
        scores = {"sklearn": [], "glassnet": []}
        for _ in range(rounds):
            for kind in ("sklearn", "glassnet"):
                seconds, score = _fit(kind, params, arrays)
                times[kind].append(seconds)
                scores[kind].append(score)
                print(f"{title}: {kind} {seconds:.2f} s, {score:.4f}", flush=True)
        ratio = c.ratio(times["glassnet"], times["sklearn"])
        gap = 100 * (c.med(scores["sklearn"]) - c.med(scores["glassnet"]))
        shown = ", ".join(f"{k}={v}" for k, v in params.items())
        rows.append(
            [
                title,
                shown,
                c.spread(times["sklearn"]),
                c.spread(times["glassnet"]),
                f"{ratio:.2f} {c.verdict(ratio, 0.5)}",
                f"{c.med(scores['sklearn']):.4f}",
                f"{c.med(scores['glassnet']):.4f}",
                f"{gap:+.2f} {c.verdict(gap, 0.5)}",
            ]
        )
    print()
    print(
        c.table(
            [
                "data",
                "parameters",
                "sklearn fit s",
                "glassnet fit s",
                "time ratio",
                "sklearn acc",
                "glassnet acc",
                "points behind",
            ],
            rows,
            title="MLPClassifier fit, median (min–max) over rounds",
        )
    )


if __name__ == "__main__":
    main()
