"""Free values of a spec: named model parameters and the strengths of dated scenario entries, each with a
range; how a spec file names them, and how a set of values is applied to a scenario.

Calibration (:mod:`sim.analysis.calibration_spec`) and sensitivity analysis
(:mod:`sim.analysis.sensitivity_spec`) read their free values the same way; forecasts apply fitted values.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.core.parameters import PARAMETERS
from sim.errors import InputError
from sim.io.scenario import Scenario, load_scenario, month_end, parse_month


@dataclass(frozen=True)
class Bound:
    """A free value's range; ``log``: sampled and mapped on a log scale (the spec's ``scale: log``)."""

    low: float
    high: float
    log: bool = False


def spec_scenario(doc: dict, folder: Path, fail) -> Scenario:  # noqa: ANN001
    """The scenario a spec names (a path relative to the spec's folder); its problems are the spec's."""
    if not isinstance(doc["scenario"], str):
        raise fail("scenario", "expected a scenario file path")
    try:
        return load_scenario((folder / doc["scenario"]).resolve())
    except InputError as exc:
        raise fail("scenario", str(exc)) from None


def spec_number(doc: dict, fail, key: str, default: float, low: float, high: float,  # noqa: ANN001
                integer: bool = False) -> float:
    """A number a spec gives at ``key`` (or ``default``), checked to lie in [low, high]."""
    v = doc.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int | float) or (integer and not isinstance(v, int)):
        raise fail(key, f"'{v}' is not a {'whole ' if integer else ''}number")
    if not low <= v <= high:
        raise fail(key, f"{v} is outside [{low}, {high}]")
    return v


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
    params = read_bounds(block, "parameters", fail)
    for name, b in params.items():
        if name not in PARAMETERS:
            raise fail(f"parameters.{name}", "unknown parameter; see sim/parameters.py for the list")
        p = PARAMETERS[name]
        if b.low < p.low or b.high > p.high:
            raise fail(f"parameters.{name}", f"{word} [{b.low}, {b.high}] goes outside the parameter's bounds "
                                             f"[{p.low}, {p.high}] {p.unit}")
    return params


def read_bounds(block: Any, where: str, fail) -> dict[str, Bound]:  # noqa: ANN001
    """A spec block of name -> {low, high, scale (log or linear)}, checked, as Bounds."""
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


def apply(scenario: Scenario, params: dict[str, float], strengths: dict[str, float], **changes: Any) -> Scenario:
    """The scenario with parameters and intervention strengths set (and other fields changed)."""
    ivs = tuple(dataclasses.replace(s, intensity=strengths[s.id]) if s.id in strengths else s
                for s in scenario.interventions)
    return dataclasses.replace(scenario, parameters={**scenario.parameters, **params}, interventions=ivs, **changes)

