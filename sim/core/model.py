"""The whole-route model: one day per step, migrants in arrays, smugglers and authorities as Mesa agents.

:class:`RouteModel` only wires the processes together and runs them in order. Each process is a module of
:mod:`sim.core.processes` that says what state it reads and writes; the shared state lives in a
:class:`~sim.core.world.World`. The core does no file I/O.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable

import mesa
import numpy as np

from sim.core.authorities import BorderAuthority
from sim.core.config import ModelConfig, ReplicateResult
from sim.core.population import Status, TooManyAgents
from sim.core.processes.choice import RouteChoice
from sim.core.processes.crossings import Crossings
from sim.core.processes.detention import Detention
from sim.core.processes.following import Following
from sim.core.processes.hubs import Hubs
from sim.core.processes.information import Information
from sim.core.processes.legal import LegalPathways
from sim.core.processes.market import SmugglerMarket
from sim.core.processes.origins import Origins
from sim.core.processes.records import MonthEndRecords
from sim.core.processes.sea import SeaCrossing
from sim.core.processes.settling import Settling
from sim.core.processes.stocks import HostStocks
from sim.core.processes.transit import Transit
from sim.core.world import Observer, World


class RouteModel(mesa.Model):
    """One replicate of a scenario. ``step`` is the day's plan; ``profile`` holds seconds per process."""

    def __init__(self, config: ModelConfig, replicate: int = 0) -> None:
        super().__init__(seed=config.seed * 100003 + replicate)
        self.config = config
        self.world = w = World(config, replicate)
        self.interventions = config.interventions
        self.authorities = [BorderAuthority(self, spec, w.net, w.levers, w.params) for spec in w.net.authorities]
        # processes, each given the state and the processes it calls, all built above it: calls run one way
        self.information = Information(w)
        self.market = SmugglerMarket(self, w)
        self.choice = RouteChoice(w, self.market, self.information)
        self.hubs = Hubs(w, self.market, self.choice)
        self.settling = Settling(w, config.demand)
        self.detention = Detention(w, self.hubs, self.settling)
        self.crossings = Crossings(w, self.information, self.detention, self.hubs)
        self.transit = Transit(w, self.market, self.choice, self.hubs, self.crossings, self.detention,
                               self.settling)
        self.legal = LegalPathways(w, self.choice)
        self.following = Following(w)
        followers = self.following.followers if self.following.on else None
        self.origins = Origins(w, self.market, self.choice, self.legal, self.transit, config.demand, followers)
        self.sea = SeaCrossing(w, self.market, self.choice, self.hubs, self.information)
        self.records = MonthEndRecords(w, self.market)
        # what happens to a migrant whose timer has run out, by status, in this order
        self.handlers = (
            (Status.AT_SEA, self.crossings.outcome),
            (Status.TRAVELLING, self.transit.end_of_leg),
            (Status.DETAINED, self.detention.release),
            (Status.RETURNED, self.detention.after_return),
            (Status.WAITING, self.transit.leave_hub),
            (Status.AT_ORIGIN, self.origins.review),
            (Status.WITH_SMUGGLER, self.sea.board),
        )
        # the day's plan: each entry is called with the day; insert_process adds one (docs/extending.md)
        self.plan: list[tuple[str, Callable[[int], None]]] = [
            ("levers", self._set_levers),
            ("information", self.information.start_day),
            ("market", self.market.step),
            ("choice", self.choice.start_day),
            ("new aspirants", self.origins.new_aspirants),
            ("due migrants", self._handle_due),
            ("month-end records", self.records.step),
        ]
        self.stocks: HostStocks | None = None
        if config.demand is not None and len(config.demand.host_ids):
            self.stocks = HostStocks(w, config.demand, self.choice, self.hubs, self.settling, followers)
            self.insert_process("host stocks", self.stocks.step, after="new aspirants")
        if self.following.on:
            self.insert_process("following", self.following.step, after="choice")
        self.profile: dict[str, float] = defaultdict(float)  # seconds spent per process (``timed=True``)
        self.timed = False
        self._driver_from: dt.date | None = None  # see project_drivers
        self._driver_path: np.ndarray | None = None

    # ------------------------------------------------------------------ the day
    def step(self) -> None:
        w = self.world
        t = w.day
        w.date = w.calendar.date(t)
        for name, process in self.plan:
            self._run(name, process, t)
        if self.config.check_conservation:
            w.assert_conservation()
        cap = self.config.max_live_agents
        if cap is not None and (alive := w.pop.n - w.pop.n_final_rows) > cap:
            raise TooManyAgents(f"{alive} agents alive on {w.date}, above the limit {cap}")
        if w.pop.n_final_rows > 0.25 * w.pop.n:
            w.pop.compact()
        w.day += 1

    def insert_process(self, name: str, process: Callable[[int], None], *, after: str) -> None:
        """Add a daily process to the plan, called with the day right after the entry named ``after``."""
        names = [n for n, _ in self.plan]
        if after not in names:
            raise ValueError(f"no process named {after!r} in the plan: {', '.join(names)}")
        self.plan.insert(names.index(after) + 1, (name, process))

    def _handle_due(self, t: int) -> None:
        """Every migrant whose timer has run out is handled by the process for its status."""
        pop = self.world.pop
        self.world.agent_steps += pop.n - pop.n_final_rows
        due, bounds = pop.due_by_status(t)
        if len(due):
            for code, handler in self.handlers:
                rows = due[bounds[code]:bounds[code + 1]]
                if len(rows):
                    self._run(handler.__qualname__, handler, rows, t)
        # only leaving a hub (WAITING) and boarding (WITH_SMUGGLER) put or keep anyone in a queue
        self.market.count_queue(due[bounds[Status.WAITING]:bounds[Status.WITH_SMUGGLER + 1]])

    def _set_levers(self, t: int) -> None:
        """Authorities write their baseline levers, then interventions and projected drivers adjust them."""
        w = self.world
        w.levers.reset()
        for authority in self.authorities:
            authority.step()
        for intervention in self.interventions:
            frac = intervention.active_fraction(w.date)
            if frac > 0:
                intervention.apply(w.levers, frac)
        if self._driver_from is not None and w.date >= self._driver_from:
            k = (w.date.year - self._driver_from.year) * 12 + w.date.month - self._driver_from.month
            w.levers.pressure_mult[:] = self._driver_path[min(k, len(self._driver_path) - 1)]

    def _run(self, name: str, process: Callable[..., None], *args: object) -> None:
        if not self.timed:
            process(*args)
            return
        t0 = time.perf_counter()
        process(*args)
        self.profile[name] += time.perf_counter() - t0

    # ------------------------------------------------------------------ running
    def run(self, progress=None) -> ReplicateResult:  # noqa: ANN001 - any callable(int)
        reported = 0
        w = self.world
        while w.day < self.n_days:
            self.step()
            if progress is not None and (w.day % 30 == 0 or w.day == self.n_days):
                progress(w.day - reported)
                reported = w.day
        return self.result()

    def run_until(self, date: dt.date) -> None:
        """Step through the day before ``date`` (a forecast origin), or to the end of the calendar."""
        stop = min(self.n_days, (date - self.world.calendar.first_day).days)
        while self.world.day < stop:
            self.step()

    def project_drivers(self, start: dt.date, path: np.ndarray) -> None:
        """From ``start`` (a month start) on, the origin-pressure multiplier is ``path`` (months x origins)
        rather than the scenario's origin_pressure entries: a forecast's projected drivers."""
        if path.ndim != 2 or path.shape[1] != len(self.world.net.origins):
            raise ValueError("a driver path is months x origins")
        self._driver_from, self._driver_path = start, np.asarray(path, float)

    def observe(self, observer: Observer) -> None:
        """Attach an observer whose hooks see migrants finalised and boats sailing (see World.Observer)."""
        self.world.observers.append(observer)

    def result(self) -> ReplicateResult:
        w = self.world
        result = w.tallies.result(w.agent_steps, w.created)
        if self.config.demand is not None:
            result.host_ids = self.config.demand.host_ids
        return result

    # ------------------------------------------------------------------ read-only views
    @property
    def n_days(self) -> int:
        return self.world.calendar.n_days

    @property
    def day(self) -> int:
        return self.world.day

    @property
    def agent_steps(self) -> int:
        return self.world.agent_steps

    @property
    def created(self) -> int:
        return self.world.created

    def month_index(self, month: dt.date) -> int:
        return self.world.calendar.month_index(month)
