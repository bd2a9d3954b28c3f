"""``routesim backtest`` outputs: scores tables, plots of CRPS by months ahead, and a plain report."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402

from sim.forecast.backtest import (  # noqa: E402
    METHODS,
    MODEL_METHODS,
    TARGETS,
    Anchor,
    overall,
    run_backtest,
    summarise,
)
from sim.io.outfolder import STATE_DIR  # noqa: E402
from sim.io.outputs import atomic_folder, peak_memory_mb, write_netcdf  # noqa: E402
from sim.io.plots import ROUTE_TITLES  # noqa: E402
from sim.io.scenario import Scenario  # noqa: E402
from sim.io.state import JobStore  # noqa: E402

LABELS = {"model": "routesim ensemble (raw)", "calibrated": "routesim, calibrated on past origins",
          "blend": "routesim blend (calibrated, ETS, seasonal ARIMA)", "ets": "ETS (statsmodels)",
          "sarimax": "seasonal ARIMA (statsmodels)", "seasonal_naive": "seasonal naive", "last_value": "last value"}
STYLE = {"model": ("#9ecae1", "-"), "calibrated": ("#17becf", "-"), "blend": ("#08306b", "-"),
         "ets": ("#b8441f", "--"), "sarimax": ("#6a3d9a", "-."), "seasonal_naive": ("#777777", ":"),
         "last_value": ("#33a02c", ":")}


def plot_crps(scores: pd.DataFrame, target: str, path: Path) -> None:
    fig, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    sub = scores[scores["target"] == target]
    for ax, route in zip(axes.flat, sub["route"].unique(), strict=False):
        for method in METHODS:
            d = sub[(sub["route"] == route) & (sub["method"] == method)]
            color, ls = STYLE[method]
            ax.plot(d["lead"], d["crps"], color=color, ls=ls, marker="o", ms=3, label=LABELS[method])
        ax.set_title(ROUTE_TITLES.get(route, route), fontsize=10)
        ax.set_xlabel("months ahead")
        ax.set_ylabel("mean CRPS (persons per month)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"Backtest: {TARGETS[target][1]}, mean CRPS by months ahead (lower is better)", fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _md(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, row in df.iterrows():
        lines.append("| " + " | ".join(_fmt(row[c]) for c in cols) + " |")
    return "\n".join(lines)


def _fmt(x: object) -> str:
    if isinstance(x, float):
        return "–" if x != x else (f"{x:,.0f}" if abs(x) >= 100 else f"{x:.2f}")
    return str(x)


def headline(points: pd.DataFrame) -> pd.DataFrame:
    """Per target and route: each method's mean CRPS and MASE over all origins and leads; who wins."""
    o = overall(points)
    rows = []
    for (target, route), g in o.groupby(["target", "route"], sort=False):
        by = g.set_index("method")
        row = {"target": target, "route": route}
        for m in METHODS:
            row[f"CRPS {m}"] = by.loc[m, "crps"] if m in by.index else float("nan")
        for m in ("model", "ets"):
            row[f"MASE {m}"] = by.loc[m, "mase"] if m in by.index else float("nan")
        for m in ("model", "blend"):
            row[f"cover50 {m}"] = by.loc[m, "coverage50"] if m in by.index else float("nan")
            row[f"cover90 {m}"] = by.loc[m, "coverage90"] if m in by.index else float("nan")
        row["cover90 ets"] = by.loc["ets", "coverage90"]
        row["best (CRPS)"] = by["crps"].idxmin()
        rows.append(row)
    return pd.DataFrame(rows)


def _shock_lines(points: pd.DataFrame) -> list[str]:
    """The model's CRPS relative to ETS inside and outside windows with a dated policy entry."""
    lines = []
    for target, g in points.groupby("target", sort=False):
        crps = g.groupby(["policy_shock_window", "method"])["crps"].mean()
        parts = []
        for flag, label in ((True, "with a dated policy entry"), (False, "without")):
            if (flag, "model") in crps and (flag, "ets") in crps:
                parts.append(f"{crps[(flag, 'model')] / crps[(flag, 'ets')]:.2f} in windows {label}")
        if parts:
            lines.append(f"- {TARGETS[target][1]}: the model's mean CRPS over ETS's is " + ", ".join(parts)
                         + " (below 1: the model is better).")
    return lines


