"""Checks on the observed public record (data/observed/*.csv) and its loader (sim.io.observed).

The data tests read the CSVs independently of the loader, so a loader bug and a data bug cannot hide each
other. Expected values are never copied from the data: the tests compare files with each other and with
structural facts (coordinates, units, sources present).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from sim.io.observed import ROUTES, DataError, load_annual_observations, load_observations

DATA = Path(__file__).resolve().parents[1] / "data"
OBS = DATA / "observed"
SOURCE = ["source_publisher", "source_document", "source_table", "source_date", "source_url"]

# file -> (unique key, count columns). Every CSV in data/observed must be listed here.
SPEC: dict[str, tuple[list[str] | None, list[str]]] = {
    "frontex_detections_annual.csv": (["route", "year"], ["detections"]),
    "frontex_detections_monthly.csv": (["route", "month"], ["detections"]),
    "frontex_detections_annual_vintages.csv": (None, ["detections"]),
    "iom_dead_missing_annual.csv": (["route", "year"], ["dead", "missing", "dead_missing"]),
    "iom_dead_missing_monthly.csv": (["route", "month"], ["dead", "missing", "dead_missing"]),
    "iom_dead_missing_annual_vintages.csv": (None, ["dead_missing"]),
    "sea_arrivals_monthly.csv": (["country", "month", "mode"], ["arrivals"]),
    "sea_arrivals_annual.csv": (["country", "year", "mode"], ["arrivals"]),
    "interceptions_annual.csv": (["actor", "year"], ["value"]),
    "sea_arrivals_by_departure_annual.csv": (["departure_country", "destination", "year"], ["arrivals"]),
    "frontex_detections_by_nationality_annual.csv": (["route", "nationality", "year"], ["detections"]),
    "smuggling_fees.csv": (None, []),
    "policy_shocks.csv": (["event_id"], []),
}
# Frontex revises FRAN data after each Risk Analysis. On the four model routes the largest gap between the
# last Risk Analysis edition (2015 or later) and the 2025 workbook is a few per cent (Western African 2020);
# 5 % tolerates revisions but catches a transcription slip (a dropped or doubled digit is >= 10x).
REVISION_TOLERANCE = 0.05


def read(name: str) -> pd.DataFrame:
    return pd.read_csv(OBS / name, dtype=str, keep_default_na=False)


def test_every_observed_file_is_specified():
    on_disk = {p.name for p in OBS.glob("*.csv")}
    assert on_disk == set(SPEC), "add new files to SPEC (key and count columns) so they are checked"


@pytest.mark.parametrize("name", sorted(SPEC))
def test_every_row_names_its_source(name):
    df = read(name)
    assert len(df) > 0
    for col in SOURCE:
        assert col in df.columns, f"{name}: no '{col}' column"
        empty = df.index[df[col].str.strip() == ""].tolist()
        assert not empty, f"{name}: empty '{col}' in rows {[i + 2 for i in empty[:5]]}"


@pytest.mark.parametrize("name", sorted(SPEC))
def test_keys_unique_and_counts_are_nonnegative_integers(name):
    df = read(name)
    key, counts = SPEC[name]
    if key is not None:
        dup = df[df.duplicated(subset=key, keep=False)]
        assert dup.empty, f"{name}: duplicate keys\n{dup[key].head()}"
    else:
        assert not df.duplicated().any(), f"{name}: identical rows"
    for col in counts:
        bad = df.loc[~df[col].str.fullmatch(r"\d+"), col]
        assert bad.empty, f"{name}: column {col} has non-integer or negative values {bad.head().tolist()}"


def test_fee_ranges_are_ordered():
    df = read("smuggling_fees.csv")
    low = pd.to_numeric(df["low"].replace("", np.nan))
    high = pd.to_numeric(df["high"].replace("", np.nan))
    assert (high.dropna() >= 0).all() and (low.dropna() >= 0).all()
    both = low.notna() & high.notna()
    assert (low[both] <= high[both]).all()
    assert high.notna().all(), "every fee row needs at least an upper value"


def test_policy_shock_dates_parse_and_are_ordered():
    df = read("policy_shocks.csv")
    start = pd.to_datetime(df["date_start"], format="mixed")
    end = pd.to_datetime(df["date_end"].replace("", None), format="mixed")
    assert (end.isna() | (end >= start)).all()
    assert df["route"].str.split(";").map(lambda r: len(r) > 0 and all(r)).all()


def _monthly_sums(df: pd.DataFrame, value: str) -> pd.DataFrame:
    df = df.assign(year=df["month"].str[:4].astype(int), v=df[value].astype(int))
    g = df.groupby(["route", "year"])["v"]
    return pd.DataFrame({"sum": g.sum(), "n": g.size()})


def test_frontex_monthly_sums_match_annual():
    """Same vintage: exact (the annual figure is defined as the sum of that workbook's months).
    Other vintage: within REVISION_TOLERANCE."""
    mon = read("frontex_detections_monthly.csv")
    ann = read("frontex_detections_annual.csv").assign(year=lambda d: d["year"].astype(int))
    sums = _monthly_sums(mon, "detections")
    doc = mon["source_document"].iloc[0]
    compared = 0
    for r in ann.itertuples():
        if (r.route, r.year) not in sums.index or sums.loc[(r.route, r.year), "n"] != 12:
            continue
        total = sums.loc[(r.route, r.year), "sum"]
        tol = 0.0 if r.source_document == doc else REVISION_TOLERANCE
        assert abs(total - int(r.detections)) <= tol * max(int(r.detections), 1), (r.route, r.year)
        compared += 1
    assert compared >= len(ROUTES) * 16, "expected the four model routes to be complete for 2009-2024"


def test_frontex_preferred_within_revision_of_last_risk_analysis():
    ann = read("frontex_detections_annual.csv").assign(year=lambda d: d["year"].astype(int))
    vin = read("frontex_detections_annual_vintages.csv")
    ara = vin[vin["vintage"].str.fullmatch(r"ARA\d{4}")].assign(
        ed=lambda d: d["vintage"].str[3:].astype(int), year=lambda d: d["year"].astype(int))
    ara = ara[(ara["ed"] >= 2015) & ara["route"].isin(ROUTES)]
    last = ara.sort_values("ed").groupby(["route", "year"]).tail(1).set_index(["route", "year"])
    pref = ann.set_index(["route", "year"])["detections"].astype(int)
    both = last.index.intersection(pref.index)
    assert len(both) > 20
    ref = last.loc[both, "detections"].astype(int)
    rel = (pref[both] - ref).abs() / ref
    assert (rel <= REVISION_TOLERANCE).all(), rel[rel > REVISION_TOLERANCE]


def test_iom_monthly_sums_match_annual_and_cover_every_month():
    mon = read("iom_dead_missing_monthly.csv")
    ann = read("iom_dead_missing_annual.csv").assign(year=lambda d: d["year"].astype(int))
    sums = _monthly_sums(mon, "dead_missing")
    for r in ann.itertuples():
        assert sums.loc[(r.route, r.year), "n"] == 12, (r.route, r.year)
        assert sums.loc[(r.route, r.year), "sum"] == int(r.dead_missing), (r.route, r.year)
    for df in (mon, ann):
        assert (df["dead"].astype(int) + df["missing"].astype(int) == df["dead_missing"].astype(int)).all()
    want = {f"{y}-{m:02d}" for y in range(2014, 2025) for m in range(1, 13)}
    for route in ROUTES:
        assert want <= set(mon.loc[mon["route"] == route, "month"]), route


# ----------------------------------------------------------------------------------------------- loader
@pytest.fixture(scope="module")
def monthly() -> xr.Dataset:
    return load_observations()


@pytest.fixture(scope="module")
def annual() -> xr.Dataset:
    return load_annual_observations()


def test_monthly_layout(monthly):
    assert dict(monthly.sizes) == {"route": 4, "time": 16 * 12}
    assert list(monthly["route"].values) == ["central_med", "eastern_med", "western_med", "atlantic"]
    want = pd.date_range("2009-01-01", "2024-12-01", freq="MS")
    assert monthly["time"].dtype == np.dtype("datetime64[ns]")
    np.testing.assert_array_equal(monthly["time"].values, want.values.astype("datetime64[ns]"))
    assert set(monthly.data_vars) == {"detections", "dead_missing", "sea_arrivals"}
    for name, var in monthly.data_vars.items():
        assert var.dims == ("route", "time"), name
        assert var.dtype == np.float64, name
        for attr in ("units", "long_name", "source"):
            assert str(var.attrs.get(attr, "")).strip(), f"{name}: missing {attr}"
        vals = var.values[~np.isnan(var.values)]
        assert (vals >= 0).all() and (vals == np.round(vals)).all(), name


def test_annual_layout(annual):
    assert set(annual.sizes) == {"route", "year", "country", "route_origin"}
    assert list(annual["route"].values) == list(ROUTES)
    np.testing.assert_array_equal(annual["year"].values, np.arange(2009, 2025))
    by_country = {"coast_guard_interceptions", "italy_arrivals_by_departure"}
    assert set(annual.data_vars) == {"detections", "dead_missing", "sea_arrivals", "detections_by_origin"} | by_country
    for name, var in annual.data_vars.items():
        unit = "country" if name in by_country else "route_origin" if name == "detections_by_origin" else "route"
        assert var.dims == (unit, "year") and var.dtype == np.float64, name
        for attr in ("units", "long_name", "source"):
            assert str(var.attrs.get(attr, "")).strip(), f"{name}: missing {attr}"


def test_detections_by_origin_add_up_the_nationalities_of_each_origin(annual):
    """Each route/origin cell is the sum of its nationalities' rows; the origins of a route never add up to
    more than the route's detections; a route-year with too many unknown nationalities is left out."""
    from sim.io.observed import MAX_UNKNOWN_SHARE, RECORD_ORIGINS, UNKNOWN_NATIONALITY

    nat = read("frontex_detections_by_nationality_annual.csv").astype({"year": int, "detections": int})
    by_origin = annual["detections_by_origin"]
    assert by_origin.sizes["route_origin"] >= 10
    for label in by_origin["route_origin"].values:
        route, origin = str(label).split("/")
        rows = nat[(nat["route"] == route) & nat["nationality"].isin(RECORD_ORIGINS[origin])]
        for year in (2016, 2023):
            expected = rows.loc[rows["year"] == year, "detections"].sum()
            got = float(by_origin.sel(route_origin=label, year=year))
            assert np.isnan(got) or got == expected, (label, year)
    for route in ROUTES:
        cells = by_origin.sel(route_origin=[x for x in by_origin["route_origin"].values if x.startswith(route)])
        total = cells.sum("route_origin", min_count=1)
        assert (total.isnull() | (total <= annual["detections"].sel(route=route) * 1.01)).all()
        sub = nat[nat["route"] == route]
        for year, grp in sub.groupby("year"):
            unknown = grp.loc[grp["nationality"].isin(UNKNOWN_NATIONALITY), "detections"].sum()
            vague = unknown > MAX_UNKNOWN_SHARE * grp["detections"].sum()
            assert bool(np.isnan(cells.sel(year=year)).all()) == vague, (route, year)


def test_loader_values_come_from_the_csvs(monthly, annual):
    mon = read("frontex_detections_monthly.csv")
    mon = mon[mon["month"].between("2009-01", "2024-12")]
    for route in ROUTES:
        csv_total = mon.loc[mon["route"] == route, "detections"].astype(int).sum()
        assert monthly["detections"].sel(route=route).sum().item() == csv_total
        assert not monthly["detections"].sel(route=route).isnull().any(), route
    # annual detections equal the monthly totals (same vintage)
    np.testing.assert_array_equal(monthly["detections"].groupby("time.year").sum().values,
                                  annual["detections"].values)
    iom = monthly["dead_missing"]
    assert iom.sel(time=slice("2009", "2013")).isnull().all()
    assert not iom.sel(time=slice("2014", "2024")).isnull().any()


def test_coast_guard_interceptions_are_the_complete_rows_of_the_csv(annual):
    """Each laid-out value is a complete row of its coast guard; incomplete years and other actors stay out."""
    from sim.io.network_files import load_network

    csv = read("interceptions_annual.csv")
    guards = {"libya_coast_guard": "LY", "tunisia_national_guard": "TN", "turkey_coast_guard": "TR"}
    got = annual["coast_guard_interceptions"]
    countries = {c for c in load_network().node_country if c}
    assert set(got["country"].values) <= countries  # the network's own country codes
    n = 0
    for row in csv.itertuples():
        if row.actor not in guards:
            continue
        value = float(got.sel(country=guards[row.actor], year=int(row.year)))
        if row.complete == "True":
            assert value == int(row.value), (row.actor, row.year)
            n += 1
        else:
            assert np.isnan(value), (row.actor, row.year)
    assert int(got.notnull().sum()) == n > 0


def test_arrivals_by_departure_country_are_the_complete_rows_and_fit_inside_italys_total(annual):
    """Each laid-out value is a complete row for Italy; incomplete years stay out. No departure country can
    account for more than Italy's landings that year, and together they stay within them (a slip of a digit or
    a row filed under the wrong year would break either)."""
    csv = read("sea_arrivals_by_departure_annual.csv")
    got = annual["italy_arrivals_by_departure"]
    italy = read("sea_arrivals_annual.csv")
    italy = italy[(italy["country"] == "italy") & (italy["mode"] == "sea")].set_index("year")["arrivals"]
    n = 0
    for row in csv.itertuples():
        value = float(got.sel(country=row.departure_country, year=int(row.year)))
        if row.complete == "True" and row.destination == "italy":
            assert value == int(row.arrivals), (row.departure_country, row.year)
            n += 1
        else:
            assert np.isnan(value), (row.departure_country, row.year)
        if row.year in italy.index:
            assert int(row.arrivals) <= int(italy[row.year]), (row.departure_country, row.year)
    assert int(got.notnull().sum()) == n > 0
    both = got.sum("country", min_count=1)
    for year in both["year"].values:
        if np.isfinite(both.sel(year=year)) and str(year) in italy.index:
            assert float(both.sel(year=year)) <= int(italy[str(year)]), year


def test_central_med_arrivals_need_italy_and_malta(monthly):
    sea = read("sea_arrivals_monthly.csv")
    sea = sea[sea["complete"] == "True"]
    sea = sea[sea["mode"] == "sea"]
    italy = sea[sea["country"] == "italy"].set_index("month")["arrivals"].astype(float)
    malta = sea[sea["country"] == "malta"].set_index("month")["arrivals"].astype(float)
    got = monthly["sea_arrivals"].sel(route="central_med").to_series()
    got.index = got.index.strftime("%Y-%m")
    for month in italy.index:
        if month in malta.index:
            assert got[month] == italy[month] + malta[month], month
        else:
            assert np.isnan(got[month]), f"{month}: Malta not reported, central_med must be NaN"
    # no clean monthly split for Spain
    assert monthly["sea_arrivals"].sel(route=["western_med", "atlantic"]).isnull().all()


def test_default_dir_is_repo_data(monthly):
    xr.testing.assert_identical(load_observations(DATA), monthly)


# ----------------------------------------------------------------------------------------------- errors
def _copy(tmp_path: Path) -> Path:
    shutil.copytree(OBS, tmp_path / "observed")
    return tmp_path


def _edit(path: Path, fn) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(df).to_csv(path, index=False)


CORRUPTIONS = {
    "text_in_count": ("frontex_detections_monthly.csv", lambda d: d.assign(detections=d["detections"].where(
        d.index != 5, "12a"))),
    "negative_count": ("iom_dead_missing_monthly.csv", lambda d: d.assign(dead=d["dead"].where(
        d.index != 7, "-3"))),
    "missing_column": ("sea_arrivals_monthly.csv", lambda d: d.drop(columns=["arrivals"])),
    "empty_source": ("frontex_detections_monthly.csv", lambda d: d.assign(source_url=d["source_url"].where(
        d.index != 3, ""))),
    "duplicate_row": ("iom_dead_missing_monthly.csv", lambda d: pd.concat([d, d.iloc[[10]]])),
    "bad_month": ("frontex_detections_monthly.csv", lambda d: d.assign(month=d["month"].where(
        d.index != 2, "2015-13"))),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_corrupt_monthly_file_raises_data_error_naming_it(tmp_path, case):
    name, fn = CORRUPTIONS[case]
    root = _copy(tmp_path)
    _edit(root / "observed" / name, fn)
    with pytest.raises(DataError, match=name.replace(".", r"\.")) as info:
        load_observations(root)
    assert isinstance(info.value, ValueError)
    assert "\n" not in str(info.value)


def test_corrupt_annual_file_raises_data_error(tmp_path):
    root = _copy(tmp_path)
    _edit(root / "observed" / "frontex_detections_annual.csv",
          lambda d: d.assign(year=d["year"].where(d.index != 0, "20x9")))
    with pytest.raises(DataError, match=r"frontex_detections_annual\.csv.*row 2.*year"):
        load_annual_observations(root)


def test_missing_file_raises_data_error(tmp_path):
    root = _copy(tmp_path)
    (root / "observed" / "iom_dead_missing_monthly.csv").unlink()
    with pytest.raises(DataError, match=r"iom_dead_missing_monthly\.csv"):
        load_observations(root)


def test_unparseable_file_raises_data_error(tmp_path):
    root = _copy(tmp_path)
    (root / "observed" / "sea_arrivals_annual.csv").write_bytes(b'country,year\n"unterminated,2014\n')
    with pytest.raises(DataError, match=r"sea_arrivals_annual\.csv"):
        load_annual_observations(root)


def test_latest_runs_on_past_2024_without_changing_the_fitted_record(monthly):
    latest = load_observations(latest=True)
    mon = read("frontex_detections_monthly.csv")
    last = pd.Timestamp(max(mon["month"]) + "-01")
    assert pd.Timestamp(latest["time"].values[-1]) >= last > pd.Timestamp("2024-12-01")
    xr.testing.assert_identical(latest.sel(time=monthly["time"]), monthly)
    row = mon[(mon["route"] == "central_med") & (mon["month"] == max(mon["month"]))].iloc[0]
    assert latest["detections"].sel(route="central_med", time=last).item() == int(row["detections"])
