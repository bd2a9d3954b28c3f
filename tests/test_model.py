"""Invariants of the simulation core at small scale: conservation, determinism, sensible magnitudes."""

import datetime as dt

import numpy as np

from sim.core.model import RouteModel
from sim.core.population import FINAL, Status

from .conftest import run_small, small_config, spec


def test_no_migrant_is_ever_lost_or_double_counted(network):
    # check_conservation makes the model assert, after every day, that live rows plus final tallies equal
    # the agents created, that live rows hold no final status, and that ids are unique
    model = RouteModel(small_config(network, end=dt.date(2014, 12, 31), check=True,
                                    interventions=[spec("border_enforcement", "tripoli", 0.5, "2014-03-01"),
                                                   spec("legal_pathway", "syria_iraq", 20000)]))
    model.run()
    pop, final_counts = model.world.pop, model.world.final_counts
    counts = pop.status_counts()
    live = pop.until[: pop.n] != np.iinfo(np.int32).max
    assert counts[[int(s) for s in FINAL]].sum() == pop.n - live.sum()
    assert final_counts[Status.ARRIVED] > 0 and final_counts[Status.DEAD_MISSING] > 0
    assert final_counts[Status.LEGAL] > 0 and final_counts[Status.EXITED] > 0
    # every status is visited at some point: the stocks are not empty at the end
    for status in (Status.AT_ORIGIN, Status.TRAVELLING, Status.WAITING, Status.WITH_SMUGGLER, Status.DETAINED):
        assert counts[status] > 0, status.name


def test_monthly_tallies_add_up(network):
    r = run_small(network, end=dt.date(2014, 12, 31))
    t = r.route
    # every attempt ends in arrival, death, interception or pushback (or is still at sea at the end)
    ended = t["arrivals"] + t["dead_missing_sea"] + t["interceptions"]
    assert ended.sum() <= t["crossing_attempts"].sum() + t["dead_missing_land"].sum() + t["interceptions"].sum()
    assert np.all(t["dead_missing"] == t["dead_missing_sea"] + t["dead_missing_land"])
    assert np.allclose(r.by_crossing["arrivals"].sum(), t["arrivals"].sum())
    assert np.allclose(r.arrivals_by_destination.sum(), t["arrivals"].sum())
    assert all(np.all(v >= 0) for v in t.values())
    # arrivals by origin: the same people as the route's arrivals, month by month, split by where they set out
    assert np.allclose(r.arrivals_by_origin.sum(axis=2), t["arrivals"])


def test_arrivals_by_origin_keep_to_the_routes_each_origin_can_reach(network):
    """No origin arrives on a route whose crossings cannot be reached from its node or from the host stocks
    its people live in (Afghans on the Atlantic, say): the tally follows the migrants, not a share."""
    config = small_config(network, end=dt.date(2015, 12, 31), demand=True)
    r = RouteModel(config, 0).run()
    net, d = network, config.demand
    hosts, host_origins = d.host_pairs
    reached_any = set()
    for o, origin in enumerate(net.origins):
        seen = {int(net.origin_node[o])}
        seen |= {int(d.host_node[h]) for h, k in zip(hosts, host_origins, strict=True) if k == o}
        todo = list(seen)
        while todo:
            node = todo.pop()
            for e in np.flatnonzero(net.edge_from == node):
                if int(net.edge_to[e]) not in seen:
                    seen.add(int(net.edge_to[e]))
                    todo.append(int(net.edge_to[e]))
        reachable = {int(net.edge_route[e]) for e in np.flatnonzero(net.edge_crossing) if int(net.edge_from[e]) in seen}
        reached_any |= reachable
        for k, route in enumerate(net.routes):
            if k not in reachable:
                assert r.arrivals_by_origin[:, k, o].sum() == 0, (origin, route)
    assert len(reached_any) == len(net.routes)
    assert r.arrivals_by_origin.sum() > 0


def test_interceptions_by_crossing_are_the_departure_side_stops_at_crossings(network):
    """Per route: stops at its crossings = all interceptions - EU-side pushbacks - inland stops. Enforcement
    inland (Agadez, on the Central Med route) adds to the route's interceptions but to none of its crossings."""
    r = run_small(network, end=dt.date(2014, 12, 31),
                  interventions=[spec("border_enforcement", "agadez", 0.5, "2014-03-01")])
    t, crossings = r.route, np.flatnonzero(network.edge_crossing)
    for k, route in enumerate(network.routes):
        at_crossings = r.by_crossing["interceptions"][:, network.edge_route[crossings] == k].sum()
        departure_side = t["interceptions"][:, k].sum() - t["pushbacks"][:, k].sum()
        assert at_crossings > 0, route
        if route == "central_med":
            assert at_crossings < departure_side
        else:
            assert at_crossings == departure_side, route


def test_same_seed_same_result_different_seed_different_result(network):
    a = run_small(network, end=dt.date(2014, 6, 30))
    b = run_small(network, end=dt.date(2014, 6, 30))
    c = run_small(network, end=dt.date(2014, 6, 30), seed=6)
    for name in a.route:
        assert np.array_equal(a.route[name], b.route[name]), name
    assert not np.array_equal(a.route["arrivals"], c.route["arrivals"])


def test_replicates_differ_but_are_each_reproducible(network):
    r0 = run_small(network, replicate=0, end=dt.date(2014, 6, 30))
    r1 = run_small(network, replicate=1, end=dt.date(2014, 6, 30))
    assert not np.array_equal(r0.route["arrivals"], r1.route["arrivals"])


