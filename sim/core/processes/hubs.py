"""Hubs and departure points: migrants who arrive re-plan, then wait and work towards the next fee.

Reads: today's fees (market), the give-up hazard (choice), transit wages.
Writes: the waiting migrants' ``status`` (WAITING), ``since``, ``at_node_since``, ``intent`` (give up or
not) and ``until`` (the day they next look again).
"""

from __future__ import annotations

import numpy as np

from sim.core.population import INTENT_GIVE_UP, INTENT_NONE, Status
from sim.core.processes.choice import RouteChoice
from sim.core.processes.market import SmugglerMarket
from sim.core.rng import Decision
from sim.core.world import World


class Hubs:
    def __init__(self, world: World, market: SmugglerMarket, choice: RouteChoice) -> None:
        self.world = world
        self.market = market
        self.choice = choice
        self.wage = world.net.node_wage * world.params["transit_wage_mult"]  # EUR a day earned while waiting
        self.wage_floor = np.maximum(self.wage, 1e-9)  # the divisor of the days' work a fee takes

    def arrive(self, rows: np.ndarray, t: int) -> None:
        """A migrant reaching a hub or departure point re-plans and starts working towards the next fee."""
        if len(rows) == 0:
            return
        pop = self.world.pop
        pop.at_node_since[rows] = t
        pop.since[rows] = t
        edges = self.choice.choose(rows, t)
        self.plan_wait(rows, t, self.market.fee(edges))

    def plan_wait(self, rows: np.ndarray, t: int, fee: np.ndarray | None = None, retry: bool = False) -> None:
        """WAITING until the next fee is earned or the next review, whichever comes first, unless giving up
        before. At a review the migrant looks again at fees and routes, so a price cut or a new risk reaches
        those already waiting within weeks, not only newcomers.

        The minimum stay counts from the arrival at the node: a migrant a few euros short at the end of a
        wait works the days it lacks, not the whole minimum stay again. ``retry`` (no smuggler found) waits
        the minimum stay afresh: finding another contact takes that long."""
        if len(rows) == 0:
            return
        w = self.world
        pop, p = w.pop, w.params
        pop.status[rows] = Status.WAITING
        pop.since[rows] = t  # wages are credited from now on
        nodes = pop.node[rows].astype(np.intp)
        if fee is None:  # the next leg's fee today, unless the caller has it already
            fee = self.market.fee(w.next_edge(rows))
        deficit = np.maximum(fee - pop.savings[rows], 0)  # no deficit: 0 / wage = 0 days of work
        work_days = np.ceil(np.divide(deficit, self.wage_floor[nodes], out=deficit), out=deficit)
        min_stay = p["hub_min_stay_days"]
        if not retry:
            min_stay = min_stay - (t - pop.at_node_since[rows])
        wait = np.maximum(1, np.maximum(min_stay, np.minimum(work_days, p["transit_review_days"]))).astype(np.int32)
        node_rate = self.choice.give_up_rate()
        positive = node_rate > 0
        if positive.any() and positive[nodes].any():  # geometric time to giving up, drawn afresh for each wait
            u = w.streams.uniform(Decision.WAIT_GIVE_UP, t, pop.uid[rows])
            with np.errstate(divide="ignore"):
                log_stay = np.log1p(-node_rate)  # per node, then per migrant: today's hazard
                give_up_day = np.ceil(np.log(u, out=u) / log_stay[nodes])
            if not positive.all():
                give_up_day[~positive[nodes]] = np.inf
            quits = give_up_day < wait
            pop.intent[rows] = np.where(quits, INTENT_GIVE_UP, INTENT_NONE)
            pop.until[rows] = t + np.where(quits, give_up_day, wait).astype(np.int32)
        else:
            pop.intent[rows] = INTENT_NONE
            pop.until[rows] = t + wait

    def earn(self, rows: np.ndarray, t: int) -> None:
        """Credit the wages earned while waiting since the last credit."""
        pop = self.world.pop
        pop.savings[rows] += self.wage[pop.node[rows]] * (t - pop.since[rows])
        pop.since[rows] = t
