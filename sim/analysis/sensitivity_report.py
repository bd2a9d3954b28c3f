"""What a sensitivity analysis writes: the indices and samples as CSV, a plot of mu* per output, and a short
Markdown report naming the strongest drivers of each output in words."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.sensitivity_spec import OUTPUTS, SensitivitySpec
from sim.core.parameters import PARAMETERS
from sim.io.outfolder import STATE_DIR
from sim.io.outputs import atomic_folder


def write_outputs(out: Path, spec: SensitivitySpec, indices: pd.DataFrame, by_route: pd.DataFrame,
           samples: pd.DataFrame, meta: dict) -> None:
    """Everything into a temporary sibling folder, then renamed into place: never a half-written OUT."""
    with atomic_folder(out, own=(STATE_DIR,), keep=(STATE_DIR,)) as tmp:
        indices.to_csv(tmp / "indices.csv", index=False, float_format="%.6g")
        by_route.to_csv(tmp / "indices_by_route.csv", index=False, float_format="%.6g")
        samples.to_csv(tmp / "samples.csv", index=False, float_format="%.6g")
        plot_indices(indices, samples, spec, tmp / "plots" / "sensitivity.png")
        (tmp / "report.md").write_text(report(spec, indices, samples, meta), encoding="utf-8")
        (tmp / "spec.yaml").write_text(spec.text, encoding="utf-8")


def label(name: str) -> str:
    """An input as readers see it: ``iv:boats`` -> ``boats (strength)``."""
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
        ax.barh([label(p) for p in t["parameter"]], t["mu_star"], xerr=t["mu_star_conf"], color="tab:blue",
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
        "worker process(es)"
        + (f"; resumed: {meta['reused']} distinct points read from `.routesim-state/`." if meta.get("reused") else "."),
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
        lines.append(f"| `{label(name)}` | {b.low:g} - {b.high:g} | {'log' if b.log else 'linear'} | {what} |")
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
            lines.append(f"{i}. `{label(r.parameter)}`: mu\\* = {_fmt(r.mu_star)} {units} "
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
