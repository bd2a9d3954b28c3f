"""Calibration by the simulated method of moments, with Optuna's TPE sampler as the optimiser.

The distance between model and record is the weighted mean squared log error of annual route totals
(arrivals vs Frontex detections, dead and missing at sea vs IOM), over the fitting period. Free
parameters are named in a spec file: model parameters by name, and the strengths of dated scenario
entries by their ``id`` (a shock's date comes from the record; only its strength is fitted). Every
trial uses the same seed (common random numbers), so differences between trials are the parameters'.

Trials are stored in an SQLite file in the output folder, so an interrupted calibration resumes where
it stopped; trials run in parallel worker processes. The fitted parameters are the best trial; the
approximate posterior is the set of trials within the best ``accept_fraction`` of distances (an ABC-style
acceptance region over the optimiser's trials, not an exact Bayesian posterior).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
import yaml

from sim.core.model import RouteModel
from sim.core.parameters import PARAMETERS
from sim.errors import InputError
from sim.io.results import model_variable, unit_dim
from sim.io.scenario import Scenario, load_scenario, month_end, parse_month
from sim.io.yamlfile import read_mapping
from sim.run.executor import Executor

TARGET_PAIRS = {"arrivals": "detections", "dead_missing_sea": "dead_missing", "crossing_attempts": "detections",
                "sea_interceptions": "coast_guard_interceptions",
                "sea_arrivals_by_departure": "italy_arrivals_by_departure"}
METHODS = ("least_squares", "tpe")
OBSERVED = ("detections", "dead_missing", "sea_arrivals", "coast_guard_interceptions", "italy_arrivals_by_departure")
SPEC_KEYS = {"name", "scenario", "fit_period", "agents_per_person", "replicates", "trials", "seed", "workers",
             "accept_fraction", "final_replicates", "final_agents_per_person", "grain_agents", "method", "parameters",
             "interventions", "targets"}


@dataclass(frozen=True)
class Bound:
    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class Target:
    model: str  # model variable, e.g. arrivals
    observed: str  # observed variable, e.g. detections
    weight: float = 1.0


@dataclass(frozen=True)
class CalibrationSpec:
    name: str
    scenario: Scenario
    fit_start: dt.date
    fit_end: dt.date
    parameters: dict[str, Bound]
    interventions: dict[str, Bound]
    targets: tuple[Target, ...]
    agents_per_person: float = 0.02
    replicates: int = 1
    trials: int = 150
    seed: int = 7
    workers: int = 2
    accept_fraction: float = 0.1
    final_replicates: int = 10
    final_agents_per_person: float = 1.0
    grain_agents: float = 0.0
    method: str = "least_squares"  # or "tpe" (see the module docstring)
    source: Path | None = None


def load_spec(path: str | Path, until: str | None = None) -> CalibrationSpec:
    """Read and validate a calibration spec; every problem is one InputError naming file and field."""
    path = Path(path)
    doc, _ = read_mapping(path, "calibration spec", ", ".join(sorted(SPEC_KEYS)))

    def fail(field: str, msg: str) -> InputError:
        return InputError(f"{path}: {field}: {msg}")

    for key in doc:
        if key not in SPEC_KEYS:
            raise fail(str(key), f"unknown key; allowed: {', '.join(sorted(SPEC_KEYS))}")
    for key in ("name", "scenario", "parameters", "targets"):
        if key not in doc:
            raise fail(key, "required")
    if not isinstance(doc["scenario"], str):
        raise fail("scenario", "expected a scenario file path")
    try:
        scenario = load_scenario((path.parent / doc["scenario"]).resolve())
    except InputError as exc:
        raise fail("scenario", str(exc)) from None

    start, end = period_within(doc.get("fit_period"), "fit_period", scenario, fail, until=until)

    params = parameter_ranges(doc["parameters"], fail, "prior")
    ivs = _bounds(doc.get("interventions") or {}, "interventions", fail)
    ids = {s.id for s in scenario.interventions if s.id}
    for name in ivs:
        if name not in ids:
            raise fail(f"interventions.{name}", f"no scenario entry with this id; ids: {', '.join(sorted(ids))}")
    if len(params) + len(ivs) > 40:
        raise fail("parameters", f"{len(params) + len(ivs)} free parameters; at most 40 are allowed")

    targets = []
    if not isinstance(doc["targets"], list) or not doc["targets"]:
        raise fail("targets", "expected a non-empty list of {model, observed, weight}")
    for i, t in enumerate(doc["targets"]):
        if not isinstance(t, dict) or set(t) - {"model", "observed", "weight"}:
            raise fail(f"targets[{i}]", "expected a mapping with model, observed and weight")
        if t.get("model") not in TARGET_PAIRS:
            raise fail(f"targets[{i}].model", f"'{t.get('model')}' is not one of {', '.join(TARGET_PAIRS)}")
        if t.get("observed") not in OBSERVED:
            raise fail(f"targets[{i}].observed", f"expected one of {', '.join(OBSERVED)}")
        w = t.get("weight", 1.0)
        if isinstance(w, bool) or not isinstance(w, int | float) or not w > 0:
            raise fail(f"targets[{i}].weight", f"'{w}' is not a positive number")
        targets.append(Target(t["model"], t["observed"], float(w)))

    def num(key: str, default: float, low: float, high: float, integer: bool = False) -> float:
        v = doc.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int | float) or (integer and not isinstance(v, int)):
            raise fail(key, f"'{v}' is not a {'whole ' if integer else ''}number")
        if not low <= v <= high:
            raise fail(key, f"{v} is outside [{low}, {high}]")
        return v

    method = doc.get("method", "least_squares")
    if method not in METHODS:
        raise fail("method", f"'{method}' is not one of {', '.join(METHODS)}")
    name = doc["name"]
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise fail("name", "letters, digits, _ and - only")
    return CalibrationSpec(
        name=name, scenario=scenario, fit_start=start, fit_end=end, parameters=params, interventions=ivs,
        targets=tuple(targets), agents_per_person=num("agents_per_person", 0.02, 1e-4, 1),
        replicates=int(num("replicates", 1, 1, 100, True)), trials=int(num("trials", 150, 1, 100_000, True)),
        seed=int(num("seed", 7, 0, 2**62, True)), workers=int(num("workers", 2, 1, 256, True)),
        accept_fraction=num("accept_fraction", 0.1, 0.001, 1), final_replicates=int(num("final_replicates", 10, 1,
                                                                                        1000, True)),
        final_agents_per_person=num("final_agents_per_person", 1.0, 1e-4, 1),
        grain_agents=num("grain_agents", 0.0, 0.0, 100.0), method=method, source=path)


def period_within(block: Any, key: str, scenario: Scenario, fail, until: str | None = None,  # noqa: ANN001
                  only_start_end: bool = False) -> tuple[dt.date, dt.date]:
    """A spec's ``{start, end}`` period (default: the scenario's), checked to lie within the scenario's."""
    period = block or {}
    if not isinstance(period, dict) or (only_start_end and set(period) - {"start", "end"}):
        raise fail(key, "expected a mapping with start and end (YYYY-MM)")
    start = parse_month(period.get("start", scenario.period_start.strftime("%Y-%m")),
                        lambda m: fail(f"{key}.start", m))
    end_text = until or period.get("end", scenario.period_end.strftime("%Y-%m"))
    end = month_end(parse_month(end_text, lambda m: fail("--until" if until else f"{key}.end", m)))
    if end < start:
        raise fail(f"{key}.end", f"{end:%Y-%m} is before the start {start:%Y-%m}")
    if start < scenario.period_start or end > scenario.period_end:
        raise fail(key, f"must lie within the scenario's period {scenario.period_start:%Y-%m} to "
                        f"{scenario.period_end:%Y-%m}")
    return start, end


