"""Direction of effect of the minimal interventions, with paired seeds (common random numbers)."""

import datetime as dt

import numpy as np
import pytest

from sim.core.network import MODES
from sim.errors import InputError
from sim.interventions import REGISTRY, InterventionSpec, make

from .conftest import run_small, small_config, spec

END = dt.date(2015, 6, 30)
REPS = (0, 1, 2)


def _sum(results, getter):
    return np.array([getter(r) for r in results], dtype=float)


def test_enforcement_on_a_crossing_cuts_crossings_there_and_displaces_to_the_alternatives(network):
    crossing = list(np.flatnonzero(network.edge_crossing))
    target = crossing.index(network.edge("nador_spain"))
    alternatives = [crossing.index(network.edge(e)) for e in ("nador_melilla", "laayoune_canaries", "oran_spain")]
    base = [run_small(network, replicate=r, end=END) for r in REPS]
    alt = [run_small(network, replicate=r, end=END, interventions=[spec("border_enforcement", "nador_spain", 0.8)])
           for r in REPS]
    arrivals_there = lambda r: r.by_crossing["arrivals"][:, target].sum()  # noqa: E731
    attempts_elsewhere = lambda r: r.by_crossing["attempts"][:, alternatives].sum()  # noqa: E731
    assert np.all(_sum(alt, arrivals_there) < 0.6 * _sum(base, arrivals_there))
    # displacement: summed over paired replicates (single replicates are noisy at 1/100 scale)
    assert _sum(alt, attempts_elsewhere).sum() > _sum(base, attempts_elsewhere).sum()


def test_more_rescue_means_fewer_deaths_per_attempt_with_boat_choice_held_fixed(network):
    fixed = {"unseaworthy_share_sar": 0.0, "bad_weather_launch_sar": 0.0}
    base = [run_small(network, replicate=r, end=END, params=fixed) for r in REPS]
    sar = [run_small(network, replicate=r, end=END, params=fixed,
                     interventions=[spec("search_and_rescue", "central_med", 0.8)]) for r in REPS]
    c = network.route("central_med")
    deaths = lambda r: r.route["dead_missing_sea"][:, c].sum()  # noqa: E731
    attempts = lambda r: r.route["crossing_attempts"][:, c].sum()  # noqa: E731
    # rates pooled over paired replicates: deaths are rare events at 1/100 scale
    base_rate = _sum(base, deaths).sum() / _sum(base, attempts).sum()
    sar_rate = _sum(sar, deaths).sum() / _sum(sar, attempts).sum()
    assert _sum(base, deaths).sum() >= 20  # enough events for the comparison to mean something
    assert sar_rate < 0.5 * base_rate


def test_a_route_s_standing_rescue_scales_only_the_missed_share_of_its_own_sea_crossings(network):
    """rescue_miss_mult_<route> sets 1 - rescue to (1 - rescue_prob) x m on the route's sea crossings, and
    nothing else: other routes keep authorities.csv's value, and a land border never gains a rescue."""
    from sim.core.model import RouteModel

    base = RouteModel(small_config(network), 0)
    scaled = RouteModel(small_config(network, params={"rescue_miss_mult_central_med": 0.25,
                                                      "rescue_miss_mult_eastern_med": 10.0}), 0)
    for model in (base, scaled):
        for authority in model.authorities:
            authority.step()
    before, after = base.world.levers.rescue, scaled.world.levers.rescue
    cm, em = network.route("central_med"), network.route("eastern_med")
    sea = network.edge_mode == MODES.index("sea")
    on_cm, on_em = sea & (network.edge_route == cm) & (before > 0), sea & (network.edge_route == em) & (before > 0)
    assert on_cm.any() and on_em.any()
    assert np.allclose(1 - after[on_cm], 0.25 * (1 - before[on_cm]))
    assert np.all(after[on_em] == np.clip(1 - 10.0 * (1 - before[on_em]), 0, 1))
    elsewhere = ~(on_cm | on_em)
    assert np.array_equal(after[elsewhere], before[elsewhere])  # land borders (rescue 0) and other routes


def test_less_missed_distress_on_a_route_means_fewer_deaths_there_per_attempt(network):
    fixed = {"unseaworthy_share_sar": 0.0, "bad_weather_launch_sar": 0.0}
    c = network.route("central_med")
    deaths = lambda r: r.route["dead_missing_sea"][:, c].sum()  # noqa: E731
    attempts = lambda r: r.route["crossing_attempts"][:, c].sum()  # noqa: E731
    rates = []
    for m in (1.0, 0.2):
        runs = [run_small(network, replicate=r, end=END, params={**fixed, "rescue_miss_mult_central_med": m})
                for r in REPS]
        assert _sum(runs, deaths).sum() >= (20 if m == 1.0 else 0)  # enough events at the assumed rescue
        rates.append(_sum(runs, deaths).sum() / _sum(runs, attempts).sum())
    assert rates[1] < 0.5 * rates[0]


def test_a_legal_pathway_quota_cuts_irregular_departures_from_its_origin(network):
    o = network.origins.index("horn_of_africa")
    base = [run_small(network, replicate=r, end=END) for r in REPS]
    legal = [run_small(network, replicate=r, end=END, interventions=[spec("legal_pathway", "horn_of_africa", 20000)])
             for r in REPS]
    departures = lambda r: r.departures_by_origin[:, o].sum()  # noqa: E731
    entries = _sum(legal, lambda r: r.legal_by_origin[:, o].sum())
    drop = _sum(base, departures) - _sum(legal, departures)
    years = len(legal[0].months) / 12
    assert np.all(entries > 0) and np.all(entries <= 20000 * years * 1.05)  # never more than the places
    # most of those who take a place would otherwise have left irregularly (some would have given up)
    assert np.all(drop > 0.3 * entries)
    assert np.all(_sum(base, lambda r: r.legal_by_origin.sum()) == 0)


def test_interventions_are_off_outside_their_dates_and_ramp_up(network):
    s = InterventionSpec("border_enforcement", "tripoli", dt.date(2016, 1, 1), dt.date(2016, 12, 31), 0.6, 100)
    iv = make(s, network)
    assert iv.active_fraction(dt.date(2015, 12, 31)) == 0 and iv.active_fraction(dt.date(2017, 1, 1)) == 0
    assert iv.active_fraction(dt.date(2016, 1, 1)) == pytest.approx(0.01)
    assert iv.active_fraction(dt.date(2016, 6, 1)) == 1.0


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_registered_intervention_documents_its_mechanism_and_rejects_a_bad_target(name, network):
    cls = REGISTRY[name]
    assert cls.__doc__ or __import__(cls.__module__).__doc__
    with pytest.raises(InputError, match="unknown target"):
        make(InterventionSpec(name, "atlantis", dt.date(2015, 1, 1), None, 0.5), network)