def test_agent_steps_count_only_agents_not_yet_final(network):
    model = RouteModel(small_config(network, end=dt.date(2014, 3, 31), spinup_days=30))
    live_per_day = []
    while model.day < model.n_days:
        before = model.agent_steps
        model.step()
        live_per_day.append(model.agent_steps - before)
    assert sum(live_per_day) == model.agent_steps
    assert max(live_per_day) <= model.created


def test_a_cell_that_lost_its_organisers_promotes_aides_from_linked_rivals(network):
    def organisers_after(promotion_rate):
        model = RouteModel(small_config(network, end=dt.date(2014, 3, 31), spinup_days=0,
                                        params={"promotion_rate": promotion_rate, "recruit_days": 720}))
        cell = model.market.cells[0]
        assert cell.partners and all(c.node == cell.node for c in cell.partners)
        cell.vacant_organisers, cell.organisers = cell.organisers, 0.0
        for _ in range(60):
            model.step()
        return cell.organisers

    assert organisers_after(0.3) > organisers_after(0.0) + 1


def test_overcrowding_raises_deaths_per_attempt(network):
    # boats made scarce (few launches per organiser) so that queues are long and boats are loaded beyond size
    def rate(overload_max):
        runs = [run_small(network, replicate=r, end=dt.date(2014, 12, 31), scale=0.02,
                          params={"overload_max": overload_max, "launches_per_organiser": 0.2}) for r in (0, 1, 2)]
        deaths = sum(r.route["dead_missing_sea"].sum() for r in runs)
        return deaths / sum(r.route["crossing_attempts"].sum() for r in runs)

    assert rate(2.5) > 1.5 * rate(1.0)


def test_a_departure_country_constant_moves_central_med_crossings_away_from_tunisia(network):
    """``asc_from_tunisia`` < 0 makes crossings from Sfax less attractive than those from Libya, all else
    equal: Sfax's share of Central Med attempts falls, pooled over paired replicates."""
    crossing = list(np.flatnonzero(network.edge_crossing))
    cm = [crossing.index(network.edge(e)) for e in ("tripoli_italy", "tripoli_malta", "benghazi_italy", "sfax_italy")]
    share = {}
    for value in (0.0, -3.0):
        runs = [run_small(network, replicate=r, end=dt.date(2015, 6, 30), params={"asc_from_tunisia": value})
                for r in (0, 1)]
        attempts = sum(r.by_crossing["attempts"][:, cm].sum(0) for r in runs)
        share[value] = attempts[-1] / attempts.sum()
    assert share[0.0] > 0.2  # Sfax carries a real share to begin with
    assert share[-3.0] < 0.5 * share[0.0]


def test_migrants_already_waiting_see_a_fee_cut_within_their_review_period(network):
    """A fee cut at Sfax from July 2014 reaches those already working towards the old fee at their next
    review (``transit_review_days``): more leave from Sfax in the month after the cut with monthly
    reviews than when each plans one long wait for the fee seen on arrival (review every ten years)."""
    crossing = list(np.flatnonzero(network.edge_crossing))
    sfax = crossing.index(network.edge("sfax_italy"))
    cut = [spec("cheap_boats", "sfax", 0.8, start="2014-07-01")]
    gain = {}
    for review in (30.0, 3650.0):
        params = {"transit_review_days": review}
        gains = []
        for r in (0, 1):
            b = run_small(network, replicate=r, end=dt.date(2014, 7, 31), params=params)
            a = run_small(network, replicate=r, end=dt.date(2014, 7, 31), params=params, interventions=cut)
            gains.append(a.by_crossing["attempts"][6, sfax] - b.by_crossing["attempts"][6, sfax])
        gain[review] = sum(gains)
    assert gain[30.0] > 0
    assert gain[30.0] > 2 * max(gain[3650.0], 0.0)


def test_the_minimum_stay_counts_from_arrival_not_from_each_replanned_wait(network):
    """A migrant a few euros short after weeks at a hub waits the day or two it lacks, not the whole
    ``hub_min_stay_days`` again; a newcomer still stays at least the minimum; a migrant who found no
    smuggler (``retry``) looks again after the minimum stay."""
    model = RouteModel(small_config(network, params={"hub_min_stay_days": 10.0, "hub_give_up_rate": 0.0}))
    w, t = model.world, 400
    hub = network.node("agadez")
    path = int(network.node_paths[hub][0])  # a path onward from Agadez (leg 0 starts there)
    rows = w.pop.add(uid=np.arange(3, dtype=np.int64) + 10**12, origin=np.zeros(3, np.int16),
                     node=np.full(3, hub, np.int16), status=np.full(3, Status.WAITING, np.int8),
                     path=np.full(3, path, np.int32), at_node_since=np.array([t - 40, t, t - 40], np.int32),
                     since=np.full(3, t, np.int32), until=np.full(3, t, np.int32))
    fee = model.market.fee(w.next_edge(rows))
    wage = model.hubs.wage[hub]
    w.pop.savings[rows] = fee - 0.5 * wage  # half a day's wage short
    model.hubs.plan_wait(rows[:2], t)
    model.hubs.plan_wait(rows[2:], t, retry=True)
    assert list(w.pop.until[rows] - t) == [1, 10, 10]