def parameter_ranges(block: Any, fail, word: str) -> dict[str, Bound]:  # noqa: ANN001
    """Named model parameters with ranges (``word``: 'prior', 'range'), each inside the parameter's bounds."""
    params = _bounds(block, "parameters", fail)
    for name, b in params.items():
        if name not in PARAMETERS:
            raise fail(f"parameters.{name}", "unknown parameter; see sim/parameters.py for the list")
        p = PARAMETERS[name]
        if b.low < p.low or b.high > p.high:
            raise fail(f"parameters.{name}", f"{word} [{b.low}, {b.high}] goes outside the parameter's bounds "
                                             f"[{p.low}, {p.high}] {p.unit}")
    return params


def _bounds(block: Any, where: str, fail) -> dict[str, Bound]:  # noqa: ANN001
    if not isinstance(block, dict):
        raise fail(where, "expected a mapping of name to {low, high, scale}")
    out = {}
    for name, b in block.items():
        if not isinstance(b, dict) or not {"low", "high"} <= set(b) or set(b) - {"low", "high", "scale"}:
            raise fail(f"{where}.{name}", "expected {low, high} and optionally scale: log or linear")
        low, high = b["low"], b["high"]
        if any(isinstance(x, bool) or not isinstance(x, int | float) for x in (low, high)) or not low < high:
            raise fail(f"{where}.{name}", f"bad prior [{low}, {high}]: need numbers with low < high")
        scale = b.get("scale", "linear")
        if scale not in ("log", "linear"):
            raise fail(f"{where}.{name}.scale", f"'{scale}' is not log or linear")
        if scale == "log" and low <= 0:
            raise fail(f"{where}.{name}", "a log-scale prior needs low > 0")
        out[str(name)] = Bound(float(low), float(high), scale == "log")
    return out


