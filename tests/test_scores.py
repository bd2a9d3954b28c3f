import math

import numpy as np
import pytest
from scipy import stats

from sim.analysis.scores import (
    coverage,
    crps_ensemble,
    ets_forecast,
    last_value_forecast,
    mase,
    sarimax_forecast,
    seasonal_naive,
)


def brute_crps(x: np.ndarray, y: float) -> float:
    """All-pairs energy form, O(n^2): the definition the sorted formula must reproduce."""
    x = x[np.isfinite(x)]
    return float(np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :])))


# --- CRPS -------------------------------------------------------------------------------------------


def test_crps_of_three_members_by_hand():
    x = np.array([1.0, 2.0, 3.0])
    # obs 2: mean|X-y| = (1+0+1)/3 = 2/3
    # mean|X-X'| over the 9 ordered pairs: |1-2|,|1-3|,|2-3| twice each = 2*(1+2+1) = 8, plus 3 zeros -> 8/9
    # CRPS = 2/3 - 0.5 * 8/9 = 6/9 - 4/9 = 2/9
    assert crps_ensemble(x, np.array(2.0)) == pytest.approx(2 / 9, abs=1e-12)
    # obs 5: mean|X-y| = (4+3+2)/3 = 3, so CRPS = 3 - 4/9 = 23/9
    assert crps_ensemble(x, np.array(5.0)) == pytest.approx(3 - 4 / 9, abs=1e-12)
    # sorted formula: 2/n^2 * sum (2i-n-1) x_i = 2/9 * (-2*1 + 0*2 + 2*3) = 8/9, the same spread
    assert crps_ensemble(x[::-1], np.array(5.0)) == pytest.approx(23 / 9, abs=1e-12)  # order does not matter


def test_crps_of_one_member_is_the_absolute_error():
    # one member: mean|X-X'| = |x-x| = 0, so CRPS = |x - y|
    assert crps_ensemble(np.array([7.5]), np.array(3.0)) == pytest.approx(4.5, abs=1e-12)
    point = np.array([[1.0, -2.0, 10.0]])  # 1 member x 3 observations
    obs = np.array([4.0, 0.0, 10.0])
    np.testing.assert_allclose(crps_ensemble(point, obs), [3.0, 2.0, 0.0], atol=1e-12)


def test_crps_matches_brute_force_on_random_data():
    rng = np.random.default_rng(42)
    for n in (2, 5, 50, 301):
        x = rng.gamma(2.0, 30.0, size=n)
        y = float(rng.gamma(2.0, 30.0))
        assert crps_ensemble(x, np.array(y)) == pytest.approx(brute_crps(x, y), rel=1e-10)


def test_crps_vectorises_over_either_axis():
    rng = np.random.default_rng(7)
    samples = rng.normal(50.0, 10.0, size=(40, 6))  # 40 members x 6 months
    obs = rng.normal(50.0, 10.0, size=6)
    expected = [brute_crps(samples[:, j], obs[j]) for j in range(6)]
    np.testing.assert_allclose(crps_ensemble(samples, obs, axis=0), expected, rtol=1e-10)
    np.testing.assert_allclose(crps_ensemble(samples.T, obs, axis=1), expected, rtol=1e-10)
    np.testing.assert_allclose(crps_ensemble(samples.T, obs, axis=-1), expected, rtol=1e-10)
    assert crps_ensemble(samples, obs).shape == (6,)


def test_crps_is_nan_where_obs_is_nan_or_no_member_is_finite():
    samples = np.array([[1.0, np.nan], [2.0, np.nan], [3.0, np.nan]])  # 3 members x 2 obs
    out = crps_ensemble(samples, np.array([np.nan, 1.0]))
    assert np.isnan(out).all()


