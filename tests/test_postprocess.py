"""Post-processing of backtest forecasts: it learns only from months observed before each origin, and it
corrects a biased, over-confident ensemble."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.analysis.scores import crps_ensemble
from sim.forecast import postprocess
from sim.forecast.drivers import month_add

ORIGINS = tuple(month_add(dt.date(2019, 1, 1), 3 * k) for k in range(21))
HORIZON = 12


def _case(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A record with a level around 2,000 a month and 40% noise; the model twice too high and too sure; a
    baseline centred on the record with a wide spread."""
    rng = np.random.default_rng(seed)
    truth = 2000 * np.exp(rng.normal(0, 0.4, (len(ORIGINS), HORIZON)))
    model = 4000 * np.exp(rng.normal(0, 0.05, (len(ORIGINS), 8, HORIZON)))
    baseline = 2000 * np.exp(rng.normal(0, 0.8, (len(ORIGINS), 200, HORIZON)))
    return truth, model, baseline


def test_an_origin_learns_only_from_months_observed_before_it():
    truth, model, baseline = _case()
    k = 10
    later = truth.copy()
    mask = postprocess.training_mask(ORIGINS, HORIZON, k)
    assert not mask[k:].any() and mask[k - 1, 0] and mask[k - 1, 2] and not mask[k - 1, 3]
    future = np.array([[month_add(o, h) >= ORIGINS[k] for h in range(HORIZON)] for o in ORIGINS])
    assert not (mask & future).any()
    later[future] *= 50  # what the record does from origin k on must not matter there, nor before
    a, b = postprocess.calibrate(model, truth, ORIGINS), postprocess.calibrate(model, later, ORIGINS)
    np.testing.assert_array_equal(a[: k + 1], b[: k + 1])
    pa, wa = postprocess.blend(a, [baseline], truth, ORIGINS)
    pb, wb = postprocess.blend(b, [baseline], later, ORIGINS)
    np.testing.assert_array_equal(wa[: k + 1], wb[: k + 1])
    np.testing.assert_array_equal(pa[: k + 1], pb[: k + 1])


def test_a_biased_overconfident_ensemble_is_recentred_and_widened():
    truth, model, _ = _case()
    cal = postprocess.calibrate(model, truth, ORIGINS)
    np.testing.assert_array_equal(np.sort(cal[0], axis=0)[[0, -1]], np.sort(model[0], axis=0)[[0, -1]])  # no past
    late = slice(8, None)
    q05, q50, q95 = (np.quantile(cal[late], q, axis=1) for q in (0.05, 0.5, 0.95))
    inside = np.mean((q05 <= truth[late]) & (truth[late] <= q95))
    raw = np.mean((np.quantile(model[late], 0.05, axis=1) <= truth[late])
                  & (truth[late] <= np.quantile(model[late], 0.95, axis=1)))
    assert raw < 0.05 and 0.8 <= inside <= 0.98
    assert abs(np.median(np.log(q50 / 2000))) < 0.15
    assert crps_ensemble(cal[late], truth[late], axis=1).mean() < \
        0.5 * crps_ensemble(model[late], truth[late], axis=1).mean()


def test_the_blend_weight_follows_the_better_forecast():
    truth, model, baseline = _case()
    good = postprocess.calibrate(model, truth, ORIGINS)
    _, w = postprocess.blend(good, [baseline], truth, ORIGINS)
    assert w[0].tolist() == [0.5, 0.5] and w[-1, 0] >= 0.6  # the calibrated model is sharper and as well centred
    _, w_bad = postprocess.blend(model, [baseline], truth, ORIGINS)
    assert w_bad[-1, 0] <= 0.2  # the raw model, twice too high, earns little weight
    _, w3 = postprocess.blend(model, [baseline, baseline * 3], truth, ORIGINS)
    assert np.allclose(w3.sum(axis=1), 1) and w3[-1, 2] <= 0.2  # a third forecast three times too high: no weight


def test_a_new_fit_learns_only_from_its_own_forecasts():
    """Groups: the errors of forecasts made with an earlier fit do not recentre those of a new one; its first
    origins fall back to the raw members."""
    truth, model, _ = _case()
    groups = ["old"] * 12 + ["new"] * 9
    model = model.copy()
    model[12:] /= 2  # the new fit is right on average
    cal = postprocess.calibrate(model, truth, ORIGINS, groups=groups)
    np.testing.assert_array_equal(np.sort(cal[12], axis=0)[[0, -1]], np.sort(model[12], axis=0)[[0, -1]])
    late = slice(16, None)
    assert abs(np.median(np.log(np.median(cal[late], axis=1) / 2000))) < 0.15
    mixed = postprocess.calibrate(model, truth, ORIGINS)  # learning across the change: pulled too low
    assert np.median(np.log(np.median(mixed[12:15], axis=1) / 2000)) < -0.3


def test_the_weight_grid_covers_the_simplex():
    g = postprocess.weight_grid(3, 0.5)
    assert g.shape == (6, 3) and np.allclose(g.sum(axis=1), 1) and {tuple(r) for r in g} >= {(1, 0, 0), (0.5, 0.5, 0)}
