"""The route network as the simulation holds it: nodes, legs, routes, paths and the authorities.

Nodes are origin regions, transit hubs, departure points ('coast') and destinations. Edges are land or
air legs and border crossings (sea or land). Read and checked from data/network by
:mod:`sim.io.network_files`, which also enumerates the paths once, so that route choice at run time is a
vectorised pick among a small padded table of paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NODE_KINDS = ("origin", "hub", "coast", "destination")
MODES = ("land", "air", "sea")
MAX_LEGS = 6


@dataclass(frozen=True)
class Authority:
    id: str
    name: str
    role: str  # "departure" (coast guard of the departure country) or "arrival" (EU side)
    edges: tuple[int, ...]
    interception_prob: float
    rescue_prob: float
    pullback_share: float
    pushback_prob: float
    deport_share: float
    boat_seizure_rate: float
    arrest_rate: float


@dataclass
class Network:
    """Arrays describing nodes, edges and enumerated paths (read-only after loading)."""

    routes: list[str]
    node_ids: list[str]
    node_kind: np.ndarray  # int8 index into NODE_KINDS
    node_wage: np.ndarray  # EUR per day
    edge_ids: list[str]
    edge_from: np.ndarray
    edge_to: np.ndarray
    edge_mode: np.ndarray  # int8 index into MODES
    edge_route: np.ndarray  # int8 route index, -1 for legs inside Africa/Asia
    edge_crossing: np.ndarray  # bool
    edge_duration: np.ndarray  # days
    edge_fee: np.ndarray  # EUR per person
    edge_risk: np.ndarray  # deaths per traversal (land legs)
    edge_distress: np.ndarray  # probability a seaworthy boat gets into distress in calm weather
    origins: list[str]
    origin_node: np.ndarray
    origin_aspirants: np.ndarray  # persons per month
    origin_savings_median: np.ndarray
    origin_savings_sigma: np.ndarray
    origin_eligible_share: np.ndarray
    origin_info_mean: np.ndarray
    destinations: list[str]
    authorities: list[Authority]
    # paths: padded edge table and per-node path lists
    path_edges: np.ndarray  # (P, MAX_LEGS) int16, -1 padded
    path_len: np.ndarray
    path_start: np.ndarray
    path_route: np.ndarray
    path_crossing: np.ndarray  # edge index of the path's border crossing
    node_paths: np.ndarray  # (N, A) int32 path ids starting at each node, -1 padded
    node_country: tuple[str, ...] = ()  # ISO 3166 code of each node ('' for aggregate origin regions)

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        return len(self.edge_ids)

    def _transit_country_of_nodes(self) -> list[str]:
        """Each node's country if it is a hub or coast, else '' (node_country may be empty: no countries)."""
        kinds = {NODE_KINDS.index("hub"), NODE_KINDS.index("coast")}
        return [c if k in kinds else "" for c, k in zip(self.node_country, self.node_kind, strict=False)]

    @property
    def transit_countries(self) -> list[str]:
        """Countries of the hubs and coasts, where migrants wait, work and are detained on their way."""
        return sorted(set(self._transit_country_of_nodes()) - {""})

    @property
    def node_transit_country(self) -> np.ndarray:
        """Per node, its index in ``transit_countries``, or -1 (origins, destinations)."""
        index = {c: i for i, c in enumerate(self.transit_countries)}
        of_node = self._transit_country_of_nodes()
        return np.array([index.get(c, -1) for c in of_node] + [-1] * (self.n_nodes - len(of_node)), dtype=np.intp)

    def node(self, name: str) -> int:
        return self.node_ids.index(name)

    def edge(self, name: str) -> int:
        return self.edge_ids.index(name)

    def route(self, name: str) -> int:
        return self.routes.index(name)
