"""``routesim calibrate``: fit at reduced scale, then check the fitted parameters at full scale.

The check runs the scenario over its whole period, each replicate with one of the accepted samples (a
posterior predictive check); when the fit ended before the scenario does (``--until``), the later years are
reported as out of sample, beside a naive baseline (last year's observed value).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import xarray as xr
import yaml

from sim.analysis import discrepancy
from sim.analysis import targets as issue_targets
from sim.analysis.calibration import calibrate
from sim.analysis.calibration_spec import CalibrationSpec
from sim.analysis.free_values import apply
from sim.analysis.stock_fit import dtm_table, libya_section, observed_host_stocks, stock_section, stock_table
from sim.errors import InputError
from sim.io.observed import load_annual_observations
from sim.io.outputs import provenance
from sim.io.results import to_dataset
from sim.run import build_config
from sim.run.executor import replicate_run, run_jobs


def run_calibration(spec: CalibrationSpec, out: Path, progress: bool = True, engine: str = "auto",
                    scheduler: str | None = None, check_only: bool = False) -> Path:
    """Fit, then check at full scale and write the report; ``check_only`` skips the fit and checks the fitted
    file already in ``out`` (the one command that regenerates a fit report on the current code)."""
    observed = load_annual_observations()
    if check_only:
        path = out / "fitted.yaml"
        if not path.is_file():
            raise InputError(f"{path}: not found; --check-only checks a fit that OUT already holds")
        fitted = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(fitted, dict) or not fitted.get("samples"):
            raise InputError(f"{path}: no samples to check (not a fitted file written by routesim calibrate)")
    else:
        fitted = calibrate(spec, out, observed, progress=progress, engine=engine, scheduler=scheduler)
    ds = posterior_predictive(spec, fitted, progress=progress, engine=engine, scheduler=scheduler)
    check = out / "check"
    if check.exists():
        shutil.rmtree(check)
    check.mkdir(parents=True)
    ds.to_netcdf(check / "results.nc", engine="h5netcdf")
    return write_check_report(spec, fitted, ds, observed, out)


def write_check_report(spec: CalibrationSpec, fitted: dict, ds: xr.Dataset, observed: xr.Dataset, out: Path) -> Path:
    from sim.analysis.fit_report import COUNTRY_TARGETS, DEFAULT_TARGETS, ORIGIN_TARGET, write_report

    split = spec.fit_end.year if spec.fit_end < spec.scenario.period_end else None
    n = len(fitted["samples"])
    extra = (f"Fitted on {spec.fit_start:%Y-%m}..{spec.fit_end:%Y-%m} at {spec.agents_per_person} agents per person "
             f"({fitted['trials_completed']} trials, best distance {fitted['distance']:.4f}); checked here at "
             f"{spec.final_agents_per_person} agents per person with {spec.final_replicates} replicates, a posterior "
             f"predictive check: replicate r runs with accepted sample r of {n} (recycled; replicate 0 is the best "
             "trial), so the 90% interval holds the uncertainty of the fitted values as well as the model's "
             "randomness, though not its structural error.\n\n"
             f"Best values: {fitted['parameters']} ; intervention strengths: {fitted['interventions']}\n"
             + history_note(spec.source, out))
    # runs with host stocks: compare them with UNHCR's end-year figures; migrants in Libya with the DTM rounds
    stocks = stock_table(ds, observed_host_stocks(spec.scenario.network)) if "transit_stock" in ds else pd.DataFrame()
    rounds = dtm_table(ds)
    extra += "\n" + stock_section(stocks) + "\n" + libya_section(ds, table=rounds)
    targets = (*DEFAULT_TARGETS, *COUNTRY_TARGETS) if "interceptions_by_crossing" in ds else DEFAULT_TARGETS
    if "arrivals_by_origin" in ds and "detections_by_origin" in observed:
        targets = (*targets, ORIGIN_TARGET)
    sd = record_discrepancy(spec, ds, observed, out, targets)
    return write_report(ds, observed, out, targets=targets, split_year=split,
                        title=f"Calibration fit report: {spec.name}", extra_md=extra, discrepancy=sd,
                        preface=lambda table: target_scorecard(spec, table, stocks, rounds, out))


def target_scorecard(spec: CalibrationSpec, table: pd.DataFrame, stocks: pd.DataFrame, rounds: pd.DataFrame,
                     out: Path) -> str:
    """The report's section on issue 20's targets: in sample from this fit's table, out of sample from its own
    held-out years or, for a fit on the whole period, from the held-out fit kept beside it; the stocks from the
    report's tables of host stocks and DTM rounds."""
    scored = issue_targets.in_sample_targets(table)
    if "period" in table.columns:
        scored += issue_targets.out_of_sample_targets(table)
    else:
        held_out, name = issue_targets.held_out_table(out)
        if held_out is not None:
            scored += issue_targets.out_of_sample_targets(held_out, f"fit `{name}`")
    scored += issue_targets.stock_targets(stocks, rounds)
    card = issue_targets.scorecard(scored, len(spec.parameters) + len(spec.interventions))
    if card and (history := history_link(spec.source, out)):
        card += (f"\nWhy each unmet target is unmet, from these tables, and what would supply the missing mechanism: "
                 f"[HISTORY.md]({history}), section \"The targets the adopted fit misses\".\n")
    return card


