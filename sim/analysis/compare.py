"""Compare scenarios with common random numbers: the difference between two runs is the intervention's.

Every draw a migrant makes is keyed by (seed, replicate, decision, day, migrant id), so replicate r of
the baseline and replicate r of an alternative share their randomness wherever the two runs agree; the
paired difference ``alternative_r - baseline_r`` then measures the intervention, not noise. All
scenarios run with the baseline's period, spin-up, seed, replicates and scale.

The spread of the paired differences is reported beside the spread that independent seeds would give.
Replicates use independent streams, so pairing replicate r of the alternative with replicate r+1 of the
baseline is exactly a comparison between runs with independent seeds; it costs no extra runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sim.analysis.compare_headlines import ALL, HEADLINES, headline_values
from sim.errors import InputError
from sim.io.outputs import atomic_folder, peak_memory_mb, provenance, write_netcdf
from sim.io.results import to_dataset
from sim.io.scenario import Scenario
from sim.run import build_config, simulate


def align(baseline: Scenario, other: Scenario, replicates: int | None, scale: float | None) -> Scenario:
    """The scenario with the baseline's period, spin-up, seed, replicates and scale (paired runs)."""
    return dataclasses.replace(
        other, period_start=baseline.period_start, period_end=baseline.period_end,
        spinup_months=baseline.spinup_months, seed=baseline.seed,
        replicates=replicates if replicates is not None else baseline.replicates,
        agents_per_person=scale if scale is not None else baseline.agents_per_person)


def run_comparison(baseline: Scenario, alternatives: list[Scenario], replicates: int | None = None,
                   scale: float | None = None, workers: int = 1, progress: bool = False) -> xr.Dataset:
    """Simulate the baseline and every alternative; one Dataset with a ``scenario`` dimension."""
    if not alternatives:
        raise InputError("compare: name at least one alternative scenario after the baseline")
    scenarios = [align(baseline, s, replicates, scale) for s in [baseline, *alternatives]]
    names = _unique_names([s.name for s in scenarios])
    base_net = baseline.network.resolve()
    for s in scenarios[1:]:
        if s.network.resolve() != base_net:
            raise InputError(f"{s.source}: network: {s.network} differs from the baseline's {base_net}; "
                             "compared scenarios must share the route network")
    datasets = []
    for s in scenarios:
        config = build_config(s)
        results = simulate(config, s.replicates, workers=workers, progress=progress)
        datasets.append(to_dataset(results, config.net, attrs={}))
    ds = xr.concat(datasets, dim=pd.Index(names, name="scenario"), combine_attrs="override")
    ds["scenario"].attrs.update(long_name="scenario (the first is the baseline)")
    ds["scenario_description"] = xr.DataArray([s.description for s in scenarios], dims="scenario",
                                              attrs={"long_name": "scenario description"})
    ds = ds.set_coords("scenario_description")
    ds.attrs.update(provenance(scenarios[0], baseline.seed, scenarios[0].replicates))
    ds.attrs.update(title="routesim scenario comparison", baseline=names[0], alternatives=", ".join(names[1:]),
                    common_random_numbers="yes: replicate r of every scenario uses the same random streams")
    return ds


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out


def difference_table(hv: xr.Dataset) -> pd.DataFrame:
    """Per alternative, period, route and headline: baseline and alternative medians, and the paired
    difference's median and 90% interval across replicates."""
    base = str(hv["scenario"].values[0])
    rows = []
    for alt in hv["scenario"].values[1:]:
        for var, (_, units, _) in HEADLINES.items():
            b, a = hv[var].sel(scenario=base), hv[var].sel(scenario=alt)
            d = a - b
            qd = d.quantile([0.05, 0.5, 0.95], dim="replicate", skipna=True)
            bm, am = b.median("replicate", skipna=True), a.median("replicate", skipna=True)
            for period in hv["period"].values:
                for route in hv["route"].values:
                    sel = {"period": period, "route": route}
                    lo, med, hi = (float(qd.sel(quantile=q, **sel)) for q in (0.05, 0.5, 0.95))
                    base_med = float(bm.sel(**sel))
                    rows.append({
                        "scenario": str(alt), "period": str(period), "route": str(route), "variable": var,
                        "units": units, "baseline_median": base_med, "alternative_median": float(am.sel(**sel)),
                        "difference_median": med, "difference_p05": lo, "difference_p95": hi,
                        "difference_percent": 100 * med / base_med if base_med else np.nan})
    return pd.DataFrame(rows)


