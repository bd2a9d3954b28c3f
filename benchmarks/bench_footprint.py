"""Live agents and peak memory of the baseline against the footprint estimate (sim/run/footprint.py).

    python benchmarks/bench_footprint.py [--scale 0.1] [--years 11] [--variant baseline|x100]

One replicate in this process. ``x100`` multiplies every origin's level by 100 (capped at the intensity
limit). Run one per process: peak RSS is the process's own.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import resource
import time
from pathlib import Path

from sim.core.model import RouteModel
from sim.io.scenario import load_scenario
from sim.run import build_config
from sim.run.footprint import estimate

ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--scale", type=float, default=0.1, help="agents per person")
    ap.add_argument("--years", type=int, default=11, help="simulate the first N years of the period")
    ap.add_argument("--variant", choices=("baseline", "x100"), default="baseline")
    args = ap.parse_args()
    scn = load_scenario(args.scenario)
    ivs = scn.interventions
    if args.variant == "x100":
        ivs = tuple(dataclasses.replace(s, intensity=min(100.0, s.intensity * 100)) if s.id.startswith("level_")
                    else s for s in ivs)
    scn = dataclasses.replace(scn, interventions=ivs, agents_per_person=args.scale,
                              period_end=dt.date(scn.period_start.year + args.years - 1, 12, 31))
    fp = estimate(scn)
    model = RouteModel(build_config(scn), 0)
    before = _rss_mb()
    peak_rows = peak_live = sum_live = days = 0
    t0 = time.perf_counter()
    while model.day < model.n_days:
        model.step()
        pop = model.world.pop
        live = pop.n - pop.n_final_rows
        sum_live, days = sum_live + live, days + 1
        peak_rows, peak_live = max(peak_rows, pop.n), max(peak_live, live)
    print(f"{args.variant} at scale {args.scale}, {args.years} years: {time.perf_counter() - t0:.0f} s")
    print(f"live agents: mean {sum_live / days:,.0f}, peak {peak_live:,} (rows held {peak_rows:,}); "
          f"estimate {fp.live_agents:,}")
    print(f"memory: {before:.0f} MB before the run, peak {_rss_mb():.0f} MB; estimate "
          f"{fp.bytes_per_process / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
