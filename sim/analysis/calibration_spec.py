"""A calibration spec: the scenario, the fitting period, the free values with their priors, the targets
(model variable against observed series, with weights) and the optimiser's settings, read from YAML."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from sim.analysis.free_values import Bound, parameter_ranges, period_within, read_bounds, spec_number, spec_scenario
from sim.errors import InputError
from sim.interventions import REGISTRY
from sim.io.scenario import Scenario
from sim.io.scenario_rules import MIN_AGENTS_PER_PERSON
from sim.io.yamlfile import read_mapping

TARGET_PAIRS = {"arrivals": "detections", "dead_missing_sea": "dead_missing", "crossing_attempts": "detections",
                "sea_interceptions": "coast_guard_interceptions",
                "sea_arrivals_by_departure": "italy_arrivals_by_departure",
                "arrivals_route_origin": "detections_by_origin"}
METHODS = ("least_squares", "tpe")
OBSERVED = ("detections", "dead_missing", "sea_arrivals", "coast_guard_interceptions", "italy_arrivals_by_departure",
            "detections_by_origin")
SPEC_KEYS = {"name", "scenario", "fit_period", "agents_per_person", "replicates", "trials", "seed", "workers",
             "accept_fraction", "final_replicates", "final_agents_per_person", "grain_agents", "method", "parameters",
             "interventions", "targets"}



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
    agents_per_person: float = MIN_AGENTS_PER_PERSON
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


MAX_FREE = 60  # free values in one spec; a Jacobian costs a run per value: 49 at 48, about 6 min at 1/20 on 2 cores


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
    scenario = spec_scenario(doc, path.parent, fail)

    start, end = period_within(doc.get("fit_period"), "fit_period", scenario, fail, until=until)

    params = parameter_ranges(doc["parameters"], fail, "prior")
    ivs = read_bounds(doc.get("interventions") or {}, "interventions", fail)
    entries = {s.id: s for s in scenario.interventions if s.id}
    for name, bound in ivs.items():
        if name not in entries:
            raise fail(f"interventions.{name}", f"no scenario entry with this id; ids: {', '.join(sorted(entries))}")
        lo, hi = REGISTRY[entries[name].type].intensity_range  # caught here, not at the first trial's run
        if bound.low < lo or bound.high > hi:
            raise fail(f"interventions.{name}", f"prior [{bound.low}, {bound.high}] leaves the intensity range "
                       f"[{lo}, {hi}] of its type {entries[name].type}")
    if len(params) + len(ivs) > MAX_FREE:  # each least-squares step costs one run per free value
        raise fail("parameters", f"{len(params) + len(ivs)} free parameters; at most {MAX_FREE} are allowed")

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

    num = functools.partial(spec_number, doc, fail)

    method = doc.get("method", "least_squares")
    if method not in METHODS:
        raise fail("method", f"'{method}' is not one of {', '.join(METHODS)}")
    name = doc["name"]
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise fail("name", "letters, digits, _ and - only")
    return CalibrationSpec(
        name=name, scenario=scenario, fit_start=start, fit_end=end, parameters=params, interventions=ivs,
        targets=tuple(targets),
        agents_per_person=num("agents_per_person", MIN_AGENTS_PER_PERSON, MIN_AGENTS_PER_PERSON, 1),
        replicates=int(num("replicates", 1, 1, 100, True)), trials=int(num("trials", 150, 1, 100_000, True)),
        seed=int(num("seed", 7, 0, 2**62, True)), workers=int(num("workers", 2, 1, 256, True)),
        accept_fraction=num("accept_fraction", 0.1, 0.001, 1), final_replicates=int(num("final_replicates", 10, 1,
                                                                                        1000, True)),
        final_agents_per_person=num("final_agents_per_person", 1.0, MIN_AGENTS_PER_PERSON, 1),
        grain_agents=num("grain_agents", 0.0, 0.0, 100.0), method=method, source=path)
