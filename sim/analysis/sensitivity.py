"""Global sensitivity analysis: which uncertain assumptions drive which headline outputs.

Most behavioural parameters in :mod:`sim.core.parameters` are labelled assumptions, and the calibration fits
only a few of them, so a reader of any scenario comparison needs to know which of the others the answer
hangs on: does the number of dead and missing depend mainly on how lethal an unrescued wreck is
(``wreck_mortality``), on how often flimsy boats get into distress, or on how migrants weigh risk when
choosing a route (``beta_risk``)? Do arrivals depend on how fast aspirants set out (``departure_rate``)
or on how fast smugglers replace arrested members (``recruit_days``)? This module answers that by
screening: it ranks the inputs named in a spec file by their influence on each headline output over a
period (totals summed over routes; stocks such as ``stranded`` averaged over months).

The method is Morris elementary effects (Morris 1991) as implemented by SALib: ``r`` random one-at-a-time
trajectories through a grid of ``levels`` values per input, so ``k`` inputs cost only ``r * (k + 1)``
sample points (each run ``replicates`` times), against thousands for variance-based (Sobol) indices.
The importance measure is ``mu_star``, the mean absolute elementary effect (Campolongo, Cariboni &
Saltelli 2007, Environmental Modelling & Software 22:1509-1518), which is not fooled by effects of
opposite sign; ``mu`` (signed mean) gives the direction and ``sigma`` flags non-linearity or
interactions. Inputs are sampled on the unit interval and mapped to each input's range (linear, or log
for ``scale: log``), so an elementary effect is in the output's own units and reads as "the change in the
output when the input moves across its whole range". Morris ranks inputs; it does not apportion the
output's variance among them.

Every sample point uses the same seed (common random numbers), so differences between points are the
inputs', not noise, and an input the outputs cannot depend on gets ``mu_star`` exactly 0. Identical
sample points (Morris trajectories can revisit a grid point) are run once. Sample points run in parallel
worker processes; each point's headline outputs are kept in ``OUT/.routesim-state`` as soon as it finishes,
so an interrupted analysis rerun with the same spec and OUT computes only the points it lacks and gives the
same numbers (:mod:`sim.io.state`); the outputs are written atomically (a temporary sibling folder, then a
rename).

The spec is read by :mod:`sim.analysis.sensitivity_spec`; the tables, plot and report are written by
:mod:`sim.analysis.sensitivity_report`.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sim.analysis.free_values import apply
from sim.analysis.sensitivity_report import label, write_outputs
from sim.analysis.sensitivity_spec import SensitivitySpec
from sim.errors import InputError
from sim.io.network_files import load_network
from sim.io.scenario import Scenario
from sim.io.state import JobStore, fingerprint, scenario_fingerprint
from sim.run.executor import run_jobs

FLOWS = ("crossing_attempts", "arrivals", "dead_missing", "interceptions", "smuggler_revenue", "legal_entries")


# --------------------------------------------------------------------------- the sample
def _problem(spec: SensitivitySpec) -> dict:
    names = spec.inputs
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def unit_sample(spec: SensitivitySpec) -> np.ndarray:
    """The Morris design on the unit hypercube: r * (k + 1) rows, one column per input; seeded by the spec."""
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(_problem(spec), spec.trajectories, num_levels=spec.levels, seed=spec.seed)


def to_values(spec: SensitivitySpec, unit: np.ndarray) -> np.ndarray:
    """Unit-interval sample mapped to each input's range (geometrically for log-scale ranges)."""
    out = np.empty_like(unit, dtype=float)
    for j, name in enumerate(spec.inputs):
        b = spec.bound(name)
        if b.log:
            out[:, j] = np.exp(math.log(b.low) + unit[:, j] * (math.log(b.high) - math.log(b.low)))
        else:
            out[:, j] = b.low + unit[:, j] * (b.high - b.low)
    return out


def point_scenario(spec: SensitivitySpec, values: np.ndarray) -> Scenario:
    """The scenario at one sample point: reduced scale, the analysed period, the spec's seed."""
    params, strengths = {}, {}
    for name, v in zip(spec.inputs, values, strict=True):
        if name.startswith("iv:"):
            strengths[name[3:]] = float(v)
        else:
            params[name] = float(v)
    return apply(spec.scenario, params, strengths, agents_per_person=spec.agents_per_person,
                 period_start=spec.start, period_end=spec.end, replicates=spec.replicates, seed=spec.seed)


