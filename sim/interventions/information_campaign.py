"""Information and awareness campaigns on the risks of irregular journeys and on legal options.

Mechanism: the campaign reaches a share ``intensity`` of the would-be migrants of an origin. Those reached
perceive the journey's risks as ``1 + risk_update`` times what they did (in route choice, wherever they
are), and their weekly probability of setting out falls by ``intention_effect``; averaged over the
origin, the levers move by ``intensity`` times those amounts. Effects last while the campaign runs.
Intensity: share of the origin's aspirants reached, 0 to 1.
Options: ``risk_update`` (0-10, default 1: perceived risk doubles for those reached); ``intention_effect``
(0-1, default 0.25: a quarter fewer set out among those reached).
Evidence: Tjaden & Dunsch (2021, World Development 145:105488, Senegal RCT): peer-to-peer events raised
risk awareness and cut intentions to migrate irregularly at 3 months; Battiston, Corno & La Ferrara
(Guinea field experiment): at one year the risk arm cut migration out of Guinea by 51%, the strongest
effect found (an upper bound); IOM (2023, MaM-2 cluster RCT in four countries): mixed effects, some null.
The default 0.25 sits between null and that upper bound; it is an assumption.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import Intervention, Option, register


@register
class InformationCampaign(Intervention):
    name = "information_campaign"
    target_kinds = ("origin",)
    intensity_range = (0.0, 1.0)
    intensity_unit = "share of the origin's aspirants reached"
    options = {
        "risk_update": Option(1.0, "rise in perceived journey risk among those reached (share)", low=0.0, high=10.0),
        "intention_effect": Option(0.25, "fall in the weekly chance of setting out among those reached (share)",
                                   low=0.0, high=1.0),
    }

    def apply(self, levers: Levers, fraction: float) -> None:
        reach = self.intensity * fraction
        o = self.origins
        levers.perceived_risk_mult[o] *= 1.0 + reach * float(self.opt["risk_update"])
        levers.departure_mult[o] *= 1.0 - reach * float(self.opt["intention_effect"])
