"""The one interface every intervention shares, and the registry that maps scenario names to classes.

An intervention is active between ``start`` and ``end`` (inclusive), at ``intensity``, reached
linearly over ``ramp_days`` after the start. Each day it is active the model calls ``apply`` with the
share of full intensity reached; the intervention edits the day's :class:`~sim.core.levers.Levers` for its
target. Adding an intervention type is one module with a subclass decorated by :func:`register`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sim.core.levers import Levers
from sim.core.network import MODES, NODE_KINDS, Network
from sim.errors import InputError

REGISTRY: dict[str, type[Intervention]] = {}


def register(cls: type[Intervention]) -> type[Intervention]:
    REGISTRY[cls.name] = cls
    return cls


@dataclass(frozen=True)
class InterventionSpec:
    type: str
    target: str
    start: dt.date
    end: dt.date | None
    intensity: float
    ramp_days: int = 0
    note: str = ""
    id: str = ""  # optional name, so a calibration can set this entry's intensity
    options: tuple[tuple[str, float | str], ...] = ()  # type-specific settings, e.g. (("targeting", "central"),)


@dataclass(frozen=True)
class Option:
    """A type-specific setting of an intervention: a number in [low, high] or one of ``choices``."""

    default: float | str
    doc: str
    low: float = -math.inf
    high: float = math.inf
    choices: tuple[str, ...] = ()

    def check(self, value: object) -> float | str:
        """The validated value, or a ValueError saying what is allowed."""
        if isinstance(self.default, str) and not self.choices:
            if not isinstance(value, str):
                raise ValueError(f"'{value}' is not text")
            return value
        if self.choices:
            if value not in self.choices:
                raise ValueError(f"'{value}' is not one of {', '.join(self.choices)}")
            return str(value)
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise ValueError(f"'{value}' is not a number")
        if not self.low <= value <= self.high:
            raise ValueError(f"{value} is outside [{self.low}, {self.high}]")
        return float(value)


class Intervention:
    """Base class. Subclasses set ``name``, ``target_kinds``, ``intensity_range`` and ``apply``."""

    name: ClassVar[str] = ""
    target_kinds: ClassVar[tuple[str, ...]] = ()
    intensity_range: ClassVar[tuple[float, float]] = (0.0, 1.0)
    intensity_unit: ClassVar[str] = "share"
    options: ClassVar[dict[str, Option]] = {}

    def __init__(self, spec: InterventionSpec, net: Network) -> None:
        self.spec = spec
        lo, hi = self.intensity_range
        if not lo <= spec.intensity <= hi:
            raise InputError(f"intensity {spec.intensity} is outside [{lo}, {hi}] ({self.intensity_unit}) "
                             f"for {self.name}")
        self.kind, self.index = resolve_target(spec.target, self.target_kinds, net)
        self.net = net
        self.edges = self.index if self.kind == "edge" else np.zeros(0, np.intp)
        self.nodes = np.unique(net.edge_from[self.edges]).astype(np.intp)  # where smugglers are acted on
        self.origins = self.index if self.kind == "origin" else np.zeros(0, np.intp)
        sea = net.edge_mode == MODES.index("sea")
        self.coasts = np.array([n for n in self.nodes if np.any(sea & (net.edge_from == n))], dtype=np.intp)
        self.opt: dict[str, float | str] = {k: o.default for k, o in self.options.items()}
        for key, value in spec.options:
            if key not in self.options:
                allowed = ", ".join(sorted(self.options)) or "none"
                raise InputError(f"option '{key}' is not known for {self.name}; its options: {allowed}")
            try:
                self.opt[key] = self.options[key].check(value)
            except ValueError as exc:
                raise InputError(f"option {key}: {exc} ({self.options[key].doc})") from None

    def active_fraction(self, day: dt.date) -> float:
        """0 outside [start, end]; inside, the share of full intensity reached on the ramp (1 after it)."""
        s = self.spec
        if day < s.start or (s.end is not None and day > s.end):
            return 0.0
        if s.ramp_days > 0:
            return min(1.0, ((day - s.start).days + 1) / s.ramp_days)
        return 1.0

    @property
    def intensity(self) -> float:
        return self.spec.intensity

    def apply(self, levers: Levers, fraction: float) -> None:  # pragma: no cover - abstract
        """Edit the day's levers; ``fraction`` is :meth:`active_fraction` (> 0)."""
        raise NotImplementedError


def resolve_target(target: str, kinds: tuple[str, ...], net: Network) -> tuple[str, np.ndarray]:
    """Indices the target names: the crossings of a route, an edge, the legs leaving a node (its sea
    crossings if it is a coast) or the nodes of a country (ISO code), or an origin, or a destination."""
    if "destination" in kinds and target in net.destinations:
        return "destination", np.array([net.destinations.index(target)])
    if "route" in kinds and target in net.routes:
        return "edge", np.flatnonzero(net.edge_route == net.route(target))
    if "edge" in kinds and target in net.edge_ids:
        return "edge", np.array([net.edge(target)])
    if "origin" in kinds and target in net.origins:  # before nodes: an origin is also a node of the graph
        return "origin", np.array([net.origins.index(target)])
    nodes: list[int] = []
    if "node" in kinds and target in net.node_ids:
        nodes = [net.node(target)]
    elif "country" in kinds and target in net.node_country and target:
        nodes = [n for n, c in enumerate(net.node_country) if c == target and NODE_KINDS[net.node_kind[n]] != "origin"]
    if nodes:
        edges = []
        for n in nodes:
            out = np.flatnonzero((net.edge_from == n) & net.edge_crossing)
            if NODE_KINDS[net.node_kind[n]] != "coast" or len(out) == 0:
                out = np.flatnonzero(net.edge_from == n)
            edges.extend(out.tolist())
        return "edge", np.array(sorted(set(edges)), dtype=np.intp)
    raise InputError(f"unknown target '{target}': expected a {' or '.join(kinds)} id of the network")


class SmugglerIntervention(Intervention):
    """Base for levers that act on the smuggler cells at departure points (``coasts``) of the target."""

    def __init__(self, spec: InterventionSpec, net: Network) -> None:
        super().__init__(spec, net)
        if len(self.coasts) == 0:
            raise InputError(f"target '{spec.target}' has no sea departure point, where smuggler cells act, "
                             f"for {self.name}")


def make(spec: InterventionSpec, net: Network) -> Intervention:
    if spec.type not in REGISTRY:
        raise InputError(f"unknown intervention type '{spec.type}': expected one of {', '.join(sorted(REGISTRY))}")
    return REGISTRY[spec.type](spec, net)


def compose_probability(p: np.ndarray, strength: float) -> np.ndarray:
    """Raise (strength > 0) or lower (strength < 0) a probability; strength 1 makes it certain.

    Raising closes a share of the remaining gap, ``1-(1-p)(1-s)``, so effort has diminishing returns
    and works from a zero baseline; lowering scales the probability down, ``p(1+s)``.
    """
    if strength >= 0:
        return 1.0 - (1.0 - p) * (1.0 - strength)
    return p * (1.0 + strength)
