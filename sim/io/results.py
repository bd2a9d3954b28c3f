"""Replicate tallies → one labelled xarray Dataset (the output contract), and the summary table.

Dimensions: ``time`` (month starts), ``route``, ``replicate``; extra variables use ``destination``,
``origin`` and ``boat_class``. Every variable carries ``units``, ``long_name`` and CF ``cell_methods``
("time: sum" for monthly flows, "time: point" for month-end stocks). Plots and tables are made from
this Dataset, never from live model state.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from sim.core.config import ROUTE_FLOWS, ReplicateResult
from sim.core.network import MODES, Network

# 1.1: smugglers_arrested, proceeds_confiscated, legal and revenue by origin/destination;
# 1.2: interceptions_by_crossing and the crossing_country / crossing_mode coordinates
# 1.3: transit_stock and onward_departures by first-asylum host (coordinate host)
# 1.4: migrants_present by transit country (coordinate transit_country)
# 1.5: arrivals_by_origin (route x origin)
SCHEMA_VERSION = "1.5"

# name: (long_name, units, cell_methods)
VARIABLES: dict[str, tuple[str, str, str]] = {
    "departures": ("migrants leaving their origin, by planned route", "persons", "time: sum"),
    "crossing_attempts": ("attempts to cross the border into the EU (boats launched or land attempts)",
                          "persons", "time: sum"),
    "arrivals": ("irregular arrivals in the EU (comparable to Frontex detections)", "persons", "time: sum"),
    "interceptions": ("migrants stopped by authorities (at departure, at sea, on land legs, pushbacks)",
                      "persons", "time: sum"),
    "returns": ("migrants pushed back across a border or deported to their origin", "persons", "time: sum"),
    "pushbacks": ("migrants pushed back by the EU side of a border", "persons", "time: sum"),
    "dead_missing": ("migrants dead or missing on land legs and at sea", "persons", "time: sum"),
    "dead_missing_sea": ("migrants dead or missing at sea (comparable to IOM Missing Migrants)", "persons",
                         "time: sum"),
    "dead_missing_land": ("migrants dead or missing on land legs and land borders", "persons", "time: sum"),
    "rescued": ("migrants on boats in distress that were rescued", "persons", "time: sum"),
    "legal_entries": ("entries through legal pathways, by the route the person would otherwise have planned",
                      "persons", "time: sum"),
    "smuggler_revenue": ("fees paid to smugglers by migrants on the route", "EUR", "time: sum"),
    "smugglers_arrested": ("members of smuggler cells arrested at the route's departure points", "persons",
                           "time: sum"),
    "proceeds_confiscated": ("smugglers' proceeds confiscated at the route's departure points", "EUR",
                             "time: sum"),
    "stranded": ("migrants in transit for longer than stranded_days at one place, at month end", "persons",
                 "time: point"),
    "in_transit": ("migrants waiting, detained or queueing for a boat in transit countries, at month end",
                   "persons", "time: point"),
    "smuggler_price_index": ("mean smuggler price relative to the base fee, at month end", "1", "time: point"),
    "smuggler_capacity": ("seats a day smuggler cells can put to sea, at month end", "persons day-1",
                          "time: point"),
    "boats_launched": ("boats launched by smugglers, by boat class", "boats", "time: sum"),
    "boat_load_factor": ("mean people per boat relative to the nominal boat size (overcrowding), at month end",
                         "1", "time: point"),
    "arrivals_by_destination": ("irregular arrivals by destination", "persons", "time: sum"),
    "departures_by_origin": ("migrants leaving each origin", "persons", "time: sum"),
    "arrivals_by_origin": ("irregular arrivals in the EU by route and by the origin the migrants set out from "
                           "(comparable to Frontex detections by nationality)", "persons", "time: sum"),
    "legal_entries_by_origin": ("entries through legal pathways, by origin", "persons", "time: sum"),
    "smuggler_revenue_by_origin": ("fees paid to smugglers, by the migrants' origin", "EUR", "time: sum"),
    "legal_entries_by_destination": ("entries through legal pathways, by destination", "persons", "time: sum"),
    "crossing_attempts_by_crossing": ("attempts by border crossing (edge of the network)", "persons",
                                      "time: sum"),
    "arrivals_by_crossing": ("arrivals by border crossing", "persons", "time: sum"),
    "dead_missing_by_crossing": ("dead and missing on border crossings (sea and land borders)", "persons",
                                 "time: sum"),
    "interceptions_by_crossing": ("stopped on the departure side of a border crossing (coast guard of the "
                                  "departure country, or border police before a land crossing); excludes "
                                  "pushbacks by the EU side", "persons", "time: sum"),
    "transit_stock": ("people from the model's origins living in each first-asylum or transit host (a stock "
                      "in persons, comparable with UNHCR's refugees and asylum seekers there), at month end",
                      "persons", "time: point"),
    "onward_departures": ("people moving on from each first-asylum or transit host towards Europe", "persons",
                          "time: sum"),
    "migrants_present": ("migrants on the model's routes in each transit country at month end: waiting or "
                         "working at a hub or coast, with a smuggler, or detained (not those on a leg between "
                         "places, nor the first-asylum stocks); a part of what IOM DTM counts as migrants "
                         "present in Libya", "persons", "time: point"),
    "deaths_per_1000_attempts": ("dead and missing while crossing the border (sea or land border) per 1,000 "
                                 "crossing attempts", "1e-3", "time: mean"),
}
INTEGER_VARIABLES = set(ROUTE_FLOWS) | {"stranded", "in_transit", "arrivals_by_destination",
                                       "departures_by_origin", "arrivals_by_origin", "legal_entries_by_origin",
                                       "legal_entries_by_destination", "crossing_attempts_by_crossing",
                                       "arrivals_by_crossing", "dead_missing_by_crossing",
                                       "interceptions_by_crossing", "transit_stock", "onward_departures",
                                       "migrants_present"}


def to_dataset(results: list[ReplicateResult], net: Network, attrs: dict) -> xr.Dataset:
    time = pd.DatetimeIndex(results[0].months)
    coords = {"time": time, "route": net.routes, "replicate": np.arange(len(results)),
              "destination": net.destinations, "origin": net.origins,
              "boat_class": ["seaworthy", "unseaworthy"],
              "crossing": [net.edge_ids[e] for e in np.flatnonzero(net.edge_crossing)]}
    data: dict[str, xr.DataArray] = {}

    def stack(get) -> np.ndarray:  # noqa: ANN001
        return np.stack([get(r) for r in results], axis=-1)

    for name in list(ROUTE_FLOWS) + ["stranded", "in_transit"]:
        data[name] = xr.DataArray(stack(lambda r, n=name: r.route[n]), dims=("time", "route", "replicate"))
    data["smuggler_price_index"] = xr.DataArray(stack(lambda r: r.price_index), dims=("time", "route", "replicate"))
    data["smuggler_capacity"] = xr.DataArray(stack(lambda r: r.smuggler_capacity),
                                             dims=("time", "route", "replicate"))
    data["boat_load_factor"] = xr.DataArray(stack(lambda r: r.boat_load), dims=("time", "route", "replicate"))
    data["boats_launched"] = xr.DataArray(stack(lambda r: r.boats_launched),
                                          dims=("time", "route", "boat_class", "replicate"))
    data["arrivals_by_destination"] = xr.DataArray(stack(lambda r: r.arrivals_by_destination),
                                                   dims=("time", "destination", "replicate"))
    data["departures_by_origin"] = xr.DataArray(stack(lambda r: r.departures_by_origin),
                                                dims=("time", "origin", "replicate"))
    if results[0].arrivals_by_origin.shape[1:] == (len(net.routes), len(net.origins)):  # not in hand-made results
        data["arrivals_by_origin"] = xr.DataArray(stack(lambda r: r.arrivals_by_origin),
                                                  dims=("time", "route", "origin", "replicate"))
    data["legal_entries_by_origin"] = xr.DataArray(stack(lambda r: r.legal_by_origin),
                                                   dims=("time", "origin", "replicate"))
    data["smuggler_revenue_by_origin"] = xr.DataArray(stack(lambda r: r.revenue_by_origin),
                                                      dims=("time", "origin", "replicate"))
    data["legal_entries_by_destination"] = xr.DataArray(stack(lambda r: r.legal_by_destination),
                                                        dims=("time", "destination", "replicate"))
    for key, name in (("attempts", "crossing_attempts_by_crossing"), ("arrivals", "arrivals_by_crossing"),
                      ("dead_missing", "dead_missing_by_crossing"),
                      ("interceptions", "interceptions_by_crossing")):
        data[name] = xr.DataArray(stack(lambda r, k=key: r.by_crossing[k]), dims=("time", "crossing", "replicate"))
    if results[0].present_by_country.shape[1:] == (len(net.transit_countries),):  # not in hand-made results
        coords["transit_country"] = net.transit_countries
        data["migrants_present"] = xr.DataArray(stack(lambda r: r.present_by_country),
                                                dims=("time", "transit_country", "replicate"))
    if results[0].host_ids:  # a run with first-asylum host stocks
        coords["host"] = list(results[0].host_ids)
        data["transit_stock"] = xr.DataArray(stack(lambda r: r.host_stock), dims=("time", "host", "replicate"))
        data["onward_departures"] = xr.DataArray(stack(lambda r: r.onward_by_host), dims=("time", "host", "replicate"))
    ds = xr.Dataset(data, coords=coords)
    crossings = np.flatnonzero(net.edge_crossing)
    ds["crossing_route"] = xr.DataArray([net.routes[net.edge_route[e]] for e in crossings],
                                        dims="crossing", attrs={"long_name": "route of the border crossing"})
    ds["crossing_country"] = xr.DataArray([net.node_country[net.edge_from[e]] for e in crossings], dims="crossing",
                                          attrs={"long_name": "ISO 3166 code of the departure country"})
    ds["crossing_mode"] = xr.DataArray([MODES[net.edge_mode[e]] for e in crossings], dims="crossing",
                                       attrs={"long_name": "sea or land border crossing"})
    ds = ds.set_coords(["crossing_route", "crossing_country", "crossing_mode"])
    for name in list(ds.data_vars):
        values = ds[name].values
        if name in INTEGER_VARIABLES:
            ds[name] = ds[name].copy(data=np.rint(values).astype(np.int64))
        elif name == "boats_launched":
            ds[name] = ds[name].copy(data=np.round(values, 3))
    for name in ds.data_vars:
        long_name, units, cell = VARIABLES[name]
        ds[name].attrs.update(long_name=long_name, units=units, cell_methods=cell)
    ds["time"].attrs.update(long_name="month start", standard_name="time")
    ds["route"].attrs.update(long_name="Frontex route (reporting unit)")
    ds["replicate"].attrs.update(long_name="stochastic replicate")
    if "transit_country" in ds.coords:
        ds["transit_country"].attrs.update(long_name="ISO 3166 code of a country with hubs or coasts of the routes")
    ds.attrs.update({"Conventions": "CF-1.8", "title": "routesim results", "schema_version": SCHEMA_VERSION,
                     **attrs})
    return ds


def model_variable(ds: xr.Dataset, name: str) -> xr.DataArray:
    """A variable of the output, or one derived from it for comparison with a record kept on other units:
    ``sea_interceptions`` is ``interceptions_by_crossing`` at sea crossings summed by departure country
    (dims time, country, replicate), the unit in which coast guards report; ``sea_arrivals_by_departure`` is
    ``arrivals_by_crossing`` at sea crossings summed the same way (Libya's count includes its crossings to
    Malta, which the Italian record of arrivals by departure country leaves out); ``arrivals_route_origin`` is
    ``arrivals_by_origin`` with route and origin on one dimension ``route_origin`` labelled "route/origin", the
    layout of the record by nationality (:func:`sim.io.observed.load_annual_observations`)."""
    if name in ds:
        return ds[name]
    if name == "arrivals_route_origin" and "arrivals_by_origin" in ds:
        da = ds["arrivals_by_origin"].stack(route_origin=("route", "origin"))
        labels = [f"{r}/{o}" for r, o in da["route_origin"].values]
        return da.drop_vars(["route_origin", "route", "origin"]).assign_coords(route_origin=labels)
    by_country = {"sea_interceptions": "interceptions_by_crossing", "sea_arrivals_by_departure": "arrivals_by_crossing"}
    if name in by_country and by_country[name] in ds:
        sea = ds[by_country[name]].where(ds["crossing_mode"] == "sea", drop=True)
        return sea.groupby("crossing_country").sum().rename(crossing_country="country")
    raise KeyError(f"model variable '{name}' not in results")


def full_years(ds: xr.Dataset) -> list[int]:
    """Years with all 12 months in the output: a partial year summed would look like a big miss."""
    counts = ds["time"].dt.year.to_series().value_counts()
    return sorted(int(y) for y, n in counts.items() if n == 12)


def unit_dim(da: xr.DataArray) -> str:
    """The dimension a series is reported on: ``route``, or ``country`` for coast-guard interceptions."""
    return next(d for d in da.dims if d not in ("time", "year", "replicate", "quantile"))


def annual(ds: xr.Dataset) -> xr.Dataset:
    """Yearly sums of the flow variables (route-level), per replicate."""
    flows = [v for v in ROUTE_FLOWS if v in ds]
    return ds[flows].groupby("time.year").sum("time")


def nan_quantile(a: np.ndarray, q: object, axis: int = -1) -> np.ndarray:
    """``np.nanquantile(a, q, axis)``, with an explicit NaN for a slice that holds no value (a route-year with no
    crossing attempts has no deaths per 1,000 attempts) instead of NumPy's "All-NaN slice" warning."""
    moved = np.moveaxis(np.asarray(a, dtype=float), axis, -1)
    q = np.asarray(q, dtype=float)
    rows = moved.reshape(-1, moved.shape[-1])
    has = ~np.isnan(rows).all(axis=1)
    out = np.full((*q.shape, rows.shape[0]), np.nan)
    if has.any():
        out[..., has] = np.nanquantile(rows[has], q, axis=-1)
    return out.reshape(*q.shape, *moved.shape[:-1])


