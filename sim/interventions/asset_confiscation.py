"""Financial investigations and asset confiscation: smugglers lose a share of their proceeds.

Mechanism: a share ``intensity`` of the fees cells at the targeted departure points collect is
confiscated instead of adding to their capital. Less capital means fewer boats bought and, when capital
runs short, cheaper unseaworthy boats; a lower expected return means fewer organisers join when demand
is high and some leave (their exit rate rises with the confiscated share). Confiscated sums are reported
(``proceeds_confiscated``); smugglers' revenue is what migrants pay, before confiscation.
Intensity: share of proceeds confiscated, 0 to 1.
Evidence: UNODC (2018) puts smugglers' income at USD 5.5-7 bn (2016); the Call to Action asks for
financial investigations. The entry/exit response is an assumption (no published elasticity found).
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import SmugglerIntervention, compose_probability, register


@register
class AssetConfiscation(SmugglerIntervention):
    name = "asset_confiscation"
    target_kinds = ("route", "node", "country")
    intensity_range = (0.0, 1.0)
    intensity_unit = "share of smugglers' proceeds confiscated"

    def apply(self, levers: Levers, fraction: float) -> None:
        n = self.coasts
        levers.confiscation_share[n] = compose_probability(levers.confiscation_share[n], self.intensity * fraction)
