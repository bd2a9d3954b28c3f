"""Moving along a path: paying for and starting a leg, the end of a land leg, leaving a hub.

Reads: today's fees (market), the leg's risk and interception levers, the contact multiplier at a node.
Writes: ``status`` (TRAVELLING, WITH_SMUGGLER), ``since``, ``until``, ``node``, ``leg``, ``savings``;
fees to smugglers' revenue; land deaths and interceptions in the tallies. A land border crossing's outcome
is drawn as it starts (crossings); an intercepted migrant is detained; one who arrives at a node re-plans.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.core.population import INTENT_NONE, Status
from sim.core.processes.choice import RouteChoice
from sim.core.processes.crossings import Crossings
from sim.core.processes.detention import Detention
from sim.core.processes.hubs import Hubs
from sim.core.processes.market import SmugglerMarket
from sim.core.processes.settling import Settling
from sim.core.rng import Decision, keyed_uniform
from sim.core.world import SEA, World


class Transit:
    def __init__(self, world: World, market: SmugglerMarket, choice: RouteChoice, hubs: Hubs,
                 crossings: Crossings, detention: Detention, settling: Settling) -> None:
        self.world = world
        self.settling = settling
        self.market = market
        self.choice = choice
        self.hubs = hubs
        self.crossings = crossings
        self.detention = detention

    def pay(self, rows: np.ndarray, edges: np.ndarray, fees: np.ndarray, t: int) -> None:
        """Migrants pay the fee of the leg they start; land networks at the node take the money."""
        w = self.world
        pop = w.pop
        pop.savings[rows] -= fees
        persons = fees * w.weight
        w.tallies.add("smuggler_revenue", t, pop.route[rows], persons)
        w.tallies.add_to(w.tallies.revenue_by_origin, t, pop.origin[rows], persons)
        self.market.pay_land(edges, persons)

    def start_leg(self, rows: np.ndarray, edges: np.ndarray, fees: np.ndarray, t: int) -> None:
        if len(rows) == 0:
            return
        w = self.world
        pop, net = w.pop, w.net
        self.pay(rows, edges, fees, t)
        pop.status[rows] = Status.TRAVELLING
        pop.since[rows] = t
        pop.until[rows] = t + net.edge_duration[edges].astype(np.int32)
        pop.intent[rows] = INTENT_NONE
        crossing = net.edge_crossing[edges]
        if crossing.any():  # a land border crossing (Evros, Ceuta/Melilla): its outcome is drawn now
            cr, ce = rows[crossing], edges[crossing]
            w.tallies.add("crossing_attempts", t, net.edge_route[ce], w.weight)
            w.tallies.add_edge("attempts", t, ce, w.weight)
            self.crossings.draw_land(cr, ce, t)

    def end_of_leg(self, rows: np.ndarray, t: int) -> None:
        """A leg ends: a border crossing takes its drawn outcome; on a land leg, die, be stopped or arrive."""
        w = self.world
        pop, net, lv = w.pop, w.net, w.levers
        edges = w.next_edge(rows)
        crossing = net.edge_crossing[edges]
        if crossing.any():
            self.crossings.outcome(rows[crossing], t)
            rows, edges = rows[~crossing], edges[~crossing]
            if len(rows) == 0:
                return
        uid = pop.uid[rows]
        died = w.streams.uniform(Decision.LAND_DEATH, t, uid) < net.edge_risk[edges] * lv.risk_mult[edges]
        if died.any():
            d = rows[died]
            w.tallies.add("dead_missing", t, pop.route[d], w.weight)
            w.tallies.add("dead_missing_land", t, pop.route[d], w.weight)
            w.finalise(d, Status.DEAD_MISSING)
        caught = ~died & (w.streams.uniform(Decision.LAND_INTERCEPT, t, uid) < lv.interception[edges])
        if caught.any():
            c = rows[caught]
            w.tallies.add("interceptions", t, pop.route[c], w.weight)
            self.detention.detain(c, t)
        ok = rows[~died & ~caught]
        pop.node[ok] = net.edge_to[edges[~died & ~caught]]
        pop.leg[ok] += 1
        self.hubs.arrive(ok, t)

    def leave_hub(self, rows: np.ndarray, t: int) -> None:
        """The wait is over: give up, wait longer (fee not yet earned, no smuggler found), join a smuggler's
        queue for a sea crossing, or set off on the next land leg."""
        w = self.world
        pop, net = w.pop, w.net
        quitting, rows = self.hubs.earn(rows, t)
        self.settling.leave(quitting, t)  # they stay in the country or go home
        if len(rows) == 0:
            return
        edges = self.choice.choose(rows, t)
        # one pass sorts them by what they can do next; those who join a queue join it in the same pass
        short, short_fee, missed, missed_fee, land, land_edge, land_fee = _next_step(
            rows, edges, self.market.fee(edges), pop.node, pop.uid, pop.savings, pop.status, pop.since, pop.until,
            net.edge_mode, w.levers.contact_mult, t, w.streams.salt(Decision.CONTACT, t), SEA,
            int(Status.WITH_SMUGGLER))
        self.hubs.plan_wait(short, t, short_fee)  # the fee is not yet earned
        self.hubs.plan_wait(missed, t, missed_fee, retry=True)  # no smuggler found who sells the crossing
        self.start_leg(land, land_edge, land_fee, t)


@numba.njit(cache=True)
def _next_step(rows: np.ndarray, edges: np.ndarray, fees: np.ndarray, node: np.ndarray, uid: np.ndarray,
               savings: np.ndarray, status: np.ndarray, since: np.ndarray, until: np.ndarray, edge_mode: np.ndarray,
               contact_mult: np.ndarray, t: int, salt: np.uint64, sea: int, with_smuggler: int
               ) -> tuple[np.ndarray, ...]:
    """Each row's next step on the leg ``edges`` at today's ``fees``: short of the fee (rows, fees); a sea
    crossing but no smuggler found (rows, fees; a draw against the node's contact multiplier, which misses
    only below 1); a sea crossing, joining the queue (written here: WITH_SMUGGLER until tomorrow); a land leg
    (rows, legs, fees). Each list keeps the rows' order."""
    n = len(rows)
    short, missed, land = np.empty(n, rows.dtype), np.empty(n, rows.dtype), np.empty(n, rows.dtype)
    short_fee, missed_fee, land_fee = np.empty(n), np.empty(n), np.empty(n)
    land_edge = np.empty(n, edges.dtype)
    n_short = n_missed = n_land = 0
    for j in range(n):
        i, e, fee = rows[j], edges[j], fees[j]
        if np.float64(savings[i]) < fee:
            short[n_short], short_fee[n_short] = i, fee
            n_short += 1
        elif edge_mode[e] == sea:
            c = contact_mult[node[i]]
            if c < 1.0 and keyed_uniform(np.uint64(uid[i]), salt) >= c:
                missed[n_missed], missed_fee[n_missed] = i, fee
                n_missed += 1
            else:
                status[i] = with_smuggler
                until[i] = t + 1
                since[i] = t
        else:
            land[n_land], land_edge[n_land], land_fee[n_land] = i, e, fee
            n_land += 1
    return (short[:n_short], short_fee[:n_short], missed[:n_missed], missed_fee[:n_missed], land[:n_land],
            land_edge[:n_land], land_fee[:n_land])
