"""The whole-route model: one day per step, migrants in arrays, smugglers and authorities as Mesa agents.

Each day: authorities write their baseline levers, interventions adjust them, smuggler cells update
members, boats and prices; then new aspirants appear at origins and every migrant whose timer has run
out is handled by its status (leave or not, travel, wait and work, board a boat, survive the crossing,
be detained or returned). Outcomes are counted per month and route. The core does no file I/O.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import mesa
import numpy as np

from sim import interventions as iv
from sim.authorities import BorderAuthority
from sim.levers import Levers
from sim.network import Network
from sim.parameters import DEPARTURE_CONSTANTS
from sim.population import (
    FINAL,
    INTENT_ARRIVE,
    INTENT_DIE,
    INTENT_GIVE_UP,
    INTENT_INTERCEPT,
    INTENT_NONE,
    INTENT_PUSHBACK,
    N_STATUS,
    NEVER,
    Population,
    Status,
)
from sim.rng import Decision, Streams
from sim.smugglers import LandNetwork, SeaCell

EPOCH = dt.date(1970, 1, 1)
ATTEMPT_KEYED = -1  # the "day" of keyed draws that belong to a crossing attempt rather than to a date
REVIEW_DAYS = 7  # aspirants at origin review their plans weekly
MAX_HUB_GIVE_UP = 0.2  # cap on the daily give-up probability in transit, however bleak the prospects
TRANSIT_OUTLOOK_HALFLIFE_DAYS = 90.0  # assumption: those waiting judge the prospects over a season, not a day
OUTLOOK_DECAY = 0.5 ** (1.0 / TRANSIT_OUTLOOK_HALFLIFE_DAYS)
SEA = 2  # index of "sea" in network.MODES

# Monthly flows per route (persons; revenue in EUR). Stocks are recorded at month end.
ROUTE_FLOWS = (
    "departures", "crossing_attempts", "arrivals", "interceptions", "returns", "pushbacks", "dead_missing",
    "dead_missing_sea", "dead_missing_land", "rescued", "legal_entries", "smuggler_revenue", "smugglers_arrested",
    "proceeds_confiscated",
)
ROUTE_STOCKS = ("stranded", "in_transit")


@dataclass(frozen=True)
class ModelConfig:
    """Everything one replicate needs; built from a scenario by :mod:`sim.run`."""

    net: Network
    params: dict[str, float]
    interventions: tuple[iv.InterventionSpec, ...]
    start: dt.date  # first reported day (a month start)
    end: dt.date  # last reported day
    spinup_days: int = 365
    agents_per_person: float = 1.0
    seed: int = 1
    check_conservation: bool = False


@dataclass
class ReplicateResult:
    """Monthly tallies of one replicate (persons, i.e. already divided by agents_per_person)."""

    months: list[dt.date]
    route: dict[str, np.ndarray]  # name -> (months, routes)
    boats_launched: np.ndarray  # (months, routes, 2 boat classes)
    arrivals_by_destination: np.ndarray  # (months, destinations)
    departures_by_origin: np.ndarray  # (months, origins)
    legal_by_origin: np.ndarray  # (months, origins)
    legal_by_destination: np.ndarray  # (months, destinations)
    revenue_by_origin: np.ndarray  # (months, origins) EUR
    by_crossing: dict[str, np.ndarray]  # attempts, arrivals, dead_missing, interceptions: (months, crossing edges)
    price_index: np.ndarray  # (months, routes) mean smuggler price index at month end
    smuggler_capacity: np.ndarray  # (months, routes) seats a day at month end
    boat_load: np.ndarray  # (months, routes) mean load factor of boats (1 = nominal size) at month end
    agent_steps: int
    agents_created: int


class RouteModel(mesa.Model):
    def __init__(self, config: ModelConfig, replicate: int = 0) -> None:
        super().__init__(seed=config.seed * 100003 + replicate)
        self.config = config
        self.net = net = config.net
        self.params = config.params
        self.agents_per_person = config.agents_per_person
        self.weight = 1.0 / config.agents_per_person  # persons per agent
        self.streams = Streams(config.seed, replicate)
        self.levers = Levers(net)
        self.interventions = [iv.make(s, net) for s in config.interventions]
        self.pop = Population(capacity=200_000)

        # calendar: day 0 is the first spin-up day
        self.first_day = config.start - dt.timedelta(days=config.spinup_days)
        self.n_days = (config.end - self.first_day).days + 1
        self.months = _month_starts(config.start, config.end)
        self.day = 0
        self.date = self.first_day
        self._month_of_day = np.full(self.n_days, -1, np.int32)
        self._month_end = np.zeros(self.n_days, bool)
        for d in range(config.spinup_days, self.n_days):
            date = self.first_day + dt.timedelta(days=d)
            self._month_of_day[d] = (date.year - config.start.year) * 12 + date.month - config.start.month
            self._month_end[d] = (date + dt.timedelta(days=1)).day == 1 or d == self.n_days - 1

        # Mesa agents: authorities, then smuggler cells (sea) and land networks
        for spec in net.authorities:
            BorderAuthority(self, spec)
        self.cells: list[SeaCell] = []
        n_cells = int(self.params["cells_per_coast"])
        for node in range(net.n_nodes):
            has_sea = np.any((net.edge_from == node) & (net.edge_mode == SEA))
            if has_sea:
                for _ in range(n_cells):
                    self.cells.append(SeaCell(self, len(self.cells), node))
        self.land = {n: LandNetwork(self, n) for n in range(net.n_nodes)
                     if np.any((net.edge_from == n) & (net.edge_mode != SEA))}
        self._cells_at = {n: [c for c in self.cells if c.node == n] for n in range(net.n_nodes)}
        self._sea_edges_of_cells = [(np.flatnonzero((net.edge_from == n) & (net.edge_mode == SEA)), cells)
                                    for n, cells in self._cells_at.items() if cells]
        for cell in self.cells:  # the smuggler network: rivals at the same stage, land networks feeding it
            cell.partners = [c for c in self._cells_at[cell.node] if c is not cell]
            feeders = net.edge_from[(net.edge_to == cell.node)]
            cell.suppliers = [self.land[int(n)] for n in feeders if int(n) in self.land]
        self._cell_node = np.array([c.node for c in self.cells], dtype=np.intp)
        sea_edges = np.flatnonzero(net.edge_mode == SEA)
        self._node_route = np.zeros(net.n_nodes, np.intp)  # the route a departure point serves
        self._node_route[net.edge_from[sea_edges[::-1]]] = net.edge_route[sea_edges[::-1]]
        counts = np.bincount(self._cell_node, minlength=net.n_nodes)
        self._node_first_cell = np.r_[0, np.cumsum(counts)[:-1]]  # cells are created node by node
        self._node_last_cell = np.maximum(self._node_first_cell + counts - 1, 0)

        # tallies
        nm, nr = len(self.months), len(net.routes)
        self.tally = {name: np.zeros((nm, nr)) for name in ROUTE_FLOWS + ROUTE_STOCKS}
        self.boats_launched = np.zeros((nm, nr, 2))
        self.arrivals_by_dest = np.zeros((nm, len(net.destinations)))
        self.departures_by_origin = np.zeros((nm, len(net.origins)))
        self.legal_by_origin = np.zeros((nm, len(net.origins)))
        self.legal_by_dest = np.zeros((nm, len(net.destinations)))
        self.revenue_by_origin = np.zeros((nm, len(net.origins)))
        self.price_index = np.zeros((nm, nr))
        self.capacity = np.zeros((nm, nr))
        self.load = np.zeros((nm, nr))
        self.crossing_edges = np.flatnonzero(net.edge_crossing)
        self.by_crossing = {k: np.zeros((nm, net.n_edges))
                            for k in ("attempts", "arrivals", "dead_missing", "interceptions")}
        self._dest_index = {net.node(d): i for i, d in enumerate(net.destinations)}
        self._dest_of_node = np.array([self._dest_index.get(n, -1) for n in range(net.n_nodes)])
        self.agent_steps = 0
        self.created = 0
        self.final_counts = np.zeros(N_STATUS, np.int64)

        # what migrants know: exponentially weighted outcomes per crossing edge, seen with a lag
        self._edge_day = np.zeros((self.n_days, 3, net.n_edges))  # attempts, deaths, interceptions
        self._info = np.zeros((3, net.n_edges))
        self._info_decay = 0.5 ** (1.0 / self.params["info_halflife_days"])
        self._prior = None  # set on the first day, from the levers then in force
        self._transit_wage = net.node_wage * self.params["transit_wage_mult"]  # EUR a day earned while waiting
        country_of_crossing = np.array(net.node_country)[net.edge_from[net.path_crossing]]
        self._departure_paths = {name: country_of_crossing == country  # paths a departure-country constant adds to
                                 for name, country in DEPARTURE_CONSTANTS.items()}
        self._logsum_ref: np.ndarray | None = None  # each origin's logsum on the first day (see _deterrence)
        self._outlook: np.ndarray | None = None  # each node's averaged logsum (see _hub_give_up)
        self._outlook_ref: np.ndarray | None = None
        self._give_up_today: np.ndarray | None = None
        self._driver_from: dt.date | None = None  # see project_drivers
        self._driver_path: np.ndarray | None = None

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        t = self.day
        self.date = self.first_day + dt.timedelta(days=t)
        self.levers.reset()
        self.agents_by_type[BorderAuthority].do("step")
        for intervention in self.interventions:
            frac = intervention.active_fraction(self.date)
            if frac > 0:
                intervention.apply(self.levers, frac)
        if self._driver_from is not None and self.date >= self._driver_from:
            k = (self.date.year - self._driver_from.year) * 12 + self.date.month - self._driver_from.month
            self.levers.pressure_mult[:] = self._driver_path[min(k, len(self._driver_path) - 1)]
        self._surge_response(t)
        if self._prior is None:
            self._set_priors()
        self._update_information(t)
        self._node_levers()
        self._smuggler_queues()
        for cell in self.cells:
            cell.step()
        self._fee_idx = self._fee_index()
        self._util = None
        self._give_up_today = None
        self._hub_give_up()  # the outlook is averaged every day, whether or not anyone waits today

        self._new_aspirants(t)
        pop = self.pop
        self.agent_steps += pop.n - pop.n_final_rows
        due = np.flatnonzero(pop.until[: pop.n] <= t)
        if len(due):
            st = pop.status[due]
            handlers = (
                (Status.AT_SEA, self._crossing_outcome),
                (Status.TRAVELLING, self._end_of_leg),
                (Status.DETAINED, self._release),
                (Status.RETURNED, self._after_return),
                (Status.WAITING, self._ready_to_move),
                (Status.AT_ORIGIN, self._at_origin),
            )
            for status, handler in handlers:
                rows = due[st == status]
                if len(rows):
                    handler(rows, t)
            self._board(due[st == Status.WITH_SMUGGLER], t)
        if self._month_end[t]:
            self._record_stocks(t)
        if self.config.check_conservation:
            self.assert_conservation()
        if pop.n_final_rows > 0.25 * pop.n:
            pop.compact()
        self.day += 1

    def run(self, progress=None) -> ReplicateResult:  # noqa: ANN001 - any callable(int)
        reported = 0
        while self.day < self.n_days:
            self.step()
            if progress is not None and (self.day % 30 == 0 or self.day == self.n_days):
                progress(self.day - reported)
                reported = self.day
        return self.result()

    def run_until(self, date: dt.date) -> None:
        """Step through the day before ``date`` (a forecast origin), or to the end of the calendar."""
        stop = min(self.n_days, (date - self.first_day).days)
        while self.day < stop:
            self.step()

    def project_drivers(self, start: dt.date, path: np.ndarray) -> None:
        """From ``start`` (a month start) on, the origin-pressure multiplier is ``path`` (months x origins)
        rather than the scenario's origin_pressure entries: a forecast's projected drivers."""
        if path.ndim != 2 or path.shape[1] != len(self.net.origins):
            raise ValueError("a driver path is months x origins")
        self._driver_from, self._driver_path = start, np.asarray(path, float)

    def month_index(self, month: dt.date) -> int:
        return (month.year - self.config.start.year) * 12 + month.month - self.config.start.month

    # ------------------------------------------------------------------ helpers
    def _m(self, t: int) -> int:
        return int(self._month_of_day[t])

    def _add(self, name: str, t: int, route: np.ndarray, amount: np.ndarray | float = 1.0) -> None:
        m = self._m(t)
        if m >= 0:
            np.add.at(self.tally[name][m], route, amount)

    def _add_edge(self, name: str, t: int, edges: np.ndarray) -> None:
        m = self._m(t)
        if m >= 0:
            np.add.at(self.by_crossing[name][m], edges, self.weight)

    def _add_origin_revenue(self, t: int, rows: np.ndarray, eur: np.ndarray) -> None:
        m = self._m(t)
        if m >= 0:
            np.add.at(self.revenue_by_origin[m], self.pop.origin[rows], eur)

    def _attempt_key(self, rows: np.ndarray) -> np.ndarray:
        """A key for draws that belong to a person's n-th sea crossing attempt (id in the low 48 bits)."""
        pop = self.pop
        return pop.uid[rows] | (np.minimum(pop.attempts[rows], 255).astype(np.int64) << 48)

    def record_arrests(self, node: int, persons: float) -> None:
        """Smugglers arrested today at a departure point (members of cells; real persons)."""
        self._add("smugglers_arrested", self.day, np.array([self._node_route[node]]), persons)

    def record_confiscation(self, node: int, eur: float) -> None:
        self._add("proceeds_confiscated", self.day, np.array([self._node_route[node]]), eur)

    def _finalise(self, rows: np.ndarray, status: Status) -> None:
        self.pop.finalise(rows, status)
        self.final_counts[status] += len(rows)

    def _set_priors(self) -> None:
        """Risk and interception migrants expect before they have seen outcomes: the first day's levers."""
        p, lv, net = self.params, self.levers, self.net
        mix = 0.7 + 0.3 * p["distress_mult_unseaworthy"]
        sea = net.edge_distress * mix * (1 - lv.rescue) * p["wreck_mortality"]
        self._prior = np.vstack([np.where(net.edge_mode == SEA, sea, net.edge_risk), lv.interception.copy()])

    def _surge_response(self, t: int) -> None:
        """Where authorities share a picture of the flows, interception rises on a crossing whose attempts
        in the last 30 days (seen after the response lag) exceed their mean over the past year."""
        lv = self.levers
        edges = np.flatnonzero(lv.surge_gain > 0)
        for lag in np.unique(lv.surge_lag_days[edges]):
            sel = edges[lv.surge_lag_days[edges] == lag]
            end = t - int(lag)
            if end < 60:
                continue
            start = max(0, end - 365)
            recent = self._edge_day[end - 30:end, 0, sel].sum(axis=0)
            usual = self._edge_day[start:end, 0, sel].sum(axis=0) * 30.0 / (end - start)
            surge = np.divide(recent, usual, out=np.ones(len(sel)), where=usual > 0) - 1.0
            gain = lv.surge_gain[sel] * surge.clip(0, 1)  # close this share of the remaining gap
            lv.interception[sel] = 1.0 - (1.0 - lv.interception[sel]) * (1.0 - gain)

    def _update_information(self, t: int) -> None:
        lag = int(self.params["info_lag_days"])
        self._info *= self._info_decay
        if t - lag >= 0:
            self._info += self._edge_day[t - lag]

    def _perceived(self) -> tuple[np.ndarray, np.ndarray]:
        """Observed death and interception rates per edge, shrunk to the prior with 200 pseudo-attempts."""
        att, deaths, inter = self._info
        k = 200.0
        risk = (deaths + k * self._prior[0]) / (att + k)
        intercept = (inter + k * self._prior[1]) / (att + k)
        return risk, intercept

    def _path_utilities(self) -> tuple[np.ndarray, ...]:
        """Per path: utility at prior beliefs (A) and the shift when beliefs follow observations (B), and
        the risk terms of each, which an information campaign scales for the migrants it reached."""
        net, p = self.net, self.params
        pe = net.path_edges
        valid = pe >= 0
        e = np.where(valid, pe, 0)
        fee = net.edge_fee[e] * self._fee_idx[e]
        fees = np.where(valid, fee, 0).sum(1)
        days = np.where(valid, net.edge_duration[e], 0).sum(1)
        risk_obs, int_obs = self._perceived()
        cross = net.path_crossing
        land_risk = np.where(valid & ~net.edge_crossing[e], net.edge_risk[e] * self.levers.risk_mult[e], 0).sum(1)
        prior_risk = land_risk + self._prior[0][cross]
        obs_risk = land_risk + risk_obs[cross]
        prior_int = np.clip(self._prior[1][cross], 0, 0.99)
        obs_int = np.clip(int_obs[cross], 0, 0.99)
        asc = np.array([p.get(f"asc_{r}", 0.0) for r in net.routes])[net.path_route]  # 0 for routes without one
        for name, leaves_from in self._departure_paths.items():
            asc = asc + p[name] * leaves_from
        risk_a = -p["beta_risk"] * prior_risk * 1000
        risk_b = -p["beta_risk"] * (obs_risk - prior_risk) * 1000
        a = asc - p["beta_fee"] * fees / 1000 - p["beta_time"] * days / 30 + risk_a + p["beta_success"] * np.log1p(
            -prior_int)
        b = risk_b + p["beta_success"] * (np.log1p(-obs_int) - np.log1p(-prior_int))
        return a, b, risk_a, risk_b

    def _fee_index(self) -> np.ndarray:
        """Price index per edge: the mean of the cells at its departure point (1 for land legs)."""
        idx = self.levers.fee_mult.copy()
        for sea, cells in self._sea_edges_of_cells:
            idx[sea] *= sum(c.price_index for c in cells) / len(cells)
        return idx

    def _choose_paths(self, rows: np.ndarray, t: int) -> None:
        """Multinomial logit over the paths from each migrant's node, sampled by inverting the cumulative
        choice probabilities at one keyed draw (monotone coupling: paired scenarios stay paired)."""
        pop, net = self.pop, self.net
        alts = net.node_paths[pop.node[rows]]
        valid = alts >= 0
        if self._util is None:
            self._util = self._path_utilities()
        a, b, risk_a, risk_b = self._util
        safe = np.where(valid, alts, 0)
        info = pop.info[rows][:, None]
        v = a[safe] + info * b[safe]
        extra = self.levers.perceived_risk_mult[pop.origin[rows]] - 1.0
        if extra.any():
            v += extra[:, None] * (risk_a[safe] + info * risk_b[safe])
        v[~valid] = -np.inf
        w = np.exp(v - v.max(axis=1, keepdims=True))
        cum = np.cumsum(w, axis=1)
        u = self.streams.uniform(Decision.ROUTE_CHOICE, t, pop.uid[rows]) * cum[:, -1]
        k = np.minimum((cum < u[:, None]).sum(axis=1), alts.shape[1] - 1)
        pick = alts[np.arange(len(rows)), k]
        pop.path[rows] = pick
        pop.leg[rows] = 0
        pop.route[rows] = net.path_route[pick]

    def _next_edge(self, rows: np.ndarray) -> np.ndarray:
        return self.net.path_edges[self.pop.path[rows], self.pop.leg[rows]].astype(np.intp)

    def _pay(self, rows: np.ndarray, edges: np.ndarray, fees: np.ndarray, t: int) -> None:
        """Migrants pay the fee of the leg they start; land networks at the node take the money."""
        pop = self.pop
        pop.savings[rows] -= fees
        persons = fees * self.weight
        self._add("smuggler_revenue", t, pop.route[rows], persons)
        self._add_origin_revenue(t, rows, persons)
        for node in np.unique(self.net.edge_from[edges]):
            net_agent = self.land.get(int(node))
            if net_agent is not None:
                net_agent.revenue += float(persons[self.net.edge_from[edges] == node].sum())

    # ------------------------------------------------------------------ origins
    def _new_aspirants(self, t: int) -> None:
        net, lv, pop = self.net, self.levers, self.pop
        n_o = len(net.origins)
        lam = net.origin_aspirants * 12 / 365.25 * lv.pressure_mult * self.agents_per_person
        epoch_day = (self.date - EPOCH).days
        counts = self.streams.poisson(Decision.ASPIRANTS, t, epoch_day * 64 + np.arange(n_o), lam)
        if counts.max(initial=0) >= 1 << 22:  # the id layout below holds 2**22 aspirants per origin and day
            raise ValueError("more than 4,194,304 aspirants from one origin in a day: lower agents_per_person")
        total = int(counts.sum())
        if total == 0:
            return
        origin = np.repeat(np.arange(n_o), counts)
        k = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        uid = (np.int64(epoch_day) << 28) | (origin.astype(np.int64) << 22) | k
        z = self.streams.normal(Decision.SAVINGS, 0, uid)
        savings = net.origin_savings_median[origin] * np.exp(net.origin_savings_sigma[origin] * z)
        info = np.clip(net.origin_info_mean[origin] + 0.2 * self.streams.normal(Decision.INFO, 0, uid), 0, 1)
        eligible = self.streams.uniform(Decision.ELIGIBLE, 0, uid) < net.origin_eligible_share[origin]
        pop.add(uid=uid, origin=origin, node=net.origin_node[origin], status=Status.AT_ORIGIN,
                savings=savings, info=info, eligible=eligible, at_node_since=t, since=t,
                until=t + 1 + uid % REVIEW_DAYS)
        self.created += total

    def _at_origin(self, rows: np.ndarray, t: int) -> None:
        """Aspirants review their plans once a week, each on its own weekday, so a seventh of them is
        seen each day. Competing weekly risks are read off one keyed draw: legal place, give up, set out."""
        pop, lv, p, net = self.pop, self.levers, self.params, self.net
        o = pop.origin[rows]
        pop.savings[rows] += net.node_wage[pop.node[rows]] * lv.wage_mult[o] * (t - pop.since[rows])  # saving
        pop.since[rows] = t
        u = self.streams.uniform(Decision.ORIGIN_DEPART, t, pop.uid[rows])
        p_legal = self._legal_probability(rows, o)
        legal = u < p_legal
        if legal.any():
            self._take_legal_place(rows[legal], t)
        # weekly probabilities, computed per origin (a handful of values) rather than per aspirant
        week_quit = 1.0 - (1.0 - p["origin_give_up_rate"]) ** REVIEW_DAYS
        daily_go = p["departure_rate"] * lv.departure_mult * self._deterrence()
        week_go = 1.0 - (1.0 - np.minimum(1.0, daily_go)) ** REVIEW_DAYS
        rest = 1.0 - p_legal
        p_quit = p_legal + rest * week_quit
        give_up = ~legal & (u < p_quit)
        self._finalise(rows[give_up], Status.EXITED)
        go = ~legal & ~give_up & (u < p_quit + rest * ((1 - week_quit) * week_go)[o])
        stay = rows[~legal & ~give_up & ~go]
        pop.until[stay] = t + REVIEW_DAYS
        leave = rows[go]
        if len(leave) == 0:
            return
        self._choose_paths(leave, t)
        edges = self._next_edge(leave)
        fee = net.edge_fee[edges] * self._fee_idx[edges]
        can = pop.savings[leave] >= fee
        pop.until[leave[~can]] = t + REVIEW_DAYS
        leave, edges, fee = leave[can], edges[can], fee[can]
        self._add("departures", t, pop.route[leave], self.weight)
        m = self._m(t)
        if m >= 0:
            np.add.at(self.departures_by_origin[m], pop.origin[leave], self.weight)
        self._start_leg(leave, edges, fee, t)

    def _logsums(self, nodes: np.ndarray, info: np.ndarray) -> np.ndarray:
        """The logsum ln sum_k exp(V_k) of the utilities of the paths from each of ``nodes``, judged at
        ``info``: the expected value of the best path on offer there, what a nested logit compares with staying."""
        if self._util is None:
            self._util = self._path_utilities()
        a, b = self._util[0], self._util[1]
        alts = self.net.node_paths[nodes]
        k = np.maximum(alts, 0)
        v = np.where(alts >= 0, a[k] + info[:, None] * b[k], -np.inf)
        top = np.max(v, axis=1, initial=-np.inf)
        top = np.where(np.isfinite(top), top, 0.0)  # a node without paths (a destination) has no choice to judge
        return top + np.log(np.maximum(np.exp(v - top[:, None]).sum(axis=1), 1e-300))

    def _deterrence(self) -> np.ndarray:
        """Multiplier on each origin's departure rate: exp(lambda * (L - L0)), with L the logsum of the
        utilities of the origin's paths today (at the origin's mean information) and L0 its value on the first
        simulated day. This is the nested logit in which staying keeps a fixed utility and departing is rare:
        dearer, riskier or more often intercepted journeys deter some departures rather than only diverting
        them; ``deterrence`` (lambda) = 0 switches it off, 1 is the plain nested logit."""
        lam = self.params["deterrence"]
        if lam == 0:
            return np.ones(len(self.net.origins))
        logsum = self._logsums(self.net.origin_node, self.net.origin_info_mean)
        if self._logsum_ref is None:
            self._logsum_ref = logsum
        return np.exp(lam * (logsum - self._logsum_ref))

    def _hub_give_up(self) -> np.ndarray:
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
        p, net = self.params, self.net
        rate = np.full(net.n_nodes, p["hub_give_up_rate"])
        theta = p["transit_deterrence"]
        if theta > 0 and rate[0] > 0:
            logsum = self._logsums(np.arange(net.n_nodes), np.full(net.n_nodes, float(np.mean(net.origin_info_mean))))
            if self._outlook is None:
                self._outlook = logsum
            self._outlook = self._outlook + (1.0 - OUTLOOK_DECAY) * (logsum - self._outlook)
            if self._outlook_ref is None and self._m(self.day) >= 0:
                self._outlook_ref = self._outlook.copy()
            if self._outlook_ref is not None:
                rate = np.minimum(MAX_HUB_GIVE_UP, rate * np.exp(-theta * (self._outlook - self._outlook_ref)))
        self._give_up_today = rate
        return rate

    def _legal_probability(self, rows: np.ndarray, o: np.ndarray) -> np.ndarray:
        """Chance each reviewing aspirant takes a legal place today: the day's places of each programme
        (protection pathways for the eligible, labour schemes for those with the skills) shared among
        those who qualify and review today."""
        lv, pop = self.levers, self.pop
        p_legal = np.zeros(len(rows))
        n_o = len(self.net.origins)
        for places, qualifies in ((lv.legal_places, lambda: pop.eligible[rows]),
                                  (lv.labour_places, lambda: self._skilled(rows, o))):
            if not places.any():
                continue
            ok = qualifies()
            n_ok = np.bincount(o[ok], minlength=n_o).astype(float)
            day = places.sum(axis=1) / 365.25 * self.agents_per_person
            prob = np.divide(day, n_ok, out=np.zeros(n_o), where=n_ok > 0).clip(0, 1)
            p_legal = 1.0 - (1.0 - p_legal) * (1.0 - np.where(ok, prob[o], 0.0))
        return p_legal

    def _skilled(self, rows: np.ndarray, o: np.ndarray) -> np.ndarray:
        """Aspirants with the skills a labour scheme asks for (a fixed draw per person)."""
        u = self.streams.uniform(Decision.SKILLS, 0, self.pop.uid[rows])
        return u < self.levers.labour_eligible[o]

    def _take_legal_place(self, rows: np.ndarray, t: int) -> None:
        """Leave by a legal pathway; the destination is the programme's, or the one they had planned."""
        pop, lv, net = self.pop, self.levers, self.net
        o = pop.origin[rows]
        self._choose_paths(rows, t)  # the route they would otherwise have planned, for reporting
        weights = lv.legal_places[o] * pop.eligible[rows][:, None] + lv.labour_places[o] * self._skilled(
            rows, o)[:, None]
        cum = np.cumsum(weights, axis=1)
        u = self.streams.uniform(Decision.LEGAL_DESTINATION, t, pop.uid[rows]) * cum[:, -1]
        col = np.minimum((cum <= u[:, None]).sum(axis=1), weights.shape[1] - 1)
        planned = self._dest_of_node[net.edge_to[net.path_crossing[pop.path[rows]]]]
        dest = np.where(col == 0, planned, col - 1)
        self._finalise(rows, Status.LEGAL)
        self._add("legal_entries", t, pop.route[rows], self.weight)
        m = self._m(t)
        if m >= 0:
            np.add.at(self.legal_by_origin[m], o, self.weight)
            np.add.at(self.legal_by_dest[m], dest, self.weight)

    # ------------------------------------------------------------------ travel
    def _start_leg(self, rows: np.ndarray, edges: np.ndarray, fees: np.ndarray, t: int) -> None:
        pop, net = self.pop, self.net
        self._pay(rows, edges, fees, t)
        pop.status[rows] = Status.TRAVELLING
        pop.since[rows] = t
        pop.until[rows] = t + net.edge_duration[edges].astype(np.int32)
        pop.intent[rows] = INTENT_NONE
        crossing = net.edge_crossing[edges]
        if crossing.any():  # a land border crossing (Evros, Ceuta/Melilla): its outcome is drawn now
            cr, ce = rows[crossing], edges[crossing]
            self._add("crossing_attempts", t, net.edge_route[ce], self.weight)
            self._add_edge("attempts", t, ce)
            self._draw_land_crossing(cr, ce, t)

    def _draw_land_crossing(self, rows: np.ndarray, edges: np.ndarray, t: int) -> None:
        pop, lv = self.pop, self.levers
        uid = pop.uid[rows]
        stopped = self.streams.uniform(Decision.INTERCEPT, t, uid) < lv.interception[edges]
        pushed = ~stopped & (self.streams.uniform(Decision.PUSHBACK, t, uid) < lv.pushback[edges])
        died = ~stopped & ~pushed & (self.streams.uniform(Decision.LAND_DEATH, t, uid)
                                     < self.net.edge_risk[edges] * lv.risk_mult[edges])
        intent = np.full(len(rows), INTENT_ARRIVE, np.int8)
        intent[stopped], intent[pushed], intent[died] = INTENT_INTERCEPT, INTENT_PUSHBACK, INTENT_DIE
        pop.intent[rows] = intent

    def _end_of_leg(self, rows: np.ndarray, t: int) -> None:
        pop, net, lv = self.pop, self.net, self.levers
        edges = self._next_edge(rows)
        crossing = net.edge_crossing[edges]
        if crossing.any():
            self._crossing_outcome(rows[crossing], t)
            rows, edges = rows[~crossing], edges[~crossing]
            if len(rows) == 0:
                return
        uid = pop.uid[rows]
        died = self.streams.uniform(Decision.LAND_DEATH, t, uid) < net.edge_risk[edges] * lv.risk_mult[edges]
        if died.any():
            d = rows[died]
            self._add("dead_missing", t, pop.route[d], self.weight)
            self._add("dead_missing_land", t, pop.route[d], self.weight)
            self._finalise(d, Status.DEAD_MISSING)
        caught = ~died & (self.streams.uniform(Decision.LAND_INTERCEPT, t, uid) < lv.interception[edges])
        if caught.any():
            c = rows[caught]
            self._add("interceptions", t, pop.route[c], self.weight)
            self._detain(c, t)
        ok = rows[~died & ~caught]
        pop.node[ok] = net.edge_to[edges[~died & ~caught]]
        pop.leg[ok] += 1
        self._arrive_at_node(ok, t)

    def _arrive_at_node(self, rows: np.ndarray, t: int) -> None:
        """A migrant reaching a hub or departure point re-plans and starts working towards the next fee."""
        pop = self.pop
        pop.at_node_since[rows] = t
        pop.since[rows] = t
        self._choose_paths(rows, t)
        self._plan_wait(rows, t)

    def _plan_wait(self, rows: np.ndarray, t: int) -> None:
        """WAITING until the next fee is earned or the next review, whichever comes first (at least the
        minimum stay), unless giving up before. At a review the migrant looks again at fees and routes, so a
        price cut or a new risk reaches those already waiting within weeks, not only newcomers."""
        pop, net, p = self.pop, self.net, self.params
        pop.status[rows] = Status.WAITING
        pop.since[rows] = t  # wages are credited from now on
        edges = self._next_edge(rows)
        fee = net.edge_fee[edges] * self._fee_idx[edges]
        wage = self._transit_wage[pop.node[rows]]
        deficit = np.maximum(fee - pop.savings[rows], 0)
        work_days = np.where(deficit > 0, np.ceil(deficit / np.maximum(wage, 1e-9)), 0)
        wait = np.maximum(p["hub_min_stay_days"], np.minimum(work_days, p["transit_review_days"])).astype(np.int32)
        quits = np.zeros(len(rows), bool)
        give_up_day = wait
        rate = self._hub_give_up()[pop.node[rows]]
        if rate.max(initial=0.0) > 0:  # geometric time to giving up, drawn afresh for each wait: today's hazard
            u = self.streams.uniform(Decision.WAIT_GIVE_UP, t, pop.uid[rows])
            with np.errstate(divide="ignore"):
                give_up_day = np.where(rate > 0, np.ceil(np.log(u) / np.log1p(-rate)), np.inf)
            quits = give_up_day < wait
        pop.intent[rows] = np.where(quits, INTENT_GIVE_UP, INTENT_NONE)
        pop.until[rows] = t + np.where(quits, give_up_day, wait).astype(np.int32)

    def _ready_to_move(self, rows: np.ndarray, t: int) -> None:
        pop, net = self.pop, self.net
        node = pop.node[rows]
        pop.savings[rows] += self._transit_wage[node] * (t - pop.since[rows])
        pop.since[rows] = t
        quit_ = pop.intent[rows] == INTENT_GIVE_UP
        self._finalise(rows[quit_], Status.EXITED)
        rows = rows[~quit_]
        if len(rows) == 0:
            return
        self._choose_paths(rows, t)
        edges = self._next_edge(rows)
        fee = net.edge_fee[edges] * self._fee_idx[edges]
        can = pop.savings[rows] >= fee
        self._plan_wait(rows[~can], t)
        rows, edges, fee = rows[can], edges[can], fee[can]
        sea = net.edge_mode[edges] == SEA
        contact = self.levers.contact_mult[pop.node[rows]]
        if sea.any() and (contact < 1).any():  # finding a smuggler who sells the crossing (online or not)
            missed = sea & (self.streams.uniform(Decision.CONTACT, t, pop.uid[rows]) >= contact)
            self._plan_wait(rows[missed], t)
            rows, edges, fee, sea = rows[~missed], edges[~missed], fee[~missed], sea[~missed]
        pop.status[rows[sea]] = Status.WITH_SMUGGLER
        pop.until[rows[sea]] = t + 1
        pop.since[rows[sea]] = t
        self._start_leg(rows[~sea], edges[~sea], fee[~sea], t)

    # ------------------------------------------------------------------ the sea
    def _node_levers(self) -> None:
        """The day's levers averaged over the sea crossings leaving each node (what cells there face)."""
        net, lv = self.net, self.levers
        sea = net.edge_mode == SEA
        n = np.maximum(np.bincount(net.edge_from[sea], minlength=net.n_nodes), 1)
        self.node_rescue = np.bincount(net.edge_from[sea], lv.rescue[sea], net.n_nodes) / n
        self.node_interception = np.bincount(net.edge_from[sea], lv.interception[sea], net.n_nodes) / n

    def _smuggler_queues(self) -> None:
        """Yesterday's queue at each departure point, shared among its cells as their demand signal."""
        pop = self.pop
        waiting = pop.status[: pop.n] == Status.WITH_SMUGGLER
        counts = np.bincount(pop.node[: pop.n][waiting], minlength=self.net.n_nodes) * self.weight
        for node, cells in self._cells_at.items():
            for c in cells:
                c.queue = counts[node] / max(len(cells), 1)

    def _bad_weather(self, t: int, nodes: np.ndarray) -> np.ndarray:
        p = self.params
        month = self.date.month
        season = 0.5 * (1 + np.cos(2 * np.pi * (month - 1) / 12))  # 1 in January, 0 in July
        share = p["bad_weather_share_summer"] + (p["bad_weather_share_winter"] - p["bad_weather_share_summer"]) * season
        return self.streams.uniform(Decision.WEATHER, t, nodes) < share

    def _board(self, rows: np.ndarray, t: int) -> None:
        """Cells at each departure point fill today's boats from their queue; outcomes are drawn per boat."""
        pop, net, p = self.pop, self.net, self.params
        if len(rows) == 0:
            return
        uid = pop.uid[rows]
        quit_ = self.streams.uniform(Decision.HUB_GIVE_UP, t, uid) < self._hub_give_up()[pop.node[rows]]
        self._finalise(rows[quit_], Status.EXITED)
        rows = rows[~quit_]
        # re-plan if the wait at the coast has grown long (monthly)
        long_wait = (t - pop.since[rows]) >= 30
        if long_wait.any():
            lw = rows[long_wait]
            self._choose_paths(lw, t)
            moved = net.edge_mode[self._next_edge(lw)] != SEA
            pop.since[lw[~moved]] = t
            self._plan_wait(lw[moved], t)
            rows = np.concatenate([rows[~long_wait], lw[~moved]])
        pop.until[rows] = t + 1
        if len(rows) == 0:
            return
        # today's seats at every departure point: cells are laid out node by node (self.cells order)
        cells, cell_node = self.cells, self._cell_node
        bad_node = self._bad_weather(t, np.arange(net.n_nodes, dtype=np.int64))
        seats = np.array([c.seat_capacity(bool(bad_node[c.node]), float(self.node_rescue[c.node]))
                          for c in cells]) * self.agents_per_person
        node_seats = np.bincount(cell_node, weights=seats, minlength=net.n_nodes)
        nodes = pop.node[rows]
        waiting = np.bincount(nodes, minlength=net.n_nodes)
        prob = np.divide(node_seats, waiting, out=np.zeros(net.n_nodes), where=waiting > 0).clip(0, 1)
        uid = pop.uid[rows]
        board = self.streams.uniform(Decision.BOARD, t, uid) < prob[nodes]
        rows, uid, nodes = rows[board], uid[board], nodes[board]
        if len(rows) == 0:
            return
        edges = self._next_edge(rows)
        # which cell takes each passenger (in proportion to its seats at that node) and in which boat class
        cum = np.cumsum(seats)
        node_start = np.r_[0.0, cum][self._node_first_cell]
        x = node_start[nodes] + self.streams.uniform(Decision.CELL, t, uid) * node_seats[nodes]
        cell = np.minimum(np.searchsorted(cum, x, side="right"), self._node_last_cell[nodes])
        share_u = np.array([c.unseaworthy_share() for c in cells])
        boat_class = (self.streams.uniform(Decision.BOAT_CLASS, t, uid) < share_u[cell]).astype(np.int8)
        fee = net.edge_fee[edges] * self.levers.fee_mult[edges] * np.array([c.price_index for c in cells])[cell]
        can = pop.savings[rows] >= fee
        if (~can).any():  # the price rose while they waited
            self._plan_wait(rows[~can], t)
            rows, uid, edges, cell, boat_class, fee = (x[can] for x in (rows, uid, edges, cell, boat_class, fee))
            if len(rows) == 0:
                return
        pop.savings[rows] -= fee
        route = net.edge_route[edges]
        self._add("smuggler_revenue", t, route, fee * self.weight)
        self._add_origin_revenue(t, rows, fee * self.weight)
        self._add("crossing_attempts", t, route, self.weight)
        self._add_edge("attempts", t, edges)
        # boats: passengers grouped by (edge, cell, class), filled up to the boat size in queue order
        size = np.maximum(1, np.round(np.array([p["boat_size_seaworthy"], p["boat_size_unseaworthy"]])
                                      * self.agents_per_person)).astype(np.int64)
        load = np.array([c.load for c in cells])
        cap = np.maximum(1, np.round(size[boat_class] * load[cell])).astype(np.int64)  # agents per boat, loaded
        group = (edges.astype(np.int64) * 4096 + cell) * 2 + boat_class
        order = np.argsort(group, kind="stable")
        g_sorted = group[order]
        starts = np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1]])
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        boat_no = np.empty(len(order), np.int64)
        boat_no[order] = rank // cap[order]
        boat_key = group * 1_000_003 + boat_no
        _, first, boat_of = np.unique(boat_key, return_index=True, return_inverse=True)
        # real boats per simulated boat: 1 at full scale, fewer when one agent stands for many people
        b_cell, b_class, b_route = cell[first], boat_class[first], route[first]
        nominal = np.array([p["boat_size_seaworthy"], p["boat_size_unseaworthy"]])
        real = cap[first] * self.weight / (nominal[b_class] * load[b_cell])
        paid = np.bincount(cell, weights=fee, minlength=len(cells)) * self.weight
        used = np.zeros((len(cells), 2))
        np.add.at(used, (b_cell, b_class), real)
        for i in np.flatnonzero(paid > 0):
            cells[i].use_boats(used[i], float(paid[i]))
        m = self._m(t)
        if m >= 0:
            np.add.at(self.boats_launched[m], (b_route, b_class), real)
        # each boat's draws are keyed by its launch slot - the day, crossing, cell, class and the boat's number
        # in that group's launches - not by who is on it: paired scenarios fill boats from queues that differ
        # by a few people, so keyed by its first passenger a boat met another sea whenever the queue ahead of
        # it changed (which shifts every later boat's first passenger); the slots launched stay mostly the same
        b_edge = edges[first]
        self._draw_sea_outcomes(rows, b_edge, b_class, boat_key[first], boat_of,
                                bad_node[net.edge_from[edges[first]]], load[b_cell], t)

    def _draw_sea_outcomes(self, rows: np.ndarray, b_edge: np.ndarray, b_class: np.ndarray, b_slot: np.ndarray,
                           boat_of: np.ndarray, bad: np.ndarray, load: np.ndarray, t: int) -> None:
        """Fate of each boat (one draw per event, keyed by the day and the boat's launch slot), then of each
        person on a boat in distress (keyed by the person's attempt)."""
        pop, net, lv, p, s = self.pop, self.net, self.levers, self.params, self.streams
        nb = len(b_slot)

        def boat_u(decision: Decision) -> np.ndarray:
            return s.uniform(decision, t, b_slot)

        stopped = boat_u(Decision.INTERCEPT) < lv.interception[b_edge]
        distress_p = net.edge_distress[b_edge] * lv.risk_mult[b_edge] * np.where(
            b_class == 1, p["distress_mult_unseaworthy"], 1.0) * np.where(bad, p["bad_weather_distress_mult"], 1.0) \
            * load ** p["overload_distress_elasticity"]
        distress = ~stopped & (boat_u(Decision.DISTRESS) < distress_p)
        rescued = distress & (boat_u(Decision.RESCUE) < lv.rescue[b_edge])
        pulled = rescued & (boat_u(Decision.PULLBACK) < lv.pullback_share[b_edge])
        pushed = ~stopped & ~distress & (boat_u(Decision.PUSHBACK) < lv.pushback[b_edge])
        b_intent = np.full(nb, INTENT_ARRIVE, np.int8)
        b_intent[stopped | pulled] = INTENT_INTERCEPT
        b_intent[pushed] = INTENT_PUSHBACK
        intent = b_intent[boat_of]
        wrecked = (distress & ~rescued)[boat_of]
        if wrecked.any():  # each person on a boat in unrescued distress dies or goes missing with this chance
            w = np.flatnonzero(wrecked)
            lost = s.uniform(Decision.WRECK_DEATH, ATTEMPT_KEYED, self._attempt_key(rows[w])) < p["wreck_mortality"]
            intent[w[lost]] = INTENT_DIE
        edges = b_edge[boat_of]
        self._add("rescued", t, net.edge_route[edges[rescued[boat_of]]], self.weight)
        pop.intent[rows] = intent
        pop.status[rows] = Status.AT_SEA
        pop.since[rows] = t
        # interceptions at departure end the same day; crossings take the edge's duration
        pop.until[rows] = t + np.where(stopped[boat_of], 1, net.edge_duration[edges]).astype(np.int32)
        pop.attempts[rows] += 1

    def _crossing_outcome(self, rows: np.ndarray, t: int) -> None:
        """End of a border crossing (sea or land): arrive, die, be intercepted or be pushed back."""
        pop, net = self.pop, self.net
        edges = self._next_edge(rows)
        route = net.edge_route[edges]
        intent = pop.intent[rows]
        day = self._edge_day[t]
        np.add.at(day[0], edges, self.weight)
        arrive = intent == INTENT_ARRIVE
        a = rows[arrive]
        self._add("arrivals", t, route[arrive], self.weight)
        self._add_edge("arrivals", t, edges[arrive])
        self._add_edge("dead_missing", t, edges[intent == INTENT_DIE])
        m = self._m(t)
        if m >= 0:
            np.add.at(self.arrivals_by_dest[m], self._dest_of_node[net.edge_to[edges[arrive]]], self.weight)
        pop.node[a] = net.edge_to[edges[arrive]]
        self._finalise(a, Status.ARRIVED)
        die = intent == INTENT_DIE
        np.add.at(day[1], edges[die], self.weight)
        sea = net.edge_mode[edges] == SEA
        self._add("dead_missing", t, route[die], self.weight)
        self._add("dead_missing_sea", t, route[die & sea], self.weight)
        self._add("dead_missing_land", t, route[die & ~sea], self.weight)
        self._finalise(rows[die], Status.DEAD_MISSING)
        caught = intent == INTENT_INTERCEPT
        np.add.at(day[2], edges[caught], self.weight)
        self._add("interceptions", t, route[caught], self.weight)
        self._add_edge("interceptions", t, edges[caught])
        self._detain(rows[caught], t)
        pushed = intent == INTENT_PUSHBACK
        np.add.at(day[2], edges[pushed], self.weight)
        self._add("interceptions", t, route[pushed], self.weight)
        self._add("pushbacks", t, route[pushed], self.weight)
        self._add("returns", t, route[pushed], self.weight)
        self._arrive_at_node(rows[pushed], t)  # back at the departure point; the fee is lost

    # ------------------------------------------------------------------ detention and return
    def _detain(self, rows: np.ndarray, t: int) -> None:
        pop = self.pop
        pop.status[rows] = Status.DETAINED
        pop.at_node_since[rows] = t
        u = self.streams.uniform(Decision.DETENTION, t, pop.uid[rows])
        stay = np.ceil(-np.log(u) * self.params["detention_days"]).astype(np.int32)
        pop.until[rows] = t + np.maximum(stay, 1)
        refund = self.params["fee_refund_on_interception"]
        if refund > 0:
            edges = self._next_edge(rows)
            pop.savings[rows] += refund * self.net.edge_fee[edges]

    def _release(self, rows: np.ndarray, t: int) -> None:
        pop, net = self.pop, self.net
        edges = self._next_edge(rows)
        deport = self.streams.uniform(Decision.DEPORT, t, pop.uid[rows]) < self.levers.deport_share[edges]
        quits = ~deport & (self.streams.uniform(Decision.QUIT_AFTER_INTERCEPTION, t, pop.uid[rows])
                           < self.params["quit_after_interception"])
        self._finalise(rows[quits], Status.EXITED)
        d = rows[deport]
        self._add("returns", t, pop.route[d], self.weight)
        pop.status[d] = Status.RETURNED
        pop.node[d] = net.origin_node[pop.origin[d]]
        pop.at_node_since[d] = t
        u = self.streams.uniform(Decision.REINTEGRATION, t, pop.uid[d])
        pop.until[d] = t + np.maximum(np.ceil(-np.log(u) * self.params["reintegration_days"]), 1).astype(np.int32)
        self._arrive_at_node(rows[~deport & ~quits], t)

    def _after_return(self, rows: np.ndarray, t: int) -> None:
        pop = self.pop
        chance = self.params["remigrate_prob"] * self.levers.remigrate_mult[self._next_edge(rows)]
        again = self.streams.uniform(Decision.REMIGRATE, t, pop.uid[rows]) < chance
        self._finalise(rows[~again], Status.EXITED)
        r = rows[again]
        pop.status[r] = Status.AT_ORIGIN
        pop.until[r] = t + 1 + pop.uid[r] % REVIEW_DAYS
        pop.since[r] = t
        o = pop.origin[r]
        pop.savings[r] = self.net.origin_savings_median[o]  # saved again during reintegration (assumption)

    # ------------------------------------------------------------------ records
    def _record_stocks(self, t: int) -> None:
        pop, m = self.pop, self._m(t)
        st = pop.status[: pop.n]
        transit = (st == Status.WAITING) | (st == Status.WITH_SMUGGLER) | (st == Status.DETAINED)
        route = pop.route[: pop.n]
        long_ = transit & ((t - pop.at_node_since[: pop.n]) > self.params["stranded_days"])
        self.tally["in_transit"][m] = np.bincount(route[transit], minlength=len(self.net.routes)) * self.weight
        self.tally["stranded"][m] = np.bincount(route[long_], minlength=len(self.net.routes)) * self.weight
        for r in range(len(self.net.routes)):
            nodes = np.unique(self.net.edge_from[self.net.edge_route == r])
            cells = [c for c in self.cells if c.node in nodes]
            if cells:
                self.price_index[m, r] = np.mean([c.price_index for c in cells])
                self.capacity[m, r] = sum(c.seat_capacity(False, 0.0) for c in cells)
                self.load[m, r] = np.mean([c.load for c in cells])

    def assert_conservation(self) -> None:
        """Every agent ever created is in exactly one status: live rows plus final tallies."""
        pop = self.pop
        live = pop.status[: pop.n][pop.until[: pop.n] != NEVER]
        counts = np.bincount(live, minlength=N_STATUS)
        assert counts[[int(s) for s in FINAL]].sum() == 0, "a final status left in a live row"
        assert counts.sum() + self.final_counts.sum() == self.created, "migrants lost or double-counted"
        assert len(np.unique(pop.uid[: pop.n])) == pop.n, "duplicate migrant ids"

    def result(self) -> ReplicateResult:
        return ReplicateResult(
            months=self.months,
            route=dict(self.tally),
            boats_launched=self.boats_launched,
            arrivals_by_destination=self.arrivals_by_dest,
            departures_by_origin=self.departures_by_origin,
            legal_by_origin=self.legal_by_origin,
            legal_by_destination=self.legal_by_dest,
            revenue_by_origin=self.revenue_by_origin,
            price_index=self.price_index,
            smuggler_capacity=self.capacity,
            boat_load=self.load,
            by_crossing={k: v[:, self.crossing_edges] for k, v in self.by_crossing.items()},
            agent_steps=int(self.agent_steps),
            agents_created=int(self.created),
        )


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months, d = [], dt.date(start.year, start.month, 1)
    while d <= end:
        months.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return months

