"""``routesim calibrate``: fit at reduced scale, then check the fitted parameters at full scale.

The check runs the scenario over its whole period with the fitted values; when the fit ended before the
scenario does (``--until``), the later years are reported as out of sample, beside a naive baseline
(last year's observed value).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sim.calibration import CalibrationSpec, apply, calibrate
from sim.observed import load_annual_observations
from sim.results import to_dataset
from sim.run import build_config, provenance, simulate


def run_calibration(spec: CalibrationSpec, out: Path, progress: bool = True, engine: str = "auto",
                    scheduler: str | None = None) -> Path:
    observed = load_annual_observations()
    fitted = calibrate(spec, out, observed, progress=progress, engine=engine, scheduler=scheduler)
    scn = apply(spec.scenario, fitted["parameters"], fitted["interventions"],
                agents_per_person=spec.final_agents_per_person, replicates=spec.final_replicates)
    config = build_config(scn, spec.seed)
    results = simulate(config, spec.final_replicates, workers=spec.workers, progress=progress)
    ds = to_dataset(results, config.net, provenance(scn, spec.seed, spec.final_replicates))
    check = out / "check"
    if check.exists():
        shutil.rmtree(check)
    check.mkdir(parents=True)
    ds.to_netcdf(check / "results.nc", engine="h5netcdf")
    from sim.fit_report import write_report

    split = spec.fit_end.year if spec.fit_end < spec.scenario.period_end else None
    extra = (f"Fitted on {spec.fit_start:%Y-%m}..{spec.fit_end:%Y-%m} at {spec.agents_per_person} agents per person "
             f"({fitted['trials_completed']} trials, best distance {fitted['distance']:.4f}); checked here at "
             f"{spec.final_agents_per_person} agents per person with {spec.final_replicates} replicates.\n\n"
             f"Fitted values: {fitted['parameters']} ; intervention strengths: {fitted['interventions']}\n")
    return write_report(ds, observed, out, split_year=split, title=f"Calibration fit report: {spec.name}",
                        extra_md=extra)
