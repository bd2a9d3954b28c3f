"""The distance between model and record, and one trial: a set of free values run and scored.

The distance is the weighted mean squared log error of annual route totals (arrivals vs Frontex
detections, dead and missing at sea vs IOM) over the fitting period; :func:`residuals` are the terms whose
squares sum to it. :func:`evaluate` is what a worker process runs for one trial.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import xarray as xr

from sim.analysis.calibration_spec import CalibrationSpec, Target
from sim.analysis.free_values import apply
from sim.core.model import RouteModel, TooManyAgents
from sim.io.results import full_years, model_variable, unit_dim
from sim.io.scenario import Scenario


def annual_totals(ds: xr.Dataset, variables: list[str]) -> xr.Dataset:
    """Annual sums per route (or departure country) and replicate, over complete years only."""
    chosen = xr.Dataset({v: model_variable(ds, v) for v in variables})
    return chosen.groupby("time.year").sum("time").sel(year=full_years(ds))


def residuals(sim_annual: xr.Dataset, observed: xr.Dataset, targets: tuple[Target, ...], years: list[int],
              grain: float = 1.0) -> np.ndarray:
    """The log error of every route-year (country-year for coast-guard interceptions) where the record has a
    value, on log(count + grain), each scaled by sqrt(weight / (sum of weights x the target's count)) so that
    their squares sum to the distance: what a least-squares optimiser fits. The record's gaps alone decide
    which cells count, so the vector has the same length for every parameter set."""
    parts = []
    for t in targets:
        sim = sim_annual[t.model].mean("replicate").sel(year=years)
        unit = unit_dim(sim)
        obs = observed[t.observed].reindex(year=years).reindex({unit: sim[unit].values})
        err = (np.log(sim + grain) - np.log(obs + grain)).transpose("year", unit).values.ravel()
        err = err[np.isfinite(err)]
        if len(err):
            parts.append((t.weight, err))
    total_weight = sum(w for w, _ in parts)
    return np.concatenate([np.sqrt(w / (total_weight * len(e))) * e for w, e in parts]) if parts else np.zeros(0)


def distance(sim_annual: xr.Dataset, observed: xr.Dataset, targets: tuple[Target, ...], years: list[int],
             grain: float = 1.0) -> float:
    """Weighted mean squared log error over route-years (country-years for coast-guard interceptions) where the
    record has a value, on log(count + grain). At reduced scale one agent stands for 1/agents_per_person
    persons, so a route-year of a few dozen deaths is 0, 1 or 2 agents: with grain = a few agents' worth
    (the spec's ``grain_agents``) such cells stop adding noise the optimiser cannot act on - and also stop
    being fitted at all, so the grain must stay below the smallest counts that matter (deaths on the
    smaller routes). grain = 1 person is the plain log1p error."""
    return sum_of_squares(residuals(sim_annual, observed, targets, years, grain))


def sum_of_squares(r: np.ndarray) -> float:
    return float(r @ r) if len(r) else math.inf


TRIAL_AGENT_CAP = 20.0
"""A trial stops (and fails) once more agents are alive at once than this many times the footprint estimate of
the spec's scenario as it stands (:func:`sim.run.footprint.estimate` at the fit's scale; about 2.6 million
agents at 1/20 on the adopted baseline, whose trials peak near 0.1 million). The bound is the same for every
trial: random corners of the priors (a global search's first draws) made one worker hold 5.2-6.8 GB for over
ten minutes (calibration/HISTORY.md), and there the trial's own estimate explodes with its values."""


def agent_cap(spec: CalibrationSpec) -> int:
    """Live agents at which a trial of ``spec`` stops (:data:`TRIAL_AGENT_CAP`); a fit computes it once."""
    from sim.run.footprint import estimate

    live = estimate(spec.scenario, agents_per_person=spec.agents_per_person).live_agents
    return max(1, int(TRIAL_AGENT_CAP * live))


def evaluate(args: tuple) -> np.ndarray:
    """One trial's residuals (see ``residuals``); the distance is the sum of their squares. A trial whose
    population passes its cap (``agent_cap``) returns [inf]: a failed trial."""
    scenario, spec_targets, years, observed, replicates, seed, grain_agents, cap = args
    from sim.run import build_config

    config = dataclasses.replace(build_config(scenario, seed), max_live_agents=cap)
    try:
        results = [RouteModel(config, r).run() for r in range(replicates)]
    except TooManyAgents:
        return np.array([math.inf])
    from sim.io.results import to_dataset

    ds = to_dataset(results, config.net, {})
    variables = sorted({t.model for t in spec_targets})
    grain = max(1.0, grain_agents / (scenario.agents_per_person * replicates))
    return residuals(annual_totals(ds, variables), observed, spec_targets, years, grain=grain)


def trial_scenario(spec: CalibrationSpec, values: dict[str, float]) -> Scenario:
    params = {k: v for k, v in values.items() if k in spec.parameters}
    strengths = {k[len("iv:"):]: v for k, v in values.items() if k.startswith("iv:")}
    return apply(spec.scenario, params, strengths, agents_per_person=spec.agents_per_person,
                 period_start=spec.fit_start, period_end=spec.fit_end, replicates=spec.replicates)


def trial_job(spec: CalibrationSpec, values: dict[str, float], years: list[int], observed: xr.Dataset,
              cap: int) -> tuple:
    """What a worker needs to score one set of values (see ``evaluate``); ``cap`` is ``agent_cap(spec)``."""
    return (trial_scenario(spec, values), spec.targets, years, observed, spec.replicates, spec.seed,
            spec.grain_agents, cap)
