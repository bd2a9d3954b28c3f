"""Behaviour unchanged, proved: today's code reproduces outputs recorded before a refactoring, bit for bit.

The goldens in ``tests/golden/`` were written by ``routesim run`` and ``routesim compare`` on the two small
scenarios beside them (1/20 scale, the minimum, 2014-2024). Every variable and coordinate must be identical; attributes
must be equal except those that record when, where and how fast the run was made. A change that is meant to
alter the model's output re-records them in its own commit (see ``tests/golden/README.md``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
VOLATILE = {"created", "git_commit", "wall_seconds"}


def assert_identical(got: xr.Dataset, want: xr.Dataset) -> None:
    assert set(got.data_vars) == set(want.data_vars), "variables differ"
    assert set(got.coords) == set(want.coords), "coordinates differ"
    assert dict(got.sizes) == dict(want.sizes), "dimensions differ"
    for name in list(want.data_vars) + list(want.coords):
        a, b = got[name], want[name]
        assert a.dims == b.dims, f"{name}: dims {a.dims} != {b.dims}"
        assert a.dtype == b.dtype, f"{name}: dtype {a.dtype} != {b.dtype}"
        assert np.array_equal(a.values, b.values, equal_nan=a.dtype.kind == "f"), f"{name}: values differ"
        assert a.attrs == b.attrs, f"{name}: attributes differ"
    got_attrs = {k: v for k, v in got.attrs.items() if k not in VOLATILE}
    want_attrs = {k: v for k, v in want.attrs.items() if k not in VOLATILE}
    assert got_attrs.keys() == want_attrs.keys(), "global attributes differ"
    for k, v in want_attrs.items():
        assert np.array_equal(got_attrs[k], v), f"global attribute {k}: {got_attrs[k]!r} != {v!r}"


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # the goldens record the scenario file by its path from the project root


@pytest.mark.parametrize("scenario, golden", [("baseline_small.yaml", "baseline.nc"),
                                              ("package_small.yaml", "package.nc")])
def test_run_reproduces_golden(tmp_path, in_root, scenario, golden):
    out = tmp_path / "out"
    assert main(["run", f"tests/golden/{scenario}", "--out", str(out), "--workers", "2", "--no-plots",
                 "--quiet"]) == 0
    with xr.open_dataset(out / "results.nc") as got, xr.open_dataset(GOLDEN / golden) as want:
        assert_identical(got.load(), want.load())


def test_compare_reproduces_golden(tmp_path, in_root):
    out = tmp_path / "cmp"
    assert main(["compare", "tests/golden/baseline_small.yaml", "tests/golden/package_small.yaml", "--out",
                 str(out), "--replicates", "1", "--workers", str(min(2, os.cpu_count() or 1)), "--no-plots",
                 "--quiet"]) == 0
    with xr.open_dataset(out / "comparison.nc") as got, xr.open_dataset(GOLDEN / "comparison.nc") as want:
        assert_identical(got.load(), want.load())


def test_golden_check_detects_a_change():
    """The comparison is not vacuous: one count moved by one person is caught."""
    with xr.open_dataset(GOLDEN / "baseline.nc") as want:
        want = want.load()
    changed = want.copy(deep=True)
    changed["arrivals"].values[5, 0, 0] += 1
    with pytest.raises(AssertionError, match="arrivals"):
        assert_identical(changed, want)
