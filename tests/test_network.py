import shutil

import numpy as np
import pytest

from sim.core.network import NODE_KINDS
from sim.errors import InputError
from sim.io.network_files import load_network

from .conftest import ROOT


def test_every_path_ends_with_its_only_border_crossing_at_a_destination(network):
    net = network
    for p in range(len(net.path_len)):
        edges = net.path_edges[p, : net.path_len[p]]
        assert net.edge_crossing[edges].sum() == 1 and net.edge_crossing[edges[-1]]
        assert NODE_KINDS[net.node_kind[net.edge_to[edges[-1]]]] == "destination"
        assert all(net.edge_to[a] == net.edge_from[b] for a, b in zip(edges[:-1], edges[1:], strict=True))
        assert net.path_route[p] == net.edge_route[edges[-1]]


def test_every_region_offers_a_choice_of_crossings_and_every_nationality_one(network):
    """An aggregate origin region (no country in nodes.csv) must offer at least two crossings, or route choice
    has nothing to weigh; a single nationality may leave from its own coast only (North Africans)."""
    for o in network.origins:
        node = network.node(o)
        paths = network.node_paths[node]
        crossings = {int(network.path_crossing[p]) for p in paths if p >= 0}
        assert len(crossings) >= (1 if network.node_country[node] else 2), o


def test_every_route_has_sea_crossings(network):
    for r, name in enumerate(network.routes):
        assert np.any((network.edge_route == r) & (network.edge_mode == 2)), name


@pytest.mark.parametrize("column,bad,needle", [
    ("to", "atlantis", "unknown node 'atlantis'"),
    ("fee_eur", "-5", "column fee_eur"),
    ("mode", "teleport", "column mode"),
])
def test_a_corrupt_edge_table_is_reported_with_file_row_and_column(tmp_path, column, bad, needle):
    folder = tmp_path / "network"
    shutil.copytree(ROOT / "data" / "network", folder)
    lines = (folder / "edges.csv").read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index(column)] = bad
    lines[1] = ",".join(cells)
    (folder / "edges.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=needle) as info:
        load_network(folder)
    assert "edges.csv" in str(info.value) and "row 2" in str(info.value)


def test_a_missing_network_file_is_named(tmp_path):
    folder = tmp_path / "network"
    shutil.copytree(ROOT / "data" / "network", folder)
    (folder / "origins.csv").unlink()
    with pytest.raises(InputError, match="origins.csv: file not found"):
        load_network(folder)


def test_every_network_row_names_its_source():
    import csv

    for f in sorted((ROOT / "data" / "network").glob("*.csv")):
        for i, row in enumerate(csv.DictReader(f.open()), start=2):
            assert row.get("source", "").strip(), f"{f.name} row {i} has no source"