# --------------------------------------------------------------------------- one sample point
def headline(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Headline outputs per route and in total (last element), averaged over replicates.

    Flows are summed over the period, ``stranded`` is the mean of month-end stocks, and deaths per 1,000
    attempts are the dead and missing at border crossings over crossing attempts (as in
    :func:`sim.io.results.summary_table`), per replicate, then averaged.
    """
    out: dict[str, np.ndarray] = {}

    def with_total(da: xr.DataArray) -> np.ndarray:  # (route, replicate) -> (routes + 1,) replicate means
        both = np.concatenate([da.transpose("route", "replicate").values.astype(float),
                               da.sum("route").values.astype(float)[None, :]])
        return both.mean(axis=1)

    for name in FLOWS:
        out[name] = with_total(ds[name].sum("time"))
    out["stranded"] = with_total(ds["stranded"].mean("time"))
    at_crossings = ds["dead_missing_by_crossing"].sum("time").groupby("crossing_route").sum()
    at_crossings = at_crossings.rename(crossing_route="route").reindex(route=ds["route"].values, fill_value=0)
    attempts = ds["crossing_attempts"].sum("time")
    dead = np.concatenate([at_crossings.transpose("route", "replicate").values,
                           at_crossings.sum("route").values[None, :]]).astype(float)
    tries = np.concatenate([attempts.transpose("route", "replicate").values,
                            attempts.sum("route").values[None, :]]).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["deaths_per_1000_attempts"] = np.where(tries > 0, 1000 * dead / tries, np.nan).mean(axis=1)
    return out


def _evaluate(args: tuple[Scenario, int]) -> dict[str, np.ndarray]:
    scenario, replicates = args
    from sim.io.results import to_dataset
    from sim.run import build_config, simulate

    config = build_config(scenario)
    results = simulate(config, replicates, workers=1, progress=False)
    return headline(to_dataset(results, config.net, attrs={}))


# --------------------------------------------------------------------------- the analysis
def run_sensitivity(spec: SensitivitySpec, out: Path, workers: int | None = None, progress: bool = False) -> str:
    """Run the Morris screening and write OUT/ (indices.csv, samples.csv, plots, report.md, spec.yaml).

    Returns a one-line summary. Each finished sample point is kept in OUT/.routesim-state as it finishes
    (:mod:`sim.io.state`) and a rerun with the same spec reuses it; the outputs themselves are written
    only when every point has run.
    """
    from SALib.analyze import morris as morris_analyze

    t0 = time.perf_counter()
    out = Path(out)
    n_workers = spec.workers if workers is None else max(1, int(workers))
    unit = unit_sample(spec)
    values = to_values(spec, unit)
    keys = [tuple(row) for row in unit]
    unique = list(dict.fromkeys(keys))  # distinct grid points, in first-seen order
    points = [values[keys.index(k)] for k in unique]
    jobs = [(point_scenario(spec, v), spec.replicates) for v in points]

    with JobStore(out, "sensitivity") as store:  # finished points, kept as they finish: a rerun resumes
        common = fingerprint(spec.text, scenario_fingerprint(spec.scenario), spec.seed, spec.replicates,
                             spec.agents_per_person, spec.start, spec.end)
        job_keys = [fingerprint(common, scn.to_yaml(), v) for (scn, _), v in zip(jobs, points, strict=True)]
        found = [store.get(k) for k in job_keys]
        todo = [i for i, f in enumerate(found) if f is None]
        if todo:
            engine = "pool" if n_workers > 1 else "serial"
            for j, result in run_jobs(_evaluate, [jobs[i] for i in todo], workers=n_workers, engine=engine,
                                      progress=progress, desc="sensitivity"):
                found[todo[j]] = result
                store.put(job_keys[todo[j]], result)
        store.prune()
    by_point = dict(zip(unique, found, strict=True))
    per_row = [by_point[k] for k in keys]

    routes = list(load_network(spec.scenario.network).routes)
    problem = _problem(spec)
    rows, route_rows, skipped = [], [], []
    for o in spec.outputs:
        y = np.array([r[o] for r in per_row])  # (samples, routes + 1)
        for j, route in enumerate([*routes, None]):
            if not np.isfinite(y[:, j]).all():
                skipped.append(f"{o} on {route or 'all routes'}")
                continue
            si = morris_analyze.analyze(problem, unit, y[:, j], num_resamples=1000, conf_level=0.95,
                                        num_levels=spec.levels, seed=spec.seed)
            table = pd.DataFrame({"output": o, "parameter": spec.inputs, "mu_star": np.asarray(si["mu_star"]),
                                  "mu_star_conf": np.asarray(si["mu_star_conf"]), "mu": np.asarray(si["mu"]),
                                  "sigma": np.asarray(si["sigma"])})
            table["rank"] = table["mu_star"].rank(ascending=False, method="min").astype(int)
            table = table.sort_values(["rank", "parameter"], kind="stable")
            if route is None:
                rows.append(table)
            else:
                route_rows.append(table.assign(route=route))
    if not rows:
        raise InputError(f"{spec.source}: outputs: none of them is finite at every sample point ({skipped})")
    indices = pd.concat(rows, ignore_index=True)
    by_route = pd.concat(route_rows, ignore_index=True) if route_rows else indices.iloc[:0].assign(route="")
    by_route = by_route[["output", "route", "parameter", "mu_star", "mu_star_conf", "mu", "sigma", "rank"]]

    samples = pd.DataFrame({"sample": np.arange(len(keys)),
                            "trajectory": np.arange(len(keys)) // (len(spec.inputs) + 1)})
    for j, name in enumerate(spec.inputs):
        samples[name] = values[:, j]
    for o in spec.outputs:
        samples[o] = [r[o][-1] for r in per_row]
    wall = time.perf_counter() - t0  # sampling, model runs and analysis (not writing the files)
    meta = {"wall": wall, "points": len(keys), "runs": len(unique) * spec.replicates, "workers": n_workers,
            "skipped": skipped, "reused": store.reused}
    write_outputs(out, spec, indices, by_route, samples, meta)
    tops = "; ".join(f"{o}: {_top(indices, o)}" for o in spec.outputs if (indices["output"] == o).any())
    return (f"{spec.name}: Morris screening of {len(spec.inputs)} inputs, {meta['runs']} model runs in "
            f"{wall / 60:.1f} min; top driver per output - {tops}; {len(unique)} distinct points: "
            f"{store.describe()}; wrote {out}")


def _top(indices: pd.DataFrame, output: str) -> str:
    first = indices[indices["output"] == output].iloc[0]
    return label(first["parameter"]) if first["mu_star"] > 0 else "none (no input changed it)"
