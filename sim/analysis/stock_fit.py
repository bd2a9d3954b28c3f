"""The model's first-asylum stocks against UNHCR's end-year figures: the stocks target of the fit report.

A host's observed stock is the same figure that feeds it (refugees plus asylum seekers from its origins'
countries in its countries, ``sim.io.demand_inputs``), so the comparison asks whether the model's drains
(people moving on, other exits) and the months where the record falls, which the feed ignores, leave the
stock where UNHCR counts it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sim.io import drivers
from sim.io.demand_inputs import read_hosts
from sim.io.network_files import load_network

STOCK_TOLERANCE = 0.15  # issue 20: Syrians in Türkiye within ±15% of UNHCR's end-year figures
LIBYA_TOLERANCE = 0.30  # issue 20: migrants in Libya within ±30% of the IOM DTM rounds, 2017-2023


def observed_host_stocks(network_dir: Path, drivers_dir: Path | None = None) -> pd.DataFrame:
    """UNHCR end-year stock per host (its origins' countries in its countries), rows host, columns years."""
    net = load_network(network_dir)
    hosts = read_hosts(network_dir, net)
    groups = [(tuple(c for o in h.origins for c in drivers.REGIONS[o]), h.countries) for h in hosts]
    monthly = drivers.load_bilateral_stocks(groups, drivers_dir)
    years = list(range(drivers.FIRST_YEAR, drivers.LAST_YEAR + 1))
    december = monthly[:, 11::12][:, :len(years)]
    return pd.DataFrame(december, index=[h.id for h in hosts], columns=years)


def stock_table(results: xr.Dataset, observed: pd.DataFrame, tolerance: float = STOCK_TOLERANCE) -> pd.DataFrame:
    """Per host and year with a December in the results: model median and 90% band at month end, the record,
    the error and whether it is within ``tolerance``."""
    stock = results["transit_stock"]
    dec = stock.sel(time=stock["time"].dt.month == 12)
    rows = []
    for host in dec["host"].values:
        for t in dec["time"].values:
            year = int(pd.Timestamp(t).year)
            if host not in observed.index or year not in observed.columns:
                continue
            v = dec.sel(host=host, time=t).values
            rows.append({"host": str(host), "year": year,
                         **_against(v, float(observed.loc[host, year]), tolerance)})
    return pd.DataFrame(rows)


def _against(replicates: np.ndarray, observed: float, tolerance: float) -> dict:
    """One observation against the replicates' values: the record, the model's median and 90% band, the error
    of the median in percent and whether it is within ``tolerance`` (never for a record of 0)."""
    v = np.asarray(replicates, dtype=float)
    med = float(np.median(v))
    err = 100.0 * (med - observed) / observed if observed > 0 else np.nan
    return {"observed": observed, "sim_median": med, "sim_p05": float(np.quantile(v, 0.05)),
            "sim_p95": float(np.quantile(v, 0.95)), "error_pct": err,
            "within_tolerance": bool(observed > 0 and abs(err) <= 100 * tolerance)}


def _markdown_rows(table: pd.DataFrame, keys: tuple[str, str]) -> list[str]:
    """One markdown table row per row of a table made by :func:`_against`, led by its two ``keys`` columns."""
    return [f"| {r[keys[0]]} | {r[keys[1]]} | {r.observed:,.0f} | {r.sim_median:,.0f} | {r.sim_p05:,.0f} | "
            f"{r.sim_p95:,.0f} | {r.error_pct:+.0f} | {'yes' if r.within_tolerance else 'no'} |"
            for _, r in table.iterrows()]


def stock_section(table: pd.DataFrame) -> str:
    """Markdown for the fit report from :func:`stock_table` against :func:`observed_host_stocks`: the table, and
    the share of host-years within tolerance per host; empty for an empty table."""
    if table.empty:
        return ""
    share = table.groupby("host")["within_tolerance"].mean().mul(100).round(0)
    lines = ["## First-asylum stocks against UNHCR (end of year)", "",
             f"Model `transit_stock` in December against UNHCR's refugees plus asylum seekers from the host's origins "
             f"in its countries (the figure that feeds the stock); within tolerance if |median - observed| <= "
             f"{STOCK_TOLERANCE:.0%}. Share of years within: "
             + ", ".join(f"{h} {v:.0f}%" for h, v in share.items()) + ".", "",
             "| host | year | observed | sim median | sim p05 | sim p95 | error % | within |",
             "|---|---|---|---|---|---|---|---|", *_markdown_rows(table, ("host", "year"))]
    return "\n".join(lines) + "\n"


def libya_table(results: xr.Dataset, dtm: pd.DataFrame, tolerance: float = LIBYA_TOLERANCE) -> pd.DataFrame:
    """Per DTM round whose last month is in the results: the model's migrants present in Libya at the end of
    that month (median and 90% band over replicates), the round's count, the error and whether it is within."""
    present = results["migrants_present"].sel(transit_country="LY")
    if "transit_stock" in results and "libya" in results["host"].values:  # and those living there (hosts.csv)
        present = present + results["transit_stock"].sel(host="libya", drop=True)
    months = pd.DatetimeIndex(present["time"].values)
    rows = []
    for r in dtm.itertuples(index=False):
        hit = (months.year == r.period_end.year) & (months.month == r.period_end.month)
        if not hit.any():
            continue
        v = present.isel(time=int(np.flatnonzero(hit)[0])).values
        rows.append({"round": r.round, "period_end": r.period_end.isoformat(),
                     **_against(v, float(r.migrants), tolerance)})
    return pd.DataFrame(rows)


def dtm_table(results: xr.Dataset, drivers_dir: Path | None = None) -> pd.DataFrame:
    """:func:`libya_table` against the IOM DTM rounds; empty when the results hold no migrants in Libya."""
    if "migrants_present" not in results or "LY" not in results["transit_country"].values:
        return pd.DataFrame()
    return libya_table(results, drivers.load_dtm_libya(drivers_dir))


def libya_section(results: xr.Dataset, drivers_dir: Path | None = None, table: pd.DataFrame | None = None) -> str:
    """Markdown for the fit report: migrants in Libya against the IOM DTM rounds (``table``: :func:`dtm_table`,
    when the caller has it already)."""
    table = dtm_table(results, drivers_dir) if table is None else table
    if table.empty:
        return ""
    dtm = drivers.load_dtm_libya(drivers_dir)
    outside = drivers.load_dtm_libya_outside_share(drivers_dir)
    known = dtm[dtm["round"].isin(outside.index)]
    less = libya_table(results, known.assign(migrants=known["migrants"] * (1 - outside[known["round"]].to_numpy())))
    lines = ["## Migrants in Libya against the IOM DTM rounds", "",
             f"Model `migrants_present` in Libya at the end of each round's last month (migrants on the routes "
             f"waiting, working, with a smuggler or detained there), plus the `transit_stock` of the host `libya` "
             f"when the run keeps one, against the migrants IOM DTM identified; "
             f"within tolerance if |median - observed| <= {LIBYA_TOLERANCE:.0%}: "
             f"{int(table['within_tolerance'].sum())} of {len(table)} rounds. DTM counts every migrant in Libya, "
             f"most of whom work there and do not mean to cross; the model holds only those on its routes.", "",
             "| round | period end | observed | sim median | sim p05 | sim p95 | error % | within |",
             "|---|---|---|---|---|---|---|---|", *_markdown_rows(table, ("round", "period_end"))]
    if not less.empty:
        lines += ["", f"The same for the rounds whose report names the main nationalities, with Nigeriens and "
                  f"Chadians taken out ({', '.join(f'{s:.0%}' for s in outside[less['round']])} of those rounds; "
                  f"no origin of the model holds them; `data/drivers/iom_dtm_libya_nationality_shares.csv`): "
                  f"{int(less['within_tolerance'].sum())} of {len(less)} within. Egyptians, Sudanese and others who "
                  f"came to work are still counted.", "",
                  "| round | period end | observed less NER, TCD | sim median | sim p05 | sim p95 | error % | within |",
                  "|---|---|---|---|---|---|---|---|", *_markdown_rows(less, ("round", "period_end"))]
    return "\n".join(lines) + "\n"
