"""The worked example of docs/extending.md runs as written: its code blocks are read from the page and run."""

import datetime as dt
import json
import re

import numpy as np
import pytest

from sim.core import RouteModel
from sim.core.population import Status

from .conftest import ROOT, small_config

END = dt.date(2014, 6, 30)


def example_blocks() -> tuple[str, str]:
    """The class and the lines that add it to a model, from section 7 of docs/extending.md."""
    text = (ROOT / "docs" / "extending.md").read_text()
    section = text.split("## 7. A worked example", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) == 2, "section 7 should hold two python blocks: the process and its use"
    return blocks[0], blocks[1]


def run_example(network, start: dt.date) -> dict:
    """Run the page's code: the class, then its use on the small configuration (``config`` in the page)."""
    cls_code, use_code = example_blocks()
    assert "start=dt.date(2014, 1, 1)" in use_code, "the page's start date changed: update this test"
    use_code = use_code.replace("start=dt.date(2014, 1, 1)", "start=START")
    namespace = {"RouteModel": RouteModel, "config": small_config(network, end=END), "START": start}
    exec(compile(cls_code, "docs/extending.md (class)", "exec"), namespace)
    exec(compile(use_code, "docs/extending.md (use)", "exec"), namespace)
    return namespace


def waiting_savings(model: RouteModel, node: int) -> tuple[float, int]:
    pop = model.world.pop
    here = (pop.status[: pop.n] == Status.WAITING) & (pop.node[: pop.n] == node)
    return float(pop.savings[: pop.n][here].mean()), int(here.sum())


def test_the_example_pays_those_waiting_and_changes_the_flows(network):
    plain_model = RouteModel(small_config(network, end=END), 0)
    plain = plain_model.run()
    ns = run_example(network, dt.date(2014, 1, 1))
    model, work = ns["model"], ns["work"]
    names = [name for name, _ in model.plan]
    assert names[names.index("choice") + 1] == "seasonal work"
    assert work.paid > 0
    node = network.node("tripoli")
    with_work, n_with = waiting_savings(model, node)
    without, n_without = waiting_savings(plain_model, node)
    assert n_with > 0 and with_work > without
    assert n_with < n_without  # those with the fee in hand sooner leave sooner
    cm = network.route("central_med")
    assert ns["result"].route["arrivals"][:, cm].sum() > plain.route["arrivals"][:, cm].sum()


def test_the_example_inactive_leaves_the_run_unchanged(network):
    """Inserted but starting after the end, the process changes nothing: it draws no random numbers."""
    plain = RouteModel(small_config(network, end=END), 0).run()
    ns = run_example(network, END + dt.timedelta(days=1))
    assert ns["work"].paid == 0
    for name in plain.route:
        assert np.array_equal(ns["result"].route[name], plain.route[name]), name


def test_insert_process_after_an_unknown_entry_names_the_plan(network):
    model = RouteModel(small_config(network, end=END), 0)
    with pytest.raises(ValueError, match="no process named 'hubs' in the plan: levers, information, market"):
        model.insert_process("seasonal work", lambda t: None, after="hubs")
    assert "seasonal work" not in [name for name, _ in model.plan]


def test_the_researcher_notebook_shows_the_same_code():
    nb = json.loads((ROOT / "notebooks" / "researcher_new_intervention.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert example_blocks()[0].strip() in [c.strip() for c in cells]