def test_crps_ignores_nan_members():
    # [1, NaN, 2, 3, NaN] scores as [1, 2, 3]: 2/9 against obs 2 (see the hand computation above)
    x = np.array([1.0, np.nan, 2.0, 3.0, np.nan])
    assert crps_ensemble(x, np.array(2.0)) == pytest.approx(2 / 9, abs=1e-12)
    # per column: a NaN in one column must not change the member count of the other
    samples = np.array([[1.0, 1.0], [np.nan, 2.0], [3.0, 3.0]])
    out = crps_ensemble(samples, np.array([2.0, 2.0]))
    # column 0 = {1, 3} vs 2: mean|X-y| = 1, mean|X-X'| = (0+2+2+0)/4 = 1, CRPS = 1 - 0.5 = 0.5
    np.testing.assert_allclose(out, [0.5, 2 / 9], atol=1e-12)


def normal_crps(mu: float, sigma: float, y: np.ndarray) -> np.ndarray:
    """Closed form for N(mu, sigma) (Gneiting & Raftery 2007, eq. 21)."""
    z = (y - mu) / sigma
    return sigma * (z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi))


def test_crps_of_a_large_normal_ensemble_matches_the_closed_form():
    mu, sigma = 0.5, 2.0
    ys = np.array([-1.0, 0.5, 2.5, 6.0])
    x = np.random.default_rng(0).normal(mu, sigma, size=20_000)
    # Monte Carlo sd of the ratio is about 0.5% at n = 20000, so 1% is a ~2 sd check for this seed;
    # the quantile ensemble below has no sampling noise and is checked tightly.
    np.testing.assert_allclose(crps_ensemble(x[:, None], ys), normal_crps(mu, sigma, ys), rtol=0.01)
    n = 20_000
    q = mu + sigma * stats.norm.ppf((np.arange(1, n + 1) - 0.5) / n)
    np.testing.assert_allclose(crps_ensemble(q[:, None], ys), normal_crps(mu, sigma, ys), rtol=1e-6)


# --- MASE -------------------------------------------------------------------------------------------


def test_mase_by_hand_with_m_1():
    # scale: |3-1|, |6-3|, |10-6| = 2, 3, 4 -> mean 3; MAE: |10-11|, |12-15| = 1, 3 -> mean 2; MASE = 2/3
    assert mase(np.array([10.0, 12.0]), np.array([11.0, 15.0]), np.array([1.0, 3.0, 6.0, 10.0]), m=1) == (
        pytest.approx(2 / 3, abs=1e-12))


def test_mase_by_hand_with_m_12():
    history = np.concatenate([np.zeros(12), np.arange(1.0, 13.0)])
    # scale: |h_t - h_{t-12}| = 1, 2, ..., 12 -> mean 6.5
    # MAE: |10-11|, |10-7|, |10-23| = 1, 3, 13 -> mean 17/3; MASE = (17/3) / 6.5 = 34/39
    assert mase(np.full(3, 10.0), np.array([11.0, 7.0, 23.0]), history) == pytest.approx(34 / 39, abs=1e-12)


def test_mase_skips_nan_pairs():
    # history pairs with a NaN are skipped: |3-1| = 2 and |14-10| = 4 -> scale 3
    # obs NaN skipped: MAE over |10-11|, |12-15| = 2 -> MASE 2/3
    history = np.array([1.0, 3.0, np.nan, 10.0, 14.0])
    out = mase(np.array([10.0, 12.0, 99.0]), np.array([11.0, 15.0, np.nan]), history, m=1)
    assert out == pytest.approx(2 / 3, abs=1e-12)


def test_mase_is_nan_without_a_scale():
    f, o = np.array([1.0]), np.array([2.0])
    assert np.isnan(mase(f, o, np.full(30, 5.0)))  # flat history: scale 0
    assert np.isnan(mase(f, o, np.arange(12.0)))  # no pair 12 months apart
    assert np.isnan(mase(f, o, np.full(30, np.nan)))
    assert np.isnan(mase(f, np.array([np.nan]), np.arange(30.0)))  # nothing observed


# --- coverage ---------------------------------------------------------------------------------------


