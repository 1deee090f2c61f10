"""Hyper-parameter searches on a Dask cluster: BLAS threads that fit the cores.

glassnet's scikit-learn estimators run in ``GridSearchCV`` and
``RandomizedSearchCV`` on any ``dask.distributed`` cluster through joblib's Dask
backend; nothing here is needed for that::

    from dask.distributed import Client
    import joblib

    client = Client("tcp://scheduler:8786")   # or Client(LocalCluster(...))
    with joblib.parallel_backend("dask"):
        search.fit(X, y)                       # every fit runs on a worker

What this module adds is the one setting that decides whether such a search is
fast: the number of BLAS threads. A worker process runs ``nthreads`` fits at
once, and each fit's matrix products use the BLAS library's own thread pool;
with ``p`` worker processes on a host of ``c`` cores, the products run on
``p × nthreads × blas`` threads, and anything above ``c`` makes every fit
slower (threads that wait on each other's cores, and OpenBLAS threads that spin
while they wait). The right count for each fit is therefore

    blas = max(1, c // (p × nthreads)).

Dask's nanny starts every worker with ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``
and ``OPENBLAS_NUM_THREADS`` set to 1 (its ``distributed.nanny.pre-spawn-environ``
setting), which is that formula when the worker slots fill the host (``dask
worker``'s default). It is too few when they do not (one single-threaded worker
on an 8-core host computes on one core), and a worker started without a nanny,
or a cluster of threads (``processes=False``), gets the BLAS default of one
thread per core for every concurrent fit: oversubscribed. :func:`set_blas_threads`
sets the formula's count in every worker process of a cluster, present and
future, from the hosts' core counts and the scheduler's view of the workers.
"""

from __future__ import annotations

import os
from typing import Any

from glassnet._validation import check_positive_int

try:  # the dask extra; the formula below works without it
    from distributed import WorkerPlugin as _WorkerPlugin
except ImportError:  # pragma: no cover - exercised only without the extra
    _WorkerPlugin = object

__all__ = ["BlasThreads", "blas_threads", "set_blas_threads"]

PLUGIN_NAME = "glassnet-blas-threads"


def blas_threads(cores: int, fits_at_once: int) -> int:
    """BLAS threads per fit so that all the fits on a host share its cores.

    ``max(1, cores // fits_at_once)``, with ``fits_at_once`` the sum of the
    ``nthreads`` of every worker process on the host.

    Examples
    --------
    >>> blas_threads(cores=16, fits_at_once=4)   # 4 workers × 1 thread
    4
    >>> blas_threads(cores=2, fits_at_once=2), blas_threads(cores=2, fits_at_once=3)
    (1, 1)
    """
    cores = check_positive_int(cores, "cores")
    fits_at_once = check_positive_int(fits_at_once, "fits_at_once")
    return max(1, cores // fits_at_once)


def _cores() -> int:
    """The cores this process may run on (its affinity mask, where there is one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


class BlasThreads(_WorkerPlugin):
    """A worker plugin that sets the process's BLAS and OpenMP thread pools.

    Parameters
    ----------
    threads : int, optional
        The count for every worker. Without it each worker computes
        :func:`blas_threads` from its host's cores and ``fits_by_host``.
    fits_by_host : dict of str to int, optional
        The total ``nthreads`` of the workers on each host, as the scheduler
        saw them; a worker on a host not listed counts only its own.
    """

    name = PLUGIN_NAME
    idempotent = False  # registering again replaces the plugin: new counts apply

    def __init__(
        self, threads: int | None = None, fits_by_host: dict[str, int] | None = None
    ) -> None:
        self.threads = (
            None if threads is None else check_positive_int(threads, "threads")
        )
        self.fits_by_host = dict(fits_by_host or {})

    def setup(self, worker: Any) -> None:
        from threadpoolctl import threadpool_limits

        threads = self.threads
        if threads is None:
            host = _host(worker.address)
            fits = self.fits_by_host.get(host, worker.state.nthreads)
            threads = blas_threads(_cores(), fits)
        # a plain call, not a context: the limit holds for the process's life
        threadpool_limits(limits=threads)
        worker.glassnet_blas_threads = threads


def _host(address: str) -> str:
    """``tcp://10.0.0.5:40321`` -> ``10.0.0.5``."""
    location = address.split("://", 1)[-1]
    return location.rsplit(":", 1)[0]


def set_blas_threads(client: Any, threads: int | None = None) -> dict[str, int]:
    """Set every worker's BLAS threads to its share of its host's cores.

    Registers :class:`BlasThreads` with the cluster, so it applies to every
    worker now and to every worker that joins later (a worker restarted by its
    nanny included). Call it again after adding workers to a host, so that the
    existing ones shrink their share.

    Parameters
    ----------
    client : distributed.Client
    threads : int, optional
        One count for every worker (e.g. 1); by default each worker gets
        ``max(1, cores // fits_at_once)`` for its host.

    Returns
    -------
    dict of str to int
        Each worker's address and the thread count it now uses.

    Example
    -------
    On a 2-core machine (a cluster starts worker processes, so not a doctest)::

        from distributed import Client, LocalCluster
        client = Client(LocalCluster(n_workers=2, threads_per_worker=1))
        set_blas_threads(client)  # {'tcp://127.0.0.1:40001': 1, '...:40002': 1}
    """
    workers = client.scheduler_info(n_workers=-1)["workers"]
    fits_by_host: dict[str, int] = {}
    for address, info in workers.items():
        host = _host(address)
        fits_by_host[host] = fits_by_host.get(host, 0) + int(info["nthreads"])
    client.register_plugin(BlasThreads(threads, fits_by_host), name=PLUGIN_NAME)
    return client.run(_blas_threads_in_use)


def _blas_threads_in_use(dask_worker: Any) -> int:
    return dask_worker.glassnet_blas_threads
