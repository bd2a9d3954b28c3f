"""Border crossings, sea or land: the outcome drawn earlier (arrive, die, be intercepted or pushed back)
takes effect when the crossing ends.

Reads: each migrant's ``intent`` (drawn at boarding, or at the start of a land crossing).
Writes: final statuses (ARRIVED, DEAD_MISSING); the intercepted go to detention, the pushed back to the
departure point; a land crossing's expected outcome, which migrants learn from, as it starts
(``Information.record``); arrivals, deaths, interceptions, pushbacks and returns in the tallies.
"""

from __future__ import annotations

import numpy as np

from sim.core.population import INTENT_ARRIVE, INTENT_DIE, INTENT_INTERCEPT, INTENT_PUSHBACK, Status
from sim.core.processes.detention import Detention
from sim.core.processes.hubs import Hubs
from sim.core.processes.information import Information
from sim.core.rng import Decision
from sim.core.world import SEA, World


class Crossings:
    def __init__(self, world: World, information: Information, detention: Detention, hubs: Hubs) -> None:
        self.world = world
        self.information = information
        self.detention = detention
        self.hubs = hubs

    def draw_land(self, rows: np.ndarray, edges: np.ndarray, t: int) -> None:
        """The outcome of a land border crossing (Evros, Ceuta/Melilla), drawn as it starts."""
        w = self.world
        pop, lv, s = w.pop, w.levers, w.streams
        uid = pop.uid[rows]
        p_stop, p_push = lv.interception[edges], lv.pushback[edges]
        p_risk = w.net.edge_risk[edges] * lv.risk_mult[edges]
        stopped = s.uniform(Decision.INTERCEPT, t, uid) < p_stop
        pushed = ~stopped & (s.uniform(Decision.PUSHBACK, t, uid) < p_push)
        died = ~stopped & ~pushed & (s.uniform(Decision.LAND_DEATH, t, uid) < p_risk)
        p_stop, p_push = np.clip(p_stop, 0, 1), np.clip(p_push, 0, 1)
        through = (1 - p_stop) * (1 - p_push)
        self.information.record(t, edges, through * np.clip(p_risk, 0, 1), p_stop + (1 - p_stop) * p_push)
        intent = np.full(len(rows), INTENT_ARRIVE, np.int8)
        intent[stopped], intent[pushed], intent[died] = INTENT_INTERCEPT, INTENT_PUSHBACK, INTENT_DIE
        pop.intent[rows] = intent

    def outcome(self, rows: np.ndarray, t: int) -> None:
        """End of a border crossing (sea or land): arrive, die, be intercepted or be pushed back."""
        w = self.world
        pop, net, tallies, weight = w.pop, w.net, w.tallies, w.weight
        edges = w.next_edge(rows)
        route = net.edge_route[edges]
        intent = pop.intent[rows]
        arrive = intent == INTENT_ARRIVE
        a = rows[arrive]
        tallies.add("arrivals", t, route[arrive], weight)
        tallies.add_edge("arrivals", t, edges[arrive], weight)
        tallies.add_edge("dead_missing", t, edges[intent == INTENT_DIE], weight)
        tallies.add_to(tallies.arrivals_by_dest, t, w.dest_of_node[net.edge_to[edges[arrive]]], weight)
        tallies.add_by_route_origin(tallies.arrivals_by_origin, t, route[arrive], pop.origin[a], weight)
        pop.node[a] = net.edge_to[edges[arrive]]
        w.finalise(a, Status.ARRIVED)
        die = intent == INTENT_DIE
        sea = net.edge_mode[edges] == SEA
        tallies.add("dead_missing", t, route[die], weight)
        tallies.add("dead_missing_sea", t, route[die & sea], weight)
        tallies.add("dead_missing_land", t, route[die & ~sea], weight)
        w.finalise(rows[die], Status.DEAD_MISSING)
        caught = intent == INTENT_INTERCEPT
        tallies.add("interceptions", t, route[caught], weight)
        tallies.add_edge("interceptions", t, edges[caught], weight)
        self.detention.detain(rows[caught], t)
        pushed = intent == INTENT_PUSHBACK
        tallies.add("interceptions", t, route[pushed], weight)
        tallies.add("pushbacks", t, route[pushed], weight)
        tallies.add("returns", t, route[pushed], weight)
        self.hubs.arrive(rows[pushed], t)  # back at the departure point; the fee is lost
