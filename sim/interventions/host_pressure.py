"""Host pressure: a dated change in how hard it is to stay in a first-asylum or transit host.

Not a lever of the Call to Action but an event of the record: a crackdown on refugees without the right
papers, an expulsion order, or its relaxation, in a country whose stock the model keeps
(``data/network/hosts.csv``).

Mechanism: multiplies the hazard of moving on from the host stocks at the targeted node (or origin node, for
hosts next to an origin) by ``intensity`` (1 = no change): people who can no longer stay where they are move
on sooner, through the same paths and fees as everyone else.
Intensity: multiplier on the onward hazard, 0 to 20.
Evidence: on 22 July 2019 the Istanbul governorate gave Syrians under temporary protection registered in other
provinces until 20 August 2019 to leave Istanbul, closed the city to new registrations and announced checks at
stations and on transport (Istanbul governorate statement, reported by Hürriyet Daily News and Bianet, 22 July
2019). No published estimate of the effect of such orders on onward movement was found: the strength of an
entry is an assumption or a calibrated value.
"""

from __future__ import annotations

import numpy as np

from sim.core.levers import Levers
from sim.core.network import Network
from sim.interventions.base import Intervention, InterventionSpec, register


@register
class HostPressure(Intervention):
    name = "host_pressure"
    target_kinds = ("node", "origin")
    intensity_range = (0.0, 20.0)
    intensity_unit = "multiplier on the onward hazard from host stocks"

    def __init__(self, spec: InterventionSpec, net: Network) -> None:
        super().__init__(spec, net)
        if self.kind == "origin":
            self.host_nodes = net.origin_node[self.origins].astype(np.intp)
        else:
            self.host_nodes = np.array([net.node(spec.target)], dtype=np.intp)

    def apply(self, levers: Levers, fraction: float) -> None:
        levers.onward_mult[self.host_nodes] *= 1.0 + (self.intensity - 1.0) * fraction
