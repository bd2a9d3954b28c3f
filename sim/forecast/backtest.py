"""Backtest: forecasts from rolling origins scored against what was then observed, beside two baselines.

For each origin (default every quarter 2018-01 to 2023-10) and each month ahead (1..horizon), the
model's ensemble (:mod:`sim.forecast.ensemble`, members forked from one history run each), a seasonal-naive
forecast and an ETS model (statsmodels, :mod:`sim.analysis.scores`) fitted to the observed history up to the
origin forecast two observed series per route: Frontex monthly detections (model: arrivals) and IOM
monthly dead and missing (model: dead_missing). Scores: CRPS (all three; a point forecast's CRPS is its
absolute error), MASE (median forecasts, scaled per origin by the history's seasonal-naive error) and
the empirical coverage of the 50% and 90% intervals (model and ETS).

The model is given the scenario's dated policy entries after the origin (a conditional forecast: the
policy is the question asked), while its origin-pressure drivers are projected; the baselines know only
the history. Windows in which a dated policy entry starts are scored apart, where the model's edge is
expected. The parameters come from the scenario's calibration file; where its fit period overlaps the
scored months the forecasts are not out of sample, and the report says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from sim.analysis.scores import crps_ensemble, ets_forecast, seasonal_naive
from sim.forecast import drivers
from sim.forecast.ensemble import VARIABLES, Ensemble, run_ensemble
from sim.io.results import nan_quantile
from sim.io.scenario import Scenario
from sim.io.scenario_rules import MIN_AGENTS_PER_PERSON
from sim.io.state import JobStore, fingerprint
from sim.run.executor import run_jobs

# model variable -> observed variable, label
TARGETS = {"arrivals": ("detections", "arrivals vs Frontex detections"),
           "dead_missing": ("dead_missing", "dead and missing vs IOM")}
METHODS = ("model", "ets", "seasonal_naive")
ETS_PATHS = 200


def quarterly(first: dt.date, last: dt.date, every: int = 3) -> tuple[dt.date, ...]:
    out, d = [], first
    while d <= last:
        out.append(d)
        d = drivers.month_add(d, every)
    return tuple(out)


@dataclass(frozen=True)
class EtsJob:
    history: np.ndarray
    horizon: int
    seed: int


def ets_job(job: EtsJob) -> np.ndarray:
    return ets_forecast(job.history, job.horizon, ETS_PATHS, job.seed)


def _history(series: xr.DataArray, origin: dt.date) -> np.ndarray:
    return series.sel(time=slice(None, pd.Timestamp(drivers.month_add(origin, -1)))).values


def _shock_windows(scn: Scenario, origins: tuple[dt.date, ...], horizon: int) -> np.ndarray:
    """True where a dated policy entry (not a driver) starts or ends inside the origin's window."""
    dates = [d for s in scn.interventions if s.type != "origin_pressure" for d in (s.start, s.end) if d]
    return np.array([any(o <= d < drivers.month_add(o, horizon) for d in dates) for o in origins])


