"""Run many independent model runs (ensemble members) in-process, on a process pool or on Dask.

A job is a picklable task handed to a module-level function that runs in the worker and returns only
what the caller keeps (for a forecast: a few variables over the forecast months), so only small arrays
travel back; results are handed to the caller one by one as they finish (``run_jobs`` is a generator)
to be written into the output in place: nothing gathers every replicate's tallies in one process.

Every draw in a run is keyed by (seed, replicate, decision, day, id), so a job's result does not depend on
where or in which order it ran: in-process, pool and Dask give identical results for the same seeds.

Dask (the default for more than one worker): without ``scheduler`` a ``LocalCluster`` of ``workers``
single-threaded processes starts for the job (a few seconds); ``scheduler="tcp://host:8786"`` uses an
existing cluster (its workers need routesim installed at the same version).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any, TypeVar

from tqdm import tqdm

from sim.core import ModelConfig, ReplicateResult, RouteModel
from sim.errors import InputError
from sim.run.workers import stop_pool, worker_setup

ENGINES = ("auto", "serial", "pool", "dask")
J = TypeVar("J")


def replicate_run(job: tuple[ModelConfig, int]) -> ReplicateResult:
    """The plain job: one replicate of one configuration, all its tallies."""
    config, replicate = job
    return RouteModel(config, replicate).run()


class Executor:
    """Where jobs run, kept open across batches (a calibration asks for trials batch by batch).

    ``engine``: ``serial`` (this process), ``pool`` (a process pool of ``workers``), ``dask`` (a local
    cluster of ``workers``, or the cluster at ``scheduler``); ``auto`` is ``dask`` when a scheduler is
    given or there is more than one worker, else ``serial``.
    """

    def __init__(self, workers: int = 1, engine: str = "auto", scheduler: str | None = None) -> None:
        if engine not in ENGINES:
            raise InputError(f"engine: '{engine}' is not one of {', '.join(ENGINES)}")
        if engine == "auto":
            engine = "dask" if scheduler or workers > 1 else "serial"
        self.engine, self.workers, self.scheduler = engine, max(1, workers), scheduler
        self._stack = contextlib.ExitStack()
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None

    def __enter__(self) -> Executor:
        if self.engine == "pool":
            ctx = get_context("fork" if sys.platform.startswith("linux") else "spawn")
            self._pool = self._stack.enter_context(ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                                                       initializer=worker_setup))
        elif self.engine == "dask":
            from distributed import Client, LocalCluster

            if self.scheduler:
                try:
                    self._client = self._stack.enter_context(Client(self.scheduler, timeout="20s"))
                except OSError as exc:
                    raise InputError(f"--scheduler: cannot reach a Dask scheduler at {self.scheduler} "
                                     f"({exc})") from None
            else:
                cluster = self._stack.enter_context(LocalCluster(
                    n_workers=self.workers, threads_per_worker=1, processes=True, dashboard_address=None,
                    silence_logs=logging.CRITICAL))  # shutdown chatter is not the user's business
                self._client = self._stack.enter_context(Client(cluster))
        return self

    def __exit__(self, exc_type: type | None, *exc: object) -> None:
        if exc_type is not None and self._pool is not None:  # interrupted or failed: do not wait for the rest
            stop_pool(self._pool)
        self._stack.close()

    def run(self, fn: Callable[[J], Any], jobs: Sequence[J]) -> Iterator[tuple[int, Any]]:
        """Yield (job index, ``fn(job)``) as jobs finish, in completion order."""
        if self.engine == "serial":
            for i, job in enumerate(jobs):
                yield i, fn(job)
        elif self.engine == "pool":
            futures = {self._pool.submit(fn, job): i for i, job in enumerate(jobs)}
            for f in as_completed(futures):
                yield futures.pop(f), f.result()
        else:
            yield from self._dask(fn, jobs)

    def _dask(self, fn: Callable, jobs: Sequence) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed as dask_completed

        batch = uuid.uuid4().hex[:12]
        futures = [self._client.submit(fn, job, pure=False, key=f"routesim-{batch}-{i}")
                   for i, job in enumerate(jobs)]
        index = {f.key: i for i, f in enumerate(futures)}
        finished = dask_completed(futures)
        del futures  # only as_completed holds them now; each is released once its result is read
        for future in finished:
            result = future.result()
            i = index.pop(future.key)
            future.release()
            yield i, result


def run_jobs(fn: Callable[[J], Any], jobs: Sequence[J], workers: int = 1, engine: str = "auto",
             scheduler: str | None = None, progress: bool = False, desc: str = "runs",
             ) -> Iterator[tuple[int, Any]]:
    """Yield (job index, ``fn(job)``) as jobs finish, on an executor opened for these jobs only."""
    bar = tqdm(total=len(jobs), unit="run", desc=desc, disable=not progress, leave=False)
    try:
        with Executor(min(workers, max(1, len(jobs))), engine, scheduler) as ex:
            for item in ex.run(fn, jobs):
                bar.update(1)
                yield item
    finally:
        bar.close()
