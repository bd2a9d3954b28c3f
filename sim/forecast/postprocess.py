"""Post-processing that learns only from the past: the model ensemble's level and spread corrected, and a blend
with a statistical baseline, each estimated at every forecast origin from the forecasts of earlier origins
whose months had been observed by then.

Why: the raw ensemble carries the model's parameter and stochastic spread but not its structural error, and
its level is off where the calibration is (a route's bias persists from one origin to the next). Both can be
measured on past forecasts, as a forecaster would, without ever looking at the month being forecast.

**Calibrated ensemble** (``calibrate``), per target and route, on ``log1p`` counts. Over the training pairs
(earlier origins' forecasts of the ``TRAIN_MONTHS`` months before the current origin): the residual ``r =
log1p(y) - m``, ``m`` the member mean of ``log1p``; the bias ``b`` is their mean, and the missing variance
``tau2`` is the mean of ``(r - b)^2`` less the members' own variance, floored at 0. Both are estimated per
band of months ahead (1-3, 4-6, 7-12), because errors grow with the horizon, falling back to all leads while a
band has fewer than ``MIN_PAIRS`` pairs. The forecast is Gaussian in ``log1p``: mean ``m + b``, variance the
members' plus ``tau2``, returned as ``N_QUANTILES`` equally spaced quantiles (a sample that CRPS scores like
members). With fewer than ``MIN_PAIRS`` pairs in all (the first origins), the raw members are returned
unchanged.

**Blend** (``blend``): a linear pool of the calibrated ensemble and a baseline's paths, the weight on the model
the one of ``WEIGHTS`` that gave the lowest mean CRPS over the same training pairs (ties: the larger
weight); 0.5 before there are ``MIN_PAIRS`` pairs.

No file is read or written here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from scipy import stats

from sim.analysis.scores import crps_ensemble

MIN_PAIRS = 6  # fewer past forecast-observation pairs: too few to estimate a bias and a variance
TRAIN_MONTHS = 24  # only forecasts of the last two years' months teach: routes and the model's errors shift
N_QUANTILES = 99  # levels (i + 0.5) / 99 of the calibrated distribution, used as its sample
BANDS = ((1, 3), (4, 6), (7, 12))  # months ahead pooled to estimate one bias and variance
WEIGHTS = tuple(np.round(np.linspace(0.0, 1.0, 11), 2))  # candidate weights on the model in the blend
LEVELS = (np.arange(N_QUANTILES) + 0.5) / N_QUANTILES


def _month(d: dt.date, k: int) -> int:
    return d.year * 12 + d.month - 1 + k


def training_mask(origins: Sequence[dt.date], horizon: int, k: int) -> np.ndarray:
    """(origins, leads) True for the forecasts whose month was observed before origin ``k``, within the last
    ``TRAIN_MONTHS``: the pairs a forecaster at that origin could learn from."""
    now = _month(origins[k], 0)
    return np.array([[now - TRAIN_MONTHS <= _month(o, h) < now for h in range(horizon)] for o in origins])


def _band(lead: int) -> tuple[int, int]:
    return next(b for b in BANDS if b[0] <= lead <= b[1]) if lead <= BANDS[-1][1] else BANDS[-1]


def calibrate(members: np.ndarray, observed: np.ndarray, origins: Sequence[dt.date]) -> np.ndarray:
    """Calibrated forecasts (origins, samples, leads) of ``members`` (origins, members, leads) against
    ``observed`` (origins, leads; NaN: not observed), each origin learning only from earlier ones."""
    n_o, _, horizon = members.shape
    logm = np.log1p(np.maximum(members, 0.0))
    mean, var = np.nanmean(logm, axis=1), np.nanvar(logm, axis=1)  # origins, leads
    resid = np.log1p(np.maximum(observed, 0.0)) - mean
    out = np.full((n_o, N_QUANTILES, horizon), np.nan)
    z = stats.norm.ppf(LEVELS)
    for k in range(n_o):
        train = training_mask(origins, horizon, k) & np.isfinite(resid) & np.isfinite(mean)
        if train.sum() < MIN_PAIRS:
            take = np.linspace(0, members.shape[1] - 1, N_QUANTILES).round().astype(int)
            out[k] = np.sort(members[k], axis=0)[take]  # the raw members, resampled to the same size
            continue
        leads = np.broadcast_to(np.arange(1, horizon + 1), train.shape)
        for h in range(horizon):
            lo, hi = _band(h + 1)
            use = train & (leads >= lo) & (leads <= hi)
            if use.sum() < MIN_PAIRS:
                use = train
            r = resid[use]
            bias = float(r.mean())
            tau2 = max(0.0, float(np.mean((r - bias) ** 2) - var[use].mean()))
            sd = np.sqrt(var[k, h] + tau2)
            out[k, :, h] = np.maximum(np.expm1(mean[k, h] + bias + sd * z), 0.0)
    return out


def blend(model: np.ndarray, baseline: np.ndarray, observed: np.ndarray, origins: Sequence[dt.date],
          rng_seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The linear pool of ``model`` and ``baseline`` samples (origins, samples, leads) with the weight learned
    at each origin from earlier ones; returns the pooled samples and the weight used at each origin."""
    n_o, _, horizon = model.shape
    n = max(model.shape[1], baseline.shape[1])
    weights = np.full(n_o, 0.5)
    rng = np.random.default_rng(rng_seed)
    pick_m = rng.integers(0, model.shape[1], size=(n_o, n))
    pick_b = rng.integers(0, baseline.shape[1], size=(n_o, n))
    u = rng.random((n_o, n))
    scores = {}
    for w in WEIGHTS:
        pooled = _pool(model, baseline, pick_m, pick_b, u, w)
        scores[w] = crps_ensemble(pooled, observed, axis=1)  # origins, leads
    out = np.empty((n_o, n, horizon))
    for k in range(n_o):
        train = training_mask(origins, horizon, k) & np.isfinite(observed)
        if train.sum() >= MIN_PAIRS:
            mean = {w: float(np.nanmean(scores[w][train])) for w in WEIGHTS}
            best = min(mean.values())
            weights[k] = max(w for w in WEIGHTS if mean[w] <= best + 1e-12)
        out[k] = _pool(model[k:k + 1], baseline[k:k + 1], pick_m[k:k + 1], pick_b[k:k + 1], u[k:k + 1],
                       weights[k])[0]
    return out, weights


def _pool(model: np.ndarray, baseline: np.ndarray, pick_m: np.ndarray, pick_b: np.ndarray, u: np.ndarray,
          w: float) -> np.ndarray:
    """Samples of the mixture: each draw from the model with probability ``w``, else from the baseline (the
    same uniforms for every weight, so the weights are compared on common random numbers)."""
    rows = np.arange(model.shape[0])[:, None]
    from_model = model[rows, pick_m]  # origins, n, leads
    from_base = baseline[rows, pick_b]
    return np.where((u < w)[:, :, None], from_model, from_base)
