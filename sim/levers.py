"""The policy levers of one day: what authorities and interventions set, what migrants and smugglers face.

Authorities write their baseline values at the start of each day; interventions then adjust them.
Keeping all levers in one object (per edge, per node, per origin) is what lets an intervention be a
small module: it only ever edits these arrays.
"""

from __future__ import annotations

import numpy as np

from sim.network import Network


class Levers:
    def __init__(self, net: Network) -> None:
        e, n, o = net.n_edges, net.n_nodes, len(net.origins)
        self.interception = np.zeros(e)  # probability a departure (boat or person) is stopped
        self.rescue = np.zeros(e)  # probability a boat in distress is rescued
        self.pullback_share = np.zeros(e)  # share of rescues disembarked back in the departure country
        self.pushback = np.zeros(e)  # probability an arriving boat / person is pushed back
        self.deport_share = np.zeros(e)  # share of those intercepted who are deported to their origin
        self.risk_mult = np.ones(e)  # multiplier on land-leg death risk and sea distress
        self.boat_seizure_rate = np.zeros(n)  # per day, share of boats in stock seized at a node
        self.arrest_rate = np.zeros(n)  # per day, probability a smuggler at a node is arrested
        self.pressure_mult = np.ones(o)  # multiplier on the inflow of aspirants
        self.departure_mult = np.ones(o)  # multiplier on the daily departure probability
        self.legal_places = np.zeros(o)  # legal-pathway places per year (persons)

    def reset(self) -> None:
        for name, value in vars(self).items():
            value[...] = 1.0 if name.endswith("_mult") else 0.0
