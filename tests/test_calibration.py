"""Calibration: spec validation, resumability, and recovery of known parameters from synthetic data."""

import dataclasses
import re

import numpy as np
import pytest
import xarray as xr
import yaml

from sim.analysis.calibration import calibrate
from sim.analysis.calibration_distance import annual_totals, distance
from sim.analysis.calibration_spec import MAX_FREE, load_spec
from sim.analysis.free_values import apply
from sim.errors import InputError
from sim.io.results import to_dataset
from sim.run import build_config, simulate

from .conftest import ROOT, tiny_doc

TRUTH = {"level_syria_iraq": 2.0, "level_west_africa": 0.6}


def _scenario_doc():
    doc = tiny_doc(period={"start": "2014-01", "end": "2015-12"}, agents_per_person=0.05, replicates=1)
    doc["interventions"] = [
        {"id": "level_syria_iraq", "type": "origin_pressure", "target": "syria_iraq", "start": "2000-01-01",
         "intensity": 1.0, "note": "test level"},
        {"id": "level_west_africa", "type": "origin_pressure", "target": "west_africa", "start": "2000-01-01",
         "intensity": 1.0, "note": "test level"},
    ]
    return doc


def _spec_doc(**changes):
    doc = {"name": "synthetic", "scenario": "scn.yaml", "agents_per_person": 0.05, "replicates": 1, "trials": 24,
           "workers": 2, "seed": 3, "parameters": {},
           "interventions": {k: {"low": 0.25, "high": 4.0, "scale": "log"} for k in TRUTH},
           "targets": [{"model": "arrivals", "observed": "detections", "weight": 1.0}]}
    doc.update(changes)
    return doc


@pytest.fixture
def spec_file(write_scenario, tmp_path):
    write_scenario(_scenario_doc(), name="scn.yaml")

    def write(**changes):
        path = tmp_path / "spec.yaml"
        path.write_text(yaml.safe_dump(_spec_doc(**changes)))
        return path

    return write


def _synthetic_observations(spec):
    """The record the model itself produces at the true values (same scale and seed as the fit)."""
    scn = apply(spec.scenario, {}, TRUTH, agents_per_person=spec.agents_per_person)
    config = build_config(scn, spec.seed)
    ds = to_dataset(simulate(config, 1, progress=False), config.net, {})
    totals = annual_totals(ds, ["arrivals", "dead_missing_sea"]).mean("replicate")
    return xr.Dataset({"detections": totals["arrivals"].astype(float).transpose("year", "route"),
                       "dead_missing": totals["dead_missing_sea"].astype(float).transpose("year", "route")})


def test_tpe_calibration_recovers_known_parameters_and_resumes(spec_file, tmp_path):
    spec = load_spec(spec_file(trials=14, method="tpe"))
    observed = _synthetic_observations(spec)
    out = tmp_path / "fit"
    calibrate(spec, out, observed)
    spec = load_spec(spec_file(trials=28, method="tpe"))
    fitted = calibrate(spec, out, observed, engine="dask")  # resumes, on a Dask LocalCluster: 14 more, not 28
    assert fitted["trials_completed"] == 28
    for name, truth in TRUTH.items():
        estimate = fitted["interventions"][name]
        assert abs(np.log(estimate / truth)) < np.log(1.3), (name, estimate, truth)  # within 30%
    assert len(fitted["samples"]) >= 5 and fitted["samples"][0]["distance"] == fitted["distance"]
    assert (out / "trials.csv").read_text().count("\n") == 29
    back = yaml.safe_load((out / "fitted.yaml").read_text())
    assert back["interventions"] == fitted["interventions"]


def _rows(path):
    return {r.split(",")[0]: r for r in path.read_text().splitlines()[1:]}


