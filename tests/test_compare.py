"""Scenario comparison: paired runs, the output contract, and the noise common random numbers remove."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from sim.analysis.compare import compare_scenarios
from sim.analysis.compare_headlines import HEADLINES
from sim.cli import main
from sim.io.scenario import load_scenario

from .conftest import tiny_doc

ALT_ENTRY = {"type": "border_enforcement", "target": "central_med", "start": "2014-07-01", "intensity": 0.5,
             "note": "test lever"}


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    base_doc = tiny_doc(replicates=6, interventions=[])
    (folder / "base.yaml").write_text(yaml.safe_dump(base_doc))
    (folder / "alt.yaml").write_text(yaml.safe_dump({"base": "base.yaml", "name": "alt", "description": "enforce",
                                                      "interventions": [ALT_ENTRY]}))
    out = folder / "out"
    ds, table, crn = compare_scenarios(load_scenario(folder / "base.yaml"), [load_scenario(folder / "alt.yaml")],
                                       out=out, workers=2)
    return folder, out, ds, table, crn


def test_comparison_writes_the_contract_and_nothing_else(compared):
    folder, out, ds, table, crn = compared
    names = {p.name for p in out.iterdir()}
    assert {"comparison.nc", "differences.csv", "crn.csv", "report.md", "plots", "scenarios", "run.json"} <= names
    assert not [p for p in folder.iterdir() if p.name.startswith(".out")]  # no temporary folder left
    on_disk = xr.open_dataset(out / "comparison.nc", engine="h5netcdf")
    assert list(on_disk["scenario"].values) == ["tiny", "alt"]
    for var in ("crossing_attempts", "dead_missing", "legal_entries", "smuggler_revenue", "stranded"):
        assert on_disk[var].dims == ("time", "route", "replicate", "scenario") or "scenario" in on_disk[var].dims
        assert on_disk[var].attrs["units"] and on_disk[var].attrs["long_name"]
    on_disk.close()
    assert sorted(p.name for p in (out / "plots").iterdir()) == ["differences.png", "differences_by_route.png",
                                                                  "overview.png"]
    csv = pd.read_csv(out / "differences.csv")
    assert set(csv["variable"]) == set(HEADLINES)
    assert {"all", "central_med"} <= set(csv["route"]) and "2014" in set(csv["period"].astype(str))
    assert "deaths_per_1000_attempts" in (out / "report.md").read_text()


def test_paired_runs_are_identical_until_the_lever_starts(compared):
    _, _, ds, _, _ = compared
    before = ds.sel(time=slice("2014-01", "2014-06"))
    for var in ("crossing_attempts", "arrivals", "dead_missing", "smuggler_revenue"):
        assert (before[var].sel(scenario="tiny") == before[var].sel(scenario="alt")).all()
    after = ds.sel(time=slice("2014-08", "2014-12"))["crossing_attempts"].sel(route="central_med").sum("time")
    assert (after.sel(scenario="alt") < after.sel(scenario="tiny")).all()


def test_common_random_numbers_cut_the_spread_of_differences(compared):
    _, _, _, table, crn = compared
    ratio = crn[crn["scenario"] == "alt"].set_index("variable")["ratio"]
    for var in ("returns", "stranded", "smuggler_revenue"):  # flows and stocks that pairing keeps in step
        assert ratio[var] <= 1 / 3, var
    for var in ("crossing_attempts", "arrivals", "interceptions"):  # queues shift who boats when: weaker
        assert ratio[var] < 1 / 2, var
    # the table's whole-period median difference for central_med is negative (enforcement there)
    whole = table["period"].iloc[-1]
    cm = table[(table["period"] == whole) & (table["route"] == "central_med") & (table["variable"] == "arrivals")]
    assert float(cm["difference_median"].iloc[0]) < 0
    assert float(cm["difference_p05"].iloc[0]) <= float(cm["difference_median"].iloc[0]) <= float(
        cm["difference_p95"].iloc[0])


def test_compare_rejects_a_bad_alternative_with_one_line_and_writes_nothing(write_scenario, tmp_path, capsys):
    base = write_scenario(tiny_doc(), name="base.yaml")
    bad = write_scenario({"base": "base.yaml", "name": "bad", "interventions": [{**ALT_ENTRY, "intensity": 7}]},
                         name="bad.yaml")
    out = tmp_path / "out"
    assert main(["compare", str(base), str(bad), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.yaml" in err and "intensity" in err
    assert not out.exists()


def test_a_scenario_extends_its_base_and_adds_its_own_entries(write_scenario):
    base = write_scenario(tiny_doc(parameters={"beta_risk": 0.5}), name="base.yaml")
    child = write_scenario({"base": "base.yaml", "name": "child", "parameters": {"beta_fee": 0.9},
                            "interventions": [ALT_ENTRY]}, name="child.yaml")
    b, c = load_scenario(base), load_scenario(child)
    assert c.period_start == b.period_start and c.replicates == b.replicates and c.seed == b.seed
    assert c.interventions[: len(b.interventions)] == b.interventions
    assert len(c.interventions) == len(b.interventions) + 1
    assert c.parameters == {"beta_risk": 0.5, "beta_fee": 0.9}
    again = load_scenario(write_scenario(text=c.to_yaml(), name="again.yaml"))
    assert again.interventions == c.interventions and again.parameters == c.parameters


def test_a_cycle_of_base_files_is_a_clear_error(write_scenario):
    from sim.errors import InputError

    write_scenario({"base": "b.yaml", "name": "a"}, name="a.yaml")
    b = write_scenario({"base": "a.yaml", "name": "b"}, name="b.yaml")
    with pytest.raises(InputError, match="cycle"):
        load_scenario(b)


def test_intervention_options_round_trip_through_yaml(write_scenario):
    entry = {"type": "network_disruption", "target": "tripoli", "start": "2014-02-01", "intensity": 4,
             "targeting": "peripheral"}
    scn = load_scenario(write_scenario(tiny_doc(interventions=[entry])))
    assert dict(scn.interventions[0].options) == {"targeting": "peripheral"}
    again = load_scenario(write_scenario(text=scn.to_yaml(), name="again.yaml"))
    assert again.interventions == scn.interventions


def test_an_unknown_intervention_key_names_the_type_and_its_options(write_scenario, capsys):
    entry = {"type": "network_disruption", "target": "tripoli", "start": "2014-02-01", "intensity": 4,
             "targetting": "central"}
    path = write_scenario(tiny_doc(interventions=[entry]))
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "interventions[0].targetting" in err and "targeting (option)" in err


def test_paired_difference_is_exactly_zero_for_a_lever_that_never_starts(compared):
    folder, _, _, _, _ = compared
    (folder / "never.yaml").write_text(yaml.safe_dump({"base": "base.yaml", "name": "never", "interventions": [
        {**ALT_ENTRY, "start": "2030-01-01"}]}))
    _, table, _ = compare_scenarios(load_scenario(folder / "base.yaml"), [load_scenario(folder / "never.yaml")],
                                    replicates=2)
    assert np.allclose(table["difference_median"].fillna(0), 0)


def test_pairing_floor_is_what_perfect_pairing_of_a_thinned_count_achieves():
    from sim.analysis.compare import pairing_floor

    # by hand: removing 20% -> sqrt(0.2 / 1.8) = 1/3; adding 25% -> sqrt(0.25 / 2.25) = 1/3; -42% -> 0.516
    assert pairing_floor(-0.2) == pytest.approx(1 / 3)
    assert pairing_floor(0.25) == pytest.approx(1 / 3)
    assert pairing_floor(-0.42) == pytest.approx(np.sqrt(0.42 / 1.58))
    assert pairing_floor(0.0) == 0.0
    # Monte Carlo: boats (lumps of 1-60 deaths) in a Poisson number; the alternative keeps each boat's own
    # outcome but loses a random 40% of boats (perfect common random numbers)
    rng = np.random.default_rng(3)
    reps = 4000
    n = rng.poisson(50, size=reps)
    lumps = [rng.integers(1, 61, size=k) for k in n]
    keep = [rng.random(k) >= 0.4 for k in n]
    base = np.array([x.sum() for x in lumps], float)
    alt = np.array([x[m].sum() for x, m in zip(lumps, keep, strict=True)], float)
    ratio = np.std(alt - base) / np.std(alt - np.roll(base, 1))
    assert ratio == pytest.approx(pairing_floor(-0.4), rel=0.05)
