"""Protection and assistance of the vulnerable on land: desert rescue, medical aid, shelter in transit.

Mechanism: assistance on the targeted land legs (water points and rescue patrols in the Sahara, medical
care and shelter at hubs and land borders) cuts the death risk of those legs by ``intensity``. Sea
rescue is the separate ``search_and_rescue`` type.
Intensity: fall in the death risk of the targeted land legs, 0 to 1.
Evidence: IOM's Missing Migrants Project records thousands of deaths in the Sahara, most undocumented
(literature.md: IOM counts are a lower bound); no published estimate of how much assistance cuts them
was found, so the size of the effect is an assumption.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.core.network import MODES
from sim.interventions.base import Intervention, register

SEA = MODES.index("sea")


@register
class ProtectionAssistance(Intervention):
    name = "protection_assistance"
    target_kinds = ("edge", "node", "country")  # land legs; a route's targets are its sea crossings
    intensity_range = (0.0, 1.0)
    intensity_unit = "fall in the death risk of land legs (share)"

    def __init__(self, spec, net) -> None:  # noqa: ANN001
        super().__init__(spec, net)
        self.land = self.edges[net.edge_mode[self.edges] != SEA]

    def apply(self, levers: Levers, fraction: float) -> None:
        levers.risk_mult[self.land] *= 1.0 - self.intensity * fraction
