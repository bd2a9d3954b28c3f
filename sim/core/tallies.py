"""Monthly records of one replicate: flows by route, crossing, origin and destination, month-end stocks.

Processes add what happens to the month of the day it happens in; days of the spin-up are not recorded.
Amounts are in persons (each agent counts ``weight`` = 1 / agents_per_person persons) or EUR.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.core.calendar import Calendar
from sim.core.config import ROUTE_FLOWS, ROUTE_STOCKS, ReplicateResult
from sim.core.network import Network

CROSSING_FLOWS = ("attempts", "arrivals", "dead_missing", "interceptions")


class Tallies:
    def __init__(self, net: Network, calendar: Calendar, n_hosts: int = 0) -> None:
        self.calendar = calendar
        nm, nr = len(calendar.months), len(net.routes)
        self.route = {name: np.zeros((nm, nr)) for name in ROUTE_FLOWS + ROUTE_STOCKS}
        self.boats_launched = np.zeros((nm, nr, 2))
        self.arrivals_by_dest = np.zeros((nm, len(net.destinations)))
        self.departures_by_origin = np.zeros((nm, len(net.origins)))
        self.arrivals_by_origin = np.zeros((nm, nr, len(net.origins)))  # who arrives on each route
        self.legal_by_origin = np.zeros((nm, len(net.origins)))
        self.legal_by_dest = np.zeros((nm, len(net.destinations)))
        self.revenue_by_origin = np.zeros((nm, len(net.origins)))
        self.price_index = np.zeros((nm, nr))
        self.capacity = np.zeros((nm, nr))
        self.load = np.zeros((nm, nr))
        self.host_stock = np.zeros((nm, n_hosts))  # persons in each first-asylum host at month end
        self.onward_by_host = np.zeros((nm, n_hosts))  # persons moving on from each host
        self.present_by_country = np.zeros((nm, len(net.transit_countries)))  # migrants in each, at month end
        self.crossing_edges = np.flatnonzero(net.edge_crossing)
        self.by_crossing = {k: np.zeros((nm, net.n_edges)) for k in CROSSING_FLOWS}

    def add(self, name: str, t: int, route: np.ndarray, amount: np.ndarray | float) -> None:
        """Add ``amount`` per element of ``route`` to the route flow ``name`` on day ``t``."""
        m = self.calendar.month(t)
        if m >= 0 and len(route):
            add_at(self.route[name][m], route, amount)

    def add_edge(self, name: str, t: int, edges: np.ndarray, weight: float) -> None:
        m = self.calendar.month(t)
        if m >= 0 and len(edges):
            add_at(self.by_crossing[name][m], edges, weight)

    def add_to(self, table: np.ndarray, t: int, index: np.ndarray | tuple, amount: np.ndarray | float) -> None:
        """Add to one of the other monthly tables (by origin, destination, boat class) on day ``t``."""
        m = self.calendar.month(t)
        if m < 0:
            return
        if isinstance(index, tuple):
            np.add.at(table[m], index, amount)
        elif len(index):
            add_at(table[m], index, amount)

    def add_by_route_origin(self, table: np.ndarray, t: int, route: np.ndarray, origin: np.ndarray,
                            amount: float) -> None:
        """Add ``amount`` per migrant to a (months, routes, origins) table on day ``t``, through the flat view
        of the month's (routes, origins) block so that the compiled 1-D ``add_at`` does the work."""
        m = self.calendar.month(t)
        if m >= 0 and len(route):
            block = table[m]
            add_at(block.reshape(-1), route.astype(np.intp) * block.shape[1] + origin, amount)

    def result(self, agent_steps: int, agents_created: int) -> ReplicateResult:
        return ReplicateResult(
            months=self.calendar.months,
            route=dict(self.route),
            boats_launched=self.boats_launched,
            arrivals_by_destination=self.arrivals_by_dest,
            departures_by_origin=self.departures_by_origin,
            arrivals_by_origin=self.arrivals_by_origin,
            legal_by_origin=self.legal_by_origin,
            legal_by_destination=self.legal_by_dest,
            revenue_by_origin=self.revenue_by_origin,
            price_index=self.price_index,
            smuggler_capacity=self.capacity,
            boat_load=self.load,
            by_crossing={k: v[:, self.crossing_edges] for k, v in self.by_crossing.items()},
            host_stock=self.host_stock,
            onward_by_host=self.onward_by_host,
            present_by_country=self.present_by_country,
            agent_steps=int(agent_steps),
            agents_created=int(agents_created),
        )


def add_at(target: np.ndarray, index: np.ndarray, amount: np.ndarray | float) -> None:
    """``np.add.at(target, index, amount)`` for a 1-D target: the same additions in the same order, compiled
    (NumPy's unbuffered ``add.at`` costs microseconds a call, and the processes make dozens a day)."""
    if isinstance(amount, np.ndarray) and amount.ndim:
        _add_at(target, index, amount)
    else:  # one amount for every index (a Python or NumPy scalar)
        _add_scalar_at(target, index, float(amount))


@numba.njit(cache=True)
def _add_scalar_at(target: np.ndarray, index: np.ndarray, amount: float) -> None:
    for i in index:
        target[i] += amount


@numba.njit(cache=True)
def _add_at(target: np.ndarray, index: np.ndarray, amount: np.ndarray) -> None:
    for j in range(len(index)):
        target[index[j]] += amount[j]
