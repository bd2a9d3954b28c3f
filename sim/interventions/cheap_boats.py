"""Cheap boats: smugglers at a departure point switch to a cheaper, flimsier kind of boat.

Not a policy lever: a dated supply shock of the record, which the baseline carries the way it carries
origin pressure.

Mechanism: the sea-crossing fees at the target's departure points fall by ``intensity`` (a share), in
what migrants expect to pay and in what they pay; and the smuggler cells there buy a larger share of
unseaworthy boats (``unseaworthy_share`` more at full intensity), so deaths per attempt rise.
Intensity: share by which the crossing fee falls, 0 to 0.95.
Evidence: Tunisia's welded metal boats, first detected in August 2022: a crossing on one sold for about
EUR 500 against EUR 1,500-2,000 on a larger boat, and they are 'not really seaworthy' (Frontex executive
director to dpa, May 2023); by 2024 they carried about half of the crossings on that corridor (European
Commission report, October 2024, as reported); literature-survey.md section 8.10. The size of the shift
to unseaworthy boats is an assumption.
"""

from __future__ import annotations

import numpy as np

from sim.core.levers import Levers
from sim.core.network import MODES
from sim.interventions.base import Intervention, Option, register

SEA = MODES.index("sea")


@register
class CheapBoats(Intervention):
    name = "cheap_boats"
    target_kinds = ("route", "node", "country", "edge")
    intensity_range = (0.0, 0.95)
    intensity_unit = "share by which the crossing fee falls"
    options = {
        "unseaworthy_share": Option(0.5, "extra share of unseaworthy boats bought at full intensity "
                                    "(assumption; basis: about half of the Tunisian crossings by 2024)",
                                    low=0.0, high=1.0),
    }

    def __init__(self, spec, net) -> None:  # noqa: ANN001
        super().__init__(spec, net)
        self.sea_edges = self.edges[net.edge_mode[self.edges] == SEA]
        self.boat_nodes = np.unique(net.edge_from[self.sea_edges]).astype(np.intp)

    def apply(self, levers: Levers, fraction: float) -> None:
        s = self.intensity * fraction
        levers.fee_mult[self.sea_edges] *= 1.0 - s
        levers.unseaworthy_extra[self.boat_nodes] += float(self.opt["unseaworthy_share"]) * fraction
