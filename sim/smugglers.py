"""Smuggler cells: organisations at departure points that sell sea crossings, and land networks.

Few and rich in behaviour, so they are Mesa agents. A sea cell has organisers and aides (Campana 2018:
about 15% organisers, 85% aides), a stock of boats by class (0 seaworthy, 1 unseaworthy), capital, and a
price index applied to the crossing's base fee. Each day it loses members to arrests and replaces them
after a delay (network resilience), loses boats to seizures, buys boats with its capital - cheaper,
unseaworthy ones when rescue capacity is high (Deiana et al. 2024) or capital is short - and moves its
price towards a target that rises with queueing demand and with the risk of interception. Land networks
collect the fees of legs inside Africa and Asia and have no capacity limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.rng import Decision

if TYPE_CHECKING:
    from sim.model import RouteModel

MAX_MEMBERS = 4096  # member slots per cell for keyed draws


class SeaCell(mesa.Agent):
    def __init__(self, model: RouteModel, cell_id: int, node: int, share: float) -> None:
        super().__init__(model)
        p = model.params
        self.cell_id = cell_id
        self.node = node
        self.edges = np.flatnonzero((model.net.edge_from == node) & (model.net.edge_mode == 2))
        self.organisers = float(p["organisers_per_cell"])
        self.aides = float(round(p["organisers_per_cell"] * p["aides_per_organiser"]))
        self.vacant_organisers = 0.0
        self.vacant_aides = 0.0
        self.price_index = 1.0
        launches = self.launch_capacity()
        self.boats = np.array([launches * p["boat_stock_days"] * 0.7, launches * p["boat_stock_days"] * 0.3])
        self.capital = 30 * launches * p["boat_cost_seaworthy"]  # assumption: a month of boats in hand
        self.revenue = 0.0  # EUR, whole run
        self.costs = 0.0
        self.arrested = 0.0
        self.seized = np.zeros(2)
        self.launched = np.zeros(2)
        self.queue = 0.0  # persons waiting for this cell yesterday (demand signal)

    def launch_capacity(self) -> float:
        """Boats a day this cell can launch: organisers, each needing a crew of aides."""
        p = self.model.params
        crews = self.aides / max(p["aides_per_organiser"], 1e-9)
        return min(self.organisers, crews) * p["launches_per_organiser"]

    def seat_capacity(self, bad_weather: bool, rescue: float) -> float:
        """Persons this cell can put to sea today."""
        p = self.model.params
        launches = min(self.launch_capacity(), self.boats.sum())
        if bad_weather:
            launches *= min(1.0, p["bad_weather_launch_base"] + p["bad_weather_launch_sar"] * rescue)
        share_u = self.boats[1] / max(self.boats.sum(), 1e-9)
        return launches * ((1 - share_u) * p["boat_size_seaworthy"] + share_u * p["boat_size_unseaworthy"])

    def step(self) -> None:
        m = self.model
        p, t, lv = m.params, m.day, m.levers
        # arrests and replacement of members (keyed draws: one slot per member)
        members = int(self.organisers + self.aides)
        if members and lv.arrest_rate[self.node] > 0:
            u = m.streams.uniform(Decision.ARRESTS, t, self.cell_id * MAX_MEMBERS + np.arange(members))
            hit = u < lv.arrest_rate[self.node]
            lost_org = float(hit[: int(self.organisers)].sum())
            lost_aides = float(hit[int(self.organisers):].sum())
            self.organisers -= lost_org
            self.aides -= lost_aides
            self.vacant_organisers += lost_org
            self.vacant_aides += lost_aides
            self.arrested += lost_org + lost_aides
        back = 1.0 - np.exp(-1.0 / p["recruit_days"])
        for role in ("organisers", "aides"):
            vacant = getattr(self, f"vacant_{role}")
            if vacant > 0:
                filled = vacant * back if vacant > 1 else float(
                    m.streams.scalar_uniform(Decision.ARRESTS, t, self.cell_id * MAX_MEMBERS + 4000) < back)
                setattr(self, role, getattr(self, role) + filled)
                setattr(self, f"vacant_{role}", vacant - filled)
        # seizures of boats in stock
        rate = lv.boat_seizure_rate[self.node]
        if rate > 0:
            u = m.streams.uniform(Decision.SEIZURE, t, np.array([self.cell_id * 2, self.cell_id * 2 + 1]))
            seized = np.minimum(self.boats, np.floor(self.boats * rate + u))
            self.boats -= seized
            self.seized += seized
        # buy boats up to the stock target; short capital buys the cheaper class
        rescue = float(lv.rescue[self.edges].mean()) if len(self.edges) else 0.0
        share_u = min(1.0, p["unseaworthy_share_base"] + p["unseaworthy_share_sar"] * rescue)
        need = max(0.0, self.launch_capacity() * p["boat_stock_days"] - self.boats.sum())
        if need > 0 and self.capital > 0:
            cost = np.array([p["boat_cost_seaworthy"], p["boat_cost_unseaworthy"]])
            want = need * np.array([1 - share_u, share_u])
            spend = want @ cost
            if spend > self.capital:  # substitute towards unseaworthy boats first, then buy fewer
                want = np.array([0.0, need])
                if want @ cost > self.capital:
                    want = np.array([0.0, self.capital / cost[1]])
            self.boats += want
            self.capital -= want @ cost
            self.costs += want @ cost
        # price moves towards a target set by demand over capacity and by the risk of interception
        capacity = max(self.seat_capacity(False, rescue), 1e-9)  # persons a day
        ratio = np.clip(self.queue / (capacity * 7.0), 0.25, 4.0)
        risk = float(lv.interception[self.edges].mean()) if len(self.edges) else 0.0
        target = ratio ** p["price_demand_elasticity"] * (1.0 + p["price_risk_premium"] * risk)
        self.price_index += p["price_adjust_rate"] * (target - self.price_index)
        # entry and exit of organisers with demand
        if ratio >= 2.0 and self.capital > 0:
            if m.streams.scalar_uniform(Decision.CELL, t, self.cell_id) < p["cell_growth_rate"]:
                self.organisers += 1
                self.aides += round(p["aides_per_organiser"])
        elif ratio <= 0.25 and self.organisers > 1:
            if m.streams.scalar_uniform(Decision.CELL, t, self.cell_id) < p["cell_growth_rate"] / 4:
                self.organisers -= 1
                self.aides = max(0.0, self.aides - round(p["aides_per_organiser"]))

    def use_boats(self, boats_by_class: np.ndarray, fees: float) -> None:
        """Boats launched today (one-way: they are lost, seized or abandoned) and the fees collected."""
        self.boats = np.maximum(self.boats - boats_by_class, 0.0)
        self.launched += boats_by_class
        self.revenue += fees
        self.capital += fees


class LandNetwork(mesa.Agent):
    """Smugglers and transporters selling the legs that leave one node (no capacity limit)."""

    def __init__(self, model: RouteModel, node: int) -> None:
        super().__init__(model)
        self.node = node
        self.revenue = 0.0

    def step(self) -> None:
        pass
