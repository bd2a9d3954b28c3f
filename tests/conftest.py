"""Shared fixtures: small scenarios (one agent per 20 persons, the minimum a scenario file may ask for, or per 100
persons for the core's own tests, which build a ModelConfig directly; a year or two) that run in seconds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from sim import interventions as iv
from sim.core import ModelConfig, RouteModel
from sim.core.parameters import resolve
from sim.interventions import InterventionSpec
from sim.io.demand_inputs import load_demand_inputs
from sim.io.network_files import load_network

ROOT = Path(__file__).resolve().parents[1]


def tiny_doc(**overrides) -> dict:
    doc = {
        "routesim_version": "0.1.0",
        "name": "tiny",
        "description": "test scenario at 1/20 scale, the minimum",
        "period": {"start": "2014-01", "end": "2014-12"},
        "spinup_months": 3,
        "replicates": 2,
        "seed": 11,
        "agents_per_person": 0.05,
        "network": str(ROOT / "data" / "network"),
        "interventions": [
            {"type": "border_enforcement", "target": "izmir_greece", "start": "2014-06-01", "intensity": 0.5,
             "ramp_days": 30, "note": "test"},
        ],
    }
    doc.update(overrides)
    return doc


@pytest.fixture
def write_scenario(tmp_path: Path):
    def write(doc: dict | None = None, text: str | None = None, name: str = "scn.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text if text is not None else yaml.safe_dump(doc if doc is not None else tiny_doc()))
        return path

    return write


@pytest.fixture(scope="session")
def network():
    return load_network()


def small_config(net, interventions=(), params=None, start=dt.date(2014, 1, 1), end=dt.date(2015, 12, 31),
                 scale=0.01, seed=5, spinup_days=180, check=False, demand=False) -> ModelConfig:
    """A small run; ``demand=True`` adds the driver series and host stocks of data/ (as ``routesim run`` does)."""
    built = tuple(iv.make(s, net) for s in interventions)
    inputs = None
    if demand:
        first = start - dt.timedelta(days=spinup_days)
        inputs = load_demand_inputs(ROOT / "data" / "network", net, dt.date(first.year, first.month, 1),
                                    dt.date(end.year, end.month, 1))
    return ModelConfig(net=net, params=resolve(params or {}), interventions=built, start=start, end=end,
                       spinup_days=spinup_days, agents_per_person=scale, seed=seed, check_conservation=check,
                       demand=inputs)


def run_small(net, replicate=0, **kwargs):
    return RouteModel(small_config(net, **kwargs), replicate).run()


def spec(type_, target, intensity, start="2014-01-01", end=None) -> InterventionSpec:
    return InterventionSpec(type=type_, target=target, start=dt.date.fromisoformat(start),
                            end=dt.date.fromisoformat(end) if end else None, intensity=intensity)
