"""The command line end to end, as an analyst or a dashboard would use it."""

import json
import subprocess
import sys

import pandas as pd
import xarray as xr

from .conftest import tiny_doc

CONTRACT_VARS = ["departures", "crossing_attempts", "arrivals", "interceptions", "returns", "dead_missing",
                 "legal_entries", "stranded", "smuggler_revenue"]


def routesim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


def test_tiny_run_writes_the_output_contract(write_scenario, tmp_path):
    scn = write_scenario(tiny_doc(period={"start": "2014-01", "end": "2014-06"}))
    out = tmp_path / "out"
    proc = routesim("run", scn, "--out", out, "--replicates", 2, "--quiet")
    assert proc.returncode == 0, proc.stderr
    ds = xr.open_dataset(out / "results.nc")
    assert {"time", "route", "replicate"} <= set(ds.dims)
    assert list(ds["route"].values) == ["central_med", "eastern_med", "western_med", "atlantic"]
    assert ds.sizes["time"] == 6 and ds.sizes["replicate"] == 2
    assert str(ds["time"].values[0])[:10] == "2014-01-01"
    for v in CONTRACT_VARS:
        assert ds[v].dtype.kind == "i", v
        assert {"units", "long_name"} <= set(ds[v].attrs), v
    for key in ("scenario_name", "seed", "routesim_version", "scenario_sha256"):
        assert key in ds.attrs
    summary = pd.read_csv(out / "summary.csv")
    assert {"route", "year", "variable", "median", "p05", "p95"} <= set(summary.columns)
    assert "deaths_per_1000_attempts" in set(summary["variable"])
    assert (summary["p05"] <= summary["median"] + 1e-9).all() and (summary["median"] <= summary["p95"] + 1e-9).all()
    meta = json.loads((out / "run.json").read_text())
    assert meta["agent_steps"] > 0 and meta["wall_seconds"] > 0
    assert len(list((out / "plots").glob("*.png"))) >= 4
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_same_seed_same_results_whatever_the_number_of_workers(write_scenario, tmp_path):
    scn = write_scenario(tiny_doc(period={"start": "2014-01", "end": "2014-04"}))
    for w in (1, 2):
        proc = routesim("run", scn, "--out", tmp_path / f"w{w}", "--replicates", 3, "--workers", w, "--seed", 4,
                        "--quiet", "--no-plots")
        assert proc.returncode == 0, proc.stderr
    a, b = (xr.open_dataset(tmp_path / f"w{w}" / "results.nc") for w in (1, 2))
    assert all(a[v].equals(b[v]) for v in a.data_vars)
    assert not a["arrivals"].isel(replicate=0).equals(a["arrivals"].isel(replicate=1))


def test_bad_input_is_one_line_exit_2_and_leaves_nothing(write_scenario, tmp_path):
    cases = {
        "typo": write_scenario(tiny_doc(bogus_key_xyz=1), name="typo.yaml"),
        "value": write_scenario(tiny_doc(replicates=-2), name="value.yaml"),
        "missing": tmp_path / "nope.yaml",
    }
    garbage = tmp_path / "garbage.yaml"
    garbage.write_bytes(bytes(range(256)) * 4)
    cases["garbage"] = garbage
    for name, path in cases.items():
        out = tmp_path / f"out-{name}"
        proc = routesim("run", path, "--out", out)
        assert proc.returncode == 2, (name, proc.stderr)
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert not out.exists()
    proc = routesim("run", cases["typo"], "--out", tmp_path / "x", "--workers", 0)
    assert proc.returncode == 2 and "--workers" in proc.stderr


def test_check_command(write_scenario):
    ok = routesim("check", write_scenario(tiny_doc()))
    assert ok.returncode == 0 and "ok" in ok.stdout
    bad = routesim("check", write_scenario(tiny_doc(seed="x"), name="b.yaml"))
    assert bad.returncode == 2 and "seed" in bad.stderr


def test_small_runs_print_nothing_on_stderr(write_scenario, tmp_path):
    """No warnings: where a route has no crossing attempts in a month (here the Atlantic, its launches withheld;
    this used to be a scale of 1 agent per 5,000 persons, below the minimum now), deaths per 1,000 attempts has
    slices with no value at all, which must come out as NaN without NumPy's "All-NaN slice"."""
    from .test_forecast import short_baseline

    closed = [{"type": "departure_control", "target": "atlantic", "start": "2013-01-01", "intensity": 1.0,
               "note": "no launches, so no attempts"}]
    scn = write_scenario(tiny_doc(period={"start": "2014-01", "end": "2014-06"}, interventions=closed))
    proc = routesim("run", scn, "--out", tmp_path / "run", "--replicates", 2, "--workers", 2, "--quiet")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    summary = pd.read_csv(tmp_path / "run" / "summary.csv")
    assert summary[summary["variable"] == "deaths_per_1000_attempts"]["median"].isna().any()

    doc = short_baseline(tmp_path, extra=[{**closed[0], "id": "closed_atlantic"}])
    proc = routesim("forecast", doc, "--from", "2016-01", "--horizon", 3, "--draws", 1, "--replicates", 2,
                    "--scale", 0.05, "--engine", "pool", "--workers", 2, "--out", tmp_path / "fc", "--quiet")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    fc = xr.load_dataset(tmp_path / "fc" / "forecast.nc")
    assert fc["deaths_per_1000_attempts"].isnull().any()
