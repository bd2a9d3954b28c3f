"""Route choice and the prospects migrants weigh: a multinomial logit over enumerated paths.

Reads: today's fees (market), perceived risks (information), the levers, each migrant's node, origin
and information weight.
Writes: each chosen migrant's ``path``, ``leg`` and ``route``. Also the outlook per node, which sets
the daily give-up hazard of those waiting (:meth:`RouteChoice.give_up_rate`), and the origins'
deterrence multiplier.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.core.parameters import DEPARTURE_CONSTANTS
from sim.core.processes.information import Information
from sim.core.processes.market import SmugglerMarket
from sim.core.rng import Decision, keyed_uniform
from sim.core.world import World

MAX_HUB_GIVE_UP = 0.2  # cap on the daily give-up probability in transit, however bleak the prospects
TRANSIT_OUTLOOK_HALFLIFE_DAYS = 90.0  # assumption: those waiting judge the prospects over a season, not a day
OUTLOOK_DECAY = 0.5 ** (1.0 / TRANSIT_OUTLOOK_HALFLIFE_DAYS)


class RouteChoice:
    def __init__(self, world: World, market: SmugglerMarket, information: Information) -> None:
        self.world = world
        self.market = market
        self.information = information
        net = world.net
        country_of_crossing = np.array(net.node_country)[net.edge_from[net.path_crossing]]
        self.departure_paths = {name: country_of_crossing == country  # paths a departure-country constant adds to
                                for name, country in DEPARTURE_CONSTANTS.items()}
        self.n_paths = (net.node_paths >= 0).sum(axis=1)  # paths on offer at each node
        self.paths_by_rank = np.ascontiguousarray(net.node_paths.T)  # (k-th path, node), -1 padded
        last_edge = net.path_edges[np.arange(len(net.path_len)), net.path_len - 1]
        self.path_dest = world.dest_of_node[net.edge_to[last_edge]]  # destination index of each path's end
        self.first_edge = net.path_edges[:, 0].astype(np.intp)
        self._util: tuple[np.ndarray, ...] | None = None  # today's path utilities, computed when first needed
        self._tables: tuple[np.ndarray, ...] | None = None  # the same by (rank, node), see _node_tables
        self._logsum_ref: np.ndarray | None = None  # each origin's logsum on the first day (see deterrence)
        self._outlook: np.ndarray | None = None  # each node's averaged logsum (see give_up_rate)
        self._outlook_ref: np.ndarray | None = None
        self._host_outlook: np.ndarray | None = None  # the same logsum averaged at the hosts' own half-life
        self._host_outlook_ref: np.ndarray | None = None
        self._host_shift_today: np.ndarray | None = None
        self.host_decay = 0.5 ** (1.0 / world.params["host_outlook_halflife_days"])
        self._give_up_today: np.ndarray | None = None
        self._shift_today: np.ndarray | None = None

    def start_day(self, t: int) -> None:
        """Forget yesterday's utilities; average the outlook every day, whether or not anyone waits."""
        self._util = None
        self._give_up_today = None
        self._shift_today = None
        self._host_shift_today = None
        self.give_up_rate()

    def utilities(self) -> tuple[np.ndarray, ...]:
        """Per path: utility at prior beliefs (A) and the shift when beliefs follow observations (B), and
        the risk terms of each, which an information campaign scales for the migrants it reached."""
        if self._util is None:
            self._util = self._path_utilities()
            self._tables = None
        return self._util

    def _node_tables(self) -> tuple[np.ndarray, ...]:
        """Today's A, B, risk A and risk B of the k-th path from each node, (rank, node), built once a day so
        that a draw gathers one table per term instead of path ids first: a padded slot holds A = -inf and 0
        for the others, which gives the -inf utility an absent path has (the information campaign's term
        there is 0 x info + 0, so it leaves the -inf alone)."""
        util = self.utilities()
        if self._tables is None:
            ranks = self.paths_by_rank
            valid = ranks >= 0
            safe = np.where(valid, ranks, 0)
            pads = (-np.inf, 0.0, 0.0, 0.0)
            self._tables = tuple(np.where(valid, x[safe], pad) for x, pad in zip(util, pads, strict=True))
        return self._tables

    def _path_utilities(self) -> tuple[np.ndarray, ...]:
        w = self.world
        net, p, prior = w.net, w.params, self.information.prior
        pe = net.path_edges
        valid = pe >= 0
        e = np.where(valid, pe, 0)
        fee = net.edge_fee[e] * self.market.fee_index[e]
        fees = np.where(valid, fee, 0).sum(1)
        days = np.where(valid, net.edge_duration[e], 0).sum(1)
        risk_obs, int_obs = self.information.perceived()
        cross = net.path_crossing
        land_risk = np.where(valid & ~net.edge_crossing[e], net.edge_risk[e] * w.levers.risk_mult[e], 0).sum(1)
        prior_risk = land_risk + prior[0][cross]
        obs_risk = land_risk + risk_obs[cross]
        prior_int = np.clip(prior[1][cross], 0, 0.99)
        obs_int = np.clip(int_obs[cross], 0, 0.99)
        asc = np.array([p.get(f"asc_{r}", 0.0) for r in net.routes])[net.path_route]  # 0 for routes without one
        arrival = w.levers.arrival_utility
        if arrival.any():  # an onward passage beyond a destination opened or closed (a dated event)
            asc = asc + np.where(self.path_dest >= 0, arrival[np.maximum(self.path_dest, 0)], 0.0)
        for name, leaves_from in self.departure_paths.items():
            asc = asc + p[name] * leaves_from
        risk_a = -p["beta_risk"] * prior_risk * 1000
        risk_b = -p["beta_risk"] * (obs_risk - prior_risk) * 1000
        a = asc - p["beta_fee"] * fees / 1000 - p["beta_time"] * days / 30 + risk_a + p["beta_success"] * np.log1p(
            -prior_int)
        b = risk_b + p["beta_success"] * (np.log1p(-obs_int) - np.log1p(-prior_int))
        return a, b, risk_a, risk_b

    def choose(self, rows: np.ndarray, t: int) -> np.ndarray:
        """Multinomial logit over the paths from each migrant's node, sampled by inverting the cumulative
        choice probabilities at one keyed draw (monotone coupling: paired scenarios stay paired). Sets each
        migrant's ``path``, ``leg`` (0) and ``route``, and returns the first leg of the chosen path (the leg
        they take next). A migrant with one path takes it without a draw (the draw would not change the
        pick, and skipping it moves no other draw)."""
        if len(rows) == 0:  # nobody to draw for (the day's utilities hold all day, so computing them later is the same)
            return self.first_edge[:0]
        w = self.world
        pop = w.pop
        mult = w.levers.perceived_risk_mult
        pick = _choose(rows, pop.node, pop.info, pop.origin, pop.uid, self.n_paths, *self._node_tables(),
                       mult - 1.0, bool((mult != 1.0).any()), self.paths_by_rank, w.net.path_route, pop.path,
                       pop.leg, pop.route, w.streams.salt(Decision.ROUTE_CHOICE, t))
        return self.first_edge[pick]

    def cheapest_first_fee(self) -> np.ndarray:
        """Per node, today's lowest fee (EUR) of the first leg of a path from it (inf where none starts)."""
        fee = self.market.fee(self.first_edge)
        return np.where(self.paths_by_rank >= 0, fee[np.maximum(self.paths_by_rank, 0)], np.inf).min(axis=0)

    def logsums(self, nodes: np.ndarray, info: np.ndarray) -> np.ndarray:
        """The logsum ln sum_k exp(V_k) of the utilities of the paths from each of ``nodes``, judged at
        ``info``: the expected value of the best path on offer there, what a nested logit compares with staying."""
        a, b = self.utilities()[:2]
        alts = self.world.net.node_paths[nodes]
        k = np.maximum(alts, 0)
        v = np.where(alts >= 0, a[k] + info[:, None] * b[k], -np.inf)
        top = np.max(v, axis=1, initial=-np.inf)
        top = np.where(np.isfinite(top), top, 0.0)  # a node without paths (a destination) has no choice to judge
        return top + np.log(np.maximum(np.exp(v - top[:, None]).sum(axis=1), 1e-300))

    def deterrence(self) -> np.ndarray:
        """Multiplier on each origin's departure rate: exp(lambda * (L - L0)), with L the logsum of the
        utilities of the origin's paths today (at the origin's mean information) and L0 its value on the first
        simulated day. This is the nested logit in which staying keeps a fixed utility and departing is rare:
        dearer, riskier or more often intercepted journeys deter some departures rather than only diverting
        them; ``deterrence`` (lambda) = 0 switches it off, 1 is the plain nested logit."""
        net = self.world.net
        lam = self.world.params["deterrence"]
        if lam == 0:
            return np.ones(len(net.origins))
        logsum = self.logsums(net.origin_node, net.origin_info_mean)
        if self._logsum_ref is None:
            self._logsum_ref = logsum
        return np.exp(lam * (logsum - self._logsum_ref))

    def give_up_rate(self) -> np.ndarray:
        """Daily probability, per node, that a migrant waiting or queueing there settles or goes home.

        ``hub_give_up_rate`` x exp(-theta (O_n - O_n*)): O_n is the outlook at node n, the logsum of the
        utilities of the paths onward from it (at the origins' mean information) averaged with a half-life
        of ``TRANSIT_OUTLOOK_HALFLIFE_DAYS``, and O_n* its value on the first day of the reported period.
        Worse prospects ahead (more interceptions or deaths seen, dearer boats) make those waiting give up
        sooner, so enforcement can lower the number who ever cross, not only divert them; better prospects
        hold them. The average keeps a single wreck from emptying a coast. ``transit_deterrence`` (theta) =
        0 keeps the hazard constant; during the spin-up it is constant too. Computed once a day."""
        if self._give_up_today is not None:
            return self._give_up_today
        p = self.world.params
        rate = np.full(self.world.net.n_nodes, p["hub_give_up_rate"])
        theta = p["transit_deterrence"]
        if theta > 0 and rate[0] > 0:
            shift = self.outlook_shift()
            if self._outlook_ref is not None:
                rate = np.minimum(MAX_HUB_GIVE_UP, rate * np.exp(-theta * shift))
        self._give_up_today = rate
        return rate

    def outlook_shift(self) -> np.ndarray:
        """O_n - O_n* per node: how far the averaged outlook (see :meth:`give_up_rate`) has moved since the
        first day of the reported period (zero until then). The average is updated once a day, on the first
        call of the day, by whichever process needs it (waiting migrants, host stocks)."""
        if self._shift_today is not None:
            return self._shift_today
        w = self.world
        net = w.net
        logsum = self.logsums(np.arange(net.n_nodes), np.full(net.n_nodes, float(np.mean(net.origin_info_mean))))
        if self._outlook is None:
            self._outlook, self._host_outlook = logsum, logsum.copy()
        self._outlook = self._outlook + (1.0 - OUTLOOK_DECAY) * (logsum - self._outlook)
        self._host_outlook = self._host_outlook + (1.0 - self.host_decay) * (logsum - self._host_outlook)
        if self._outlook_ref is None and w.month(w.day) >= 0:
            self._outlook_ref = self._outlook.copy()
            self._host_outlook_ref = self._host_outlook.copy()
        ref = self._outlook if self._outlook_ref is None else self._outlook_ref
        self._shift_today = self._outlook - ref
        host_ref = self._host_outlook if self._host_outlook_ref is None else self._host_outlook_ref
        self._host_shift_today = self._host_outlook - host_ref
        return self._shift_today

    def host_outlook_shift(self) -> np.ndarray:
        """As :meth:`outlook_shift`, averaged with the half-life ``host_outlook_halflife_days``: how fast people
        living in a host hear that the way on opened or closed may differ from how those already waiting at a
        hub or coast judge it (the same half-life gives the same shift)."""
        if self._host_shift_today is None:
            self.outlook_shift()
        return self._host_shift_today


