"""Calibration by least squares: the simulated method of moments with a trust-region optimiser.

The distance (the weighted mean squared log error of annual route totals, ``calibration_distance.distance``) is a
sum of squared residuals, one per route-year, so it can be minimised by a least-squares method that uses
how every route-year moves with every value: SciPy's trust-region reflective algorithm (``least_squares``,
method ``trf``, which keeps the values inside their bounds) with a forward-difference Jacobian. Every trial
uses the same seed (common random numbers), so the residuals move smoothly with the values, and a
Jacobian's trials (one per free value) run in parallel.

The optimiser works in the unit box: each free value is its prior range mapped to [0, 1] (on a log scale
for ``scale: log``). Uncertainty: the Gauss-Newton (Laplace) approximation at the best values, with the
residual variance estimated from the fit and the uniform prior's variance (1/12 in the unit box) as a
weak Gaussian prior, so a value the record does not inform keeps its prior spread instead of none:
covariance = (J'J / s2 + 12 I)^-1. Its draws, clipped to the box, are the samples the full-scale check and
the forecasts run with (the first sample is the best trial itself).

Resumable: every trial's residuals are stored in OUT/evaluations.db, keyed by its values. The optimiser is
deterministic, so a rerun replays the stored trials at no cost and goes on where it stopped (with the same
code: the store refuses a rerun whose scenario, scale, seed, grain, targets, period or ranges differ).
``trials`` is the budget of distinct trials: the fit stops when the next step or Jacobian would exceed it.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from pathlib import Path

import numpy as np
import xarray as xr
from scipy import optimize

from sim.analysis.calibration_distance import agent_cap, evaluate, sum_of_squares, trial_job
from sim.analysis.calibration_spec import CalibrationSpec
from sim.analysis.fit_output import split_values, write_fit
from sim.analysis.free_values import Bound
from sim.errors import InputError
from sim.run.executor import Executor

FD_STEP = 0.1  # forward-difference step in the unit box: a tenth of a prior range (38% of a level in [0.2, 5]),
# wide enough that a difference is the values' effect rather than the few agents whose draws flip
PRIOR_PRECISION = 12.0  # 1 / variance of a uniform on [0, 1]


class _OutOfBudget(Exception):
    """The next batch of trials would go past the spec's ``trials``."""


def to_unit(values: dict[str, float], bounds: dict[str, Bound]) -> np.ndarray:
    z = []
    for name, b in bounds.items():
        v = min(max(values[name], b.low), b.high)
        z.append(math.log(v / b.low) / math.log(b.high / b.low) if b.log else (v - b.low) / (b.high - b.low))
    return np.array(z)


def from_unit(z: np.ndarray, bounds: dict[str, Bound]) -> dict[str, float]:
    z = np.clip(z, 0.0, 1.0)
    return {name: float(b.low * (b.high / b.low) ** zi if b.log else b.low + zi * (b.high - b.low))
            for zi, (name, b) in zip(z, bounds.items(), strict=True)}


def point_key(z: np.ndarray) -> str:
    """A point of the unit box as the text it is stored under (rounded, so a replayed step finds its trial)."""
    return json.dumps([round(float(v), 12) for v in z])


