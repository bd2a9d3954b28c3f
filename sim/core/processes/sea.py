"""The sea: cells fill today's boats from their queues, and each boat's fate is drawn as it sails.

Reads: the queue (migrants WITH_SMUGGLER at a departure point), the cells' seats, prices, boat mix and
load (market), the weather, and the day's interception, distress, rescue, pullback and pushback levers.
Writes: queueing migrants who give up, re-plan or cannot pay; boarders' ``savings``, ``intent`` (the
boat's outcome), ``status`` (AT_SEA), ``until`` and ``attempts``; the cells' boats and revenue; attempts,
revenue, boats launched and rescues in the tallies; each boarder's expected outcome in what migrants learn
(``Information.record``).
"""

from __future__ import annotations

import numba
import numpy as np

from sim.core.population import INTENT_ARRIVE, INTENT_DIE, INTENT_INTERCEPT, INTENT_PUSHBACK, Status
from sim.core.processes.choice import RouteChoice
from sim.core.processes.hubs import Hubs
from sim.core.processes.information import Information
from sim.core.processes.market import SmugglerMarket
from sim.core.rng import Decision, keyed_uniform
from sim.core.world import SEA, World

ATTEMPT_KEYED = -1  # the "day" of keyed draws that belong to a crossing attempt rather than to a date
MAX_CELLS_PER_EDGE = 4096  # the boat-group key packs (edge, cell, class) assuming fewer cells than this


