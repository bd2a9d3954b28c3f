"""What one replicate needs (:class:`ModelConfig`) and what it returns (:class:`ReplicateResult`).

The configuration is built from a scenario by :mod:`sim.run`; the core never reads a file. Interventions
arrive already built, as objects with the :class:`Policy` interface, so the core does not depend on the
intervention registry that sits above it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from sim.core.demand import DemandInputs
from sim.core.levers import Levers
from sim.core.network import Network

# Monthly flows per route (persons; revenue in EUR). Stocks are recorded at month end.
ROUTE_FLOWS = (
    "departures", "crossing_attempts", "arrivals", "interceptions", "returns", "pushbacks", "dead_missing",
    "dead_missing_sea", "dead_missing_land", "rescued", "legal_entries", "smuggler_revenue", "smugglers_arrested",
    "proceeds_confiscated",
)
ROUTE_STOCKS = ("stranded", "in_transit")


class Policy(Protocol):
    """A dated change to the day's levers: what :class:`sim.interventions.Intervention` provides."""

    def active_fraction(self, day: dt.date) -> float: ...

    def apply(self, levers: Levers, fraction: float) -> None: ...


@dataclass(frozen=True)
class ModelConfig:
    """Everything one replicate needs; built from a scenario by :func:`sim.run.build_config`."""

    net: Network
    params: dict[str, float]
    interventions: tuple[Policy, ...]
    start: dt.date  # first reported day (a month start)
    end: dt.date  # last reported day
    spinup_days: int = 365
    agents_per_person: float = 1.0
    seed: int = 1
    check_conservation: bool = False
    demand: DemandInputs | None = None  # driver series and host stocks; None: constant demand, no hosts
    max_live_agents: int | None = None  # more alive at once stops the run (TooManyAgents); None: no limit


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
    host_stock: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (months, hosts) month end
    onward_by_host: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (months, hosts) persons
    host_ids: tuple[str, ...] = ()
    present_by_country: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (months, transit countries)
    arrivals_by_origin: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))  # (months, routes, origins)
