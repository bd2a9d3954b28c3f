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
        self.in_transit = np.zeros(len(Status), bool)  # by status: waiting, with a smuggler or detained
        self.in_transit[[Status.WAITING, Status.WITH_SMUGGLER, Status.DETAINED]] = True

    def step(self, t: int) -> None:
        w = self.world
        if not w.calendar.month_end[t]:
            return
        pop, m, n_routes, tallies = w.pop, w.month(t), len(w.net.routes), w.tallies
        transit = np.flatnonzero(self.in_transit[pop.status[: pop.n]])  # one pass over the population
        route = pop.route[transit]
        long_ = (t - pop.at_node_since[transit]) > w.params["stranded_days"]
        tallies.route["in_transit"][m] = np.bincount(route, minlength=n_routes) * w.weight
        tallies.route["stranded"][m] = np.bincount(route[long_], minlength=n_routes) * w.weight
        country = self.node_country[pop.node[transit]]  # where they wait, work or are held
        country = country[country >= 0]
        tallies.present_by_country[m] = np.bincount(country, minlength=self.n_countries) * w.weight
        self.market.record_month_end(m)
