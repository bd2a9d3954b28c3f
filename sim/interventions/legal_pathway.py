"""Legal pathways: yearly places (resettlement, humanitarian visas, labour schemes) from an origin.

Mechanism: eligible aspirants still at the origin take a place instead of a smuggler, at up to
``intensity`` persons per year (spread evenly over days). They leave the pool of would-be irregular
migrants, so irregular departures and smugglers' revenue from that origin fall. Evidence: on their own
legal pathways move irregular attempts only a little (Barslund, Di Salvo & Ludolph 2019, CEPS/MEDAM);
combined with enforcement they do more (Clemens & Gough 2018, CGD) - see literature.md.
"""

from __future__ import annotations

from sim.interventions.base import Intervention, register
from sim.levers import Levers


@register
class LegalPathway(Intervention):
    name = "legal_pathway"
    target_kinds = ("origin",)
    intensity_range = (0.0, 1e7)
    intensity_unit = "places per year"

    def apply(self, levers: Levers, fraction: float) -> None:
        levers.legal_places[self.index] += self.intensity * fraction
