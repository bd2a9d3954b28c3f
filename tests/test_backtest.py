"""Backtest: rolling-origin scores of the model and four baselines against the record, the model seeing only what
was known at each origin."""

from __future__ import annotations

import datetime as dt
import subprocess

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.analysis.scores import crps_ensemble
from sim.errors import InputError
from sim.forecast.backtest import METHODS, TARGETS, anchor_for, known_at, quarterly, read_anchor, run_backtest
from sim.forecast.backtest_report import backtest_to_folder
from sim.io.observed import load_observations
from sim.io.scenario import load_scenario
from tests.conftest import ROOT
from tests.test_forecast import short_baseline

ORIGINS = (dt.date(2016, 1, 1), dt.date(2016, 4, 1))


@pytest.fixture(scope="module")
def backtest(tmp_path_factory):
    folder = tmp_path_factory.mktemp("backtest")
    scn = load_scenario(short_baseline(folder))
    obs = load_observations()
    points, forecasts = run_backtest(scn, ORIGINS, 3, obs, draws=1, replicates=2, agents_per_person=0.002,
                                     engine="serial")
    return scn, obs, points, forecasts


def test_every_observed_month_is_scored_by_every_method(backtest):
    _, obs, points, _ = backtest
    # 2 targets x 4 routes x 2 origins x 3 leads, minus months the record lacks, each by every method
    expected = 0
    for var, _ in TARGETS.values():
        for o in ORIGINS:
            window = obs[var].sel(time=slice(pd.Timestamp(o), pd.Timestamp(o) + pd.DateOffset(months=2)))
            expected += int(np.isfinite(window.values).sum())
    assert len(points) == expected * len(METHODS)
    assert set(points["method"]) == set(METHODS) and points["crps"].notna().all()


def test_scores_are_those_of_the_forecasts(backtest):
    _, obs, points, forecasts = backtest
    # seasonal naive: the same month a year earlier, its CRPS the absolute error
    row = points[(points.method == "seasonal_naive") & (points.target == "arrivals") & (points.route == "eastern_med")
                 & (points.origin == "2016-04") & (points.lead == 2)].iloc[0]
    y = float(obs["detections"].sel(route="eastern_med", time="2016-05-01"))
    last_year = float(obs["detections"].sel(route="eastern_med", time="2015-05-01"))
    assert row["observed"] == y and row["median"] == last_year
    assert row["crps"] == pytest.approx(abs(last_year - y))
    # the model: its median is the forecasts' median for that origin and lead
    model = points[(points.method == "model") & (points.target == "dead_missing_sea") & (points.route == "central_med")
                   & (points.origin == "2016-01") & (points.lead == 1)].iloc[0]
    med = float(forecasts["dead_missing_sea"].sel(quantile=0.5, origin="2016-01-01", lead=1, route="central_med"))
    assert model["median"] == pytest.approx(med)
    for name in ("arrivals_calibrated", "arrivals_blend", "dead_missing_sea_calibrated", "dead_missing_sea_blend"):
        q = forecasts[name].sel(origin="2016-01-01")
        assert np.isfinite(q).all() and (q.diff("quantile") >= 0).all()
    assert 0 <= model["crps"] and model["in90"] in (0.0, 1.0)
    assert crps_ensemble(np.array([med]), np.array(model["observed"])) == pytest.approx(abs(med - model["observed"]))


def test_report_and_files(backtest, tmp_path):
    scn, obs, _, _ = backtest
    head = backtest_to_folder(scn, tmp_path / "bt", ORIGINS, 3, obs,
                              {"first": "2016-01", "last": "2016-04", "every": 3, "workers": 1, "engine": "serial",
                               "agents_per_person": 0.002},
                              draws=1, replicates=1, agents_per_person=0.002, engine="serial")
    out = tmp_path / "bt"
    for name in ("report.md", "scores.csv", "points.csv", "forecasts.nc", "run.json",
                 "plots/crps_by_lead_arrivals.png", "plots/crps_by_lead_dead_missing_sea.png"):
        assert (out / name).is_file(), name
    scores = pd.read_csv(out / "scores.csv")
    assert set(scores["lead"]) == {1, 2, 3} and set(scores["method"]) == set(METHODS)
    text = (out / "report.md").read_text()
    assert "not out of sample" in text and "seasonal naive" in text
    assert "## The real test: the forecast from 2016-04" in text
    assert len(head) == len(TARGETS) * 4


