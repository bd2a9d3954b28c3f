"""Following: each arrival draws followers from the group it set out from, in all ``follow_per_arrival`` of
them; the followers are migrants like any other (counted once), and a closed crossing, by stopping arrivals,
stops those who would have followed them."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.core.model import RouteModel
from sim.core.parameters import resolve
from sim.core.population import Status
from sim.core.processes.following import Following
from sim.core.processes.origins import HOST_ID_BASE, new_ids, source_group

from .conftest import small_config, spec

FOLLOW = {"follow_per_arrival": 0.8, "follow_days": 20.0}
END = dt.date(2014, 12, 31)


class _World:
    """The little of a world Following reads: parameters, observers, the weight of an agent and the ids."""

    def __init__(self, params: dict[str, float], uid: np.ndarray) -> None:
        self.params = resolve(params)
        self.observers: list = []
        self.weight = 10.0
        self.pop = type("Pop", (), {"uid": uid})()


def test_each_arrival_brings_follow_per_arrival_followers_in_all_from_its_own_group():
    uid = new_ids(20_000, np.array([0, 0, 1]), 0, "test")[1]  # one aspirant of origin 2 set out that day
    world = _World(FOLLOW, uid)
    following = Following(world)
    assert world.observers == [following]
    following.finalised(world, np.array([0]), Status.ARRIVED)
    following.finalised(world, np.array([0]), Status.DEAD_MISSING)  # the dead bring no one
    total = np.zeros_like(following.followers)
    for t in range(2000):
        following.step(t)
        total += following.followers
    assert np.isclose(total[2], 0.8 * world.weight) and np.isclose(total.sum(), total[2])


def test_the_group_is_read_back_from_the_id_for_origins_and_host_stocks():
    counts = np.array([2, 0, 3])
    for base in (0, HOST_ID_BASE):
        group, uid = new_ids(20_500, counts, base, "test")
        assert np.array_equal(source_group(uid), base + group)


def test_followers_are_counted_once_and_a_closed_crossing_stops_them(network):
    """With following on, every migrant is still counted once (the conservation check runs each day). Closing
    every crossing from March cuts the aspirants created later in the year only when people follow arrivals."""
    closed = [spec("border_enforcement", r, 0.95, "2014-03-01") for r in network.routes]

    def created(params, interventions):
        model = RouteModel(small_config(network, params=params, interventions=interventions, end=END,
                                        check=True), 0)
        model.run()
        return model.created

    assert created({}, closed) == created({}, [])  # aspirants arrive whatever happens at the coast
    open_, shut = created(FOLLOW, []), created(FOLLOW, closed)
    assert open_ > created({}, []) and shut < 0.97 * open_
