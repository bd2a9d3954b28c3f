"""Global sensitivity analysis: which uncertain assumptions drive which headline outputs.

Most behavioural parameters in :mod:`sim.core.parameters` are labelled assumptions, and the calibration fits
only a few of them, so a reader of any scenario comparison needs to know which of the others the answer
hangs on: does the number of dead and missing depend mainly on how lethal an unrescued wreck is
(``wreck_mortality``), on how often flimsy boats get into distress, or on how migrants weigh risk when
choosing a route (``beta_risk``)? Do arrivals depend on how fast aspirants set out (``departure_rate``)
or on how fast smugglers replace arrested members (``recruit_days``)? This module answers that by
screening: it ranks the inputs named in a spec file by their influence on each headline output over a
period (totals summed over routes; stocks such as ``stranded`` averaged over months).

The method is Morris elementary effects (Morris 1991) as implemented by SALib: ``r`` random one-at-a-time
trajectories through a grid of ``levels`` values per input, so ``k`` inputs cost only ``r * (k + 1)``
sample points (each run ``replicates`` times), against thousands for variance-based (Sobol) indices.
The importance measure is ``mu_star``, the mean absolute elementary effect (Campolongo, Cariboni &
Saltelli 2007, Environmental Modelling & Software 22:1509-1518), which is not fooled by effects of
opposite sign; ``mu`` (signed mean) gives the direction and ``sigma`` flags non-linearity or
interactions. Inputs are sampled on the unit interval and mapped to each input's range (linear, or log
for ``scale: log``), so an elementary effect is in the output's own units and reads as "the change in the
output when the input moves across its whole range". Morris ranks inputs; it does not apportion the
output's variance among them.

Every sample point uses the same seed (common random numbers), so differences between points are the
inputs', not noise, and an input the outputs cannot depend on gets ``mu_star`` exactly 0. Identical
sample points (Morris trajectories can revisit a grid point) are run once. Sample points run in parallel
worker processes; the outputs are written atomically (a temporary sibling folder, then a rename).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from fractions import Fraction
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sim import interventions as iv
from sim.analysis.free_values import Bound, apply, parameter_ranges, period_within, read_bounds
from sim.core.parameters import PARAMETERS
from sim.errors import InputError
from sim.io.network_files import load_network
from sim.io.outputs import atomic_folder
from sim.io.scenario import Scenario, load_scenario
from sim.io.yamlfile import read_mapping

SPEC_KEYS = {"name", "scenario", "period", "method", "trajectories", "levels", "agents_per_person",
             "replicates", "seed", "workers", "parameters", "interventions", "outputs"}
METHODS = ("morris",)

# headline output: (title, units, how it is aggregated over the period, short form for plots)
OUTPUTS: dict[str, tuple[str, str, str, str]] = {
    "crossing_attempts": ("Crossing attempts", "persons", "total over the period", "total"),
    "arrivals": ("Irregular arrivals", "persons", "total over the period", "total"),
    "dead_missing": ("Dead and missing (land and sea)", "persons", "total over the period", "total"),
    "deaths_per_1000_attempts": ("Deaths per 1,000 crossing attempts", "per 1,000 attempts",
                                 "dead and missing at border crossings over attempts, whole period", "whole period"),
    "interceptions": ("Interceptions", "persons", "total over the period", "total"),
    "stranded": ("Stranded in transit", "persons", "mean of month-end stocks", "mean of month ends"),
    "smuggler_revenue": ("Smugglers' revenue", "EUR", "total over the period", "total"),
    "legal_entries": ("Entries through legal pathways", "persons", "total over the period", "total"),
}
FLOWS = ("crossing_attempts", "arrivals", "dead_missing", "interceptions", "smuggler_revenue", "legal_entries")


@dataclass(frozen=True)
class SensitivitySpec:
    name: str
    scenario: Scenario
    start: dt.date  # first day of the analysed period (a month start)
    end: dt.date  # last day of the analysed period
    parameters: dict[str, Bound]
    interventions: dict[str, Bound]  # scenario entry id -> range of its strength
    outputs: tuple[str, ...] = tuple(OUTPUTS)
    method: str = "morris"
    trajectories: int = 10
    levels: int = 4
    agents_per_person: float = 0.01
    replicates: int = 1
    seed: int = 7
    workers: int = 2
    source: Path | None = None
    text: str = field(default="", repr=False)  # the spec file as read, copied to OUT/spec.yaml

    @property
    def inputs(self) -> list[str]:
        """Input names in sample-column order: parameters, then intervention strengths as ``iv:<id>``."""
        return list(self.parameters) + [f"iv:{k}" for k in self.interventions]

    def bound(self, name: str) -> Bound:
        return self.interventions[name[3:]] if name.startswith("iv:") else self.parameters[name]


def load_sensitivity_spec(path: str | Path) -> SensitivitySpec:
    """Read and validate a sensitivity spec; every problem is one InputError naming file and field."""
    path = Path(path)
    allowed = ", ".join(sorted(SPEC_KEYS))
    doc, _ = read_mapping(path, "sensitivity spec", allowed)

    def fail(fld: str, msg: str) -> InputError:
        return InputError(f"{path}: {fld}: {msg}")

    for key in doc:
        if key not in SPEC_KEYS:
            raise fail(str(key), f"unknown key; allowed: {allowed}")
    for key in ("name", "scenario", "parameters"):
        if key not in doc:
            raise fail(key, "required")
    name = doc["name"]
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise fail("name", "letters, digits, _ and - only")
    method = doc.get("method", "morris")
    if method not in METHODS:
        raise fail("method", f"'{method}' is not one of {', '.join(METHODS)}")
    if not isinstance(doc["scenario"], str):
        raise fail("scenario", "expected a scenario file path")
    try:
        scenario = load_scenario((path.parent / doc["scenario"]).resolve())
    except InputError as exc:
        raise fail("scenario", str(exc)) from None

    start, end = period_within(doc.get("period"), "period", scenario, fail, only_start_end=True)
    params = parameter_ranges(doc["parameters"], fail, "range")
    ivs = read_bounds(doc.get("interventions") or {}, "interventions", fail)
    entries = {s.id: s for s in scenario.interventions if s.id}
    net = load_network(scenario.network) if ivs else None
    for ident, b in ivs.items():
        if ident not in entries:
            raise fail(f"interventions.{ident}", f"no scenario entry with this id; ids: {', '.join(sorted(entries))}")
        for value in (b.low, b.high):
            try:
                iv.make(dataclasses.replace(entries[ident], intensity=value), net)
            except InputError as exc:
                raise fail(f"interventions.{ident}", str(exc)) from None
    if not 1 <= len(params) + len(ivs) <= 100:
        raise fail("parameters", f"{len(params) + len(ivs)} inputs; 1 to 100 are allowed")

    outputs = doc.get("outputs", list(OUTPUTS))
    if not isinstance(outputs, list) or not outputs:
        raise fail("outputs", f"expected a non-empty list of: {', '.join(OUTPUTS)}")
    for i, o in enumerate(outputs):
        if o not in OUTPUTS:
            raise fail(f"outputs[{i}]", f"'{o}' is not one of {', '.join(OUTPUTS)}")
    if len(set(outputs)) != len(outputs):
        raise fail("outputs", "an output is listed twice")

    def num(key: str, default: float, low: float, high: float, integer: bool = False) -> float:
        v = doc.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int | float) or (integer and not isinstance(v, int)):
            raise fail(key, f"'{v}' is not a {'whole ' if integer else ''}number")
        if not low <= v <= high:
            raise fail(key, f"{v} is outside [{low}, {high}]")
        return v

    levels = int(num("levels", 4, 2, 20, True))
    if levels % 2:
        raise fail("levels", f"{levels} is odd; Morris needs an even number of levels (4 is usual)")
    app = float(num("agents_per_person", 0.01, 1e-4, 1))
    if abs(1 / app - round(1 / app)) > 1e-6:
        raise fail("agents_per_person", f"{app} is not 1/n for a whole n")
    return SensitivitySpec(
        name=name, scenario=scenario, start=start, end=end, parameters=params, interventions=ivs,
        outputs=tuple(outputs), method=method, trajectories=int(num("trajectories", 10, 2, 100, True)),
        levels=levels, agents_per_person=app, replicates=int(num("replicates", 1, 1, 100, True)),
        seed=int(num("seed", 7, 0, 2**62, True)), workers=int(num("workers", 2, 1, 256, True)),
        source=path, text=path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- the sample
def _problem(spec: SensitivitySpec) -> dict:
    names = spec.inputs
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def unit_sample(spec: SensitivitySpec) -> np.ndarray:
    """The Morris design on the unit hypercube: r * (k + 1) rows, one column per input; seeded by the spec."""
    from SALib.sample import morris as morris_sample

    return morris_sample.sample(_problem(spec), spec.trajectories, num_levels=spec.levels, seed=spec.seed)


def to_values(spec: SensitivitySpec, unit: np.ndarray) -> np.ndarray:
    """Unit-interval sample mapped to each input's range (geometrically for log-scale ranges)."""
    out = np.empty_like(unit, dtype=float)
    for j, name in enumerate(spec.inputs):
        b = spec.bound(name)
        if b.log:
            out[:, j] = np.exp(math.log(b.low) + unit[:, j] * (math.log(b.high) - math.log(b.low)))
        else:
            out[:, j] = b.low + unit[:, j] * (b.high - b.low)
    return out


