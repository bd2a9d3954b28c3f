"""Reading the route network from data/network (routes, nodes, edges, origins, authorities CSVs).

Every value is checked on the way in, and an error names the file, row and column. Every path a migrant
can take from a node to a destination is enumerated once here, so that route choice at run time is a
vectorised pick among a small padded table of paths.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.core.network import MAX_LEGS, MODES, NODE_KINDS, Authority, Network
from sim.errors import InputError, shorten
from sim.io.csvfile import read_csv_rows

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def _num(path: Path, row: int, col: str, text: str, low: float = 0.0, high: float = float("inf"),
         blank: float | None = None) -> float:
    text = (text or "").strip()
    if text == "" and blank is not None:
        return blank
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{path}: row {row}, column {col}: '{shorten(text)}' is not a number") from None
    if not (low <= value <= high):
        raise InputError(f"{path}: row {row}, column {col}: {value} is outside [{low}, {high}]")
    return value


def load_network(directory: Path | None = None) -> Network:
    d = Path(directory) if directory is not None else DATA_DIR / "network"
    routes = [r["id"] for r in read_csv_rows(d / "routes.csv", ["id", "name", "source"])]
    nrows = read_csv_rows(d / "nodes.csv", ["id", "kind", "wage_eur_per_day", "source"])
    node_ids = [r["id"] for r in nrows]
    _unique(d / "nodes.csv", node_ids)
    kinds = []
    for i, r in enumerate(nrows, start=2):
        if r["kind"] not in NODE_KINDS:
            raise InputError(f"{d / 'nodes.csv'}: row {i}, column kind: '{shorten(r['kind'])}' is not one of "
                             f"{', '.join(NODE_KINDS)}")
        kinds.append(NODE_KINDS.index(r["kind"]))
    wage = [_num(d / "nodes.csv", i, "wage_eur_per_day", r["wage_eur_per_day"], 0, 1000, blank=0.0)
            for i, r in enumerate(nrows, start=2)]

    epath = d / "edges.csv"
    erows = read_csv_rows(epath, ["id", "from", "to", "mode", "route", "crossing", "duration_days", "fee_eur",
                              "risk_per_1000", "distress_per_boat", "source"])
    edge_ids = [r["id"] for r in erows]
    _unique(epath, edge_ids)
    cols: dict[str, list] = {k: [] for k in ("from", "to", "mode", "route", "crossing", "dur", "fee", "risk",
                                             "distress")}
    for i, r in enumerate(erows, start=2):
        for end in ("from", "to"):
            if r[end] not in node_ids:
                raise InputError(f"{epath}: row {i}, column {end}: unknown node '{shorten(r[end])}'")
        if r["mode"] not in MODES:
            raise InputError(f"{epath}: row {i}, column mode: '{shorten(r['mode'])}' is not one of {', '.join(MODES)}")
        crossing = r["crossing"].strip() in ("1", "true", "True")
        route = r["route"].strip()
        if crossing and route not in routes:
            raise InputError(f"{epath}: row {i}, column route: '{shorten(route)}' is not one of "
                             f"{shorten(', '.join(routes), 100)}")
        to_dest = NODE_KINDS[kinds[node_ids.index(r["to"])]] == "destination"
        if crossing != to_dest:
            raise InputError(f"{epath}: row {i}: border crossings, and only they, lead to destinations")
        cols["from"].append(node_ids.index(r["from"]))
        cols["to"].append(node_ids.index(r["to"]))
        cols["mode"].append(MODES.index(r["mode"]))
        cols["route"].append(routes.index(route) if crossing else -1)
        cols["crossing"].append(crossing)
        cols["dur"].append(_num(epath, i, "duration_days", r["duration_days"], 1, 365))
        cols["fee"].append(_num(epath, i, "fee_eur", r["fee_eur"], 0, 1e6))
        cols["risk"].append(_num(epath, i, "risk_per_1000", r["risk_per_1000"], 0, 1000, blank=0.0) / 1000)
        cols["distress"].append(_num(epath, i, "distress_per_boat", r["distress_per_boat"], 0, 1, blank=0.0))
        if r["mode"] == "sea" and not r["distress_per_boat"].strip():
            raise InputError(f"{epath}: row {i}, column distress_per_boat: sea crossings need a value")

    for e in range(len(erows)):
        if NODE_KINDS[kinds[cols["from"][e]]] == "origin" and MODES[cols["mode"][e]] == "sea":
            raise InputError(f"{epath}: row {e + 2}, column mode: legs leaving an origin are land or air")
    opath = d / "origins.csv"
    orows = read_csv_rows(opath, ["id", "aspirants_per_month", "savings_median_eur", "savings_sigma",
                              "legal_eligible_share", "info_mean", "source"])
    origins = [r["id"] for r in orows]
    if len(origins) > 64:
        raise InputError(f"{opath}: {len(origins)} origins; at most 64 are supported")
    for i, r in enumerate(orows, start=2):
        if r["id"] not in node_ids or NODE_KINDS[kinds[node_ids.index(r["id"])]] != "origin":
            raise InputError(f"{opath}: row {i}, column id: '{shorten(r['id'])}' is not an origin node in nodes.csv")

    def ocol(col: str, high: float) -> np.ndarray:
        return np.array([_num(opath, i, col, r[col], 0, high) for i, r in enumerate(orows, start=2)])

    apath = d / "authorities.csv"
    arows = read_csv_rows(apath, ["id", "role", "edges", "interception_prob", "rescue_prob", "pullback_share",
                              "pushback_prob", "deport_share", "boat_seizure_rate_per_day",
                              "arrest_rate_per_day", "source"])
    authorities = []
    for i, r in enumerate(arows, start=2):
        if r["role"] not in ("departure", "arrival"):
            raise InputError(f"{apath}: row {i}, column role: '{shorten(r['role'])}' is not departure or arrival")
        edges = []
        for e in r["edges"].split(";"):
            if e.strip() not in edge_ids:
                raise InputError(f"{apath}: row {i}, column edges: unknown edge '{shorten(e.strip())}'")
            edges.append(edge_ids.index(e.strip()))

        def p(col: str, i: int = i, r: dict = r) -> float:
            return _num(apath, i, col, r[col], 0, 1, blank=0.0)

        authorities.append(Authority(r["id"], r.get("name", r["id"]), r["role"], tuple(edges),
                                     p("interception_prob"), p("rescue_prob"), p("pullback_share"),
                                     p("pushback_prob"), p("deport_share"), p("boat_seizure_rate_per_day"),
                                     p("arrest_rate_per_day")))

    net = Network(
        routes=routes, node_ids=node_ids, node_kind=np.array(kinds, np.int8), node_wage=np.array(wage),
        edge_ids=edge_ids, edge_from=np.array(cols["from"], np.int16), edge_to=np.array(cols["to"], np.int16),
        edge_mode=np.array(cols["mode"], np.int8), edge_route=np.array(cols["route"], np.int8),
        edge_crossing=np.array(cols["crossing"], bool), edge_duration=np.array(cols["dur"]),
        edge_fee=np.array(cols["fee"]), edge_risk=np.array(cols["risk"]),
        edge_distress=np.array(cols["distress"]),
        origins=origins, origin_node=np.array([node_ids.index(o) for o in origins], np.int16),
        origin_aspirants=ocol("aspirants_per_month", 1e8), origin_savings_median=ocol("savings_median_eur", 1e6),
        origin_savings_sigma=ocol("savings_sigma", 5), origin_eligible_share=ocol("legal_eligible_share", 1),
        origin_info_mean=ocol("info_mean", 1),
        destinations=[n for n, k in zip(node_ids, kinds, strict=True) if NODE_KINDS[k] == "destination"],
        authorities=authorities,
        path_edges=np.zeros((0, MAX_LEGS), np.int16), path_len=np.zeros(0, np.int8),
        path_start=np.zeros(0, np.int16), path_route=np.zeros(0, np.int8), path_crossing=np.zeros(0, np.int16),
        node_paths=np.zeros((0, 0), np.int32),
        node_country=tuple((r.get("country") or "").strip() for r in nrows),
    )
    _enumerate_paths(net, d / "edges.csv")
    return net


def _unique(path: Path, ids: list[str]) -> None:
    seen = set()
    for i, x in enumerate(ids, start=2):
        if x in seen:
            raise InputError(f"{path}: row {i}, column id: duplicate id '{shorten(x)}'")
        seen.add(x)


def _enumerate_paths(net: Network, epath: Path) -> None:
    """All simple paths (at most MAX_LEGS legs) from every non-destination node to a destination."""
    out: dict[int, list[int]] = {n: [] for n in range(net.n_nodes)}
    by_from: dict[int, list[int]] = {}
    for e in range(net.n_edges):
        by_from.setdefault(int(net.edge_from[e]), []).append(e)
    paths: list[list[int]] = []

    def walk(node: int, edges: list[int], visited: set[int]) -> None:
        for e in by_from.get(node, []):
            nxt = int(net.edge_to[e])
            if nxt in visited:
                continue
            if net.edge_crossing[e]:
                paths.append(edges + [e])
            elif len(edges) + 1 < MAX_LEGS:
                walk(nxt, edges + [e], visited | {nxt})

    for start in range(net.n_nodes):
        if NODE_KINDS[net.node_kind[start]] == "destination":
            continue
        first = len(paths)
        walk(start, [], {start})
        out[start] = list(range(first, len(paths)))
        if not out[start]:
            raise InputError(f"{epath}: node '{shorten(net.node_ids[start])}' has no path to a destination")
    width = max(len(v) for v in out.values())
    net.node_paths = np.full((net.n_nodes, width), -1, np.int32)
    for n, ps in out.items():
        net.node_paths[n, : len(ps)] = ps
    net.path_edges = np.full((len(paths), MAX_LEGS), -1, np.int16)
    for p, es in enumerate(paths):
        net.path_edges[p, : len(es)] = es
    net.path_len = np.array([len(es) for es in paths], np.int8)
    net.path_start = net.edge_from[net.path_edges[:, 0]]
    net.path_crossing = np.array([es[-1] for es in paths], np.int16)
    net.path_route = net.edge_route[net.path_crossing]
