"""Probabilistic forecasts: an ensemble run forward from the calibrated state at a forecast origin.

An ensemble member is one posterior draw of the calibrated parameters (the ``samples`` of the
scenario's calibration file, taken in order and recycled), one stochastic replicate and one projected
path of the origin-pressure drivers (:mod:`sim.forecast.drivers`). Each member simulates the record from the
scenario's start to the forecast origin (observed policy history, fitted shock strengths), then runs
``horizon`` months with the drivers projected; policy entries dated after the origin stay, as scenario
inputs. Several scenarios share members (same draws, replicates and driver shocks): their differences
are the interventions', as in ``routesim compare``.

Several origins can fork one member's run: the history is simulated once, the model is copied at each
origin and the copy runs the horizon with projected drivers, while the original carries on under the
record to the next origin. A forecast made at an origin sees the demand series published by then
(``drivers_as_of``); the backtest, whose origins each see another vintage, runs every origin on its own
(:mod:`sim.forecast.backtest`).

Nothing here reads or writes files: :mod:`sim.forecast.output` builds the Dataset and writes it.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.analysis.free_values import apply
from sim.core import ModelConfig, RouteModel
from sim.errors import InputError
from sim.forecast import drivers
from sim.io.network_files import load_network
from sim.io.results import VARIABLES as RESULT_VARIABLES
from sim.io.scenario import Scenario, load_fitted
from sim.io.state import JobStore, fingerprint, scenario_fingerprint
from sim.run.executor import run_jobs

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
# the forecast variables, in output order, described as in the results contract: (long_name, units, cell_methods)
VARIABLES: dict[str, tuple[str, str, str]] = {name: RESULT_VARIABLES[name] for name in (
    "crossing_attempts", "arrivals", "dead_missing", "dead_missing_sea", "deaths_per_1000_attempts",
    "interceptions", "returns", "rescued", "stranded", "legal_entries", "smuggler_revenue")}


@dataclass(frozen=True)
class MemberTask:
    """One ensemble member of one scenario: what a worker needs, and nothing it must send back."""

    config: ModelConfig
    replicate: int
    origins: tuple[dt.date, ...]
    horizon: int
    paths: tuple[np.ndarray, ...]  # per origin: projected pressure, horizon x origins
    key: str = ""  # fingerprint of everything the member's forecasts depend on (sim.io.state)


@dataclass(frozen=True)
class Member:
    draw: int  # index along the output's draw dimension
    sample: int  # posterior sample (row of the calibration file's samples)
    replicate: int  # stochastic replicate (streams are independent across members)


def run_member(task: MemberTask) -> np.ndarray:
    """The member's forecasts: (origins, variables, horizon, routes)."""
    model = RouteModel(task.config, task.replicate)
    n_r = len(task.config.net.routes)
    out = np.zeros((len(task.origins), len(VARIABLES), task.horizon, n_r))
    tallies = model.world.tallies
    crossing_route = task.config.net.edge_route[tallies.crossing_edges]
    for k, (origin, path) in enumerate(zip(task.origins, task.paths, strict=True)):
        model.run_until(origin)
        fork = copy.deepcopy(model) if k < len(task.origins) - 1 else model
        fork.project_drivers(origin, path)
        fork.run_until(drivers.month_add(origin, task.horizon))
        m0 = fork.month_index(origin)
        tallies = fork.world.tallies
        window = slice(m0, m0 + task.horizon)
        for j, name in enumerate(VARIABLES):
            if name == "deaths_per_1000_attempts":
                dead = np.zeros((task.horizon, n_r))
                by_edge = tallies.by_crossing["dead_missing"][window][:, tallies.crossing_edges]
                for c, r in enumerate(crossing_route):
                    dead[:, r] += by_edge[:, c]
                attempts = tallies.route["crossing_attempts"][window]
                with np.errstate(invalid="ignore", divide="ignore"):
                    out[k, j] = np.where(attempts > 0, 1000 * dead / attempts, np.nan)
            else:
                out[k, j] = tallies.route[name][window]
    return out


def posterior_samples(scn: Scenario) -> list[tuple[dict[str, float], dict[str, float]]]:
    """(parameters, intervention strengths) of each posterior sample in the scenario's calibration file;
    one empty pair (the scenario as written) when it has none."""
    if scn.calibration is None:
        return [({}, {})]

    def fail(msg: str) -> InputError:
        return InputError(f"{scn.source}: calibration: {msg}")

    doc = load_fitted(scn.calibration, fail)  # the file, with its point estimate validated
    samples = doc.get("samples") or [{"parameters": doc.get("parameters", {}),
                                      "interventions": doc.get("interventions", {})}]
    out = []
    ids = {s.id for s in scn.interventions}
    for i, s in enumerate(samples):
        if not isinstance(s, dict):
            raise fail(f"{scn.calibration}: samples[{i}] is not a mapping")
        params = {k: float(v) for k, v in (s.get("parameters") or {}).items()}
        strengths = {k: float(v) for k, v in (s.get("interventions") or {}).items() if k in ids}
        out.append((params, strengths))
    return out


def forecast_end(origins: tuple[dt.date, ...], horizon: int) -> dt.date:
    return drivers.month_add(max(origins), horizon) - dt.timedelta(days=1)