def test_quarterly_origins():
    assert quarterly(dt.date(2018, 1, 1), dt.date(2018, 12, 1)) == tuple(dt.date(2018, m, 1) for m in (1, 4, 7, 10))


@pytest.mark.parametrize(("args", "field"), [
    (["--first", "2020-01", "--last", "2019-01"], "--last"),
    (["--first", "2027-01", "--last", "2027-01"], "--last"),
    (["--anchor", "nowhere/fitted.yaml"], "--anchor"),
    (["--every", "0"], "--every"),
])
def test_bad_backtest_input(tmp_path, args, field):
    res = subprocess.run(["routesim", "backtest", "scenarios/baseline.yaml", "--out", str(tmp_path / "o"), *args],
                         capture_output=True, text=True, timeout=120,
                         cwd=ROOT)
    assert res.returncode == 2 and field in res.stderr and res.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_known_at_leaves_out_later_entries_and_unknown_ends(tmp_path):
    """A forecaster at an origin knows the dated entries that started before it, not those after, and not
    when one in force will end."""
    scn = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    at = known_at(scn, dt.date(2019, 1, 1))
    ids = {s.id: s for s in at.interventions}
    assert "libya_mou" in ids and "morocco_2019" not in ids and "covid_wm" not in ids
    assert ids["closed_ports"].end is None  # in force on 2019-01-01; it ended on 2019-09-14
    assert all(s.start < dt.date(2019, 1, 1) for s in at.interventions)
    assert {s.id for s in known_at(scn, dt.date(2030, 1, 1)).interventions} == {s.id for s in scn.interventions}


def test_the_drivers_a_member_sees_are_those_published_before_its_origin():
    """With drivers_as_of the demand series hold their last value published by then (IDMC's year Y figures
    are taken as published on 30 June of Y+1): nothing later reaches the run."""
    from sim.run import build_config

    scn = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    full = build_config(scn).demand
    seen = build_config(scn, drivers_as_of=dt.date(2018, 12, 31)).demand
    dec2017 = full.month(dt.date(2017, 12, 1))
    assert np.array_equal(seen.origin_conflict[:, :dec2017 + 1], full.origin_conflict[:, :dec2017 + 1])
    held = seen.origin_conflict[:, dec2017:]
    assert np.all(held == held[:, :1])  # 2018's figures were not yet published at the end of 2018
    assert not np.all(full.origin_conflict[:, dec2017:] == full.origin_conflict[:, dec2017:dec2017 + 1])
    assert not np.array_equal(seen.host_inflow, full.host_inflow)


def test_each_origin_takes_the_latest_fit_before_it(tmp_path):
    """Anchors: origin 2016-01 uses the fit that ended 2015-09, origin 2016-04 the one that ended 2016-02; every
    model row says so and is out of sample; the baselines are fitted up to the month before their origin."""
    scn = load_scenario(short_baseline(tmp_path))
    doc = yaml.safe_load(scn.calibration.read_text())
    anchors = []
    for until in ("2015-09-30", "2016-02-29"):
        path = tmp_path / f"fit-{until}.yaml"
        path.write_text(yaml.safe_dump({**doc, "fit_period": ["2014-01-01", until], "samples": doc["samples"][:1]}))
        anchors.append(read_anchor(path))
    assert anchor_for(dt.date(2016, 1, 1), tuple(anchors)).until == dt.date(2015, 9, 30)
    with pytest.raises(InputError, match="--anchor: no fit ends before the origin 2015-09"):
        anchor_for(dt.date(2015, 9, 1), tuple(anchors))
    settings = {"first": "2016-01", "last": "2016-04", "every": 3, "workers": 1, "engine": "serial",
                "agents_per_person": 0.002}
    backtest_to_folder(scn, tmp_path / "bt", ORIGINS, 2, load_observations(), settings, anchors=tuple(anchors),
                       draws=1, replicates=1, agents_per_person=0.002, engine="serial")
    points = pd.read_csv(tmp_path / "bt" / "points.csv", dtype={"calibration_until": str})
    text = (tmp_path / "bt" / "report.md").read_text()
    assert "fitted to 2015-09" in text and "for the 1 origins 2016-01 to 2016-01" in text
    assert "not out of sample" not in text
    model = points[points["method"] == "model"]
    assert dict(zip(model["origin"], model["calibration_until"], strict=False)) == {"2016-01": "2015-09",
                                                                                    "2016-04": "2016-02"}
    assert model["out_of_sample"].all()
    ets = points[points["method"] == "ets"]
    assert dict(zip(ets["origin"], ets["calibration_until"], strict=False)) == {"2016-01": "2015-12",
                                                                                "2016-04": "2016-03"}


