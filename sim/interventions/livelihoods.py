"""Root causes and alternative livelihoods: jobs and income at an origin.

Mechanism: better prospects at home lower the weekly probability that an aspirant sets out by
``intensity``; option ``income_gain`` raises what aspirants earn and save at the origin by that share,
which also lets them pay smugglers sooner - the 'migration hump' (Clemens 2014): at low incomes,
development can raise emigration before it lowers it. A negative intensity represents that case.
Intensity: fall in the weekly chance of setting out, -1 to 1 (negative: a rise).
Options: ``income_gain`` (0-10, default 0): rise in earnings at the origin (share).
Evidence: Deiana et al. (2024) and Barslund et al. (2019) point to conditions at home as the more
effective demand-side lever; Clemens (2014, 'Does development reduce migration?', IZA DP 8592): the hump.
The size of both effects is an assumption.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import Intervention, Option, register


@register
class Livelihoods(Intervention):
    name = "livelihoods"
    target_kinds = ("origin",)
    intensity_range = (-1.0, 1.0)
    intensity_unit = "fall in the weekly chance of setting out (share)"
    options = {"income_gain": Option(0.0, "rise in earnings at the origin (share)", low=0.0, high=10.0)}

    def apply(self, levers: Levers, fraction: float) -> None:
        o = self.origins
        levers.departure_mult[o] *= 1.0 - self.intensity * fraction
        levers.wage_mult[o] *= 1.0 + float(self.opt["income_gain"]) * fraction
