"""``routesim forecast``: run the ensemble, build the product, write it atomically (never half a folder)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import xarray as xr

from sim.forecast.ensemble import run_ensemble
from sim.forecast.output import to_dataset, write_forecast
from sim.forecast.schema import check_dataset
from sim.io.outputs import atomic_folder, peak_memory_mb
from sim.io.scenario import Scenario


def run_forecast(scenarios: list[Scenario], origin: dt.date, horizon: int, out: Path | None = None,
                 draws: int = 10, replicates: int = 2, agents_per_person: float | None = None,
                 seed: int | None = None, workers: int = 1, engine: str = "auto", scheduler: str | None = None,
                 progress: bool = False) -> xr.Dataset:
    """Forecast ``horizon`` months from ``origin`` for each scenario, with the demand series as published by
    the day before it (a forecast from a past month sees what was known then); write OUT/ if given."""
    t0 = time.perf_counter()
    ens = run_ensemble(scenarios, (origin,), horizon, draws, replicates, agents_per_person, seed, workers,
                       engine, scheduler, progress, drivers_as_of=origin - dt.timedelta(days=1))
    ds = to_dataset(ens)
    problems = check_dataset(ds)
    if problems:  # the product must always meet its own schema
        raise AssertionError("forecast breaks its schema: " + "; ".join(problems))
    meta = {"wall_seconds": round(time.perf_counter() - t0, 1), "members": len(ens.members),
            "scenarios": [s.name for s in scenarios], "workers": workers, "engine": engine,
            "scheduler": scheduler or "", "peak_memory_mb": peak_memory_mb(),
            **{k: (v.item() if hasattr(v, "item") else v) for k, v in ds.attrs.items()}}
    ds.attrs["wall_seconds"] = meta["wall_seconds"]
    if out is not None:
        with atomic_folder(Path(out)) as tmp:
            write_forecast(ds, tmp, meta)
    return ds
