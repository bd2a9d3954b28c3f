"""Sensitivity analysis: spec validation, the output folder, determinism, and a behavioural check of the ranking."""

import math

import pandas as pd
import pytest
import yaml

from sim.analysis.sensitivity import run_sensitivity
from sim.analysis.sensitivity_spec import OUTPUTS, load_sensitivity_spec
from sim.errors import InputError

from .conftest import ROOT, tiny_doc

INERT = "stranded_days"  # only defines who counts as stranded in the outputs: nothing else can depend on it


def _scenario_doc():
    doc = tiny_doc(period={"start": "2014-01", "end": "2015-12"}, replicates=1)
    # a deadly sea and migrants who ignore risk (beta_risk 0): wreck_mortality then acts on deaths at sea only,
    # strongly enough to show at 1 agent per 200 persons, and not through route choice
    doc["parameters"] = {"beta_risk": 0.0, "distress_mult_unseaworthy": 20.0, "unseaworthy_share_base": 1.0,
                         "bad_weather_distress_mult": 20.0}
    doc["interventions"] = [{"id": "turkey_border", "type": "border_enforcement", "target": "izmir_greece",
                             "start": "2014-06-01", "intensity": 0.5, "note": "test"}]
    return doc


def _spec_doc(**changes):
    doc = {"name": "tiny-morris", "scenario": "scn.yaml", "period": {"start": "2014-01", "end": "2014-12"},
           "method": "morris", "trajectories": 2, "levels": 4, "agents_per_person": 0.05, "replicates": 1,
           "seed": 3, "workers": 2,
           "parameters": {"wreck_mortality": {"low": 0.05, "high": 0.95}, INERT: {"low": 30, "high": 360}}}
    doc.update(changes)
    return doc


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    path = tmp_path_factory.mktemp("sens")
    (path / "scn.yaml").write_text(yaml.safe_dump(_scenario_doc()))
    return path


def _write(folder, **changes):
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(_spec_doc(**changes)))
    return path


@pytest.fixture(scope="module")
def first_run(folder):
    spec = load_sensitivity_spec(_write(folder))
    summary = run_sensitivity(spec, folder / "out1", workers=2)
    return spec, summary, folder / "out1"


@pytest.mark.parametrize("changes,needle", [
    ({"parameters": {"beta_risky": {"low": 0, "high": 1}}}, "parameters.beta_risky: unknown parameter"),
    ({"parameters": {"wreck_mortality": {"low": 0.5, "high": 1.5}}},
     "parameters.wreck_mortality: range [0.5, 1.5] goes outside the parameter's bounds"),
    ({"parameters": {"wreck_mortality": {"low": 0.5, "high": 0.2}}}, "parameters.wreck_mortality: bad prior"),
    ({"method": "sobol"}, "method: 'sobol' is not one of morris"),
    ({"colour": "red"}, "colour: unknown key; allowed:"),
    ({"trajectories": 1}, "trajectories: 1 is outside [2, 100]"),
    ({"levels": 5}, "levels: 5 is odd"),
    ({"outputs": ["arrivals", "happiness"]}, "outputs[1]: 'happiness' is not one of"),
    ({"period": {"start": "2013-01", "end": "2014-12"}}, "period: must lie within the scenario's period"),
    ({"interventions": {"nonexistent": {"low": 0, "high": 1}}}, "interventions.nonexistent: no scenario entry"),
    ({"interventions": {"turkey_border": {"low": 0.2, "high": 7}}}, "interventions.turkey_border: intensity 7"),
])
def test_a_bad_spec_fails_with_one_line_naming_the_field(folder, changes, needle):
    with pytest.raises(InputError) as info:
        load_sensitivity_spec(_write(folder, **changes))
    message = str(info.value)
    assert needle in message and "\n" not in message and str(folder / "spec.yaml") in message


def test_defaults_and_the_shipped_spec():
    spec = load_sensitivity_spec(ROOT / "sensitivity" / "default.yaml")
    assert spec.method == "morris" and spec.outputs == tuple(OUTPUTS)
    assert spec.start.isoformat() == "2014-01-01" and spec.end.isoformat() == "2024-12-31"
    assert 6 <= len(spec.inputs) <= 12


def test_a_run_writes_one_row_per_output_and_input_and_no_temp_folder(first_run):
    spec, summary, out = first_run
    assert "\n" not in summary and "wreck_mortality" in summary
    indices = pd.read_csv(out / "indices.csv")
    assert list(indices.columns) == ["output", "parameter", "mu_star", "mu_star_conf", "mu", "sigma", "rank"]
    assert sorted(zip(indices["output"], indices["parameter"], strict=True)) == sorted(
        (o, p) for o in OUTPUTS for p in spec.inputs)
    assert all(math.isfinite(x) and x >= 0 for x in indices["mu_star"])
    samples = pd.read_csv(out / "samples.csv")
    assert len(samples) == spec.trajectories * (len(spec.inputs) + 1)
    assert set(spec.inputs) | set(OUTPUTS) <= set(samples.columns)
    for name in ("plots/sensitivity.png", "report.md", "spec.yaml", "indices_by_route.csv"):
        assert (out / name).is_file(), name
    report = (out / "report.md").read_text()
    assert "does not give variance shares" in report and "2014-01 to 2014-12" in report
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []


def test_the_same_spec_gives_identical_indices(first_run):
    spec, _, out = first_run
    again = out.parent / "out2"
    run_sensitivity(spec, again, workers=1)  # other worker count too: common random numbers, same answer
    assert (again / "indices.csv").read_bytes() == (out / "indices.csv").read_bytes()
    assert (again / "samples.csv").read_bytes() == (out / "samples.csv").read_bytes()


def test_wreck_mortality_drives_deaths_and_an_inert_definition_does_not(first_run):
    out = first_run[2]
    indices = pd.read_csv(out / "indices.csv").set_index(["output", "parameter"])
    mu_star, mu = indices["mu_star"], indices["mu"]
    for o in ("dead_missing", "deaths_per_1000_attempts"):
        assert mu_star[o, "wreck_mortality"] > 0 and mu[o, "wreck_mortality"] > 0, o  # deadlier wrecks, more dead
        assert mu_star[o, INERT] == 0, o  # common random numbers: a parameter nothing reads has no effect at all
    assert mu_star["dead_missing", "wreck_mortality"] >= 1000  # persons: several agents, not one stray death
    for o in set(OUTPUTS) - {"stranded"}:
        assert mu_star[o, INERT] == 0, o
    assert mu_star["stranded", INERT] > 0  # ...except on the output it defines


def test_cli_refuses_a_bad_spec_with_one_line_and_writes_nothing(folder, capsys):
    from sim.cli import main

    bad = _write(folder, method="sobol")
    out = folder / "cli-out"
    assert main(["sensitivity", str(bad), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "method" in err
    assert not out.exists()
