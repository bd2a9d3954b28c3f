"""Month-end records: people in transit and stranded by route, and the smuggler market's state.

Reads: every live migrant's status, route and arrival day at its place; the cells (market).
Writes: the month-end stocks in the tallies (``in_transit``, ``stranded``, price index, seats, load).
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
        self.market.record_month_end(m)
