"""Scenario validation: every bad input is one InputError naming the file and field; good ones round-trip."""

import pytest
import yaml

from sim.errors import InputError
from sim.io.scenario import load_scenario, parse_scenario

from .conftest import ROOT, tiny_doc


def _bad(write_scenario, doc=None, text=None):
    path = write_scenario(doc, text)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def _with_iv(**changes):
    doc = tiny_doc()
    doc["interventions"] = [{**doc["interventions"][0], **changes}]
    return doc


@pytest.mark.parametrize("doc,field", [
    (tiny_doc(bogus_key=1), "bogus_key: unknown key"),
    (tiny_doc(replicates="ten"), "replicates: 'ten' is not a whole number"),
    (tiny_doc(replicates=0), "replicates: 0 is outside"),
    (tiny_doc(seed=-1), "seed: -1 is outside"),
    (tiny_doc(agents_per_person=0.3), "agents_per_person"),
    (tiny_doc(agents_per_person=0.01), "agents_per_person: 0.01 is coarser than the minimum 0.05"),
    (tiny_doc(agents_per_person=2), "agents_per_person"),
    (tiny_doc(period={"start": "2015-01", "end": "2014-12"}), "period.end: 2014-12 is before period.start"),
    (tiny_doc(period={"start": "2015-13", "end": "2016-01"}), "period.start: '2015-13' is not a month"),
    (tiny_doc(period={"start": "2015-01"}), "period: expected a mapping with exactly start and end"),
    (tiny_doc(parameters={"beta_fee": -1}), "parameters.beta_fee: -1.0 is outside"),
    (tiny_doc(parameters={"beta_feee": 1}), "parameters.beta_feee: unknown parameter"),
    (tiny_doc(network="no/such/folder"), "network: folder not found"),
    (tiny_doc(name="bad name!"), "name:"),
    (_with_iv(target="atlantis"), "interventions[0].target: unknown target 'atlantis'"),
    (_with_iv(type="teleport"), "interventions[0].type: 'teleport' is not one of"),
    (_with_iv(intensity=3), "interventions[0].intensity: intensity 3.0 is outside"),
    (_with_iv(end="2014-01-01"), "interventions[0].end: 2014-01-01 is before start 2014-06-01"),
    (_with_iv(start="someday"), "interventions[0].start: 'someday' is not a date"),
    (_with_iv(colour="red"), "interventions[0].colour: unknown key"),
    (_with_iv(ramp_days=-3), "interventions[0].ramp_days: -3 is outside"),
])
def test_bad_scenarios_name_the_field(write_scenario, doc, field):
    assert field in _bad(write_scenario, doc)


def test_an_unknown_route_or_node_target_is_rejected(write_scenario):
    for target in ("pacific_route", "lisbon"):
        assert "unknown target" in _bad(write_scenario, _with_iv(target=target))


@pytest.mark.parametrize("text,needle", [
    ("", "the file is empty"),
    ("- a\n- list\n", "expected a mapping"),
    ("name: [unclosed\n", "not valid YAML"),
])
def test_malformed_files(write_scenario, text, needle):
    assert needle in _bad(write_scenario, text=text)


def test_binary_garbage_is_rejected(tmp_path):
    path = tmp_path / "garbage.yaml"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputError, match="garbage.yaml"):
        load_scenario(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="scenario file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_yaml_is_never_evaluated_as_code(write_scenario):
    text = yaml.safe_dump(tiny_doc()) + "description: !!python/object/apply:os.system ['echo hacked']\n"
    assert "not valid YAML" in _bad(write_scenario, text=text)


def test_a_scenario_round_trips_through_yaml(write_scenario, tmp_path):
    first = load_scenario(write_scenario(tiny_doc(parameters={"beta_fee": 0.7})))
    again = parse_scenario(yaml.safe_load(first.to_yaml()), tmp_path / "again.yaml")
    for field in ("name", "period_start", "period_end", "replicates", "seed", "agents_per_person", "network",
                  "parameters", "interventions", "spinup_months", "description", "routesim_version"):
        assert getattr(first, field) == getattr(again, field), field


def test_every_shipped_scenario_is_valid():
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert files
    for f in files:
        scn = load_scenario(f)
        assert all(iv.note for iv in scn.interventions), f"{f.name}: every dated entry cites its source"


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_values = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**6), st.floats(allow_nan=True),
                    st.text(max_size=12), st.lists(st.integers(), max_size=3),
                    st.dictionaries(st.text(max_size=6), st.integers(), max_size=3))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(["name", "period", "replicates", "seed", "agents_per_person", "spinup_months",
                            "parameters", "interventions", "description", "network", "calibration"]),
       value=_values)
def test_any_value_in_any_field_is_accepted_or_rejected_with_an_input_error(key, value, tmp_path):
    doc = tiny_doc()
    doc[key] = value
    try:
        parse_scenario(doc, tmp_path / "fuzz.yaml")
    except InputError as exc:
        assert "\n" not in str(exc) and "fuzz.yaml" in str(exc)