def test_coverage_counts_inclusive_bounds_and_skips_nan_obs():
    lower, upper = np.zeros(5), np.ones(5)
    # 0.5 in, 1.0 in (inclusive), 0.0 in (inclusive), 2.0 out, NaN skipped -> 3/4
    assert coverage(lower, upper, np.array([0.5, 1.0, 0.0, 2.0, np.nan])) == pytest.approx(0.75)
    assert coverage(lower, upper, np.array([-0.1, 1.1, 5.0, 2.0, 3.0])) == 0.0
    assert np.isnan(coverage(lower, upper, np.full(5, np.nan)))


def test_coverage_counts_a_missing_interval_as_a_miss():
    # obs 0.5 against [NaN, 1] and [0, 1]: only the second covers -> 1/2
    assert coverage(np.array([np.nan, 0.0]), np.array([1.0, 1.0]), np.array([0.5, 0.5])) == 0.5


# --- seasonal naive ---------------------------------------------------------------------------------


def test_seasonal_naive_repeats_the_last_season():
    history = np.arange(24.0)  # months 0..23; the last season is 12..23
    np.testing.assert_array_equal(seasonal_naive(history, 12), np.arange(12.0, 24.0))
    # horizon 18: 12..23 then 12..17 again
    np.testing.assert_array_equal(seasonal_naive(history, 18), np.r_[np.arange(12.0, 24.0), np.arange(12.0, 18.0)])
    np.testing.assert_array_equal(seasonal_naive(np.array([1.0, 2.0, 3.0]), 5, m=2), [2.0, 3.0, 2.0, 3.0, 2.0])


def test_seasonal_naive_falls_back_to_the_same_month_further_back():
    history = np.arange(36.0)
    history[30] = np.nan  # position 6 of the last season -> same month a year earlier: 18
    history[[33, 21]] = np.nan  # position 9 -> two years back: 9
    history[[35, 23, 11]] = np.nan  # position 11 -> never observed: NaN
    expected = np.arange(24.0, 36.0)
    expected[6], expected[9], expected[11] = 18.0, 9.0, np.nan
    np.testing.assert_array_equal(seasonal_naive(history, 12), expected)
    np.testing.assert_array_equal(seasonal_naive(history, 24), np.r_[expected, expected])


def test_seasonal_naive_with_less_than_a_season_of_history():
    # 5 months: forecast month h uses index 5 + h - 1 - 12 -> months 8..12 use indices 0..4, months 1..7 NaN
    out = seasonal_naive(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 12)
    np.testing.assert_array_equal(out, np.r_[np.full(7, np.nan), [1.0, 2.0, 3.0, 4.0, 5.0]])


# --- ETS baseline -----------------------------------------------------------------------------------


def seasonal_series(n: int, start: int = 0, noise: float = 0.05, seed: int = 1) -> np.ndarray:
    t = np.arange(start, start + n)
    clean = 100.0 + 50.0 * np.sin(2 * np.pi * t / 12)
    return clean * np.exp(np.random.default_rng(seed).normal(0.0, noise, n)) if noise else clean


def test_ets_paths_have_the_right_shape_are_non_negative_and_reproducible():
    history = seasonal_series(60)
    a = ets_forecast(history, horizon=12, n_paths=200, seed=3)
    assert a.shape == (200, 12)
    assert np.isfinite(a).all() and (a >= 0).all()
    np.testing.assert_array_equal(a, ets_forecast(history, horizon=12, n_paths=200, seed=3))
    assert not np.array_equal(a, ets_forecast(history, horizon=12, n_paths=200, seed=4))
    assert np.ptp(a, axis=0).min() > 0  # a real ensemble, not the degenerate fallback


def test_ets_median_tracks_a_strongly_seasonal_series():
    history = seasonal_series(60)
    truth = seasonal_series(12, start=60, noise=0.0)
    median = np.median(ets_forecast(history, horizon=12, n_paths=500, seed=0), axis=0)
    assert np.mean(np.abs(median - truth) / truth) < 0.30
    # and it has the phase: its peak and trough months are those of the sine (months 3 and 9 after origin)
    assert abs(int(np.argmax(median)) - 3) <= 1 and abs(int(np.argmin(median)) - 9) <= 1


