"""Backtest: forecasts from rolling origins scored against what was then observed, beside four baselines.

For each origin (default every quarter 2019-01 to 2024-01) and each month ahead (1..horizon), the model's
ensemble (:mod:`sim.forecast.ensemble`) and four statistical baselines fitted to the observed history up to the
origin (seasonal naive, last value, ETS and a seasonal ARIMA; :mod:`sim.analysis.scores`) forecast two observed
series per route: Frontex monthly detections (model: arrivals) and IOM monthly dead and missing on the route's
sea crossing (model: dead_missing_sea; IOM counts the route's deaths at sea, not the Sahara's). Scores: CRPS (a
point forecast's CRPS is its absolute error), MASE (median forecasts, scaled per origin by the history's
seasonal-naive error) and the coverage of the 50% and 90% intervals.

At each origin the model knows only what was known then:

* **Parameters** come from an *anchor*: the latest fit (a ``fitted.yaml`` of ``routesim calibrate --until``)
  whose fitting period ended before the origin. Every model row of the scores says which, in
  ``calibration_until``. Without anchors the scenario's own calibration is used, and rows whose origin falls
  inside its fitting period are not out of sample (the report says so).
* **Drivers** (the demand series of ``data/drivers``) are those published by the day before the origin
  (``sim.io.drivers.PUBLICATION_LAG``), each held at its last published value after it; the origin-pressure
  multipliers follow their random-walk projection (:mod:`sim.forecast.drivers`).
* **Dated policy entries** that start on or after the origin are left out, and an entry in force at the
  origin is not known to end (:func:`known_at`): a later event enters a forecast only as a scenario branch.

Besides the raw ensemble (``model``), two post-processed forecasts learn from earlier origins only
(:mod:`sim.forecast.postprocess`): ``calibrated`` (the ensemble's level and spread corrected per target, route
and band of months ahead) and ``blend`` (a linear pool of ``calibrated``, ETS and the seasonal ARIMA, weighted by
past CRPS), each learning only from origins whose parameters came from the same fit.

Each origin's members run from the scenario's start with these inputs, so no origin shares a history run
with another (the published drivers differ). Windows in which a dated policy entry of the record starts or
ends are scored apart, since the model was not told of it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
import yaml

from sim.analysis.scores import (
    crps_ensemble,
    ets_forecast,
    last_value_forecast,
    sarimax_forecast,
    seasonal_naive,
)
from sim.errors import InputError
from sim.forecast import drivers, postprocess
from sim.forecast.ensemble import (
    QUANTILES,
    VARIABLES,
    Ensemble,
    build_tasks,
    member_plan,
    posterior_samples,
    run_tasks,
)
from sim.io.network_files import load_network
from sim.io.results import nan_quantile
from sim.io.scenario import Scenario
from sim.io.scenario_rules import MIN_AGENTS_PER_PERSON
from sim.io.state import JobStore, fingerprint
from sim.run.executor import run_jobs

# model variable -> observed variable, label
TARGETS = {"arrivals": ("detections", "arrivals vs Frontex detections"),
           "dead_missing_sea": ("dead_missing", "dead and missing at sea vs IOM")}
METHODS = ("model", "calibrated", "blend", "ets", "sarimax", "seasonal_naive", "last_value")
MODEL_METHODS = ("model", "calibrated", "blend")  # routesim's: raw ensemble, post-processed, blended with ETS
SIMULATED = ("ets", "sarimax")  # baselines with simulated paths; the others are point forecasts
ETS_PATHS = 200
N_SAMPLES = 99  # order statistics kept of each post-processed forecast, for its quantiles in forecasts.nc


@dataclass(frozen=True)
class Anchor:
    """A fit the backtest takes parameters from, and the last day of the record it was fitted on."""

    fitted: Path
    until: dt.date


def read_anchor(path: Path) -> Anchor:
    """The anchor of a ``fitted.yaml`` written by ``routesim calibrate`` (its ``fit_period``)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"--anchor: {path}: not found")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        until = dt.date.fromisoformat(str(doc["fit_period"][1]))
    except (yaml.YAMLError, TypeError, KeyError, IndexError, ValueError):
        raise InputError(f"--anchor: {path}: no fit_period [start, end] (not a fitted file written by "
                         "routesim calibrate)") from None
    return Anchor(path, until)


