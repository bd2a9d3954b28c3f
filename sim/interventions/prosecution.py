"""Judicial cooperation and prosecution: implementing the Smuggling Protocol in national law and courts.

Mechanism: every member of the smuggler cells at the targeted departure points faces an extra yearly
probability ``intensity`` of being arrested and prosecuted (turned into a daily rate); convictions deter
recruits, so an arrested member takes ``deterrence`` times longer to replace. Unlike targeted
``network_disruption``, it acts on all members in proportion to their number, for as long as it lasts.
Intensity: yearly probability that a smuggler is prosecuted, 0 to 0.99.
Options: ``deterrence`` (ratio, 1-10, default 1.5): how much longer replacement takes.
Evidence: the Call to Action (2023) and the UN Smuggling Protocol (2000) ask for criminalisation and
prosecution; no published estimate of the deterrence effect was found, so both magnitudes are
assumptions, to be explored with ``routesim sensitivity``.
"""

from __future__ import annotations

import math

from sim.core.levers import Levers
from sim.interventions.base import Option, SmugglerIntervention, register


@register
class Prosecution(SmugglerIntervention):
    name = "prosecution"
    target_kinds = ("route", "node", "country")
    intensity_range = (0.0, 0.99)
    intensity_unit = "yearly probability that a smuggler is prosecuted"
    options = {"deterrence": Option(1.5, "time to replace a prosecuted member relative to usual (ratio)",
                                    low=1.0, high=10.0)}

    def apply(self, levers: Levers, fraction: float) -> None:
        levers.arrest_rate[self.coasts] += -math.log1p(-self.intensity) / 365.25 * fraction
        levers.recruit_mult[self.coasts] *= 1.0 + (float(self.opt["deterrence"]) - 1.0) * fraction
