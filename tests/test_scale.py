"""agents_per_person is a precision knob, not a behaviour switch (style.md 18; docs/model.md 2.8).

The fast test checks the mechanism that made the answer move with the scale: boats used were counted as
whole simulated boats, so part-filled groups used up the cells' stock faster at full scale. The slow test
(run in benchmarks) is the whole check: the baseline at 1/10 and at full scale, per route-year.
"""

from __future__ import annotations

import datetime as dt
import importlib.util

import numpy as np
import pytest

from sim.core.parameters import resolve
from sim.core.world import SEA

from .conftest import ROOT, run_small

spec = importlib.util.spec_from_file_location("scale_check", ROOT / "benchmarks" / "scale_check.py")
scale_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(scale_check)


def _persons_per_boat(network, scale: float) -> np.ndarray:
    """Sea crossing attempts over boats launched, per route, in a year and a half at ``scale``."""
    r = run_small(network, scale=scale, end=dt.date(2014, 12, 31))
    crossings = np.flatnonzero(network.edge_crossing)
    sea = network.edge_mode[crossings] == SEA
    attempts = np.bincount(network.edge_route[crossings[sea]], r.by_crossing["attempts"][:, sea].sum(axis=0),
                           minlength=len(network.routes))
    return attempts / r.boats_launched.sum(axis=(0, 2))


def test_boats_carry_their_size_whatever_the_scale(network):
    """Persons per boat launched lie between the smaller nominal size and the larger one fully overloaded,
    at 1/10 as at 1/100: a boat used is a boat filled, however agents happen to be grouped in a day. (Whole
    simulated boats gave 20 persons a boat on the Central Mediterranean at 1/10, 10 at full scale.)"""
    p = resolve({})
    low = min(p["boat_size_seaworthy"], p["boat_size_unseaworthy"])
    high = max(p["boat_size_seaworthy"], p["boat_size_unseaworthy"]) * p["overload_max"]
    for scale in (0.1, 0.01):
        persons = _persons_per_boat(network, scale)
        assert np.all((persons >= low * 0.999) & (persons <= high * 1.001)), (scale, persons)


@pytest.mark.slow
def test_the_baseline_at_one_tenth_scale_agrees_with_full_scale():
    """Every route-year of arrivals and of dead and missing, 4 replicates at 1/10 and at full scale (about
    6 minutes on one core): the means agree within 5%, or their difference is within 3.5 standard errors."""
    scenario = ROOT / "scenarios" / "baseline.yaml"
    a, *_ = scale_check.annual(scenario, 0.1, 4)
    b, years, routes, _ = scale_check.annual(scenario, 1.0, 4)
    for name in scale_check.OUTCOMES:
        ratio, z = scale_check.compare(a[name], b[name])
        bad = [(years[i], routes[j], round(float(ratio[i, j]), 2), round(float(z[i, j]), 1))
               for i, j in zip(*np.nonzero(scale_check.failing(ratio, z)), strict=True)]
        assert not bad, f"{name}: {bad}"
