"""Seizure and destruction of boats and vehicles.

Mechanism, at sea departure points: a share ``intensity`` of the boats in smugglers' stock is seized
each month (a daily rate), so cells must buy again; expecting to lose boats, they buy cheaper,
unseaworthy ones (``unseaworthy_share_seizure``), and when capital runs short they buy fewer. Crossings
fall only while stocks are short, and deaths per attempt rise with the share of unseaworthy boats.
On land legs (vehicles: trucks and pick-ups at hubs such as Agadez or Sabha), smugglers pass on the
cost (``fee_increase``, fees rise by that share at full intensity) and switch to riskier vehicles and
routes (``risk_increase``, death risk of the leg rises by that share).
Intensity: share of boats (or vehicles) seized per month, 0 to 0.99.
Evidence: House of Lords EU Committee, 'Operation Sophia: a failed mission' (HL Paper 5, July 2017):
destroying boats made smugglers switch from wooden boats to rubber dinghies and more people died; on
land, once Niger enforced its law 2015-036 from 2016, tighter security let smugglers charge a premium and
pushed migrants onto riskier desert routes (P. Tinti, GI-TOC; literature-survey.md). The sizes of the
fee and risk increases are assumptions.
"""

from __future__ import annotations

import math

import numpy as np

from sim.core.levers import Levers
from sim.core.network import MODES
from sim.interventions.base import Intervention, Option, register

SEA = MODES.index("sea")


@register
class BoatSeizure(Intervention):
    name = "boat_seizure"
    target_kinds = ("route", "node", "country", "edge")
    intensity_range = (0.0, 0.99)
    intensity_unit = "share of boats or vehicles seized per month"
    options = {
        "fee_increase": Option(0.3, "rise in land-leg fees at full intensity (share)", low=0.0, high=5.0),
        "risk_increase": Option(0.5, "rise in land-leg death risk at full intensity (share)", low=0.0, high=5.0),
    }

    def __init__(self, spec, net) -> None:  # noqa: ANN001
        super().__init__(spec, net)
        sea = net.edge_mode[self.edges] == SEA
        self.boat_nodes = np.unique(net.edge_from[self.edges[sea]]).astype(np.intp)
        self.land_edges = self.edges[~sea]

    def apply(self, levers: Levers, fraction: float) -> None:
        s = self.intensity * fraction
        levers.boat_seizure_rate[self.boat_nodes] += -math.log1p(-s) / 30.44
        levers.fee_mult[self.land_edges] *= 1.0 + float(self.opt["fee_increase"]) * s
        levers.risk_mult[self.land_edges] *= 1.0 + float(self.opt["risk_increase"]) * s
