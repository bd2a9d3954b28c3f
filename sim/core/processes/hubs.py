"""Hubs and departure points: migrants who arrive re-plan, then wait and work towards the next fee.

Reads: today's fees (market), the give-up hazard (choice), transit wages.
Writes: the waiting migrants' ``status`` (WAITING), ``since``, ``at_node_since``, ``intent`` (give up or
not) and ``until`` (the day they next look again).
"""

from __future__ import annotations

import numba
import numpy as np

from sim.core.population import INTENT_GIVE_UP, INTENT_NONE, Status
from sim.core.processes.choice import RouteChoice
from sim.core.processes.market import SmugglerMarket
from sim.core.rng import Decision, keyed_uniform
from sim.core.world import World

WAITING = int(Status.WAITING)


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
        if fee is None:  # the next leg's fee today, unless the caller has it already
            fee = self.market.fee(w.next_edge(rows))
        min_stay = float(p["hub_min_stay_days"])
        # a geometric time to giving up, drawn afresh for each wait, at each node's hazard today
        log_stay = np.log1p(-self.choice.give_up_rate())
        _plan(rows, fee, pop.node, pop.savings, pop.at_node_since, pop.uid, pop.status, pop.since, pop.intent,
              pop.until, self.wage_floor, log_stay, t, min_stay, retry, float(p["transit_review_days"]),
              w.streams.salt(Decision.WAIT_GIVE_UP, t))

    def earn(self, rows: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
        """Credit the wages earned while waiting since the last credit; return those whose wait ended in
        giving up and the others, each in row order."""
        pop = self.world.pop
        return _credit_wages(rows, pop.node, pop.savings, pop.since, pop.intent, self.wage, t, INTENT_GIVE_UP)


@numba.njit(cache=True)
def _credit_wages(rows: np.ndarray, place: np.ndarray, savings: np.ndarray, since: np.ndarray, intent: np.ndarray,
                  wage: np.ndarray, t: int, give_up: int) -> tuple[np.ndarray, np.ndarray]:
    """Savings += wage at each row's place x days since the last credit, in float64 stored as float32 (as
    NumPy's ``savings[rows] += ...`` does); the credit clock restarts today. Splits the rows whose intent is
    ``give_up`` from the rest."""
    quitting, staying = np.empty(len(rows), rows.dtype), np.empty(len(rows), rows.dtype)
    n_quit = n_stay = 0
    for i in rows:
        savings[i] = np.float32(np.float64(savings[i]) + wage[place[i]] * np.float64(t - since[i]))
        since[i] = t
        if intent[i] == give_up:
            quitting[n_quit] = i
            n_quit += 1
        else:
            staying[n_stay] = i
            n_stay += 1
    return quitting[:n_quit], staying[:n_stay]


@numba.njit(cache=True)
def _plan(rows: np.ndarray, fee: np.ndarray, node: np.ndarray, savings: np.ndarray, at_node_since: np.ndarray,
          uid: np.ndarray, status: np.ndarray, since: np.ndarray, intent: np.ndarray, until: np.ndarray,
          wage_floor: np.ndarray, log_stay: np.ndarray, t: int, min_stay_days: float, retry: bool,
          review_days: float, salt: np.uint64) -> None:
    """Each row's wait (days of work for the fee's deficit, at least the minimum stay left and one day, at
    most until the next review) and, where the node's hazard is positive, the day it would give up: the
    wait ends on whichever comes first."""
    for j in range(len(rows)):
        i = rows[j]
        n = node[i]
        status[i] = WAITING
        since[i] = t  # wages are credited from now on
        work_days = np.ceil(max(fee[j] - np.float64(savings[i]), 0.0) / wage_floor[n])
        min_stay = min_stay_days if retry else min_stay_days - (t - at_node_since[i])
        wait = np.int32(max(1.0, max(min_stay, min(work_days, review_days))))
        give_up_day = np.inf
        if log_stay[n] < 0:
            give_up_day = np.ceil(np.log(keyed_uniform(np.uint64(uid[i]), salt)) / log_stay[n])
        if give_up_day < wait:
            intent[i] = INTENT_GIVE_UP
            until[i] = t + np.int32(give_up_day)
        else:
            intent[i] = INTENT_NONE
            until[i] = t + wait
