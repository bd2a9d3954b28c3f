"""A sensitivity spec: the scenario, the analysed period, the inputs with their ranges (model parameters
and strengths of scenario entries), the headline outputs to rank them on and the Morris design, read from
YAML. Every problem is one InputError naming the file and field."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from sim import interventions as iv
from sim.analysis.free_values import Bound, parameter_ranges, period_within, read_bounds, spec_number, spec_scenario
from sim.errors import InputError
from sim.io.network_files import load_network
from sim.io.scenario import Scenario
from sim.io.scenario_rules import MIN_AGENTS_PER_PERSON
from sim.io.yamlfile import read_mapping

SPEC_KEYS = {"name", "scenario", "period", "method", "trajectories", "levels", "agents_per_person",
             "replicates", "seed", "workers", "parameters", "interventions", "outputs"}
METHODS = ("morris",)

# headline output: (title, units, how it is aggregated over the period, short form for plots)
OUTPUTS: dict[str, tuple[str, str, str, str]] = {
    "crossing_attempts": ("Crossing attempts", "persons", "total over the period", "total"),
    "arrivals": ("Irregular arrivals", "persons", "total over the period", "total"),
    "dead_missing": ("Dead and missing (land and sea)", "persons", "total over the period", "total"),
    "deaths_per_1000_attempts": ("Deaths per 1,000 crossing attempts", "per 1,000 attempts",
                                 "dead and missing at border crossings over attempts, whole period", "whole period"),
    "interceptions": ("Interceptions", "persons", "total over the period", "total"),
    "stranded": ("Stranded in transit", "persons", "mean of month-end stocks", "mean of month ends"),
    "smuggler_revenue": ("Smugglers' revenue", "EUR", "total over the period", "total"),
    "legal_entries": ("Entries through legal pathways", "persons", "total over the period", "total"),
}


@dataclass(frozen=True)
class SensitivitySpec:
    name: str
    scenario: Scenario
    start: dt.date  # first day of the analysed period (a month start)
    end: dt.date  # last day of the analysed period
    parameters: dict[str, Bound]
    interventions: dict[str, Bound]  # scenario entry id -> range of its strength
    outputs: tuple[str, ...] = tuple(OUTPUTS)
    method: str = "morris"
    trajectories: int = 10
    levels: int = 4
    agents_per_person: float = MIN_AGENTS_PER_PERSON
    replicates: int = 1
    seed: int = 7
    workers: int = 2
    source: Path | None = None
    text: str = field(default="", repr=False)  # the spec file as read, copied to OUT/spec.yaml

    @property
    def inputs(self) -> list[str]:
        """Input names in sample-column order: parameters, then intervention strengths as ``iv:<id>``."""
        return list(self.parameters) + [f"iv:{k}" for k in self.interventions]

    def bound(self, name: str) -> Bound:
        return self.interventions[name[3:]] if name.startswith("iv:") else self.parameters[name]


def load_sensitivity_spec(path: str | Path) -> SensitivitySpec:
    """Read and validate a sensitivity spec; every problem is one InputError naming file and field."""
    path = Path(path)
    allowed = ", ".join(sorted(SPEC_KEYS))
    doc, _ = read_mapping(path, "sensitivity spec", allowed)

    def fail(fld: str, msg: str) -> InputError:
        return InputError(f"{path}: {fld}: {msg}")

    for key in doc:
        if key not in SPEC_KEYS:
            raise fail(str(key), f"unknown key; allowed: {allowed}")
    for key in ("name", "scenario", "parameters"):
        if key not in doc:
            raise fail(key, "required")
    name = doc["name"]
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise fail("name", "letters, digits, _ and - only")
    method = doc.get("method", "morris")
    if method not in METHODS:
        raise fail("method", f"'{method}' is not one of {', '.join(METHODS)}")
    scenario = spec_scenario(doc, path.parent, fail)

    start, end = period_within(doc.get("period"), "period", scenario, fail, only_start_end=True)
    params = parameter_ranges(doc["parameters"], fail, "range")
    ivs = read_bounds(doc.get("interventions") or {}, "interventions", fail)
    entries = {s.id: s for s in scenario.interventions if s.id}
    net = load_network(scenario.network) if ivs else None
    for ident, b in ivs.items():
        if ident not in entries:
            raise fail(f"interventions.{ident}", f"no scenario entry with this id; ids: {', '.join(sorted(entries))}")
        for value in (b.low, b.high):
            try:
                iv.make(dataclasses.replace(entries[ident], intensity=value), net)
            except InputError as exc:
                raise fail(f"interventions.{ident}", str(exc)) from None
    if not 1 <= len(params) + len(ivs) <= 100:
        raise fail("parameters", f"{len(params) + len(ivs)} inputs; 1 to 100 are allowed")

    outputs = doc.get("outputs", list(OUTPUTS))
    if not isinstance(outputs, list) or not outputs:
        raise fail("outputs", f"expected a non-empty list of: {', '.join(OUTPUTS)}")
    for i, o in enumerate(outputs):
        if o not in OUTPUTS:
            raise fail(f"outputs[{i}]", f"'{o}' is not one of {', '.join(OUTPUTS)}")
    if len(set(outputs)) != len(outputs):
        raise fail("outputs", "an output is listed twice")

    num = functools.partial(spec_number, doc, fail)

    levels = int(num("levels", 4, 2, 20, True))
    if levels % 2:
        raise fail("levels", f"{levels} is odd; Morris needs an even number of levels (4 is usual)")
    app = float(num("agents_per_person", MIN_AGENTS_PER_PERSON, MIN_AGENTS_PER_PERSON, 1))
    if abs(1 / app - round(1 / app)) > 1e-6:
        raise fail("agents_per_person", f"{app} is not 1/n for a whole n")
    return SensitivitySpec(
        name=name, scenario=scenario, start=start, end=end, parameters=params, interventions=ivs,
        outputs=tuple(outputs), method=method, trajectories=int(num("trajectories", 10, 2, 100, True)),
        levels=levels, agents_per_person=app, replicates=int(num("replicates", 1, 1, 100, True)),
        seed=int(num("seed", 7, 0, 2**62, True)), workers=int(num("workers", 2, 1, 256, True)),
        source=path, text=path.read_text(encoding="utf-8"))