def test_least_squares_recovers_known_parameters_resumes_and_samples_around_the_fit(spec_file, tmp_path):
    """The trust-region fit from the scenario's values (1, 1) finds the truth within 30%; stopped by its budget
    and rerun with a larger one, it replays the stored trials (same numbers, same distances) and goes on."""
    observed = _synthetic_observations(load_spec(spec_file()))
    out = tmp_path / "fit"
    first = calibrate(load_spec(spec_file(trials=4)), out, observed, engine="pool")
    assert first["trials_completed"] == 4 and "budget" in first["stopped_by"]
    before = _rows(out / "trials.csv")
    fitted = calibrate(load_spec(spec_file(trials=30)), out, observed, engine="pool")
    after = _rows(out / "trials.csv")
    assert all(after[n] == row for n, row in before.items())
    assert 4 < fitted["trials_completed"] <= 30 and len(after) == fitted["trials_completed"]
    for name, truth in TRUTH.items():
        estimate = fitted["interventions"][name]
        assert abs(np.log(estimate / truth)) < np.log(1.3), (name, estimate, truth)  # within 30%
        spread = fitted["uncertainty"]["interventions"][name]
        assert spread["p05"] <= estimate <= spread["p95"]
    best = fitted["samples"][0]
    assert best["interventions"] == fitted["interventions"] and best["distance"] == fitted["distance"]
    draws = [s["interventions"] for s in fitted["samples"][1:]]
    assert len(draws) >= 4 and all(d != best["interventions"] for d in draws)
    assert all(0.25 <= v <= 4.0 for d in draws for v in d.values())


def test_a_least_squares_store_is_not_reused_with_other_settings(spec_file, tmp_path):
    """Stored residuals belong to their scale, seed, grain...: a rerun with another grain into the same folder
    stops with one line naming the store rather than replaying residuals of another distance."""
    observed = _synthetic_observations(load_spec(spec_file()))
    calibrate(load_spec(spec_file(trials=1)), tmp_path / "fit", observed, engine="serial")
    with pytest.raises(InputError, match="evaluations.db: its trials were run with another"):
        calibrate(load_spec(spec_file(trials=1, grain_agents=2)), tmp_path / "fit", observed, engine="serial")


def test_a_trial_whose_population_explodes_stops_and_fails(spec_file, tmp_path, monkeypatch):
    """A trial alive with more agents than TRIAL_AGENT_CAP times the footprint estimate of the spec's scenario
    stops at once and scores [inf] (TPE records it as failed; least squares, which cannot step from it, stops
    with one line); the same trial under the default cap is scored, and the cap does not grow with the
    trial's own values."""
    from sim.analysis import calibration_distance
    from sim.core.model import RouteModel, TooManyAgents

    spec = load_spec(spec_file(trials=1))
    observed = _synthetic_observations(spec)
    cap = calibration_distance.agent_cap(spec)
    job = calibration_distance.trial_job(spec, {"iv:level_syria_iraq": 1.0, "iv:level_west_africa": 1.0},
                                         [2014, 2015], observed, cap)
    assert np.all(np.isfinite(calibration_distance.evaluate(job)))
    high = calibration_distance.trial_job(spec, {"iv:level_syria_iraq": 4.0, "iv:level_west_africa": 4.0},
                                          [2014, 2015], observed, cap)
    assert high[-1] == job[-1] == calibration_distance.agent_cap(spec)
    monkeypatch.setattr(calibration_distance, "TRIAL_AGENT_CAP", 1e-6)  # one agent
    job = calibration_distance.trial_job(spec, {"iv:level_syria_iraq": 1.0, "iv:level_west_africa": 1.0},
                                         [2014, 2015], observed, calibration_distance.agent_cap(spec))
    assert job[-1] == 1 and np.isinf(calibration_distance.evaluate(job)).all()
    with pytest.raises(InputError, match="live-agent cap"):
        calibrate(spec, tmp_path / "fit", observed, engine="serial")  # in this process: the patched cap holds
    config = build_config(spec.scenario, 1)
    with pytest.raises(TooManyAgents, match="above the limit 5"):
        RouteModel(dataclasses.replace(config, max_live_agents=5)).run()


