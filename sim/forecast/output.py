"""Forecast ensemble → the dashboard product: a CF-style Dataset (schema in :mod:`sim.forecast.schema`),
written as NetCDF, Zarr, a flat CSV and JSON, with a self-contained HTML report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sim import __version__
from sim.forecast import drivers
from sim.forecast.ensemble import QUANTILES, VARIABLES, Ensemble
from sim.forecast.schema import FORECAST_SCHEMA_VERSION, PRODUCT
from sim.io.observed import FRONTEX_SRC, IOM_SRC, load_observations
from sim.io.outputs import git_commit
from sim.io.results import nan_quantile

HISTORY_MONTHS = 60  # observed months before the origin carried in the file, for the fan charts' context


def _rel(path: Path) -> str:
    """A path relative to the working folder where possible: outputs should not carry one machine's layout."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _file_sha(path: Path | None) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest() if path is not None and path.is_file() else ""


def to_dataset(ens: Ensemble, origin_index: int = 0, observed: xr.Dataset | None = None) -> xr.Dataset:
    """The forecast from one origin: quantiles and raw draws of every variable, with observed history."""
    origin = ens.origins[origin_index]
    time = pd.DatetimeIndex([drivers.month_add(origin, k) for k in range(ens.horizon)])
    names = [s.name for s in ens.scenarios]
    raw = ens.values[:, :, origin_index]  # scenario, draw, variable, month, route
    coords = {"scenario": names, "quantile": np.array(QUANTILES), "time": time, "route": ens.routes,
              "draw": np.arange(len(ens.members))}
    data = {}
    for j, (name, (long_name, units, cell)) in enumerate(VARIABLES.items()):
        draws = raw[:, :, j]
        q = nan_quantile(draws, QUANTILES, axis=1)  # NaN where no member has a value (no attempts)
        q = np.moveaxis(q, 0, 1)  # scenario, quantile, time, route
        attrs = {"long_name": long_name, "units": units, "cell_methods": cell}
        data[name] = xr.DataArray(q, dims=("scenario", "quantile", "time", "route"),
                                  attrs={**attrs, "description": "quantiles over ensemble members"})
        data[f"{name}_draws"] = xr.DataArray(draws, dims=("scenario", "draw", "time", "route"),
                                             attrs={**attrs, "long_name": f"{long_name} (ensemble member)"})
    ds = xr.Dataset(data, coords=coords)
    ds["posterior_sample"] = ("draw", np.array([m.sample for m in ens.members]),
                              {"long_name": "row of the calibration file's posterior samples"})
    ds["replicate"] = ("draw", np.array([m.replicate for m in ens.members]),
                       {"long_name": "stochastic replicate (independent random streams)"})
    ds = ds.set_coords(["posterior_sample", "replicate"])
    obs = observed if observed is not None else load_observations(latest=True)
    first = pd.Timestamp(drivers.month_add(origin, -HISTORY_MONTHS))
    last = pd.Timestamp(time[-1])
    window = obs.sel(time=slice(first, last)).reindex(route=ens.routes)
    for var, src, units, long_name, source in (
            ("observed_detections", "detections", "detections", "Frontex detections of illegal border-crossing",
             FRONTEX_SRC),
            ("observed_dead_missing", "dead_missing", "persons", "IOM recorded dead and missing migrants (lower "
             "bound)", IOM_SRC)):
        ds[var] = xr.DataArray(window[src].transpose("time", "route").values, dims=("obs_time", "route"),
                               attrs={"long_name": long_name, "units": units, "cell_methods": "obs_time: sum",
                                      "source": source})
    ds = ds.assign_coords(obs_time=("obs_time", pd.DatetimeIndex(window["time"].values),
                                    {"long_name": "month start of the observed record", "standard_name": "time"}))
    ds["time"].attrs.update(long_name="month start (forecast month)", standard_name="time", axis="T")
    ds["route"].attrs.update(long_name="Frontex route (reporting unit)")
    ds["scenario"].attrs.update(long_name="scenario name")
    ds["quantile"].attrs.update(long_name="quantile of the forecast distribution over ensemble members",
                                units="1")
    ds["draw"].attrs.update(long_name="ensemble member (posterior sample x replicate x driver path)")
    ref = ens.scenarios[0]
    calib = ref.calibration
    fit_period = ""
    if calib is not None and calib.is_file():
        import yaml

        doc = yaml.safe_load(calib.read_text(encoding="utf-8")) or {}
        fit_period = " to ".join(str(x) for x in doc.get("fit_period", []))
    ds.attrs.update({
        "Conventions": "CF-1.8",
        "title": f"routesim forecast from {origin:%Y-%m}, {ens.horizon} months",
        "product": PRODUCT,
        "schema_version": FORECAST_SCHEMA_VERSION,
        "routesim_version": __version__,
        "git_commit": git_commit(),
        "forecast_origin": f"{origin:%Y-%m}",
        "forecast_reference_time": f"{origin:%Y-%m-%d}T00:00:00Z",
        "horizon_months": ens.horizon,
        "data_vintage": f"{FRONTEX_SRC}; {IOM_SRC}; observed record loaded to {obs['time'].values[-1]:.7}",
        "calibration_file": _rel(calib) if calib else "",
        "calibration_sha256": _file_sha(calib),
        "calibration_fit_period": fit_period,
        "posterior_samples": len({m.sample for m in ens.members}),
        "draws": len(ens.members),
        "replicates_per_draw": len(ens.members) // max(1, len({m.sample for m in ens.members})),
        "agents_per_person": float(ens.agents_per_person),
        "seed": int(ens.seed),
        "driver_model": "origin pressure: random walk in logs, pooled monthly s.d. fitted by statsmodels "
                        "UnobservedComponents on the scenario's history to the origin "
                        f"(s.d. {ens.sigma[origin_index]:.3f} a month)",
        "scenarios": ", ".join(names),
        "scenario_files": ", ".join(_rel(s.source) if s.source else "" for s in ens.scenarios),
        "scenario_sha256": ", ".join(s.sha256 for s in ens.scenarios),
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    })
    return ds


