"""Where common random numbers lose their pairing: migrant by migrant, in one paired replicate.

    python benchmarks/crn_pairing.py ALTERNATIVE.yaml [--baseline scenarios/baseline.yaml] [--scale 0.05]
        [--from 2019] [--replicate 0] [--origin NAME] [--set PARAM=VALUE ...]

`routesim compare` reports how much of the noise pairing removes from each headline (crn.csv). This
script says why the rest remains. It runs replicate r of the baseline and of the alternative (the same
random streams, as `compare` does) and follows every migrant by id through both runs:

- of the migrants who reach a final status after the alternative's first lever starts, the share with
  the same status on the same day in both runs, by half-year and by origin;
- for one origin's sea attempts (each a migrant id and attempt number found in both runs): the share that
  reach the coast on the same day, join the boat queue on the same day, board on the same day, and meet the
  same fate at sea.

A migrant the alternative does not touch should have the same history in both runs; where it does not,
a shared quantity it reacts to (a fare, a queue, a belief) differs between the runs. ``--set`` changes a
parameter in both runs (e.g. ``--set price_adjust_rate=0`` freezes fares) to see which feedback carries
the difference. Runs in this process, on one core; at 1/20 scale from 2019 each run takes about 30 s.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.compare import align
from sim.core import RouteModel
from sim.core.population import Status
from sim.core.world import World
from sim.io.scenario import load_scenario
from sim.run import build_config

ROOT = Path(__file__).resolve().parents[1]


class Follower:
    """An observer (``RouteModel.observe``) recording each migrant's final status and each sea attempt of
    one origin's migrants."""

    def __init__(self, origin: int, from_day: int) -> None:
        self.followed_origin = origin
        self.from_day = from_day  # on the model's own calendar (day 0 = spin-up start)
        self.finals: list[pd.DataFrame] = []
        self.attempts_log: list[pd.DataFrame] = []

    def finalised(self, world: World, rows: np.ndarray, status: Status) -> None:
        if len(rows):
            pop = world.pop
            self.finals.append(pd.DataFrame({"uid": pop.uid[rows], "status": int(status), "day": world.day,
                                             "origin": pop.origin[rows]}))

    def sailed(self, world: World, rows: np.ndarray, queued_since: np.ndarray) -> None:
        if world.day < self.from_day:
            return
        pop = world.pop
        mine = pop.origin[rows] == self.followed_origin
        r = rows[mine]
        self.attempts_log.append(pd.DataFrame({
            "uid": pop.uid[r], "attempt": pop.attempts[r], "boarded": world.day, "joined": queued_since[mine],
            "at_coast": pop.at_node_since[r], "fate": pop.intent[r]}))


def run_pair(baseline: Path, alternative: Path, scale: float, start_year: int, replicate: int, origin: str,
             overrides: dict[str, float]) -> dict:
    base = load_scenario(baseline)
    base = dataclasses.replace(base, period_start=dt.date(start_year, 1, 1), agents_per_person=scale)
    alt = align(base, load_scenario(alternative), 1, scale)
    lever = min((s.start for s in alt.interventions if s not in base.interventions), default=base.period_start)
    configs = [build_config(scn) for scn in (base, alt)]
    origins = list(configs[0].net.origins)
    if origin not in origins:
        raise SystemExit(f"--origin: {origin!r} is not one of {', '.join(origins)}")
    out: dict = {"origins": origins}
    for name, config in zip(("baseline", "alternative"), configs, strict=True):
        config.params.update(overrides)
        model = RouteModel(config, replicate)
        follower = Follower(origins.index(origin), (lever - model.world.calendar.first_day).days)
        model.observe(follower)
        model.run()
        out[name] = _frame(follower.finals, ["uid", "status", "day", "origin"])
        out[name + "_attempts"] = _frame(follower.attempts_log, ["uid", "attempt", "boarded", "joined", "at_coast",
                                                                 "fate"])
        out["lever_day"] = follower.from_day
    return out


