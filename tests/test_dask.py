"""Searches on a real Dask cluster: separate worker processes on this machine.

One ``distributed.LocalCluster`` (2 worker processes, 1 thread each) serves the
whole module. Each search of ``glassnet.sklearn.MLPClassifier`` runs twice, on
the cluster through joblib's Dask backend and in this process, and must give the
same numbers; every fit logs an event with its process id to the scheduler,
which shows that the workers, and not this process, did the fits.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

import glassnet as gn
from glassnet import dask as gn_dask

distributed = pytest.importorskip(
    "distributed", reason="the dask extra (dask[distributed]) is not installed"
)
pytest.importorskip("sklearn", reason="scikit-learn is not installed")
joblib = pytest.importorskip("joblib", reason="joblib (with scikit-learn) is missing")
threadpoolctl = pytest.importorskip("threadpoolctl", reason="threadpoolctl is missing")

from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402

from glassnet.sklearn import MLPClassifier  # noqa: E402

FITS = "glassnet-test-fits"  # the scheduler's event topic
# small and seeded: every fit is the same numbers wherever it runs
SETTINGS = {"max_iter": 40, "batch_size": 16, "random_state": 0}


def record_fit(estimator) -> None:
    """Log this fit's process and worker to the scheduler (nothing outside Dask)."""
    try:
        worker = distributed.get_worker()
    except ValueError:  # not in a worker: the local search, or the final refit
        return
    params = estimator.get_params()
    worker.log_event(
        FITS,
        {
            "pid": os.getpid(),
            "worker": worker.address,
            "hidden": params["hidden_layer_sizes"],
            "learning_rate": params["learning_rate_init"],
        },
    )


class Recording(MLPClassifier):
    """glassnet's MLPClassifier, logging each fit (same parameters, same fit)."""

    def fit(self, X, y, sample_weight=None):
        record_fit(self)
        return super().fit(X, y, sample_weight=sample_weight)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=40,  # errors only
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def data():
    X, y = gn.datasets.moons(150, noise=0.2, seed=0)
    return X, np.where(y == 1, "upper", "lower")


def fits_logged(client) -> list[dict]:
    return [message for _, message in client.get_events(FITS)]


def searched(make_search, data, client):
    """cv_results_ on the cluster, cv_results_ here, and the fits' log."""
    X, y = data
    before = len(fits_logged(client))
    with joblib.parallel_backend("dask"):
        remote = make_search().fit(X, y)
    log = fits_logged(client)[before:]
    local = make_search().fit(X, y)  # n_jobs=None: sequential, in this process
    return remote, local, log


def assert_same_results(remote, local):
    for key in local.cv_results_:
        if key.endswith("_time"):
            continue
        np.testing.assert_array_equal(
            np.asarray(remote.cv_results_[key]), np.asarray(local.cv_results_[key]),
            err_msg=key,
        )  # fmt: skip
    assert remote.best_params_ == local.best_params_
    for mine, theirs in zip(
        remote.best_estimator_.coefs_, local.best_estimator_.coefs_, strict=True
    ):
        np.testing.assert_array_equal(mine, theirs)


def assert_fitted_on_the_workers(client, log, n_fits):
    worker_pids = set(client.run(os.getpid).values())
    assert len(log) == n_fits  # every fit of the search, the final refit aside
    assert {entry["pid"] for entry in log} <= worker_pids
    assert os.getpid() not in {entry["pid"] for entry in log}
    # both worker processes took part
    assert {entry["worker"] for entry in log} == set(client.run(os.getpid))


@pytest.mark.filterwarnings("ignore::UserWarning")  # ConvergenceWarning at 40
def test_grid_search_runs_on_the_workers_with_the_local_numbers(client, data):
    grid = {"hidden_layer_sizes": [(4,), (8,)], "learning_rate_init": [0.003, 0.03]}

    def make_search():
        return GridSearchCV(Recording(**SETTINGS), grid, cv=3)

    remote, local, log = searched(make_search, data, client)
    assert_fitted_on_the_workers(client, log, n_fits=4 * 3)
    assert_same_results(remote, local)
    settings = sorted((tuple(e["hidden"]), e["learning_rate"]) for e in log)
    assert settings == sorted((h, r) for h in [(4,), (8,)] for r in [0.003, 0.03] * 3)
    # learning is real: the best setting separates the moons
    assert remote.best_score_ > 0.8


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_randomized_search_draws_the_same_candidates_on_the_cluster(client, data):
    space = {
        "hidden_layer_sizes": [(2,), (4,), (8,), (16,)],
        "learning_rate_init": [0.001, 0.003, 0.01, 0.03],
        "alpha": [1e-4, 1e-2],
    }

    def make_search():
        return RandomizedSearchCV(
            Recording(**SETTINGS), space, n_iter=5, cv=2, random_state=7
        )

    remote, local, log = searched(make_search, data, client)
    assert_fitted_on_the_workers(client, log, n_fits=5 * 2)
    assert_same_results(remote, local)
    assert remote.cv_results_["params"] == local.cv_results_["params"]


# ------------------------------------------------------------------ BLAS threads


def blas_in_use(client) -> dict[str, set[int]]:
    def counts():
        return {
            pool["num_threads"]
            for pool in threadpoolctl.threadpool_info()
            if pool["user_api"] == "blas"
        }

    return client.run(counts)


@pytest.mark.parametrize(
    ("cores", "fits", "expected"),
    [(16, 4, 4), (16, 3, 5), (2, 2, 1), (2, 1, 2), (2, 8, 1), (1, 1, 1)],
)
def test_blas_threads_share_the_cores_among_the_fits(cores, fits, expected):
    assert gn_dask.blas_threads(cores, fits) == expected


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_blas_threads_refuses_non_positive_counts(bad):
    with pytest.raises((ValueError, TypeError), match="cores"):
        gn_dask.blas_threads(bad, 1)


def test_set_blas_threads_gives_each_worker_its_share(client):
    cores = len(os.sched_getaffinity(0))
    share = max(1, cores // 2)  # 2 workers × 1 thread on this host: 2 fits at once
    workers = client.run(os.getpid)
    try:
        other = share + 1  # a count the default would not give, to see it change
        assert gn_dask.set_blas_threads(client, threads=other) == dict.fromkeys(
            workers, other
        )
        assert blas_in_use(client) == dict.fromkeys(workers, {other})
        assert gn_dask.set_blas_threads(client) == dict.fromkeys(workers, share)
        assert blas_in_use(client) == dict.fromkeys(workers, {share})
    finally:
        gn_dask.set_blas_threads(client)


def test_a_worker_that_joins_later_gets_the_setting_too(client):
    cluster = client.cluster
    cores = len(os.sched_getaffinity(0))
    other = max(1, cores // 2) + 1  # not what the nanny's default (1) gives
    gn_dask.set_blas_threads(client, threads=other)
    cluster.scale(3)
    client.wait_for_workers(3, timeout=60)
    try:
        counts = blas_in_use(client)
        assert len(counts) == 3
        assert counts == dict.fromkeys(counts, {other})
    finally:
        cluster.scale(2)
        deadline = time.monotonic() + 60
        while len(client.scheduler_info()["workers"]) > 2:
            assert time.monotonic() < deadline, "the third worker did not leave"
            time.sleep(0.1)
        gn_dask.set_blas_threads(client)
