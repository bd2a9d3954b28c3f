"""Refusing what cannot fit: the footprint estimate, the memory limit and where the CLI applies them.

Every refusal must come before any simulation: exit 2, one line with the estimate, under 2 s, nothing written.
The machine's memory is replaced by 16 GB here so the outcome does not depend on the machine running the tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.io.network_files import load_network
from sim.io.scenario import load_scenario
from sim.run import footprint
from tests.conftest import ROOT, tiny_doc

_MACHINE_MEMORY = footprint.machine_memory  # the real one, before the fixture replaces it
ORIGINS = ("west_africa", "horn_of_africa", "syria_iraq", "afghanistan", "south_asia", "moroccans", "algerians",
           "tunisians", "egyptians")


@pytest.fixture(autouse=True)
def _sixteen_gigabytes(monkeypatch):
    monkeypatch.setattr(footprint, "machine_memory", lambda: 16 * 2**30)
    monkeypatch.delenv(footprint.ENV_LIMIT, raising=False)


def _network(tmp_path: Path, aspirants: dict[str, float]) -> Path:
    net = tmp_path / "net"
    net.mkdir()
    for f in (ROOT / "data" / "network").glob("*.csv"):
        (net / f.name).write_bytes(f.read_bytes())
    lines = (net / "origins.csv").read_text().splitlines()
    for i, line in enumerate(lines[1:], 1):
        name, count, rest = line.split(",", 2)
        lines[i] = f"{name},{aspirants.get(name, float(count)):g},{rest}"
    (net / "origins.csv").write_text("\n".join(lines) + "\n")
    return net


def _hundredfold(tmp_path: Path) -> Path:
    """The baseline (full scale) with a constant origin_pressure of 100 at every origin."""
    doc = {"base": str(ROOT / "scenarios" / "baseline.yaml"), "name": "hundredfold",
           "interventions": [{"type": "origin_pressure", "target": o, "start": "2000-01-01", "intensity": 100.0}
                             for o in ORIGINS]}
    path = tmp_path / "hundredfold.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def _one_origin(tmp_path: Path, per_month: float, pressure: float = 1.0) -> Path:
    path = tmp_path / "one_origin.yaml"
    net = _network(tmp_path, {"west_africa": per_month})
    ivs = [{"type": "origin_pressure", "target": "west_africa", "start": "2014-02-01", "intensity": pressure}]
    path.write_text(yaml.safe_dump(tiny_doc(network=str(net), agents_per_person=1, replicates=1, interventions=ivs)))
    return path


def _refused(capsys, argv: list[str], *needles: str) -> str:
    t0 = time.perf_counter()
    assert main(argv) == 2
    assert time.perf_counter() - t0 < 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("routesim: error: ") and len(err) < 300, err
    for needle in needles:
        assert needle in err, err
    return err


# --------------------------------------------------------------------------- refused before simulating
@pytest.mark.parametrize("command", ["run", "compare", "forecast", "backtest"])
def test_hundredfold_aspirants_are_refused_with_the_estimate(command, tmp_path, monkeypatch, capsys):
    path = _hundredfold(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setattr("sim.run.scenario_run.simulate", lambda *a, **k: pytest.fail("simulated before refusing"))
    argv = {"run": ["run", str(path), "--workers", "1"],
            "compare": ["compare", str(path), str(ROOT / "scenarios" / "baseline.yaml"), "--workers", "1"],
            "forecast": ["forecast", str(path), "--from", "2020-01", "--scale", "1", "--workers", "1"],
            "backtest": ["backtest", str(path), "--scale", "1", "--workers", "1"]}[command]
    err = _refused(capsys, [*argv, "--out", str(out), "--quiet"], "hundredfold.yaml", "needs an estimated",
                   "live agents", "16.0 GB (this machine's memory)")
    assert "billion" in err or " M live" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hundredfold.yaml"]


def test_one_origin_at_1e8_a_month_is_refused(tmp_path, capsys):
    path = _one_origin(tmp_path, 1e8)
    _refused(capsys, ["run", str(path), "--out", str(tmp_path / "out"), "--quiet", "--workers", "1"],
             "needs an estimated", "billion live agents")
    assert not (tmp_path / "out").exists()


def test_more_aspirants_a_day_than_ids_is_refused_in_check_and_run(tmp_path, capsys):
    path = _one_origin(tmp_path, 1e8, pressure=2)  # 6.6 M a day, beyond the 4,194,304 the id layout holds
    for argv in (["check", str(path)], ["run", str(path), "--out", str(tmp_path / "out"), "--memory-limit", "1T"]):
        _refused(capsys, argv, "origin west_africa", "4,194,304 per origin and day")
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- the limit
def test_limit_option_and_environment_variable(write_scenario, tmp_path, monkeypatch, capsys):
    baseline = str(ROOT / "scenarios" / "baseline.yaml")  # full scale: about 600 MB per process
    per_process = footprint.estimate(load_scenario(baseline), workers=2).bytes_per_process
    assert 0.3 * 2**30 < per_process < 2**30  # above 500 MB / 2
    monkeypatch.setattr("sim.run.scenario_run.simulate", lambda *a, **k: pytest.fail("simulated before refusing"))
    args = ["run", baseline, "--out", str(tmp_path / "out"), "--quiet", "--workers", "2"]
    _refused(capsys, [*args, "--memory-limit", "500M"], f"2 x {footprint._size(per_process)}",
             "more than 500 MB (--memory-limit)")
    monkeypatch.setenv(footprint.ENV_LIMIT, "0.5G")
    _refused(capsys, args, "more than 512 MB (ROUTESIM_MEMORY_LIMIT)")
    _refused(capsys, [*args, "--memory-limit", "lots"], "--memory-limit: 'lots' is not a memory size")
    assert footprint.memory_limit("8G") == (8 * 2**30, "--memory-limit")  # the option wins over the variable
    assert footprint.memory_limit() == (2**29, footprint.ENV_LIMIT)
    monkeypatch.delenv(footprint.ENV_LIMIT)
    assert footprint.memory_limit() == (16 * 2**30, "this machine's memory")
    path = write_scenario(tiny_doc(replicates=1, spinup_months=0))  # a tiny scenario runs under a tight limit
    monkeypatch.undo()
    monkeypatch.setattr(footprint, "machine_memory", lambda: 16 * 2**30)
    monkeypatch.setenv(footprint.ENV_LIMIT, "400M")
    assert main(["run", str(path), "--out", str(tmp_path / "tiny"), "--quiet", "--no-plots", "--workers", "1"]) == 0
    assert (tmp_path / "tiny" / "run.json").is_file()


@pytest.mark.parametrize(("text", "size"), [("4G", 4 * 2**30), ("500M", 500 * 2**20), ("8GB", 8 * 2**30),
                                            ("1.5GiB", int(1.5 * 2**30)), ("2000000000", 2_000_000_000),
                                            (" 64 k ", 64 * 2**10)])
def test_memory_sizes(text, size):
    assert footprint.parse_size(text, "x") == size


@pytest.mark.parametrize("text", ["", "0", "-1G", "4X", "G", "1e9", "four"])
def test_bad_memory_sizes(text):
    with pytest.raises(footprint.InputError, match="not a memory size"):
        footprint.parse_size(text, "x")


def test_machine_memory_is_read():
    total = _MACHINE_MEMORY()
    assert total is None or total > 2**26


# --------------------------------------------------------------------------- the estimate
def test_check_shows_the_estimate(write_scenario, capsys):
    path = write_scenario(tiny_doc())
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "; estimated about " in out and "live agents" in out and "MB per process" in out


def test_multipliers_in_force_multiply_and_ramps_count_from_one(write_scenario):
    doc = tiny_doc(interventions=[
        {"type": "origin_pressure", "target": "syria_iraq", "start": "2000-01-01", "intensity": 0.5},
        {"type": "origin_pressure", "target": "syria_iraq", "start": "2014-03-01", "end": "2014-05-31",
         "intensity": 10.0, "ramp_days": 30},
        {"type": "origin_pressure", "target": "afghanistan", "start": "2014-01-01", "intensity": 0.2,
         "ramp_days": 60},
        {"type": "origin_pressure", "target": "egyptians", "start": "2030-01-01", "intensity": 50.0}])
    scn = load_scenario(write_scenario(doc))
    peak = footprint.peak_multipliers(scn, list(ORIGINS))
    assert list(peak) == [1.0, 1.0, 5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert footprint.peak_multipliers(scn, list(ORIGINS), end=dt.date(2030, 1, 1))[-1] == 50.0


def test_the_estimate_counts_the_drivers_largest_multiplier():
    """Aspirants follow conflict displacement (section 7.1): with an elasticity on it the estimate takes each
    origin's largest multiplier in the period, so the Horn of Africa's rise in IDPs raises the estimate."""
    scn = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    net = load_network(scn.network)
    off = dataclasses.replace(scn, parameters={**scn.parameters, "origin_conflict_elasticity": 0.0,
                                                "origin_growth_elasticity": 0.0})
    on = dataclasses.replace(off, parameters={**off.parameters, "origin_conflict_elasticity": 1.5})
    assert (footprint.driver_peaks(off, net) == 1).all()
    peaks = footprint.driver_peaks(on, net)
    assert (peaks >= 1).all() and peaks[net.origins.index("horn_of_africa")] > 2
    assert footprint.estimate(on).live_agents > footprint.estimate(off).live_agents


def test_estimate_scales_with_agents_per_person_and_workers():
    scn = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    full, tenth = footprint.estimate(scn), footprint.estimate(scn, workers=3, agents_per_person=0.1)
    assert 2.05e6 < full.live_agents < 4e6  # measured peak: 2.05 M live agents
    assert 479 * 2**20 < full.bytes_per_process < 800 * 2**20  # measured peak RSS: 479 MB
    assert tenth.live_agents == pytest.approx(full.live_agents / 10, abs=1)
    assert tenth.total_bytes == 3 * tenth.bytes_per_process
    assert footprint.row_bytes() == 51  # 15 columns (43) and the due scan's working space (8)
