"""Forecast scores and statistical baselines for backtests.

Scores (all negatively oriented: lower is better, 0 is a perfect forecast, except coverage):

* CRPS, the continuous ranked probability score (Gneiting & Raftery 2007, JASA 102:359-378), compares a
  whole predictive distribution with the observation: ``CRPS(F, y) = E|X - y| - 0.5 E|X - X'|`` with
  ``X, X'`` independent draws from ``F``. It is proper (a forecaster scores best by reporting what they
  believe), is in the units of the data, and for a point forecast reduces to the absolute error, so an
  ensemble and a point baseline are scored on one scale.
* MASE, the mean absolute scaled error (Hyndman & Koehler 2006, IJF 22:679-688), divides the mean absolute
  error of a point forecast by the in-sample mean absolute error of the seasonal-naive forecast. It is
  unit-free, so series of very different sizes (routes, nationalities) can be averaged; below 1 beats the
  in-sample seasonal-naive one-step error.
* Coverage is the share of observations that fall inside a prediction interval. It is not a score to
  minimise: a calibrated 80% interval covers about 80%; much lower means over-confident bands.

Baselines: the seasonal-naive forecast (same month last year), the usual floor a model has to beat; the
last value held (persistence); and two models on ``log1p`` counts with simulated paths, ETS (exponential
smoothing state space) and a seasonal ARIMA (SARIMAX), so that those baselines are probabilistic and are
scored by CRPS exactly like the simulation ensemble.

NaN in observations means "not observed" and is skipped by every score.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np

SEASON = 12  # monthly data
MIN_ETS_MONTHS = 24  # fewer finite months: too little to fit level, damped trend and noise
MIN_SEASONAL_MONTHS = 36  # three full years before seasonal states are estimated rather than guessed


def crps_ensemble(samples: np.ndarray, obs: np.ndarray, axis: int = 0) -> np.ndarray:
    """CRPS of an ensemble (its empirical CDF) against observations, one value per observation.

    Uses the exact energy form over all ordered pairs (including a member with itself), computed by
    sorting so that big ensembles stay cheap: for sorted ``x_1..x_n``,
    ``mean|X - X'| = 2 / n^2 * sum_i (2i - n - 1) x_i``. Non-finite members are ignored (a crashed or
    missing member should not sink the score); the result is NaN where ``obs`` is not finite or no member
    is finite. ``obs`` must broadcast against ``samples`` with ``axis`` removed.
    """
    x = np.moveaxis(np.asarray(samples, dtype=float), axis, 0)
    y = np.asarray(obs, dtype=float)
    shape = np.broadcast_shapes(x.shape[1:], y.shape)  # align obs with the non-member axes, not with axis 0
    x = np.broadcast_to(x, x.shape[:1] + shape)
    y = np.broadcast_to(y, shape)
    finite = np.isfinite(x)
    k = finite.sum(axis=0)  # finite members per observation
    xs = np.sort(np.where(finite, x, np.nan), axis=0)  # NaN sort last, so finite ranks are 1..k
    rank = np.arange(1, x.shape[0] + 1, dtype=float).reshape((-1,) + (1,) * (x.ndim - 1))
    weight = 2.0 * rank - k - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        abs_err = np.where(finite, np.abs(x - y), 0.0).sum(axis=0) / k
        spread = 2.0 * np.where(np.isfinite(xs), weight * xs, 0.0).sum(axis=0) / k.astype(float) ** 2
    crps = abs_err - 0.5 * spread
    return np.where((k > 0) & np.isfinite(y), crps, np.nan)


def mase(forecast: np.ndarray, obs: np.ndarray, history: np.ndarray, m: int = SEASON) -> float:
    """Mean absolute scaled error: forecast MAE over the in-sample seasonal-naive MAE of ``history``.

    Pairs with a NaN on either side are skipped, both in the forecast error and in the scale. NaN when
    no pair is scorable or the scale is 0 (a flat history gives no yardstick to scale by).
    """
    f = np.asarray(forecast, dtype=float)
    o = np.asarray(obs, dtype=float)
    h = np.asarray(history, dtype=float).ravel()
    err = np.abs(f - o)
    err = err[np.isfinite(err)]
    naive_err = np.abs(h[m:] - h[:-m]) if 0 < m < h.size else np.empty(0)
    naive_err = naive_err[np.isfinite(naive_err)]
    if err.size == 0 or naive_err.size == 0:
        return float("nan")
    scale = naive_err.mean()
    return float(err.mean() / scale) if scale > 0 else float("nan")


def coverage(lower: np.ndarray, upper: np.ndarray, obs: np.ndarray) -> float:
    """Share of finite observations with ``lower <= obs <= upper`` (bounds inclusive).

    A NaN bound counts as a miss: an interval that was not produced did not cover. NaN when no
    observation is finite.
    """
    lo, hi, y = np.broadcast_arrays(np.asarray(lower, float), np.asarray(upper, float), np.asarray(obs, float))
    seen = np.isfinite(y)
    if not seen.any():
        return float("nan")
    return float(np.mean((lo[seen] <= y[seen]) & (y[seen] <= hi[seen])))


def seasonal_naive(history: np.ndarray, horizon: int, m: int = SEASON) -> np.ndarray:
    """Point forecast repeating the last season: month ``t`` gets the value of month ``t - m``.

    ``history`` is a 1-D monthly series ending the month before the forecast origin. A NaN in the last
    ``m`` months falls back to the most recent finite value at the same calendar position further back
    (a missing month should not blank a whole year of forecasts); NaN if there is none.
    """
    h = np.asarray(history, dtype=float).ravel()
    n = h.size
    season = np.full(m, np.nan)
    for j in range(m):
        for i in range(n - m + j, -1, -m):  # same calendar position, most recent first
            if np.isfinite(h[i]):
                season[j] = h[i]
                break
    return season[np.arange(horizon) % m]


def ets_forecast(history: np.ndarray, horizon: int, n_paths: int, seed: int) -> np.ndarray:
    """Simulated paths (n_paths x horizon) of an ETS baseline fitted to ``history`` (monthly counts).

    Model: statsmodels ``ETSModel`` on ``log1p(history)`` (counts vary by orders of magnitude and cannot go
    negative), additive error, additive damped trend (an undamped trend extrapolates surges forever), and
    additive seasonality of period 12 when at least 36 finite months are available. Paths are simulated
    from the end of the history with Gaussian errors of the fitted variance drawn from
    ``numpy.random.default_rng(seed)`` (deterministic for a seed), back-transformed with ``expm1`` and
    clipped at 0.

    History preparation: leading NaNs are dropped (the series starts at its first finite month),
    interior NaNs are interpolated linearly, trailing NaNs carry the last finite value forward so that
    the paths still start at the forecast origin.

    Fallback: with fewer than 24 finite months, or if the fit or simulation fails or is non-finite, every
    path is the seasonal-naive forecast (clipped at 0) -- a degenerate ensemble whose CRPS is the
    seasonal-naive absolute error.
    """
    return _log_model_paths(_simulate_ets, "ets_forecast", history, horizon, n_paths, seed, MIN_ETS_MONTHS)


def sarimax_forecast(history: np.ndarray, horizon: int, n_paths: int, seed: int) -> np.ndarray:
    """Simulated paths (n_paths x horizon) of a seasonal ARIMA baseline fitted to ``history`` (monthly counts).

    Model: statsmodels ``SARIMAX`` on ``log1p(history)``, ARIMA(1,0,0)(0,1,1)[12] without a constant: this
    year's month is last year's plus a persistent deviation, the "airline"-style seasonal model that needs no
    trend (a trend extrapolates surges). Needs 36 finite months (three seasons); otherwise, or if the fit fails,
    the seasonal-naive forecast. History preparation, simulation and back-transform as :func:`ets_forecast`."""
    return _log_model_paths(_simulate_sarimax, "sarimax_forecast", history, horizon, n_paths, seed,
                            MIN_SEASONAL_MONTHS)


def last_value_forecast(history: np.ndarray, horizon: int) -> np.ndarray:
    """The last observed month, held for ``horizon`` months (NaN if nothing was observed): the persistence
    forecast, a point forecast."""
    h = np.asarray(history, dtype=float).ravel()
    finite = h[np.isfinite(h)]
    return np.full(horizon, finite[-1] if finite.size else np.nan)


def _log_model_paths(simulate, name: str, history: np.ndarray, horizon: int, n_paths: int, seed: int,
                     min_months: int) -> np.ndarray:
    """A statistical baseline's paths: ``simulate`` fitted to log1p of the prepared history (leading NaNs
    dropped, interior ones interpolated, trailing ones carrying the last value), back-transformed and clipped
    at 0; the seasonal-naive forecast as every path when too short, failed or non-finite."""
    h = np.asarray(history, dtype=float).ravel()
    if np.any(h[np.isfinite(h)] < 0):
        raise ValueError(f"{name} needs non-negative counts (it models log1p(history))")
    fallback = np.tile(np.maximum(seasonal_naive(h, horizon), 0.0), (n_paths, 1))
    finite = np.isfinite(h)
    n_finite = int(finite.sum())
    if n_finite < min_months or horizon <= 0 or n_paths <= 0:
        return fallback
    t = np.arange(h.size)
    start = int(np.argmax(finite))
    filled = np.interp(t[start:], t[finite], h[finite])  # interior: linear; trailing: last value
    y = np.log1p(filled)
    try:
        paths = simulate(y, horizon, n_paths, seed, seasonal=n_finite >= MIN_SEASONAL_MONTHS)
    except (ValueError, np.linalg.LinAlgError, FloatingPointError):
        return fallback
    with np.errstate(over="ignore"):
        out = np.maximum(np.expm1(paths), 0.0)
    return out if np.all(np.isfinite(out)) else fallback


def _simulate_ets(y: np.ndarray, horizon: int, n_paths: int, seed: int, seasonal: bool) -> np.ndarray:
    """Fit the ETS model to log counts and return simulated log paths, shape (n_paths, horizon)."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(y, error="add", trend="add", damped_trend=True,
                     seasonal="add" if seasonal else None, seasonal_periods=SEASON if seasonal else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # short, step-shaped series often stop early
        warnings.simplefilter("ignore", RuntimeWarning)  # optimiser probing overflows in exp/log
        fit = model.fit(disp=False)
    return _paths_from(fit, horizon, n_paths, seed)


def _simulate_sarimax(y: np.ndarray, horizon: int, n_paths: int, seed: int, seasonal: bool = True) -> np.ndarray:
    """Fit ARIMA(1,0,0)(0,1,1)[12] to log counts and return simulated log paths, shape (n_paths, horizon)."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    model = SARIMAX(y, order=(1, 0, 0), seasonal_order=(0, 1, 1, SEASON), trend="n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)  # non-invertible starting values on short series
        fit = model.fit(disp=False)
    return _paths_from(fit, horizon, n_paths, seed)


def _paths_from(fit, horizon: int, n_paths: int, seed: int) -> np.ndarray:  # noqa: ANN001 - statsmodels results
    """``n_paths`` simulated paths (n_paths x horizon) from the end of a fitted statsmodels model. statsmodels
    0.15 renamed simulate's random_state to rng; a Generator goes to whichever exists."""
    seed_arg = "rng" if "rng" in inspect.signature(fit.simulate).parameters else "random_state"
    sim = fit.simulate(horizon, anchor="end", repetitions=n_paths, **{seed_arg: np.random.default_rng(seed)})
    return np.asarray(sim, dtype=float).reshape(horizon, n_paths).T
