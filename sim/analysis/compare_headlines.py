"""The headline outputs of a scenario comparison: what they are, the periods they are summed over, and their
values per period, route (and all routes), scenario and replicate. Shared by the tables and the plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

# name: (label, units, how it is aggregated over a period: sum of flows, mean of month-end stocks, ratio)
HEADLINES: dict[str, tuple[str, str, str]] = {
    "crossing_attempts": ("crossing attempts", "persons", "sum"),
    "arrivals": ("arrivals", "persons", "sum"),
    "dead_missing": ("dead and missing (land and sea)", "persons", "sum"),
    "deaths_per_1000_attempts": ("dead and missing per 1,000 crossing attempts", "per 1,000 attempts", "ratio"),
    "interceptions": ("interceptions", "persons", "sum"),
    "returns": ("returns (pushbacks and deportations)", "persons", "sum"),
    "stranded": ("stranded in transit (mean of month ends)", "persons", "mean"),
    "legal_entries": ("legal-pathway entries", "persons", "sum"),
    "smuggler_revenue": ("smugglers' revenue", "EUR", "sum"),
}
ALL = "all"


def first_change(ds: xr.Dataset) -> int:
    """Index of the first month in which any alternative differs from the baseline (0 if none)."""
    base = ds["crossing_attempts"].isel(scenario=0)
    others = [d for d in base.dims if d != "time"] + ["scenario"]
    idx = np.flatnonzero((ds["crossing_attempts"] != base).any(dim=others).values)
    return int(idx[0]) if len(idx) else 0


def periods(ds: xr.Dataset) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """Each calendar year of the run, the whole period, and last the headline period: from the start of
    the year in which an alternative first differs from the baseline (paired runs are identical before)."""
    t = pd.DatetimeIndex(ds["time"].values)
    out = [(str(y), pd.Timestamp(y, 1, 1), pd.Timestamp(y, 12, 1)) for y in sorted(set(t.year))]
    out.append((f"{t[0]:%Y-%m}..{t[-1]:%Y-%m}", t[0], t[-1]))
    start = max(t[0], pd.Timestamp(t[first_change(ds)].year, 1, 1)) if "scenario" in ds.dims else t[0]
    if start > t[0]:
        out.append((f"{start:%Y-%m}..{t[-1]:%Y-%m}", start, t[-1]))
    return out


def headline_values(ds: xr.Dataset) -> xr.Dataset:
    """Headline outputs per period and route (plus ``all`` routes), for every scenario and replicate."""
    by_period = []
    labels = []
    for label, start, end in periods(ds):
        sub = ds.sel(time=slice(start, end))
        out = {}
        for var, (_, _, how) in HEADLINES.items():
            if how == "sum":
                out[var] = _with_all(sub[var].sum("time"))
            elif how == "mean":
                out[var] = _with_all(sub[var]).mean("time")
        dead = sub["dead_missing_by_crossing"].groupby("crossing_route").sum().rename(crossing_route="route")
        dead = _with_all(dead.reindex(route=ds["route"].values, fill_value=0).sum("time"))
        attempts = out["crossing_attempts"]
        out["deaths_per_1000_attempts"] = 1000 * dead / attempts.where(attempts > 0)
        by_period.append(xr.Dataset({v: out[v] for v in HEADLINES}))
        labels.append(label)
    return xr.concat(by_period, dim=pd.Index(labels, name="period"))


def _with_all(da: xr.DataArray) -> xr.DataArray:
    return xr.concat([da, da.sum("route").expand_dims(route=[ALL])], dim="route")
