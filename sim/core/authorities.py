"""Border and rescue authorities: few, each policing a set of crossings, so they are Mesa agents.

A departure-side authority (the coast guard of Libya, Tunisia, Turkey, Morocco...) intercepts
departures, detains and deports some of those it stops, raids boat stocks and arrests smugglers at the
departure points it covers. An arrival-side authority (Italian, Greek, Spanish coast guards, EU
operations, NGOs) rescues boats in distress and may push arrivals back. Each day an authority writes its
baseline levers; interventions then adjust them. What the authorities do is counted by route in the
model's outputs (interceptions, rescued, pushbacks, returns).
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.core.levers import Levers
from sim.core.network import MODES, Authority, Network


class BorderAuthority(mesa.Agent):
    """One authority, built with the levers it writes each day and the network it polices."""

    def __init__(self, model: mesa.Model, spec: Authority, net: Network, levers: Levers,
                 params: dict[str, float]) -> None:
        super().__init__(model)
        self.spec = spec
        self.levers = levers
        self.edges = np.array(spec.edges, dtype=np.intp)
        self.nodes = np.unique(net.edge_from[self.edges]).astype(np.intp)
        # the standing rescue of each crossing: the share of distress cases missed is scaled per route by a
        # calibrated constant (rescue_miss_mult_<route>), since authorities.csv's rescue_prob is an assumption
        route = net.edge_route[self.edges]
        by_route = np.array([params.get(f"rescue_miss_mult_{r}", 1.0) for r in net.routes])
        at_sea = (net.edge_mode[self.edges] == MODES.index("sea")) & (route >= 0)
        miss = np.where(at_sea, by_route[route], 1.0)
        self.rescue = np.clip(1.0 - (1.0 - spec.rescue_prob) * miss, 0.0, 1.0)

    def step(self) -> None:
        """Write this authority's baseline levers for the day (before interventions adjust them)."""
        lv = self.levers
        s = self.spec
        if s.role == "departure":
            lv.interception[self.edges] = s.interception_prob
            lv.deport_share[self.edges] = s.deport_share
            lv.boat_seizure_rate[self.nodes] = s.boat_seizure_rate
            lv.arrest_rate[self.nodes] = s.arrest_rate
        else:
            lv.rescue[self.edges] = self.rescue
            lv.pullback_share[self.edges] = s.pullback_share
            lv.pushback[self.edges] = s.pushback_prob
