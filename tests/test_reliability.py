"""Reliability: a user's files are never deleted, every bad input is exit 2 naming file and field, SIGTERM is
Ctrl-C, and pool workers never outlive the run. Each test here failed on the code before these checks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from tests.conftest import ROOT, tiny_doc

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _quick(**overrides) -> dict:
    return tiny_doc(replicates=1, spinup_months=0, **overrides)


def _one_line_exit_2(capsys, argv: list[str], *needles: str) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("routesim: error: ") and "Traceback" not in err, err
    assert len(err) < 300, err
    for needle in needles:
        assert needle in err, err
    return err


# --------------------------------------------------------------------------- OUT is safe
def test_out_dot_with_files_is_refused_and_nothing_deleted(write_scenario, tmp_path, monkeypatch, capsys):
    path = write_scenario(_quick())
    (tmp_path / "precious.txt").write_text("keep")
    monkeypatch.chdir(tmp_path)
    _one_line_exit_2(capsys, ["run", str(path), "--out", ".", "--quiet", "--no-plots", "--workers", "1"],
                     "not a routesim output")
    assert (tmp_path / "precious.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious.txt", "scn.yaml"]


@pytest.mark.parametrize("make", ["file", "under_file", "folder_with_files", "long_name", "unwritable"])
def test_bad_out_is_refused_before_simulating(make, write_scenario, tmp_path, monkeypatch, capsys):
    path = write_scenario(_quick())
    (tmp_path / "afile").write_text("x")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    out = {"file": "afile", "under_file": "afile/sub", "folder_with_files": "mine", "long_name": "y" * 250,
           "unwritable": "/proc/routesim-out/x"}[make]
    monkeypatch.setattr("sim.run.scenario_run.simulate", lambda *a, **k: pytest.fail("simulated before refusing"))
    monkeypatch.chdir(tmp_path)
    _one_line_exit_2(capsys, ["run", str(path), "--out", out, "--quiet", "--no-plots", "--workers", "1"], "--out")
    assert (tmp_path / "afile").read_text() == "x" and (tmp_path / "mine" / "notes.txt").exists()
    assert not list(tmp_path.glob(".*tmp-*"))


def test_long_scenario_name_is_refused(write_scenario, capsys):
    path = write_scenario(_quick(name="n" * 300))
    _one_line_exit_2(capsys, ["check", str(path)], "name:", "at most 64")


def test_previous_output_is_replaced_and_dead_runs_leftovers_cleaned(write_scenario, tmp_path, capsys):
    path = write_scenario(_quick())
    out = tmp_path / "out"
    args = ["run", str(path), "--out", str(out), "--quiet", "--no-plots", "--workers", "1"]
    assert main(args) == 0
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = tmp_path / f".out.tmp-{dead.pid}-abcd1234"
    leftover.mkdir()
    (leftover / "results.nc").write_text("half")
    assert main(args) == 0
    assert (out / "run.json").is_file() and not leftover.exists()


def test_calibrate_refuses_a_foreign_folder_but_not_its_own(tmp_path, capsys):
    from sim.cli import CALIBRATION_FILES
    from sim.io.outfolder import check_out

    (tmp_path / "own").mkdir()
    (tmp_path / "own" / CALIBRATION_FILES[0]).write_text("parameters: {}\n")
    assert check_out(tmp_path / "own", own=CALIBRATION_FILES) == tmp_path / "own"
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x")
    spec = ROOT / "calibration" / "baseline.yaml"
    if spec.is_file():
        _one_line_exit_2(capsys, ["calibrate", str(spec), "--out", str(tmp_path / "mine")], "not a routesim output")
    assert (tmp_path / "mine" / "thesis.tex").exists()


# --------------------------------------------------------------------------- bad input: exit 2, file and field
_TEXT_FAULTS = {
    "impossible_day": (("start: '2014-06-01'", "start: 2014-02-30"), "interventions[0].start"),
    "month_13": (("start: '2014-06-01'", "start: 2014-13-01"), "interventions[0].start"),
    "hour_25": (("start: '2014-06-01'", "start: 2014-01-01 25:00:00"), "interventions[0].start"),
    "bad_float_tag": (("intensity: 0.5", "intensity: !!float not-a-float"), "line"),
    "bad_int_tag": (("seed: 11", "seed: !!int 12x"), "line"),
    "year_9999": (("end: 2014-12", "end: 9999-12"), "period.end"),
    "year_0": (("start: 2014-01", "start: 0000-01"), "period.start"),
    "iv_end_9999": (("start: '2014-06-01'", "start: '2014-06-01'\n  end: 9999-12"), "interventions[0].end"),
    "type_list": (("type: border_enforcement", "type: [search_and_rescue]"), "interventions[0].type"),
    "duplicate_key": (("seed: 11", "seed: 11\nseed: 12"), "given twice"),
}


@pytest.mark.parametrize("fault", sorted(_TEXT_FAULTS))
def test_impossible_yaml_values_are_exit_2(fault, write_scenario, capsys):
    (old, new), needle = _TEXT_FAULTS[fault]
    text = yaml.safe_dump(tiny_doc())
    assert old in text
    path = write_scenario(text=text.replace(old, new))
    _one_line_exit_2(capsys, ["check", str(path)], str(path), needle)


def test_alias_bomb_is_refused_in_a_short_line(write_scenario, capsys):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 6)]
    path = write_scenario(text="\n".join(levels) + "\ndescription: *a5\n" + yaml.safe_dump(tiny_doc()))
    _one_line_exit_2(capsys, ["check", str(path)], "aliases expand")


def test_huge_file_is_refused_quickly(write_scenario, capsys):
    path = write_scenario(text=yaml.safe_dump(tiny_doc()) + "# " + "x" * 2_000_000 + "\n")
    t0 = time.perf_counter()
    _one_line_exit_2(capsys, ["check", str(path)], "at most")
    assert time.perf_counter() - t0 < 2


def _network_copy(tmp_path: Path) -> Path:
    net = tmp_path / "net"
    net.mkdir()
    for f in (ROOT / "data" / "network").glob("*.csv"):
        (net / f.name).write_bytes(f.read_bytes())
    return net


def test_truncated_csv_row_names_file_and_row(write_scenario, tmp_path, capsys):
    net = _network_copy(tmp_path)
    lines = (net / "edges.csv").read_text().splitlines()
    lines[-1] = ",".join(lines[-1].split(",")[:5])  # up to route: crossing and the rest missing
    (net / "edges.csv").write_text("\n".join(lines) + "\n")
    path = write_scenario(tiny_doc(network=str(net)))
    _one_line_exit_2(capsys, ["check", str(path)], "edges.csv", f"row {len(lines)}")


def test_fitted_file_mixing_key_types(write_scenario, tmp_path, capsys):
    (tmp_path / "fitted.yaml").write_text("parameters: {1: 0.5, b: 0.3}\ninterventions: {}\n")
    path = write_scenario(tiny_doc(calibration="fitted.yaml"))
    _one_line_exit_2(capsys, ["check", str(path)], "calibration", "fitted.yaml")


def test_long_base_chain_and_cycles(tmp_path, capsys):
    for i in range(400):
        doc = {"base": f"s{i + 1}.yaml", "name": f"s{i}"} if i < 399 else tiny_doc()
        (tmp_path / f"s{i}.yaml").write_text(yaml.safe_dump(doc))
    _one_line_exit_2(capsys, ["check", str(tmp_path / "s0.yaml")], "base", "chain")
    (tmp_path / "c1.yaml").write_text(yaml.safe_dump({"base": "c2.yaml", "name": "c1"}))
    (tmp_path / "c2.yaml").write_text(yaml.safe_dump({"base": "c1.yaml", "name": "c2"}))
    _one_line_exit_2(capsys, ["check", str(tmp_path / "c1.yaml")], "cycle")


# --------------------------------------------------------------------------- signals and workers
def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True).stdout.split()
    pairs = list(zip(map(int, out[::2]), map(int, out[1::2]), strict=True))
    found, frontier = set(), {pid}
    while frontier:
        frontier = {c for c, p in pairs if p in frontier} - found
        found |= frontier
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process table read with ps, fork workers")
def test_sigterm_with_two_workers_leaves_nothing(tmp_path):
    doc = tiny_doc(replicates=4, period={"start": "2014-01", "end": "2016-12"}, agents_per_person=0.05)
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(doc))
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "sim", "run", "s.yaml", "--out", "out", "--workers", "2",
                             "--no-plots"], cwd=tmp_path, env={**ENV, "TMPDIR": str(tmpdir)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    kids: set[int] = set()
    while time.monotonic() < deadline and len(kids) < 2:
        time.sleep(0.2)
        kids = _children(proc.pid)
    assert len(kids) >= 2, "workers never started"
    time.sleep(1)
    kids = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "no output written" in err and "Traceback" not in err, err
    time.sleep(1)
    alive = [k for k in kids if Path(f"/proc/{k}").exists()
             and "zombie" not in Path(f"/proc/{k}/status").read_text().lower()]
    assert not alive, f"processes left behind: {alive}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml", "tmp"]
    assert not list(tmpdir.iterdir())