def point_scenario(spec: SensitivitySpec, values: np.ndarray) -> Scenario:
    """The scenario at one sample point: reduced scale, the analysed period, the spec's seed."""
    params, strengths = {}, {}
    for name, v in zip(spec.inputs, values, strict=True):
        if name.startswith("iv:"):
            strengths[name[3:]] = float(v)
        else:
            params[name] = float(v)
    return apply(spec.scenario, params, strengths, agents_per_person=spec.agents_per_person,
                 period_start=spec.start, period_end=spec.end, replicates=spec.replicates, seed=spec.seed)


# --------------------------------------------------------------------------- one sample point
def headline(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Headline outputs per route and in total (last element), averaged over replicates.

    Flows are summed over the period, ``stranded`` is the mean of month-end stocks, and deaths per 1,000
    attempts are the dead and missing at border crossings over crossing attempts (as in
    :func:`sim.io.results.summary_table`), per replicate, then averaged.
    """
    out: dict[str, np.ndarray] = {}

    def with_total(da: xr.DataArray) -> np.ndarray:  # (route, replicate) -> (routes + 1,) replicate means
        both = np.concatenate([da.transpose("route", "replicate").values.astype(float),
                               da.sum("route").values.astype(float)[None, :]])
        return both.mean(axis=1)

    for name in FLOWS:
        out[name] = with_total(ds[name].sum("time"))
    out["stranded"] = with_total(ds["stranded"].mean("time"))
    at_crossings = ds["dead_missing_by_crossing"].sum("time").groupby("crossing_route").sum()
    at_crossings = at_crossings.rename(crossing_route="route").reindex(route=ds["route"].values, fill_value=0)
    attempts = ds["crossing_attempts"].sum("time")
    dead = np.concatenate([at_crossings.transpose("route", "replicate").values,
                           at_crossings.sum("route").values[None, :]]).astype(float)
    tries = np.concatenate([attempts.transpose("route", "replicate").values,
                            attempts.sum("route").values[None, :]]).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["deaths_per_1000_attempts"] = np.where(tries > 0, 1000 * dead / tries, np.nan).mean(axis=1)
    return out


def _evaluate(args: tuple[Scenario, int]) -> dict[str, np.ndarray]:
    scenario, replicates = args
    from sim.io.results import to_dataset
    from sim.run import build_config, simulate

    config = build_config(scenario)
    results = simulate(config, replicates, workers=1, progress=False)
    return headline(to_dataset(results, config.net, attrs={}))


# --------------------------------------------------------------------------- the analysis
def run_sensitivity(spec: SensitivitySpec, out: Path, workers: int | None = None, progress: bool = False) -> str:
    """Run the Morris screening and write OUT/ (indices.csv, samples.csv, plots, report.md, spec.yaml).

    Returns a one-line summary. Nothing is written until every sample point has run.
    """
    from SALib.analyze import morris as morris_analyze
    from tqdm import tqdm

    t0 = time.perf_counter()
    out = Path(out)
    n_workers = spec.workers if workers is None else max(1, int(workers))
    unit = unit_sample(spec)
    values = to_values(spec, unit)
    keys = [tuple(row) for row in unit]
    unique = list(dict.fromkeys(keys))  # distinct grid points, in first-seen order
    jobs = [(point_scenario(spec, values[keys.index(k)]), spec.replicates) for k in unique]

    found: list[dict[str, np.ndarray] | None] = [None] * len(jobs)
    bar = tqdm(total=len(jobs), unit="run", desc="sensitivity", disable=not progress)
    try:
        if n_workers <= 1:
            for i, job in enumerate(jobs):
                found[i] = _evaluate(job)
                bar.update()
        else:
            with ProcessPoolExecutor(max_workers=min(n_workers, len(jobs)), mp_context=get_context("fork")) as pool:
                futures = {pool.submit(_evaluate, job): i for i, job in enumerate(jobs)}
                for f in as_completed(futures):
                    found[futures[f]] = f.result()
                    bar.update()
    finally:
        bar.close()
    by_point = dict(zip(unique, found, strict=True))
    per_row = [by_point[k] for k in keys]

    routes = list(load_network(spec.scenario.network).routes)
    problem = _problem(spec)
    rows, route_rows, skipped = [], [], []
    for o in spec.outputs:
        y = np.array([r[o] for r in per_row])  # (samples, routes + 1)
        for j, route in enumerate([*routes, None]):
            if not np.isfinite(y[:, j]).all():
                skipped.append(f"{o} on {route or 'all routes'}")
                continue
            si = morris_analyze.analyze(problem, unit, y[:, j], num_resamples=1000, conf_level=0.95,
                                        num_levels=spec.levels, seed=spec.seed)
            table = pd.DataFrame({"output": o, "parameter": spec.inputs, "mu_star": np.asarray(si["mu_star"]),
                                  "mu_star_conf": np.asarray(si["mu_star_conf"]), "mu": np.asarray(si["mu"]),
                                  "sigma": np.asarray(si["sigma"])})
            table["rank"] = table["mu_star"].rank(ascending=False, method="min").astype(int)
            table = table.sort_values(["rank", "parameter"], kind="stable")
            if route is None:
                rows.append(table)
            else:
                route_rows.append(table.assign(route=route))
    if not rows:
        raise InputError(f"{spec.source}: outputs: none of them is finite at every sample point ({skipped})")
    indices = pd.concat(rows, ignore_index=True)
    by_route = pd.concat(route_rows, ignore_index=True) if route_rows else indices.iloc[:0].assign(route="")
    by_route = by_route[["output", "route", "parameter", "mu_star", "mu_star_conf", "mu", "sigma", "rank"]]

    samples = pd.DataFrame({"sample": np.arange(len(keys)),
                            "trajectory": np.arange(len(keys)) // (len(spec.inputs) + 1)})
    for j, name in enumerate(spec.inputs):
        samples[name] = values[:, j]
    for o in spec.outputs:
        samples[o] = [r[o][-1] for r in per_row]
    wall = time.perf_counter() - t0  # sampling, model runs and analysis (not writing the files)
    meta = {"wall": wall, "points": len(keys), "runs": len(unique) * spec.replicates, "workers": n_workers,
            "skipped": skipped}
    _write(out, spec, indices, by_route, samples, meta)
    tops = "; ".join(f"{o}: {_top(indices, o)}" for o in spec.outputs if (indices["output"] == o).any())
    return (f"{spec.name}: Morris screening of {len(spec.inputs)} inputs, {meta['runs']} model runs in "
            f"{wall / 60:.1f} min; top driver per output - {tops}; wrote {out}")


def _top(indices: pd.DataFrame, output: str) -> str:
    first = indices[indices["output"] == output].iloc[0]
    return _label(first["parameter"]) if first["mu_star"] > 0 else "none (no input changed it)"


# --------------------------------------------------------------------------- writing
def _write(out: Path, spec: SensitivitySpec, indices: pd.DataFrame, by_route: pd.DataFrame,
           samples: pd.DataFrame, meta: dict) -> None:
    """Everything into a temporary sibling folder, then renamed into place: never a half-written OUT."""
    with atomic_folder(out) as tmp:
        indices.to_csv(tmp / "indices.csv", index=False, float_format="%.6g")
        by_route.to_csv(tmp / "indices_by_route.csv", index=False, float_format="%.6g")
        samples.to_csv(tmp / "samples.csv", index=False, float_format="%.6g")
        plot_indices(indices, samples, spec, tmp / "plots" / "sensitivity.png")
        (tmp / "report.md").write_text(report(spec, indices, samples, meta), encoding="utf-8")
        (tmp / "spec.yaml").write_text(spec.text, encoding="utf-8")


def _label(name: str) -> str:
    return f"{name[3:]} (strength)" if name.startswith("iv:") else name


def plot_indices(indices: pd.DataFrame, samples: pd.DataFrame, spec: SensitivitySpec, path: Path) -> None:
    """One panel per output: mu_star (bars) with its 95% bootstrap interval, most influential on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    outputs = [o for o in spec.outputs if (indices["output"] == o).any()]
    cols = 2 if len(outputs) > 1 else 1
    rows = math.ceil(len(outputs) / cols)
    k = len(spec.inputs)
    fig, axes = plt.subplots(rows, cols, figsize=(7 * cols, 1.0 + rows * (1.1 + 0.32 * k)), squeeze=False,
                             layout="constrained")
    fig.suptitle(f"What drives the headline outputs - Morris screening '{spec.name}', "
                 f"{spec.start:%Y-%m} to {spec.end:%Y-%m}\nbar: mean absolute change in the output when the "
                 f"input moves across its range (mu*), line: 95% interval", fontsize=12)
    for ax, o in zip(axes.flat, outputs, strict=False):
        t = indices[indices["output"] == o].sort_values("mu_star", kind="stable")
        title, units, _, short = OUTPUTS[o]
        typical = float(np.nanmedian(samples[o])) if o in samples else math.nan
        ax.set_title(f"{title}, {short}\nsample median {_compact(typical)} {units}", fontsize=10)
        ax.barh([_label(p) for p in t["parameter"]], t["mu_star"], xerr=t["mu_star_conf"], color="tab:blue",
                alpha=0.8, error_kw={"ecolor": "black", "capsize": 3, "lw": 1})
        ax.set_xlabel(f"mu* ({units})")
        if float(t["mu_star"].max()) == 0:
            ax.set_xlim(0, 1)
            ax.set_xticks([])
            ax.text(0.5, 0.5, "no input changed it at any sample point", ha="center", va="center",
                    transform=ax.transAxes, fontsize=10, color="dimgray")
        else:
            ax.set_xlim(left=0)
            if float((t["mu_star"] + t["mu_star_conf"]).max()) >= 1000:
                ax.xaxis.set_major_formatter(FuncFormatter(_tick))
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="y", labelsize=9)
    for ax in list(axes.flat)[len(outputs):]:
        ax.set_visible(False)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _compact(x: float) -> str:
    """A number for a plot title: 58,950 -> '59.0 thousand', 1.08e10 -> '10.8 billion'."""
    for size, word in ((1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if abs(x) >= max(size, 1e4):
            return f"{x / size:.3g} {word}"
    return _fmt(x)


def _tick(x: float, _pos: int | None = None) -> str:
    """An axis tick: 2,500,000 -> '2.5M', 4e9 -> '4bn'."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:g}{suffix}"
    return f"{x:g}"


def _direction(mu: float, mu_star: float, sigma: float) -> str:
    """The sign of an input's effect in words: consistent (|mu| close to mu_star) or changing sign."""
    if abs(mu) >= 0.9 * mu_star:
        words = "higher values raise it" if mu > 0 else "higher values lower it"
        return words + (" (by amounts that vary strongly: non-linear or interacting)" if sigma > mu_star else "")
    return "its effect changes sign across the sample (non-monotone, interacting, or noise)"


def report(spec: SensitivitySpec, indices: pd.DataFrame, samples: pd.DataFrame, meta: dict) -> str:
    """A short Markdown account: what was run, then the three strongest drivers of each output in words."""
    k = len(spec.inputs)
    scn = spec.scenario
    lines = [
        f"# Sensitivity analysis '{spec.name}'", "",
        f"Morris elementary-effects screening (SALib) of {k} inputs of scenario '{scn.name}' "
        f"(`{scn.source}`) over {spec.start:%Y-%m} to {spec.end:%Y-%m} (plus {scn.spinup_months} months of "
        f"spin-up, not counted).", "",
        f"- Design: {spec.trajectories} trajectories x ({k} inputs + 1) = {meta['points']} sample points on a "
        f"{spec.levels}-level grid; {meta['runs']} model runs ({meta['runs'] // spec.replicates} distinct points "
        f"x {spec.replicates} replicate(s) each).",
        f"- Scale: {spec.agents_per_person:g} agents per person (1 agent per {round(1 / spec.agents_per_person):,} "
        f"persons); seed {spec.seed} for every point (common random numbers).",
        f"- Wall time: {meta['wall'] / 60:.1f} min (sampling, model runs and analysis) with {meta['workers']} "
        "worker process(es).",
        "- Other parameters and intervention strengths keep the scenario's values"
        f"{' (including its calibrated values)' if scn.calibration else ''}.", "",
        "| input | range | scale | what it is |", "|---|---|---|---|",
    ]
    for name in spec.inputs:
        b = spec.bound(name)
        if name.startswith("iv:"):
            entry = next(s for s in scn.interventions if s.id == name[3:])
            what = f"strength of scenario entry `{name[3:]}` ({entry.type}, {entry.target})"
        else:
            p = PARAMETERS[name]
            what = f"{p.description} ({p.unit}; default {p.default:g})"
        lines.append(f"| `{_label(name)}` | {b.low:g} - {b.high:g} | {'log' if b.log else 'linear'} | {what} |")
    lines += [
        "", "## Strongest drivers of each output", "",
        "mu\\* (Campolongo et al. 2007) is the mean absolute elementary effect: the change in the output when "
        f"one input takes a step of {Fraction(spec.levels, 2 * (spec.levels - 1))} of its range with the others "
        "held where the trajectory put them, scaled to the whole range, in the output's units; ± is the "
        "half-width of its 95% bootstrap interval over trajectories.", "",
    ]
    for o in spec.outputs:
        t = indices[indices["output"] == o]
        if t.empty:
            continue
        title, units, how, _ = OUTPUTS[o]
        typical = float(np.nanmedian(samples[o]))
        lines.append(f"**{title}** ({units}, {how}; median over the sample {_fmt(typical)}):")
        moved = t[t["mu_star"] > 0].head(3)
        if moved.empty:
            lines.append(f"- no input changed it at any sample point ({_fmt(typical)} throughout).")
        for i, r in enumerate(moved.itertuples(), 1):
            lines.append(f"{i}. `{_label(r.parameter)}`: mu\\* = {_fmt(r.mu_star)} {units} "
                         f"(± {_fmt(r.mu_star_conf)}); {_direction(r.mu, r.mu_star, r.sigma)}.")
        lines.append("")
    if meta["skipped"]:
        lines += [f"Not analysed (not finite at every point, e.g. no attempts on a route): "
                  f"{', '.join(meta['skipped'])}.", ""]
    lines += [
        "## How to read this", "",
        "Morris screening ranks inputs by importance; it does not give variance shares (how much of the "
        "output's uncertainty each input explains) - that needs variance-based (Sobol) indices at many "
        "times the cost. Ranks whose intervals overlap are not distinguished. A large sigma relative to mu\\* "
        "means the effect depends on where the other inputs are (interaction or non-linearity). With "
        f"{spec.trajectories} trajectories and a reduced scale the numbers are a screening, not estimates.", "",
        "Files: `indices.csv` (per output and input: mu_star, mu_star_conf, mu, sigma, rank), "
        "`indices_by_route.csv` (the same per route), `samples.csv` (each sample point's input values and "
        "headline outputs summed over routes), `plots/sensitivity.png`, `spec.yaml` (the spec as run).", "",
    ]
    return "\n".join(lines)