def test_a_trial_creating_more_migrants_in_a_day_than_ids_hold_fails_not_the_fit(spec_file, monkeypatch):
    """A corner of the priors can create more aspirants from one origin in a day than migrant ids hold: the
    trial scores [inf] like one past the live-agent cap, rather than ending the whole fit with an internal
    error (a TPE stage on 2014-2021 stopped that way after 34 trials)."""
    from sim.analysis import calibration_distance
    from sim.core.processes import origins

    spec = load_spec(spec_file(trials=1))
    observed = _synthetic_observations(spec)
    job = calibration_distance.trial_job(spec, {"iv:level_west_africa": 1.0}, [2014, 2015], observed,
                                         calibration_distance.agent_cap(spec))
    assert np.all(np.isfinite(calibration_distance.evaluate(job)))
    monkeypatch.setattr(origins, "MAX_PER_ORIGIN_DAY", 1)
    assert np.isinf(calibration_distance.evaluate(job)).all()


def test_a_fit_with_no_observed_value_to_fit_stops_with_one_line(spec_file, tmp_path):
    observed = _synthetic_observations(load_spec(spec_file()))
    empty = xr.full_like(observed, np.nan)
    with pytest.raises(InputError, match="targets: the record has no value for any target") as info:
        calibrate(load_spec(spec_file(trials=3)), tmp_path / "runs" / "fit", empty, engine="serial")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "runs").exists()  # nothing written: no empty store, no folder


@pytest.mark.parametrize("changes,needle", [
    ({"parameters": {"beta_feee": {"low": 0, "high": 1}}}, "parameters.beta_feee: unknown parameter"),
    ({"parameters": {"beta_fee": {"low": 2, "high": 1}}}, "parameters.beta_fee: bad prior"),
    ({"parameters": {"beta_fee": {"low": -5, "high": 1}}}, "goes outside the parameter's bounds"),
    ({"parameters": {"beta_fee": {"low": 0, "high": 1, "scale": "log"}}}, "log-scale prior needs low > 0"),
    ({"interventions": {"nonexistent": {"low": 0, "high": 1}}}, "interventions.nonexistent: no scenario entry"),
    ({"interventions": {"level_west_africa": {"low": 0.5, "high": 1e6}}},
     "interventions.level_west_africa: prior [0.5, 1000000.0] leaves the intensity range"),
    ({"targets": [{"model": "happiness", "observed": "detections"}]}, "targets[0].model"),
    ({"targets": [{"model": "arrivals", "observed": "interceptions"}]}, "targets[0].observed"),
    ({"trials": 0}, "trials: 0 is outside"),
    ({"method": "newton"}, "method: 'newton' is not one of least_squares, tpe"),
    ({"grain_agents": -1}, "grain_agents: -1 is outside"),
    ({"colour": "red"}, "colour: unknown key"),
])
def test_a_bad_spec_fails_with_one_line_naming_the_field(spec_file, changes, needle):
    with pytest.raises(InputError) as info:
        load_spec(spec_file(**changes))
    assert needle in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(("model", "observed"), [("sea_interceptions", "coast_guard_interceptions"),
                                                  ("sea_arrivals_by_departure", "italy_arrivals_by_departure")])
def test_series_by_departure_country_are_targets(spec_file, model, observed):
    """The model's sea interceptions (or arrivals) summed by departure country meet the record kept that way:
    zero distance against itself; a country-year the record lacks (NaN) adds nothing; a doubled Libyan record
    is a miss."""
    spec = load_spec(spec_file(targets=[{"model": model, "observed": observed, "weight": 1.0}]))
    config = build_config(apply(spec.scenario, {}, TRUTH, agents_per_person=spec.agents_per_person), spec.seed)
    sim = annual_totals(to_dataset(simulate(config, 1, progress=False), config.net, {}), [model])
    own = sim[model].mean("replicate").sel(country=["LY", "TR"]).astype(float)
    assert (own > 0).all()
    years = [2014, 2015]
    assert distance(sim, xr.Dataset({observed: own}), spec.targets, years) == 0
    gappy = own.copy()
    gappy.loc[{"country": "TR", "year": 2015}] = np.nan
    assert distance(sim, xr.Dataset({observed: gappy}), spec.targets, years) == 0
    doubled = own.copy()
    doubled.loc[{"country": "LY"}] *= 2
    assert distance(sim, xr.Dataset({observed: doubled}), spec.targets, years) > 0.1