class SeaCrossing:
    def __init__(self, world: World, market: SmugglerMarket, choice: RouteChoice, hubs: Hubs,
                 information: Information) -> None:
        self.world = world
        self.market = market
        self.choice = choice
        self.hubs = hubs
        self.information = information

    def bad_weather(self, t: int, nodes: np.ndarray) -> np.ndarray:
        w = self.world
        p = w.params
        season = 0.5 * (1 + np.cos(2 * np.pi * (w.date.month - 1) / 12))  # 1 in January, 0 in July
        share = p["bad_weather_share_summer"] + (p["bad_weather_share_winter"] - p["bad_weather_share_summer"]) * season
        return w.streams.uniform(Decision.WEATHER, t, nodes) < share

    def board(self, rows: np.ndarray, t: int) -> None:
        """Cells at each departure point fill today's boats from their queue; outcomes are drawn per boat."""
        w = self.world
        pop, net, p, s, tallies = w.pop, w.net, w.params, w.streams, w.tallies
        if len(rows) == 0:
            return
        uid = pop.uid[rows]
        quit_ = s.uniform(Decision.HUB_GIVE_UP, t, uid) < self.choice.give_up_rate()[pop.node[rows]]
        w.finalise(rows[quit_], Status.EXITED)
        rows = rows[~quit_]
        # re-plan if the wait at the coast has grown long (monthly)
        long_wait = (t - pop.since[rows]) >= 30
        if long_wait.any():
            lw = rows[long_wait]
            moved = net.edge_mode[self.choice.choose(lw, t)] != SEA
            pop.since[lw[~moved]] = t
            self.hubs.plan_wait(lw[moved], t)
            rows = np.concatenate([rows[~long_wait], lw[~moved]])
        pop.until[rows] = t + 1
        if len(rows) == 0:
            return
        # today's seats at every departure point: cells are laid out node by node (market.cells order)
        market = self.market
        cells, cell_node = market.cells, market.cell_node
        bad_node = self.bad_weather(t, np.arange(net.n_nodes, dtype=np.int64))
        seats = market.seats(bad_node)
        node_seats = np.bincount(cell_node, weights=seats, minlength=net.n_nodes)
        waiting = np.bincount(pop.node[rows], minlength=net.n_nodes)
        prob = np.divide(node_seats, waiting, out=np.zeros(net.n_nodes), where=waiting > 0).clip(0, 1)
        # who boards (a seat at their node today), with which cell (in proportion to its seats there), in which
        # boat class, at what fee; those who cannot pay it go back to waiting, the others pay
        cum = np.cumsum(seats)
        node_start = np.concatenate(([0.0], cum))[market.node_first_cell]
        share_u = np.array([c.unseaworthy_share() for c in cells])
        price = np.array([c.price_index for c in cells])
        rows, edges, cell, boat_class, fee, short = _board(
            rows, pop.node, pop.uid, pop.savings, pop.path, pop.leg, net.path_edges, prob, node_start, node_seats,
            cum, market.node_last_cell, share_u, net.edge_fee, w.levers.fee_mult, price,
            s.salt(Decision.BOARD, t), s.salt(Decision.CELL, t), s.salt(Decision.BOAT_CLASS, t))
        self.hubs.plan_wait(short, t)  # the price rose while they waited
        if len(rows) == 0:
            return
        route = net.edge_route[edges]
        tallies.add("smuggler_revenue", t, route, fee * w.weight)
        tallies.add_to(tallies.revenue_by_origin, t, pop.origin[rows], fee * w.weight)
        tallies.add("crossing_attempts", t, route, w.weight)
        tallies.add_edge("attempts", t, edges, w.weight)
        # boats: passengers grouped by (edge, cell, class), filled up to the boat size in queue order
        nominal = np.array([p["boat_size_seaworthy"], p["boat_size_unseaworthy"]])
        size = np.maximum(1, np.round(w.to_agents(nominal))).astype(np.int64)
        load = np.array([c.load for c in cells])
        cap = np.maximum(1, np.round(size[boat_class] * load[cell])).astype(np.int64)  # agents per boat, loaded
        group = (edges.astype(np.int64) * MAX_CELLS_PER_EDGE + cell) * 2 + boat_class
        order = np.argsort(group, kind="stable")
        g_sorted = group[order]
        starts = np.flatnonzero(np.concatenate(([True], g_sorted[1:] != g_sorted[:-1])))
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.append(starts, len(order))))
        boat_no = np.empty(len(order), np.int64)
        boat_no[order] = rank // cap[order]
        boat_key = group * 1_000_003 + boat_no
        _, first, boat_of = np.unique(boat_key, return_index=True, return_inverse=True)
        b_cell, b_class, b_route = cell[first], boat_class[first], route[first]
        real = boats_used(np.bincount(boat_of) * w.weight, nominal[b_class] * load[b_cell])
        paid = np.bincount(cell, weights=fee, minlength=len(cells)) * w.weight
        used = np.zeros((len(cells), 2))
        np.add.at(used, (b_cell, b_class), real)
        used_by_cell, paid_by_cell = used.tolist(), paid.tolist()
        for i in np.flatnonzero(paid > 0).tolist():
            cells[i].use_boats(used_by_cell[i], paid_by_cell[i])
        tallies.add_to(tallies.boats_launched, t, (b_route, b_class), real)
        # each boat's draws are keyed by its launch slot - the day, crossing, cell, class and the boat's number
        # in that group's launches - not by who is on it: paired scenarios fill boats from queues that differ
        # by a few people, so keyed by its first passenger a boat met another sea whenever the queue ahead of
        # it changed (which shifts every later boat's first passenger); the slots launched stay mostly the same
        b_edge = edges[first]
        queued_since = pop.since[rows].copy() if w.observers else None
        self.sail(rows, b_edge, b_class, boat_key[first], boat_of, bad_node[net.edge_from[edges[first]]],
                  load[b_cell], share_u[b_cell], t)
        for obs in w.observers:
            if hasattr(obs, "sailed"):
                obs.sailed(w, rows, queued_since)

    def distress_chance(self, b_edge: np.ndarray, unseaworthy: np.ndarray, bad: np.ndarray,
                        load: np.ndarray) -> np.ndarray:
        """Chance a boat on ``b_edge`` gets into distress: ``unseaworthy`` is 1 for an unseaworthy boat, 0 for
        a seaworthy one, or the cell's unseaworthy share for a boat of unknown class (what migrants expect)."""
        w = self.world
        p, lv = w.params, w.levers
        return w.net.edge_distress[b_edge] * lv.risk_mult[b_edge] \
            * (1.0 + (p["distress_mult_unseaworthy"] - 1.0) * unseaworthy) \
            * np.where(bad, p["bad_weather_distress_mult"], 1.0) * load ** p["overload_distress_elasticity"]

    def sail(self, rows: np.ndarray, b_edge: np.ndarray, b_class: np.ndarray, b_slot: np.ndarray,
             boat_of: np.ndarray, bad: np.ndarray, load: np.ndarray, share_u: np.ndarray, t: int) -> None:
        """Fate of each boat (one draw per event, keyed by the day and the boat's launch slot), then of each
        person on a boat in distress (keyed by the person's attempt). ``share_u``: the unseaworthy share of
        each boat's cell."""
        w = self.world
        pop, net, lv, p, s = w.pop, w.net, w.levers, w.params, w.streams
        nb = len(b_slot)

        def boat_u(decision: Decision) -> np.ndarray:
            return s.uniform(decision, t, b_slot)

        p_stop, p_rescue = lv.interception[b_edge], lv.rescue[b_edge]
        p_pull, p_push = lv.pullback_share[b_edge], lv.pushback[b_edge]
        distress_p = self.distress_chance(b_edge, b_class, bad, load)
        stopped = boat_u(Decision.INTERCEPT) < p_stop
        distress = ~stopped & (boat_u(Decision.DISTRESS) < distress_p)
        rescued = distress & (boat_u(Decision.RESCUE) < p_rescue)
        pulled = rescued & (boat_u(Decision.PULLBACK) < p_pull)
        pushed = ~stopped & ~distress & (boat_u(Decision.PUSHBACK) < p_push)
        # what migrants learn: each boat's expected outcome over the cell's boat mix, not the drawn outcome
        # nor the drawn class (Information.record)
        p_stop, p_rescue, p_pull, p_push, p_distress = (np.clip(x, 0, 1) for x in (
            p_stop, p_rescue, p_pull, p_push, self.distress_chance(b_edge, share_u, bad, load)))
        sails = (1 - p_stop) * p_distress
        b_die = sails * (1 - p_rescue) * p["wreck_mortality"]
        b_intercept = p_stop + sails * p_rescue * p_pull + (1 - p_stop) * (1 - p_distress) * p_push
        self.information.record(t, b_edge[boat_of], b_die[boat_of], b_intercept[boat_of])
        b_intent = np.full(nb, INTENT_ARRIVE, np.int8)
        b_intent[stopped | pulled] = INTENT_INTERCEPT
        b_intent[pushed] = INTENT_PUSHBACK
        intent = b_intent[boat_of]
        wrecked = (distress & ~rescued)[boat_of]
        if wrecked.any():  # each person on a boat in unrescued distress dies or goes missing with this chance
            lost_rows = np.flatnonzero(wrecked)
            lost = s.uniform(Decision.WRECK_DEATH, ATTEMPT_KEYED, self._attempt_key(rows[lost_rows])) \
                < p["wreck_mortality"]
            intent[lost_rows[lost]] = INTENT_DIE
        edges = b_edge[boat_of]
        w.tallies.add("rescued", t, net.edge_route[edges[rescued[boat_of]]], w.weight)
        pop.intent[rows] = intent
        pop.status[rows] = Status.AT_SEA
        pop.since[rows] = t
        # interceptions at departure end the same day; crossings take the edge's duration
        pop.until[rows] = t + np.where(stopped[boat_of], 1, net.edge_duration[edges]).astype(np.int32)
        pop.attempts[rows] += 1

    def _attempt_key(self, rows: np.ndarray) -> np.ndarray:
        """A key for draws that belong to a person's n-th sea crossing attempt (id in the low 48 bits)."""
        pop = self.world.pop
        return pop.uid[rows] | (np.minimum(pop.attempts[rows], 255).astype(np.int64) << 48)


