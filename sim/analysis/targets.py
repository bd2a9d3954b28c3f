"""The fit against the targets issue 20 set for the baseline ("Demand from data"), scored from the fit report's
own tables, so that a regenerated report says by itself which targets the fit meets and by how much.

Each row is one target: what it asks, the figure the fit reaches, the comparison figure (the naive last-year
forecast's where the target is to beat it) and whether it is met. Out-of-sample rows come from a fit with
held-out years: the report of that fit itself, or the adopted fit's report reading the held-out fit beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.fit_report import DEFAULT_TARGETS

CROSSINGS = "arrivals_vs_detections"
DEATHS = "dead_missing_sea_vs_dead_missing"
CROSSINGS_WITHIN = 0.60  # share of route-years within ±25% of Frontex
CENTRAL_MED_YEARS = 8  # of 11, within ±25%
DEATHS_WITHIN = 0.50  # share of route-years within ±35% of IOM
INTERVAL_COVERAGE = 0.70  # share of route-years inside the 90% interval, crossings and deaths
LIBYA_YEARS = (2017, 2023)  # the DTM rounds the Libya target names


@dataclass(frozen=True)
class Target:
    target: str
    asked: str
    result: str
    comparison: str
    met: bool


def _share(flags: pd.Series) -> float:
    return float(np.mean(flags.astype(bool))) if len(flags) else float("nan")


def _rows(table: pd.DataFrame, target: str, period: str | None) -> pd.DataFrame:
    rows = table[table["target"] == target]
    if period is not None and "period" in rows.columns:
        rows = rows[rows["period"] == period]
    return rows


def _error_against_naive(rows: pd.DataFrame) -> tuple[float, float]:
    """Median |error| % of the model and of the naive forecast, over the rows that have both."""
    both = rows.dropna(subset=["error_pct", "naive_error_pct"])
    return float(both["error_pct"].abs().median()), float(both["naive_error_pct"].abs().median())


def in_sample_targets(table: pd.DataFrame) -> list[Target]:
    """Crossings, deaths and interval targets over the fit table's in-sample rows (all rows if unlabelled)."""
    period = "in-sample" if "period" in table.columns else None
    out = []
    cross, deaths = _rows(table, CROSSINGS, period), _rows(table, DEATHS, period)
    if len(cross):
        s = _share(cross["within_tolerance"])
        out.append(Target("crossings within ±25% of Frontex", f"≥ {CROSSINGS_WITHIN:.0%} of route-years",
                          f"{s:.0%} of {len(cross)}", "", s >= CROSSINGS_WITHIN))
        cm = cross[cross["route"] == "central_med"]
        k, need = int(cm["within_tolerance"].astype(bool).sum()), math.ceil(CENTRAL_MED_YEARS / 11 * len(cm))
        asked = f"≥ {CENTRAL_MED_YEARS} of 11 years" + (f" ({need} of {len(cm)})" if len(cm) != 11 else "")
        out.append(Target("Central Mediterranean crossings within ±25%", asked, f"{k} of {len(cm)}", "",
                          bool(len(cm)) and k >= need))
    if len(deaths):
        s = _share(deaths["within_tolerance"])
        out.append(Target("dead and missing within ±35% of IOM", f"≥ {DEATHS_WITHIN:.0%} of route-years",
                          f"{s:.0%} of {len(deaths)}", "", s >= DEATHS_WITHIN))
    for label, rows in (("crossings", cross), ("dead and missing", deaths)):
        if len(rows):
            model, naive = _error_against_naive(rows)
            out.append(Target(f"{label}, median absolute error", "below the naive last-year forecast's",
                              f"{model:.1f}%", f"naive {naive:.1f}%", model < naive))
    column = "inside_90_pred" if "inside_90_pred" in table.columns else "inside_90"
    for label, rows in (("crossings", cross), ("dead and missing", deaths)):
        if len(rows):
            s = _share(rows[column])
            out.append(Target(f"{label} inside the 90% interval", f"≥ {INTERVAL_COVERAGE:.0%} of route-years",
                              f"{s:.0%} of {len(rows)}", "", s >= INTERVAL_COVERAGE))
    return out