def _parameter_lines(points: pd.DataFrame, meta: dict) -> list[str]:
    """Where each origin's parameters came from, and whether its scores are out of sample for them."""
    model = points[points["method"] == "model"]
    by_fit = model.groupby("calibration_until")["origin"].agg(first="min", last="max", origins="nunique")
    if meta.get("anchors"):
        lines = ["Parameters: each origin uses the latest fit that ended before it (`calibration_until` in "
                 "`points.csv`): " + "; ".join(
                     f"fitted to {until} (`{meta['anchors'].get(until, '?')}`) for the {int(r['origins'])} origins "
                     f"{r['first']} to {r['last']}" for until, r in by_fit.iterrows()) + "."]
    else:
        lines = [f"Parameters: `{meta['calibration_file']}`, fitted on "
                 f"{meta['calibration_fit_period'] or 'an unknown period'}."]
    inside = int((~model["out_of_sample"].astype(bool)).sum())
    if inside:
        lines.append(f"**{inside} of {len(model)} scored model months have an origin inside the fitting period "
                     "of their parameters: those are not out of sample.**")
    lines.append("At each origin the model sees the driver series published by then (held at their last value "
                 "after it) and only the dated policy entries that started before it.")
    return lines


BOOTSTRAP = 2000  # resamples of the block bootstrap over origins
BLOCK = 4  # consecutive origins per block (a year of quarterly origins: forecasts from nearby origins share errors)
BASELINES = tuple(m for m in METHODS if m not in MODEL_METHODS)


def out_of_sample_origins(points: pd.DataFrame, method: str) -> pd.DataFrame:
    """Every method's rows at the origins where ``method`` is out of sample, so that methods are compared on
    the same origins."""
    fresh = points[(points["method"] == method) & points["out_of_sample"].astype(bool)]["origin"].unique()
    return points[points["origin"].isin(fresh)]


