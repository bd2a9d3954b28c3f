"""Build a run's demand inputs (:class:`sim.core.demand.DemandInputs`) from data/drivers and the hosts table.

``hosts.csv`` in the network folder names each first-asylum or transit host the model keeps a stock for: its
node, its countries (ISO3) and the origins whose people it holds. Without the file the run has no hosts.

Rules (each an assumption, stated in data/drivers/README.md and docs/model.md):
* a host stock starts at UNHCR's refugees plus asylum seekers from the origin's countries in the host's
  countries at the end of the month before the run; it is fed each month by the increase of that figure
  (months where it falls add no one: the model's own exits drain the stock);
* conflict at the origin is the IDMC stock of conflict IDPs (with the months before the run, back to 2010, so
  that the core can weigh the displaced by how recently they were displaced); growth the World Bank's GDP per
  capita growth; inflation in a host the unweighted mean of its countries' consumer price inflation;
* before 2010 a series holds its first value, after its last published value its last (persistence); a region
  with no conflict figure at all has a constant index.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from sim.core.demand import DemandInputs
from sim.core.network import Network
from sim.errors import InputError
from sim.io import drivers
from sim.io.csvfile import read_csv_rows

HOSTS_FILE = "hosts.csv"
ISO3 = re.compile(r"^[A-Z]{3}$")


HOST_KINDS = ("first_asylum", "transit")


class Host(NamedTuple):
    """One row of hosts.csv, resolved against the network."""

    id: str
    node: int  # node where those who move on enter the network
    countries: tuple[str, ...]  # ISO3
    origins: tuple[str, ...]  # origin ids whose people the host keeps a stock of
    settle: tuple[int, ...]  # nodes where those who give up the journey may join the stock
    transit: bool  # kind 'transit' (people came to work or move on) rather than 'first_asylum'


def read_hosts(network_dir: Path, net: Network) -> list[Host]:
    """One :class:`Host` per row of hosts.csv; [] when the file is absent. ``settle_nodes`` (may be empty)
    are the hubs and coasts in the host's countries where those who give up the journey may join its stock;
    a node belongs to one host at most."""
    path = Path(network_dir) / HOSTS_FILE
    if not path.exists():
        return []
    out, seen, settle_seen = [], set(), {}
    for i, r in enumerate(read_csv_rows(path, ["id", "node", "kind", "countries", "origins", "settle_nodes", "source"]),
                          start=2):
        where = f"{path}: row {i}"
        if not r["id"] or r["id"] in seen:
            raise InputError(f"{where}, column id: '{r['id']}' is empty or repeated")
        seen.add(r["id"])
        if r["node"] not in net.node_ids:
            raise InputError(f"{where}, column node: unknown node '{r['node']}'")
        countries = tuple(r["countries"].split())
        if not countries or not all(ISO3.match(c) for c in countries):
            raise InputError(f"{where}, column countries: '{r['countries']}' is not a list of ISO3 codes")
        origins = tuple(r["origins"].split())
        unknown = [o for o in origins if o not in net.origins or o not in drivers.REGIONS]
        if not origins or unknown:
            raise InputError(f"{where}, column origins: unknown origin(s) {', '.join(unknown) or '(none)'}")
        settle = tuple(r["settle_nodes"].split())
        for node in settle:
            if node not in net.node_ids:
                raise InputError(f"{where}, column settle_nodes: unknown node '{node}'")
            if node in settle_seen:
                raise InputError(f"{where}, column settle_nodes: node '{node}' already belongs to host "
                                 f"'{settle_seen[node]}'")
            settle_seen[node] = r["id"]
        if r["kind"] not in HOST_KINDS:
            raise InputError(f"{where}, column kind: '{r['kind']}' is not one of {', '.join(HOST_KINDS)}")
        if not r["source"].strip():
            raise InputError(f"{where}, column source: empty (every host cites its figures' source)")
        out.append(Host(r["id"], net.node(r["node"]), countries, origins, tuple(net.node(n) for n in settle),
                        r["kind"] == "transit"))
    return out


def _window(monthly: np.ndarray, first_month: dt.date, n_months: int) -> np.ndarray:
    """Columns of a 2010-01-based monthly series for ``n_months`` from ``first_month``, held at both ends."""
    k = (first_month.year - drivers.FIRST_YEAR) * 12 + first_month.month - 1 + np.arange(n_months)
    return monthly[..., np.clip(k, 0, monthly.shape[-1] - 1)]


def _filled(series: np.ndarray, empty: float) -> np.ndarray:
    """Leading gaps take the first value, later gaps the last; a series with no value at all is ``empty``.
    Rows are series, columns months."""
    return pd.DataFrame(np.asarray(series, dtype=float).T).ffill().bfill().fillna(empty).to_numpy().T


def load_demand_inputs(network_dir: Path, net: Network, first_month: dt.date, last_month: dt.date,
                       drivers_dir: Path | None = None, as_of: dt.date | None = None) -> DemandInputs:
    """The series one run reads, month by month from ``first_month`` (the spin-up's first) to ``last_month``."""
    n = (last_month.year - first_month.year) * 12 + last_month.month - first_month.month + 1
    names = ("idps_conflict", "gdp_per_capita_growth", "population")
    ds = drivers.load_drivers(drivers_dir, as_of=as_of, carry_forward=True, names=names)
    by_origin = {name: np.stack([ds[name].sel(region=o).to_numpy() if o in drivers.REGIONS
                                 else np.full(ds.sizes["time"], np.nan) for o in net.origins])
                 for name in names}
    conflict_filled = _filled(by_origin["idps_conflict"], 1.0)
    conflict = _window(conflict_filled, first_month, n)
    n_before = max(0, (first_month.year - drivers.FIRST_YEAR) * 12 + first_month.month - 1)
    conflict_before = _window(conflict_filled, dt.date(drivers.FIRST_YEAR, 1, 1), n_before)
    growth = _window(_filled(by_origin["gdp_per_capita_growth"], 0.0), first_month, n)
    population = _window(_filled(by_origin["population"], 0.0), first_month, n)
    hosts = read_hosts(network_dir, net)
    n_h, n_o = len(hosts), len(net.origins)
    groups = [(drivers.REGIONS[o], h.countries) for h in hosts for o in h.origins]
    stocks = drivers.load_bilateral_stocks(groups, drivers_dir, as_of=as_of)
    before = _window(stocks, _previous(first_month), n)  # month-end stocks, one month behind
    after = _window(stocks, first_month, n)
    stock0, inflow, outflow = np.zeros((n_h, n_o)), np.zeros((n_h, n_o, n)), np.zeros((n_h, n_o, n))
    listed, settle_host = np.zeros((n_h, n_o), bool), np.full(net.n_nodes, -1, np.intp)
    g = 0
    for h, host in enumerate(hosts):
        settle_host[list(host.settle)] = h
        for o in host.origins:
            k = net.origins.index(o)
            listed[h, k] = True
            stock0[h, k] = before[g, 0]
            inflow[h, k] = np.maximum(after[g] - before[g], 0.0)
            outflow[h, k] = np.maximum(before[g] - after[g], 0.0)
            g += 1
    inflation = np.zeros((0, n))
    if hosts:
        rates = [drivers.load_country_rate("inflation", h.countries, drivers_dir, as_of=as_of) for h in hosts]
        inflation = _window(_filled(np.stack(rates), 0.0), first_month, n)
    return DemandInputs(first_month=first_month, origin_conflict=conflict, origin_growth=growth,
                        origin_population=population, origin_conflict_before=conflict_before,
                        host_ids=tuple(h.id for h in hosts), host_node=np.array([h.node for h in hosts], np.int16),
                        host_stock0=stock0, host_inflow=inflow, host_outflow=outflow, host_inflation=inflation,
                        host_listed=listed,
                        settle_host=settle_host, host_transit=np.array([h.transit for h in hosts], bool))


def _previous(month: dt.date) -> dt.date:
    return dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