def test_a_fitted_file_without_its_period_is_refused(tmp_path):
    path = tmp_path / "fit.yaml"
    path.write_text("parameters: {}\n")
    with pytest.raises(InputError, match="--anchor: .*fit.yaml: no fit_period"):
        read_anchor(path)


def test_skill_over_ets_with_a_block_bootstrap_interval():
    """Skill is 1 - the CRPS ratio over out-of-sample origins; its bootstrap interval holds it, and a method
    twice as good as ETS on every origin has skill 0.5 with a degenerate interval."""
    from sim.forecast.backtest_report import skill

    rows = []
    for k in range(12):
        for lead in (1, 2):
            for method, crps in (("blend", 10.0), ("ets", 20.0), ("model", 99.0)):
                rows.append({"target": "arrivals", "route": "atlantic", "origin": f"2019-{k + 1:02d}", "lead": lead,
                             "method": method, "crps": crps, "out_of_sample": True})
    table = skill(pd.DataFrame(rows))
    assert table.loc[0, "skill"] == pytest.approx(0.5) and table.loc[0, "origins"] == 12
    assert table.loc[0, "skill p05"] == pytest.approx(0.5) == table.loc[0, "skill p95"]
    noisy = pd.DataFrame(rows).assign(crps=lambda d: d["crps"] * (1 + 0.8 * np.sin(np.arange(len(d)))))
    t = skill(noisy)
    assert t.loc[0, "skill p05"] < t.loc[0, "skill"] < t.loc[0, "skill p95"]
    inside = pd.DataFrame(rows).assign(out_of_sample=lambda d: d["method"] == "ets")
    assert skill(inside).empty  # no out-of-sample blend rows: nothing to score


def test_the_real_test_table_compares_the_blend_with_last_years_figure():
    """The last origin's sums: the blend is closer than last year's figure where its median is, and its 90%
    interval holds the record only where the record lies between its 5% and 95% sums."""
    import xarray as xr

    from sim.forecast.backtest_report import last_origin_table

    q = np.zeros((2, len(METHODS), 5))
    blend, naive = METHODS.index("blend"), METHODS.index("seasonal_naive")
    q[0, blend] = [80, 90, 100, 110, 120]  # record 105: closer than last year's 150, inside
    q[0, naive] = 150
    q[1, blend] = [10, 20, 30, 40, 50]  # record 100: last year's 90 is closer, outside
    q[1, naive] = 90
    ds = xr.Dataset({"arrivals_last_origin_sum": (("route", "forecaster", "quantile"), q),
                     "arrivals_last_origin_observed_sum": (("route",), [105.0, 100.0]),
                     "arrivals_last_origin_months": (("route",), [9, 9])},
                    coords={"route": ["a", "b"], "forecaster": list(METHODS),
                            "quantile": [0.05, 0.25, 0.5, 0.75, 0.95]})
    table = last_origin_table(ds, "arrivals")
    assert table["blend closer than last year"].tolist() == ["yes", "no"]
    assert table["blend 90% holds it"].tolist() == ["yes", "no"]
    assert last_origin_table(ds, "dead_missing_sea").empty


def test_an_origins_scores_do_not_depend_on_the_other_origins(backtest):
    """Every forecast at an origin (members and baseline paths) is the same whether or not the backtest holds
    other origins."""
    scn, obs, points, _ = backtest
    alone, _ = run_backtest(scn, ORIGINS[1:], 3, obs, draws=1, replicates=2, agents_per_person=0.002,
                            engine="serial")
    raw = ["model", "ets", "sarimax", "seasonal_naive", "last_value"]  # post-processing learns from the others
    cols = ["target", "route", "lead", "method", "median", "crps"]
    both = points[(points["origin"] == "2016-04") & points["method"].isin(raw)][cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(both, alone[alone["method"].isin(raw)][cols].reset_index(drop=True))
