"""Calibration with Optuna's multivariate TPE sampler (``method: tpe``).

Trials are stored in an SQLite file in the output folder, so an interrupted calibration resumes where it
stopped; they are asked in batches and run in parallel. The fitted parameters are the best trial; the
approximate posterior is the set of trials within the best ``accept_fraction`` of distances (an ABC-style
acceptance region over the optimiser's trials, not an exact Bayesian posterior).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import xarray as xr

from sim.analysis.calibration_distance import agent_cap, evaluate, sum_of_squares, trial_job
from sim.analysis.calibration_spec import CalibrationSpec
from sim.analysis.fit_output import split_values, write_fit
from sim.analysis.free_values import Bound
from sim.errors import InputError
from sim.run.executor import Executor


def fit_tpe(spec: CalibrationSpec, out: Path, observed: xr.Dataset, years: list[int], start: dict | None,
             ex: Executor, progress: bool) -> dict:
    """Optuna's multivariate TPE, trials asked in batches of ``spec.workers``, stored in OUT/trials.db."""
    import optuna
    from tqdm import tqdm

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)  # multivariate TPE
    storage = f"sqlite:///{(out / 'trials.db').resolve()}"
    n_free = len(spec.parameters) + len(spec.interventions)
    sampler = optuna.samplers.TPESampler(seed=spec.seed, multivariate=True, n_startup_trials=min(30, 4 * n_free))
    study = optuna.create_study(study_name=spec.name, storage=storage, sampler=sampler, load_if_exists=True,
                                direction="minimize")
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL)  # interrupted last time: ask again
    dists = {name: _distribution(b) for name, b in spec.parameters.items()}
    dists.update({f"iv:{name}": _distribution(b) for name, b in spec.interventions.items()})
    if not study.trials and start is not None:
        study.enqueue_trial(start)  # a warm start: the scenario as it stands (e.g. the last fit)
    done = len([t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE])
    bar = tqdm(total=spec.trials, initial=done, unit="trial", desc="calibrating", disable=not progress)
    cap = agent_cap(spec)
    while done < spec.trials:
        batch = [study.ask(dists) for _ in range(min(spec.workers, spec.trials - done))]
        jobs = [trial_job(spec, t.params, years, observed, cap) for t in batch]
        values = {i: sum_of_squares(r) for i, r in ex.run(evaluate, jobs)}
        for trial, value in zip(batch, (values[i] for i in range(len(batch))), strict=True):
            study.tell(trial, value if math.isfinite(value) else None,
                       state=None if math.isfinite(value) else optuna.trial.TrialState.FAIL)
        done += len(batch)
        bar.update(len(batch))
    bar.close()
    return summarise(spec, study, out)


def _distribution(b: Bound):  # noqa: ANN202
    import optuna

    return optuna.distributions.FloatDistribution(b.low, b.high, log=b.log)


def summarise(spec: CalibrationSpec, study, out: Path) -> dict:  # noqa: ANN001
    """TPE's fit: the best trial, and as samples the trials within the best ``accept_fraction``."""
    import optuna

    trials = sorted((t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE),
                    key=lambda t: t.value)
    if not trials:
        raise InputError(f"{out}: no completed trials")
    n_accept = max(5, int(round(spec.accept_fraction * len(trials))))
    return write_fit(spec, out, [(t.number, float(t.value), t.params) for t in trials],
                     [{**split_values(t.params), "distance": float(t.value)} for t in trials[:n_accept]],
                     "simulated method of moments (weighted mean squared log error of annual route totals), "
                     "Optuna TPE optimiser; samples = trials within the best accept_fraction of distances "
                     "(ABC-style acceptance region, approximate)")
