"""Legal pathways: protection places and labour-mobility schemes shared among those who qualify.

Reads: the day's places by origin and destination (levers), each aspirant's eligibility and skills.
Writes: those who take a place are finalised as LEGAL; ``legal_entries`` by route, origin, destination.
"""

from __future__ import annotations

import numpy as np

from sim.core.population import Status
from sim.core.processes.choice import RouteChoice
from sim.core.rng import Decision
from sim.core.world import World


class LegalPathways:
    def __init__(self, world: World, choice: RouteChoice) -> None:
        self.world = world
        self.choice = choice

    def probability(self, rows: np.ndarray, o: np.ndarray) -> np.ndarray:
        """Chance each reviewing aspirant takes a legal place today: the day's places of each programme
        (protection pathways for the eligible, labour schemes for those with the skills) shared among
        those who qualify and review today."""
        w = self.world
        lv, pop = w.levers, w.pop
        p_legal = np.zeros(len(rows))
        n_o = len(w.net.origins)
        for places, qualifies in ((lv.legal_places, lambda: pop.eligible[rows]),
                                  (lv.labour_places, lambda: self._skilled(rows, o))):
            if not places.any():
                continue
            ok = qualifies()
            n_ok = np.bincount(o[ok], minlength=n_o).astype(float)
            day = w.to_agents(places.sum(axis=1) / 365.25)
            prob = np.divide(day, n_ok, out=np.zeros(n_o), where=n_ok > 0).clip(0, 1)
            p_legal = 1.0 - (1.0 - p_legal) * (1.0 - np.where(ok, prob[o], 0.0))
        return p_legal

    def _skilled(self, rows: np.ndarray, o: np.ndarray) -> np.ndarray:
        """Aspirants with the skills a labour scheme asks for (a fixed draw per person)."""
        u = self.world.streams.uniform(Decision.SKILLS, 0, self.world.pop.uid[rows])
        return u < self.world.levers.labour_eligible[o]

    def take_place(self, rows: np.ndarray, t: int) -> None:
        """Leave by a legal pathway; the destination is the programme's, or the one they had planned."""
        w = self.world
        pop, lv, net = w.pop, w.levers, w.net
        o = pop.origin[rows]
        self.choice.choose(rows, t)  # the route they would otherwise have planned, for reporting
        weights = lv.legal_places[o] * pop.eligible[rows][:, None] + lv.labour_places[o] * self._skilled(
            rows, o)[:, None]
        cum = np.cumsum(weights, axis=1)
        u = w.streams.uniform(Decision.LEGAL_DESTINATION, t, pop.uid[rows]) * cum[:, -1]
        col = np.minimum((cum <= u[:, None]).sum(axis=1), weights.shape[1] - 1)
        planned = w.dest_of_node[net.edge_to[net.path_crossing[pop.path[rows]]]]
        dest = np.where(col == 0, planned, col - 1)
        w.finalise(rows, Status.LEGAL)
        w.tallies.add("legal_entries", t, pop.route[rows], w.weight)
        w.tallies.add_to(w.tallies.legal_by_origin, t, o, w.weight)
        w.tallies.add_to(w.tallies.legal_by_dest, t, dest, w.weight)
