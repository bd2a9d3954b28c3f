"""Run a scenario: replicates in worker processes, results as one Dataset, outputs written atomically.

``run_scenario(path)`` is the one obvious way in from Python; ``routesim run`` is a thin layer over it.
Replicates are independent models whose every draw is keyed by (seed, replicate, decision, day, id),
so the results do not depend on the number of worker processes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import queue
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import xarray as xr
from tqdm import tqdm

from sim import __version__
from sim.model import ModelConfig, ReplicateResult, RouteModel
from sim.network import load_network
from sim.parameters import resolve
from sim.results import summary_table, to_dataset
from sim.scenario import Scenario, load_scenario

_PROGRESS: queue.Queue | None = None


def build_config(scn: Scenario, seed: int | None = None, check_conservation: bool = False) -> ModelConfig:
    net = load_network(scn.network)
    start = scn.period_start
    spin_start = dt.date(start.year - (scn.spinup_months + 12 - start.month) // 12,
                         (start.month - 1 - scn.spinup_months) % 12 + 1, 1)
    return ModelConfig(net=net, params=resolve(scn.parameters), interventions=scn.interventions,
                       start=start, end=scn.period_end, spinup_days=(start - spin_start).days,
                       agents_per_person=scn.agents_per_person, seed=scn.seed if seed is None else seed,
                       check_conservation=check_conservation)


def _init_worker(progress: queue.Queue | None) -> None:
    global _PROGRESS
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
            q = ctx.Manager().Queue() if progress else None
            with ProcessPoolExecutor(max_workers=min(workers, replicates), mp_context=ctx,
                                     initializer=_init_worker, initargs=(q,)) as pool:
                futures = [pool.submit(_run_replicate, config, r) for r in range(replicates)]
                while not all(f.done() for f in futures):
                    _drain(q, bar, timeout=0.5)
                    time.sleep(0.05 if q is None else 0)
                _drain(q, bar, timeout=0)
                results = [f.result() for f in futures]
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


def provenance(scn: Scenario, seed: int, replicates: int) -> dict:
    return {
        "scenario_name": scn.name,
        "scenario_description": scn.description,
        "scenario_file": str(scn.source) if scn.source else "",
        "scenario_sha256": scn.sha256,
        "seed": int(seed),
        "replicates": int(replicates),
        "agents_per_person": scn.agents_per_person,
        "routesim_version": __version__,
        "git_commit": _git_commit(),
        "network_sha256": _folder_hash(scn.network),
        "data_vintage": "route network and parameters as in data/network (uncalibrated, see docs/model.md)",
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def peak_memory_mb() -> float:
    """Peak resident memory of this process and of its finished worker processes, whichever is larger."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


@contextlib.contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """A temporary sibling folder to write into, renamed to OUT only if the block succeeds: never a
    half-written OUT, and an existing OUT is replaced whole."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the output folder is meant to be shared
    try:
        yield tmp
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_netcdf(ds: xr.Dataset, path: Path) -> None:
    encoding = {v: {"zlib": True, "complevel": 4} for v in ds.data_vars}
    ds.to_netcdf(path, engine="h5netcdf", encoding=encoding)


def write_outputs(out: Path, ds: xr.Dataset, meta: dict, scn: Scenario, plots: bool = True) -> None:
    """Write results.nc, summary.csv, plots, scenario.yaml and run.json into OUT, atomically."""
    from sim.plots import plot_all

    with atomic_folder(out) as tmp:
        write_netcdf(ds, tmp / "results.nc")
        summary_table(ds).to_csv(tmp / "summary.csv", index=False, float_format="%.6g")
        if plots:
            plot_all(ds, tmp / "plots")
        (tmp / "scenario.yaml").write_text(scn.to_yaml(), encoding="utf-8")
        (tmp / "run.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _git_commit() -> str:
    try:
        root = Path(__file__).resolve().parents[1]
        return subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _folder_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(Path(folder).glob("*.csv")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()
