"""Online content take-down: removing smugglers' advertising and recruitment posts from platforms.

Mechanism: part of the contact between migrants and smugglers is made online. Taking down a share
``intensity`` of that content makes a smuggler harder to find: at the targeted departure points, a
migrant ready to buy a crossing finds a seller with a chance lowered by ``intensity * online_share``
and otherwise waits (at least ``hub_min_stay_days``) and tries again, with the usual chance of giving up
meanwhile; at a targeted origin the weekly chance of setting out (which needs a first contact) falls by
the same amount. Migrants wait longer, some give up, and smugglers see less demand; displacement to
offline contacts is what the remaining ``1 - online_share`` stands for.
Intensity: share of smuggling content taken down, 0 to 1.
Options: ``online_share`` (0-1, default 0.3): share of contacts made online.
Evidence: Europol's European Migrant Smuggling Centre, first-year activity report (February 2017):
1,150 social-media accounts suspected of advertising smuggling reported in 2016 against 148 in 2015,
with about 90% of removal requests met by providers; EMN Inform 'The use of social media in the fight
against migrant smuggling' (2016): social media raise the reach and volume of smuggling. No published
estimate of the share of contacts made online, or of the effect of take-downs, was found: both
magnitudes are assumptions.
"""

from __future__ import annotations

from sim.core.levers import Levers
from sim.interventions.base import Intervention, Option, register


@register
class ContentTakedown(Intervention):
    name = "content_takedown"
    target_kinds = ("route", "node", "country", "origin")
    intensity_range = (0.0, 1.0)
    intensity_unit = "share of smuggling content taken down"
    options = {"online_share": Option(0.3, "share of migrant-smuggler contacts made online", low=0.0, high=1.0)}

    def apply(self, levers: Levers, fraction: float) -> None:
        cut = 1.0 - self.intensity * fraction * float(self.opt["online_share"])
        if self.kind == "origin":
            levers.departure_mult[self.origins] *= cut
        else:
            levers.contact_mult[self.nodes] *= cut
