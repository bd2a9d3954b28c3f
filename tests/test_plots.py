"""Briefing plots are drawn from the output contract alone, and say what they show."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from sim.io.plots import plot_all

GOLDEN = Path(__file__).resolve().parent / "golden" / "baseline.nc"


def test_every_briefing_plot_is_written_from_the_results_alone(tmp_path):
    ds = xr.open_dataset(GOLDEN)
    written = plot_all(ds, tmp_path)
    names = {p.name for p in written}
    assert {"crossings_by_route.png", "deaths_by_route.png", "arrivals_by_origin.png"} <= names
    for path in written:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path.name


def test_no_arrivals_by_origin_plot_without_the_variable(tmp_path):
    """Results written before schema 1.5 have no arrivals_by_origin: the other plots are still drawn."""
    ds = xr.open_dataset(GOLDEN).drop_vars("arrivals_by_origin")
    names = {p.name for p in plot_all(ds, tmp_path)}
    assert "arrivals_by_origin.png" not in names and "crossings_by_route.png" in names
