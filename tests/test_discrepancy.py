"""The model discrepancy: estimated from the fitting years only, zero-mean, and what widens the 90% interval
to hold a record the replicates alone miss."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.discrepancy import SHRINK_YEARS, Z90, estimate, widen
from sim.analysis.fit_report import fit_summary


def _table(errors: dict[str, list[float]], years: range, spread: float = 0.0) -> pd.DataFrame:
    """Fit-table rows where the record is the median x exp(error), and the replicates' 90% interval is the
    median x exp(+-Z90 spread) (on log(1 + count), with counts large enough that the 1 hardly matters)."""
    rows = []
    for route, errs in errors.items():
        for year, e in zip(years, errs, strict=True):
            med = 1e6
            rows.append({"target": "arrivals", "route": route, "year": year, "observed": (1 + med) * np.exp(e) - 1,
                         "sim_median": med, "sim_p05": (1 + med) * np.exp(-Z90 * spread) - 1,
                         "sim_p95": (1 + med) * np.exp(Z90 * spread) - 1, "error_pct": 0.0,
                         "within_tolerance": False, "inside_90": abs(e) <= Z90 * spread,
                         "naive_last_year": np.nan, "naive_error_pct": np.nan})
    return pd.DataFrame(rows)


def test_the_discrepancy_is_the_error_beyond_the_replicates_spread_over_the_fitting_years_only():
    """Errors of +-0.6 with a replicate spread of 0.2 leave sqrt(0.36 - 0.04) = 0.566; a held-out year's error
    of 5 changes nothing; a route that fits exactly borrows SHRINK_YEARS years of the pooled variance."""
    years = range(2014, 2019)
    table = _table({"a": [0.6, -0.6, 0.6, -0.6, 5.0], "b": [0.0] * 5}, years, spread=0.2)
    sd = estimate(table, (2014, 2017))["arrivals"]
    pooled = (4 * (0.36 - 0.04) + 4 * (0.0 - 0.04)) / 8
    assert sd["a"] == pytest.approx(np.sqrt((4 * 0.32 + SHRINK_YEARS * pooled) / (4 + SHRINK_YEARS)), rel=1e-4)
    assert sd["b"] == pytest.approx(np.sqrt((4 * -0.04 + SHRINK_YEARS * pooled) / (4 + SHRINK_YEARS)), rel=1e-4)
    assert estimate(table, (2014, 2018))["arrivals"]["a"] > 2 * sd["a"]  # the year 5 off counts once fitted on


def test_the_widened_interval_holds_records_the_replicates_miss_and_keeps_its_centre():
    years = range(2014, 2024)
    errs = [0.5, -0.4, 0.3, -0.5, 0.45, -0.35, 0.2, -0.1, 0.4, -0.45]
    table = _table({"a": errs}, years, spread=0.05)
    assert not table["inside_90"].any()
    sd = estimate(table, (2014, 2023))
    wide = widen(table, sd)
    assert wide["inside_90_pred"].mean() >= 0.9
    centre = np.sqrt(wide["pred_p05"] + 1) * np.sqrt(wide["pred_p95"] + 1) - 1  # geometric mean on 1 + x
    assert np.allclose(centre, wide["sim_median"], rtol=1e-9)
    summary = fit_summary(wide)
    assert summary.loc[0, "share_inside_90_pred"] >= 0.9 and summary.loc[0, "share_inside_90"] == 0.0
    untouched = widen(table, {})  # no estimate: the replicates' interval
    assert np.allclose(untouched["pred_p95"], table["sim_p95"]) and not untouched["inside_90_pred"].any()
