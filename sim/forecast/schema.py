"""The forecast product's schema (what a dashboard may rely on) and its checker.

Schema ``routesim-forecast`` version ``FORECAST_SCHEMA_VERSION`` (semantic: a dashboard written for 1.x
reads any 1.y; a new major version may rename or drop). Documented in docs/forecast_schema.md; this
module is the executable form of that page, and ``routesim check-output FILE`` runs it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sim.errors import InputError
from sim.forecast.ensemble import QUANTILES, VARIABLES

FORECAST_SCHEMA_VERSION = "1.1"
ADDED_IN = {"dead_missing_sea": (1, 1)}  # variables added after 1.0, by the version that added them
PRODUCT = "routesim-forecast"
DIMS = ("scenario", "quantile", "time", "route")
DRAW_DIMS = ("scenario", "draw", "time", "route")
OBSERVED = {"observed_detections": "detections", "observed_dead_missing": "persons"}
GLOBAL_ATTRS = (
    "Conventions", "title", "product", "schema_version", "routesim_version", "git_commit", "forecast_origin",
    "forecast_reference_time",
    "horizon_months", "data_vintage", "calibration_file", "calibration_sha256", "posterior_samples", "draws",
    "replicates_per_draw", "agents_per_person", "seed", "driver_model", "scenarios", "created",
)


def _version(text: str) -> tuple[int, int]:
    """(major, minor) of a schema_version; (0, 0) if it cannot be read."""
    try:
        major, minor = (int(x) for x in str(text).split(".")[:2])
    except ValueError:
        return (0, 0)
    return (major, minor)


def check_dataset(ds: xr.Dataset) -> list[str]:
    """Every way ``ds`` departs from the schema, one line each (empty: the file conforms)."""
    problems: list[str] = []
    for a in GLOBAL_ATTRS:
        if a not in ds.attrs:
            problems.append(f"global attribute '{a}' missing")
    if ds.attrs.get("product", PRODUCT) != PRODUCT:
        problems.append(f"product is '{ds.attrs.get('product')}', expected '{PRODUCT}'")
    version = str(ds.attrs.get("schema_version", ""))
    if version and version.split(".")[0] != FORECAST_SCHEMA_VERSION.split(".")[0]:
        problems.append(f"schema_version {version} is not a {FORECAST_SCHEMA_VERSION.split('.')[0]}.x version")
    missing = [d for d in (*DIMS, "draw") if d not in ds.dims]
    if missing:  # nothing below can be read without the dimensions
        return problems + [f"dimension '{d}' missing" for d in missing]
    q = ds["quantile"].values
    if not np.all(np.diff(q) > 0):
        problems.append("quantile coordinate is not strictly increasing")
    missing_q = [x for x in QUANTILES if not np.any(np.isclose(q, x))]
    if missing_q:
        problems.append(f"quantile coordinate lacks {missing_q}")
    time = pd.DatetimeIndex(ds["time"].values)
    months = time.to_period("M").asi8
    if len(time) and not (time.is_month_start.all() and np.array_equal(months, months[0] + np.arange(len(time)))):
        problems.append("time is not consecutive month starts")
    if str(ds.attrs.get("forecast_origin", "")) != (f"{time[0]:%Y-%m}" if len(time) else ""):
        problems.append(f"forecast_origin {ds.attrs.get('forecast_origin')} is not the first month of time")
    file_version = _version(version or FORECAST_SCHEMA_VERSION)
    for name, (_, units, _) in VARIABLES.items():
        if name not in ds and file_version < ADDED_IN.get(name, (1, 0)):
            continue  # a file of an earlier minor version need not hold what was added since
        for var, dims in ((name, DIMS), (f"{name}_draws", DRAW_DIMS)):
            if var not in ds:
                problems.append(f"variable '{var}' missing")
                continue
            da = ds[var]
            if tuple(da.dims) != dims:
                problems.append(f"{var}: dims {tuple(da.dims)}, expected {dims}")
            for a in ("units", "long_name"):
                if a not in da.attrs:
                    problems.append(f"{var}: attribute '{a}' missing")
            if da.attrs.get("units", units) != units:
                problems.append(f"{var}: units '{da.attrs.get('units')}', expected '{units}'")
            if np.nanmin(da.values, initial=0.0) < 0:
                problems.append(f"{var}: negative values")
        if name in ds and tuple(ds[name].dims) == DIMS:
            steps = ds[name].diff("quantile")
            if bool((steps < -1e-9 * (1 + abs(ds[name].isel(quantile=slice(1, None))))).any()):
                problems.append(f"{name}: quantiles decrease along 'quantile'")
    for var in ds.data_vars:
        for a in ("units", "long_name"):
            if a not in ds[var].attrs and not str(var).endswith("_draws") and var not in VARIABLES:
                problems.append(f"{var}: attribute '{a}' missing")
    for var, units in OBSERVED.items():
        if var not in ds:
            problems.append(f"variable '{var}' missing")
        elif ds[var].attrs.get("units") != units:
            problems.append(f"{var}: units '{ds[var].attrs.get('units')}', expected '{units}'")
    return problems


def open_forecast(path: str | Path) -> xr.Dataset:
    """A forecast file: NetCDF, a Zarr store, or an output folder holding forecast.nc."""
    path = Path(path)
    if path.is_dir() and (path / "forecast.nc").is_file():
        path = path / "forecast.nc"
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    try:
        if path.is_dir():
            return xr.open_zarr(path).load()
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            return ds.load()
    except Exception as exc:  # noqa: BLE001 - any reader failure is bad input here
        raise InputError(f"{path}: not a readable NetCDF file or Zarr store ({type(exc).__name__})") from None


def check_output(path: str | Path) -> list[str]:
    return check_dataset(open_forecast(path))
