"""Border enforcement: departure-side interceptions, or pushbacks on the EU side, on chosen crossings.

Mechanism: raises the probability that a boat (or a person at a land border) is stopped on the
targeted edges: ``1-(1-p)(1-s)`` for intensity s in [0, 1]; negative s scales it down. Those
intercepted at departure are detained and later released or deported (the authority's
``deport_share``). The separate type ``pushbacks`` acts on the EU side: arrivals pushed back across
the border.
Evidence: the EU-Turkey Statement was followed by an 88% drop in Greek-island arrivals within a month
(IOM via AFP, 13 May 2016) and displacement to other routes (Frontex ARA 2017) - see literature.md.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import Intervention, compose_probability, register


@register
class BorderEnforcement(Intervention):
    name = "border_enforcement"
    target_kinds = ("route", "edge", "node", "country")
    intensity_range = (-1.0, 1.0)
    intensity_unit = "share of the remaining departures stopped"

    def apply(self, levers: Levers, fraction: float) -> None:
        e = self.index
        levers.interception[e] = compose_probability(levers.interception[e], self.intensity * fraction)


@register
class Pushbacks(Intervention):
    """Pushbacks at the EU border (arrival side): arrivals returned across the border before landing."""

    name = "pushbacks"
    target_kinds = ("route", "edge", "node", "country")
    intensity_range = (-1.0, 1.0)
    intensity_unit = "share of arriving boats pushed back"

    def apply(self, levers: Levers, fraction: float) -> None:
        e = self.index
        levers.pushback[e] = compose_probability(levers.pushback[e], self.intensity * fraction)
