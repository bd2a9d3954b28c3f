"""Origin-pressure drivers: their history under a scenario, and their projection past a forecast origin.

In the model, how many people set out from each origin each month is ``aspirants_per_month`` times a
pressure multiplier, which the scenario carries as dated ``origin_pressure`` entries (a fitted constant
level per origin, and the record's displacement shocks). A forecast cannot know next year's shocks, so
past the forecast origin the multiplier follows a statistical model fitted to its own history:

    log pressure_t = level_t,   level_t = level_(t-1) + eta_t,   eta_t ~ N(0, sigma^2)

a random walk in logs (statsmodels ``UnobservedComponents``, ``"random walk"``), fitted by maximum
likelihood to each origin's monthly history up to the forecast origin, and simulated forward from the
last month. The innovation variance is pooled over origins (the mean of the per-origin estimates): in the
record only Syria and Afghanistan had a shock before 2016, but the next shock can come from anywhere
(Sudan 2023, Tunisia 2023), so every origin gets the same spread. The median path stays at today's
pressure; the spread widens with the horizon (about x/÷2.2 at 12 months, 90%, on the 2014-2024
baseline). An origin with no change at all counts with ``SIGMA_FLOOR`` (an assumption: 2% a month).
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np

from sim import interventions as iv
from sim.core.levers import Levers
from sim.core.network import Network

SIGMA_FLOOR = 0.02  # assumption: smallest monthly s.d. of log pressure (no origin's future is certain)
MIN_HISTORY_MONTHS = 24


def month_add(d: dt.date, months: int) -> dt.date:
    k = d.year * 12 + d.month - 1 + months
    return dt.date(k // 12, k % 12 + 1, 1)


def pressure_history(specs: tuple[iv.InterventionSpec, ...], net: Network, months: list[dt.date]) -> np.ndarray:
    """The pressure multiplier per month (mid-month) and origin, from the scenario's origin_pressure entries."""
    drivers = [iv.make(s, net) for s in specs if s.type == "origin_pressure"]
    levers = Levers(net)
    out = np.ones((len(months), len(net.origins)))
    for k, month in enumerate(months):
        levers.reset()
        mid = month.replace(day=15)
        for d in drivers:
            frac = d.active_fraction(mid)
            if frac > 0:
                d.apply(levers, frac)
        out[k] = levers.pressure_mult
    return out


def driver_sigma(history: np.ndarray) -> float:
    """Monthly s.d. of the log pressure's random walk, pooled over origins (columns of ``history``)."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    if len(history) < MIN_HISTORY_MONTHS:
        raise ValueError(f"the driver model needs at least {MIN_HISTORY_MONTHS} months of history")
    sigma = np.full(history.shape[1], SIGMA_FLOOR)
    for j in range(history.shape[1]):
        y = np.log(np.maximum(history[:, j], 1e-9))
        if np.ptp(y) < 1e-12:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter on step-shaped series
            res = UnobservedComponents(y, level="random walk").fit(disp=False)
        sigma[j] = max(SIGMA_FLOOR, float(np.sqrt(res.params[0])))
    return float(np.sqrt(np.mean(sigma**2)))


def project(last: np.ndarray, sigma: float, horizon: int, rng: np.random.Generator) -> np.ndarray:
    """One simulated path (horizon x origins) of the pressure multiplier from its last value."""
    steps = rng.standard_normal((horizon, len(last))) * sigma
    return last * np.exp(np.cumsum(steps, axis=0))
