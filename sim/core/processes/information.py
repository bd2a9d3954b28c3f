"""What migrants know about each crossing, and the authorities' response to surges they see.

Reads: the levers (for the prior), the attempts and their expected outcomes recorded per crossing per day.
Writes: ``edge_day`` (attempts, expected deaths, expected interceptions per crossing per day, recorded by the
sea and crossings processes as each attempt starts, see :meth:`Information.record`), the decayed information
and, for situational awareness, the day's interception lever.
"""

from __future__ import annotations

import numpy as np

from sim.core.world import SEA, World

PRIOR_PSEUDO_ATTEMPTS = 200.0  # weight of the prior against observed outcomes (assumption)


class Information:
    def __init__(self, world: World) -> None:
        self.world = world
        net = world.net
        self.edge_day = np.zeros((world.calendar.n_days, 3, net.n_edges))  # attempts, deaths, interceptions (persons)
        self.info = np.zeros((3, net.n_edges))
        self.decay = 0.5 ** (1.0 / world.params["info_halflife_days"])
        self.prior: np.ndarray | None = None  # set on the first day, from the levers then in force

    def start_day(self, t: int) -> None:
        """Situational awareness reacts to surges, then what migrants know is brought up to date."""
        self.surge_response(t)
        if self.prior is None:
            self.set_priors()
        lag = int(self.world.params["info_lag_days"])
        self.info *= self.decay
        if t - lag >= 0:
            self.info += self.edge_day[t - lag]

    def set_priors(self) -> None:
        """Risk and interception migrants expect before they have seen outcomes: the first day's levers."""
        w = self.world
        p, lv, net = w.params, w.levers, w.net
        mix = 0.7 + 0.3 * p["distress_mult_unseaworthy"]
        sea = net.edge_distress * mix * (1 - lv.rescue) * p["wreck_mortality"]
        self.prior = np.vstack([np.where(net.edge_mode == SEA, sea, net.edge_risk), lv.interception.copy()])

    def surge_response(self, t: int) -> None:
        """Where authorities share a picture of the flows, interception rises on a crossing whose attempts
        in the last 30 days (seen after the response lag) exceed their mean over the past year."""
        lv = self.world.levers
        edges = np.flatnonzero(lv.surge_gain > 0)
        for lag in np.unique(lv.surge_lag_days[edges]):
            sel = edges[lv.surge_lag_days[edges] == lag]
            end = t - int(lag)
            if end < 60:
                continue
            start = max(0, end - 365)
            recent = self.edge_day[end - 30:end, 0, sel].sum(axis=0)
            usual = self.edge_day[start:end, 0, sel].sum(axis=0) * 30.0 / (end - start)
            surge = np.divide(recent, usual, out=np.ones(len(sel)), where=usual > 0) - 1.0
            gain = lv.surge_gain[sel] * surge.clip(0, 1)  # close this share of the remaining gap
            lv.interception[sel] = 1.0 - (1.0 - lv.interception[sel]) * (1.0 - gain)

    def record(self, t: int, edges: np.ndarray, p_die: np.ndarray, p_intercept: np.ndarray) -> None:
        """Attempts starting today on ``edges`` (one agent each, ``weight`` persons) with each attempt's
        chance to end in death and in interception or pushback: what migrants learn from, in persons.

        Migrants learn the risk of the boats and crossings that went, not the luck of which of them sank:
        the learning signal is each attempt's expected outcome, not its drawn one. A drawn outcome comes in
        lumps of a simulated boat or of one agent (1 / agents_per_person persons), so its noise grows as the
        scale coarsens (at 1/100 the deaths learned per 1,000 attempts on a route in 2014 ran from 0 to 136
        between two replicates), and through the logit (convex for a small route, concave for a large one)
        that noise moved the expected route shares with ``agents_per_person`` (docs/model.md 11, *Scale
        dependence*). Expected outcomes have the same expectation as drawn ones, at every scale, and no
        sampling noise of their own."""
        w = self.world
        n = w.net.n_edges
        day = self.edge_day[t]
        day[0] += np.bincount(edges, minlength=n) * w.weight
        day[1] += np.bincount(edges, weights=p_die, minlength=n) * w.weight
        day[2] += np.bincount(edges, weights=p_intercept, minlength=n) * w.weight

    def perceived(self) -> tuple[np.ndarray, np.ndarray]:
        """Observed death and interception rates per edge, shrunk to the prior with 200 pseudo-attempts."""
        att, deaths, inter = self.info
        k = PRIOR_PSEUDO_ATTEMPTS
        risk = (deaths + k * self.prior[0]) / (att + k)
        intercept = (inter + k * self.prior[1]) / (att + k)
        return risk, intercept