# --------------------------------------------------------------------------- applying a parameter set
def apply(scenario: Scenario, params: dict[str, float], strengths: dict[str, float], **changes: Any) -> Scenario:
    """The scenario with parameters and intervention strengths set (and other fields changed)."""
    ivs = tuple(dataclasses.replace(s, intensity=strengths[s.id]) if s.id in strengths else s
                for s in scenario.interventions)
    return dataclasses.replace(scenario, parameters={**scenario.parameters, **params}, interventions=ivs, **changes)


def annual_totals(ds: xr.Dataset, variables: list[str]) -> xr.Dataset:
    """Annual sums per route (or departure country) and replicate, over complete years only."""
    months = ds["time"].dt.year.to_series().value_counts()
    full = sorted(int(y) for y, n in months.items() if n == 12)
    chosen = xr.Dataset({v: model_variable(ds, v) for v in variables})
    return chosen.groupby("time.year").sum("time").sel(year=full)


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


# --------------------------------------------------------------------------- one trial
def _evaluate(args: tuple) -> np.ndarray:
    """One trial's residuals (see ``residuals``); the distance is the sum of their squares."""
    scenario, spec_targets, years, observed, replicates, seed, grain_agents = args
    from sim.run import build_config

    config = build_config(scenario, seed)
    results = [RouteModel(config, r).run() for r in range(replicates)]
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
                from sim.analysis.least_squares import fit_least_squares

                return fit_least_squares(spec, out, observed, years, start, ex, progress)
            return _fit_tpe(spec, out, observed, years, start, ex, progress)
    except InputError:  # bad input writes nothing: remove the stores and folders this run created
        for path in stores:
            path.unlink(missing_ok=True)
        for path in made:
            if path.exists() and not any(path.iterdir()):
                path.rmdir()
        raise


def trial_job(spec: CalibrationSpec, values: dict[str, float], years: list[int], observed: xr.Dataset) -> tuple:
    """What a worker needs to score one set of values (see ``_evaluate``)."""
    return (trial_scenario(spec, values), spec.targets, years, observed, spec.replicates, spec.seed,
            spec.grain_agents)


