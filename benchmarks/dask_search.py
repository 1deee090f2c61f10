"""A grid search on a local Dask cluster: wall time with 1 and 2 worker processes.

The same ``GridSearchCV`` of ``glassnet.sklearn.MLPClassifier`` (6 settings × 3
folds = 18 fits, then the refit) runs three ways, alternated for several rounds:

- ``1 worker``: ``LocalCluster(n_workers=1, threads_per_worker=1)``, through
  ``joblib.parallel_backend("dask")``;
- ``2 workers``: ``LocalCluster(n_workers=2, threads_per_worker=1)``, the same;
- ``here, n_jobs=1``: the search in this process, one fit after the other.

Both clusters get :func:`glassnet.dask.set_blas_threads`, so each fit uses its
share of the cores (2 BLAS threads with one worker, 1 each with two on a 2-core
machine); this process keeps its BLAS default. The clusters start before the
timing (their start-up is printed apart), and every search must give the same
``cv_results_`` scores, or the script says so.

    python benchmarks/dask_search.py            # about a minute on 2 cores
    python benchmarks/dask_search.py --quick    # a smoke run
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import warnings

import numpy as np

import _common as c

GRID = {
    "hidden_layer_sizes": [(64,), (128,), (64, 32)],
    "learning_rate_init": [1e-3, 3e-3],
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--repeats", type=int, default=None, help="rounds (3)")
    args = parser.parse_args(argv)
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    return args


def table_data(quick: bool):
    """A seeded 3-class table: 12,000 rows × 20 features (400 with --quick)."""
    rng = np.random.default_rng(0)
    n = 400 if quick else 12_000
    X = rng.normal(size=(n, 20)).astype(np.float32)
    w = rng.normal(size=(20, 3))
    y = np.argmax(np.tanh(X @ w) + 0.3 * rng.normal(size=(n, 3)), axis=1)
    return X, y


def main(argv=None) -> None:
    args = parse_args(argv)
    import joblib
    from distributed import Client, LocalCluster
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV

    from glassnet import dask as gn_dask
    from glassnet.sklearn import MLPClassifier

    warnings.simplefilter("ignore", ConvergenceWarning)
    logging.getLogger("distributed").setLevel(logging.ERROR)  # no INFO lines
    c.banner("Grid search on a local Dask cluster: 1 and 2 worker processes")
    print(c.environment())
    X, y = table_data(args.quick)
    epochs = 3 if args.quick else 30
    n_fits = len(GRID["hidden_layer_sizes"]) * len(GRID["learning_rate_init"]) * 3
    print(
        f"data: {X.shape[0]} x {X.shape[1]} float32, 3 classes; MLPClassifier "
        f"max_iter={epochs}, batch_size=200, random_state=0; {n_fits} fits + refit"
    )

    def search():
        estimator = MLPClassifier(max_iter=epochs, batch_size=200, random_state=0)
        return GridSearchCV(estimator, GRID, cv=3)

    clients = {}
    for workers in (1, 2):
        start = time.perf_counter()
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=40,
        )
        client = Client(cluster, set_as_default=False)
        client.wait_for_workers(workers)
        threads = gn_dask.set_blas_threads(client)
        print(
            f"{workers} worker(s): started in {time.perf_counter() - start:.1f} s; "
            f"BLAS threads per worker {sorted(threads.values())}"
        )
        clients[workers] = client

    scores = {}

    def on_cluster(workers):
        def run():
            with joblib.parallel_backend("dask", client=clients[workers]):
                result = search().fit(X, y)
            scores[f"{workers}"] = result.cv_results_["mean_test_score"]

        return run

    def here():
        scores["here"] = search().fit(X, y).cv_results_["mean_test_score"]

    contenders = {"1 worker": on_cluster(1), "2 workers": on_cluster(2), "here": here}
    load_before = os.getloadavg()[0]
    times = c.alternate(contenders, args.repeats, warmup=1)
    load_after = os.getloadavg()[0]
    same = all(np.array_equal(v, scores["here"]) for v in scores.values())
    print(f"load average {load_before:.2f} before, {load_after:.2f} after")
    print(f"every search gave the same scores: {same}")
    base = times["1 worker"]
    rows = [
        [name, c.spread(values), f"{c.ratio(base, values):.2f}×"]
        for name, values in times.items()
    ]
    print()
    print(
        c.table(
            ["search", "wall time, s: median (min–max)", "speed-up over 1 worker"],
            rows,
            title=f"{args.repeats} alternated rounds",
        )
    )
    for client in clients.values():
        cluster = client.cluster
        client.close()
        cluster.close()


if __name__ == "__main__":
    main()