def out_of_sample_targets(table: pd.DataFrame, source: str = "") -> list[Target]:
    """Crossings on the held-out years: beat the naive last-year forecast's share within ±25% and its median
    |error|, on the same route-years."""
    rows = _rows(table, CROSSINGS, "out-of-sample") if "period" in table.columns else table.iloc[0:0]
    rows = rows.dropna(subset=["naive_error_pct"])
    if rows.empty:
        return []
    where = f" ({source})" if source else ""
    years = f"{int(rows['year'].min())}-{int(rows['year'].max())}"
    k = int(rows["within_tolerance"].astype(bool).sum())
    tolerance = next(t.tolerance for t in DEFAULT_TARGETS if t.name == CROSSINGS)  # the report's own
    k_naive = int((rows["naive_error_pct"].abs() <= 100 * tolerance).sum())
    model, naive = _error_against_naive(rows)
    return [Target(f"out of sample {years}: crossings within ±25%{where}", "more route-years than naive",
                   f"{k} of {len(rows)}", f"naive {k_naive} of {len(rows)}", k > k_naive),
            Target(f"out of sample {years}: crossings, median absolute error{where}", "below naive",
                   f"{model:.1f}%", f"naive {naive:.1f}%", model < naive)]


def stock_targets(stocks: pd.DataFrame, libya: pd.DataFrame) -> list[Target]:
    """Syrians in Türkiye within ±15% of UNHCR every year; migrants in Libya within ±30% of every DTM round
    2017-2023 (tables of :mod:`sim.analysis.stock_fit`)."""
    out = []
    if not stocks.empty and "turkiye" in set(stocks["host"]):
        tr = stocks[stocks["host"] == "turkiye"]
        k = int(tr["within_tolerance"].sum())
        out.append(Target("Türkiye's stock within ±15% of UNHCR (end of year)", "every year",
                          f"{k} of {len(tr)} years", "", k == len(tr)))
    if not libya.empty:
        year = pd.to_datetime(libya["period_end"]).dt.year
        rounds = libya[(year >= LIBYA_YEARS[0]) & (year <= LIBYA_YEARS[1])]
        k = int(rounds["within_tolerance"].sum())
        out.append(Target(f"migrants in Libya within ±30% of the IOM DTM rounds {LIBYA_YEARS[0]}-{LIBYA_YEARS[1]}",
                          "every round", f"{k} of {len(rounds)} rounds", "", k == len(rounds)))
    return out


def held_out_table(out: Path) -> tuple[pd.DataFrame | None, str]:
    """The fit table of the held-out fit kept beside ``out`` (a folder ``<out name>-until-<year>``), and its
    folder's name; (None, "") when there is none."""
    for folder in sorted(Path(out).parent.glob(f"{Path(out).name}-until-*")):
        path = folder / "fit_table.csv"
        if path.is_file():
            return pd.read_csv(path), folder.name
    return None, ""


def scorecard(targets: Sequence[Target], free_values: int) -> str:
    """Markdown section: one row per target, and how many of them the fit meets."""
    if not targets:
        return ""
    met = sum(t.met for t in targets)
    lines = ["## Against the targets of issue 20", "",
             f"{met} of {len(targets)} targets met, with {free_values} free values fitted and no per-year or "
             "per-route-year factor. The scale test (1/10 against full scale) is a test of the suite "
             "(tests/test_scale.py), not of this report.", "",
             "| target | asked | result | compared with | met |", "|---|---|---|---|---|"]
    lines += [f"| {t.target} | {t.asked} | {t.result} | {t.comparison} | {'yes' if t.met else 'no'} |"
              for t in targets]
    return "\n".join(lines) + "\n"
