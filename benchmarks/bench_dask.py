"""Ensemble throughput on Dask: a LocalCluster of 1 worker against 2 (and the process pool, for reference).

    python benchmarks/bench_dask.py [--jobs 8] [--scale 0.05] [--years 4] [--scheduler tcp://host:8786]

Each job is one replicate of the baseline over its first N years; the same jobs run on each engine and
must give identical results. Prints wall seconds, agent-steps per second, the 2-vs-1 speed-up and the peak
memory of the largest worker process. With --scheduler it measures that cluster instead of local ones.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import resource
import time
from pathlib import Path

import numpy as np

from sim.core.model import RouteModel
from sim.io.scenario import load_scenario
from sim.run import build_config
from sim.run.executor import run_jobs

ROOT = Path(__file__).resolve().parents[1]


def job(task: tuple) -> tuple[int, float, np.ndarray]:
    """One replicate: agent-steps, the worker's peak memory (MB), and arrivals as a fingerprint."""
    config, replicate = task
    model = RouteModel(config, replicate)
    result = model.run()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return model.agent_steps, peak, result.route["arrivals"].sum(axis=0)


def measure(tasks: list, engine: str, workers: int, scheduler: str | None = None) -> tuple[float, int, float, list]:
    t0 = time.perf_counter()
    out = dict(run_jobs(job, tasks, workers=workers, engine=engine, scheduler=scheduler))
    wall = time.perf_counter() - t0
    steps = sum(out[i][0] for i in out)
    peak = max(out[i][1] for i in out)
    return wall, steps, peak, [out[i][2] for i in range(len(tasks))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=8)
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--years", type=int, default=4)
    ap.add_argument("--scheduler", default=None)
    args = ap.parse_args()
    scn = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    scn = dataclasses.replace(scn, agents_per_person=args.scale,
                              period_end=dt.date(scn.period_start.year + args.years - 1, 12, 31))
    config = build_config(scn)
    tasks = [(config, r) for r in range(args.jobs)]
    print(f"{args.jobs} jobs: baseline {scn.period_start:%Y-%m}..{scn.period_end:%Y-%m} + spin-up at 1/"
          f"{round(1 / args.scale)} scale")
    runs = ([("dask", 0, args.scheduler)] if args.scheduler else
            [("dask", 1, None), ("dask", 2, None), ("pool", 2, None)])
    rates, fingerprints = {}, []
    for engine, workers, scheduler in runs:
        wall, steps, peak, prints = measure(tasks, engine, workers, scheduler)
        fingerprints.append(prints)
        rates[(engine, workers)] = steps / wall
        label = f"{engine} at {scheduler}" if scheduler else f"{engine}, {workers} worker(s)"
        print(f"{label:22s} {wall:7.1f} s  {steps / wall / 1e6:6.2f} M agent-steps/s  peak worker memory "
              f"{peak:.0f} MB")
    same = all(np.array_equal(a, b) for p in fingerprints[1:] for a, b in zip(fingerprints[0], p, strict=True))
    print(f"identical results on every engine: {same}")
    if ("dask", 1) in rates:
        print(f"speed-up of 2 Dask workers over 1: {rates[('dask', 2)] / rates[('dask', 1)]:.2f}x")


if __name__ == "__main__":
    main()
