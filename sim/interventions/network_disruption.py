"""Network disruption through joint investigations: arrests of smuggler-network members at chosen places.

Mechanism: targeted operations remove ``intensity`` members a month from the cells at the targeted
departure points (spread evenly over days and cells). Option ``targeting`` chooses whom: ``central``
removes organisers (the brokers who hold contacts, boats and reputation), ``peripheral`` removes aides
(drivers, recruiters, guards). A cell launches boats with its organisers, each needing a crew of aides,
so one organiser removed costs as many launches as a whole crew of aides; arrested organisers are also
replaced more slowly (``organiser_recruit_mult`` times the aides' ``recruit_days``), and cells short of
organisers promote aides from rival cells at the same coast (``promotion_rate``). Removing the same
number of people therefore cuts capacity more, and for longer, when brokers are targeted, and the network
recovers once operations stop.
Intensity: persons arrested per month, 0 to 1,000.
Evidence: Campana (2018): organisers ~15%, aides ~85%, no kingpin, rivals absorb demand; Duijn, Kashirin &
Sloot (2014): criminal networks are resilient to disruption; Diviak (2023): removing central actors has
the largest immediate impact but recovery matters more. Magnitudes of capacity loss are assumptions.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import Option, SmugglerIntervention, register

DAYS_PER_MONTH = 30.44


@register
class NetworkDisruption(SmugglerIntervention):
    name = "network_disruption"
    target_kinds = ("route", "node", "country")
    intensity_range = (0.0, 1000.0)
    intensity_unit = "smugglers arrested per month"
    options = {"targeting": Option("central", "whom operations arrest: central organisers or peripheral aides",
                                   choices=("central", "peripheral"))}

    def apply(self, levers: Levers, fraction: float) -> None:
        per_node = self.intensity * fraction / DAYS_PER_MONTH / max(len(self.coasts), 1)
        lever = levers.organiser_arrests if self.opt["targeting"] == "central" else levers.aide_arrests
        lever[self.coasts] += per_node
