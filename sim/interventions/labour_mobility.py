"""Legal migration and training programmes: labour-mobility places from an origin, for those with skills.

Mechanism: like ``legal_pathway``, but the places are open to aspirants who have the skills the scheme
asks for (a share ``eligible_share`` of each origin's aspirants, drawn once per person; training raises
it) rather than to those with a protection claim. Aspirants reviewing their plans share the day's places;
those who take one leave legally, so irregular departures and smugglers' revenue from the origin fall.
Option ``destination`` names where the places are (default: where people planned).
Intensity: places per year, 0 to 10 million.
Options: ``eligible_share`` (0-1, default 0.2): share of aspirants who qualify.
Evidence: Clemens & Gough (2018, CGD): lawful Mexico-US channels cut unlawful migration only together with
enforcement; Barslund, Di Salvo & Ludolph (2019, CEPS/MEDAM): legal pathways alone have a limited effect
and must fit labour demand and migrant profiles. The eligible share is an assumption.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import Intervention, Option, register
from sim.interventions.legal_pathway import destination_column


@register
class LabourMobility(Intervention):
    name = "labour_mobility"
    target_kinds = ("origin",)
    intensity_range = (0.0, 1e7)
    intensity_unit = "places per year"
    options = {
        "destination": Option("", "destination node the places are in (default: where people planned)"),
        "eligible_share": Option(0.2, "share of the origin's aspirants with the skills asked for", low=0.0,
                                 high=1.0),
    }

    def __init__(self, spec, net) -> None:  # noqa: ANN001
        super().__init__(spec, net)
        self.column = destination_column(self, net)

    def apply(self, levers: Levers, fraction: float) -> None:
        o = self.origins
        levers.labour_places[o, self.column] += self.intensity * fraction
        levers.labour_eligible[o] = max(float(levers.labour_eligible[o].max()), float(self.opt["eligible_share"]))
