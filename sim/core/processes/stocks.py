"""First-asylum and transit hosts: stocks of people who left an origin and live in a host, some moving on.

The stocks are in persons, not agents: millions live in Türkiye, Iran or Sudan and few move on in a year,
so each (host, origin) pair is one number. A person who moves on becomes a migrant agent at the host's node
and plans the next leg there like anyone arriving at a hub.

Reads: the monthly inflow to each host and the host's inflation (demand inputs); those who gave up the
journey at the host's nodes and stayed (settling); those following earlier arrivals from each stock
(following); the averaged outlook of the paths from the host's node (choice), which carries what people learn
about the route (deaths, interceptions, prices) and enforcement at the coast; the day's ``onward_mult`` lever
at the node (dated events in the host: crackdowns, expulsions); the record's monthly fall in each stock
(returns, naturalisation, resettlement), a share of which leaves the stock (``host_record_exits``).
Writes: the stocks; new migrant rows (status WAITING at the host's node, through hubs); ``onward_by_host`` and the
month-end ``host_stock`` tallies.
"""

from __future__ import annotations

import calendar as cal

import numpy as np

from sim.core.demand import DemandInputs
from sim.core.processes.choice import RouteChoice
from sim.core.processes.hubs import Hubs
from sim.core.processes.origins import EPOCH, HOST_ID_BASE, new_ids, new_traits
from sim.core.processes.settling import Settling
from sim.core.rng import Decision
from sim.core.world import World


class HostStocks:
    def __init__(self, world: World, demand: DemandInputs, choice: RouteChoice, hubs: Hubs,
                 settling: Settling | None = None, followers: np.ndarray | None = None) -> None:
        self.world = world
        self.settling = settling
        self.followers = followers  # persons a day following earlier arrivals, by group (following.py), or None
        self.pair_host, self.pair_origin = demand.host_pairs  # the stocks kept; their rank is their id group
        self.demand = demand
        self.choice = choice
        self.hubs = hubs
        first = world.calendar.first_day  # stock0 is at the start of its month: add the days before the first
        before = (first.day - 1) / cal.monthrange(first.year, first.month)[1]
        self.stock = demand.host_stock0 + before * demand.host_inflow[:, :, demand.month(first)]  # persons
        self.moved = np.zeros_like(self.stock)  # persons who moved on since the start (spin-up included)
        self.settled = np.zeros_like(self.stock)  # persons who gave up the journey and stayed (settling.py)
        self.exited = np.zeros_like(self.stock)  # persons taken out as the record's stock fell (host_record_exits)
        if world.params["host_record_exits"] > 0 and demand.host_outflow is not None:  # the days before, likewise
            self.exited = np.minimum(self.stock, before * world.params["host_record_exits"]
                                     * demand.host_outflow[:, :, demand.month(first)])
            self.stock -= self.exited
        self.m0 = demand.month(world.calendar.start)  # the period's first month: reference for the host's economy
        p = world.params  # yearly onward rate per host, as a daily probability: transit hosts at their own multiple
        transit = np.zeros(len(demand.host_ids), bool) if demand.host_transit is None else demand.host_transit
        self.base_rate = p["host_onward_rate"] / 365.25 * np.where(transit, p["transit_onward_mult"], 1.0)

    def step(self, t: int) -> None:
        """A day: arrivals into each host, other exits, and those who move on towards Europe."""
        w, d = self.world, self.demand
        p = w.params
        m = d.month(w.date)
        self.stock += d.host_inflow[:, :, m] / cal.monthrange(w.date.year, w.date.month)[1]
        if self.settling is not None and self.settling.on:
            settled = self.settling.take()
            self.stock += settled
            self.settled += settled
        if p["host_exit_rate"] > 0:
            self.stock *= 1.0 - p["host_exit_rate"] / 365.25
        if p["host_record_exits"] > 0 and d.host_outflow is not None:  # the record's own fall: returns and others
            fall = p["host_record_exits"] * d.host_outflow[:, :, m] / cal.monthrange(w.date.year, w.date.month)[1]
            gone = np.minimum(self.stock, fall)
            self.stock -= gone
            self.exited += gone
        if p["host_onward_rate"] > 0 or self.followers is not None:
            self._move_on(t, self.onward_hazard(m))
        if w.calendar.month_end[t] and w.month(t) >= 0:
            w.tallies.host_stock[w.month(t)] = self.stock.sum(axis=1)

    def onward_hazard(self, m: int) -> np.ndarray:
        """Daily probability, per host, that a person there moves on: the base rate (higher in a transit host,
        ``transit_onward_mult``), scaled by the prospects from the host's node, the host's economy and the
        day's dated events there."""
        w, d = self.world, self.demand
        p = w.params
        nodes = d.host_node
        shift = self.choice.host_outlook_shift()[nodes]
        inflation = (d.host_inflation[:, m] - d.host_inflation[:, self.m0]) / 100.0
        log_mult = p["host_outlook_elasticity"] * shift + p["host_inflation_elasticity"] * inflation
        return self.base_rate * np.exp(log_mult) * w.levers.onward_mult[nodes]

    def _move_on(self, t: int, hazard: np.ndarray) -> None:
        w, d = self.world, self.demand
        hosts, origins = self.pair_host, self.pair_origin
        stock = self.stock[hosts, origins]  # persons in each stock kept (host, origin)
        persons = stock * np.minimum(hazard, 1.0)[hosts]  # expected persons moving on today
        if self.followers is not None:  # and those following earlier arrivals from the stock, as crackdowns push
            follow = self.followers[HOST_ID_BASE:HOST_ID_BASE + len(hosts)]
            persons = np.minimum(stock, persons + follow * w.levers.onward_mult[d.host_node[hosts]])
        epoch_day = (w.date - EPOCH).days
        keys = epoch_day * 64 + np.arange(len(hosts))
        counts = w.streams.poisson(Decision.HOST_ONWARD, t, keys, w.to_agents(persons))
        counts = np.minimum(counts, np.floor(w.to_agents(stock) + 1e-9).astype(counts.dtype))
        group, uid = new_ids(epoch_day, counts, HOST_ID_BASE, "migrants leaving one host stock")
        if len(uid) == 0:
            return
        moved = counts * w.weight
        self.stock[hosts, origins] -= moved  # never below 0: a draw may exceed the expectation, not the stock
        self.moved[hosts, origins] += moved
        host, origin = hosts[group], origins[group]
        rows = w.pop.add(uid=uid, origin=origin, node=d.host_node[host], **new_traits(w, uid, origin))
        w.created += len(uid)
        w.tallies.add_to(w.tallies.onward_by_host, t, host, w.weight)
        self.hubs.arrive(rows, t)
