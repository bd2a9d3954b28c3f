"""Smuggler cells: organisations at departure points that sell sea crossings, and land networks.

Few and rich in behaviour, so they are Mesa agents. A sea cell has organisers and aides (Campana 2018:
about 15% organisers, 85% aides), a stock of boats by class (0 seaworthy, 1 unseaworthy), capital, and a
price index applied to the crossing's base fee. Each day it loses members to arrests and replaces them
after a delay (network resilience), loses boats to seizures, buys boats with its capital - cheaper,
unseaworthy ones when rescue capacity is high (Deiana et al. 2024) or capital is short - and moves its
price towards a target that rises with queueing demand and with the risk of interception. Land networks
collect the fees of every leg that is not a sea crossing (land and air legs, land-border crossings) and
have no capacity limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields

import mesa
import numpy as np

from sim.core.levers import Levers
from sim.core.rng import Decision, Streams, poisson_from_uniform
from sim.core.world import World


@dataclass
class Coast:
    """What the cells face today, written by the market each day before they act: the levers per node
    (sea levers averaged over the crossings leaving it), as Python lists for the cells' scalar arithmetic,
    and each cell's random draws for the day, made in one vectorised call per decision."""

    rescue: np.ndarray  # per node: the day's rescue probability averaged over its sea crossings
    interception: np.ndarray  # per node, likewise
    levers: dict[str, list[float]] = field(default_factory=dict)  # per node, by lever name
    u_arrests: list[list[float]] = field(default_factory=list)  # per cell: organisers, aides, 2 recruitments
    u_seizure: list[list[float]] = field(default_factory=list)  # per cell: seaworthy, unseaworthy boats
    u_cell: list[list[float]] = field(default_factory=list)  # per cell: entry or exit, promotion

    NODE_LEVERS = ("arrest_rate", "organiser_arrests", "aide_arrests", "recruit_mult", "boat_seizure_rate",
                   "unseaworthy_extra", "confiscation_share", "launch_mult")

    def refresh(self, levers: Levers, streams: Streams, day: int, n_cells: int) -> None:
        self.levers = {name: getattr(levers, name).tolist() for name in self.NODE_LEVERS}
        self.levers["rescue"] = self.rescue.tolist()
        self.levers["interception"] = self.interception.tolist()
        key = np.arange(n_cells, dtype=np.int64)[:, None] * 16
        self.u_arrests = streams.uniform(Decision.ARRESTS, day, key + np.arange(4)).tolist()
        self.u_seizure = streams.uniform(Decision.SEIZURE, day, key + np.arange(4, 6)).tolist()
        self.u_cell = streams.uniform(Decision.CELL, day, key + np.arange(6, 8)).tolist()