def _fit_tpe(spec: CalibrationSpec, out: Path, observed: xr.Dataset, years: list[int], start: dict | None,
             ex: Executor, progress: bool) -> dict:
    """Optuna's multivariate TPE, trials asked in batches of ``spec.workers``, stored in OUT/trials.db."""
    import optuna
    from tqdm import tqdm

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)  # multivariate TPE
    storage = f"sqlite:///{(out / 'trials.db').resolve()}"
    n_free = len(spec.parameters) + len(spec.interventions)
    sampler = optuna.samplers.TPESampler(seed=spec.seed, multivariate=True, n_startup_trials=min(30, 4 * n_free))
    study = optuna.create_study(study_name=spec.name, storage=storage, sampler=sampler, load_if_exists=True,
                                direction="minimize")
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL)  # interrupted last time: ask again
    dists = {name: _distribution(b) for name, b in spec.parameters.items()}
    dists.update({f"iv:{name}": _distribution(b) for name, b in spec.interventions.items()})
    if not study.trials and start is not None:
        study.enqueue_trial(start)  # a warm start: the scenario as it stands (e.g. the last fit)
    done = len([t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE])
    bar = tqdm(total=spec.trials, initial=done, unit="trial", desc="calibrating", disable=not progress)
    while done < spec.trials:
        batch = [study.ask(dists) for _ in range(min(spec.workers, spec.trials - done))]
        jobs = [trial_job(spec, t.params, years, observed) for t in batch]
        values = {i: sum_of_squares(r) for i, r in ex.run(_evaluate, jobs)}
        for trial, value in zip(batch, (values[i] for i in range(len(batch))), strict=True):
            study.tell(trial, value if math.isfinite(value) else None,
                       state=None if math.isfinite(value) else optuna.trial.TrialState.FAIL)
        done += len(batch)
        bar.update(len(batch))
    bar.close()
    return summarise(spec, study, out)


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


def _distribution(b: Bound):  # noqa: ANN202
    import optuna

    return optuna.distributions.FloatDistribution(b.low, b.high, log=b.log)


def summarise(spec: CalibrationSpec, study, out: Path) -> dict:  # noqa: ANN001
    """TPE's fit: the best trial, and as samples the trials within the best ``accept_fraction``."""
    import optuna

    trials = sorted((t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE),
                    key=lambda t: t.value)
    if not trials:
        raise InputError(f"{out}: no completed trials")
    n_accept = max(5, int(round(spec.accept_fraction * len(trials))))
    return write_fit(spec, out, [(t.number, float(t.value), t.params) for t in trials],
                     [{**split_values(t.params), "distance": float(t.value)} for t in trials[:n_accept]],
                     "simulated method of moments (weighted mean squared log error of annual route totals), "
                     "Optuna TPE optimiser; samples = trials within the best accept_fraction of distances "
                     "(ABC-style acceptance region, approximate)")


def split_values(values: dict) -> dict:
    """Trial values keyed ``name`` / ``iv:id`` as the fitted file's parameters and interventions."""
    return {"parameters": {k: float(v) for k, v in values.items() if not k.startswith("iv:")},
            "interventions": {k[3:]: float(v) for k, v in values.items() if k.startswith("iv:")}}


def write_fit(spec: CalibrationSpec, out: Path, evaluated: list[tuple[int, float, dict]], samples: list[dict],
              method: str, **extra: Any) -> dict:
    """Write OUT/fitted.yaml (the best values, the samples) and OUT/trials.csv (every trial, best first)."""
    evaluated = sorted(evaluated, key=lambda e: e[1])
    _, best_distance, best = evaluated[0]
    fitted = {
        **split_values(best),
        "distance": best_distance,
        "method": method,
        "spec": str(spec.source) if spec.source else "",
        "fit_period": [spec.fit_start.isoformat(), spec.fit_end.isoformat()],
        "agents_per_person_while_fitting": spec.agents_per_person,
        "trials_completed": len(evaluated),
        **extra,
        "samples": samples,
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    (out / "fitted.yaml").write_text(yaml.safe_dump(fitted, sort_keys=False), encoding="utf-8")
    names = sorted(best)
    rows = ["trial,distance," + ",".join(names)]
    rows += [f"{n},{d:.6g}," + ",".join(f"{v[k]:.6g}" for k in names) for n, d, v in evaluated]
    (out / "trials.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return fitted
