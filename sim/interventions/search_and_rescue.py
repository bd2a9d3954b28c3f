"""Search and rescue: the probability that a boat in distress on the targeted crossings is rescued.

Mechanism: ``1-(1-r)(1-s)`` for intensity s in [0, 1] (more assets, closer to departure); negative s
scales rescue down (the end of Mare Nostrum, restrictions on NGO ships). Rescued people are landed at
the destination, or returned when the rescuer is the departure country's coast guard
(``pullback_share``, set by the separate type ``departure_country_sar``). Smugglers read rescue
capacity when they buy boats and decide to launch in bad weather (``unseaworthy_share_sar``,
``bad_weather_launch_sar``).
Evidence: mortality is elastic to SAR (Amnesty 2015: 1 in 16 after Mare Nostrum ended vs 1 in 427
after the April 2015 reinforcement); the pull effect is contested (Deiana et al. 2024 vs Cusumano &
Villa 2019, Rodriguez Sanchez et al. 2023) - see literature.md.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import Intervention, compose_probability, register


@register
class SearchAndRescue(Intervention):
    name = "search_and_rescue"
    target_kinds = ("route", "edge", "node", "country")
    intensity_range = (-1.0, 1.0)
    intensity_unit = "share of the remaining distress cases rescued"

    def apply(self, levers: Levers, fraction: float) -> None:
        e = self.index
        levers.rescue[e] = compose_probability(levers.rescue[e], self.intensity * fraction)


@register
class DepartureCountrySar(Intervention):
    """Rescues coordinated by the departure country's coast guard: rescued people are returned there."""

    name = "departure_country_sar"
    target_kinds = ("route", "edge", "node", "country")
    intensity_range = (0.0, 1.0)
    intensity_unit = "share of rescues that end in disembarkation in the departure country"

    def apply(self, levers: Levers, fraction: float) -> None:
        e = self.index
        levers.pullback_share[e] = compose_probability(levers.pullback_share[e], self.intensity * fraction)
