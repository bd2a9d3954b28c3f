"""Exogenous drivers of demand (data/drivers): displacement, conflict and the economy, monthly, by origin region.

Rules (data/drivers/README.md gives their basis):

* **Annual to monthly.** An end-of-year *stock* is the value of December of its year, and the months between two
  Decembers are linear in the month (January = 1/12 of the way); an annual *flow* is spread evenly, 1/12 in each
  month of its year; an annual *rate* (percent) holds for every month of its year. Nothing is extrapolated: months
  after the last value are NaN unless the caller asks ``carry_forward=True`` (the last monthly value is held).
* **Vintage.** ``as_of`` keeps only the years published by that date under :data:`PUBLICATION_LAG` (an assumption
  per source), and only the months whose last day is on or before it. The values are the files' current vintage:
  later revisions by the publishers are not undone.
* **Outcomes are not drivers.** EU+ columns (:data:`OUTCOME_COLUMNS`) describe what routesim simulates; they are
  never returned by :func:`load_drivers`, only by :func:`load_outcomes` for calibration.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sim.errors import InputError, shorten
from sim.io.csvfile import read_csv_rows

DRIVER_DIR = Path(__file__).resolve().parents[2] / "data" / "drivers"
FIRST_YEAR, LAST_YEAR = 2010, 2024

REGIONS: dict[str, tuple[str, ...]] = {
    "west_africa": ("NGA", "GIN", "CIV", "MLI", "SEN", "GMB", "CMR", "BFA"),
    "horn_of_africa": ("ERI", "SDN", "SSD", "SOM", "ETH"),
    "syria_iraq": ("SYR", "IRQ"),
    "afghanistan": ("AFG",),
    "south_asia": ("BGD", "PAK"),
    "moroccans": ("MAR",),
    "algerians": ("DZA",),
    "tunisians": ("TUN",),
    "egyptians": ("EGY",),
}
"""ISO3 countries each origin region of data/network/origins.csv aggregates (an assumption: README, "Regions")."""

HOSTS = ("TUR", "LBN", "JOR", "IRN", "PAK", "IRQ", "LBY", "TUN", "EGY", "MAR", "DZA", "NER", "MLI", "MRT", "TCD",
         "SDN", "ETH", "KEN", "UGA", "SSD", "YEM")
"""First-asylum and transit hosts with a row in unhcr_stocks_by_asylum (EU_PLUS, an outcome, is left out)."""

PUBLICATION_LAG: dict[str, tuple[int, int]] = {
    "unhcr": (6, 30),  # Global Trends released 18-20 June of the next year (README, "Publication lags")
    "idmc": (6, 30),   # assumption: GRID in May-June of the next year (not verified)
    "ucdp": (6, 30),   # assumption: annual UCDP release by mid-year of the next year (not verified)
    "wdi": (7, 31),    # assumption: WDI's annual update in July of the next year (not verified)
    "wpp": (7, 31),    # assumption: a year's population estimate taken as known by July of the next year
}
"""(month, day) in the year after year Y by which the figure for year Y is taken as published."""

OUTCOME_COLUMNS = frozenset({"refugees_plus_asylum_seekers_eu_plus", "asylum_seekers_eu_plus",
                             "new_asylum_seekers_eu_plus"})
"""EU+ columns: outcomes of the process routesim simulates; for calibration only, never drivers."""

# name: (file, country column, value column(s) summed, kind, lag key, units, long_name)
DRIVERS: dict[str, tuple[str, str, tuple[str, ...], str, str, str, str]] = {
    "displaced_abroad_outside_eu": (
        "unhcr_stocks_by_origin_2010_2024.csv", "coo_iso",
        ("refugees_world", "asylum_seekers_world", "-refugees_plus_asylum_seekers_eu_plus"), "stock", "unhcr",
        "persons", "refugees and asylum seekers abroad, outside EU+ (end-year stock) [derived]"),
    "displaced_in_transit_countries": (
        "unhcr_stocks_by_origin_2010_2024.csv", "coo_iso",
        ("refugees_plus_asylum_seekers_in_listed_transit_countries",),
        "stock", "unhcr", "persons", "refugees and asylum seekers in listed first-asylum/transit countries"),
    "new_refugees_first_asylum": (
        "unhcr_new_displacement_flows_by_origin_2010_2024.csv", "coo_iso", ("new_refugees_first_asylum_listed",),
        "flow", "unhcr", "persons per month", "new refugees in listed first-asylum countries"),
    "idps_conflict": (
        "idmc_conflict_idps_2010_2024.csv", "coo_iso", ("idps_conflict_idmc",), "stock", "idmc", "persons",
        "people internally displaced by conflict and violence (IDMC, end-year stock)"),
    "conflict_deaths": (
        "ucdp_organized_violence_country_year_2010_2024.csv", "iso3", ("total_organized_violence_deaths_best",),
        "flow", "ucdp", "deaths per month", "deaths from organised violence (UCDP best estimate)"),
    "population": (
        "undesa_wpp_population_2010_2023.csv", "iso3", ("population",), "stock", "wpp", "persons",
        "total population at mid-year (UN WPP 2024), taken as the year-end value"),
    "gdp_per_capita_growth": (
        "wdi_macro_annual_2010_2024.csv", "iso3", ("NY.GDP.PCAP.KD.ZG",), "rate", "wdi", "percent per year",
        "GDP per capita growth, unweighted mean over the region's countries reporting"),
    "inflation": (
        "wdi_macro_annual_2010_2024.csv", "iso3", ("FP.CPI.TOTL.ZG",), "rate", "wdi", "percent per year",
        "consumer price inflation, unweighted mean over the region's countries reporting"),
}


def publication_date(source: str, year: int) -> dt.date:
    """The date by which the figure for ``year`` from ``source`` is taken as published (PUBLICATION_LAG)."""
    month, day = PUBLICATION_LAG[source]
    return dt.date(year + 1, month, day)


def read_table(path: Path, required: list[str]) -> list[dict[str, str]]:
    """Rows of a driver CSV; InputError (file, row, column) if missing, ragged, or a row lacks its source."""
    rows = read_csv_rows(path, [*required, "source"])
    for i, row in enumerate(rows, start=2):
        if not row["source"].strip():
            raise InputError(f"{path}: row {i}, column source: empty (every figure carries its source)")
    return rows


def _number(path: Path, row: int, col: str, text: str) -> float:
    text = text.strip()
    if text == "":
        return np.nan
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{path}: row {row}, column {col}: '{shorten(text)}' is not a number") from None


def _year(path: Path, row: int, text: str) -> int:
    if not text.strip().isdigit():
        raise InputError(f"{path}: row {row}, column year: '{shorten(text)}' is not a year")
    return int(text)


def _annual(directory: Path, name: str) -> pd.DataFrame:
    """Country x year table of one driver (NaN where the file has no figure)."""
    file, ccol, cols, _, _, _, _ = DRIVERS[name]
    path = directory / file
    if file.startswith("wdi_"):
        rows = read_table(path, ["iso3", "year", "indicator", "value"])
        recs = [(r["iso3"], _year(path, i, r["year"]), _number(path, i, "value", r["value"]))
                for i, r in enumerate(rows, start=2) if r["indicator"] == cols[0]]
    else:
        plain = [c.lstrip("-") for c in cols]
        rows = read_table(path, [ccol, "year", *plain])
        recs = []
        for i, r in enumerate(rows, start=2):
            vals = [_number(path, i, c.lstrip("-"), r[c.lstrip("-")]) * (-1 if c.startswith("-") else 1)
                    for c in cols]
            recs.append((r[ccol], _year(path, i, r["year"]), float(np.sum(vals))))
    df = pd.DataFrame(recs, columns=["country", "year", "value"])
    return df.pivot_table(index="country", columns="year", values="value", aggfunc="first")


def _to_regions(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    out = {}
    for region, countries in REGIONS.items():
        sub = table.reindex(index=list(countries))
        out[region] = sub.mean(axis=0) if kind == "rate" else sub.sum(axis=0, min_count=1)
    return pd.DataFrame(out).T.reindex(columns=range(FIRST_YEAR, LAST_YEAR + 1))


def to_monthly(annual: np.ndarray, first_year: int, kind: str) -> np.ndarray:
    """Annual values (one per year from ``first_year``, NaN = no figure) to months, by the module's rule.

    A stock's December equals its year-end value and the months in between are linear; a flow is 1/12 per month;
    a rate is the same in every month of its year. Months with no figure on either side are NaN.
    """
    annual = np.asarray(annual, dtype=float)
    if kind == "flow":
        return np.repeat(annual / 12.0, 12)
    if kind == "rate":
        return np.repeat(annual, 12)
    out = np.full(annual.size * 12, np.nan)
    out[11::12] = annual
    for y in range(1, annual.size):
        a, b = annual[y - 1], annual[y]
        out[12 * y:12 * y + 11] = a + (b - a) * np.arange(1, 12) / 12.0  # NaN if either end is missing
    return out


def _carry(values: np.ndarray) -> np.ndarray:
    ser = pd.DataFrame(values.T)
    return ser.ffill().to_numpy().T


def _vintage(table: pd.DataFrame, source: str, as_of: dt.date | None) -> pd.DataFrame:
    if as_of is None:
        return table
    known = [y for y in table.columns if publication_date(source, int(y)) <= as_of]
    return table.where(np.broadcast_to(table.columns.isin(known), table.shape))


def _months_until(as_of: dt.date | None) -> pd.DatetimeIndex:
    time = pd.date_range(f"{FIRST_YEAR}-01-01", f"{LAST_YEAR}-12-01", freq="MS")
    if as_of is not None:
        time = time[(time + pd.offsets.MonthEnd(0)).date <= as_of]
    return time.astype("datetime64[ns]")


def _finish(data: dict[str, tuple], coords: dict, as_of: dt.date | None, carry_forward: bool) -> xr.Dataset:
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update({
        "monthly_rule": "stocks: year-end value at December, linear between Decembers; flows: annual/12 per month; "
                        "rates: annual value in every month; no extrapolation"
                        + ("; last value carried forward (caller's request)" if carry_forward else ""),
        "as_of": "" if as_of is None else as_of.isoformat(),
        "data_vintage": "data/drivers as collected 2026-12-06 (see data/drivers/README.md)",
    })
    return ds


def load_drivers(directory: Path | None = None, as_of: dt.date | None = None,
                 carry_forward: bool = False, names: tuple[str, ...] | None = None) -> xr.Dataset:
    """Monthly drivers by origin region, dims ``region`` x ``time`` (month starts, 2010-01 to 2024-12).

    ``as_of``: keep only what was published by that date (:data:`PUBLICATION_LAG`) and only months ending on or
    before it. ``carry_forward``: hold the last known monthly value to the end of the time axis (off by default:
    NaN after the last value). ``names``: only these drivers (default: all of :data:`DRIVERS`).
    """
    d = Path(directory) if directory is not None else DRIVER_DIR
    time = _months_until(as_of)
    data = {}
    for name in DRIVERS if names is None else names:
        file, _, _, kind, source, units, long_name = DRIVERS[name]
        table = _vintage(_to_regions(_annual(d, name), kind), source, as_of)
        monthly = np.stack([to_monthly(table.loc[r].to_numpy(), FIRST_YEAR, kind) for r in REGIONS])
        monthly = monthly[:, :time.size]
        if carry_forward:
            monthly = _carry(monthly)
        cell = {"stock": "time: point", "flow": "time: sum", "rate": "time: mean"}[kind]
        data[name] = (("region", "time"), monthly, {"units": units, "long_name": long_name, "file": file,
                                                      "publisher_lag": source, "cell_methods": cell})
    return _finish(data, {"region": list(REGIONS), "time": time}, as_of, carry_forward)


def load_host_stocks(directory: Path | None = None, as_of: dt.date | None = None,
                     carry_forward: bool = False) -> xr.Dataset:
    """Refugees plus asylum seekers (all origins) hosted by each first-asylum/transit country, monthly,
    dims ``host`` x ``time``; the same rules as :func:`load_drivers`. The EU_PLUS row is an outcome: left out."""
    d = Path(directory) if directory is not None else DRIVER_DIR
    path = d / "unhcr_stocks_by_asylum_2010_2024.csv"
    rows = read_table(path, ["coa_iso", "year", "refugees", "asylum_seekers"])
    recs = [(r["coa_iso"], _year(path, i, r["year"]),
             _number(path, i, "refugees", r["refugees"]) + _number(path, i, "asylum_seekers", r["asylum_seekers"]))
            for i, r in enumerate(rows, start=2) if r["coa_iso"] != "EU_PLUS"]
    table = pd.DataFrame(recs, columns=["host", "year", "value"]).pivot_table(
        index="host", columns="year", values="value", aggfunc="first")
    table = _vintage(table.reindex(index=list(HOSTS), columns=range(FIRST_YEAR, LAST_YEAR + 1)), "unhcr", as_of)
    time = _months_until(as_of)
    monthly = np.stack([to_monthly(table.loc[h].to_numpy(), FIRST_YEAR, "stock") for h in HOSTS])[:, :time.size]
    if carry_forward:
        monthly = _carry(monthly)
    data = {"hosted_refugees_and_asylum_seekers": (("host", "time"), monthly, {
        "units": "persons", "long_name": "refugees and asylum seekers hosted, all origins (end-year stock)",
        "file": path.name, "publisher_lag": "unhcr", "cell_methods": "time: point"})}
    return _finish(data, {"host": list(HOSTS), "time": time}, as_of, carry_forward)


def load_outcomes(directory: Path | None = None) -> xr.Dataset:
    """EU+ columns by origin region and year, for calibration only (never drivers), dims ``region`` x ``year``."""
    d = Path(directory) if directory is not None else DRIVER_DIR
    files = {"refugees_plus_asylum_seekers_eu_plus": "unhcr_stocks_by_origin_2010_2024.csv",
             "asylum_seekers_eu_plus": "unhcr_stocks_by_origin_2010_2024.csv",
             "new_asylum_seekers_eu_plus": "unhcr_new_displacement_flows_by_origin_2010_2024.csv"}
    data = {}
    for col, file in files.items():
        path = d / file
        rows = read_table(path, ["coo_iso", "year", col])
        recs = [(r["coo_iso"], _year(path, i, r["year"]), _number(path, i, col, r[col]))
                for i, r in enumerate(rows, start=2)]
        table = pd.DataFrame(recs, columns=["country", "year", "value"]).pivot_table(
            index="country", columns="year", values="value", aggfunc="first")
        data[col] = (("region", "year"), _to_regions(table, "stock").to_numpy(),
                     {"units": "persons" if "new" not in col else "persons per year", "file": file,
                      "role": "outcome: calibration only, never a driver"})
    return xr.Dataset(data, coords={"region": list(REGIONS), "year": list(range(FIRST_YEAR, LAST_YEAR + 1))})


BILATERAL_FILE = "unhcr_population_bilateral_model_origins_to_hosts_2010_2024.csv"


def load_bilateral_stocks(groups: list[tuple[tuple[str, ...], tuple[str, ...]]], directory: Path | None = None,
                          as_of: dt.date | None = None) -> np.ndarray:
    """Per group (origin countries, host countries), month-end refugees plus asylum seekers from the origins
    living in the hosts (ISO3; a country is never its own host), 2010-01 to 2024-12 by the stock rule, the last
    known value carried forward: shape (groups, months). A year with no row for a pair counts as no one (the
    extract keeps every year of a pair that ever reached 1,000)."""
    d = Path(directory) if directory is not None else DRIVER_DIR
    path = d / BILATERAL_FILE
    rows = read_table(path, ["year", "coo_iso", "coa_iso", "refugees", "asylum_seekers"])
    annual = np.zeros((len(groups), LAST_YEAR - FIRST_YEAR + 1))
    for i, r in enumerate(rows, start=2):
        year = _year(path, i, r["year"])
        if r["coo_iso"] == r["coa_iso"] or not FIRST_YEAR <= year <= LAST_YEAR:
            continue
        value = np.nansum([_number(path, i, c, r[c]) for c in ("refugees", "asylum_seekers")])
        for g, (origins, hosts) in enumerate(groups):
            if r["coo_iso"] in origins and r["coa_iso"] in hosts:
                annual[g, year - FIRST_YEAR] += value
    table = _vintage(pd.DataFrame(annual, columns=range(FIRST_YEAR, LAST_YEAR + 1)), "unhcr", as_of).to_numpy()
    n = _months_until(as_of).size
    monthly = np.stack([to_monthly(a, FIRST_YEAR, "stock")[:n] for a in table]) if len(groups) else np.zeros((0, n))
    return _carry(monthly)


def load_country_rate(name: str, countries: tuple[str, ...], directory: Path | None = None,
                      as_of: dt.date | None = None) -> np.ndarray:
    """A rate driver (``gdp_per_capita_growth`` or ``inflation``) for a group of countries, monthly 2010-01 to
    2024-12: the unweighted mean over the countries reporting, the last known value carried forward."""
    if DRIVERS[name][3] != "rate":
        raise ValueError(f"{name} is not a rate driver")
    d = Path(directory) if directory is not None else DRIVER_DIR
    table = _annual(d, name).reindex(index=list(countries), columns=range(FIRST_YEAR, LAST_YEAR + 1))
    table = _vintage(table, DRIVERS[name][4], as_of)
    monthly = to_monthly(table.mean(axis=0).to_numpy(), FIRST_YEAR, "rate")[:_months_until(as_of).size]
    return _carry(monthly[None, :])[0]


def load_dtm_libya(directory: Path | None = None) -> pd.DataFrame:
    """IOM DTM Libya's migrants identified, one row per numbered round with a period end: columns round,
    period_end (a date) and migrants. The file's unnumbered rows (a cumulative 2016 figure, a round without
    dates) are left out. An outcome the model is checked against, never a driver."""
    path = (directory or DRIVER_DIR) / "iom_dtm_libya_migrants_present_by_round.csv"
    rows = read_table(path, ["round", "period_end", "migrants_identified"])
    out = []
    for i, row in enumerate(rows, start=2):
        if not row["round"].strip() or not row["period_end"].strip():
            continue
        try:
            end = dt.date.fromisoformat(row["period_end"].strip())
        except ValueError:
            raise InputError(f"{path}: row {i}, column period_end: {shorten(row['period_end'])!r} is not a date "
                             "(YYYY-MM-DD)") from None
        out.append({"round": int(_number(path, i, "round", row["round"])), "period_end": end,
                    "migrants": _number(path, i, "migrants_identified", row["migrants_identified"])})
    return pd.DataFrame(out)


OUTSIDE_ORIGINS_IN_LIBYA = ("NER", "TCD")
"""Nationalities among DTM's migrants in Libya that none of the model's origins holds (REGIONS): Nigeriens and
Chadians, who mostly come to work in a neighbouring country (README, iom_dtm_libya_nationality_shares.csv)."""


def load_dtm_libya_outside_share(directory: Path | None = None) -> pd.Series:
    """Per DTM round whose report names them, the share of its migrants who are Nigerien or Chadian (from the
    printed share, or the printed count over the round's total): how much of DTM's count lies outside the
    model's origins. A check's input, never a driver."""
    path = (directory or DRIVER_DIR) / "iom_dtm_libya_nationality_shares.csv"
    totals = load_dtm_libya(directory).set_index("round")["migrants"]
    shares: dict[int, float] = {}
    for i, row in enumerate(read_table(path, ["round", "nationality", "share", "count"]), start=2):
        if row["nationality"].strip() not in OUTSIDE_ORIGINS_IN_LIBYA:
            continue
        rnd = int(_number(path, i, "round", row["round"]))
        if row["share"].strip():
            share = _number(path, i, "share", row["share"])
        elif rnd in totals.index:
            share = _number(path, i, "count", row["count"]) / float(totals[rnd])
        else:
            raise InputError(f"{path}: row {i}, column count: round {rnd} has no total in the DTM rounds file")
        if not 0 <= share <= 1:
            raise InputError(f"{path}: row {i}, column share: {share:g} is not a share in [0, 1]")
        shares[rnd] = shares.get(rnd, 0.0) + share
    return pd.Series(shares, name="outside_share").sort_index()
