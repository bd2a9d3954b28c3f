"""What a scenario file may hold, as data: keys, required keys, defaults, ranges and patterns.

:mod:`sim.io.scenario` validates scenario files with these, and :mod:`sim.io.scenario_schema` publishes them
as a JSON Schema (``docs/scenario.schema.json``), so the two cannot drift apart. Parameter names and bounds
are in :mod:`sim.core.parameters`; intervention types, their targets, intensity ranges and options in the
intervention registry (:mod:`sim.interventions`).
"""

from __future__ import annotations

TOP_KEYS = {
    "base": "scenario file this one extends: its settings, parameters and interventions, with this file's added",
    "routesim_version": "version of routesim the scenario was written for",
    "name": "short name (letters, digits, _ and -)",
    "description": "free text",
    "period": "mapping with start and end (YYYY-MM)",
    "spinup_months": "months simulated before the period starts and not reported (0-60)",
    "replicates": "number of stochastic replicates (1-1000)",
    "seed": "non-negative integer",
    "agents_per_person": "simulated agents per real person, 1/n for whole n (1 = one agent per person)",
    "network": "folder with routes.csv, nodes.csv, edges.csv, origins.csv, authorities.csv",
    "parameters": "mapping of parameter name to value",
    "interventions": "list of interventions",
    "calibration": "fitted-parameters file written by routesim calibrate (parameters and intervention strengths)",
}
REQUIRED = ("name", "period")
"""Keys a scenario must give (``period`` may come from its ``base``)."""
DEFAULTS = {"spinup_months": 12, "replicates": 10, "seed": 1, "agents_per_person": 1.0}
"""Values of the settings a scenario (or its base) leaves out."""
WHOLE_NUMBERS = {"spinup_months": (0, 60), "replicates": (1, 1000), "seed": (0, 2**62)}
"""Whole-number settings and their inclusive ranges."""
MIN_AGENTS_PER_PERSON = 1 / 20
"""The coarsest scale a scenario, a spec or ``--scale`` may ask for: one agent per 20 persons. Coarser, the
answer moves with the scale (docs/model.md 2.8, measured against 1/10 with 4 replicates each: all 88
route-years agree at 1/20; at 1/50 Central Mediterranean arrivals are 3-11% lower and the Atlantic's 10-24%
higher, failing 10, at 1/100 17% and 33%, failing 20): an agent of 50 or 100 persons is more than a boat
carries (40 or 60) and more than a cell's day of seats on the Central Mediterranean (about 55), so the
queue at a coast moves in steps the boats' load factor answers to."""
AGENTS_PER_PERSON = (MIN_AGENTS_PER_PERSON, 1.0)
"""Range of agents_per_person (also 1/n for a whole n)."""


def agents_per_person_problem(value: float) -> str | None:
    """What is wrong with ``value`` as agents_per_person (one line, without the field's name), or None."""
    low, high = AGENTS_PER_PERSON
    if 0 < value < low:
        return (f"{value:g} is coarser than the minimum {low:g} (1 agent per {round(1 / low)} persons): coarser "
                "scales change the answer (docs/model.md 2.8)")
    if not low <= value <= high or abs(1 / value - round(1 / value)) > 1e-6:
        return f"{value:g} is not allowed: expected 1/n for a whole n, in [{low:g}, {high:g}]"
    return None
NAME_PATTERN = r"[A-Za-z0-9_\-]+"
"""Scenario names and intervention ids: letters, digits, _ and -."""
PERIOD_YEARS = (2000, 2100)
"""Years the period may span."""
INTERVENTION_KEYS = {
    "id": "optional name, so a calibration can set this entry's intensity (letters, digits, _ and -)",
    "type": "intervention type, one of the registered types (docs/model.md)",
    "target": "a node, edge, route, authority, country or origin id of the network, as the type allows",
    "start": "first day in force, YYYY-MM-DD or YYYY-MM (the month's first day)",
    "end": "last day in force, YYYY-MM-DD or YYYY-MM (the month's last day); none = to the end of the run",
    "intensity": "strength at full effect, in the type's range and unit",
    "ramp_days": "days over which the intensity rises linearly to full (0-3650)",
    "note": "free text: the source or reason for this entry",
}
"""Keys every intervention entry may have, besides its type's own options."""
INTERVENTION_REQUIRED = ("type", "target", "start", "intensity")
RAMP_DAYS = (0, 3650)
"""Range of ramp_days."""
TIME_SUFFIX = r"([ T][0-9:.+\-Z]*)?"
DATE_PATTERN = r"\d{4}-\d{2}-\d{2}" + TIME_SUFFIX
"""A day, YYYY-MM-DD, optionally with a time (which is ignored)."""
YEARS = (1900, 2200)
"""Years a date in a scenario may name (period, interventions): wide, but far from the calendar's ends."""
MAX_BASE_DEPTH = 16
"""Most ``base:`` files in one chain (a scenario extending one extending another ...)."""
NAME_CHARS = 64
"""Longest scenario name: it names the default output folder, runs/<name>."""