def flat_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per scenario, route, month and variable, a column per quantile (the CSV/JSON export)."""
    rows = []
    qcols = [f"q{round(100 * q):02d}" for q in ds["quantile"].values]
    for name in VARIABLES:
        da = ds[name].transpose("scenario", "time", "route", "quantile")
        vals = da.values
        for i, scn in enumerate(ds["scenario"].values):
            for t, month in enumerate(pd.DatetimeIndex(ds["time"].values)):
                for r, route in enumerate(ds["route"].values):
                    rows.append({"scenario": str(scn), "route": str(route), "month": f"{month:%Y-%m}",
                                 "variable": name, "units": da.attrs["units"],
                                 **dict(zip(qcols, vals[i, t, r].tolist(), strict=True))})
    return pd.DataFrame(rows)


def write_forecast(ds: xr.Dataset, folder: Path, meta: dict) -> None:
    """forecast.nc, forecast.zarr, forecast.csv, forecast.json, report.html and run.json into FOLDER."""
    from sim.forecast.report import write_report
    from sim.io.outputs import write_netcdf

    write_netcdf(ds, folder / "forecast.nc")
    ds.to_zarr(folder / "forecast.zarr", mode="w", consolidated=True, zarr_format=2)
    table = flat_table(ds)
    table.to_csv(folder / "forecast.csv", index=False, float_format="%.6g")
    doc = {
        "schema": PRODUCT, "schema_version": FORECAST_SCHEMA_VERSION,
        "attributes": {k: (v.item() if hasattr(v, "item") else v) for k, v in ds.attrs.items()},
        "variables": {n: {"long_name": VARIABLES[n][0], "units": VARIABLES[n][1]} for n in VARIABLES},
        "records": json.loads(table.to_json(orient="records", double_precision=6)),
    }
    (folder / "forecast.json").write_text(json.dumps(doc) + "\n", encoding="utf-8")
    write_report(ds, folder / "report.html")
    (folder / "run.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
