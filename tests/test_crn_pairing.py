"""benchmarks/crn_pairing.py: following migrants through paired runs (the diagnostic behind ODD 4.9)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

from .conftest import ROOT, tiny_doc

spec = importlib.util.spec_from_file_location("crn_pairing", ROOT / "benchmarks" / "crn_pairing.py")
crn_pairing = importlib.util.module_from_spec(spec)
spec.loader.exec_module(crn_pairing)

LEVER = {"type": "border_enforcement", "target": "izmir_greece", "start": "2014-04-01", "note": "test lever"}


def _pair(tmp_path: Path, intensity: float) -> dict[str, float]:
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(tiny_doc(interventions=[])))
    (tmp_path / "alt.yaml").write_text(yaml.safe_dump({"base": "base.yaml", "name": "alt", "description": "",
                                                       "interventions": [{**LEVER, "intensity": intensity}]}))
    runs = crn_pairing.run_pair(tmp_path / "base.yaml", tmp_path / "alt.yaml", 0.005, 2014, 0, "afghanistan", {})
    return crn_pairing.pairing(runs)


def test_a_lever_that_does_nothing_leaves_every_migrants_history_the_same(tmp_path):
    shares = _pair(tmp_path, 0.0)
    assert shares["finalised"] > 100 and shares["attempts"] > 20  # there is something to compare
    assert shares["same_end"] == 1.0 and shares["same_boarding"] == 1.0 and shares["same_fate"] == 1.0
    assert shares["attempts_unmatched"] == 0


def test_a_lever_on_the_afghans_route_changes_some_of_their_histories(tmp_path):
    shares = _pair(tmp_path, 0.8)
    assert shares["same_end"] < 1.0
    assert shares["same_fate"] < 1.0 or shares["attempts_unmatched"] > 0
