"""Effective return, readmission and reintegration of those stopped in transit.

Mechanism: readmission agreements let authorities on the targeted crossings return to their origin a
larger share ``intensity`` of the people they intercept (``1-(1-d)(1-s)`` of the baseline deport share
d); reintegration support at home (a job, a grant, counselling) lowers the chance that a returnee sets
out again by ``reintegration``. Returns are counted by route (``returns``).
Intensity: share of those intercepted returned to origin, 0 to 1.
Options: ``reintegration`` (0-1, default 0.3): fall in the chance a returnee migrates again.
Evidence: the Call to Action asks for effective return, readmission and sustainable reintegration; no
published estimate of re-migration after assisted return was found in the collected literature, so the
reintegration effect is an assumption. Returns of people already in the EU are out of the model's scope
(arrivals leave the simulation).
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import Intervention, Option, compose_probability, register


@register
class ReturnsReintegration(Intervention):
    name = "returns_reintegration"
    target_kinds = ("route", "edge", "node", "country")
    intensity_range = (0.0, 1.0)
    intensity_unit = "share of those intercepted returned to origin"
    options = {"reintegration": Option(0.3, "fall in the chance a returnee migrates again (share)", low=0.0,
                                       high=1.0)}

    def apply(self, levers: Levers, fraction: float) -> None:
        e = self.edges
        levers.deport_share[e] = compose_probability(levers.deport_share[e], self.intensity * fraction)
        levers.remigrate_mult[e] *= 1.0 - float(self.opt["reintegration"]) * fraction