def boats_used(persons: np.ndarray, per_boat: np.ndarray) -> np.ndarray:
    """Real boats a simulated boat stands for: the persons on it over the persons a loaded boat carries.

    Smugglers sail full boats (they hold passengers until a boat is full), so boats are used in proportion
    to the persons carried. A simulated boat is the group that shares one fate; it is often part-filled
    (passengers split by crossing, cell and class each day), and counting it as whole boats made the stock
    used depend on the scale: at full scale 2-10 persons a boat on the Atlantic and Central Mediterranean,
    stocks run down, seats fall and prices rise, where 1/10 or 1/100 scale filled boats (fewer, larger
    groups). Persons over boat size is the same expected number at every scale."""
    return persons / per_boat


@numba.njit(cache=True)
def _board(rows: np.ndarray, node: np.ndarray, uid: np.ndarray, savings: np.ndarray, path: np.ndarray,
           leg: np.ndarray, path_edges: np.ndarray, prob: np.ndarray, node_start: np.ndarray, node_seats: np.ndarray,
           cum: np.ndarray, node_last_cell: np.ndarray, share_u: np.ndarray, edge_fee: np.ndarray,
           fee_mult: np.ndarray, price: np.ndarray, salt_board: np.uint64, salt_cell: np.uint64,
           salt_class: np.uint64) -> tuple[np.ndarray, ...]:
    """Of the queue ``rows``: who gets a seat today (chance ``prob`` at their node), the cell that takes each
    (the first whose cumulative seats pass a uniform point in the node's seats, as ``searchsorted`` finds it,
    capped at the node's last cell), the boat class (unseaworthy with the cell's share), and the fee; those
    who can pay it pay. Returns the boarders' rows, legs, cells, classes and fees, and the rows who could not
    pay, each in row order."""
    n = len(rows)
    out_rows, short = np.empty(n, rows.dtype), np.empty(n, rows.dtype)
    out_edge, out_cell = np.empty(n, np.intp), np.empty(n, np.intp)
    out_class, out_fee = np.empty(n, np.int8), np.empty(n)
    k = n_short = 0
    for j in range(n):
        i = rows[j]
        nd = node[i]
        key = np.uint64(uid[i])
        if not keyed_uniform(key, salt_board) < prob[nd]:
            continue
        x = node_start[nd] + keyed_uniform(key, salt_cell) * node_seats[nd]
        c = 0
        while c < len(cum) and cum[c] <= x:  # searchsorted(cum, x, side="right")
            c += 1
        c = min(c, node_last_cell[nd])
        e = path_edges[path[i], leg[i]]
        fee = edge_fee[e] * fee_mult[e] * price[c]
        if np.float64(savings[i]) >= fee:
            savings[i] = np.float32(np.float64(savings[i]) - fee)
            out_rows[k], out_edge[k], out_cell[k], out_fee[k] = i, e, c, fee
            out_class[k] = 1 if keyed_uniform(key, salt_class) < share_u[c] else 0
            k += 1
        else:
            short[n_short] = i
            n_short += 1
    return out_rows[:k], out_edge[:k], out_cell[:k], out_class[:k], out_fee[:k], short[:n_short]