def skill(points: pd.DataFrame, method: str = "blend", against: str = "ets", seed: int = 0) -> pd.DataFrame:
    """Per target and route: the CRPS skill score of ``method`` over ``against`` (1 - CRPS ratio; above 0:
    better) on the out-of-sample months, with a 90% interval from a moving-block bootstrap over origins
    (blocks of ``BLOCK`` consecutive origins), since months forecast from one origin share its errors."""
    use = out_of_sample_origins(points, method)
    rng = np.random.default_rng(seed)
    rows = []
    for (target, route), g in use.groupby(["target", "route"], sort=False):
        per = g.pivot_table(index="origin", columns="method", values="crps", aggfunc="sum")
        if method not in per or against not in per:
            continue
        per = per[[method, against]].dropna()
        a, b = per[method].to_numpy(), per[against].to_numpy()
        n = len(a)
        starts = rng.integers(0, max(1, n - BLOCK + 1), size=(BOOTSTRAP, -(-n // BLOCK)))
        idx = (starts[:, :, None] + np.arange(BLOCK)).reshape(BOOTSTRAP, -1)[:, :n] % n
        boot = 1 - a[idx].sum(axis=1) / b[idx].sum(axis=1)
        mean = g[g["origin"].isin(per.index)].groupby("method")["crps"].mean()
        rows.append({"target": target, "route": route, f"CRPS {method}": mean[method],
                     f"CRPS {against}": mean[against], "skill": 1 - a.sum() / b.sum(),
                     "skill p05": float(np.quantile(boot, 0.05)), "skill p95": float(np.quantile(boot, 0.95)),
                     "origins": n})
    return pd.DataFrame(rows)


def _target_lines(points: pd.DataFrame, table: pd.DataFrame) -> list[str]:
    """Issue 21's targets, out of sample, for the blend: CRPS against ETS per target-route (``table``, from
    :func:`skill`), against every baseline on average, and the coverage of its intervals per target."""
    oos = out_of_sample_origins(points, "blend")
    if table.empty:
        return []
    at_or_below = int((table["skill"] >= 0).sum())
    mean = oos.groupby(["target", "route", "method"])["crps"].mean().unstack("method")
    ratio = {b: float((mean["blend"] / mean[b]).mean()) for b in BASELINES if b in mean}
    blend = oos[oos["method"] == "blend"]
    cover = blend.groupby("target")[["in50", "in90"]].mean()
    lines = [f"- Out of sample, the blend's mean CRPS is at or below ETS's on {at_or_below} of {len(table)} "
             "target-routes (target: at least 6 of 8); skill scores with 90% block-bootstrap intervals below.",
             "- Its mean CRPS over each baseline's, averaged over target-routes (below 1: better; target: below 1 "
             "against every one): " + ", ".join(f"{LABELS[b]} {r:.2f}" for b, r in ratio.items()) + ".",
             "- Its intervals held the observation: " + "; ".join(
                 f"{TARGETS[t][1]} {100 * c.in50:.0f}% (50%) and {100 * c.in90:.0f}% (90%)"
                 for t, c in cover.iterrows()) + " (targets: 40-60% and 85-95%)."]
    return lines


def last_origin_table(forecasts: xr.Dataset, target: str) -> pd.DataFrame:
    """The forecast from the last origin, summed over the months observed since, for each route: the record,
    the model's raw, calibrated and blended medians with their 90% intervals, and last year's figure (the
    seasonal-naive sum); whether the blend is closer than last year's figure and holds the record."""
    name = f"{target}_last_origin_sum"
    if name not in forecasts:
        return pd.DataFrame()
    q = forecasts[name]
    rows = []
    for route in forecasts["route"].values:
        obs = float(forecasts[f"{target}_last_origin_observed_sum"].sel(route=route))
        months = int(forecasts[f"{target}_last_origin_months"].sel(route=route))
        if months == 0:
            continue
        row = {"route": str(route), "months": months, "observed": obs}
        for m in ("model", "calibrated", "blend"):
            lo, med, hi = (float(q.sel(route=route, forecaster=m, quantile=x)) for x in (0.05, 0.5, 0.95))
            row[f"{m} median [90%]"] = f"{med:,.0f} [{lo:,.0f}-{hi:,.0f}] ({100 * (med - obs) / obs:+.0f}%)" \
                if obs > 0 else f"{med:,.0f} [{lo:,.0f}-{hi:,.0f}]"
            row[f"_{m}"] = (lo, med, hi)
        naive = float(q.sel(route=route, forecaster="seasonal_naive", quantile=0.5))
        row["last year"] = f"{naive:,.0f} ({100 * (naive - obs) / obs:+.0f}%)" if obs > 0 else f"{naive:,.0f}"
        lo, med, hi = row["_blend"]
        row["blend closer than last year"] = "yes" if abs(med - obs) < abs(naive - obs) else "no"
        row["blend 90% holds it"] = "yes" if lo <= obs <= hi else "no"
        rows.append(row)
    return pd.DataFrame(rows)


def _last_origin_lines(forecasts: xr.Dataset | None) -> list[str]:
    if forecasts is None or "last_origin" not in forecasts.attrs:
        return []
    origin = forecasts.attrs["last_origin"]
    lines = [f"## The real test: the forecast from {origin}", "",
             f"The forecast made at the last origin ({origin}) with what was known then, summed over the months "
             "observed since, against the record and against the same months a year earlier (last year's figure). "
             "The 90% intervals of the calibrated and blended forecasts sum equal quantile levels of each month "
             "(the widest sum their monthly distributions allow); the raw model's sum each member's months.", ""]
    for target in TARGETS:
        table = last_origin_table(forecasts, target)
        if table.empty:
            continue
        closer = int((table["blend closer than last year"] == "yes").sum())
        held = int((table["blend 90% holds it"] == "yes").sum())
        lines += [f"**{TARGETS[target][1]}.** The blend is closer to the record than last year's figure on "
                  f"{closer} of {len(table)} routes and its 90% interval holds the record on {held} of "
                  f"{len(table)} (issue 21's targets for crossings: 3 of 4 each).", "",
                  _md(table[[c for c in table.columns if not c.startswith("_")]]), ""]
    return lines


def _rel(path: object) -> str:
    """A path relative to the working folder where possible: outputs should not carry one machine's layout."""
    p = Path(str(path))
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def write_report(points: pd.DataFrame, scn: Scenario, meta: dict, folder: Path,
                 forecasts: xr.Dataset | None = None) -> str:
    head = headline(points)
    skills = skill(points)
    shock = overall(points, ("target", "policy_shock_window", "method"))
    wins = head["best (CRPS)"].value_counts().to_dict()
    n = len(head)
    model = points[points["method"] == "model"]
    ets = points[points["method"] == "ets"]
    lines = [
        f"# Backtest of '{scn.name}'", "",
        f"Origins every {meta['every']} months from {meta['first']} to {meta['last']} ({meta['origins']} origins), "
        f"{meta['horizon']} months ahead; {meta['members']} ensemble members per origin (posterior draws x "
        f"replicates) at 1/{round(1 / meta['agents_per_person'])} scale; {meta['wall_seconds'] / 60:.1f} min on "
        f"{meta['workers']} workers ({meta['engine']})"
        + (f", computing {meta['jobs_computed']} of {meta['jobs_computed'] + meta['jobs_reused']} runs (members and "
           "baseline fits) and reading the others from an earlier run of the same backtest (`.routesim-state`)."
           if meta.get("jobs_reused") else "."),
        *_parameter_lines(points, meta), "",
        "## Plainly", "",
        f"- Lowest mean CRPS, counting target-routes (of {n}): "
        + ", ".join(f"{LABELS[m]} {wins.get(m, 0)}" for m in METHODS) + ".",
        f"- The model's 50% intervals held the observation {100 * model['in50'].mean():.0f}% of the time and its "
        f"90% intervals {100 * model['in90'].mean():.0f}% (ETS: {100 * ets['in50'].mean():.0f}% and "
        f"{100 * ets['in90'].mean():.0f}%).",
        ("- The model's intervals are too narrow: its spread carries parameter, stochastic and driver "
         "uncertainty but not its own structural error, and the calibration leaves a level bias on several "
         "routes (calibration/baseline/report.md)." if model["in90"].mean() < 0.8 else
         "- The model's 90% intervals cover about as often as they should."),
        *_shock_lines(points), *_target_lines(points, skills), "",
        "## Skill of the blend over ETS, out of sample", "",
        "1 - (the blend's CRPS summed over origins and months ahead) / (ETS's); above 0 the blend is better. "
        f"90% interval: moving-block bootstrap over origins ({BLOCK} consecutive origins per block, "
        f"{BOOTSTRAP} resamples).", "",
        _md(skills), "",
        *_last_origin_lines(forecasts),
        "## Mean scores over all origins and months ahead", "",
        "CRPS in persons per month (lower is better); MASE: mean absolute error of the median over the "
        "history's seasonal-naive error (below 1 beats that yardstick); cover50/cover90: share of "
        "observations inside the 50%/90% interval (should be near 0.5/0.9).", "",
        _md(head), "",
        "## Windows with a dated policy entry vs the rest", "",
        _md(shock.rename(columns={"policy_shock_window": "policy entry in window"})), "",
        "## Files", "",
        "`scores.csv` (per target, route, method and months ahead), `points.csv` (every scored month, with the "
        "fit its parameters came from in `calibration_until`), "
        "`forecasts.nc` (the model's quantiles by origin and months ahead), `plots/crps_by_lead_*.png`.", "",
        "![arrivals](plots/crps_by_lead_arrivals.png)", "",
        "![dead and missing at sea](plots/crps_by_lead_dead_missing_sea.png)",
        "",
    ]
    text = "\n".join(lines)
    (folder / "report.md").write_text(text, encoding="utf-8")
    return text


def backtest_to_folder(scn: Scenario, out: Path, origins: tuple[dt.date, ...], horizon: int, observed: xr.Dataset,
                       settings: dict, anchors: tuple[Anchor, ...] = (), **kw: object) -> pd.DataFrame:
    """Run (or resume) the backtest and write OUT/ atomically; returns the headline table.

    Each member run and ETS fit is kept in ``OUT/.routesim-state`` as it finishes (:mod:`sim.io.state`), so
    a rerun after an interruption computes only the rest; run.json counts the runs computed and reused."""
    t0 = time.perf_counter()
    with JobStore(out, "backtest") as store:
        points, forecasts = run_backtest(scn, origins, horizon, observed, store=store, anchors=anchors, **kw)
    store.prune()
    doc = {}
    if scn.calibration is not None and scn.calibration.is_file():
        import yaml

        doc = yaml.safe_load(scn.calibration.read_text(encoding="utf-8")) or {}
    meta = {**settings, "origins": len(origins), "horizon": horizon,
            "members": int(forecasts.attrs["members"]), "wall_seconds": round(time.perf_counter() - t0, 1),
            "peak_memory_mb": peak_memory_mb(), "scenario": _rel(scn.source) if scn.source else scn.name,
            "calibration_file": _rel(scn.calibration) if scn.calibration else "",
            "calibration_fit_period": " to ".join(str(x) for x in doc.get("fit_period", [])),
            "anchors": {f"{a.until:%Y-%m}": _rel(a.fitted) for a in anchors},
            "jobs_computed": store.computed, "jobs_reused": store.reused}
    with atomic_folder(out, own=(STATE_DIR,), keep=(STATE_DIR,)) as tmp:
        (tmp / "plots").mkdir()
        scores = summarise(points)
        scores.to_csv(tmp / "scores.csv", index=False, float_format="%.6g")
        points.to_csv(tmp / "points.csv", index=False, float_format="%.6g")
        write_netcdf(forecasts, tmp / "forecasts.nc")
        for target in TARGETS:
            plot_crps(scores, target, tmp / "plots" / f"crps_by_lead_{target}.png")
        write_report(points, scn, meta, tmp, forecasts)
        (tmp / "run.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return headline(points)