class SeaCell(mesa.Agent):
    """A smuggling organisation at one departure point. Built with the shared world, today's coast
    conditions and a callback that records what the police take (arrests, confiscations) by node."""

    def __init__(self, model: mesa.Model, world: World, coast: Coast, cell_id: int, node: int,
                 record: Callable[[str, int, float], None]) -> None:
        super().__init__(model)
        self.world = world
        self.coast = coast
        self.record = record
        self.p = p = CellParameters.from_params(world.params)
        self.cell_id = cell_id
        self.node = node
        self.organisers = float(p.organisers_per_cell)
        self.aides = p.organisers_per_cell * p.aides_per_organiser
        self.vacant_organisers = 0.0
        self.vacant_aides = 0.0
        self.price_index = 1.0
        stock = self.launch_capacity() * p.boat_stock_days
        self.boats = [0.7 * stock, 0.3 * stock]  # seaworthy, unseaworthy (assumption: initial mix)
        self.capital = 30 * self.launch_capacity() * p.boat_cost_seaworthy  # assumption: a month of boats
        self.revenue = 0.0  # EUR, whole run
        self.costs = 0.0
        self.arrested = 0.0
        self.confiscated = 0.0  # EUR of proceeds confiscated, whole run
        self.seized = [0.0, 0.0]
        self.launched = [0.0, 0.0]
        self.queue = 0.0  # persons waiting at this cell's departure point (its share), the demand signal
        self.load = 1.0  # people per boat relative to the nominal size (overcrowding when queues are long)
        self.partners: list[SeaCell] = []  # linked cells: rivals at the same departure point (same stage)
        self.suppliers: list[LandNetwork] = []  # land networks that bring customers to this departure point

    def launch_capacity(self) -> float:
        """Boats a day this cell can launch: organisers, each needing a crew of aides."""
        p = self.p
        crews = self.aides / max(p.aides_per_organiser, 1e-9)
        return min(self.organisers, crews) * p.launches_per_organiser

    def unseaworthy_share(self) -> float:
        total = self.boats[0] + self.boats[1]
        return self.boats[1] / total if total > 0 else 0.0

    def seat_capacity(self, bad_weather: bool, rescue: float, load: float | None = None) -> float:
        """Persons this cell can put to sea today (at today's load factor unless one is given)."""
        p = self.p
        launch_mult = self.coast.levers["launch_mult"][self.node]  # today's, as the market refreshed it
        launches = min(self.launch_capacity(), self.boats[0] + self.boats[1]) * launch_mult
        if bad_weather:
            launches *= min(1.0, p.bad_weather_launch_base + p.bad_weather_launch_sar * rescue)
        share_u = self.unseaworthy_share()
        size = (1 - share_u) * p.boat_size_seaworthy + share_u * p.boat_size_unseaworthy
        return launches * size * (self.load if load is None else load)

    def step(self) -> None:
        p, c, node, cid = self.p, self.coast, self.node, self.cell_id
        lv = c.levers
        # arrests: a rate per member (policing, prosecution) plus targeted operations that remove a number
        # of organisers or aides a day at this node, shared among its cells; replacement after a delay
        # (network resilience), slower for organisers, whose contacts and reputation take time to rebuild
        arrest = lv["arrest_rate"][node]
        share = 1.0 / (len(self.partners) + 1)  # this cell's share of the operations at its node
        lam_org = self.organisers * arrest + lv["organiser_arrests"][node] * share
        lam_aides = self.aides * arrest + lv["aide_arrests"][node] * share
        u_arrests = c.u_arrests[cid]
        if lam_org > 0 or lam_aides > 0:
            lost_org = min(self.organisers, _poisson(u_arrests[0], lam_org))
            lost_aides = min(self.aides, _poisson(u_arrests[1], lam_aides))
            self.organisers -= lost_org
            self.aides -= lost_aides
            self.vacant_organisers += lost_org
            self.vacant_aides += lost_aides
            self.arrested += lost_org + lost_aides
            if lost_org + lost_aides > 0:
                self.record("smugglers_arrested", node, lost_org + lost_aides)
        if self.vacant_organisers or self.vacant_aides:
            days = p.recruit_days * lv["recruit_mult"][node]
            back_org = 1.0 - math.exp(-1.0 / (days * p.organiser_recruit_mult))
            back = 1.0 - math.exp(-1.0 / days)
            o = _poisson(u_arrests[2], self.vacant_organisers * back_org)
            a = _poisson(u_arrests[3], self.vacant_aides * back)
            o, a = min(o, self.vacant_organisers), min(a, self.vacant_aides)
            self.organisers += o
            self.aides += a
            self.vacant_organisers -= o
            self.vacant_aides -= a
        # a cell short of organisers promotes an aide from a linked rival (network resilience)
        if self.vacant_organisers >= 1 and self.partners and p.promotion_rate > 0:
            donor = max(self.partners, key=lambda cell: cell.aides)
            if donor.aides >= 2 * p.aides_per_organiser and c.u_cell[cid][1] < p.promotion_rate:
                donor.aides -= 1
                self.organisers += 1
                self.vacant_organisers -= 1
        # seizures of boats in stock
        rate = lv["boat_seizure_rate"][node]
        if rate > 0:
            for k in (0, 1):
                n = min(self.boats[k], _poisson(c.u_seizure[cid][k], self.boats[k] * rate))
                self.boats[k] -= n
                self.seized[k] += n
        # buy boats up to the stock target; cheaper, unseaworthy boats when rescue is likely, when boats are
        # likely to be seized before use (share of the stock seized in a month), or when capital is short
        rescue = lv["rescue"][node]
        monthly_seizure = 1.0 - math.exp(-30.0 * rate)
        share_u = min(1.0, p.unseaworthy_share_base + p.unseaworthy_share_sar * rescue
                      + p.unseaworthy_share_seizure * monthly_seizure + lv["unseaworthy_extra"][node])
        need = max(0.0, self.launch_capacity() * p.boat_stock_days - self.boats[0] - self.boats[1])
        if need > 0 and self.capital > 0:
            c0, c1 = p.boat_cost_seaworthy, p.boat_cost_unseaworthy
            buy0, buy1 = need * (1 - share_u), need * share_u
            if buy0 * c0 + buy1 * c1 > self.capital:  # substitute towards unseaworthy boats, then buy fewer
                buy0, buy1 = 0.0, min(need, self.capital / c1)
            self.boats[0] += buy0
            self.boats[1] += buy1
            spend = buy0 * c0 + buy1 * c1
            self.capital -= spend
            self.costs += spend
        # price moves towards a target set by queueing demand over capacity and by interception risk;
        # with a queue longer than a day's nominal seats, boats are loaded beyond their size
        capacity = max(self.seat_capacity(False, rescue, load=1.0), 1e-9)  # persons a day
        self.load = min(p.overload_max, max(1.0, self.queue / capacity))
        ratio = min(4.0, max(0.25, self.queue / (capacity * 7.0)))
        risk = lv["interception"][node]
        target = ratio ** p.price_demand_elasticity * (1.0 + p.price_risk_premium * risk)
        self.price_index += p.price_adjust_rate * (target - self.price_index)
        # entry and exit of organisers with demand; confiscation of proceeds cuts the expected return, so
        # fewer enter and some leave even when demand is strong (assumption, see asset_confiscation)
        confiscated = lv["confiscation_share"][node]
        u = c.u_cell[cid][0]
        controlled = lv["launch_mult"][node] < 1.0  # whoever stops departures at a coast stops newcomers too
        if ratio >= 2.0 and self.capital > 0 and not controlled:
            if u < p.cell_growth_rate * (1.0 - confiscated):
                self.organisers += 1
                self.aides += p.aides_per_organiser
        elif (ratio <= 0.25 or confiscated > 0) and self.organisers > 1:
            exit_rate = p.cell_growth_rate / 4 * (1.0 if ratio <= 0.25 else confiscated)
            if u < exit_rate:
                self.organisers -= 1
                self.aides = max(0.0, self.aides - p.aides_per_organiser)

    def use_boats(self, boats_by_class: Sequence[float], fees: float) -> None:
        """Boats launched today (one-way: they are lost, seized or abandoned) and the fees collected."""
        for k in (0, 1):
            self.boats[k] = max(0.0, self.boats[k] - float(boats_by_class[k]))
            self.launched[k] += float(boats_by_class[k])
        self.revenue += fees
        taken = fees * self.coast.levers["confiscation_share"][self.node]
        self.confiscated += taken
        if taken > 0:
            self.record("proceeds_confiscated", self.node, taken)
        self.capital += fees - taken


