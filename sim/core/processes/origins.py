"""Origins: new aspirants appear, and aspirants review their plans weekly (legal place, give up, set out).

Reads: each origin's aspirants a month and the day's pressure, departure and wage multipliers (levers); the
month's conflict displacement and economic growth at the origin (demand inputs, when the run has them);
those following earlier arrivals from the origin (following);
the deterrence of the paths on offer (choice); legal places (legal).
Writes: new rows of the population; reviewed aspirants' ``savings``, ``since``, ``until``; those who set
out start their first leg (transit); ``departures`` by route and origin.
"""

from __future__ import annotations

import datetime as dt

import numba
import numpy as np

from sim.core.demand import DemandInputs
from sim.core.population import REVIEW_DAYS, Status, TooManyAgents
from sim.core.processes.choice import RouteChoice
from sim.core.processes.legal import LegalPathways
from sim.core.processes.market import SmugglerMarket
from sim.core.processes.transit import Transit
from sim.core.rng import Decision, keyed_uniform
from sim.core.world import World

EPOCH = dt.date(1970, 1, 1)
MAX_PER_ORIGIN_DAY = 1 << 22  # the id layout holds 2**22 aspirants per origin and day
N_GROUPS = 64  # ... and 64 groups a migrant sets out from: origins from 0, host stocks from HOST_ID_BASE
HOST_ID_BASE = 32


class Origins:
    def __init__(self, world: World, market: SmugglerMarket, choice: RouteChoice, legal: LegalPathways,
                 transit: Transit, demand: DemandInputs | None = None, followers: np.ndarray | None = None
                 ) -> None:
        self.world = world
        self.demand = demand
        self.followers = followers  # persons a day following earlier arrivals, by group (following.py), or None
        self.market = market
        self.choice = choice
        self.legal = legal
        self.transit = transit

    def new_aspirants(self, t: int) -> None:
        """Poisson arrivals of aspirants per origin; each gets an id from the date, origin and rank."""
        w = self.world
        net, lv, pop = w.net, w.levers, w.pop
        n_o = len(net.origins)
        lam = w.to_agents(net.origin_aspirants * 12 / 365.25 * lv.pressure_mult)
        drivers = self.driver_mult()
        if drivers is not None:
            lam = lam * drivers
        if self.followers is not None:
            lam = lam + w.to_agents(self.followers[:n_o])
        epoch_day = (w.date - EPOCH).days
        counts = w.streams.poisson(Decision.ASPIRANTS, t, epoch_day * 64 + np.arange(n_o), lam)
        origin, uid = new_ids(epoch_day, counts, 0, "aspirants from one origin")
        if len(uid) == 0:
            return
        pop.add(uid=uid, origin=origin, node=net.origin_node[origin], status=Status.AT_ORIGIN,
                **new_traits(w, uid, origin), at_node_since=t, since=t, until=t + 1 + uid % REVIEW_DAYS)
        w.created += len(uid)

    def driver_mult(self) -> np.ndarray | None:
        """Per origin, the month's multiplier on aspirants from the drivers: ((conflict + offset) / (its
        value in the period's first month + offset)) ** origin_conflict_elasticity x
        exp(-origin_growth_elasticity x (growth - its value then)), offset = origin_conflict_offset persons +
        origin_conflict_population_share x the origin's population then, so that a few thousand displaced in a
        large country do not multiply its emigration; conflict is the IDMC stock or, with
        origin_conflict_memory_months, the recently displaced (DemandInputs.origin_multiplier). None when the run
        has no demand inputs or both elasticities are 0."""
        d, w = self.demand, self.world
        p = w.params
        if d is None or (p["origin_conflict_elasticity"] == 0 and p["origin_growth_elasticity"] == 0):
            return None
        return d.driver_multiplier(d.month(w.date), d.month(w.calendar.start), p)

    def review(self, rows: np.ndarray, t: int) -> None:
        """Aspirants review their plans once a week, each on its own weekday, so a seventh of them is
        seen each day. Competing weekly risks are read off one keyed draw: legal place, give up, set out.
        Those who would set out but cannot pay for any first leg keep their next review without planning a
        path (an aspirant's path is read only once it has paid for its first leg)."""
        w = self.world
        pop, lv, p, net = w.pop, w.levers, w.params, w.net
        wage = net.node_wage[net.origin_node] * lv.wage_mult  # EUR a day at each origin (aspirants are at home)
        # weekly probabilities, computed per origin (a handful of values) rather than per aspirant
        week_quit = 1.0 - (1.0 - p["origin_give_up_rate"]) ** REVIEW_DAYS
        daily_go = p["departure_rate"] * lv.departure_mult * self.choice.deterrence()
        week_go = (1 - week_quit) * (1.0 - (1.0 - np.minimum(1.0, daily_go)) ** REVIEW_DAYS)
        legal_open = bool(lv.legal_places.any() or lv.labour_places.any())
        # saving since the last review and the next review (unless they leave or exit today), in one pass with
        # the draw; with no legal places the same pass reads who gives up and who sets out off the draw
        u, quitting, leave = _review(rows, pop.origin, pop.savings, pop.since, pop.until, pop.uid, wage, t,
                                     REVIEW_DAYS, w.streams.salt(Decision.ORIGIN_DEPART, t), week_quit,
                                     week_quit + week_go, not legal_open)
        if legal_open:
            o = pop.origin[rows].astype(np.intp)
            p_legal = self.legal.probability(rows, o)
            legal = u < p_legal
            if legal.any():
                self.legal.take_place(rows[legal], t)
            rest = 1.0 - p_legal
            p_quit = p_legal + rest * week_quit
            give_up = ~legal & (u < p_quit)
            go = ~legal & ~give_up & (u < p_quit + rest * week_go[o])
            quitting, leave = rows[give_up], rows[go]
        w.finalise(quitting, Status.EXITED)
        # one who cannot pay the first leg of any path on offer would drop whichever plan it drew: no draw
        leave = leave[pop.savings[leave] >= self.choice.cheapest_first_fee()[pop.node[leave]]]
        if len(leave) == 0:
            return
        edges = self.choice.choose(leave, t)
        fee = self.market.fee(edges)
        can = pop.savings[leave] >= fee  # those who cannot pay yet keep their next review
        leave, edges, fee = leave[can], edges[can], fee[can]
        w.tallies.add("departures", t, pop.route[leave], w.weight)
        w.tallies.add_to(w.tallies.departures_by_origin, t, pop.origin[leave], w.weight)
        self.transit.start_leg(leave, edges, fee, t)