def test_ets_drops_leading_nans_and_interpolates_interior_ones():
    history = seasonal_series(60)
    padded = np.r_[np.full(30, np.nan), history]
    np.testing.assert_array_equal(ets_forecast(padded, 6, 50, seed=9), ets_forecast(history, 6, 50, seed=9))
    gappy = history.copy()
    gappy[[10, 11, 40]] = np.nan
    out = ets_forecast(gappy, 6, 50, seed=9)
    assert np.isfinite(out).all() and np.ptp(out, axis=0).min() > 0


def test_ets_without_three_years_fits_a_non_seasonal_model():
    out = ets_forecast(seasonal_series(30), 6, 50, seed=2)  # 30 finite months: ETS, no seasonal states
    assert out.shape == (50, 6) and np.isfinite(out).all() and np.ptp(out, axis=0).min() > 0


def test_ets_model_spec(monkeypatch):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    specs = []
    original_init = ETSModel.__init__

    def spy_init(self, endog, **kwargs):
        specs.append((np.asarray(endog).copy(), kwargs))
        original_init(self, endog, **kwargs)

    monkeypatch.setattr(ETSModel, "__init__", spy_init)
    history = np.r_[np.nan, seasonal_series(36)]
    ets_forecast(history, 3, 5, seed=0)
    ets_forecast(history[:-1], 3, 5, seed=0)  # 35 finite months
    (endog36, spec36), (_, spec35) = specs
    np.testing.assert_allclose(endog36, np.log1p(history[1:]))  # fitted on log1p, leading NaN dropped
    common = {"error": "add", "trend": "add", "damped_trend": True}
    assert spec36 == {**common, "seasonal": "add", "seasonal_periods": 12}
    assert spec35 == {**common, "seasonal": None, "seasonal_periods": None}


def test_ets_short_history_falls_back_to_seasonal_naive():
    history = np.r_[np.full(40, np.nan), seasonal_series(20)]  # only 20 finite months
    out = ets_forecast(history, horizon=18, n_paths=7, seed=0)
    np.testing.assert_array_equal(out, np.tile(seasonal_naive(history, 18), (7, 1)))


def test_ets_falls_back_to_seasonal_naive_when_the_fit_fails(monkeypatch):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    def broken_fit(self, *args, **kwargs):
        raise ValueError("optimiser blew up")

    monkeypatch.setattr(ETSModel, "fit", broken_fit)
    history = seasonal_series(60)
    np.testing.assert_array_equal(ets_forecast(history, 12, 5, seed=0), np.tile(seasonal_naive(history, 12), (5, 1)))


def test_ets_rejects_negative_counts():
    with pytest.raises(ValueError, match="non-negative"):
        ets_forecast(np.r_[seasonal_series(40), -1.0], 6, 5, seed=0)


def test_sarimax_paths_follow_the_season_and_are_reproducible():
    """The seasonal ARIMA baseline: same seed, same paths; its median follows a strong season; under three
    years it is the seasonal-naive forecast."""
    months = np.arange(72)
    history = 1000 + 600 * np.sin(2 * np.pi * months / 12) + np.random.default_rng(0).normal(0, 50, 72)
    a, b = sarimax_forecast(history, 12, 100, 5), sarimax_forecast(history, 12, 100, 5)
    assert a.shape == (100, 12) and np.array_equal(a, b) and np.all(a >= 0)
    expected = 1000 + 600 * np.sin(2 * np.pi * np.arange(72, 84) / 12)
    assert np.corrcoef(np.median(a, axis=0), expected)[0, 1] > 0.9
    short = history[:30]
    assert np.array_equal(sarimax_forecast(short, 3, 4, 1), np.tile(seasonal_naive(short, 3), (4, 1)))
    with pytest.raises(ValueError, match="sarimax_forecast needs non-negative"):
        sarimax_forecast(-history, 3, 4, 1)


def test_last_value_holds_the_last_observed_month():
    assert last_value_forecast(np.array([3.0, 5.0, np.nan]), 2).tolist() == [5.0, 5.0]
    assert np.isnan(last_value_forecast(np.array([np.nan]), 1)).all()