def _poisson(u: float, lam: float) -> float:
    return poisson_from_uniform(u, lam) if lam > 0 else 0


@dataclass(frozen=True, slots=True)
class CellParameters:
    """The parameters a cell reads every day, as attributes (read once from the run's parameters)."""

    organisers_per_cell: float
    aides_per_organiser: float
    launches_per_organiser: float
    boat_stock_days: float
    boat_cost_seaworthy: float
    boat_cost_unseaworthy: float
    boat_size_seaworthy: float
    boat_size_unseaworthy: float
    bad_weather_launch_base: float
    bad_weather_launch_sar: float
    recruit_days: float
    organiser_recruit_mult: float
    promotion_rate: float
    unseaworthy_share_base: float
    unseaworthy_share_sar: float
    unseaworthy_share_seizure: float
    overload_max: float
    price_demand_elasticity: float
    price_risk_premium: float
    price_adjust_rate: float
    cell_growth_rate: float

    @classmethod
    def from_params(cls, params: dict[str, float]) -> CellParameters:
        return cls(**{f.name: params[f.name] for f in fields(cls)})


class LandNetwork(mesa.Agent):
    """Smugglers and transporters selling the legs that leave one node (no capacity limit)."""

    def __init__(self, model: mesa.Model, node: int) -> None:
        super().__init__(model)
        self.node = node
        self.revenue = 0.0

    def step(self) -> None:
        pass