def run_backtest(scn: Scenario, origins: tuple[dt.date, ...], horizon: int, observed: xr.Dataset, draws: int = 4,
                 replicates: int = 2, agents_per_person: float | None = MIN_AGENTS_PER_PERSON, workers: int = 1,
                 engine: str = "auto", scheduler: str | None = None, progress: bool = False,
                 store: JobStore | None = None) -> tuple[pd.DataFrame, xr.Dataset]:
    """Point scores per (target, route, origin, lead, method), and the forecasts as a Dataset.

    With a ``store`` (``OUT/.routesim-state``), every ensemble member and ETS fit is kept as it finishes and
    those already kept are read instead of run again: an interrupted backtest resumes."""
    ens = run_ensemble([scn], origins, horizon, draws, replicates, agents_per_person, None, workers, engine,
                       scheduler, progress, store)
    routes = ens.routes
    obs = observed.reindex(route=routes)
    jobs, keys = [], []
    for target, (obs_var, _) in TARGETS.items():
        for r, route in enumerate(routes):
            for k, origin in enumerate(origins):
                jobs.append(EtsJob(_history(obs[obs_var].sel(route=route), origin), horizon, 1000 * r + k))
                keys.append((target, r, k))
    ets, todo, job_keys = {}, [], [fingerprint("ets", j.history, j.horizon, j.seed, ETS_PATHS) for j in jobs]
    for i, key in enumerate(job_keys):
        found = store.get(key) if store is not None else None
        if found is None:
            todo.append(i)
        else:
            ets[keys[i]] = found["paths"]
    if todo:
        for j, paths in run_jobs(ets_job, [jobs[i] for i in todo], workers=workers, engine=engine,
                                 scheduler=scheduler, progress=progress, desc="ETS baselines"):
            ets[keys[todo[j]]] = paths
            if store is not None:
                store.put(job_keys[todo[j]], {"paths": paths})
    shock = _shock_windows(scn, origins, horizon)
    rows = []
    for target, (obs_var, _) in TARGETS.items():
        j = list(VARIABLES).index(target)
        for r, route in enumerate(routes):
            series = obs[obs_var].sel(route=route)
            for k, origin in enumerate(origins):
                hist = _history(series, origin)
                diffs = np.abs(hist[12:] - hist[:-12])
                scale = float(np.nanmean(diffs)) if np.isfinite(diffs).any() else np.nan
                naive = seasonal_naive(hist, horizon)
                members = ens.values[0, :, k, j, :, r]  # draw, lead
                for lead in range(horizon):
                    month = drivers.month_add(origin, lead)
                    y = float(series.sel(time=pd.Timestamp(month))) if pd.Timestamp(month) in series["time"] \
                        else np.nan
                    if not np.isfinite(y):
                        continue
                    for method, sample in (("model", members[:, lead]), ("ets", ets[(target, r, k)][:, lead]),
                                           ("seasonal_naive", naive[lead:lead + 1])):
                        q = nan_quantile(sample, [0.05, 0.25, 0.5, 0.75, 0.95])
                        point = method == "seasonal_naive"
                        rows.append({
                            "target": target, "route": route, "origin": f"{origin:%Y-%m}", "lead": lead + 1,
                            "method": method, "observed": y, "median": q[2],
                            "crps": float(crps_ensemble(sample, np.array(y))),
                            "scaled_error": abs(q[2] - y) / scale if scale > 0 else np.nan,
                            "in50": np.nan if point else float(q[1] <= y <= q[3]),
                            "in90": np.nan if point else float(q[0] <= y <= q[4]),
                            "policy_shock_window": bool(shock[k]),
                        })
    return pd.DataFrame(rows), forecasts_dataset(ens)


def forecasts_dataset(ens: Ensemble) -> xr.Dataset:
    """The model's backtest forecasts: quantiles over members by origin and lead (months ahead)."""
    q = nan_quantile(ens.values[0], [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)  # q, origin, var, lead, route
    data = {name: (("quantile", "origin", "lead", "route"), q[:, :, j],
                   {"long_name": VARIABLES[name][0], "units": VARIABLES[name][1]})
            for j, name in enumerate(VARIABLES)}
    return xr.Dataset(data, coords={"quantile": [0.05, 0.25, 0.5, 0.75, 0.95],
                                    "origin": pd.DatetimeIndex(ens.origins), "lead": np.arange(1, ens.horizon + 1),
                                    "route": ens.routes},
                      attrs={"title": "routesim backtest forecasts", "members": len(ens.members)})


def summarise(points: pd.DataFrame) -> pd.DataFrame:
    """Per target, route, method and lead: mean CRPS, MASE, coverage of the 50% and 90% intervals."""
    return overall(points, ("target", "route", "method", "lead"))


def overall(points: pd.DataFrame, by: tuple[str, ...] = ("target", "route", "method")) -> pd.DataFrame:
    """Mean scores over every scored month in each group of ``by``."""
    g = points.groupby(list(by), sort=False)
    return g.agg(crps=("crps", "mean"), mase=("scaled_error", "mean"), coverage50=("in50", "mean"),
                 coverage90=("in90", "mean"), n=("crps", "size")).reset_index()

