"""Post-processing that learns only from the past: the model ensemble's level and spread corrected, and a blend
with statistical baselines, each estimated at every forecast origin from the forecasts of earlier origins
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

**Blend** (``blend``): a linear pool of the calibrated ensemble and the baselines' paths (ETS and seasonal
ARIMA in the backtest), with the weights on a grid of ``WEIGHT_STEP`` that gave the lowest mean CRPS over the
same training pairs (ties: the most weight on the model); equal weights before there are ``MIN_PAIRS`` pairs.

Both learn only from origins whose parameters came from the same fit (``groups``): after a new fit is adopted,
errors of forecasts made with the old one would correct the wrong bias, so the first origins of a new fit
fall back to the raw members and equal weights.

No file is read or written here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

import numpy as np
from scipy import stats

from sim.analysis.scores import crps_ensemble

MIN_PAIRS = 6  # fewer past forecast-observation pairs: too few to estimate a bias and a variance
TRAIN_MONTHS = 24  # only forecasts of the last two years' months teach: routes and the model's errors shift
N_QUANTILES = 99  # levels (i + 0.5) / 99 of the calibrated distribution, used as its sample
BANDS = ((1, 3), (4, 6), (7, 12))  # months ahead pooled to estimate one bias and variance
WEIGHT_STEP = 0.1  # the blend's weights are chosen on a grid of this step
LEVELS = (np.arange(N_QUANTILES) + 0.5) / N_QUANTILES


def _month(d: dt.date, k: int) -> int:
    return d.year * 12 + d.month - 1 + k


def training_mask(origins: Sequence[dt.date], horizon: int, k: int, groups: Sequence | None = None) -> np.ndarray:
    """(origins, leads) True for the forecasts whose month was observed before origin ``k``, within the last
    ``TRAIN_MONTHS``: the pairs a forecaster at that origin could learn from. With ``groups`` (one label per
    origin: the fit its parameters came from), only the origins of ``k``'s group: errors learned under other
    parameters say little about these."""
    now = _month(origins[k], 0)
    mask = np.array([[now - TRAIN_MONTHS <= _month(o, h) < now for h in range(horizon)] for o in origins])
    if groups is not None:
        mask &= (np.asarray(groups, dtype=object) == groups[k])[:, None]
    return mask


def _band(lead: int) -> tuple[int, int]:
    return next(b for b in BANDS if b[0] <= lead <= b[1]) if lead <= BANDS[-1][1] else BANDS[-1]


def calibrate(members: np.ndarray, observed: np.ndarray, origins: Sequence[dt.date],
              groups: Sequence | None = None) -> np.ndarray:
    """Calibrated forecasts (origins, samples, leads) of ``members`` (origins, members, leads) against
    ``observed`` (origins, leads; NaN: not observed), each origin learning only from earlier ones (of its own
    group, see :func:`training_mask`)."""
    n_o, _, horizon = members.shape
    logm = np.log1p(np.maximum(members, 0.0))
    mean, var = np.nanmean(logm, axis=1), np.nanvar(logm, axis=1)  # origins, leads
    resid = np.log1p(np.maximum(observed, 0.0)) - mean
    out = np.full((n_o, N_QUANTILES, horizon), np.nan)
    z = stats.norm.ppf(LEVELS)
    leads = np.broadcast_to(np.arange(1, horizon + 1), resid.shape)
    for k in range(n_o):
        train = training_mask(origins, horizon, k, groups) & np.isfinite(resid) & np.isfinite(mean)
        if train.sum() < MIN_PAIRS:
            take = np.linspace(0, members.shape[1] - 1, N_QUANTILES).round().astype(int)
            out[k] = np.sort(members[k], axis=0)[take]  # the raw members, resampled to the same size
            continue
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


def weight_grid(n: int, step: float = WEIGHT_STEP) -> np.ndarray:
    """Every weight vector over ``n`` forecasts on a grid of ``step`` (rows sum to 1)."""
    k = round(1 / step)
    rows = [c for c in itertools.product(range(k + 1), repeat=n) if sum(c) == k]
    return np.array(rows, dtype=float) / k


def blend(model: np.ndarray, baselines: Sequence[np.ndarray], observed: np.ndarray, origins: Sequence[dt.date],
          groups: Sequence | None = None, rng_seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The linear pool of ``model`` and ``baselines`` samples (each origins, samples, leads) with the weights
    learned at each origin from earlier ones (of its group): the grid point with the lowest mean CRPS over the
    training pairs (ties: the most weight on the model), equal weights before there are ``MIN_PAIRS`` pairs.
    Returns the pooled samples and the weights used (origins, 1 + baselines)."""
    parts = [model, *baselines]
    n_o, _, horizon = model.shape
    n = max(p.shape[1] for p in parts)
    rng = np.random.default_rng(rng_seed)
    picks = [rng.integers(0, p.shape[1], size=(n_o, n)) for p in parts]
    u = rng.random((n_o, n))
    grid = weight_grid(len(parts))
    grid = grid[np.lexsort((-grid[:, 0],))]  # most weight on the model first, so a tie keeps it
    scores = np.stack([crps_ensemble(_pool(parts, picks, u, w), observed, axis=1) for w in grid])  # grid, o, lead
    weights = np.full((n_o, len(parts)), 1.0 / len(parts))
    for k in range(n_o):
        train = training_mask(origins, horizon, k, groups) & np.isfinite(observed)
        if train.sum() >= MIN_PAIRS:
            weights[k] = grid[int(np.argmin(np.nanmean(scores[:, train], axis=1)))]
    out = np.concatenate([_pool(parts, picks, u, weights[k], k) for k in range(n_o)])
    return out, weights


def _pool(parts: list[np.ndarray], picks: list[np.ndarray], u: np.ndarray, w: np.ndarray,
          k: int | None = None) -> np.ndarray:
    """Samples of the mixture with weights ``w`` (of all origins, or of origin ``k`` alone): each draw comes
    from the part its uniform falls in, the same uniforms for every weight vector (common random numbers)."""
    rows = np.arange(u.shape[0])[:, None] if k is None else np.array([[k]])
    uu = u if k is None else u[k:k + 1]
    which = np.searchsorted(np.cumsum(w)[:-1], uu, side="right")  # origins, draws: index of the part
    out = np.zeros((len(rows), u.shape[1], parts[0].shape[2]))
    for i, (part, pick) in enumerate(zip(parts, picks, strict=True)):
        chosen = part[rows, pick[rows[:, 0]]]
        out = np.where((which == i)[:, :, None], chosen, out)
    return out
