"""Observed public record (Frontex, IOM, UNHCR) on the model's own coordinates.

The CSVs in ``data/observed/`` keep every figure with its source; this module only reads them, checks them
and lays them out as ``route`` x ``time`` (or ``year``) arrays so that model output and observations can be
compared cell by cell. Nothing is filled in: a cell is NaN unless a source reports it.

Route mapping (why each series lands where it does) is documented in ``data/README.md``:

* detections   - Frontex route = routesim route (Frontex "Western African" = ``atlantic``).
* dead_missing - IOM Missing Migrants "Migration route" (a lower bound; months without an incident are 0).
* sea_arrivals - UNHCR/national arrivals by country: Italy + Malta -> central_med, Greece (sea) ->
  eastern_med, Spain Peninsula + Balearics (sea) -> western_med, Canary Islands -> atlantic. UNHCR's monthly
  Spain series includes the Canaries and Ceuta/Melilla, so western_med and atlantic have no monthly arrivals.
* coast_guard_interceptions (annual only) - people stopped at sea by the coast guard of a departure country,
  on ``country`` (ISO code of the departure country, as in the network's nodes) x ``year``: the Libyan coast
  guard (UNHCR/IOM), the Tunisian National Guard and the Turkish Coast Guard, complete years only. Morocco's
  figures count attempts foiled inland and at the fences as well, and the North African totals are
  aggregates, so they are not laid out (they stay in the CSV).
* italy_arrivals_by_departure (annual only) - sea arrivals in Italy by departure country (Libya, Tunisia), on
  the same ``country`` x ``year``: the Italian interior ministry and coast guard and FTDES, complete years only.
* detections_by_origin (annual only) - Frontex detections by nationality, summed into the model's origins
  (:data:`RECORD_ORIGINS`), on ``route_origin`` ("route/origin") x ``year``: who crossed on each route, which
  route totals cannot show. Only the pairs with at least :data:`MIN_PAIR_DETECTIONS` detections in 2014-2024
  are laid out, and a route-year whose nationality is unknown for more than :data:`MAX_UNKNOWN_SHARE` of its
  detections is NaN (Frontex codes OOS and OOO: not specified, other).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sim.errors import InputError
from sim.io.drivers import REGIONS

__all__ = ["DataError", "ROUTES", "load_annual_observations", "load_observations"]

ROUTES: tuple[str, ...] = ("central_med", "eastern_med", "western_med", "atlantic")
FIRST_YEAR, LAST_YEAR = 2009, 2024
SOURCE_COLUMNS: tuple[str, ...] = ("source_publisher", "source_document", "source_table", "source_date",
                                   "source_url")

FRONTEX_SRC = "Frontex, detections of illegal border-crossings by route, monthly workbook (Migratory Map), "\
              "2025-10"
IOM_SRC = "IOM Missing Migrants Project incident data, export of 2026-05-06 (lower bound)"
INTERCEPTION_SRC = ("Libyan coast guard: UNHCR and IOM Libya; Tunisian National Guard; Turkish Coast Guard "
                    "Command - each as quoted in data/observed/interceptions_annual.csv")
COAST_GUARDS = {"libya_coast_guard": "LY", "tunisia_national_guard": "TN", "turkey_coast_guard": "TR"}
DEPARTURE_SRC = ("Italian interior ministry (via Agenzia Nova, Il Sole 24 Ore) and Italian Coast Guard (via ANSAmed); "
                 "FTDES annual reports (Tunisia)")
FRONTEX_NAT_SRC = ("Frontex, detections of illegal border-crossings by route and nationality, monthly workbook "
                   "as of 3 June 2025, as redistributed by IOM's Global Data Institute (R package gdidata)")
SEA_SRC = ("UNHCR Mediterranean Situation portal (monthly, to 2019-10); UNHCR Malta and Greece; "
           "Italian and Spanish interior ministries")


RECORD_ORIGINS: dict[str, tuple[str, ...]] = {
    **REGIONS,
    "west_africa": (*REGIONS["west_africa"], "GHA", "SLE", "BEN", "TGO", "GNB", "LBR", "NER", "MRT", "TCD"),
    "syria_iraq": (*REGIONS["syria_iraq"], "PSE", "LBN"),
}
"""Nationalities whose detections count towards each origin of the model: the countries the drivers aggregate
(``sim.io.drivers.REGIONS``), plus, for the record only, the neighbours that take the same paths but have no
driver series of their own (West Africa: Ghana, Sierra Leone, Benin, Togo, Guinea-Bissau, Liberia, Niger,
Mauritania, Chad; the Levant: Palestine, Lebanon). Others (Turks, Iranians, Congolese, Comorians...) have no
origin in the model and are not laid out (data/README.md)."""
UNKNOWN_NATIONALITY = ("OOS", "OOO")  # Frontex: not specified; other
MIN_PAIR_DETECTIONS = 5000  # detections 2014-2024 for a (route, origin) pair to be laid out
MAX_UNKNOWN_SHARE = 0.25  # above it a route-year's split by nationality says too little


class DataError(InputError):
    """A data file is missing or malformed; the one-line message names the file and the row/column."""


def _default_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "data"


def _read(path: Path, key: Iterable[str], counts: Iterable[str]) -> pd.DataFrame:
    """Read one CSV as text, then check it: columns present, sources filled, counts non-negative integers,
    no duplicate keys. Checking here (not in the callers) keeps every message pointing at file and row."""
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{path.name}: cannot be parsed as CSV ({str(exc).splitlines()[0]})") from exc
    key, counts = list(key), list(counts)
    missing = [c for c in (*key, *counts, *SOURCE_COLUMNS) if c not in df.columns]
    if missing:
        raise DataError(f"{path.name}: missing column(s) {', '.join(missing)}")
    for col in SOURCE_COLUMNS:
        empty = df.index[df[col].str.strip() == ""]
        if len(empty):
            raise DataError(f"{path.name}: row {empty[0] + 2}, column '{col}' is empty "
                            "(every figure needs a source)")
    for col in counts:
        ok = df[col].str.fullmatch(r"\d+")
        if not ok.all():
            row = int(np.flatnonzero(~ok.to_numpy())[0])
            raise DataError(f"{path.name}: row {row + 2}, column '{col}' = {df[col].iloc[row]!r} is not a "
                            "non-negative integer")
        df[col] = df[col].astype(np.int64)
    dup = df.duplicated(subset=key, keep="first")
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        vals = ", ".join(f"{k}={df[k].iloc[row]}" for k in key)
        raise DataError(f"{path.name}: row {row + 2} duplicates an earlier row ({vals})")
    return df


def _months(path: Path, df: pd.DataFrame) -> pd.DatetimeIndex:
    bad = ~df["month"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{path.name}: row {row + 2}, column 'month' = {df['month'].iloc[row]!r} "
                        "is not YYYY-MM")
    return pd.DatetimeIndex(pd.to_datetime(df["month"] + "-01", format="%Y-%m-%d")).astype("datetime64[ns]")


def _years(path: Path, df: pd.DataFrame) -> pd.Series:
    bad = ~df["year"].str.fullmatch(r"\d{4}")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{path.name}: row {row + 2}, column 'year' = {df['year'].iloc[row]!r} is not a year")
    return df["year"].astype(int)


def _complete(path: Path, df: pd.DataFrame) -> pd.Series:
    flag = df["complete"].str.strip().str.lower()
    bad = ~flag.isin(["true", "false"])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{path.name}: row {row + 2}, column 'complete' must be True or False")
    return flag == "true"


def _grid(frame: pd.DataFrame, index: pd.Index, value: str, column: str = "route",
          units: Iterable[str] = ROUTES) -> np.ndarray:
    """units x index array of floats (routes by default; countries for the series kept by country); NaN where
    the frame has no row."""
    units = list(units)
    out = np.full((len(units), len(index)), np.nan)
    for i, unit in enumerate(units):
        sub = frame[frame[column] == unit]
        ser = pd.Series(sub[value].to_numpy(dtype=float), index=sub["key"].to_numpy())
        out[i] = ser.reindex(index).to_numpy(dtype=float)
    return out


def _detections_by_origin(path: Path, years: pd.Index) -> tuple[np.ndarray, list[str]]:
    """Frontex detections by route and nationality summed into the model's origins: (pairs x years, pair labels
    "route/origin"); see the module docstring for which pairs and years are kept."""
    nat = _read(path, ["route", "nationality", "year"], ["detections"])
    nat["year"] = _years(path, nat)
    unknown_route = sorted(set(nat["route"]) - set(ROUTES))
    if unknown_route:
        raise DataError(f"{path.name}: route '{unknown_route[0]}' is not one of {', '.join(ROUTES)}")
    origin_of = {c: o for o, cs in RECORD_ORIGINS.items() for c in cs}
    nat["origin"] = nat["nationality"].map(origin_of)
    total = nat.groupby(["route", "year"])["detections"].sum()
    unknown = nat[nat["nationality"].isin(UNKNOWN_NATIONALITY)].groupby(["route", "year"])["detections"].sum()
    too_vague = unknown.reindex(total.index, fill_value=0) > MAX_UNKNOWN_SHARE * total
    known = nat.dropna(subset=["origin"]).groupby(["route", "origin", "year"])["detections"].sum()
    period = known[(known.index.get_level_values("year") >= 2014) & (known.index.get_level_values("year") <= 2024)]
    per_pair = period.groupby(level=["route", "origin"]).sum()
    keep = [(r, o) for r in ROUTES for o in RECORD_ORIGINS if per_pair.get((r, o), 0) >= MIN_PAIR_DETECTIONS]
    out = np.full((len(keep), len(years)), np.nan)
    for i, (r, o) in enumerate(keep):
        for j, y in enumerate(years):
            if (r, y) in total.index and not too_vague[(r, y)]:
                out[i, j] = float(known.get((r, o, y), 0))
    return out, [f"{r}/{o}" for r, o in keep]


def _sea_to_routes(sea: pd.DataFrame) -> pd.DataFrame:
    """Map country rows (country, mode, key, arrivals) to routes; central_med needs Italy AND Malta."""
    def pick(country: str, mode: str) -> pd.Series:
        sub = sea[(sea["country"] == country) & (sea["mode"] == mode)]
        return pd.Series(sub["arrivals"].to_numpy(dtype=float), index=sub["key"].to_numpy())

    central = pick("italy", "sea").add(pick("malta", "sea"))  # NaN unless both reported
    parts = {"central_med": central, "eastern_med": pick("greece", "sea"),
             "western_med": pick("spain_mainland_balearics", "sea"),
             "atlantic": pick("canary_islands", "sea")}
    frames = [pd.DataFrame({"route": r, "key": s.index, "arrivals": s.to_numpy()}) for r, s in parts.items()]
    return pd.concat(frames, ignore_index=True).dropna(subset=["arrivals"])


def _attrs(units: str, long_name: str, source: str, note: str) -> dict[str, str]:
    return {"units": units, "long_name": long_name, "source": source, "note": note}


def load_observations(data_dir: Path | None = None, latest: bool = False) -> xr.Dataset:
    """Monthly observations, dims ``route`` x ``time`` (month starts 2009-01..2024-12), NaN where unobserved.

    ``data_dir`` is the folder holding ``observed/``; default is the repository's ``data/``. With
    ``latest``, ``time`` runs on to the last month any monthly file reports (partial years after 2024:
    for overlaying what has been published since, not for fitting).
    Raises DataError (a ValueError) naming the file and row when a CSV is missing or malformed.
    """
    obs = Path(data_dir) if data_dir is not None else _default_dir()
    obs = obs / "observed"
    last = pd.Timestamp(f"{LAST_YEAR}-12-01")

    path = obs / "frontex_detections_monthly.csv"
    fx = _read(path, ["route", "month"], ["detections"])
    fx["key"] = _months(path, fx)

    path = obs / "iom_dead_missing_monthly.csv"
    iom = _read(path, ["route", "month"], ["dead", "missing", "dead_missing"])
    iom["key"] = _months(path, iom)

    path = obs / "sea_arrivals_monthly.csv"
    sea = _read(path, ["country", "month", "mode"], ["arrivals"])
    sea["key"] = _months(path, sea)
    sea = sea[_complete(path, sea)]
    sea_r = _sea_to_routes(sea)
    if latest:
        last = max(last, fx["key"].max(), iom["key"].max(), sea["key"].max())
    time = pd.date_range(f"{FIRST_YEAR}-01-01", last, freq="MS").astype("datetime64[ns]")

    coords = {"route": list(ROUTES), "time": time}
    dims = ("route", "time")
    ds = xr.Dataset(
        {
            "detections": (dims, _grid(fx, time, "detections"), _attrs(
                "detections per month", "Frontex detections of illegal border-crossing", FRONTEX_SRC,
                "counts detections, not persons (one person can be detected more than once)")),
            "dead_missing": (dims, _grid(iom, time, "dead_missing"), _attrs(
                "persons per month", "IOM recorded dead and missing migrants", IOM_SRC,
                "lower bound; 0 = no incident recorded; NaN before 2014")),
            "sea_arrivals": (dims, _grid(sea_r, time, "arrivals"), _attrs(
                "persons per month", "sea arrivals by destination country, mapped to route", SEA_SRC,
                "central_med = Italy + Malta (NaN if either unreported); eastern_med = Greece sea; "
                "western_med/atlantic NaN (UNHCR monthly Spain series mixes Canaries, mainland and "
                "Ceuta/Melilla)")),
        },
        coords=coords,
        attrs={"title": "routesim observed public record (monthly)", "see": "data/README.md"},
    )
    return ds


def load_annual_observations(data_dir: Path | None = None) -> xr.Dataset:
    """Annual observations, dims ``route`` x ``year`` (2009..2024), NaN where unobserved; coast-guard
    interceptions on ``country`` x ``year``.

    Uses the preferred vintage in each annual CSV (one row per route-year); see data/README.md.
    """
    obs = Path(data_dir) if data_dir is not None else _default_dir()
    obs = obs / "observed"
    years = pd.Index(np.arange(FIRST_YEAR, LAST_YEAR + 1), name="year")

    path = obs / "frontex_detections_annual.csv"
    fx = _read(path, ["route", "year"], ["detections"])
    fx["key"] = _years(path, fx)

    path = obs / "iom_dead_missing_annual.csv"
    iom = _read(path, ["route", "year"], ["dead", "missing", "dead_missing"])
    iom["key"] = _years(path, iom)

    path = obs / "sea_arrivals_annual.csv"
    sea = _read(path, ["country", "year", "mode"], ["arrivals"])
    sea["key"] = _years(path, sea)
    sea = sea[_complete(path, sea)]
    sea_r = _sea_to_routes(sea)

    path = obs / "interceptions_annual.csv"
    cg = _read(path, ["actor", "year"], ["value"])
    cg["key"] = _years(path, cg)
    cg = cg[_complete(path, cg) & cg["actor"].isin(list(COAST_GUARDS))]
    countries = list(COAST_GUARDS.values())
    intercepted = _grid(cg.assign(country=cg["actor"].map(COAST_GUARDS)), years, "value", "country", countries)

    path = obs / "sea_arrivals_by_departure_annual.csv"
    dep = _read(path, ["departure_country", "destination", "year"], ["arrivals"])
    dep["key"] = _years(path, dep)
    dep = dep[_complete(path, dep) & (dep["destination"] == "italy")]
    by_departure = _grid(dep, years, "arrivals", "departure_country", countries)

    by_origin, pairs = _detections_by_origin(obs / "frontex_detections_by_nationality_annual.csv", years)

    dims = ("route", "year")
    ds = xr.Dataset(
        {
            "detections": (dims, _grid(fx, years, "detections"), _attrs(
                "detections per year", "Frontex detections of illegal border-crossing", FRONTEX_SRC,
                "counts detections, not persons; 2015 Eastern Med and Western Balkans double count")),
            "dead_missing": (dims, _grid(iom, years, "dead_missing"), _attrs(
                "persons per year", "IOM recorded dead and missing migrants", IOM_SRC, "lower bound")),
            "sea_arrivals": (dims, _grid(sea_r, years, "arrivals"), _attrs(
                "persons per year", "sea arrivals by destination country, mapped to route", SEA_SRC,
                "central_med = Italy + Malta; eastern_med = Greece sea; western_med = Spain Peninsula + "
                "Balearics sea; atlantic = Canary Islands; NaN where a part is unreported or the year is "
                "incomplete")),
            "coast_guard_interceptions": (("country", "year"), intercepted, _attrs(
                "persons per year", "people stopped at sea by the coast guard of the departure country",
                INTERCEPTION_SRC, "complete years only; Libya includes rescues disembarked in Libya, Tunisia 2022 "
                "includes about 20% stopped before departure")),
            "italy_arrivals_by_departure": (("country", "year"), by_departure, _attrs(
                "persons per year", "sea arrivals in Italy by the country the boat left from", DEPARTURE_SRC,
                "complete years only (2023: to 20 December, 97.5% of the year's landings); how the Central "
                "Mediterranean splits between Libya and Tunisia, which route totals cannot show")),
            "detections_by_origin": (("route_origin", "year"), by_origin, _attrs(
                "detections per year", "Frontex detections by route and nationality, summed into the model's "
                "origins", FRONTEX_NAT_SRC, f"pairs with >= {MIN_PAIR_DETECTIONS} detections in 2014-2024; NaN "
                f"where more than {MAX_UNKNOWN_SHARE:.0%} of the route-year's nationalities are unknown; "
                "nationalities with no origin in the model left out")),
        },
        coords={"route": list(ROUTES), "year": years.to_numpy(), "country": countries, "route_origin": pairs},
        attrs={"title": "routesim observed public record (annual)", "see": "data/README.md"},
    )
    return ds
