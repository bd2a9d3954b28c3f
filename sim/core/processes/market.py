"""The smuggler market: sea cells at every departure point and land networks at every node (Mesa agents).

Reads: the day's levers, the queue of migrants waiting with a smuggler (counted at the end of each day).
Writes: the cells' members, boats, capital and prices (in the agents); ``coast`` (levers per departure
point), ``fee_index`` (the day's price index per edge) and the arrests and confiscations in the tallies.
"""

from __future__ import annotations

import mesa
import numba
import numpy as np

from sim.core.population import Status
from sim.core.smugglers import Coast, LandNetwork, SeaCell
from sim.core.world import SEA, World


class SmugglerMarket:
    def __init__(self, model: mesa.Model, world: World) -> None:
        self.world = world
        net = world.net
        n_cells = int(world.params["cells_per_coast"])
        self.coast = Coast(rescue=np.zeros(net.n_nodes), interception=np.zeros(net.n_nodes))
        self.cells: list[SeaCell] = []
        for node in range(net.n_nodes):
            if np.any((net.edge_from == node) & (net.edge_mode == SEA)):
                for _ in range(n_cells):
                    self.cells.append(SeaCell(model, world, self.coast, len(self.cells), node, self.record))
        self.land = {n: LandNetwork(model, n) for n in range(net.n_nodes)
                     if np.any((net.edge_from == n) & (net.edge_mode != SEA))}
        self.cells_at = {n: [c for c in self.cells if c.node == n] for n in range(net.n_nodes)}
        self.sea_edges_of_cells = [(np.flatnonzero((net.edge_from == n) & (net.edge_mode == SEA)), cells)
                                   for n, cells in self.cells_at.items() if cells]
        for cell in self.cells:  # the smuggler network: rivals at the same stage, land networks feeding it
            cell.partners = [c for c in self.cells_at[cell.node] if c is not cell]
            feeders = net.edge_from[(net.edge_to == cell.node)]
            cell.suppliers = [self.land[int(n)] for n in feeders if int(n) in self.land]
        self.cell_node = np.array([c.node for c in self.cells], dtype=np.intp)
        sea_edges = np.flatnonzero(net.edge_mode == SEA)
        self.node_route = np.zeros(net.n_nodes, np.intp)  # the route a departure point serves
        self.node_route[net.edge_from[sea_edges[::-1]]] = net.edge_route[sea_edges[::-1]]
        counts = np.bincount(self.cell_node, minlength=net.n_nodes)
        self.node_first_cell = np.r_[0, np.cumsum(counts)[:-1]]  # cells are created node by node
        self.node_last_cell = np.maximum(self.node_first_cell + counts - 1, 0)
        self.fee_index = np.ones(net.n_edges)
        self.queue = np.zeros(net.n_nodes)  # persons waiting with a smuggler per node at the end of yesterday

    def step(self, t: int) -> None:
        """Cells see today's levers and yesterday's queue, act, and set today's prices."""
        self._coast_levers()
        self.coast.refresh(self.world.levers, self.world.streams, t, len(self.cells))
        self._queues()
        for cell in self.cells:
            cell.step()
        self.fee_index = self._fee_index()

    def record(self, name: str, node: int, amount: float) -> None:
        """Arrests (persons) or confiscated proceeds (EUR) at a departure point, on its route."""
        w = self.world
        w.tallies.add(name, w.day, np.array([self.node_route[node]]), amount)

    def _coast_levers(self) -> None:
        """The day's levers averaged over the sea crossings leaving each node (what cells there face)."""
        net, lv = self.world.net, self.world.levers
        sea = net.edge_mode == SEA
        n = np.maximum(np.bincount(net.edge_from[sea], minlength=net.n_nodes), 1)
        self.coast.rescue[:] = np.bincount(net.edge_from[sea], lv.rescue[sea], net.n_nodes) / n
        self.coast.interception[:] = np.bincount(net.edge_from[sea], lv.interception[sea], net.n_nodes) / n

    def count_queue(self, handled: np.ndarray) -> None:
        """At the end of a day, count who waits with a smuggler at each departure point: tomorrow's demand
        signal. Everyone in that status was handled today (a place in the queue lasts one day), and only those
        handled as waiting (who may join a queue) or as queueing (who may stay in it) can be in it tonight, so
        those rows are enough; no scan of the whole population."""
        pop = self.world.pop
        self.queue = _count_at_nodes(handled, pop.status, pop.node, int(Status.WITH_SMUGGLER),
                                     self.world.net.n_nodes) * self.world.weight

    def _queues(self) -> None:
        """Yesterday's queue at each departure point, shared among its cells as their demand signal."""
        queue = self.queue.tolist()  # Python floats keep the cells' scalar arithmetic out of NumPy
        for node, cells in self.cells_at.items():
            for c in cells:
                c.queue = queue[node] / max(len(cells), 1)

    def _fee_index(self) -> np.ndarray:
        """Price index per edge: the mean of the cells at its departure point (1 for land legs)."""
        idx = self.world.levers.fee_mult.copy()
        for sea, cells in self.sea_edges_of_cells:
            idx[sea] *= sum(c.price_index for c in cells) / len(cells)
        return idx

    def fee(self, edges: np.ndarray) -> np.ndarray:
        """Today's fee (EUR) of each leg."""
        return self.world.net.edge_fee[edges] * self.fee_index[edges]

    def pay_land(self, edges: np.ndarray, persons_eur: np.ndarray) -> None:
        """Land networks at the nodes the legs leave take the fees (EUR, in persons)."""
        taken = np.bincount(self.world.net.edge_from[edges], weights=persons_eur, minlength=self.world.net.n_nodes)
        for node, amount in enumerate(taken.tolist()):
            if amount:
                net_agent = self.land.get(node)
                if net_agent is not None:
                    net_agent.revenue += amount

    def seats(self, bad_node: np.ndarray) -> np.ndarray:
        """Persons each cell can put to sea today, in agents."""
        bad, rescue = bad_node.tolist(), self.coast.rescue.tolist()  # Python scalars for the cells' arithmetic
        persons = np.array([c.seat_capacity(bad[c.node], rescue[c.node]) for c in self.cells])
        return self.world.to_agents(persons)

    def record_month_end(self, m: int) -> None:
        """Mean price index, seats a day and load factor of the cells on each route."""
        w = self.world
        net, tallies = w.net, w.tallies
        for r in range(len(net.routes)):
            nodes = np.unique(net.edge_from[net.edge_route == r])
            cells = [c for c in self.cells if c.node in nodes]
            if cells:
                tallies.price_index[m, r] = np.mean([c.price_index for c in cells])
                tallies.capacity[m, r] = sum(c.seat_capacity(False, 0.0) for c in cells)
                tallies.load[m, r] = np.mean([c.load for c in cells])


@numba.njit(cache=True)
def _count_at_nodes(rows: np.ndarray, status: np.ndarray, node: np.ndarray, code: int, n_nodes: int) -> np.ndarray:
    """How many of ``rows`` have status ``code``, by node."""
    counts = np.zeros(n_nodes, np.int64)
    for i in rows:
        if status[i] == code:
            counts[node[i]] += 1
    return counts
