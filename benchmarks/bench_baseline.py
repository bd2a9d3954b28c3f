"""Speed and memory of the full-scale baseline: wall seconds, agent-steps per second, peak memory.

    python benchmarks/bench_baseline.py [--replicates 1] [--scale 1] [--years 11] [--profile]

Runs in this process, on one core. Agent-steps are the sum over days of migrants not yet in a final
status (arrived, dead or missing, entered legally, out of the model).
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

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--replicates", type=int, default=1)
    ap.add_argument("--scale", type=float, default=None, help="agents per person (default: the scenario's)")
    ap.add_argument("--years", type=int, default=None, help="simulate only the first N years of the period")
    ap.add_argument("--profile", action="store_true", help="time each process of the day's plan and print the table")
    args = ap.parse_args()
    scn = load_scenario(args.scenario)
    if args.scale is not None:
        scn = dataclasses.replace(scn, agents_per_person=args.scale)
    if args.years is not None:
        scn = dataclasses.replace(scn, period_end=dt.date(scn.period_start.year + args.years - 1, 12, 31))
    config = build_config(scn)
    total_steps, total_wall = 0, 0.0
    for r in range(args.replicates):
        t0 = time.perf_counter()
        model = RouteModel(config, r)
        model.timed = args.profile
        model.run()
        wall = time.perf_counter() - t0
        total_steps += model.agent_steps
        total_wall += wall
        print(f"replicate {r}: {wall:7.1f} s  {model.agent_steps / 1e6:9.1f} M agent-steps  "
              f"{model.agent_steps / wall / 1e6:6.1f} M agent-steps/s  {model.created / 1e6:5.2f} M migrants")
    if args.profile:
        total = sum(model.profile.values())
        print(f"seconds by process (last replicate; {total:.1f} s timed):")
        for name, sec in sorted(model.profile.items(), key=lambda kv: -kv[1]):
            print(f"  {name:32s} {sec:7.2f} s  {100 * sec / total:5.1f}%")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scenario {scn.name}, {scn.period_start:%Y-%m}..{scn.period_end:%Y-%m} + {scn.spinup_months} months "
          f"spin-up, agents_per_person {scn.agents_per_person}")
    print(f"wall seconds per replicate: {total_wall / args.replicates:.1f}")
    print(f"agent-steps per second: {total_steps / total_wall / 1e6:.1f} M")
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
