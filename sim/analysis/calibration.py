"""Calibration by the simulated method of moments: the fit's entry point, :func:`calibrate`.

The distance between model and record is the weighted mean squared log error of annual route totals
(arrivals vs Frontex detections, dead and missing at sea vs IOM), over the fitting period
(:mod:`sim.analysis.calibration_distance`). Free parameters are named in a spec file
(:mod:`sim.analysis.calibration_spec`): model parameters by name, and the strengths of dated scenario
entries by their ``id`` (a shock's date comes from the record; only its strength is fitted). Every
trial uses the same seed (common random numbers), so differences between trials are the parameters'.

The spec's ``method`` picks the optimiser: SciPy's trust-region least squares
(:mod:`sim.analysis.least_squares`, the default) or Optuna's TPE sampler (:mod:`sim.analysis.tpe`). Either
stores its trials in an SQLite file in the output folder, so an interrupted calibration resumes where it
stopped; trials run in parallel worker processes. Both write the fit the same way
(:mod:`sim.analysis.fit_output`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import xarray as xr

from sim.analysis.calibration_spec import CalibrationSpec
from sim.analysis.free_values import apply
from sim.analysis.least_squares import fit_least_squares
from sim.analysis.tpe import fit_tpe
from sim.core.parameters import PARAMETERS
from sim.errors import InputError
from sim.io.yamlfile import read_mapping
from sim.run.executor import Executor


def calibrate(spec: CalibrationSpec, out: Path, observed: xr.Dataset, progress: bool = False, engine: str = "auto",
              scheduler: str | None = None) -> dict:
    """Run (or resume) the fit; write OUT/fitted.yaml and OUT/trials.csv; return the fitted dict.

    Trials run on Dask (a local cluster, or the one at ``scheduler``; its workers stay up for the whole
    calibration) or on a process pool (``engine="pool"``). A fit starts from the scenario's current values
    unless they were fitted on years this fit holds out."""
    years = [y for y in range(spec.fit_start.year, spec.fit_end.year + 1)
             if dt.date(y, 1, 1) >= spec.fit_start and dt.date(y, 12, 31) <= spec.fit_end]
    start = None if _start_would_see_held_out_years(spec) else current_values(spec)
    made = [p for p in (out, *out.parents) if not p.exists()]  # what this run creates, deepest first
    stores = [out / name for name in ("evaluations.db", "trials.db") if not (out / name).exists()]
    out.mkdir(parents=True, exist_ok=True)
    try:
        with Executor(spec.workers, engine, scheduler) as ex:
            if spec.method == "least_squares":
                return fit_least_squares(spec, out, observed, years, start, ex, progress)
            return fit_tpe(spec, out, observed, years, start, ex, progress)
    except InputError:  # bad input writes nothing: remove the stores and folders this run created
        for path in stores:
            path.unlink(missing_ok=True)
        for path in made:
            if path.exists() and not any(path.iterdir()):
                path.rmdir()
        raise


def current_values(spec: CalibrationSpec) -> dict[str, float]:
    """The scenario's own values of the free parameters and strengths (defaults where it sets none), moved
    inside the spec's bounds: the point a refit starts from, so it can only improve on the current one."""
    values = {}
    for name in spec.parameters:
        values[name] = spec.scenario.parameters.get(name, PARAMETERS[name].default)
    strengths = {s.id: s.intensity for s in spec.scenario.interventions}
    for name in spec.interventions:
        values[f"iv:{name}"] = strengths[name]
    bounds = {**spec.parameters, **{f"iv:{k}": b for k, b in spec.interventions.items()}}
    return {k: min(max(float(v), bounds[k].low), bounds[k].high) for k, v in values.items()}


def start_from(spec: CalibrationSpec, fitted_path: Path) -> CalibrationSpec:
    """The spec with its scenario's values replaced by those of another fitted file, where the fit then starts
    (``--start-from``): an out-of-sample fit can go on from an earlier fit of the same years. That file's
    ``fit_period`` decides, as for the scenario's own file, whether it may seed this fit."""
    from sim.io.scenario import load_fitted

    path = Path(fitted_path).resolve()
    doc = load_fitted(path, lambda m: InputError(f"--start-from: {m}"))
    ids = {s.id for s in spec.scenario.interventions}
    unknown = sorted(set(doc["interventions"]) - ids)
    if unknown:
        raise InputError(f"--start-from: {path}: strengths for ids the scenario lacks: {unknown}")
    scenario = apply(spec.scenario, doc["parameters"], doc["interventions"], calibration=path)
    return dataclasses.replace(spec, scenario=scenario)


def _start_would_see_held_out_years(spec: CalibrationSpec) -> bool:
    """Whether the scenario's fitted values were fitted on years after this fit's end. An out-of-sample fit
    (``--until``) must not start from them, or the years it holds out leak into it through its first trial;
    it then starts from the optimiser's own draws. A fitted file that does not say its period counts as
    seeing every year of the scenario."""
    cal = spec.scenario.calibration
    if cal is None:
        return False
    doc, _ = read_mapping(cal, "fitted-parameters file", "parameters, interventions")  # as the scenario read it
    period = doc.get("fit_period") or []
    try:
        fitted_until = dt.date.fromisoformat(str(period[1]))
    except (IndexError, KeyError, TypeError, ValueError):  # no readable period: it may have seen every year
        fitted_until = spec.scenario.period_end
    return fitted_until > spec.fit_end
