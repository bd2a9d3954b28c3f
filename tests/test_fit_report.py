"""Fit report on synthetic data whose annual sums and quantiles can be checked by hand.

Model: monthly arrivals = 100 * (replicate + 1) * f(year), f = 1 (2014), 2 (2015), 1 (2016, 2017), so the
annual totals across the 3 replicates are 1200/2400/3600 (2014, 2016) and 2400/4800/7200 (2015). With
linear quantiles over 3 values, p05 = lo + 0.1 * step and p95 = hi - 0.1 * step. The model runs to 2017-06,
so 2017 is a partial year and must never be compared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from sim.analysis.fit_report import (
    DEFAULT_TARGETS,
    FitTarget,
    fit_summary,
    fit_table,
    label_periods,
    write_report,
)

ROUTES = ["central_med", "eastern_med", "western_med", "atlantic"]
YEAR_FACTOR = {2014: 1, 2015: 2, 2016: 1, 2017: 1}
ARR = "arrivals_vs_detections"
DEAD = "dead_missing_sea_vs_dead_missing"


@pytest.fixture
def results() -> xr.Dataset:
    time = pd.date_range("2014-01-01", "2017-06-01", freq="MS")
    factor = np.array([YEAR_FACTOR[t.year] for t in time])
    arrivals = 100 * factor[:, None, None] * np.arange(1, 4)[None, None, :] * np.ones((1, len(ROUTES), 1))
    arrivals = arrivals.astype(np.int64)
    dims = ("time", "route", "replicate")
    return xr.Dataset({"arrivals": (dims, arrivals), "dead_missing_sea": (dims, arrivals // 100),
                       "crossing_attempts": (dims, 2 * arrivals)},
                      coords={"time": time, "route": ROUTES, "replicate": np.arange(3)},
                      attrs={"scenario_name": "synthetic"})


@pytest.fixture
def observed() -> xr.Dataset:
    years = np.arange(2013, 2018)
    nan = np.nan
    detections = np.array([
        [1500, 2000, 3000, 1000, 5000],   # central_med: 2013 only feeds the naive baseline; 2017 is partial
        [nan, 1920, nan, 2400, nan],      # eastern_med: 1920 sits exactly on the 25% tolerance edge
        [nan] * 5,                        # western_med, atlantic: never observed -> no rows
        [nan] * 5,
    ])
    dead = np.full((4, 5), np.nan)
    dead[0, 1:4] = [20, 24, 60]           # central_med 2014-2016
    return xr.Dataset({"detections": (("route", "year"), detections), "dead_missing": (("route", "year"), dead)},
                      coords={"route": ROUTES, "year": years})


def row(table: pd.DataFrame, target: str, route: str, year: int) -> pd.Series:
    sel = table[(table["target"] == target) & (table["route"] == route) & (table["year"] == year)]
    assert len(sel) == 1, f"expected one row for {target} {route} {year}, got {len(sel)}"
    return sel.iloc[0]


def test_rows_only_where_full_model_year_and_observation(results, observed):
    table = fit_table(results, observed)
    got = set(zip(table["target"], table["route"], table["year"], strict=True))
    assert got == {(ARR, "central_med", 2014), (ARR, "central_med", 2015), (ARR, "central_med", 2016),
                   (ARR, "eastern_med", 2014), (ARR, "eastern_med", 2016),
                   (DEAD, "central_med", 2014), (DEAD, "central_med", 2015), (DEAD, "central_med", 2016)}
    assert 2017 not in set(table["year"])  # observed, but the model only has Jan-Jun 2017


def test_annual_quantiles_and_errors_by_hand(results, observed):
    table = fit_table(results, observed)
    r = row(table, ARR, "central_med", 2014)
    assert (r.sim_median, r.sim_p05, r.sim_p95) == pytest.approx((2400, 1320, 3480))
    assert r.error_pct == pytest.approx(20.0)
    assert r.within_tolerance and r.inside_90

    r = row(table, ARR, "central_med", 2015)  # 4800 vs 3000: +60%, but 3000 is inside [2640, 6960]
    assert (r.sim_median, r.sim_p05, r.sim_p95) == pytest.approx((4800, 2640, 6960))
    assert r.error_pct == pytest.approx(60.0)
    assert not r.within_tolerance and r.inside_90

    r = row(table, ARR, "central_med", 2016)  # 2400 vs 1000: +140%, below the band's 1320
    assert r.error_pct == pytest.approx(140.0)
    assert not r.within_tolerance and not r.inside_90

    r = row(table, ARR, "eastern_med", 2014)  # |2400 - 1920| = 480 = 0.25 * 1920: the edge counts as within
    assert r.error_pct == pytest.approx(25.0)
    assert r.within_tolerance

    r = row(table, DEAD, "central_med", 2016)  # median 24 vs 60: -60%; 35% tolerance
    assert r.error_pct == pytest.approx(-60.0)
    assert not r.within_tolerance and not r.inside_90


def test_tolerance_is_per_target(results, observed):
    loose = (FitTarget("arrivals", "detections", 0.7, "loose"),)
    r = row(fit_table(results, observed, loose), ARR, "central_med", 2015)
    assert r.within_tolerance  # +60% fails at 25% but passes at 70%


def test_median_of_annual_sums_not_sum_of_monthly_medians(results, observed):
    # replicate 0 crosses only in January, replicate 1 only in February, replicate 2 never: every monthly
    # median is 0, but the median annual total is 300
    arr = results["arrivals"].values.copy()
    arr[:12, 3, :] = 0
    arr[0, 3, 0] = 300
    arr[1, 3, 1] = 300
    res = results.assign(arrivals=(("time", "route", "replicate"), arr))
    obs = observed.copy(deep=True)
    obs["detections"].loc[{"route": "atlantic", "year": 2014}] = 300
    r = row(fit_table(res, obs), ARR, "atlantic", 2014)
    assert r.sim_median == pytest.approx(300)
    assert r.error_pct == pytest.approx(0.0)


def test_naive_baseline_is_previous_observed_year(results, observed):
    table = fit_table(results, observed)
    r = row(table, ARR, "central_med", 2014)  # 2013 lies before the model period but was known
    assert r.naive_last_year == 1500 and r.naive_error_pct == pytest.approx(-25.0)
    r = row(table, ARR, "central_med", 2016)
    assert r.naive_last_year == 3000 and r.naive_error_pct == pytest.approx(200.0)
    r = row(table, ARR, "eastern_med", 2016)  # 2015 unobserved
    assert np.isnan(r.naive_last_year) and np.isnan(r.naive_error_pct)
    r = row(table, DEAD, "central_med", 2014)  # IOM starts 2014 here
    assert np.isnan(r.naive_last_year)


def test_years_window(results, observed):
    table = fit_table(results, observed, years=(2015, 2017))
    assert sorted(set(table["year"])) == [2015, 2016]


def test_split_year_labels_and_summary(results, observed):
    table = label_periods(fit_table(results, observed), split_year=2015)
    assert set(table.loc[table["year"] <= 2015, "period"]) == {"in-sample"}
    assert set(table.loc[table["year"] == 2016, "period"]) == {"out-of-sample"}

    summary = fit_summary(table).set_index(["target", "period"])
    ins = summary.loc[(ARR, "in-sample")]  # CM 2014 (+20%), CM 2015 (+60%), EM 2014 (+25%)
    assert ins["n"] == 3
    assert ins["share_within_tolerance"] == pytest.approx(2 / 3)
    assert ins["share_inside_90"] == pytest.approx(1.0)
    assert ins["median_abs_error_pct"] == pytest.approx(25.0)
    assert ins["n_naive"] == 2  # CM 2014 (-25%), CM 2015 (-33.3%); EM 2014 has no 2013
    assert ins["naive_median_abs_error_pct"] == pytest.approx((25 + 100 / 3) / 2)
    out = summary.loc[(ARR, "out-of-sample")]  # CM 2016 (+140%), EM 2016 (0%)
    assert out["n"] == 2
    assert out["median_abs_error_pct"] == pytest.approx(70.0)
    assert out["naive_median_abs_error_pct"] == pytest.approx(200.0)


def test_summary_without_period_is_per_target(results, observed):
    summary = fit_summary(fit_table(results, observed))
    assert list(summary["target"]) == [ARR, DEAD]
    assert "period" not in summary.columns
    assert list(summary["n"]) == [5, 3]


def test_write_report(results, observed, tmp_path):
    out = tmp_path / "fit"
    path = write_report(results, observed, out, split_year=2015, extra_md="Extra section marker.")
    assert path == out / "report.md"
    text = path.read_text()
    assert "out-of-sample" in text and "lower bound" in text and "detections, not persons" in text
    assert "Extra section marker." in text
    for t in DEFAULT_TARGETS:
        assert t.label in text
        png = out / "plots" / f"fit_{t.name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(list((out / "plots").glob("*.png"))) == len(DEFAULT_TARGETS)
    csv = pd.read_csv(out / "fit_table.csv")
    assert len(csv) == 8
    assert set(csv.loc[csv["year"] == 2016, "period"]) == {"out-of-sample"}


def test_unknown_variable_is_a_clear_error(results, observed):
    with pytest.raises(KeyError, match="sea_arrivals"):
        fit_table(results, observed, (FitTarget("arrivals", "sea_arrivals", 0.25, "x"),))



def test_coast_guard_target_compares_sea_crossings_summed_by_departure_country(results, observed):
    """Interceptions at sea crossings are summed by departure country; land crossings and countries without
    a record give no row. Crossings a and b (Libya, sea) stop 10 and 5 a month times (replicate + 1), c
    (Turkey, land) 1000: Libya's annual totals are 180/360/540 (median 360); Turkey, land only, has none."""
    from sim.analysis.fit_report import INTERCEPTIONS_TARGET

    n = results.sizes["time"]
    per = np.array([10, 5, 1000])[None, :, None] * np.arange(1, 4)[None, None, :] * np.ones((n, 1, 1))
    res = results.assign(interceptions_by_crossing=(("time", "crossing", "replicate"), per.astype(np.int64)))
    res = res.assign_coords(crossing=["a", "b", "c"], crossing_country=("crossing", ["LY", "LY", "TR"]),
                            crossing_mode=("crossing", ["sea", "sea", "land"]))
    record = [[np.nan, 360, 700, np.nan, 1], [5, 5, 5, 5, 5]]  # 2013..2017; 2017 is a partial model year
    obs = observed.assign(coast_guard_interceptions=(("country", "year"), record)).assign_coords(country=["LY", "TR"])
    table = fit_table(res, obs, (INTERCEPTIONS_TARGET,))
    assert list(table["route"]) == ["LY", "LY"] and list(table["year"]) == [2014, 2015]
    first, second = (row(table, INTERCEPTIONS_TARGET.name, "LY", y) for y in (2014, 2015))
    assert (first["sim_median"], first["within_tolerance"], first["inside_90"]) == (360, True, True)
    assert (second["sim_median"], second["within_tolerance"], second["naive_last_year"]) == (360, False, 360)


