"""Detention and return: those intercepted are held, then deported, released or give up; the returned
decide whether to set out again.

Reads: the day's deportation share and re-migration multiplier (levers) of the leg they were stopped on.
Writes: ``status`` (DETAINED, RETURNED, AT_ORIGIN or a final status), ``node``, ``until``, ``savings``
(a refunded fee, or savings rebuilt during reintegration); ``returns`` by route.
"""

from __future__ import annotations

import numpy as np

from sim.core.population import REVIEW_DAYS, Status
from sim.core.processes.hubs import Hubs
from sim.core.processes.settling import Settling
from sim.core.rng import Decision
from sim.core.world import World


class Detention:
    def __init__(self, world: World, hubs: Hubs, settling: Settling) -> None:
        self.world = world
        self.hubs = hubs
        self.settling = settling

    def detain(self, rows: np.ndarray, t: int) -> None:
        if len(rows) == 0:
            return
        w = self.world
        pop, p = w.pop, w.params
        pop.status[rows] = Status.DETAINED
        pop.at_node_since[rows] = t
        u = w.streams.uniform(Decision.DETENTION, t, pop.uid[rows])
        stay = np.ceil(-np.log(u) * p["detention_days"]).astype(np.int32)
        pop.until[rows] = t + np.maximum(stay, 1)
        refund = p["fee_refund_on_interception"]
        if refund > 0:
            pop.savings[rows] += refund * w.net.edge_fee[w.next_edge(rows)]

    def release(self, rows: np.ndarray, t: int) -> None:
        """End of detention: deported to the origin, or giving up, or released where they were."""
        w = self.world
        pop, net, s = w.pop, w.net, w.streams
        edges = w.next_edge(rows)
        deport = s.uniform(Decision.DEPORT, t, pop.uid[rows]) < w.levers.deport_share[edges]
        quits = ~deport & (s.uniform(Decision.QUIT_AFTER_INTERCEPTION, t, pop.uid[rows])
                           < w.params["quit_after_interception"])
        self.settling.leave(rows[quits], t)  # they stay in the country or go home
        d = rows[deport]
        w.tallies.add("returns", t, pop.route[d], w.weight)
        pop.status[d] = Status.RETURNED
        pop.node[d] = net.origin_node[pop.origin[d]]
        pop.at_node_since[d] = t
        u = s.uniform(Decision.REINTEGRATION, t, pop.uid[d])
        pop.until[d] = t + np.maximum(np.ceil(-np.log(u) * w.params["reintegration_days"]), 1).astype(np.int32)
        self.hubs.arrive(rows[~deport & ~quits], t)

    def after_return(self, rows: np.ndarray, t: int) -> None:
        """After reintegration, set out again (as an aspirant at the origin) or stay for good."""
        w = self.world
        pop = w.pop
        chance = w.params["remigrate_prob"] * w.levers.remigrate_mult[w.next_edge(rows)]
        again = w.streams.uniform(Decision.REMIGRATE, t, pop.uid[rows]) < chance
        w.finalise(rows[~again], Status.EXITED)
        r = rows[again]
        pop.status[r] = Status.AT_ORIGIN
        pop.until[r] = t + 1 + pop.uid[r] % REVIEW_DAYS
        pop.since[r] = t
        pop.savings[r] = w.net.origin_savings_median[pop.origin[r]]  # saved again during reintegration (assumption)
