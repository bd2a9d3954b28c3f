"""Forecasts: the ensemble, its driver projection, the dashboard product and its schema check."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import interventions as iv
from sim.forecast import drivers
from sim.forecast.ensemble import QUANTILES, VARIABLES, run_ensemble
from sim.forecast.run import run_forecast
from sim.forecast.schema import check_dataset, open_forecast
from sim.io.scenario import load_scenario
from tests.conftest import ROOT

ORIGIN = dt.date(2016, 1, 1)


def short_baseline(folder: Path, name: str = "short", extra: list | None = None) -> Path:
    """The calibrated baseline (with its posterior samples) over 2014-2016 at 1/20 scale (the minimum)."""
    doc = {"base": str(ROOT / "scenarios" / "baseline.yaml"), "name": name,
           "period": {"start": "2014-01", "end": "2016-12"}, "spinup_months": 3, "agents_per_person": 0.05,
           "interventions": extra or []}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.fixture(scope="module")
def product(tmp_path_factory):
    folder = tmp_path_factory.mktemp("forecast")
    scn = load_scenario(short_baseline(folder))
    ds = run_forecast([scn], ORIGIN, 6, out=folder / "out", draws=2, replicates=2, engine="serial")
    return ds, folder / "out", scn


def test_product_meets_schema_in_every_format(product):
    ds, out, _ = product
    assert check_dataset(ds) == []
    for name in ("forecast.nc", "forecast.zarr"):
        back = open_forecast(out / name)
        assert check_dataset(back) == []
        for var in VARIABLES:
            np.testing.assert_array_equal(back[var].values, ds[var].values)
            np.testing.assert_array_equal(back[f"{var}_draws"].values, ds[f"{var}_draws"].values)
        assert back.attrs["forecast_origin"] == "2016-01"
    assert set(ds.dims) >= {"scenario", "quantile", "time", "route", "draw"}
    assert ds.sizes["draw"] == 4 and ds.sizes["time"] == 6
    table = pd.read_csv(out / "forecast.csv")
    assert len(table) == ds.sizes["scenario"] * ds.sizes["route"] * ds.sizes["time"] * len(VARIABLES)
    row = table[(table.route == "central_med") & (table.month == "2016-03") & (table.variable == "arrivals")]
    assert float(row["q50"].iloc[0]) == pytest.approx(float(ds["arrivals"].sel(
        route="central_med", time="2016-03-01", quantile=0.5).squeeze()), rel=1e-5)
    doc = json.loads((out / "forecast.json").read_text())
    assert doc["schema_version"] == ds.attrs["schema_version"] and len(doc["records"]) == len(table)
    assert doc["variables"]["deaths_per_1000_attempts"]["units"] == "1e-3"


def test_quantiles_are_those_of_the_draws_and_monotone(product):
    ds, _, _ = product
    assert list(ds["quantile"].values) == list(QUANTILES)
    for var in VARIABLES:
        q = ds[var].values
        assert np.all(np.diff(q, axis=1)[np.isfinite(np.diff(q, axis=1))] >= 0), var
    draws = ds["arrivals_draws"].sel(scenario=ds["scenario"].values[0], route="eastern_med").values
    np.testing.assert_allclose(ds["arrivals"].isel(scenario=0).sel(route="eastern_med", quantile=0.5).values,
                               np.median(draws, axis=0))
    assert float(ds["arrivals"].sum()) > 0 and float(ds["dead_missing_draws"].sum()) > 0


def test_members_carry_posterior_draws(product):
    ds, _, scn = product
    samples = list(ds["posterior_sample"].values)
    assert samples == [0, 0, 1, 1]
    assert ds.attrs["calibration_file"].endswith("fitted.yaml") and len(ds.attrs["calibration_sha256"]) == 64
    # different posterior samples give different forecasts, as do replicates of one sample
    a = ds["arrivals_draws"].isel(scenario=0).values
    assert not np.array_equal(a[0], a[1]) and not np.array_equal(a[0], a[2])


def test_schema_check_finds_what_is_wrong(product):
    ds, _, _ = product
    bad = ds.copy(deep=True)
    bad["arrivals"].values[:, [0, -1]] = bad["arrivals"].values[:, [-1, 0]]  # swap 5% and 95%
    del bad["dead_missing"].attrs["units"]
    bad.attrs.pop("forecast_origin")
    bad = bad.drop_vars("smuggler_revenue_draws")
    problems = "\n".join(check_dataset(bad))
    assert "arrivals: quantiles decrease" in problems
    assert "dead_missing: attribute 'units' missing" in problems
    assert "global attribute 'forecast_origin' missing" in problems
    assert "variable 'smuggler_revenue_draws' missing" in problems
    assert check_dataset(ds.rename(route="corridor")) == ["dimension 'route' missing"]


def test_forked_forecasts_equal_forecasts_from_a_fresh_run(tmp_path):
    """A backtest forks one history at several origins: each fork must equal a run made for that origin."""
    scn = load_scenario(short_baseline(tmp_path))
    origins = (dt.date(2016, 1, 1), dt.date(2016, 4, 1))
    both = run_ensemble([scn], origins, 3, draws=1, replicates=1, engine="serial")
    for k, origin in enumerate(origins):
        alone = run_ensemble([scn], (origin,), 3, draws=1, replicates=1, engine="serial")
        np.testing.assert_array_equal(both.values[:, :, k], alone.values[:, :, 0])


def test_engines_give_identical_results(tmp_path):
    """Serial, process pool and a Dask LocalCluster of 2 workers: same seeds, same numbers."""
    scn = load_scenario(short_baseline(tmp_path))
    runs = {engine: run_ensemble([scn], (ORIGIN,), 2, draws=2, replicates=1, workers=2, engine=engine).values
            for engine in ("serial", "pool", "dask")}
    np.testing.assert_array_equal(runs["serial"], runs["pool"])
    np.testing.assert_array_equal(runs["serial"], runs["dask"])


def test_drivers_are_projected_and_policy_stays_a_scenario_input(tmp_path):
    """Past the origin an origin_pressure shock in the scenario is replaced by the projection, while a
    policy entry dated after the origin still acts."""
    shock = [{"id": "future_war", "type": "origin_pressure", "target": "syria_iraq", "start": "2016-02-01",
              "intensity": 30.0, "note": "test"}]
    policy = [{"id": "future_closure", "type": "border_enforcement", "target": "izmir_greece",
               "start": "2016-02-01", "intensity": 0.95, "note": "test"}]
    scns = [load_scenario(short_baseline(tmp_path, n, x)) for n, x in
            (("plain", None), ("shock", shock), ("policy", policy))]
    ens = run_ensemble(scns, (ORIGIN,), 4, draws=1, replicates=1, engine="serial")
    arrivals = ens.values[:, 0, 0, list(VARIABLES).index("arrivals")]  # scenario, month, route
    np.testing.assert_array_equal(arrivals[0], arrivals[1])
    east = ens.routes.index("eastern_med")
    assert arrivals[2, 1:, east].sum() < 0.75 * arrivals[0, 1:, east].sum()  # some displacement remains


def test_driver_projection(network):
    months = [drivers.month_add(dt.date(2014, 1, 1), k) for k in range(36)]
    scn = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    wave = iv.InterventionSpec(type="origin_pressure", target="syria_iraq", start=dt.date(2015, 6, 1),
                               end=dt.date(2016, 3, 31), intensity=4.0, id="probe_wave")
    hist = drivers.pressure_history((*scn.interventions, wave), network, months)
    syria = network.origins.index("syria_iraq")
    assert hist[0, syria] < hist[20, syria]  # the wave is in the history
    sigma = drivers.driver_sigma(hist)
    assert sigma > drivers.SIGMA_FLOOR
    flat = drivers.driver_sigma(np.ones((36, 3)))
    assert flat == pytest.approx(drivers.SIGMA_FLOOR)
    rng = np.random.default_rng(1)
    paths = np.stack([drivers.project(hist[-1], sigma, 12, rng) for _ in range(4000)])
    np.testing.assert_allclose(np.median(paths[:, -1], axis=0), hist[-1], rtol=0.08)
    spread = np.log(paths[:, -1]).std(axis=0)
    np.testing.assert_allclose(spread, sigma * np.sqrt(12), rtol=0.08)
    with pytest.raises(ValueError, match="at least"):
        drivers.driver_sigma(np.ones((5, 2)))


def _routesim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["routesim", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.mark.parametrize(("args", "field"), [
    (["--from", "2014-06"], "--from"),
    (["--from", "2016-13"], "--from"),
    (["--from", "2016-01", "--horizon", "0"], "--horizon"),
    (["--from", "2016-01", "--draws", "0"], "--draws"),
    (["--from", "2016-01", "--scale", "0.3"], "--scale"),
])
def test_bad_forecast_input_is_one_line_and_writes_nothing(tmp_path, args, field):
    path = short_baseline(tmp_path)
    res = _routesim("forecast", str(path), "--out", "out", "--quiet", *args, cwd=tmp_path)
    assert res.returncode == 2, res.stderr
    assert res.stderr.count("\n") == 1 and field in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out*"))


def test_check_output_cli(product, tmp_path):
    _, out, _ = product
    ok = _routesim("check-output", str(out / "forecast.nc"), cwd=tmp_path)
    assert ok.returncode == 0 and "ok" in ok.stdout
    ds = open_forecast(out / "forecast.nc")
    ds.attrs["schema_version"] = "2.0"
    ds.to_netcdf(tmp_path / "v2.nc", engine="h5netcdf")
    bad = _routesim("check-output", str(tmp_path / "v2.nc"), cwd=tmp_path)
    assert bad.returncode == 1 and "schema_version 2.0" in bad.stdout
    (tmp_path / "junk.nc").write_bytes(b"not netcdf")
    junk = _routesim("check-output", str(tmp_path / "junk.nc"), cwd=tmp_path)
    assert junk.returncode == 2 and "junk.nc" in junk.stderr and junk.stderr.count("\n") == 1


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--enable-logging=stderr", "--v=0")


def render_headless(page: Path, profile: Path) -> tuple[str, list[str]]:
    """The DOM after scripts ran, and every console message, from headless Chromium."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    assert exe, "Chromium is needed (Debian package chromium; .ci/run installs it)"
    res = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    console = [line for line in res.stderr.splitlines() if ":CONSOLE" in line]
    return res.stdout, console