def record_discrepancy(spec: CalibrationSpec, ds: xr.Dataset, observed: xr.Dataset, out: Path,
                       targets: tuple) -> dict[str, dict[str, float]]:
    """Estimate the model discrepancy from the full-scale check over the fitting period's complete years only,
    and keep it in OUT/fitted.yaml (``discrepancy``), where forecasts and reports read it."""
    from sim.analysis.fit_report import fit_table

    last = spec.fit_end.year if spec.fit_end.month == 12 else spec.fit_end.year - 1
    sd = discrepancy.estimate(fit_table(ds, observed, targets), (spec.fit_start.year, last))
    path = out / "fitted.yaml"
    if path.is_file():
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["discrepancy"] = {"years": [spec.fit_start.year, last], "method": DISCREPANCY_METHOD, "sd_log": sd}
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return sd


DISCREPANCY_METHOD = ("zero-mean structural error on log(1 + annual count), one sd per target and route: the route's "
                      "mean squared log error of the check's median over the fitting years, less the replicates' "
                      "own variance, shrunk towards the target's pooled value (sim/analysis/discrepancy.py)")


def history_note(spec_path: Path | None, out: Path) -> str:
    """A line linking the ``HISTORY.md`` beside the spec (earlier refits that were not adopted, and what each
    taught), so a regenerated report keeps pointing at it; empty if there is none."""
    link = history_link(spec_path, out)
    return f"\nEarlier refits that were not adopted, and what each taught: [HISTORY.md]({link}).\n" if link else ""


def history_link(spec_path: Path | None, out: Path) -> str:
    """The ``HISTORY.md`` beside the spec, relative to the report's folder; empty if there is none."""
    if spec_path is None or not (Path(spec_path).parent / "HISTORY.md").is_file():
        return ""
    return Path(os.path.relpath(Path(spec_path).parent / "HISTORY.md", Path(out))).as_posix()


def posterior_predictive(spec: CalibrationSpec, fitted: dict, progress: bool = False, engine: str = "auto",
                         scheduler: str | None = None) -> xr.Dataset:
    """The full-scale check: replicate r runs with accepted sample r (recycled), so its spread holds the
    uncertainty of the fitted values as well as the model's own randomness."""
    samples = fitted["samples"]
    jobs = []
    for r in range(spec.final_replicates):
        sample = samples[r % len(samples)]
        scn = apply(spec.scenario, sample["parameters"], sample["interventions"],
                    agents_per_person=spec.final_agents_per_person, replicates=1)
        jobs.append((build_config(scn, spec.seed), r))
    results = dict(run_jobs(replicate_run, jobs, workers=spec.workers, engine=engine, scheduler=scheduler,
                            progress=progress, desc="posterior check"))
    ds = to_dataset([results[i] for i in range(len(jobs))], jobs[0][0].net,
                    provenance(spec.scenario, spec.seed, spec.final_replicates))
    ds.attrs["check"] = "posterior predictive: replicate r runs with accepted sample r mod n (0 = the best trial)"
    return ds
