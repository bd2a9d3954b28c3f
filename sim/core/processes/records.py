"""Month-end records: people in transit and stranded by route and by transit country, and the smuggler
market's state.

Reads: every live migrant's status, route, node and arrival day at its place; the cells (market).
Writes: the month-end stocks in the tallies (``in_transit``, ``stranded``, ``present_by_country``, price
index, seats, load).
"""

from __future__ import annotations

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

    def step(self, t: int) -> None:
        w = self.world
        if not w.calendar.month_end[t]:
            return
        pop, m, n_routes, tallies = w.pop, w.month(t), len(w.net.routes), w.tallies
        st = pop.status[: pop.n]
        transit = (st == Status.WAITING) | (st == Status.WITH_SMUGGLER) | (st == Status.DETAINED)
        route = pop.route[: pop.n]
        long_ = transit & ((t - pop.at_node_since[: pop.n]) > w.params["stranded_days"])
        tallies.route["in_transit"][m] = np.bincount(route[transit], minlength=n_routes) * w.weight
        tallies.route["stranded"][m] = np.bincount(route[long_], minlength=n_routes) * w.weight
        country = self.node_country[pop.node[: pop.n][transit]]  # where they wait, work or are held
        country = country[country >= 0]
        tallies.present_by_country[m] = np.bincount(country, minlength=self.n_countries) * w.weight
        self.market.record_month_end(m)
