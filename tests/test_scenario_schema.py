"""The scenario JSON Schema: generated from the validator's definitions, committed as docs/scenario.schema.json,
and in agreement with the validator on the scenarios we ship and on typical mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim import interventions as iv
from sim.cli import main
from sim.core.parameters import PARAMETERS
from sim.errors import InputError
from sim.io import scenario as sc
from sim.io.scenario_schema import scenario_json_schema
from sim.io.yamlfile import load_yaml
from tests.conftest import ROOT, tiny_doc

COMMITTED = ROOT / "docs" / "scenario.schema.json"
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))


def _validator():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed (pip install -e .[test])")
    return jsonschema.Draft202012Validator(scenario_json_schema())


def test_committed_schema_is_the_generated_one(capsys):
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == scenario_json_schema()
    assert COMMITTED.read_text(encoding="utf-8") == printed, "docs/scenario.schema.json is stale: run routesim " \
        "schema --out docs/scenario.schema.json"


def test_schema_out_writes_the_file(tmp_path, capsys):
    assert main(["schema", "--out", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text()) == scenario_json_schema()
    assert main(["schema", "--out", str(tmp_path)]) == 2
    assert "cannot write it" in capsys.readouterr().err


def test_schema_names_what_the_validator_knows():
    schema = scenario_json_schema()
    assert set(schema["properties"]) == set(sc.TOP_KEYS)
    assert set(schema["properties"]["parameters"]["properties"]) == set(PARAMETERS)
    assert schema["$defs"]["intervention"]["properties"]["type"]["enum"] == sorted(iv.REGISTRY)
    for name, kind in iv.REGISTRY.items():
        assert set(schema["$defs"][name]["properties"]) == set(sc.INTERVENTION_KEYS) | set(kind.options)


def test_schema_is_valid_draft_2020_12():
    validator = _validator()
    validator.check_schema(validator.schema)


@pytest.mark.parametrize("path", SCENARIOS, ids=[str(p.relative_to(ROOT / "scenarios")) for p in SCENARIOS])
def test_every_shipped_scenario_validates(path):
    assert len(SCENARIOS) >= 20  # scenarios/, scenarios/levers, scenarios/packages
    doc = load_yaml(path.read_text(encoding="utf-8"))  # dates stay text, as in an editor (YAML 1.2)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(doc)]
    assert not errors, errors


_IV = {"type": "border_enforcement", "target": "izmir_greece", "start": "2014-06-01", "intensity": 0.5}
_MISTAKES = {
    "seed_negative": {"seed": -1},
    "replicates_zero": {"replicates": 0},
    "spinup_too_long": {"spinup_months": 61},
    "unknown_key": {"seeds": 3},
    "agents_per_person_above_1": {"agents_per_person": 2},
    "month_13": {"period": {"start": "2014-13", "end": "2014-12"}},
    "period_before_2000": {"period": {"start": "1999-01", "end": "2014-12"}},
    "period_extra_key": {"period": {"start": "2014-01", "end": "2014-12", "step": 1}},
    "bad_name": {"name": "a b"},
    "long_name": {"name": "n" * 65},
    "unknown_parameter": {"parameters": {"departure_rat": 0.1}},
    "parameter_out_of_range": {"parameters": {"departure_rate": 9}},
    "unknown_type": {"interventions": [{**_IV, "type": "border_enforcment"}]},
    "intensity_out_of_range": {"interventions": [{**_IV, "intensity": 2}]},
    "missing_start": {"interventions": [{k: v for k, v in _IV.items() if k != "start"}]},
    "bad_date": {"interventions": [{**_IV, "start": "2014-02-30x"}]},
    "ramp_too_long": {"interventions": [{**_IV, "ramp_days": 4000}]},
    "option_of_another_type": {"interventions": [{**_IV, "targeting": "central"}]},
    "bad_option_choice": {"interventions": [{**_IV, "type": "network_disruption", "target": "central_med",
                                             "intensity": 1, "targeting": "all"}]},
    "bad_id": {"interventions": [{**_IV, "id": "a b"}]},
}


@pytest.mark.parametrize("mistake", sorted(_MISTAKES))
def test_schema_and_validator_both_refuse_typical_mistakes(mistake, tmp_path):
    doc = tiny_doc(**_MISTAKES[mistake])
    assert list(_validator().iter_errors(doc)), f"the schema accepts {mistake}"
    with pytest.raises(InputError):
        sc.parse_scenario(doc, tmp_path / "s.yaml")


def test_schema_and_validator_both_accept_a_good_scenario(tmp_path):
    doc = tiny_doc(interventions=[{**_IV, "end": "2014-09", "ramp_days": None, "id": "be", "note": None},
                                  {"type": "network_disruption", "target": "central_med", "start": "2014-03",
                                   "intensity": 2.5, "targeting": "peripheral"}],
                   parameters={"departure_rate": 0.02}, description=None)
    assert not list(_validator().iter_errors(doc))
    sc.parse_scenario(doc, tmp_path / "s.yaml")
    based = {"base": str(ROOT / "scenarios" / "baseline.yaml"), "name": "b2"}  # period from the base
    assert not list(_validator().iter_errors(based))
    assert list(_validator().iter_errors({"name": "nobase"}))  # no period and no base
    assert Path(COMMITTED).is_file()