def summary_table(ds: xr.Dataset) -> pd.DataFrame:
    """Per route and year: median and 90% interval across replicates, plus deaths per 1,000 attempts."""
    yearly = annual(ds)
    # deaths at the border crossings themselves (sea, land borders) over attempts to cross them
    at_crossings = ds["dead_missing_by_crossing"].groupby("crossing_route").sum().rename(crossing_route="route")
    at_crossings = at_crossings.reindex(route=ds["route"].values, fill_value=0).groupby("time.year").sum("time")
    yearly["deaths_per_1000_attempts"] = 1000 * at_crossings / yearly["crossing_attempts"].where(
        yearly["crossing_attempts"] > 0)
    stock = ds[["stranded", "in_transit"]].groupby("time.year").mean("time")
    rows = []
    for var in list(yearly.data_vars) + list(stock.data_vars):
        src = yearly[var] if var in yearly else stock[var]
        src = src.transpose("year", "route", "replicate")
        q = nan_quantile(src.values, [0.05, 0.5, 0.95])  # quantile, year, route
        for y, year in enumerate(src["year"].values):
            for r, route in enumerate(src["route"].values):
                lo, med, hi = (float(v) for v in q[:, y, r])
                rows.append({"route": route, "year": int(year), "variable": var,
                             "units": VARIABLES[var][1] if var in VARIABLES else "persons",
                             "median": med, "p05": lo, "p95": hi})
    df = pd.DataFrame(rows)
    return df.sort_values(["variable", "route", "year"], kind="stable").reset_index(drop=True)