class _Trials:
    """Residuals of each point of the unit box, computed once: stored in SQLite, run in parallel batches."""

    def __init__(self, spec: CalibrationSpec, out: Path, observed: xr.Dataset, years: list[int],
                 bounds: dict[str, Bound], ex: Executor, bar) -> None:  # noqa: ANN001 - a tqdm bar
        self.spec, self.observed, self.years, self.bounds, self.ex, self.bar = spec, observed, years, bounds, ex, bar
        self.db = sqlite3.connect(out / "evaluations.db")
        self.db.execute("CREATE TABLE IF NOT EXISTS trial (number INTEGER PRIMARY KEY, point TEXT UNIQUE, "
                        "residuals TEXT)")
        self.db.execute("CREATE TABLE IF NOT EXISTS setting (name TEXT PRIMARY KEY, value TEXT)")
        made_with = self.db.execute("SELECT value FROM setting WHERE name = 'fingerprint'").fetchone()
        mine = _fingerprint(spec, years, bounds)
        if made_with is None:
            self.db.execute("INSERT INTO setting VALUES ('fingerprint', ?)", (mine,))
        elif made_with[0] != mine:
            self.db.close()
            raise InputError(f"{out / 'evaluations.db'}: its trials were run with another scenario, scale, seed, "
                             "grain, targets, period or prior ranges; use a new --out or delete that file")
        self.db.commit()
        self.jacobians: dict[str, np.ndarray] = {}
        self.last_jacobian: np.ndarray | None = None
        self.cap = agent_cap(spec)

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM trial").fetchone()[0]

    def residuals(self, points: list[np.ndarray]) -> list[np.ndarray]:
        keys = [point_key(z) for z in points]
        found = {}
        for k in set(keys):
            row = self.db.execute("SELECT residuals FROM trial WHERE point = ?", (k,)).fetchone()
            if row:
                found[k] = np.array(json.loads(row[0]))
        new = list(dict.fromkeys(k for k in keys if k not in found))
        if new:
            if self.count() + len(new) > self.spec.trials:
                raise _OutOfBudget
            jobs = [trial_job(self.spec, from_unit(np.array(json.loads(k)), self.bounds), self.years, self.observed,
                              self.cap) for k in new]
            for i, r in self.ex.run(evaluate, jobs):
                found[new[i]] = r
            for k in new:  # stored in the order asked, so trial numbers do not depend on which finished first
                self.db.execute("INSERT INTO trial (point, residuals) VALUES (?, ?)",
                                (k, json.dumps([float(v) for v in found[k]])))
            self.db.commit()
            self.bar.update(len(new))
        return [found[k] for k in keys]

    def fun(self, z: np.ndarray) -> np.ndarray:
        r = self.residuals([z])[0]
        _finite(r, self.spec)
        if len(r) == 0:
            raise InputError(f"{self.spec.source}: targets: the record has no value for any target in the fitting "
                             f"period {self.years[0] if self.years else '-'}-{self.years[-1] if self.years else '-'}")
        return r

    def jac(self, z: np.ndarray) -> np.ndarray:
        """Forward differences, stepping inwards at an upper bound; the trials of one Jacobian run together."""
        steps = np.where(z + FD_STEP <= 1.0, FD_STEP, -FD_STEP)
        points = [z] + [z + np.eye(len(z))[i] * steps[i] for i in range(len(z))]
        r0, *rs = self.residuals(points)
        for r in (r0, *rs):
            _finite(r, self.spec)
        jac = np.column_stack([(r - r0) / h for r, h in zip(rs, steps, strict=True)])
        self.jacobians[point_key(z)] = jac
        self.last_jacobian = jac
        return jac

    def best_point(self) -> np.ndarray:
        return min(self.all(), key=lambda t: sum_of_squares(t[2]))[1]

    def all(self) -> list[tuple[int, np.ndarray, np.ndarray]]:
        rows = self.db.execute("SELECT number, point, residuals FROM trial ORDER BY number").fetchall()
        return [(n - 1, np.array(json.loads(p)), np.array(json.loads(r))) for n, p, r in rows]


def _finite(r: np.ndarray, spec: CalibrationSpec) -> None:
    """A failed trial (its population passed the live-agent cap, ``calibration_distance.evaluate``) has no
    residuals to step on: least squares cannot go on from it."""
    if not np.all(np.isfinite(r)):
        raise InputError(f"{spec.source}: a trial's simulated population passed the live-agent cap "
                         f"(calibration_distance.TRIAL_AGENT_CAP); narrow the priors or start nearer a fit")


def _fingerprint(spec: CalibrationSpec, years: list[int], bounds: dict[str, Bound]) -> str:
    """What the stored residuals depend on besides the code: a resume with other settings must not reuse them."""
    what = repr((spec.scenario, spec.targets, years, bounds, spec.agents_per_person, spec.replicates, spec.seed,
                 spec.grain_agents))
    return hashlib.sha256(what.encode()).hexdigest()


