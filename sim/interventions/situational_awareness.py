"""Situational-awareness data sharing: enforcement follows the flows when they shift between crossings.

Mechanism: with a shared, near-real-time picture (EUROSUR-style), authorities on the targeted crossings
raise interception where attempts surge: when the attempts on a crossing in the last 30 days exceed its
mean over the past year by a share x (capped at 1), interception there rises by ``intensity * x`` of the
remaining gap, as seen ``lag_days`` after the fact. Without data sharing the model's enforcement levels
are fixed (dated scenario entries carry the record's responses), so the lever's effect is the faster
response: less displacement to the crossings that enforcement elsewhere pushes people to.
Intensity: gain, the share of the remaining gap closed per unit of surge, 0 to 1.
Options: ``lag_days`` (1-365, default 14): days from a surge to the response.
Evidence: the Call to Action asks for data sharing; Frontex Risk Analyses document displacement between
crossings after enforcement (e.g. Western Med 2018). The gain and lag are assumptions.
"""

from __future__ import annotations

import numpy as np

from sim.core.levers import Levers
from sim.interventions.base import Intervention, Option, register


@register
class SituationalAwareness(Intervention):
    name = "situational_awareness"
    target_kinds = ("route", "edge", "node", "country")
    intensity_range = (0.0, 1.0)
    intensity_unit = "extra interception per unit surge (share of the remaining gap)"
    options = {"lag_days": Option(14.0, "days from a surge in attempts to the response", low=1.0, high=365.0)}

    def apply(self, levers: Levers, fraction: float) -> None:
        e = self.edges
        levers.surge_gain[e] = np.maximum(levers.surge_gain[e], self.intensity * fraction)
        levers.surge_lag_days[e] = round(float(self.opt["lag_days"]))