def test_a_calibration_report_links_the_history_beside_its_spec(results, observed, tmp_path):
    """The fit report is regenerated by ``routesim calibrate``, so the link to the spec folder's HISTORY.md (earlier
    refits and their lessons) is written by the generator, relative to the report; no HISTORY.md, no line."""
    from types import SimpleNamespace

    from sim.analysis.calibration_run import history_note, write_check_report

    spec_path = tmp_path / "calibration" / "fit.yaml"
    spec_path.parent.mkdir()
    out = spec_path.parent / "fit"
    assert history_note(spec_path, out) == "" and history_note(None, out) == ""
    (spec_path.parent / "HISTORY.md").write_text("# What the earlier refits taught\n")
    assert "[HISTORY.md](../HISTORY.md)" in history_note(spec_path, out)
    assert "[HISTORY.md](../calibration/HISTORY.md)" in history_note(spec_path, tmp_path / "elsewhere")

    spec = SimpleNamespace(name="fit", source=spec_path, fit_start=pd.Timestamp("2014-01-01"),
                           fit_end=pd.Timestamp("2016-12-31"),
                           scenario=SimpleNamespace(period_end=pd.Timestamp("2016-12-31")),
                           agents_per_person=0.05, final_agents_per_person=1, final_replicates=3,
                           parameters={"a": None}, interventions={})
    fitted = {"samples": [{}], "trials_completed": 2, "distance": 0.5, "parameters": {}, "interventions": {}}
    text = write_check_report(spec, fitted, results, observed, out).read_text()
    assert "Best values:" in text and "[HISTORY.md](../HISTORY.md)" in text
    assert "## Against the targets of issue 20" in text and "with 1 free values" in text
    assert "unmet, from these tables" in text and "[HISTORY.md](../HISTORY.md), section" in text


