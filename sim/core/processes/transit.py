"""Moving along a path: paying for and starting a leg, the end of a land leg, leaving a hub.

Reads: today's fees (market), the leg's risk and interception levers, the contact multiplier at a node.
Writes: ``status`` (TRAVELLING, WITH_SMUGGLER), ``since``, ``until``, ``node``, ``leg``, ``savings``;
fees to smugglers' revenue; land deaths and interceptions in the tallies. A land border crossing's outcome
is drawn as it starts (crossings); an intercepted migrant is detained; one who arrives at a node re-plans.
"""

from __future__ import annotations

import numpy as np

from sim.core.population import INTENT_GIVE_UP, INTENT_NONE, Status
from sim.core.processes.choice import RouteChoice
from sim.core.processes.crossings import Crossings
from sim.core.processes.detention import Detention
from sim.core.processes.hubs import Hubs
from sim.core.processes.market import SmugglerMarket
from sim.core.processes.settling import Settling
from sim.core.rng import Decision
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
        self.hubs.earn(rows, t)
        quit_ = pop.intent[rows] == INTENT_GIVE_UP
        self.settling.leave(rows[quit_], t)  # they stay in the country or go home
        rows = rows[~quit_]
        if len(rows) == 0:
            return
        edges = self.choice.choose(rows, t)
        fee = self.market.fee(edges)
        can = pop.savings[rows] >= fee
        self.hubs.plan_wait(rows[~can], t, fee[~can])
        rows, edges, fee = rows[can], edges[can], fee[can]
        sea = net.edge_mode[edges] == SEA
        contact = w.levers.contact_mult[pop.node[rows]]
        if sea.any() and (contact < 1).any():  # finding a smuggler who sells the crossing (online or not)
            missed = sea & (w.streams.uniform(Decision.CONTACT, t, pop.uid[rows]) >= contact)
            self.hubs.plan_wait(rows[missed], t, fee[missed], retry=True)
            rows, edges, fee, sea = rows[~missed], edges[~missed], fee[~missed], sea[~missed]
        pop.status[rows[sea]] = Status.WITH_SMUGGLER
        pop.until[rows[sea]] = t + 1
        pop.since[rows[sea]] = t
        self.start_leg(rows[~sea], edges[~sea], fee[~sea], t)