def check_origins(scn: Scenario, origins: tuple[dt.date, ...], horizon: int) -> None:
    if not 1 <= horizon <= 60:
        raise InputError(f"--horizon: {horizon} months is outside 1-60")
    earliest = drivers.month_add(scn.period_start, drivers.MIN_HISTORY_MONTHS)
    for o in origins:
        if o < earliest:
            raise InputError(f"--from: {o:%Y-%m} leaves less than {drivers.MIN_HISTORY_MONTHS} months of history "
                             f"after the scenario's start {scn.period_start:%Y-%m} (earliest {earliest:%Y-%m})")


def member_plan(draws: int, replicates: int, n_samples: int) -> list[Member]:
    return [Member(d * replicates + r, d % n_samples, d * replicates + r)
            for d in range(draws) for r in range(replicates)]


def build_tasks(scn: Scenario, members: list[Member], origins: tuple[dt.date, ...], horizon: int,
                agents_per_person: float, seed: int, drivers_as_of: dt.date | None = None,
                ) -> tuple[list[MemberTask], list[float]]:
    """One task per member, with its posterior draw applied and its driver paths drawn. With ``drivers_as_of``
    the demand series are those published by then, held at their last value (``build_config``).

    Driver paths: the sigma of each origin date's random walk is fitted once, to the point estimate's
    pressure history; a member's path starts from its own draw's last value and uses random shocks keyed
    by (seed, member, origin month), so every scenario, and every backtest, sees the same shocks.
    """
    samples = posterior_samples(scn)
    net = load_network(scn.network)
    end = forecast_end(origins, horizon)
    sigma = {}
    for o in origins:
        months = [drivers.month_add(scn.period_start, k)
                  for k in range((o.year - scn.period_start.year) * 12 + o.month - scn.period_start.month)]
        sigma[o] = drivers.driver_sigma(drivers.pressure_history(scn.interventions, net, months))
    from sim.run import build_config

    base = scenario_fingerprint(scn)
    tasks = []
    for m in members:
        params, strengths = samples[m.sample]
        s = apply(scn, params, strengths, agents_per_person=agents_per_person, period_end=end)
        config = build_config(s, seed, drivers_as_of=drivers_as_of)
        paths = []
        for o in origins:
            last = drivers.pressure_history(s.interventions, net, [drivers.month_add(o, -1)])[0]
            rng = np.random.default_rng([seed, m.draw, o.year * 12 + o.month - 1, 0x5EED])
            paths.append(drivers.project(last, sigma[o], horizon, rng))
        key = fingerprint("member", tuple(VARIABLES), base, s.to_yaml(), seed, m.replicate, origins, horizon,
                          drivers_as_of, *paths)
        tasks.append(MemberTask(config, m.replicate, origins, horizon, tuple(paths), key))
    return tasks, [sigma[o] for o in origins]


@dataclass
class Ensemble:
    """Raw forecasts: values[scenario, draw, origin, variable, month, route]."""

    scenarios: list[Scenario]
    members: list[Member]
    origins: tuple[dt.date, ...]
    horizon: int
    routes: list[str]
    values: np.ndarray
    agents_per_person: float
    seed: int
    sigma: list[float]  # per origin: the driver model's monthly s.d. of log pressure (reference scenario)


def run_ensemble(scenarios: list[Scenario], origins: tuple[dt.date, ...], horizon: int, draws: int,
                 replicates: int, agents_per_person: float | None = None, seed: int | None = None,
                 workers: int = 1, engine: str = "auto", scheduler: str | None = None,
                 progress: bool = False, store: JobStore | None = None,
                 drivers_as_of: dt.date | None = None) -> Ensemble:
    """Every member of every scenario, run where the engine puts them; results are written into the
    ensemble array as each member finishes. With a ``store``, members it holds are read from it and each
    member run is kept in it as it finishes. ``drivers_as_of``: see :func:`build_tasks`."""
    ref = scenarios[0]
    for s in scenarios:
        check_origins(s, origins, horizon)
    app = ref.agents_per_person if agents_per_person is None else agents_per_person
    seed = ref.seed if seed is None else seed
    members = member_plan(draws, replicates, len(posterior_samples(ref)))
    tasks, where, sigma = [], [], []
    for i, s in enumerate(scenarios):
        built, sig = build_tasks(s, members, origins, horizon, app, seed, drivers_as_of)
        sigma = sigma or sig
        tasks += built
        where += [i] * len(built)
    net = load_network(ref.network)
    values = np.full((len(scenarios), len(members), len(origins), len(VARIABLES), horizon, len(net.routes)),
                     np.nan)
    for k, result in enumerate(run_tasks(tasks, workers, engine, scheduler, progress, store)):
        values[where[k], k % len(members)] = result
    return Ensemble(scenarios, members, origins, horizon, list(net.routes), values, app, seed, sigma)


def run_tasks(tasks: list[MemberTask], workers: int = 1, engine: str = "auto", scheduler: str | None = None,
              progress: bool = False, store: JobStore | None = None) -> list[np.ndarray]:
    """Every task's forecasts (:func:`run_member`), in task order; with a ``store``, those it holds are read and
    each one run is kept in it as it finishes."""
    out: list[np.ndarray | None] = [None] * len(tasks)
    todo = []
    for k, task in enumerate(tasks):
        found = store.get(task.key) if store is not None else None
        if found is None:
            todo.append(k)
        else:
            out[k] = found["member"]
    if todo:
        for j, result in run_jobs(run_member, [tasks[k] for k in todo], workers=workers, engine=engine,
                                  scheduler=scheduler, progress=progress, desc="forecast members"):
            out[todo[j]] = result
            if store is not None:
                store.put(tasks[todo[j]].key, {"member": result})
    return out
