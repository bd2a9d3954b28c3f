"""Month-end records: people in transit and stranded by route and by transit country, and the smuggler
market's state.

Reads: every live migrant's status, route, node and arrival day at its place; the cells (market).
Writes: the month-end stocks in the tallies (``in_transit``, ``stranded``, ``present_by_country``, price
index, seats, load).
"""

from __future__ import annotations

import numba
import numpy as np

from sim.core.population import Status
from sim.core.processes.market import SmugglerMarket
from sim.core.world import World


class MonthEndRecords:
    def __init__(self, world: World, market: SmugglerMarket) -> None:
        self.world = world
        self.market = market
        self.node_country = world.net.node_transit_country
        self.n_countries = len(world.net.transit_countries)
        self.in_transit = np.zeros(len(Status), bool)  # by status: waiting, with a smuggler or detained
        self.in_transit[[Status.WAITING, Status.WITH_SMUGGLER, Status.DETAINED]] = True

    def step(self, t: int) -> None:
        w = self.world
        if not w.calendar.month_end[t]:
            return
        pop, m, n_routes, tallies = w.pop, w.month(t), len(w.net.routes), w.tallies
        in_transit, stranded, present = _count_in_transit(
            pop.n, pop.status, pop.route, pop.node, pop.at_node_since, self.in_transit, self.node_country, t,
            float(w.params["stranded_days"]), n_routes, self.n_countries)
        tallies.route["in_transit"][m] = in_transit * w.weight
        tallies.route["stranded"][m] = stranded * w.weight
        tallies.present_by_country[m] = present * w.weight  # where they wait, work or are held
        self.market.record_month_end(m)


@numba.njit(cache=True)
def _count_in_transit(n: int, status: np.ndarray, route: np.ndarray, node: np.ndarray, at_node_since: np.ndarray,
                      in_transit: np.ndarray, node_country: np.ndarray, t: int, stranded_days: float,
                      n_routes: int, n_countries: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One pass over the population: migrants in transit by route, those stranded (at their place for more
    than ``stranded_days``) by route, and those in transit by the transit country they are in."""
    by_route = np.zeros(n_routes, np.int64)
    stranded = np.zeros(n_routes, np.int64)
    by_country = np.zeros(n_countries, np.int64)
    for i in range(n):
        if in_transit[status[i]]:
            by_route[route[i]] += 1
            if t - at_node_since[i] > stranded_days:
                stranded[route[i]] += 1
            c = node_country[node[i]]
            if c >= 0:
                by_country[c] += 1
    return by_route, stranded, by_country
