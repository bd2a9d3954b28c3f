"""Onward passage: the journey beyond the arrival country opens or closes (the Western Balkans corridor).

Not a lever of the Call to Action but an event of the record: how easily people who reach a destination of
the model (Greece, Italy, Spain) can go on to where they mean to stay. The model ends at the EU border, so the
event enters as the value of reaching that destination.

Mechanism: adds ``intensity`` (utility) to every path that ends at the targeted destination. Through route
choice it draws people to that destination's routes; through the outlook it raises the onward hazard from
host stocks whose paths lead there (Türkiye, Lebanon and Jordan, Iran and Pakistan); through the
origins' deterrence it changes how many set out at all. A negative intensity is a closure.
Intensity: utility added to paths ending at the destination (the units of the route constants).
Evidence: Macedonia amended its asylum law on 18 June 2015 so that people entering irregularly could travel
through the country legally for 72 hours, on public transport (RFE/RL, 19 June 2015, via Refworld
https://www.refworld.org/docid/55b5f3e9c.html; Xinhua, 20 June 2015); the corridor closed when Slovenia,
Croatia and Serbia admitted only those with valid Schengen documents from midnight on 8 March 2016 (DW,
8 March 2016). Frontex (via AFP, 18 June 2015) put the smugglers' price of the land route through the
Western Balkans at about EUR 1,800 against EUR 3,000 for the direct sea or air route. The strength is not in
the record: it is estimated by calibration.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import Intervention, register


@register
class OnwardPassage(Intervention):
    name = "onward_passage"
    target_kinds = ("destination",)
    intensity_range = (-5.0, 5.0)
    intensity_unit = "utility added to paths ending at the destination"

    def apply(self, levers: Levers, fraction: float) -> None:
        levers.arrival_utility[self.index] += self.intensity * fraction