def anchor_for(origin: dt.date, anchors: tuple[Anchor, ...]) -> Anchor:
    """The latest anchor whose fit ended before ``origin``."""
    before = [a for a in anchors if a.until < origin]
    if not before:
        raise InputError(f"--anchor: no fit ends before the origin {origin:%Y-%m} (the anchors end "
                         + ", ".join(f"{a.until:%Y-%m}" for a in anchors) + ")")
    return max(before, key=lambda a: a.until)


def known_at(scn: Scenario, origin: dt.date) -> Scenario:
    """The scenario as a forecaster at ``origin`` knew it: dated entries starting on or after the origin are
    left out, and an entry in force at the origin has no end (nobody knew when it would end)."""
    kept = []
    for s in scn.interventions:
        if s.start >= origin:
            continue
        kept.append(dataclasses.replace(s, end=None) if s.end is not None and s.end >= origin else s)
    return dataclasses.replace(scn, interventions=tuple(kept))


def fit_until(scn: Scenario) -> dt.date | None:
    """The last day of the fitting period of the scenario's calibration file, if it says."""
    if scn.calibration is None or not scn.calibration.is_file():
        return None
    try:
        return read_anchor(scn.calibration).until
    except InputError:
        return None


def quarterly(first: dt.date, last: dt.date, every: int = 3) -> tuple[dt.date, ...]:
    out, d = [], first
    while d <= last:
        out.append(d)
        d = drivers.month_add(d, every)
    return tuple(out)


@dataclass(frozen=True)
class BaselineJob:
    method: str  # one of SIMULATED
    history: np.ndarray
    horizon: int
    seed: int


def baseline_job(job: BaselineJob) -> np.ndarray:
    forecast = ets_forecast if job.method == "ets" else sarimax_forecast
    return forecast(job.history, job.horizon, ETS_PATHS, job.seed)


def _history(series: xr.DataArray, origin: dt.date) -> np.ndarray:
    return series.sel(time=slice(None, pd.Timestamp(drivers.month_add(origin, -1)))).values


def _shock_windows(scn: Scenario, origins: tuple[dt.date, ...], horizon: int) -> np.ndarray:
    """True where a dated policy entry (not a driver) starts or ends inside the origin's window."""
    dates = [d for s in scn.interventions if s.type != "origin_pressure" for d in (s.start, s.end) if d]
    return np.array([any(o <= d < drivers.month_add(o, horizon) for d in dates) for o in origins])