def fit_least_squares(spec: CalibrationSpec, out: Path, observed: xr.Dataset, years: list[int],
                      start: dict[str, float] | None, ex: Executor, progress: bool) -> dict:
    """Run (or resume) the trust-region fit from ``start`` (the box's centre when None); write the fit."""
    from tqdm import tqdm

    bounds = {**spec.parameters, **{f"iv:{k}": b for k, b in spec.interventions.items()}}
    z0 = to_unit(start, bounds) if start is not None else np.full(len(bounds), 0.5)
    bar = tqdm(total=spec.trials, unit="trial", desc="calibrating", disable=not progress)
    trials = _Trials(spec, out, observed, years, bounds, ex, bar)
    stopped_by = "converged"
    try:
        while True:  # restart from the best trial so far (a Jacobian's trial may beat the optimiser's point)
            result = optimize.least_squares(trials.fun, z0, jac=trials.jac, bounds=(0.0, 1.0), method="trf",
                                            x_scale=1.0, ftol=1e-3, xtol=1e-3, gtol=1e-6, max_nfev=10_000)
            stopped_by = f"converged ({result.message})"
            best = trials.best_point()
            if point_key(best) == point_key(z0) or point_key(best) == point_key(result.x):
                break
            z0 = best
    except _OutOfBudget:
        stopped_by = f"the trial budget ({spec.trials})"
    except InputError:
        trials.db.close()  # so that the caller can remove a store this run created
        raise
    finally:
        bar.close()
    done = trials.all()
    trials.db.close()
    if not done:
        raise InputError(f"{out}: no completed trials (trials: {spec.trials} is less than one trial)")
    evaluated = [(n, sum_of_squares(r), from_unit(z, bounds)) for n, z, r in done]
    n_best = min(range(len(done)), key=lambda i: evaluated[i][1])
    _, z_best, r_best = done[n_best]
    jac = trials.jacobians.get(point_key(z_best), trials.last_jacobian)
    n_samples = max(5, int(round(spec.accept_fraction * len(done))))
    samples, spread = _laplace_samples(z_best, r_best, jac, bounds, n_samples, spec.seed)
    samples[0]["distance"] = evaluated[n_best][1]
    method = ("simulated method of moments (weighted mean squared log error of annual route totals), SciPy "
              "least_squares (trust-region reflective, forward-difference Jacobian in the unit box of the "
              "priors); samples = the best trial, then draws from the Gauss-Newton approximation at it with "
              "the uniform priors' variance as a weak Gaussian prior (approximate)")
    return write_fit(spec, out, evaluated, samples, method, stopped_by=stopped_by,
                     jacobian_at_best=bool(point_key(z_best) in trials.jacobians), uncertainty=spread)


def _laplace_samples(z: np.ndarray, r: np.ndarray, jac: np.ndarray | None, bounds: dict[str, Bound], n: int,
                     seed: int) -> tuple[list[dict], dict]:
    """The best values, then n - 1 draws from N(z, (J'J / s2 + 12 I)^-1) clipped to the box; and each
    value's 5-95% range under that approximation (from 4,000 draws), in its own units."""
    k = len(z)
    if jac is None:  # no Jacobian was computed (a budget of one trial): the prior alone
        precision = PRIOR_PRECISION * np.eye(k)
    else:
        s2 = float(r @ r) / max(len(r) - k, 1)
        precision = jac.T @ jac / max(s2, 1e-12) + PRIOR_PRECISION * np.eye(k)
    cov = np.linalg.inv(precision)
    rng = np.random.default_rng(seed)
    draws = rng.multivariate_normal(z, cov, size=4000, method="eigh")
    values = np.array([[v for v in from_unit(d, bounds).values()] for d in draws])
    spread = split_values({name: 0.0 for name in bounds})
    for i, name in enumerate(bounds):
        block, key = ("interventions", name[3:]) if name.startswith("iv:") else ("parameters", name)
        spread[block][key] = {"p05": float(np.quantile(values[:, i], 0.05)),
                              "p95": float(np.quantile(values[:, i], 0.95)), "sd_unit_box": float(math.sqrt(cov[i, i]))}
    samples = [split_values(from_unit(z, bounds))] + [split_values(from_unit(d, bounds)) for d in draws[:n - 1]]
    return samples, spread
