"""Origin pressure: a dated driver (war, displacement, economic collapse) that changes how many people
set out to migrate from an origin. Not a policy lever: it is how the baseline carries the record's
shocks (the 2015 Syrian and Afghan displacement, the August 2021 Taliban takeover, the April 2023 war in
Sudan), each dated from the record with only its strength to be estimated.

Mechanism: multiplies the inflow of aspirants at the origin by ``intensity`` (1 = no change).
Evidence: not a policy lever; each baseline entry's note cites the record it is dated from
(``scenarios/baseline.yaml``), and its strength is estimated by calibration.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import Intervention, register


@register
class OriginPressure(Intervention):
    name = "origin_pressure"
    target_kinds = ("origin",)
    intensity_range = (0.0, 100.0)
    intensity_unit = "multiplier on aspirants per month"

    def apply(self, levers: Levers, fraction: float) -> None:
        # the ramp moves the multiplier from 1 to the intensity
        levers.pressure_mult[self.index] *= 1.0 + (self.intensity - 1.0) * fraction