def pairing_floor(relative_change: float) -> float:
    """The paired/independent spread ratio that perfect pairing would reach if the intervention removed a
    random share ``-p`` of an outcome's independent events (or added independent events, ``p > 0``).

    Removing (thinning) a share p of a compound-Poisson count with variance s^2 leaves a paired
    difference of variance p s^2, against (2 - p) s^2 for independent seeds; adding a share p gives p s^2
    against (2 + p) s^2. The effect's own randomness cannot be paired away: where the spread comes from
    independent events (boats, wrecks), the ratio is at least sqrt(|p| / (2 + p)), and a third is out of
    reach for effects beyond -20% or +25%. Where part of the spread is common to both runs (a shock that
    moves baseline and alternative alike, which pairing removes), the bound is lower: with a purely common,
    proportional spread it is |p| / sqrt(1 + (1 + p)^2). So a measured ratio can fall below this floor.
    """
    p = max(-1.0, float(relative_change))
    return float(np.sqrt(abs(p) / (2.0 + p)))


def crn_table(hv: xr.Dataset) -> pd.DataFrame:
    """Spread (standard deviation across replicates) of the alternative-minus-baseline difference over
    the headline period and all routes: paired (common random numbers) and with independent seeds, beside
    the floor ideal pairing would reach for an effect of that size (:func:`pairing_floor`)."""
    whole = str(hv["period"].values[-1])
    base = str(hv["scenario"].values[0])
    n = hv.sizes["replicate"]
    rows = []
    for alt in hv["scenario"].values[1:]:
        for var in HEADLINES:
            b = hv[var].sel(scenario=base, period=whole, route=ALL).values
            a = hv[var].sel(scenario=alt, period=whole, route=ALL).values
            paired = a - b
            independent = a - np.roll(b, -1)  # replicate r+1 of the baseline: independent streams
            sd_p = float(np.nanstd(paired, ddof=1)) if n > 1 else np.nan
            sd_i = float(np.nanstd(independent, ddof=1)) if n > 1 else np.nan
            # with no noise in the baseline (e.g. no legal pathway there) pairing has nothing to remove
            noisy = n > 1 and float(np.nanstd(b, ddof=1)) > 0
            mb = float(np.nanmedian(b))
            change = float(np.nanmedian(a)) / mb - 1.0 if mb > 0 else np.nan
            rows.append({"scenario": str(alt), "variable": var, "replicates": n, "sd_paired": sd_p,
                         "sd_independent": sd_i, "ratio": sd_p / sd_i if noisy and sd_i else np.nan,
                         "relative_change": change,
                         "ratio_floor": pairing_floor(change) if noisy and change == change else np.nan})
    return pd.DataFrame(rows)


def compare_scenarios(baseline: Scenario, alternatives: list[Scenario], out: Path | None = None,
                      replicates: int | None = None, scale: float | None = None, workers: int = 1,
                      progress: bool = False, plots: bool = True) -> tuple[xr.Dataset, pd.DataFrame, pd.DataFrame]:
    """Run, tabulate and (if ``out``) write: comparison.nc, differences.csv, crn.csv, report.md, plots."""
    t0 = time.perf_counter()
    ds = run_comparison(baseline, alternatives, replicates, scale, workers, progress)
    wall = time.perf_counter() - t0
    hv = headline_values(ds)
    table = difference_table(hv)
    crn = crn_table(hv)
    if out is not None:
        from sim.analysis.compare_plots import plot_comparison

        meta = {**ds.attrs, "wall_seconds": round(wall, 1), "workers": workers,
                "peak_memory_mb": peak_memory_mb()}
        with atomic_folder(Path(out)) as tmp:
            write_netcdf(ds, tmp / "comparison.nc")
            table.to_csv(tmp / "differences.csv", index=False, float_format="%.6g")
            crn.to_csv(tmp / "crn.csv", index=False, float_format="%.6g")
            (tmp / "report.md").write_text(report(ds, table, crn, wall), encoding="utf-8")
            (tmp / "scenarios").mkdir()
            for name, s in zip(ds["scenario"].values, [baseline, *alternatives], strict=True):
                aligned = align(baseline, s, replicates, scale)
                (tmp / "scenarios" / f"{name}.yaml").write_text(aligned.to_yaml(), encoding="utf-8")
            if plots:
                plot_comparison(ds, hv, tmp / "plots")
            (tmp / "run.json").write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
    return ds, table, crn


