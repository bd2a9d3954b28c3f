"""Model discrepancy: how far the record strays from the fitted model beyond the model's own randomness.

The replicates of a fitted model spread by chance and by the fitted values' uncertainty only; the record also
differs by what the model leaves out (structural error). Left out, that makes the 90% interval hold the record
in one route-year of ten (calibration/HISTORY.md). Here that error is a zero-mean term on the log scale, one
standard deviation per target and route, estimated from the log errors of the median over the fitting years
only (so the held-out years of an out-of-sample fit test it), and added in quadrature to the replicates' own
spread when an interval is read. Zero mean on purpose: a mean would be a per-route factor copying the record's
level (the errors' mean still widens the term, as it enters their mean square).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

Z90 = 1.6448536269514722  # standard normal quantile at 0.95: a central 90% interval is median x exp(+-Z90 sd)
SHRINK_YEARS = 4.0  # assumption: a route's own variance counts as n years against 4 of its target's pooled one


def _log(x: pd.Series | np.ndarray) -> np.ndarray:
    return np.log1p(np.maximum(np.asarray(x, dtype=float), 0.0))


def estimate(table: pd.DataFrame, years: tuple[int, int]) -> dict[str, dict[str, float]]:
    """Per target and route of a fit table (:func:`sim.analysis.fit_report.fit_table`), the discrepancy's
    standard deviation on the log scale, from the rows in ``years`` (inclusive): the route's mean squared log
    error of the median, shrunk towards its target's pooled value (eleven years are few for a variance) by
    ``SHRINK_YEARS``, less the replicates' own variance there (never below zero)."""
    rows = table[(table["year"] >= years[0]) & (table["year"] <= years[1])]
    excess = (_log(rows["observed"]) - _log(rows["sim_median"])) ** 2 - _spread(rows) ** 2
    rows = rows.assign(excess=excess)
    out: dict[str, dict[str, float]] = {}
    for target, grp in rows.groupby("target", sort=False):
        pooled = float(grp["excess"].mean())
        by_route = grp.groupby("route", sort=False)["excess"].agg(["sum", "count"])
        var = (by_route["sum"] + SHRINK_YEARS * pooled) / (by_route["count"] + SHRINK_YEARS)
        out[str(target)] = {str(r): float(np.sqrt(max(v, 0.0))) for r, v in var.items()}
    return out


def _spread(rows: pd.DataFrame) -> np.ndarray:
    """The replicates' own standard deviation on the log scale, read off their 90% interval."""
    return (_log(rows["sim_p95"]) - _log(rows["sim_p05"])) / (2 * Z90)


def widen(table: pd.DataFrame, sd: dict[str, dict[str, float]]) -> pd.DataFrame:
    """The fit table with ``pred_p05``, ``pred_p95`` (the 90% interval with the discrepancy added in quadrature
    to the replicates' spread, around their median) and ``inside_90_pred``; rows of a target or route without
    an estimate keep the replicates' interval."""
    out = table.copy()
    extra = np.array([sd.get(t, {}).get(r, 0.0) for t, r in zip(out["target"], out["route"], strict=True)])
    total = np.sqrt(_spread(out) ** 2 + extra ** 2)
    centre = _log(out["sim_median"])
    out["pred_p05"] = np.expm1(centre - Z90 * total)
    out["pred_p95"] = np.expm1(centre + Z90 * total)
    out["inside_90_pred"] = (out["pred_p05"] <= out["observed"]) & (out["observed"] <= out["pred_p95"])
    return out
