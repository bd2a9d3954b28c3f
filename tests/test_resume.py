"""Long jobs resume: ``sensitivity``, ``backtest`` and ``calibrate`` started on the command line, killed once
they have kept some finished runs under OUT (SIGKILL, then SIGTERM), and rerun to completion, do only the
remaining work and write the same numbers as a run that was never interrupted."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xarray as xr
import yaml

from sim.io.outfolder import STATE_DIR
from tests.conftest import ROOT
from tests.test_forecast import short_baseline

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and fork workers")
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
DONE = re.compile(r"(\d+) job\(s\) computed, (\d+) reused")


def _cli(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=cwd, env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _stored(out: Path) -> int:
    return len(list((out / STATE_DIR).glob("*.npz")))


def _interrupt(args: list[str], cwd: Path, count, at_least: int, sig: int, timeout: float = 180) -> int:
    """Start the command, wait until ``count()`` reaches ``at_least``, send ``sig``; the count afterwards."""
    proc = _cli(args, cwd)
    deadline = time.monotonic() + timeout
    while count() < at_least:
        assert proc.poll() is None, f"finished before it could be interrupted: {proc.communicate()}"
        assert time.monotonic() < deadline, "nothing was kept in time"
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130 and "the same command resumes" in err and "Traceback" not in err, err
    return count()


def _finish(args: list[str], cwd: Path) -> str:
    res = subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=ENV, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr
    return res.stdout


def _same_files(a: Path, b: Path, names: tuple[str, ...]) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


# --------------------------------------------------------------------------- sensitivity
def test_an_interrupted_sensitivity_analysis_resumes(tmp_path):
    from tests.test_sensitivity import _scenario_doc, _spec_doc

    (tmp_path / "scn.yaml").write_text(yaml.safe_dump(_scenario_doc()))
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(_spec_doc(trajectories=4, seed=5)))
    run = ["sensitivity", "spec.yaml", "--workers", "1", "--quiet", "--out"]
    out = tmp_path / "out"
    kept = _interrupt([*run, "out"], tmp_path, lambda: _stored(out), 1, signal.SIGKILL)
    assert sorted(p.name for p in out.iterdir()) == [STATE_DIR]  # nothing of the outputs, only the state
    kept = _interrupt([*run, "out"], tmp_path, lambda: _stored(out), kept + 1, signal.SIGTERM)
    computed, reused = map(int, DONE.search(_finish([*run, "out"], tmp_path)).groups())
    assert reused == kept and computed >= 1  # only what was left

    reference = _finish([*run, "ref"], tmp_path)
    assert DONE.search(reference).groups() == (str(computed + reused), "0")
    _same_files(out, tmp_path / "ref", ("indices.csv", "indices_by_route.csv", "samples.csv", "spec.yaml"))
    assert _stored(out) == computed + reused  # the finished OUT keeps exactly its own runs

    again = _finish([*run, "out"], tmp_path)  # a finished analysis rerun computes nothing
    assert DONE.search(again).groups() == ("0", str(computed + reused))
    _same_files(out, tmp_path / "ref", ("indices.csv", "samples.csv"))


def test_a_sensitivity_state_is_not_reused_with_other_settings(tmp_path):
    from tests.test_sensitivity import _scenario_doc, _spec_doc

    (tmp_path / "scn.yaml").write_text(yaml.safe_dump(_scenario_doc()))
    run = ["sensitivity", "spec.yaml", "--workers", "1", "--quiet", "--out", "out"]
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(_spec_doc(period={"start": "2014-01", "end": "2014-06"})))
    first = DONE.search(_finish(run, tmp_path)).groups()
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(_spec_doc(period={"start": "2014-01", "end": "2014-06"},
                                                                 replicates=2)))
    assert DONE.search(_finish(run, tmp_path)).groups() == (first[0], "0")


# --------------------------------------------------------------------------- backtest
def test_an_interrupted_backtest_resumes(tmp_path):
    short_baseline(tmp_path)
    run = ["backtest", "short.yaml", "--first", "2016-01", "--last", "2016-04", "--every", "3", "--horizon", "3",
           "--draws", "2", "--replicates", "2", "--scale", "0.05", "--engine", "serial", "--quiet", "--out"]
    out = tmp_path / "out"
    kept = _interrupt([*run, "out"], tmp_path, lambda: _stored(out), 1, signal.SIGKILL)
    kept = _interrupt([*run, "out"], tmp_path, lambda: _stored(out), kept + 1, signal.SIGTERM)
    computed, reused = map(int, DONE.search(_finish([*run, "out"], tmp_path)).groups())
    assert reused == kept and computed >= 1

    reference = _finish([*run, "ref"], tmp_path)
    assert DONE.search(reference).groups() == (str(computed + reused), "0")
    _same_files(out, tmp_path / "ref", ("scores.csv", "points.csv"))
    a, b = xr.load_dataset(out / "forecasts.nc"), xr.load_dataset(tmp_path / "ref" / "forecasts.nc")
    xr.testing.assert_identical(a, b)


# --------------------------------------------------------------------------- calibration
def test_an_interrupted_calibration_resumes(tmp_path):
    from tests.test_calibration import _scenario_doc, _spec_doc

    (tmp_path / "scn.yaml").write_text(yaml.safe_dump(_scenario_doc()))
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(_spec_doc(
        trials=7, workers=1, final_replicates=1, final_agents_per_person=0.05)))
    run = ["calibrate", "spec.yaml", "--engine", "serial", "--quiet", "--out"]
    out = tmp_path / "out"

    def trials() -> list:
        if not (out / "evaluations.db").is_file():
            return []
        with sqlite3.connect(f"file:{out / 'evaluations.db'}?mode=ro", uri=True) as db:
            try:
                return db.execute("SELECT number, point, residuals FROM trial ORDER BY number").fetchall()
            except sqlite3.OperationalError:  # being created
                return []

    _interrupt([*run, "out"], tmp_path, lambda: len(trials()), 1, signal.SIGKILL)
    before = trials()
    assert 1 <= len(before) < 7
    _finish([*run, "out"], tmp_path)
    assert trials()[:len(before)] == before  # the stored trials were replayed, not run again
    _finish([*run, "ref"], tmp_path)
    _same_files(out, tmp_path / "ref", ("trials.csv",))
    fitted = [yaml.safe_load((d / "fitted.yaml").read_text()) for d in (out, tmp_path / "ref")]
    for doc in fitted:
        doc.pop("created", None)
    assert fitted[0] == fitted[1]
    assert _rows_equal(out / "check" / "results.nc", tmp_path / "ref" / "check" / "results.nc")


def _rows_equal(a: Path, b: Path) -> bool:
    x, y = xr.load_dataset(a), xr.load_dataset(b)
    return all((x[v].values == y[v].values).all() for v in x.data_vars)



# --------------------------------------------------------------------------- the store itself
def test_the_store_keeps_results_exactly_and_leaves_nothing_when_nothing_finished(tmp_path):
    import numpy as np

    from sim.errors import InputError
    from sim.io.state import JobStore, fingerprint

    out = tmp_path / "a" / "out"
    with pytest.raises(KeyboardInterrupt), JobStore(out, "test"):
        raise KeyboardInterrupt
    assert not (tmp_path / "a").exists() or not any((tmp_path / "a").iterdir())

    x = np.array([0.1, np.nan, 1e300, -0.0])
    key = fingerprint("x", x)
    assert key != fingerprint("x", x[:3]) and key == fingerprint("x", x.copy())
    with JobStore(out, "test") as store:
        store.put(key, {"x": x})
    again = JobStore(out, "test")
    assert again.get(key)["x"].tobytes() == x.tobytes() and again.get("other") is None
    assert (again.reused, again.computed) == (1, 0)

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    with pytest.raises(InputError, match="not a routesim output"):
        JobStore(tmp_path / "mine", "test")
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]