def test_targets_scorecard_follows_the_table(tmp_path):
    """The issue's targets are scored from the fit table itself: one Central Mediterranean year more within
    tolerance turns its target from unmet to met, the error target compares with the naive forecast on the
    same rows, and the adopted fit's report reads the held-out fit kept beside it."""
    from sim.analysis import targets

    def table(cm_within: int, period: bool, wm_within: bool = True) -> pd.DataFrame:
        rows = []
        for route in ("central_med", "western_med"):
            for i, year in enumerate(range(2014, 2025)):
                within = i < cm_within if route == "central_med" else wm_within
                rows.append({"target": targets.CROSSINGS, "route": route, "year": year,
                             "within_tolerance": within, "inside_90_pred": within,
                             "error_pct": 10.0 if within else 60.0, "naive_error_pct": 30.0})
        t = pd.DataFrame(rows)
        return t.assign(period=np.where(t["year"] > 2021, "out-of-sample", "in-sample")) if period else t

    def met(scored, name):
        return next(s.met for s in scored if s.target.startswith(name))

    assert not met(targets.in_sample_targets(table(7, False)), "Central Mediterranean")
    assert met(targets.in_sample_targets(table(8, False)), "Central Mediterranean")
    scored = targets.in_sample_targets(table(8, False))
    assert met(scored, "crossings within") and met(scored, "crossings, median")  # 17 of 22; 10% vs naive 30%
    assert not met(targets.in_sample_targets(table(0, False, False)), "crossings, median")  # 60% against 30%
    # held out: 2022-2024, the Central Mediterranean's three years all missed, Western Med's all within
    oos = targets.out_of_sample_targets(table(8, True))
    assert [s.result for s in oos] == ["3 of 6", "35.0%"] and [s.comparison for s in oos][0] == "naive 0 of 6"
    assert targets.held_out_table(tmp_path / "fit") == (None, "")
    (tmp_path / "fit-until-2021").mkdir()
    table(8, True).to_csv(tmp_path / "fit-until-2021" / "fit_table.csv", index=False)
    held, name = targets.held_out_table(tmp_path / "fit")
    assert name == "fit-until-2021" and len(targets.out_of_sample_targets(held)) == 2
    assert "2 of 2 targets met" in targets.scorecard(oos[:1] + oos[:1], 48)