@numba.njit(cache=True)
def _choose(rows: np.ndarray, node: np.ndarray, info: np.ndarray, origin: np.ndarray, uid: np.ndarray,
            n_paths: np.ndarray, a: np.ndarray, b: np.ndarray, risk_a: np.ndarray, risk_b: np.ndarray,
            extra: np.ndarray, campaign: bool, paths_by_rank: np.ndarray, path_route: np.ndarray,
            path: np.ndarray, leg: np.ndarray, route: np.ndarray, salt: np.uint64) -> np.ndarray:
    """The chosen path of each row among the paths from its node (tables are (rank, node), see
    ``_node_tables``): utility a + info x b (plus the campaign's scaled risk terms, ``extra`` per origin),
    minus the largest, exponentiated and summed in rank order; the draw times the total falls in one slot
    (k - 1 comparisons). Writes ``path``, ``leg`` and ``route``; returns the picks."""
    picks = np.empty(len(rows), np.int64)
    v = np.empty(a.shape[0])
    for j in range(len(rows)):
        i = rows[j]
        n = node[i]
        k = n_paths[n]
        rank = 0
        if k > 1:
            x = np.float64(info[i])
            top = -np.inf
            for r in range(k):
                v[r] = b[r, n] * x + a[r, n]
                if campaign:
                    v[r] += (risk_b[r, n] * x + risk_a[r, n]) * extra[origin[i]]
                top = max(top, v[r])
            total = 0.0
            for r in range(k):
                d = v[r] - top
                total += 1.0 if d == 0.0 else np.exp(d)  # exp(0) is exactly 1: the best path costs no exp
                v[r] = total
            u = keyed_uniform(np.uint64(uid[i]), salt) * total
            for r in range(k - 1):
                if v[r] < u:
                    rank += 1
        p = paths_by_rank[rank, n]
        picks[j] = p
        path[i] = p
        leg[i] = 0
        route[i] = path_route[p]
    return picks
