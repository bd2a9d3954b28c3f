"""Direction (and, where the literature gives one, size) of every Call-to-Action lever, with paired seeds.

Each test runs the same small model (1 agent per 100 persons, 2014 to mid-2015, three replicates) with
and without the lever; replicate r of both runs shares its random streams, so differences are the
lever's. Baseline runs are shared across the tests of this module.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.core.model import RouteModel
from sim.errors import InputError
from sim.interventions import REGISTRY, InterventionSpec, make

from .conftest import run_small, small_config

END = dt.date(2015, 6, 30)
REPS = (0, 1, 2)


def lever(type_, target, intensity, start="2014-01-01", end=None, **options) -> InterventionSpec:
    return InterventionSpec(type=type_, target=target, start=dt.date.fromisoformat(start),
                            end=dt.date.fromisoformat(end) if end else None, intensity=intensity,
                            options=tuple(sorted(options.items())))


@pytest.fixture(scope="module")
def base(network):
    return [run_small(network, replicate=r, end=END) for r in REPS]


def paired(network, base, interventions, measure, **kwargs):
    """(baseline, alternative) values of ``measure`` for each replicate."""
    alt = [run_small(network, replicate=r, end=END, interventions=interventions, **kwargs) for r in REPS]
    return np.array([measure(b) for b in base], float), np.array([measure(a) for a in alt], float)


def route_sum(network, name, route):
    r = network.route(route)
    return lambda res: res.route[name][:, r].sum()


def test_boat_seizures_shift_smugglers_to_unseaworthy_boats_and_raise_deaths_per_attempt(network, base):
    cm = network.route("central_med")
    share = lambda r: r.boats_launched[:, cm, 1].sum() / r.boats_launched[:, cm].sum()  # noqa: E731
    per_attempt = lambda r: r.route["dead_missing_sea"][:, cm].sum() / r.route["crossing_attempts"][:, cm].sum()  # noqa: E731
    alt = [run_small(network, replicate=r, end=END, interventions=[lever("boat_seizure", "tripoli", 0.5)])
           for r in REPS]
    b_share, a_share = np.array([share(r) for r in base]), np.array([share(r) for r in alt])
    assert np.all(a_share > b_share + 0.03)
    b_deaths, a_deaths = np.array([per_attempt(r) for r in base]), np.array([per_attempt(r) for r in alt])
    assert a_deaths.mean() > 1.05 * b_deaths.mean()


def test_cheap_boats_cut_the_fare_paid_and_raise_the_unseaworthy_share_and_deaths_per_attempt(network, base):
    """Tunisia's metal boats (literature-survey.md 8.10): a crossing for EUR 500 instead of 1,500-2,000, on
    boats that are 'not really seaworthy'. The sea cells' takings per person fall by about the fee cut, and
    the unseaworthy share and deaths per attempt rise."""
    cm = network.route("central_med")
    coasts = {network.node(n) for n in ("tripoli", "benghazi", "sfax")}

    def run(r, interventions):
        model = RouteModel(small_config(network, end=END, interventions=interventions), r)
        res = model.run()
        takings = sum(c.revenue for c in model.market.cells if c.node in coasts)
        fare = takings / res.route["crossing_attempts"][:, cm].sum()
        return res, fare

    pairs = [(run(r, []), run(r, [lever("cheap_boats", "central_med", 0.6)])) for r in range(8)]
    fares = np.array([[b[1], a[1]] for b, a in pairs])
    # 0.4 of the fare, plus the rise in the cells' price index as cheaper crossings draw more customers
    assert np.all((fares[:, 1] / fares[:, 0] > 0.35) & (fares[:, 1] / fares[:, 0] < 0.6))
    share = lambda r: r.boats_launched[:, cm, 1].sum() / r.boats_launched[:, cm].sum()  # noqa: E731
    assert all(share(a[0]) > share(b[0]) + 0.1 for b, a in pairs)
    # deaths are rare events at 1/100 scale: rates pooled over 8 paired replicates (some 100 agents' deaths
    # each side, a 10% standard error). The rise was 52% before boats used were counted from the persons
    # carried (issue 20 item 6) and is 10% since; at 1/100 the two counts differ only for a two-agent boat at
    # the full load factor with one agent on it (charged as two boats before). Why the rise moved that much
    # is not yet explained (docs/model.md section 11)
    deaths = [sum(p[k][0].route["dead_missing_sea"][:, cm].sum() for p in pairs) for k in (0, 1)]
    attempts = [sum(p[k][0].route["crossing_attempts"][:, cm].sum() for p in pairs) for k in (0, 1)]
    assert deaths[1] / attempts[1] > 1.05 * deaths[0] / attempts[0]


def test_arresting_central_brokers_cuts_capacity_more_and_for_longer_than_as_many_peripheral_members(
        network, base):
    cm = network.route("central_med")

    def deficit(targeting):
        iv = [lever("network_disruption", "tripoli", 12, end="2014-03-31", targeting=targeting)]
        out = []
        for r, b in zip(REPS, base, strict=True):
            a = run_small(network, replicate=r, end=END, interventions=iv)
            out.append((b.smuggler_capacity[:6, cm] - a.smuggler_capacity[:6, cm]) / b.smuggler_capacity[:6, cm])
        return np.array(out)  # (replicates, first six months)

    central, peripheral = deficit("central"), deficit("peripheral")
    assert np.all(central.max(axis=1) > peripheral.max(axis=1))  # a larger drop...
    assert np.all(central[:, :3].sum(axis=1) > 1.5 * peripheral[:, :3].sum(axis=1))  # ...and a larger loss
    # after operations stop, the network recovers: no deficit left two months on (a replicate may overshoot
    # the base, which is recovery too, so the deficit is signed)
    assert np.all(central[:, 4:].mean(axis=1) < 0.15)


def test_prosecution_arrests_smugglers_and_lowers_capacity(network, base):
    cm = network.route("central_med")
    arrested = paired(network, base, [lever("prosecution", "central_med", 0.5)], route_sum(network,
                      "smugglers_arrested", "central_med"))
    assert np.all(arrested[1] > 2 * arrested[0])
    capacity = paired(network, base, [lever("prosecution", "central_med", 0.5)],
                      lambda r: r.smuggler_capacity[6:, cm].mean())
    assert capacity[1].mean() < 0.97 * capacity[0].mean()  # cells regrow with demand, so only on average


def test_asset_confiscation_takes_its_share_of_sea_fees_and_never_adds_capacity(network, base):
    cm = network.route("central_med")
    alt = [run_small(network, replicate=r, end=END, interventions=[lever("asset_confiscation", "central_med", 0.5)])
           for r in REPS]
    for b, a in zip(base, alt, strict=True):
        taken = a.route["proceeds_confiscated"][:, cm].sum()
        revenue = a.route["smuggler_revenue"][:, cm].sum()  # land legs too, so the share is below 0.5
        assert 0.05 * revenue < taken < 0.5 * revenue
        assert b.route["proceeds_confiscated"].sum() == 0
    # seats a day also carry the overload factor and the boat mix, which follow the queue, so paired runs
    # can differ by a percent or two through the queue alone; the cells' response must not add capacity
    assert np.mean([a.smuggler_capacity[6:, cm].mean() for a in alt]) <= 1.02 * np.mean(
        [b.smuggler_capacity[6:, cm].mean() for b in base])


def test_information_campaign_cuts_departures_within_the_range_of_field_trials(network, base):
    """Battiston, Corno & La Ferrara (Guinea): the risk arm cut migration by 51% at one year, the largest
    effect found; IOM (2023, MaM-2): some null effects. The default campaign, reaching everyone, must land
    between those: a cut in departures over the first year above 0 and below 51%."""
    o = network.origins.index("west_africa")
    b, a = paired(network, base, [lever("information_campaign", "west_africa", 1.0)],
                  lambda r: r.departures_by_origin[:12, o].sum())
    cut = 1 - a / b
    assert np.all(cut > 0.02) and np.all(cut < 0.51)


def test_information_on_risks_moves_people_to_safer_paths(network):
    """Aspirants told the journey is riskier choose, with the same random draws, paths of lower risk."""
    from sim.core.model import RouteModel
    from sim.core.population import Status

    from .conftest import small_config

    model = RouteModel(small_config(network, end=dt.date(2014, 3, 31), scale=0.05), 0)
    for _ in range(60):
        model.step()
    pop, o = model.world.pop, network.origins.index("west_africa")
    rows = np.flatnonzero((pop.status[: pop.n] == Status.AT_ORIGIN) & (pop.origin[: pop.n] == o))
    assert len(rows) > 500

    def utility_of_risk(mult):  # the (negative) risk term of the chosen paths' utilities, at prior beliefs
        model.world.levers.perceived_risk_mult[o] = mult
        model.choice.start_day(model.day)  # utilities recomputed with today's levers
        model.choice.choose(rows, model.day)
        return model.choice.utilities()[2][pop.path[rows]].mean()

    assert utility_of_risk(4.0) > utility_of_risk(1.0) + 0.05


def test_content_takedown_cuts_departures_at_the_origin_and_never_adds_crossings_at_the_coast(network, base):
    o = network.origins.index("west_africa")
    b, a = paired(network, base, [lever("content_takedown", "west_africa", 1.0, online_share=0.5)],
                  lambda r: r.departures_by_origin[:, o].sum())
    assert np.all(a < 0.97 * b)
    # at the coast a harder search lengthens waits: no more crossings, beyond the spread of three pairs at
    # 1/100 scale (eight pairs: mean difference -0.3% of crossings, standard error 2.6%)
    b, a = paired(network, base, [lever("content_takedown", "tripoli", 1.0, online_share=0.5)],
                  route_sum(network, "crossing_attempts", "central_med"))
    assert a.sum() <= 1.05 * b.sum()


def test_labour_mobility_fills_its_places_at_its_destination_and_cuts_irregular_departures_and_revenue(
        network, base):
    o = network.origins.index("west_africa")
    spain = network.destinations.index("spain")
    alt = [run_small(network, replicate=r, end=END, interventions=[
        lever("labour_mobility", "west_africa", 20000, destination="spain")]) for r in REPS]
    months = len(alt[0].months) + 0.0
    for b, a in zip(base, alt, strict=True):
        legal = a.legal_by_origin[:, o].sum()
        assert 0.8 * 20000 * months / 12 < legal <= 20000 * months / 12 * 1.05 + 100
        assert a.legal_by_destination[:, spain].sum() == pytest.approx(legal)
        assert a.departures_by_origin[:, o].sum() < b.departures_by_origin[:, o].sum()
        assert a.revenue_by_origin[:, o].sum() < b.revenue_by_origin[:, o].sum()


def test_legal_pathway_lowers_smugglers_revenue_from_its_origin(network, base):
    o = network.origins.index("horn_of_africa")
    b, a = paired(network, base, [lever("legal_pathway", "horn_of_africa", 5000)],
                  lambda r: r.revenue_by_origin[:, o].sum())
    assert np.all(a < b)


def test_livelihoods_lower_departures_but_income_alone_raises_them_the_migration_hump(network, base):
    o = network.origins.index("west_africa")
    departures = lambda r: r.departures_by_origin[:, o].sum()  # noqa: E731
    b, a = paired(network, base, [lever("livelihoods", "west_africa", 0.3)], departures)
    assert np.all(a < 0.95 * b)
    b, a = paired(network, base, [lever("livelihoods", "west_africa", 0.0, income_gain=2.0)], departures)
    assert np.all(a > b)


def test_returns_with_readmission_raise_returns_and_reintegration_lowers_repeat_departures(network, base):
    b, a = paired(network, base, [lever("returns_reintegration", "central_med", 0.8, reintegration=0.0)],
                  route_sum(network, "returns", "central_med"))
    assert np.all(a > 3 * b)
    deps = lambda r: r.departures_by_origin.sum()  # noqa: E731
    _, without = paired(network, base, [lever("returns_reintegration", "central_med", 0.8, reintegration=0.0)], deps)
    _, with_ = paired(network, base, [lever("returns_reintegration", "central_med", 0.8, reintegration=1.0)], deps)
    assert np.all(with_ < without)


def test_situational_awareness_reduces_displacement_after_enforcement_elsewhere(network, base):
    crossing = list(np.flatnonzero(network.edge_crossing))
    others = [crossing.index(network.edge(e)) for e in ("nador_melilla", "laayoune_canaries", "oran_spain")]
    arrivals_elsewhere = lambda r: r.by_crossing["arrivals"][:, others].sum()  # noqa: E731
    enforce = [lever("border_enforcement", "nador_spain", 0.8)]
    aware = [lever("situational_awareness", route, 0.8) for route in ("western_med", "atlantic")]
    _, alone = paired(network, base, enforce, arrivals_elsewhere)
    _, shared = paired(network, base, enforce + aware, arrivals_elsewhere)
    assert np.all(shared < alone)


def test_protection_on_land_legs_cuts_deaths_there(network, base):
    from sim.core.network import NODE_KINDS

    nodes = [n for i, n in enumerate(network.node_ids) if NODE_KINDS[network.node_kind[i]] != "destination"]
    everywhere = [lever("protection_assistance", n, 0.5) for n in nodes]  # halve the risk of every land leg
    b, a = paired(network, base, everywhere, lambda r: r.route["dead_missing_land"].sum())
    assert a.sum() < 0.75 * b.sum()
    b, a = paired(network, base, everywhere, lambda r: r.route["dead_missing_sea"].sum())
    # sea deaths are search and rescue's business: not cut beyond the noise of some 50 agents' deaths
    # (counts at 1/100, each 100 persons; three Poisson standard deviations of the difference)
    agents_b, agents_a = b.sum() / 100, a.sum() / 100
    assert agents_a >= agents_b - 3 * np.sqrt(agents_a + agents_b)


def test_pushbacks_return_people_and_count_as_pushbacks(network, base):
    b, a = paired(network, base, [lever("pushbacks", "eastern_med", 0.5)], route_sum(network, "pushbacks",
                                                                                        "eastern_med"))
    assert np.all(a > b)


def test_an_open_onward_passage_beyond_greece_draws_people_to_the_eastern_med(network, base):
    """The Western Balkans corridor (June 2015 - March 2016) made reaching Greece worth more: with it open,
    more cross the Aegean, and the other routes lose some of those who can choose."""
    b, a = paired(network, base, [lever("onward_passage", "greece", 1.5)], route_sum(network, "arrivals",
                                                                                      "eastern_med"))
    # most who cross the Aegean have no other path: the gain is who can choose. Every pair gains, and the three
    # together by more than 2%: 1.7-3.5% a pair (2.6% together) since migrants learn expected outcomes, 3.0-7.1%
    # (4.7%) when they learned drawn ones (their noise, presumably, spread choices over more routes)
    assert np.all(a > b) and a.sum() > 1.02 * b.sum()
    b, a = paired(network, base, [lever("onward_passage", "greece", 1.5)], route_sum(network, "departures",
                                                                                      "central_med"))
    assert a.sum() <= b.sum()


def test_levers_stack_in_one_scenario_and_conserve_every_migrant(network):
    everything = [
        lever("border_enforcement", "central_med", 0.3), lever("boat_seizure", "central_med", 0.3),
        lever("network_disruption", "tripoli", 5), lever("prosecution", "central_med", 0.2),
        lever("asset_confiscation", "central_med", 0.3), lever("content_takedown", "central_med", 0.5),
        lever("returns_reintegration", "central_med", 0.3), lever("situational_awareness", "western_med", 0.5),
        lever("search_and_rescue", "central_med", 0.5), lever("protection_assistance", "NE", 0.5),
        lever("legal_pathway", "horn_of_africa", 5000, destination="italy"),
        lever("labour_mobility", "west_africa", 5000), lever("information_campaign", "west_africa", 0.3),
        lever("livelihoods", "west_africa", 0.1), lever("pushbacks", "eastern_med", 0.1),
    ]
    not_levers = {"origin_pressure", "departure_country_sar", "cheap_boats", "departure_control",  # the record's
                  "onward_passage", "host_pressure"}  # shocks and events
    assert {s.type for s in everything} | not_levers == set(REGISTRY)
    res = run_small(network, end=dt.date(2014, 6, 30), interventions=everything, check=True)
    assert res.route["legal_entries"].sum() > 0


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_type_documents_mechanism_units_and_evidence(name):
    cls = REGISTRY[name]
    doc = (__import__(cls.__module__, fromlist=["_"]).__doc__ or "") + (cls.__doc__ or "")
    assert "Mechanism" in doc and "Evidence" in doc, name
    assert cls.intensity_unit and cls.target_kinds
    for opt in cls.options.values():
        assert opt.doc


@pytest.mark.parametrize("options, message", [
    ((("targeting", "kingpin"),), "targeting"),
    ((("colour", "red"),), "option 'colour' is not known"),
])
def test_a_bad_option_is_a_clear_error(network, options, message):
    s = InterventionSpec(type="network_disruption", target="tripoli", start=dt.date(2014, 1, 1), end=None,
                         intensity=5, options=options)
    with pytest.raises(InputError, match=message):
        make(s, network)


def test_a_legal_pathway_to_an_unknown_destination_is_refused(network):
    s = lever("legal_pathway", "west_africa", 100, destination="atlantis")
    with pytest.raises(InputError, match="destination"):
        make(s, network)


def test_a_strong_enforcement_and_readmission_shock_cuts_arrivals_within_a_quarter_as_in_2016(network):
    """Frontex FRAN Q2 2016: Aegean detections fell from ~151,000 in Q1 to ~7,000 in Q2 2016 (-95%) after
    the EU-Turkey Statement. A shock that stops 95% of departures from Turkey and returns most of those
    stopped must show a drop of that order in the next quarter (tolerance: 15 percentage points), not be
    smoothed out by queues at the coast."""
    em = network.route("eastern_med")
    shock = [lever("border_enforcement", "eastern_med", 0.95, start="2014-07-01"),
             lever("returns_reintegration", "eastern_med", 0.8, start="2014-07-01")]
    for r in REPS:
        res = run_small(network, replicate=r, end=dt.date(2014, 12, 31), interventions=shock)
        before, after = res.route["arrivals"][3:6, em].sum(), res.route["arrivals"][6:9, em].sum()
        assert abs((1 - after / before) - 0.95) <= 0.15


def test_a_smuggler_lever_on_a_place_without_sea_departures_is_refused(network):
    with pytest.raises(InputError, match="no sea departure point"):
        make(lever("network_disruption", "agadez", 5), network)
    assert list(make(lever("network_disruption", "LY", 5), network).coasts) == sorted(
        network.node(n) for n in ("tripoli", "benghazi"))


def test_with_deterrence_enforcement_cuts_departures_at_the_origins_it_concerns(network):
    """``deterrence`` is the nested-logit link from the paths on offer to the decision to leave: at 0 a
    Central Mediterranean crackdown only diverts (departures from West Africa move little), at 1 it also
    deters (markedly fewer leave), and the Syria-Iraq origin, whose paths avoid Libya, hardly changes."""
    wa, sy = network.origins.index("west_africa"), network.origins.index("syria_iraq")
    crackdown = [lever("border_enforcement", "central_med", 0.9)]
    cut = {}
    for det in (0.0, 1.0):
        params = {"deterrence": det}
        b = run_small(network, end=END, params=params)
        a = run_small(network, end=END, params=params, interventions=crackdown)
        cut[det] = 1 - a.departures_by_origin.sum(0) / b.departures_by_origin.sum(0)
    assert abs(cut[0.0][wa]) < 0.02
    assert cut[1.0][wa] > cut[0.0][wa] + 0.05
    assert abs(cut[1.0][sy]) < 0.02


def test_with_transit_deterrence_bleaker_prospects_raise_give_up_only_where_they_worsen(network):
    """``transit_deterrence`` ties the daily give-up hazard of those waiting at a node to the averaged logsum
    of the paths onward from it: withdrawing rescue off Libya (more deaths seen) makes waiting in Tripoli
    bleaker (a higher hazard than without it) and leaves Izmir's hazard as it was; at 0 the hazard is
    ``hub_give_up_rate`` everywhere. (A crackdown is ambiguous here: it raises interceptions but also cuts
    the deaths seen per attempt.)"""
    crackdown = [lever("search_and_rescue", "central_med", -0.9, start="2014-03-01")]
    tripoli, izmir = network.node("tripoli"), network.node("izmir")
    rates = {}
    for theta in (0.0, 2.0):
        for ivs in ([], crackdown):
            model = RouteModel(small_config(network, end=dt.date(2014, 12, 31), interventions=ivs,
                                            params={"transit_deterrence": theta}), 0)
            model.run_until(dt.date(2014, 9, 1))
            rates[theta, bool(ivs)] = model.choice.give_up_rate()
    base = model.world.params["hub_give_up_rate"]
    assert np.allclose(rates[0.0, False], base) and np.allclose(rates[0.0, True], base)
    assert rates[2.0, True][tripoli] > 1.5 * rates[2.0, False][tripoli]
    assert rates[2.0, True][izmir] == pytest.approx(rates[2.0, False][izmir], rel=0.1)


def test_with_transit_deterrence_a_crackdown_cuts_the_number_who_ever_cross_not_only_their_route(network):
    """At ``transit_deterrence`` 0 a Central Mediterranean crackdown strands people in Libya, who wait and try
    again: arrivals fall, but arrivals plus those still stranded at the end fall much less. With the hazard
    following the prospects ahead, more of the stranded settle or go home, so that sum falls by more."""
    crackdown = [lever("border_enforcement", "central_med", 0.9)]
    cut = {}
    for theta in (0.0, 2.0):
        params = {"transit_deterrence": theta}
        b = [run_small(network, replicate=r, end=END, params=params) for r in (0, 1)]
        a = [run_small(network, replicate=r, end=END, params=params, interventions=crackdown) for r in (0, 1)]
        still = lambda rs: sum(r.route["arrivals"].sum() + r.route["stranded"][-1].sum() for r in rs)  # noqa: E731
        cut[theta] = 1 - still(a) / still(b)
    assert cut[2.0] > cut[0.0] + 0.05


def test_transit_deterrence_keeps_every_migrant_accounted_for(network):
    """The responsive hazard only changes when migrants leave; none is lost or double-counted."""
    res = RouteModel(small_config(network, end=dt.date(2014, 9, 30), params={"transit_deterrence": 3.0},
                                  interventions=[lever("border_enforcement", "central_med", 0.9)], check=True), 0)
    assert res.run().route["arrivals"].sum() > 0


def test_departure_control_on_the_libyan_coast_cuts_departures_from_it_within_weeks(network):
    """Sabratha, July 2017 (literature-survey.md 8.8): with most of the coast's smugglers stopped, arrivals
    from mid-July to mid-September were about 15% of the usual. Withholding 90% of the launches from the
    Libyan coast from mid-July leaves attempts from it in August-September at a small fraction of the paired
    baseline (not 10%: boats are loaded beyond their size when the queue is long), and more people are
    stranded on the Central Mediterranean route."""
    control = [lever("departure_control", "LY", 0.9, start="2014-07-15")]
    cm = network.route("central_med")
    ratios, stranded = [], []
    for r in REPS:
        runs = [RouteModel(small_config(network, end=dt.date(2014, 12, 31), interventions=ivs), r)
                for ivs in ([], control)]
        res = [m.run() for m in runs]
        names = [network.edge_ids[e] for e in runs[0].world.tallies.crossing_edges]
        libya = [names.index(n) for n in ("tripoli_italy", "tripoli_malta", "benghazi_italy")]
        attempts = [x.by_crossing["attempts"][7:9][:, libya].sum() for x in res]  # August-September
        ratios.append(attempts[1] / attempts[0])
        stranded.append([x.route["stranded"][8:, cm].mean() for x in res])
    assert 0.05 < np.mean(ratios) < 0.5
    assert all(a > b for b, a in stranded)