def run_backtest(scn: Scenario, origins: tuple[dt.date, ...], horizon: int, observed: xr.Dataset, draws: int = 4,
                 replicates: int = 2, agents_per_person: float | None = MIN_AGENTS_PER_PERSON, workers: int = 1,
                 engine: str = "auto", scheduler: str | None = None, progress: bool = False,
                 store: JobStore | None = None, anchors: tuple[Anchor, ...] = ()) -> tuple[pd.DataFrame, xr.Dataset]:
    """Point scores per (target, route, origin, lead, method), and the model's forecasts as a Dataset.

    With ``anchors`` each origin takes its parameters from the latest anchor fitted before it; without, from
    the scenario's calibration. With a ``store`` (``OUT/.routesim-state``), every ensemble member and
    baseline fit is kept as it finishes and those already kept are read instead of run again."""
    app = scn.agents_per_person if agents_per_person is None else agents_per_person
    until, tasks = [], []
    for origin in origins:
        at = known_at(scn, origin)
        if anchors:
            anchor = anchor_for(origin, anchors)
            at = dataclasses.replace(at, calibration=anchor.fitted)
        until.append(fit_until(at))
        members = member_plan(draws, replicates, len(posterior_samples(at)))
        built, _ = build_tasks(at, members, (origin,), horizon, app, scn.seed,
                               drivers_as_of=origin - dt.timedelta(days=1))
        tasks += built
    n_members = draws * replicates
    routes = list(load_network(scn.network).routes)
    values = np.full((1, n_members, len(origins), len(VARIABLES), horizon, len(routes)), np.nan)
    for t, result in enumerate(run_tasks(tasks, workers, engine, scheduler, progress, store)):
        values[0, t % n_members, t // n_members] = result[0]
    ens = Ensemble([scn], member_plan(draws, replicates, 1), origins, horizon, routes, values, app, scn.seed, [])
    obs = observed.reindex(route=routes)
    baselines = _baseline_paths(obs, routes, origins, horizon, workers, engine, scheduler, progress, store)
    shock = _shock_windows(scn, origins, horizon)
    months_ahead = pd.DatetimeIndex([drivers.month_add(o, h) for o in origins for h in range(horizon)])
    rows = []
    weights, processed, last = {}, {}, {}
    for target, (obs_var, _) in TARGETS.items():
        for method in ("calibrated", "blend"):
            processed[(method, target)] = np.full((len(origins), N_SAMPLES, horizon, len(routes)), np.nan)
        j = list(VARIABLES).index(target)
        for r, route in enumerate(routes):
            series = obs[obs_var].sel(route=route)
            observed_ahead = series.reindex(time=months_ahead).values.reshape(len(origins), horizon)
            calibrated = postprocess.calibrate(np.moveaxis(ens.values[0, :, :, j, :, r], 0, 1), observed_ahead,
                                               origins, groups=until)
            paths = [np.stack([baselines[(m, target, r, k)] for k in range(len(origins))]) for m in SIMULATED]
            blended, weights[(target, route)] = postprocess.blend(calibrated, paths, observed_ahead, origins,
                                                                  groups=until)
            for method, samples in (("calibrated", calibrated), ("blend", blended)):
                take = np.linspace(0, samples.shape[1] - 1, N_SAMPLES).round().astype(int)
                processed[(method, target)][..., r] = np.sort(samples, axis=1)[:, take]
            for k, origin in enumerate(origins):
                hist = _history(series, origin)
                diffs = np.abs(hist[12:] - hist[:-12])
                scale = float(np.nanmean(diffs)) if np.isfinite(diffs).any() else np.nan
                forecasts = {"model": ens.values[0, :, k, j, :, r],  # member, lead
                             "calibrated": calibrated[k], "blend": blended[k],
                             **{m: baselines[(m, target, r, k)] for m in SIMULATED},
                             "seasonal_naive": seasonal_naive(hist, horizon)[None, :],
                             "last_value": last_value_forecast(hist, horizon)[None, :]}
                if k == len(origins) - 1:
                    last[(target, r)] = _sums(forecasts, observed_ahead[k])
                history_end = f"{drivers.month_add(origin, -1):%Y-%m}"  # a baseline is fitted up to the origin
                for lead in range(horizon):
                    y = float(observed_ahead[k, lead])
                    if not np.isfinite(y):
                        continue
                    for method in METHODS:
                        sample = forecasts[method][:, lead]
                        q = nan_quantile(sample, QUANTILES)
                        point = sample.size == 1
                        fitted = until[k] if method in MODEL_METHODS else None
                        rows.append({
                            "target": target, "route": route, "origin": f"{origin:%Y-%m}", "lead": lead + 1,
                            "method": method, "observed": y, "median": q[2],
                            "crps": float(crps_ensemble(sample, np.array(y))),
                            "scaled_error": abs(q[2] - y) / scale if scale > 0 else np.nan,
                            "in50": np.nan if point else float(q[1] <= y <= q[3]),
                            "in90": np.nan if point else float(q[0] <= y <= q[4]),
                            "policy_shock_window": bool(shock[k]),
                            "calibration_until": f"{fitted:%Y-%m}" if fitted else history_end,
                            "out_of_sample": fitted is None or fitted < origin,
                            "blend_weight": weights[(target, route)][k, 0] if method == "blend" else np.nan,
                        })
    ds = forecasts_dataset(ens, processed)
    for target in TARGETS:
        sums = np.array([last[(target, r)][0] for r in range(len(routes))])  # route, method, quantile
        ds[f"{target}_last_origin_sum"] = (("route", "forecaster", "quantile"), sums, {
            "long_name": f"{VARIABLES[target][0]}, summed over the months observed after the last origin",
            "units": "persons", "comment": "model, ETS and SARIMAX: sums along each member or path; calibrated and "
            "blend: sums of equal quantile levels (comonotone, the widest sum of the months' distributions); "
            "seasonal naive and last value: point forecasts"})
        ds[f"{target}_last_origin_observed_sum"] = (("route",), [last[(target, r)][1] for r in range(len(routes))],
                                                    {"units": "persons"})
        ds[f"{target}_last_origin_months"] = (("route",), [last[(target, r)][2] for r in range(len(routes))],
                                              {"units": "months", "long_name": "months observed after the last origin"})
    ds = ds.assign_coords(forecaster=list(METHODS))
    ds.attrs["last_origin"] = f"{origins[-1]:%Y-%m}"
    return pd.DataFrame(rows), ds


def _sums(forecasts: dict[str, np.ndarray], observed: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Each method's 5-95% quantiles of its forecast summed over the observed months ahead (samples x leads
    summed along each row), the observed sum and the number of months."""
    seen = np.isfinite(observed)
    q = np.array([nan_quantile(forecasts[m][:, seen].sum(axis=1), QUANTILES) for m in METHODS])
    return q, float(observed[seen].sum()), int(seen.sum())


def _baseline_paths(obs: xr.Dataset, routes: list[str], origins: tuple[dt.date, ...], horizon: int, workers: int,
                    engine: str, scheduler: str | None, progress: bool, store: JobStore | None) -> dict:
    """Simulated paths of each probabilistic baseline, fitted to the history up to each origin. A fit's seed
    follows its route and origin month, so an origin's baselines are the same whatever other origins the
    backtest holds (and a longer backtest reuses a shorter one's stored fits)."""
    jobs, keys = [], []
    for method in SIMULATED:
        for target, (obs_var, _) in TARGETS.items():
            for r, route in enumerate(routes):
                for k, origin in enumerate(origins):
                    jobs.append(BaselineJob(method, _history(obs[obs_var].sel(route=route), origin), horizon,
                                            100_000 * r + origin.year * 12 + origin.month - 1))
                    keys.append((method, target, r, k))
    out, todo = {}, []
    job_keys = [fingerprint(j.method, j.history, j.horizon, j.seed, ETS_PATHS) for j in jobs]
    for i, key in enumerate(job_keys):
        found = store.get(key) if store is not None else None
        if found is None:
            todo.append(i)
        else:
            out[keys[i]] = found["paths"]
    if todo:
        for j, paths in run_jobs(baseline_job, [jobs[i] for i in todo], workers=workers, engine=engine,
                                 scheduler=scheduler, progress=progress, desc="statistical baselines"):
            out[keys[todo[j]]] = paths
            if store is not None:
                store.put(job_keys[todo[j]], {"paths": paths})
    return out


def forecasts_dataset(ens: Ensemble, processed: dict[tuple[str, str], np.ndarray] | None = None) -> xr.Dataset:
    """The model's backtest forecasts: quantiles over members by origin and lead (months ahead); with
    ``processed`` ((method, target) -> samples as origin, sample, lead, route) also ``<target>_<method>`` for the
    post-processed forecasts."""
    q = nan_quantile(ens.values[0], QUANTILES, axis=0)  # q, origin, var, lead, route
    data = {name: (("quantile", "origin", "lead", "route"), q[:, :, j],
                   {"long_name": VARIABLES[name][0], "units": VARIABLES[name][1]})
            for j, name in enumerate(VARIABLES)}
    for (method, target), samples in (processed or {}).items():
        data[f"{target}_{method}"] = (("quantile", "origin", "lead", "route"),
                                      nan_quantile(samples, QUANTILES, axis=1),
                                      {"long_name": f"{VARIABLES[target][0]}, {method} on earlier origins",
                                       "units": VARIABLES[target][1]})
    return xr.Dataset(data, coords={"quantile": list(QUANTILES),
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

