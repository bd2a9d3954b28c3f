"""Demand from data: the monthly driver series and the first-asylum stocks one replicate reads.

The series are built from ``data/drivers`` by :mod:`sim.io.demand_inputs`; the core only indexes them by
month. Months run from ``first_month`` (the first month of the spin-up) to the end of the run; after the
last published value a series holds that value (the drivers' own projection is persistence).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.signal import lfilter

MAX_HOST_GROUPS = 32  # the id layout of migrants created from host stocks holds 32 (host, origin) pairs


@dataclass(frozen=True)
class DemandInputs:
    first_month: dt.date  # month of column 0
    origin_conflict: np.ndarray  # (origins, months) people displaced by conflict inside the origin (IDMC); > 0
    origin_growth: np.ndarray  # (origins, months) GDP per capita growth, percent a year
    host_ids: tuple[str, ...]
    host_node: np.ndarray  # (hosts,) node where those who move on from the host enter the network
    host_stock0: np.ndarray  # (hosts, origins) persons in the host at the start of the first month
    host_inflow: np.ndarray  # (hosts, origins, months) persons arriving in the host in the month
    host_inflation: np.ndarray  # (hosts, months) consumer price inflation in the host, percent a year
    host_listed: np.ndarray  # (hosts, origins) bool: the host keeps a stock of the origin's people
    settle_host: np.ndarray  # (nodes,) host whose stock those who give up at the node may join, -1: none
    host_outflow: np.ndarray | None = None  # (hosts, origins, months) persons by which the record fell in the month
    host_transit: np.ndarray | None = None  # (hosts,) bool: a transit host (hosts.csv kind); None: none is
    origin_population: np.ndarray | None = None  # (origins, months) residents of the origin countries; None: unknown
    origin_conflict_before: np.ndarray | None = None  # (origins, months) origin_conflict in the drivers' months
    # before first_month (from 2010-01), so that displacement just before the run counts as recent; None: none
    _index_cache: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.host_transit is not None and self.host_transit.shape != (len(self.host_ids),):
            raise ValueError("demand input host_transit is not one flag per host")
        if self.host_listed.shape != self.host_stock0.shape:
            raise ValueError("demand input host_listed is not hosts x origins")
        if int(self.host_listed.sum()) > MAX_HOST_GROUPS:
            raise ValueError(f"{int(self.host_listed.sum())} (host, origin) stocks exceed the {MAX_HOST_GROUPS} "
                             "host groups migrant ids hold")
        months = self.origin_conflict.shape[1]
        if self.origin_population is not None and self.origin_population.shape != self.origin_conflict.shape:
            raise ValueError("demand input origin_population is not origins x months like origin_conflict")
        for name in ("origin_growth", "host_inflow", "host_inflation"):
            if getattr(self, name).shape[-1] != months:
                raise ValueError(f"demand input {name} does not cover the {months} months of origin_conflict")
        before = self.origin_conflict_before
        if before is not None and (before.ndim != 2 or before.shape[0] != self.origin_conflict.shape[0]):
            raise ValueError("demand input origin_conflict_before is not origins x months like origin_conflict")
        for name in ("origin_conflict", "origin_growth", "host_stock0", "host_inflow", "host_inflation",
                     "origin_population", "origin_conflict_before"):
            if getattr(self, name) is not None and not np.all(np.isfinite(getattr(self, name))):
                raise ValueError(f"demand input {name} holds a missing value")

    @property
    def n_months(self) -> int:
        return self.origin_conflict.shape[1]

    def month(self, date: dt.date) -> int:
        """Column of ``date``'s month (the last column beyond the end, the first before the start)."""
        k = (date.year - self.first_month.year) * 12 + date.month - self.first_month.month
        return min(max(k, 0), self.n_months - 1)

    @property
    def host_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(host, origin) of each stock the hosts keep, in the order of their group in migrant ids."""
        return np.nonzero(self.host_listed)

    def conflict_index(self, memory_months: float = 0.0, stock_weight: float = 1.0) -> np.ndarray:
        """(origins, months) the conflict displacement that presses on emigration. With ``memory_months`` 0, the
        IDMC stock itself. Otherwise stock_weight x the stock + the displaced weighted by how recently they were
        displaced: each month's increase of the stock, fading as exp(-age / memory_months). Why: people newly
        displaced are the ones deciding whether to move on; years later most have settled, returned or left, so
        a stock that only grows (Afghanistan's six-fold, 2014-2022) overstates the push."""
        if memory_months <= 0:
            return self.origin_conflict
        key = (float(memory_months), float(stock_weight))
        if key not in self._index_cache:
            full = self.origin_conflict
            if self.origin_conflict_before is not None:
                full = np.concatenate([self.origin_conflict_before, full], axis=1)
            increase = np.maximum(np.diff(full, axis=1, prepend=full[:, :1]), 0.0)
            recent = lfilter([1.0], [1.0, -np.exp(-1.0 / memory_months)], increase, axis=1)
            self._index_cache[key] = (stock_weight * full + recent)[:, -self.n_months:]
        return self._index_cache[key]

    def driver_multiplier(self, m: int | np.ndarray, m0: int, params: Mapping[str, float]) -> np.ndarray:
        """:meth:`origin_multiplier` at the parameters' origin_conflict_* and origin_growth_elasticity."""
        return self.origin_multiplier(m, m0, params["origin_conflict_elasticity"], params["origin_growth_elasticity"],
                                      params["origin_conflict_offset"], params["origin_conflict_population_share"],
                                      params["origin_conflict_memory_months"], params["origin_conflict_stock_weight"])

    def origin_multiplier(self, m: int | np.ndarray, m0: int, conflict_elasticity: float, growth_elasticity: float,
                          conflict_offset: float, population_share: float = 0.0, memory_months: float = 0.0,
                          stock_weight: float = 1.0) -> np.ndarray:
        """Per origin (and per month, for an array of months), the drivers' multiplier on aspirants in month
        ``m`` against month ``m0``: ((conflict + offset) / (the same in m0)) ** conflict_elasticity x
        exp(-growth_elasticity x (growth - growth in m0)), conflict = :meth:`conflict_index` (the IDMC stock,
        or with ``memory_months`` the recently displaced), offset = conflict_offset persons + population_share
        x the origin's population in m0. The offset keeps a few thousand displaced in a large country from
        multiplying its emigration (parameter ``origin_conflict_offset``); its population part weighs the
        displaced against the people at home, so that a million displaced move a country of 30 million more
        than one of 300 million (parameter ``origin_conflict_population_share``)."""
        c, g = self.conflict_index(memory_months, stock_weight), self.origin_growth
        c0, g0 = c[:, m0], g[:, m0]
        offset = np.full(len(c0), float(conflict_offset))
        if population_share > 0:
            if self.origin_population is None:
                raise ValueError("origin_conflict_population_share > 0 needs the origins' population")
            offset = offset + population_share * self.origin_population[:, m0]
        if np.ndim(m):  # months along the second axis: the reference month broadcasts over them
            c0, g0, offset = c0[:, None], g0[:, None], offset[:, None]
        conflict = np.log((c[:, m] + offset) / (c0 + offset))
        return np.exp(conflict_elasticity * conflict - growth_elasticity * (g[:, m] - g0))