@numba.njit(cache=True)
def _review(rows: np.ndarray, origin: np.ndarray, savings: np.ndarray, since: np.ndarray, until: np.ndarray,
            uid: np.ndarray, wage: np.ndarray, t: int, review_days: int, salt: np.uint64, quit_p: float,
            go_below: np.ndarray, split: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One pass over the reviewed rows: credit the wage since the last review (in float64, stored as float32,
    as NumPy's ``savings[rows] += ...`` does), set the next review and draw the week's uniform. With
    ``split``, also the rows that give up (u < quit_p) and those that set out (quit_p <= u <
    go_below[origin]), in row order."""
    u = np.empty(len(rows))
    quitting = np.empty(len(rows) if split else 0, rows.dtype)
    going = np.empty(len(rows) if split else 0, rows.dtype)
    n_quit = n_go = 0
    for j in range(len(rows)):
        i = rows[j]
        savings[i] = np.float32(np.float64(savings[i]) + wage[origin[i]] * np.float64(t - since[i]))
        since[i] = t
        until[i] = t + review_days
        x = keyed_uniform(np.uint64(uid[i]), salt)
        u[j] = x
        if split:
            if x < quit_p:
                quitting[n_quit] = i
                n_quit += 1
            elif x < go_below[origin[i]]:
                going[n_go] = i
                n_go += 1
    return u, quitting[:n_quit], going[:n_go]


def new_ids(epoch_day: int, counts: np.ndarray, id_base: int, what: str) -> tuple[np.ndarray, np.ndarray]:
    """The group (index into ``counts``) of each migrant created today, and its id from the date, the group
    (``id_base`` + index: origins from 0, host stocks above) and its rank in the group, so an id never
    depends on what other groups drew."""
    if counts.max(initial=0) >= MAX_PER_ORIGIN_DAY:
        raise TooManyAgents(f"more than 4,194,304 {what} in a day: lower agents_per_person")
    group = np.repeat(np.arange(len(counts)), counts)
    k = np.arange(len(group)) - np.repeat(np.cumsum(counts) - counts, counts)
    uid = (np.int64(epoch_day) << 28) | ((id_base + group).astype(np.int64) << 22) | k
    return group, uid


def source_group(uid: np.ndarray) -> np.ndarray:
    """The group a migrant set out from (its origin's index, or HOST_ID_BASE + a host stock's), from its id."""
    return ((uid >> 22) & (N_GROUPS - 1)).astype(np.intp)


def new_traits(world: World, uid: np.ndarray, origin: np.ndarray) -> dict[str, np.ndarray]:
    """Savings, information and eligibility of new migrants from ``origin``, each drawn keyed by their ids."""
    net, s = world.net, world.streams
    z = s.normal(Decision.SAVINGS, 0, uid)
    savings = net.origin_savings_median[origin] * np.exp(net.origin_savings_sigma[origin] * z)
    info = np.clip(net.origin_info_mean[origin] + 0.2 * s.normal(Decision.INFO, 0, uid), 0, 1)
    eligible = s.uniform(Decision.ELIGIBLE, 0, uid) < net.origin_eligible_share[origin]
    return {"savings": savings, "info": info, "eligible": eligible}
