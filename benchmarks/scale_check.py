"""Does the answer depend on the scale? Annual arrivals and dead and missing per route at two scales.

    python benchmarks/scale_check.py [--scales 0.1 1] [--replicates 4] [--set name=value ...]

Runs ``replicates`` replicates of the scenario at each of two ``agents_per_person`` values (in this process,
one after the other), sums the monthly tallies to calendar years, and prints per route-year the two means,
their ratio and z = (mean_a - mean_b) / sqrt(se_a^2 + se_b^2), with se from the replicates' spread. A
route-year agrees when |ratio - 1| <= 5% or |z| <= 3.5; the script exits 1 if any does not. ``agents_per_person``
is a precision knob (style.md 18): the expected answer must not move with it.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

from sim.core.model import RouteModel
from sim.io.scenario import load_scenario
from sim.run import build_config

ROOT = Path(__file__).resolve().parents[1]
OUTCOMES = ("arrivals", "dead_missing")
MAX_RATIO_GAP = 0.05
MAX_Z = 3.5


def annual(scenario: Path, scale: float, replicates: int, params: dict[str, float] | None = None,
           ) -> tuple[dict[str, np.ndarray], list[int], list[str], float]:
    """Per outcome, (replicates, years, routes) annual totals in persons; the years, routes and wall seconds."""
    scn = dataclasses.replace(load_scenario(scenario), agents_per_person=scale)
    config = build_config(scn)
    if params:
        config = dataclasses.replace(config, params={**config.params, **params})
    t0 = time.perf_counter()
    results = [RouteModel(config, r).run() for r in range(replicates)]
    wall = time.perf_counter() - t0
    years = sorted({m.year for m in results[0].months})
    year_of = np.array([years.index(m.year) for m in results[0].months])
    out = {}
    for name in OUTCOMES:
        monthly = np.stack([res.route[name] for res in results])  # (replicates, months, routes)
        out[name] = np.stack([monthly[:, year_of == y].sum(axis=1) for y in range(len(years))], axis=1)
    return out, years, list(config.net.routes), wall


def compare(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ratio of means and z of their difference, elementwise over (years, routes); inputs (replicates, ...)."""
    ma, mb = a.mean(axis=0), b.mean(axis=0)
    se2 = a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b)
    ratio = np.divide(ma, mb, out=np.ones_like(ma), where=mb > 0)
    z = np.divide(ma - mb, np.sqrt(se2), out=np.zeros_like(ma), where=se2 > 0)
    return ratio, z


def failing(ratio: np.ndarray, z: np.ndarray) -> np.ndarray:
    return (np.abs(ratio - 1) > MAX_RATIO_GAP) & (np.abs(z) > MAX_Z)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--scales", type=float, nargs=2, default=[0.1, 1.0], metavar=("A", "B"))
    ap.add_argument("--replicates", type=int, default=4)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="override a parameter")
    args = ap.parse_args(argv)
    params = {k: float(v) for k, v in (s.split("=", 1) for s in args.set)}
    runs = [annual(Path(args.scenario), s, args.replicates, params) for s in args.scales]
    (a, years, routes, wall_a), (b, _, _, wall_b) = runs
    print(f"scales {args.scales[0]:g} vs {args.scales[1]:g}, {args.replicates} replicates each; "
          f"wall {wall_a:.0f} s and {wall_b:.0f} s")
    bad = 0
    for name in OUTCOMES:
        ratio, z = compare(a[name], b[name])
        fails = failing(ratio, z)
        bad += int(fails.sum())
        print(f"\n{name}: mean at {args.scales[0]:g} / mean at {args.scales[1]:g} (z)")
        print("year  " + "".join(f"{r:>24s}" for r in routes))
        for i, y in enumerate(years):
            cells = [f"{a[name][:, i, j].mean():9.0f} {ratio[i, j]:5.2f} ({z[i, j]:+5.1f}){'*' if fails[i, j] else ' '}"
                     for j in range(len(routes))]
            print(f"{y}  " + "".join(f"{c:>24s}" for c in cells))
    print(f"\n{bad} route-years fail (|ratio - 1| > {MAX_RATIO_GAP:.0%} and |z| > {MAX_Z})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