def test_the_grain_keeps_misses_of_a_few_agents_from_dominating_the_distance(spec_file):
    """Route A misses by a factor of 2 on 10,000; route B by 50 persons on none, which at 1/50 scale is one
    agent. Plain log errors rank B's miss above A's; on log(count + 5 agents' worth) A's dominates."""
    spec = load_spec(spec_file(targets=[{"model": "arrivals", "observed": "detections", "weight": 1.0}]))
    sim = xr.Dataset({"arrivals": (("route", "year", "replicate"), [[[20_000.0]], [[50.0]]])},
                     coords={"route": ["a", "b"], "year": [2014]})
    obs = xr.Dataset({"detections": (("route", "year"), [[10_000.0], [0.0]])}, coords={"route": ["a", "b"],
                                                                                   "year": [2014]})

    def share_of_b(grain: float) -> float:
        only_b = obs.copy(deep=True)
        only_b["detections"].loc[{"route": "a"}] = np.nan
        only_a = obs.copy(deep=True)
        only_a["detections"].loc[{"route": "b"}] = np.nan
        b, a = (distance(sim, o, spec.targets, [2014], grain=grain) for o in (only_b, only_a))
        return b / (a + b)

    assert share_of_b(1.0) > 0.8
    assert share_of_b(5 / 0.02) < 0.1


def test_until_overrides_the_end_of_the_fitting_period(spec_file):
    assert load_spec(spec_file(), until="2014-12").fit_end.isoformat() == "2014-12-31"
    with pytest.raises(InputError, match="--until"):
        load_spec(spec_file(), until="2014-13")


def test_a_scenario_reads_fitted_values_from_its_calibration_file(write_scenario, tmp_path):
    fitted = tmp_path / "fitted.yaml"
    fitted.write_text(yaml.safe_dump({"parameters": {"wreck_mortality": 0.42},
                                      "interventions": {"level_syria_iraq": 1.7}}))
    doc = _scenario_doc()
    doc["calibration"] = str(fitted)
    from sim.io.scenario import load_scenario

    scn = load_scenario(write_scenario(doc, name="cal.yaml"))
    assert scn.parameters["wreck_mortality"] == 0.42
    assert {s.id: s.intensity for s in scn.interventions}["level_syria_iraq"] == 1.7
    fitted.write_text(yaml.safe_dump({"parameters": {"no_such": 1.0}}))
    with pytest.raises(InputError, match="calibration: .*unknown parameters"):
        load_scenario(write_scenario(doc, name="cal.yaml"))


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "calibration").glob("*.yaml")))
def test_the_shipped_specs_are_valid_and_state_their_number_of_free_values(name):
    """The spec loads (which bounds the free values by MAX_FREE), and its header says how many it frees."""
    path = ROOT / "calibration" / name
    spec = load_spec(path)
    n = len(spec.parameters) + len(spec.interventions)
    assert n <= MAX_FREE
    stated = re.search(r"(\d+) free values", path.read_text(encoding="utf-8"))
    assert stated is not None and int(stated.group(1)) == n


def test_a_refit_starts_from_the_scenarios_current_values(spec_file, tmp_path):
    """The first trial is the scenario as it stands, so a refit can only improve on the current fit."""
    from sim.analysis.calibration import current_values

    spec = load_spec(spec_file(trials=2))
    calibrate(spec, tmp_path / "fit", _synthetic_observations(spec), engine="pool")
    rows = [line.split(",") for line in (tmp_path / "fit" / "trials.csv").read_text().splitlines()]
    names = rows[0][2:]
    first = next(r for r in rows[1:] if r[0] == "0")
    start = current_values(spec)
    assert start == {f"iv:{k}": 1.0 for k in TRUTH}  # the scenario's hand-set intensities
    assert {n: float(v) for n, v in zip(names, first[2:], strict=True)} == start