def _frame(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _joined(runs: dict) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Migrants finalised after the lever (either run), and sea attempts found in both runs, side by side."""
    lever = runs["lever_day"]
    b, a = (runs[k].set_index("uid") for k in ("baseline", "alternative"))
    j = b.merge(a, how="outer", left_index=True, right_index=True, suffixes=("_b", "_a"))
    j = j[(j["day_b"].fillna(-1) >= lever) | (j["day_a"].fillna(-1) >= lever)]
    sb, sa = (runs[k].set_index(["uid", "attempt"]) for k in ("baseline_attempts", "alternative_attempts"))
    s = sb.merge(sa, how="inner", left_index=True, right_index=True, suffixes=("_b", "_a"))
    return j, s, len(sb) + len(sa) - 2 * len(s)


def _agreement(j: pd.DataFrame, s: pd.DataFrame) -> dict[str, pd.Series]:
    """Per migrant: the same end on the same day; per sea attempt: the same day at the coast, and in the
    queue, and aboard, and the same fate."""
    coast = s["at_coast_b"] == s["at_coast_a"]
    joined = coast & (s["joined_b"] == s["joined_a"])
    return {"same_end": (j["status_b"] == j["status_a"]) & (j["day_b"] == j["day_a"]), "coast": coast,
            "joined": joined, "boarded": joined & (s["boarded_b"] == s["boarded_a"]),
            "fate": s["fate_b"] == s["fate_a"]}


def pairing(runs: dict) -> dict[str, float]:
    """Shares of migrants (finalised after the lever) and of sea attempts whose histories agree."""
    j, s, unmatched = _joined(runs)
    agree = _agreement(j, s)
    return {"finalised": len(j), "same_end": float(agree["same_end"].mean()), "attempts": len(s),
            "attempts_unmatched": unmatched, "same_boarding": float(agree["boarded"].mean()),
            "same_fate": float(agree["fate"].mean())}


def report(runs: dict, origin: str) -> None:
    lever = runs["lever_day"]
    j, s, _ = _joined(runs)
    agree = _agreement(j, s)
    same, boarded, fate = agree["same_end"], agree["boarded"], agree["fate"]
    print(f"migrants reaching a final status after the lever (either run): {len(j):,}")
    print(f"  same status on the same day in both runs: {same.mean():.1%}; "
          f"same status: {(j['status_b'] == j['status_a']).mean():.1%}")
    half = ((j["day_b"].fillna(j["day_a"]) - lever) // 182.625 / 2).rename("years after the lever")
    print(same.groupby(half).mean().map("{:.1%}".format).to_string())
    names = dict(enumerate(runs["origins"]))
    origin_of = j["origin_b"].fillna(j["origin_a"]).astype(int).map(names).rename("origin")
    by_origin = same.groupby(origin_of).agg(["mean", "size"])
    print("same status and day, by origin:")
    print(by_origin.to_string(formatters={"mean": "{:.1%}".format}))
    n_b, n_a = len(runs["baseline_attempts"]), len(runs["alternative_attempts"])
    print(f"{origin}: sea attempts after the lever in both runs: {len(s):,} (only in the baseline "
          f"{n_b - len(s):,}, only in the alternative {n_a - len(s):,})")
    print(f"  same day at the coast {agree['coast'].mean():.1%}; and in the queue {agree['joined'].mean():.1%}; "
          f"and aboard {boarded.mean():.1%}; same fate at sea {fate.mean():.1%} (boarded the same day: "
          f"{fate[boarded].mean():.1%}; otherwise {fate[~boarded].mean():.1%})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("alternative")
    ap.add_argument("--baseline", default=str(ROOT / "scenarios" / "baseline.yaml"))
    ap.add_argument("--scale", type=float, default=0.05, help="agents per person (default 1/20)")
    ap.add_argument("--from", dest="start", type=int, default=2019, help="first reported year (default 2019)")
    ap.add_argument("--replicate", type=int, default=0)
    ap.add_argument("--origin", default="afghanistan", help="whose sea attempts to follow (default afghanistan)")
    ap.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE",
                    help="a parameter value for both runs, e.g. price_adjust_rate=0")
    args = ap.parse_args()
    overrides = {k: float(v) for k, v in (item.split("=", 1) for item in args.set)}
    runs = run_pair(Path(args.baseline), Path(args.alternative), args.scale, args.start, args.replicate,
                    args.origin, overrides)
    report(runs, args.origin)


if __name__ == "__main__":
    main()
