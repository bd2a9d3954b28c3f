"""Run a scenario: replicates in worker processes, results as one Dataset, outputs written atomically.

``run_scenario(path)`` is the one obvious way in from Python; ``routesim run`` is a thin layer over it.
Replicates are independent models whose every draw is keyed by (seed, replicate, decision, day, id),
so the results do not depend on the number of worker processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import platform
import queue
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from multiprocessing.managers import SyncManager
from pathlib import Path

import xarray as xr
from tqdm import tqdm

from sim import interventions as iv
from sim.core import ModelConfig, ReplicateResult, RouteModel
from sim.core.parameters import resolve
from sim.io.demand_inputs import load_demand_inputs
from sim.io.network_files import load_network
from sim.io.outputs import check_out, peak_memory_mb, provenance, write_outputs
from sim.io.results import to_dataset
from sim.io.scenario import Scenario, load_scenario
from sim.run.workers import stop_pool, worker_setup

_PROGRESS: queue.Queue | None = None


def build_config(scn: Scenario, seed: int | None = None, check_conservation: bool = False,
                 drivers_as_of: dt.date | None = None) -> ModelConfig:
    """The model's configuration for ``scn``. With ``drivers_as_of`` the demand series are those published by
    that date, each held at its last published value after it (a forecast made then could know no more)."""
    net = load_network(scn.network)
    start = scn.period_start
    spin_start = dt.date(start.year - (scn.spinup_months + 12 - start.month) // 12,
                         (start.month - 1 - scn.spinup_months) % 12 + 1, 1)
    interventions = tuple(iv.make(s, net) for s in scn.interventions)
    demand = load_demand_inputs(scn.network, net, spin_start, dt.date(scn.period_end.year, scn.period_end.month, 1),
                                as_of=drivers_as_of)
    return ModelConfig(net=net, params=resolve(scn.parameters), interventions=interventions,
                       start=start, end=scn.period_end, spinup_days=(start - spin_start).days,
                       agents_per_person=scn.agents_per_person, seed=scn.seed if seed is None else seed,
                       check_conservation=check_conservation, demand=demand)


def _init_worker(progress: queue.Queue | None) -> None:
    global _PROGRESS
    worker_setup()
    _PROGRESS = progress


def _run_replicate(config: ModelConfig, replicate: int) -> ReplicateResult:
    q = _PROGRESS
    return RouteModel(config, replicate).run(None if q is None else q.put)


def simulate(config: ModelConfig, replicates: int, workers: int = 1, progress: bool = True,
             ) -> list[ReplicateResult]:
    """Run the replicates, in order of replicate index whatever the number of workers."""
    total_days = replicates * ((config.end - config.start).days + 1 + config.spinup_days)
    bar = tqdm(total=total_days, unit="day", desc="simulating", disable=not progress, leave=False,
               mininterval=1.0)
    try:
        if workers <= 1 or replicates == 1:
            results = [RouteModel(config, r).run(bar.update) for r in range(replicates)]
        else:
            ctx = get_context("fork" if sys.platform.startswith("linux") else "spawn")
            with contextlib.ExitStack() as stack:
                q = None
                if progress:
                    manager = SyncManager(ctx=ctx)
                    manager.start(worker_setup)  # the queue's server dies with this process too
                    q = stack.enter_context(manager).Queue()
                pool = stack.enter_context(ProcessPoolExecutor(max_workers=min(workers, replicates), mp_context=ctx,
                                                               initializer=_init_worker, initargs=(q,)))
                try:
                    futures = [pool.submit(_run_replicate, config, r) for r in range(replicates)]
                    while not all(f.done() for f in futures):
                        _drain(q, bar, timeout=0.5)
                        time.sleep(0.05 if q is None else 0)
                    _drain(q, bar, timeout=0)
                    results = [f.result() for f in futures]
                except BaseException:  # Ctrl-C, SIGTERM, a failed replicate: stop the other workers now
                    stop_pool(pool)
                    raise
    finally:
        bar.close()
    return results


def _drain(q: queue.Queue | None, bar: tqdm, timeout: float) -> None:
    if q is None:
        return
    try:
        bar.update(q.get(timeout=timeout) if timeout else q.get_nowait())
        while True:
            bar.update(q.get_nowait())
    except queue.Empty:
        pass


def run_scenario(scenario: str | Path | Scenario, out: str | Path | None = None, replicates: int | None = None,
                 seed: int | None = None, workers: int = 1, progress: bool = False, plots: bool = True,
                 ) -> xr.Dataset:
    """Simulate a scenario file (or object); write OUT/ (results.nc, summary.csv, plots, run.json) if asked."""
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    n_rep = replicates if replicates is not None else scn.replicates
    if out is not None:
        check_out(Path(out))  # a folder that cannot take the results is refused before the work, not after
    config = build_config(scn, seed)
    t0 = time.perf_counter()
    results = simulate(config, n_rep, workers=workers, progress=progress)
    wall = time.perf_counter() - t0
    agent_steps = sum(r.agent_steps for r in results)
    attrs = provenance(scn, config.seed, n_rep)
    ds = to_dataset(results, config.net, attrs)
    meta = {
        **attrs,
        "wall_seconds": round(wall, 3),
        "agent_steps": int(agent_steps),
        "agent_steps_per_second": round(agent_steps / wall) if wall > 0 else None,
        "agents_created": int(sum(r.agents_created for r in results)),
        "workers": workers,
        "peak_memory_mb": peak_memory_mb(),
        "python": platform.python_version(),
        "period": [scn.period_start.isoformat(), scn.period_end.isoformat()],
    }
    ds.attrs["wall_seconds"] = meta["wall_seconds"]
    if out is not None:
        write_outputs(Path(out), ds, meta, scn, plots=plots)
    return ds


