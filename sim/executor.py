"""Run many independent model runs (ensemble members) in-process, on a process pool or on Dask.

A job is a picklable task handed to a module-level function that runs in the worker and returns only
what the caller keeps (for a forecast: a few variables over the forecast months), so only small arrays
travel back; results are handed to the caller one by one as they finish (``run_jobs`` is a generator)
to be written into the output in place: nothing gathers every replicate's tallies in one process.

Every draw in a run is keyed by (seed, replicate, decision, day, id), so a job's result does not depend on
where or in which order it ran: in-process, pool and Dask give identical results for the same seeds.

Dask: ``scheduler=None`` and ``engine="dask"`` start a ``LocalCluster`` of ``workers`` single-threaded
processes; ``scheduler="tcp://host:8786"`` uses an existing cluster (its workers need routesim installed
at the same version).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any, TypeVar

from tqdm import tqdm

from sim.errors import InputError
from sim.model import ModelConfig, ReplicateResult, RouteModel

ENGINES = ("auto", "serial", "pool", "dask")
J = TypeVar("J")


def replicate_run(job: tuple[ModelConfig, int]) -> ReplicateResult:
    """The plain job: one replicate of one configuration, all its tallies."""
    config, replicate = job
    return RouteModel(config, replicate).run()


def run_jobs(fn: Callable[[J], Any], jobs: Sequence[J], workers: int = 1, engine: str = "auto",
             scheduler: str | None = None, progress: bool = False, desc: str = "runs",
             ) -> Iterator[tuple[int, Any]]:
    """Yield (job index, ``fn(job)``) as jobs finish, in completion order.

    ``engine``: ``serial`` (this process), ``pool`` (a process pool of ``workers``), ``dask`` (a local
    cluster of ``workers``, or the cluster at ``scheduler``); ``auto`` is ``dask`` when a scheduler is
    given, else ``pool`` for more than one worker, else ``serial``.
    """
    if engine not in ENGINES:
        raise InputError(f"engine: '{engine}' is not one of {', '.join(ENGINES)}")
    if engine == "auto":
        engine = "dask" if scheduler else ("pool" if workers > 1 and len(jobs) > 1 else "serial")
    bar = tqdm(total=len(jobs), unit="run", desc=desc, disable=not progress, leave=False)
    try:
        if engine == "serial":
            stream = ((i, fn(job)) for i, job in enumerate(jobs))
        elif engine == "pool":
            stream = _pool(fn, jobs, workers)
        else:
            stream = _dask(fn, jobs, workers, scheduler)
        for item in stream:
            bar.update(1)
            yield item
    finally:
        bar.close()


def _pool(fn: Callable, jobs: Sequence, workers: int) -> Iterator[tuple[int, Any]]:
    ctx = get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))), mp_context=ctx) as pool:
        futures = {pool.submit(fn, job): i for i, job in enumerate(jobs)}
        for f in as_completed(futures):
            yield futures.pop(f), f.result()


def _dask(fn: Callable, jobs: Sequence, workers: int, scheduler: str | None) -> Iterator[tuple[int, Any]]:
    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = stack.enter_context(Client(scheduler, timeout="20s"))
            except OSError as exc:
                raise InputError(f"--scheduler: cannot reach a Dask scheduler at {scheduler} ({exc})") from None
        else:
            cluster = stack.enter_context(LocalCluster(
                n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None,
                silence_logs=40))
            client = stack.enter_context(Client(cluster))
        futures = [client.submit(fn, job, pure=False, key=f"routesim-run-{i}")
                   for i, job in enumerate(jobs)]
        index = {f.key: i for i, f in enumerate(futures)}
        finished = dask_completed(futures)
        del futures  # only as_completed holds them now; each is released once its result is read
        for future in finished:
            result = future.result()
            i = index.pop(future.key)
            future.release()
            yield i, result
