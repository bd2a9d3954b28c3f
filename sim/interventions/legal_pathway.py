"""Legal pathways: yearly places (resettlement, humanitarian visas, labour schemes) from an origin.

Mechanism: eligible aspirants still at the origin take a place instead of a smuggler, at up to
``intensity`` persons per year (spread evenly over days). They leave the pool of would-be irregular
migrants, so irregular departures and smugglers' revenue from that origin fall. Option ``destination``
(a destination node of the network) sets where the places are; without it, people go where they had
planned. Legal entries are reported by origin, by destination and by the route they would have taken.
Evidence: on their own legal pathways move irregular attempts only a little (Barslund, Di Salvo &
Ludolph 2019, CEPS/MEDAM); combined with enforcement they do more (Clemens & Gough 2018, CGD) - see literature.md.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.core.network import Network
from sim.errors import InputError
from sim.interventions.base import Intervention, Option, register


def destination_column(intervention: Intervention, net: Network) -> int:
    """Column of the places table: 0 for 'where they planned', 1 + index for a named destination."""
    dest = str(intervention.opt["destination"])
    if not dest:
        return 0
    if dest not in net.destinations:
        raise InputError(f"option destination: '{dest}' is not one of {', '.join(net.destinations)}")
    return 1 + net.destinations.index(dest)


@register
class LegalPathway(Intervention):
    name = "legal_pathway"
    target_kinds = ("origin",)
    intensity_range = (0.0, 1e7)
    intensity_unit = "places per year"
    options = {"destination": Option("", "destination node the places are in (default: where people planned)")}

    def __init__(self, spec, net) -> None:  # noqa: ANN001
        super().__init__(spec, net)
        self.column = destination_column(self, net)

    def apply(self, levers: Levers, fraction: float) -> None:
        levers.legal_places[self.origins, self.column] += self.intensity * fraction