@pytest.mark.parametrize("fitted_until, until, warm", [
    ("2015-12-31", "2015-12", True),  # in sample: start from the last fit
    ("2015-12-31", "2014-12", False),  # out of sample: the last fit saw 2015, which this fit holds out
    ("2014-12-31", "2014-12", True),  # a fit of 2014 alone may seed another fit of 2014
    (None, "2014-12", False),  # a fitted file that does not say its period is taken to have seen every year
    ("end of 2014", "2014-12", False),  # nor one whose period cannot be read
])
def test_an_out_of_sample_fit_never_starts_from_values_fitted_on_the_years_it_holds_out(
        write_scenario, tmp_path, fitted_until, until, warm):
    from sim.analysis.calibration import _start_would_see_held_out_years

    fitted = {"interventions": {"level_syria_iraq": 1.7}}
    if fitted_until:
        fitted["fit_period"] = ["2014-01-01", fitted_until]
    (tmp_path / "fitted.yaml").write_text(yaml.safe_dump(fitted))
    write_scenario({**_scenario_doc(), "calibration": "fitted.yaml"}, name="scn.yaml")
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(_spec_doc(fit_period={"start": "2014-01", "end": until})))
    spec = load_spec(tmp_path / "spec.yaml")
    assert _start_would_see_held_out_years(spec) is not warm


def test_start_from_sets_the_values_a_fit_starts_from_and_keeps_the_leak_rule(spec_file, tmp_path):
    from sim.analysis.calibration import _start_would_see_held_out_years, current_values, start_from

    def fitted_until(name, end):
        (tmp_path / name).write_text(yaml.safe_dump({"fit_period": ["2014-01-01", end],
                                                     "interventions": {"level_syria_iraq": 1.7}}))
        return start_from(load_spec(spec_file(), until="2014-12"), tmp_path / name)

    early = fitted_until("early.yaml", "2014-12-31")
    assert current_values(early)["iv:level_syria_iraq"] == 1.7 and not _start_would_see_held_out_years(early)
    assert _start_would_see_held_out_years(fitted_until("late.yaml", "2015-12-31"))
    with pytest.raises(InputError, match="--start-from: .*missing.yaml"):
        start_from(early, tmp_path / "missing.yaml")


def test_the_posterior_predictive_check_runs_each_replicate_at_its_own_accepted_sample(spec_file, tmp_path):
    from sim.analysis.calibration_run import posterior_predictive
    from sim.core.model import RouteModel

    spec = load_spec(spec_file(trials=6, final_replicates=3, final_agents_per_person=0.05, accept_fraction=0.5))
    fitted = calibrate(spec, tmp_path / "fit", _synthetic_observations(spec), engine="pool")
    ds = posterior_predictive(spec, fitted, engine="pool")
    assert ds.sizes["replicate"] == 3
    for r in range(3):
        sample = fitted["samples"][r % len(fitted["samples"])]
        scn = apply(spec.scenario, sample["parameters"], sample["interventions"], agents_per_person=0.05)
        direct = RouteModel(build_config(scn, spec.seed), r).run()
        np.testing.assert_array_equal(ds["arrivals"].isel(replicate=r).values, direct.route["arrivals"])
    # the accepted samples differ, so the replicates do not all share one parameter set
    assert len({tuple(s["interventions"].values()) for s in fitted["samples"][:3]}) > 1
    # the check's report carries the model discrepancy, estimated over the fitting years and kept in fitted.yaml
    from sim.analysis.calibration_run import write_check_report
    from sim.io.observed import load_annual_observations

    report = write_check_report(spec, fitted, ds, load_annual_observations(), tmp_path / "fit")
    kept = yaml.safe_load((tmp_path / "fit" / "fitted.yaml").read_text())["discrepancy"]
    assert kept["years"] == [spec.fit_start.year, spec.fit_end.year - (spec.fit_end.month < 12)]
    assert kept["sd_log"] and all(np.isfinite(v) and v >= 0 for by in kept["sd_log"].values() for v in by.values())
    assert "inside_90_pred" in report.read_text() and "share_inside_90_pred" in report.read_text()


def test_check_only_needs_a_fit_in_out_and_says_so_in_one_line(spec_file, tmp_path):
    """`routesim calibrate --check-only` reruns the check of OUT/fitted.yaml; without one it exits 2 with one
    line naming the file, and writes nothing."""
    from .test_cli import routesim

    out = tmp_path / "fit"
    proc = routesim("calibrate", spec_file(trials=2), "--out", out, "--check-only", "--quiet")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "fitted.yaml: not found; --check-only" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()
