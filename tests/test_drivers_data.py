"""data/drivers and sim.io.drivers: sources on every row, the annual-to-monthly rule, vintage, outcomes kept out."""

from __future__ import annotations

import csv
import datetime as dt
import shutil

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.io import drivers
from sim.io.network_files import DATA_DIR

FILES = sorted(drivers.DRIVER_DIR.glob("*.csv"))


@pytest.fixture(scope="module")
def full():
    return drivers.load_drivers()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_row_carries_a_source(path):
    rows = drivers.read_table(path, [])  # raises on an empty source
    assert rows and all(r["source"].strip() for r in rows)


def test_bilateral_extract_is_small():
    path = drivers.DRIVER_DIR / "unhcr_population_bilateral_model_origins_to_hosts_2010_2024.csv"
    assert path.stat().st_size < 300_000


def test_stock_rule_december_and_linear_between():
    annual = np.array([120.0, 240.0, np.nan, 0.0])
    m = drivers.to_monthly(annual, 2010, "stock")
    assert np.isnan(m[:11]).all()
    assert m[11] == 120.0 and m[23] == 240.0 and m[47] == 0.0
    assert np.allclose(np.diff(m[11:24]), 10.0)  # linear: equal steps from Dec to Dec
    assert np.isnan(m[24:47]).all()  # no figure for one side: no value


def test_flow_and_rate_rules():
    assert np.allclose(drivers.to_monthly(np.array([1200.0]), 2010, "flow"), 100.0)
    assert np.allclose(drivers.to_monthly(np.array([3.5]), 2010, "rate"), 3.5)


def test_december_reproduces_year_end_values(full):
    by_origin = drivers.read_table(drivers.DRIVER_DIR / "idmc_conflict_idps_2010_2024.csv", [])
    syr = {int(r["year"]): float(r["idps_conflict_idmc"]) for r in by_origin if r["coo_iso"] == "SYR"}
    irq = {int(r["year"]): float(r["idps_conflict_idmc"]) for r in by_origin if r["coo_iso"] == "IRQ"}
    got = full.idps_conflict.sel(region="syria_iraq", time="2016-12-01").item()
    assert got == syr[2016] + irq[2016]


def test_no_extrapolation_unless_asked():
    ds = drivers.load_drivers()
    gdp = ds.gdp_per_capita_growth.sel(region="afghanistan")
    assert np.isnan(gdp.sel(time="2024-06-01").item())  # WDI file ends in 2023
    held = drivers.load_drivers(carry_forward=True).gdp_per_capita_growth.sel(region="afghanistan")
    assert held.sel(time="2024-06-01").item() == gdp.sel(time="2023-12-01").item()


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2026, 12, 31)))
def test_as_of_never_returns_a_later_value(as_of):
    ds = drivers.load_drivers(as_of=as_of)
    full = drivers.load_drivers()
    assert all(t.date() <= as_of for t in ds.indexes["time"].to_period("M").to_timestamp(how="end"))
    for name, spec in drivers.DRIVERS.items():
        source = spec[4]
        da = ds[name]
        years = da.indexes["time"].year
        known = np.array([drivers.publication_date(source, int(y)) <= as_of for y in years], dtype=bool)
        assert not (da.notnull().any("region").to_numpy() & ~known).any(), name
        ref = full[name].sel(time=da.time)
        assert bool(((da == ref) | da.isnull()).all()), name  # a vintage holds no value the full data lacks


def test_host_stocks_respect_as_of():
    as_of = dt.date(2020, 6, 29)  # end-2019 not yet published under the lag rule
    da = drivers.load_host_stocks(as_of=as_of).hosted_refugees_and_asylum_seekers.sel(host="TUR")
    assert da.dropna("time").time.values[-1] == np.datetime64("2018-12-01")
    assert "EU_PLUS" not in drivers.load_host_stocks().host.values


def test_outcomes_are_not_drivers(full):
    assert not set(full.data_vars) & drivers.OUTCOME_COLUMNS
    assert not any("eu_plus" in v for v in full.data_vars)
    assert set(drivers.load_outcomes().data_vars) == drivers.OUTCOME_COLUMNS


def test_regions_cover_every_origin():
    with (DATA_DIR / "network" / "origins.csv").open(newline="", encoding="utf-8") as f:
        origins = {r["id"] for r in csv.DictReader(f)}
    assert origins == set(drivers.REGIONS)
    assert all(drivers.REGIONS[o] for o in origins)


def _blank_first_source(text: str) -> str:
    head, first, rest = text.split("\n", 2)
    return "\n".join([head, first[:first.index(',"UCDP')] + ',""', rest])


@pytest.mark.parametrize("damage, needle", [
    (lambda text: text.replace("135,7563,", "135,seven,", 1), "row 3, column total"),
    (lambda text: _blank_first_source(text), "row 2, column source"),
    (lambda text: "", "no rows"),
])
def test_corrupt_file_names_the_file(tmp_path, damage, needle):
    for p in FILES:
        shutil.copy(p, tmp_path / p.name)
    name = "ucdp_organized_violence_country_year_2010_2024.csv"
    path = tmp_path / name
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InputError, match=name) as err:
        drivers.load_drivers(tmp_path)
    assert needle in str(err.value) or "missing column" in str(err.value)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(InputError, match="unhcr_stocks_by_origin_2010_2024.csv: file not found"):
        drivers.load_drivers(tmp_path)
