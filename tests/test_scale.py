"""agents_per_person is a precision knob, not a behaviour switch (style.md 18; docs/model.md 2.8).

The fast tests check the mechanisms that made the answer move with the scale: boats used were counted as
whole simulated boats, so part-filled groups used up the cells' stock faster at full scale; and migrants
learned from drawn outcomes, which come in lumps of a simulated boat or an agent, so what they learned was
noisier the coarser the scale, and the logit turned that noise into a shift of route shares. The slow test
(run in benchmarks) is the whole check: the baseline at 1/10 and at full scale, per route-year.
"""

from __future__ import annotations

import datetime as dt
import importlib.util

import numpy as np
import pytest

from sim.core import RouteModel
from sim.core.parameters import resolve
from sim.core.world import SEA

from .conftest import ROOT, run_small, small_config, tiny_doc
from .test_cli import routesim

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


def _learned(network, scale: float, replicate: int) -> tuple[np.ndarray, np.ndarray, RouteModel]:
    """Over 2014 at ``scale``: per border crossing, the attempts (persons) and what migrants learned from
    them (deaths, interceptions, persons); the model as run."""
    model = RouteModel(small_config(network, scale=scale, end=dt.date(2014, 12, 31)), replicate)
    model.run()
    learned = model.information.edge_day.sum(axis=0)
    return learned[0], learned[1:], model


def test_migrants_learn_the_expected_interception_not_the_drawn_one(network):
    """Where the interception and pushback levers hold still (no interventions), what migrants learn of a
    crossing's interceptions per attempt is its chance to stop or push back an attempt, to the last digit, at
    1/100 as at 1/10: no lumps of 100 persons, no luck of a boat's draw. (Drawn outcomes gave 0 to 0.08 on a
    crossing whose chance is 0.05, at 1/100.)"""
    for scale in (0.01, 0.1):
        attempts, (_, intercepted), model = _learned(network, scale, 0)
        lv = model.world.levers
        chance = lv.interception + (1 - lv.interception) * np.where(network.edge_mode == SEA, 0.0, lv.pushback)
        tried = np.flatnonzero(network.edge_crossing & (attempts > 0))
        assert len(tried) >= 10
        np.testing.assert_allclose(intercepted[tried] / attempts[tried], chance[tried], rtol=1e-9, err_msg=str(scale))


def test_what_migrants_learn_of_deaths_has_no_lumps_of_agents(network):
    """Deaths per 1,000 attempts learned on each route's sea crossings over 2014 agree between two replicates
    at 1/100 within 25%: what is left is the boats' mix of load and weather, not whether an agent of 100
    persons happened to drown. (Drawn outcomes gave 0 on one replicate and 7.7 on the other on the Atlantic,
    and 0 against 6.0 on the Western Mediterranean.)"""
    sea = np.flatnonzero(network.edge_crossing & (network.edge_mode == SEA))
    routes = network.edge_route[sea]
    rates = []
    for replicate in (0, 1):
        attempts, (deaths, _), _ = _learned(network, 0.01, replicate)
        n = len(network.routes)
        rates.append(np.bincount(routes, deaths[sea], n) / np.bincount(routes, attempts[sea], n) * 1000)
    a, b = rates
    assert np.all(a > 0) and np.all(b > 0), rates
    assert np.all(np.abs(a / b - 1) < 0.25), rates


def test_a_scale_coarser_than_the_minimum_is_refused(write_scenario, tmp_path):
    """A scenario, or --scale, asking for fewer than one agent per 20 persons stops with exit 2 and one line
    naming agents_per_person, before anything runs; 1/20 itself is accepted."""
    coarse = write_scenario(tiny_doc(agents_per_person=0.01), name="coarse.yaml")
    proc = routesim("run", coarse, "--out", tmp_path / "out", "--quiet")
    err = proc.stderr.strip()
    assert proc.returncode == 2 and len(err.splitlines()) == 1, err
    assert "agents_per_person: 0.01 is coarser than the minimum 0.05" in err and "coarse.yaml" in err, err
    assert not (tmp_path / "out").exists()
    fine = write_scenario(tiny_doc(), name="fine.yaml")
    proc = routesim("backtest", fine, "--scale", 0.01, "--out", tmp_path / "bt", "--quiet")
    err = proc.stderr.strip()
    assert proc.returncode == 2 and len(err.splitlines()) == 1, err
    assert "--scale (agents_per_person): 0.01 is coarser than the minimum 0.05" in err, err
    assert routesim("check", fine).returncode == 0


@pytest.mark.slow
def test_the_baseline_at_one_tenth_scale_agrees_with_full_scale():
    """Every route-year of arrivals and of dead and missing, 8 replicates at 1/10 and at full scale (about
    6 minutes on one core): the means agree within 5%, or their difference is within 3.5 standard errors. With
    4 a side the z statistic has so few degrees of freedom that a scale-free model failed about half the time
    (docs/model.md 11)."""
    scenario = ROOT / "scenarios" / "baseline.yaml"
    a, *_ = scale_check.annual(scenario, 0.1, 8)
    b, years, routes, _ = scale_check.annual(scenario, 1.0, 8)
    for name in scale_check.OUTCOMES:
        ratio, z = scale_check.compare(a[name], b[name])
        bad = [(years[i], routes[j], round(float(ratio[i, j]), 2), round(float(z[i, j]), 1))
               for i, j in zip(*np.nonzero(scale_check.failing(ratio, z)), strict=True)]
        assert not bad, f"{name}: {bad}"
