"""benchmarks/fit_ceiling.py: the reduced-form bound on what the baseline's dated inputs can explain."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys

import numpy as np
import pytest

from sim import interventions as iv
from sim.io.network_files import load_network
from sim.io.scenario import load_scenario

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("fit_ceiling", ROOT / "benchmarks" / "fit_ceiling.py")
fit_ceiling = importlib.util.module_from_spec(spec)
sys.modules["fit_ceiling"] = fit_ceiling  # its dataclass looks its module up
spec.loader.exec_module(fit_ceiling)

SHAPE = (len(fit_ceiling.ROUTES), len(fit_ceiling.YEARS))


@pytest.fixture(scope="module")
def baseline():
    sc = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    return sc.interventions, load_network(sc.network)


def test_an_entry_from_mid_year_is_in_force_half_that_year_on_its_route_only(baseline):
    _, net = baseline
    entry = iv.InterventionSpec(type="border_enforcement", target="nador", start=dt.date(2019, 7, 2), end=None,
                                intensity=0.5, id="probe")
    own, other, carried = fit_ceiling.exposure((entry,), net)["probe"]
    wm = fit_ceiling.ROUTES.index("western_med")
    year = fit_ceiling.YEARS.index(2019)
    assert own[wm, year] == pytest.approx(0.5, abs=0.02)
    assert (own[wm, :year] == 0).all() and (own[wm, year + 1:] == 1).all()
    assert np.delete(own, wm, axis=0).sum() == 0
    np.testing.assert_allclose(own + other, np.broadcast_to(own[wm], SHAPE))
    np.testing.assert_allclose(carried[:, 1:], own[:, :-1])  # the year before, on the same routes


def test_target_routes_follow_the_network(baseline):
    specs, net = baseline
    routes = {s.id: fit_ceiling.target_routes(iv.make(s, net)) for s in specs}
    assert routes["morocco_2019"] == {"western_med"}  # a departure node
    assert routes["niger_law"] == {"central_med"}  # inland: the paths through it
    assert "eastern_med" in routes["level_syria_iraq"]  # an origin: its paths
    assert routes["covid_wm"] == {"western_med"}  # a route
    country = iv.InterventionSpec(type="border_enforcement", target="TR", start=dt.date(2015, 1, 1), end=None,
                                  intensity=0.5)
    assert fit_ceiling.target_routes(iv.make(country, net)) == {"eastern_med"}  # a country's nodes


def test_a_record_made_of_the_inputs_is_reproduced_exactly(baseline):
    specs, net = baseline
    shocks = fit_ceiling.exposure(specs, net)
    rng = np.random.default_rng(3)
    log_y = rng.uniform(8, 11, (SHAPE[0], 1)) + sum(rng.normal(0, 1) * x for x, _, _ in shocks.values())
    detections = np.exp(log_y)
    dead = detections * 0.02
    own_route = [f for f in fit_ceiling.fits(specs, net, detections, dead)["detections"] if f.name == "own route"]
    assert [f.loss for f in own_route] == ["squares", "absolute"]
    for fit in own_route:
        assert 0 < fit.n_parameters <= len(fit_ceiling.ROUTES) + len(shocks)  # collinear entries count once
        np.testing.assert_allclose(fit.predicted, detections, rtol=1e-5)
        n, share, _ = fit_ceiling.score(fit, detections, 0.25, np.ones(SHAPE, bool))
        assert (n, share) == (SHAPE[0] * SHAPE[1], 1.0)


def test_a_forecast_does_not_see_the_years_it_forecasts(baseline):
    specs, net = baseline
    rng = np.random.default_rng(5)
    detections = rng.uniform(1e3, 1e5, SHAPE)
    dead = rng.uniform(10, 1e3, SHAPE)
    later = np.array(fit_ceiling.YEARS) > 2021
    changed = detections.copy()
    changed[:, later] *= 7
    a = fit_ceiling.fits(specs, net, detections, dead, until=2021)
    b = fit_ceiling.fits(specs, net, changed, dead, until=2021)
    np.testing.assert_allclose(a["detections"][2].predicted, b["detections"][2].predicted)
    full = fit_ceiling.fits(specs, net, changed, dead)
    assert not np.allclose(full["detections"][2].predicted, b["detections"][2].predicted)


def test_an_unknown_extra_entry_is_named(baseline):
    specs, net = baseline
    with pytest.raises(ValueError, match="morocco_2091:atlantic"):
        fit_ceiling.fits(specs, net, np.ones(SHAPE), np.ones(SHAPE), extra=(("morocco_2091", "atlantic"),))


def test_the_diversion_an_extra_entry_allows_is_fitted(baseline):
    specs, net = baseline
    shocks = fit_ceiling.exposure(specs, net)
    at = fit_ceiling.ROUTES.index("atlantic")
    morocco = shocks["morocco_2019"][0].max(axis=0)
    detections = np.full(SHAPE, 1e4)
    detections[at] *= np.exp(1.5 * morocco)  # the Atlantic rises with Morocco's enforcement
    plain = fit_ceiling.fits(specs, net, detections, detections / 50)["detections"][0]
    extra = fit_ceiling.fits(specs, net, detections, detections / 50,
                             extra=(("morocco_2019", "atlantic"),))["detections"][0]
    assert not np.allclose(plain.predicted, detections, rtol=1e-3)
    np.testing.assert_allclose(extra.predicted, detections, rtol=1e-8)
    assert extra.n_parameters == plain.n_parameters + 1


def test_the_script_reports_every_regression_and_stops_on_a_bad_extra_with_code_2(capsys):
    fit_ceiling.main([])
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("detections ") for line in lines) == 7  # 3 regressions x 2 losses + naive
    assert sum(line.startswith("dead_missing ") for line in lines) == 13  # 6 x 2 + naive
    with pytest.raises(SystemExit) as stop:
        fit_ceiling.main(["--extra", "morocco_2019"])
    assert stop.value.code == 2
    assert "morocco_2019" in capsys.readouterr().err