def _fmt(x: float) -> str:
    if x != x:
        return "n/a"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.1f} M"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:,.2f}"


def report(ds: xr.Dataset, table: pd.DataFrame, crn: pd.DataFrame, wall: float) -> str:
    """A page an analyst can brief from: settings, the headline effects with intervals, the CRN check."""
    names = [str(s) for s in ds["scenario"].values]
    whole = table["period"].iloc[-1] if len(table) else ""
    t = pd.DatetimeIndex(ds["time"].values)
    lines = [
        f"# Scenario comparison: {', '.join(names[1:])} against {names[0]}",
        "",
        f"Period {t[0]:%Y-%m} to {t[-1]:%Y-%m}, {ds.sizes['replicate']} paired replicates per scenario, seed "
        f"{ds.attrs.get('seed')}, scale {ds.attrs.get('agents_per_person')} agents per person; "
        f"{wall / 60:.1f} min. Generated {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by routesim "
        f"{ds.attrs.get('routesim_version')} ({ds.attrs.get('git_commit', '')[:10]}).",
        "",
        "Differences are alternative minus baseline, paired by replicate (common random numbers): the median "
        "and the 90% interval across replicates. Deaths and protection outcomes stand beside flows.",
        "",
    ]
    for name, desc in zip(names, ds["scenario_description"].values, strict=True):
        lines.append(f"- **{name}**: {str(desc).strip() or '(no description)'}")
    lines += ["", f"## {whole}, all routes (from the year the alternatives first differ from the baseline)", ""]
    header = "| scenario | " + " | ".join(HEADLINES[v][0] + f" ({HEADLINES[v][1]})" for v in HEADLINES) + " |"
    lines += [header, "|" + "---|" * (len(HEADLINES) + 1)]
    sel = table[(table["period"] == whole) & (table["route"] == ALL)]
    base_row = sel.drop_duplicates("variable").set_index("variable")
    lines.append(f"| {names[0]} (baseline, median) | "
                 + " | ".join(_fmt(base_row.loc[v, "baseline_median"]) for v in HEADLINES) + " |")
    for alt in names[1:]:
        rows = sel[sel["scenario"] == alt].set_index("variable")
        cells = []
        for v in HEADLINES:
            r = rows.loc[v]
            pct = f" ({r['difference_percent']:+.0f}%)" if r["difference_percent"] == r["difference_percent"] else ""
            cells.append(f"{_fmt(r['difference_median'])}{pct} [{_fmt(r['difference_p05'])}, "
                         f"{_fmt(r['difference_p95'])}]")
        lines.append(f"| {alt} (difference) | " + " | ".join(cells) + " |")
    lines += ["", "## Common random numbers: spread of the difference, paired vs independent seeds", "",
              f"Standard deviation across replicates of the {whole}, all-route difference. 'independent' "
              "pairs replicate r of the alternative with replicate r+1 of the baseline (independent streams). "
              "A ratio below 1/3 means pairing removes at least two thirds of the noise. 'floor' is the "
              "ratio perfect pairing would reach for an effect of that size if the outcome's spread came from "
              "independent events and the intervention removed or added some of them at random (the effect's "
              "own randomness cannot be paired away; a third is then out of reach beyond -20% or +25%); spread "
              "common to both runs, which pairing removes, can take a ratio below it.", "",
              "| scenario | variable | sd paired | sd independent | ratio | floor |", "|---|---|---|---|---|---|"]
    for _, r in crn.iterrows():
        ratio = "n/a (no noise in the baseline)" if r["ratio"] != r["ratio"] else f"{r['ratio']:.2f}"
        floor = "" if r["ratio_floor"] != r["ratio_floor"] else f"{r['ratio_floor']:.2f}"
        lines.append(f"| {r['scenario']} | {r['variable']} | {_fmt(r['sd_paired'])} | {_fmt(r['sd_independent'])} "
                     f"| {ratio} | {floor} |")
    lines += ["", "Per route and year: `differences.csv`. All outputs by scenario: `comparison.nc` "
              "(dimension `scenario`). Plots: `plots/`.", ""]
    return "\n".join(lines)


__all__ = ["compare_scenarios", "crn_table", "difference_table", "run_comparison"]
