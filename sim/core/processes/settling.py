"""Settling: migrants who give up on the journey in a transit country may stay there rather than go home.

A migrant who gives up waiting at a hub or coast, or quits after an interception, leaves the journey. Where
the node belongs to a host the model keeps a stock for (``settle_nodes`` in data/network/hosts.csv) and the
host holds people of the migrant's origin, a share ``settle_share`` of them stays in that country: the agent
leaves the population (final status EXITED, counted once) and becomes ``weight`` persons of the host's stock,
from which the onward hazard may draw them again when the crossing looks better (stocks.py). The others go
home, as before. This is how a closed coast builds up a stock that drains when the coast reopens, instead of
only sending people home: IOM's DTM counts 600,000-700,000 migrants in Libya in 2018-2023, most of whom work
there (data/drivers/iom_dtm_libya_migrants_present_by_round.csv).

Reads: the migrant's node and origin, the demand inputs' node-to-host map, ``settle_share``.
Writes: final status EXITED; :attr:`settled` (persons by host and origin, drained daily by the host stocks).
"""

from __future__ import annotations

import numpy as np

from sim.core.demand import DemandInputs
from sim.core.population import Status
from sim.core.rng import Decision
from sim.core.world import World


class Settling:
    def __init__(self, world: World, demand: DemandInputs | None) -> None:
        self.world = world
        self.share = world.params["settle_share"]
        self.host_of_node = None if demand is None else demand.settle_host  # host index per node, -1: none
        self.listed = None if demand is None else demand.host_listed  # (hosts, origins) pairs a host holds
        n_h = 0 if demand is None else len(demand.host_ids)
        self.settled = np.zeros((n_h, len(world.net.origins)))  # persons since the host stocks last took them
        self.on = self.share > 0 and self.host_of_node is not None and bool((self.host_of_node >= 0).any())

    def leave(self, rows: np.ndarray, t: int) -> None:
        """Migrants who give up the journey: some settle in the host their node belongs to, the rest go home;
        all leave the population."""
        w = self.world
        if self.on and len(rows):
            pop = w.pop
            host = self.host_of_node[pop.node[rows]]
            origin = pop.origin[rows]
            can = host >= 0
            can[can] = self.listed[host[can], origin[can]]
            stay = can & (w.streams.uniform(Decision.SETTLE, t, pop.uid[rows]) < self.share)
            np.add.at(self.settled, (host[stay], origin[stay]), w.weight)
        w.finalise(rows, Status.EXITED)

    def take(self) -> np.ndarray:
        """The persons settled since the last call (hosts x origins), and start counting afresh."""
        out = self.settled.copy()
        self.settled[:] = 0.0
        return out
