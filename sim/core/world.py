"""The shared state of one replicate, in one plain holder that every process receives when it is built.

Processes read and write the migrants' arrays, the day's levers and the monthly tallies through this
object rather than through the model, so a process depends only on the state it uses and on the processes
it is given, never on the model that runs it.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import numba
import numpy as np

from sim.core.calendar import Calendar
from sim.core.config import ModelConfig
from sim.core.levers import Levers
from sim.core.network import Network
from sim.core.population import FINAL, N_STATUS, NEVER, Population, Status
from sim.core.rng import Streams
from sim.core.tallies import Tallies

SEA = 2  # index of "sea" in network.MODES


class Observer(Protocol):
    """Hooks for following migrants through a run (``benchmarks/crn_pairing.py``); both are optional."""

    def finalised(self, world: World, rows: np.ndarray, status: Status) -> None: ...

    def sailed(self, world: World, rows: np.ndarray, queued_since: np.ndarray) -> None: ...


class World:
    """Network, parameters, random streams, levers, population, calendar and tallies of one replicate."""

    def __init__(self, config: ModelConfig, replicate: int) -> None:
        self.net: Network = config.net
        self.params = config.params
        self.agents_per_person = config.agents_per_person
        self.weight = 1.0 / config.agents_per_person  # persons per agent
        self.streams = Streams(config.seed, replicate)
        self.levers = Levers(config.net)
        self.pop = Population(capacity=200_000)
        self.calendar = Calendar(config.start, config.end, config.spinup_days)
        self.tallies = Tallies(config.net, self.calendar,
                               0 if config.demand is None else len(config.demand.host_ids))
        self.day = 0
        self.date: dt.date = self.calendar.first_day
        self.created = 0  # agents ever created
        self.agent_steps = 0  # sum over days of agents not yet in a final status
        self.final_counts = np.zeros(N_STATUS, np.int64)
        self.observers: list[Observer] = []
        dest_index = {config.net.node(d): i for i, d in enumerate(config.net.destinations)}
        self.dest_of_node = np.array([dest_index.get(n, -1) for n in range(config.net.n_nodes)])  # -1: not one

    def finalise(self, rows: np.ndarray, status: Status) -> None:
        """Put migrants in a final status (arrived, dead or missing, legal, exited), counted once."""
        for obs in self.observers:
            if hasattr(obs, "finalised"):
                obs.finalised(self, rows, status)
        self.pop.finalise(rows, status)
        self.final_counts[status] += len(rows)

    def to_agents(self, persons: np.ndarray | float) -> np.ndarray | float:
        """Persons (or persons a day) as agents: where the population scale enters the processes. Tallies
        turn agents back into persons with ``weight``."""
        return persons * self.agents_per_person

    def next_edge(self, rows: np.ndarray) -> np.ndarray:
        """The leg each migrant is on or will take next."""
        return _next_edge(rows, self.pop.path, self.pop.leg, self.net.path_edges)

    def month(self, t: int) -> int:
        return self.calendar.month(t)

    def assert_conservation(self) -> None:
        """Every agent ever created is in exactly one status: live rows plus final tallies."""
        pop = self.pop
        live = pop.status[: pop.n][pop.until[: pop.n] != NEVER]
        counts = np.bincount(live, minlength=N_STATUS)
        assert counts[[int(s) for s in FINAL]].sum() == 0, "a final status left in a live row"
        assert counts.sum() + self.final_counts.sum() == self.created, "migrants lost or double-counted"
        assert len(np.unique(pop.uid[: pop.n])) == pop.n, "duplicate migrant ids"


@numba.njit(cache=True)
def _next_edge(rows: np.ndarray, path: np.ndarray, leg: np.ndarray, path_edges: np.ndarray) -> np.ndarray:
    out = np.empty(len(rows), np.intp)
    for j in range(len(rows)):
        out[j] = path_edges[path[rows[j]], leg[rows[j]]]
    return out
