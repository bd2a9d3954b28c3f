"""Scenario files: YAML data (never code), parsed with a safe loader into a frozen, validated object.

Every problem is reported as one line naming the file, the field and what is allowed, before anything
runs. A scenario writes back to the YAML it was read from (``to_yaml``) and records the routesim
version it was written for.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from sim import __version__
from sim import interventions as iv
from sim.core.network import Network
from sim.core.parameters import PARAMETERS
from sim.errors import InputError, shorten
from sim.io.demand_inputs import read_hosts
from sim.io.network_files import DATA_DIR, load_network
from sim.io.scenario_rules import (
    AGENTS_PER_PERSON,
    DATE_PATTERN,
    DEFAULTS,
    INTERVENTION_KEYS,
    INTERVENTION_REQUIRED,
    MAX_BASE_DEPTH,
    NAME_CHARS,
    NAME_PATTERN,
    PERIOD_YEARS,
    RAMP_DAYS,
    REQUIRED,
    TOP_KEYS,
    WHOLE_NUMBERS,
    YEARS,
    agents_per_person_problem,
)
from sim.io.yamlfile import read_mapping

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Scenario:
    name: str
    period_start: dt.date
    period_end: dt.date
    description: str = ""
    spinup_months: int = 12
    replicates: int = 10
    seed: int = 1
    agents_per_person: float = 1.0
    network: Path = DATA_DIR / "network"
    parameters: dict[str, float] = field(default_factory=dict)
    interventions: tuple[iv.InterventionSpec, ...] = ()
    routesim_version: str = __version__
    calibration: Path | None = None
    source: Path | None = None
    sha256: str = ""

    def to_yaml(self) -> str:
        """The scenario as YAML: reading it back gives an equal scenario."""
        doc: dict[str, Any] = {
            "routesim_version": self.routesim_version,
            "name": self.name,
            "description": self.description,
            "period": {"start": self.period_start.strftime("%Y-%m"), "end": self.period_end.strftime("%Y-%m")},
            "spinup_months": self.spinup_months,
            "replicates": self.replicates,
            "seed": self.seed,
            "agents_per_person": self.agents_per_person,
            "network": str(self.network),
            **({"calibration": str(self.calibration)} if self.calibration else {}),
            "parameters": dict(self.parameters),
            "interventions": [
                {k: v for k, v in {
                    "id": s.id, "type": s.type, "target": s.target, "start": s.start.isoformat(),
                    "end": s.end.isoformat() if s.end else None, "intensity": s.intensity,
                    "ramp_days": s.ramp_days, "note": s.note, **dict(s.options)}.items()
                    if v not in (None, "", 0) or k == "intensity" or k in dict(s.options)}
                for s in self.interventions
            ],
        }
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def load_scenario(path: str | Path, _chain: tuple[Path, ...] = ()) -> Scenario:
    """Read and validate a scenario file; raises InputError with one line naming file and field."""
    path = Path(path)
    doc, sha = read_mapping(path, "scenario file", ", ".join(TOP_KEYS))
    return parse_scenario(doc, path, sha, _chain)


def parse_scenario(doc: Any, path: Path, sha256: str = "", _chain: tuple[Path, ...] = ()) -> Scenario:
    def fail(fld: str, msg: str) -> InputError:
        return InputError(f"{path}: {fld}: {msg}")

    if doc is None:
        raise InputError(f"{path}: the file is empty: expected a mapping with keys {', '.join(TOP_KEYS)}")
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a mapping of keys (name, period, ...), got a {type(doc).__name__}")
    for key in doc:
        if key not in TOP_KEYS:
            raise fail(str(key), f"unknown key; allowed: {', '.join(TOP_KEYS)}")
    base = _base_scenario(doc, path, _chain, fail) if doc.get("base") is not None else None
    for key in REQUIRED:
        if key not in doc and not (base is not None and key == "period"):
            raise fail(key, f"required ({TOP_KEYS[key]})")

    name = doc["name"]
    if not isinstance(name, str) or not re.fullmatch(NAME_PATTERN, name) or len(name) > NAME_CHARS:
        raise fail("name", f"'{shorten(name)}' is not allowed: {TOP_KEYS['name']}, at most {NAME_CHARS}")
    if "period" in doc:
        period = doc["period"]
        if not isinstance(period, dict) or set(period) != {"start", "end"}:
            raise fail("period", "expected a mapping with exactly start and end (YYYY-MM)")
        start = parse_month(period["start"], lambda m: fail("period.start", m))
        end_month = parse_month(period["end"], lambda m: fail("period.end", m))
        end = month_end(end_month)
        if end_month < start:
            raise fail("period.end", f"{end_month:%Y-%m} is before period.start {start:%Y-%m}")
        if start.year < PERIOD_YEARS[0] or end.year > PERIOD_YEARS[1]:
            raise fail("period", f"must lie within {PERIOD_YEARS[0]}-{PERIOD_YEARS[1]}")
    else:
        start, end = base.period_start, base.period_end

    inherited = dict(DEFAULTS) if base is None else {k: getattr(base, k) for k in DEFAULTS}
    whole = {k: _int(doc.get(k, inherited[k]), *WHOLE_NUMBERS[k], lambda m, k=k: fail(k, m)) for k in WHOLE_NUMBERS}
    spinup, replicates, seed = whole["spinup_months"], whole["replicates"], whole["seed"]
    app = _float(doc.get("agents_per_person", inherited["agents_per_person"]), lambda m: fail("agents_per_person", m))
    low, high = AGENTS_PER_PERSON
    if 0 < app < low:
        raise fail("agents_per_person", agents_per_person_problem(app))
    if not low <= app <= high or abs(1 / app - round(1 / app)) > 1e-6:
        raise fail("agents_per_person", f"{shorten(app)} is not allowed: {TOP_KEYS['agents_per_person']}, in "
                   f"[{number_text(low)}, {number_text(high)}]")

    net_dir = doc.get("network", None)
    if net_dir is None:
        network = base.network if base is not None else DATA_DIR / "network"
    elif not isinstance(net_dir, str):
        raise fail("network", "expected a folder path")
    else:
        try:
            network = (path.parent / net_dir).resolve() if not Path(net_dir).is_absolute() else Path(net_dir)
            found = network.is_dir()
        except (ValueError, OSError):
            raise fail("network", f"'{shorten(net_dir)}' is not a usable folder path") from None
        if not found:
            raise fail("network", f"folder not found: {network}")
    try:
        net = load_network(network)
        read_hosts(network, net)  # the optional hosts table is part of the network folder
    except InputError as exc:
        raise fail("network", str(exc)) from None

    params = doc.get("parameters") or {}
    if not isinstance(params, dict):
        raise fail("parameters", "expected a mapping of parameter name to value")
    clean: dict[str, float] = {}
    for k, v in params.items():
        if k not in PARAMETERS:
            raise fail(f"parameters.{shorten(k)}", "unknown parameter; see docs/model.md for the list")
        value = _float(v, lambda m, k=k: fail(f"parameters.{k}", m))
        p = PARAMETERS[k]
        if not p.low <= value <= p.high:
            raise fail(f"parameters.{k}", f"{value} is outside [{p.low}, {p.high}] {p.unit}")
        clean[k] = value

    ivs = doc.get("interventions") or []
    if not isinstance(ivs, list):
        raise fail("interventions", "expected a list")
    specs = tuple(_intervention(item, i, net, fail) for i, item in enumerate(ivs))
    if base is not None:
        specs = base.interventions + specs
    ids = [s.id for s in specs if s.id]
    if len(ids) != len(set(ids)):
        raise fail("interventions", f"duplicate id among {', '.join(ids)}")

    own = clean
    calibration = base.calibration if base is not None else None
    if doc.get("calibration") is not None:
        if not isinstance(doc["calibration"], str):
            raise fail("calibration", "expected a file path")
        try:
            calibration = (path.parent / doc["calibration"]).resolve()
            calibration.is_file()
        except (ValueError, OSError):
            raise fail("calibration", f"'{shorten(doc['calibration'])}' is not a usable file path") from None
        fitted = load_fitted(calibration, lambda m: fail("calibration", m))
        clean = {**fitted.get("parameters", {}), **clean}  # the scenario's own values win
        strengths = fitted.get("interventions", {})
        unknown = sorted(set(strengths) - set(ids), key=str)
        if unknown:
            raise fail("calibration", f"{shorten(calibration, 100)}: fitted strengths for unknown intervention ids "
                                      f"{shorten(', '.join(map(str, unknown)))}")
        specs = tuple(replace(s, intensity=float(strengths[s.id])) if s.id in strengths else s for s in specs)
        for s in specs:
            try:
                iv.make(s, net)
            except InputError as exc:
                raise fail("calibration", f"{calibration}: intervention '{s.id}': {exc}") from None
        for k, v in clean.items():
            p = PARAMETERS[k]
            if not p.low <= v <= p.high:
                raise fail("calibration", f"{calibration}: {k}={v} is outside [{p.low}, {p.high}]")
    if base is not None:  # the base's values, then this file's fitted values, then this file's own
        clean = {**base.parameters, **clean, **own}

    version = doc.get("routesim_version", base.routesim_version if base is not None else __version__)
    if not isinstance(version, str | int | float) or isinstance(version, bool):
        raise fail("routesim_version", f"'{shorten(version)}' is not a version such as {__version__}")
    description = doc.get("description", "") or ""
    if not isinstance(description, str):
        raise fail("description", "expected text")
    return Scenario(name=name, description=description.strip(), period_start=start, period_end=end,
                    spinup_months=spinup, replicates=replicates, seed=seed, agents_per_person=app,
                    network=network, parameters=clean, interventions=specs, routesim_version=str(version),
                    calibration=calibration, source=path, sha256=sha256)


def _base_scenario(doc: dict, path: Path, chain: tuple[Path, ...], fail) -> Scenario:  # noqa: ANN001
    """The scenario this one extends, read relative to this file; a cycle of bases is an error."""
    ref = doc["base"]
    if not isinstance(ref, str):
        raise fail("base", "expected a scenario file path")
    try:
        target = (path.parent / ref).resolve()
        target.is_file()
    except (ValueError, OSError):
        raise fail("base", f"'{shorten(ref)}' is not a usable file path") from None
    here = path.resolve()
    if target in (*chain, here):
        raise fail("base", f"{shorten(target)} extends itself (a cycle of base files)")
    if len(chain) + 1 >= MAX_BASE_DEPTH:
        raise fail("base", f"more than {MAX_BASE_DEPTH} files in a chain of base files")
    try:
        return load_scenario(target, (*chain, here))
    except InputError as exc:
        if chain:  # deeper in a chain: the error names its own file; only the top file adds "base:"
            raise
        raise fail("base", str(exc)) from None


def load_fitted(path: Path, fail) -> dict:  # noqa: ANN001
    """A fitted-parameters file: {parameters: {name: value}, interventions: {id: intensity}, ...}."""
    try:
        doc, _ = read_mapping(path, "fitted-parameters file", "parameters, interventions")
    except InputError as exc:
        raise fail(str(exc)) from None
    for key in ("parameters", "interventions"):
        block = doc.get(key, {}) or {}
        if not isinstance(block, dict) or not all(isinstance(k, str) for k in block) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) and v == v and abs(v) != float("inf")
                for v in block.values()):
            raise fail(f"{path}: {key} must map names to finite numbers")
        doc[key] = {k: float(v) for k, v in block.items()}
    unknown = sorted(set(doc["parameters"]) - set(PARAMETERS))
    if unknown:
        raise fail(f"{path}: unknown parameters {shorten(', '.join(unknown), 120)}")
    return doc


def _intervention(item: Any, i: int, net: Network, fail) -> iv.InterventionSpec:  # noqa: ANN001
    where = f"interventions[{i}]"
    if not isinstance(item, dict):
        raise fail(where, "expected a mapping with type, target, start, intensity")
    for key in INTERVENTION_REQUIRED:
        if key not in item:
            raise fail(f"{where}.{key}", "required")
    if not isinstance(item["type"], str) or item["type"] not in iv.REGISTRY:
        close = difflib.get_close_matches(str(item["type"]), sorted(iv.REGISTRY), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise fail(f"{where}.type", f"'{shorten(item['type'])}' is not one of the {len(iv.REGISTRY)} intervention "
                   f"types ({min(iv.REGISTRY)} ... {max(iv.REGISTRY)}, listed in docs/model.md){hint}")
    kind = iv.REGISTRY[item["type"]]
    for key in item:
        if key not in INTERVENTION_KEYS and key not in kind.options:
            allowed = sorted(INTERVENTION_KEYS) + [f"{k} (option)" for k in sorted(kind.options)]
            raise fail(f"{where}.{shorten(key)}", f"unknown key for {kind.name}; allowed: {', '.join(allowed)}")
    start = _date(item["start"], lambda m: fail(f"{where}.start", m))
    end = None
    if item.get("end") is not None:
        end = _date(item["end"], lambda m: fail(f"{where}.end", m), end_of_month=True)
        if end < start:
            raise fail(f"{where}.end", f"{end} is before start {start}")
    intensity = _float(item["intensity"], lambda m: fail(f"{where}.intensity", m))
    ramp_days = item["ramp_days"] if item.get("ramp_days") is not None else 0
    ramp = _int(ramp_days, *RAMP_DAYS, lambda m: fail(f"{where}.ramp_days", m))
    note = item.get("note", "") or ""
    if not isinstance(note, str):
        raise fail(f"{where}.note", "expected text")
    if not isinstance(item["target"], str):
        raise fail(f"{where}.target", f"'{shorten(item['target'])}' is not a name; expected a node, edge, route, "
                   "authority or country name")
    ident = item.get("id", "") or ""
    if not isinstance(ident, str) or (ident and not re.fullmatch(NAME_PATTERN, ident)) or len(ident) > NAME_CHARS:
        raise fail(f"{where}.id", f"'{shorten(ident)}' is not allowed: letters, digits, _ and -, at most {NAME_CHARS}")
    options = []
    for key in sorted(set(item) & set(kind.options)):
        try:
            options.append((key, kind.options[key].check(item[key])))
        except (ValueError, TypeError) as exc:
            raise fail(f"{where}.{key}", f"{shorten(exc, 120)} ({kind.options[key].doc})") from None
    spec = iv.InterventionSpec(type=item["type"], target=str(item["target"]), start=start, end=end,
                               intensity=intensity, ramp_days=ramp, note=str(note), id=ident,
                               options=tuple(options))
    try:
        iv.make(spec, net)
    except InputError as exc:
        field_ = "target" if "target" in str(exc) else "intensity"
        raise fail(f"{where}.{field_}", shorten(exc, 160)) from None
    return spec


def parse_month(value: Any, fail) -> dt.date:  # noqa: ANN001
    if isinstance(value, dt.date):
        return _in_years(dt.date(value.year, value.month, 1), fail)
    m = _MONTH.match(value.strip()) if isinstance(value, str) else None
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise fail(f"'{shorten(value)}' is not a month; expected YYYY-MM")
    if not YEARS[0] <= int(m.group(1)) <= YEARS[1]:
        raise fail(f"{m.group(0)}: the year must lie within {YEARS[0]}-{YEARS[1]}")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def _in_years(d: dt.date, fail) -> dt.date:  # noqa: ANN001
    if not YEARS[0] <= d.year <= YEARS[1]:
        raise fail(f"{d.isoformat()}: the year must lie within {YEARS[0]}-{YEARS[1]}")
    return d


def month_end(d: dt.date) -> dt.date:
    nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _date(value: Any, fail, end_of_month: bool = False) -> dt.date:  # noqa: ANN001
    """A date as YYYY-MM-DD, or YYYY-MM (the first day, or the last day for end dates)."""
    if isinstance(value, dt.datetime):
        return _in_years(value.date(), fail)
    if isinstance(value, dt.date):
        return _in_years(value, fail)
    if not isinstance(value, str):
        raise fail(f"'{shorten(value)}' is not a date; expected YYYY-MM-DD or YYYY-MM")
    if _MONTH.match(value):
        d = parse_month(value, fail)
        return month_end(d) if end_of_month else d
    try:
        if not re.fullmatch(DATE_PATTERN, value.strip()):
            raise ValueError
        text = value.strip()
        return _in_years(dt.date.fromisoformat(text) if len(text) == 10 else
                         dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date(), fail)
    except ValueError:
        raise fail(f"'{shorten(value)}' is not a date; expected YYYY-MM-DD or YYYY-MM") from None


def number_text(x: float) -> str:
    """A bound as people write it: 1e-9, 0.5, 1000."""
    return re.sub(r"e([+-])0*(\d)", r"e\1\2", f"{x:g}").replace("e+", "e")


def _int(value: Any, low: int, high: int, fail) -> int:  # noqa: ANN001
    if isinstance(value, bool) or not isinstance(value, int):
        raise fail(f"'{shorten(value)}' is not a whole number")
    if not low <= value <= high:
        raise fail(f"{shorten(value)} is outside [{low}, {high}]")
    return value


def _float(value: Any, fail) -> float:  # noqa: ANN001
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"'{shorten(value)}' is not a number")
    if value != value or value in (float("inf"), float("-inf")):
        raise fail(f"'{shorten(value)}' is not a finite number")
    try:
        return float(value)
    except OverflowError:
        raise fail(f"'{shorten(value)}' is too large a number") from None