def test_html_report_renders_headless_without_console_errors(product, tmp_path):
    _, out, _ = product
    html = (out / "report.html").read_text()
    assert "http://" not in html and "https://" not in html.replace("https://www.w3.org", "")  # self-contained
    dom, console = render_headless(out / "report.html", tmp_path / "profile")
    assert 'data-rendered="ok"' in dom, "the page's script did not run"
    assert console == []
    assert dom.count("data:image/png;base64") == 5 and "Dead and missing" in dom
    # the check itself can fail: a page with a script error is caught
    broken = tmp_path / "broken.html"
    broken.write_text(html.replace("document.documentElement.dataset.rendered = 'ok';", "undefinedCall();"))
    dom, console = render_headless(broken, tmp_path / "profile2")
    assert 'data-rendered="ok"' not in dom and any("undefinedCall" in c for c in console)


def test_report_table_puts_deaths_beside_flows(product):
    from sim.forecast.report import protection_table

    ds, _, _ = product
    table = protection_table(ds)
    cols = list(table.columns)
    assert cols.index("Dead and missing, land and sea") < cols.index("of whom at sea") < cols.index("Arrivals")
    assert {"Deaths per 1,000 attempts", "Rescued", "Returned", "Legal entries"} <= set(cols)
    assert len(table) == ds.sizes["scenario"] * (ds.sizes["route"] + 1)


def test_observed_history_is_the_record(product):
    from sim.io.observed import load_observations

    ds, _, _ = product
    hist = ds["observed_detections"].sel(obs_time=slice("2015-01-01", "2015-12-01"))
    ref = load_observations()["detections"].sel(time=slice("2015-01-01", "2015-12-01"))
    np.testing.assert_array_equal(hist.transpose("obs_time", "route").values,
                                  ref.transpose("time", "route").values)


def test_a_minor_version_requires_only_what_it_had(product):
    """dead_missing_sea came with schema 1.1: a 1.0 file without it still conforms, a 1.1 file must hold it."""
    ds, _, _ = product
    assert "dead_missing_sea" in ds and check_dataset(ds) == []
    old = ds.drop_vars(["dead_missing_sea", "dead_missing_sea_draws"])
    assert check_dataset(old.assign_attrs(schema_version="1.0")) == []
    assert "variable 'dead_missing_sea' missing" in check_dataset(old.assign_attrs(schema_version="1.1"))
