"""Departure control: armed actors or local authorities at a departure point stop boats from leaving.

Mechanism: a share ``intensity`` of the launches the smuggler cells at the targeted departure points could
make each day is withheld (the cells keep their members, boats and capital; they are not allowed to put to
sea). Those queueing for a seat wait longer, pay more as the cells' prices follow the excess demand, move
on to other departure points, or give up; the queue, not the sea, absorbs the shock. This is the
"cash-for-migration-control" pattern, in which the few armed groups who control a coast switch from running
departures to stopping them for rents, and the blunt form of a port closure.
Intensity: share of launches withheld, 0 to 1.
Evidence: Sabratha, July 2017: about 90% of the city's smugglers agreed to stop (local officials, AFP via
Middle East Online, 13 Sep 2017) and Italy registered 6,500 arrivals from mid-July to mid-September,
"barely 15 percent" of the 2014-2016 average for the period; Micallef & Reitano (GI-TOC / ISS, Dec 2017)
attribute the drop to "the co-option of militias deeply involved with human smuggling"
(literature-survey.md 8.8). How long such control holds is not in the record; a scenario gives its dates.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import SmugglerIntervention, register


@register
class DepartureControl(SmugglerIntervention):
    name = "departure_control"
    target_kinds = ("route", "node", "country")
    intensity_range = (0.0, 1.0)
    intensity_unit = "share of launches withheld"

    def apply(self, levers: Levers, fraction: float) -> None:
        levers.launch_mult[self.coasts] *= 1.0 - self.intensity * fraction
