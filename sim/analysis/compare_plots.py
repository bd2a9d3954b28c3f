"""Briefing plots of a scenario comparison: alternatives against the baseline over time, and the effects.

``overview.png``: all routes together, month by month, median and 90% band of every scenario for each
headline output (deaths and protection outcomes beside flows). ``differences.png``: the headline-period
difference from the baseline with its 90% interval, per alternative and headline. ``differences_by_route.png``:
the same for crossings and for dead and missing, route by route.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from sim.analysis.compare_headlines import ALL, HEADLINES, first_change  # noqa: E402
from sim.io.plots import ROUTE_TITLES  # noqa: E402
from sim.io.results import nan_quantile  # noqa: E402

COLOURS = plt.get_cmap("tab10").colors
SCALE = {"EUR": (1e-6, "million EUR")}


def _monthly(ds: xr.Dataset, var: str) -> xr.DataArray:
    """All-route monthly series of a headline (a ratio for deaths per attempt)."""
    if var == "deaths_per_1000_attempts":
        dead = ds["dead_missing_by_crossing"].sum("crossing")
        att = ds["crossing_attempts"].sum("route")
        return 1000 * dead / att.where(att > 0)
    return ds[var].sum("route")


def _compact(x: float, _pos: int | None = None) -> str:
    """Axis numbers a reader takes in at a glance: 12k, 1.5M."""
    a = abs(x)
    if a >= 1e6:
        return f"{x / 1e6:.1f}M"
    if a >= 1e4:
        return f"{x / 1e3:.0f}k"
    if a >= 1e3:
        return f"{x / 1e3:.1f}k"
    return f"{x:g}"


def plot_comparison(ds: xr.Dataset, hv: xr.Dataset, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [_overview(ds, out_dir / "overview.png"), _differences(hv, out_dir / "differences.png"),
            _by_route(hv, out_dir / "differences_by_route.png")]


def _overview(ds: xr.Dataset, path: Path) -> Path:
    names = [str(s) for s in ds["scenario"].values]
    start = max(0, first_change(ds) - 24)  # two years of shared history before the first difference
    ds = ds.isel(time=slice(start, None))
    fig, axes = plt.subplots(3, 3, figsize=(16, 11), sharex=True)
    fig.suptitle(f"Scenarios against the baseline '{names[0]}', all routes, {ds.sizes['replicate']} paired "
                 f"replicates (median and 90% interval), from {ds['time'].values[0].astype(str)[:7]}", fontsize=13)
    for ax, (var, (label, units, how)) in zip(axes.flat, HEADLINES.items(), strict=True):
        factor, unit_label = SCALE.get(units, (1.0, units))
        per = "" if how != "sum" else " per month"
        series = _monthly(ds, var) * factor
        t = ds["time"].values
        for i, name in enumerate(names):
            q = series.sel(scenario=name).quantile([0.05, 0.5, 0.95], dim="replicate", skipna=True)
            c = COLOURS[i % len(COLOURS)]
            ax.fill_between(t, q.sel(quantile=0.05), q.sel(quantile=0.95), color=c, alpha=0.18, lw=0)
            ax.plot(t, q.sel(quantile=0.5), color=c, lw=1.8 if i == 0 else 1.3, ls="-" if i == 0 else "--",
                    label=name + (" (baseline)" if i == 0 else ""))
        ax.set_title(label)
        ax.set_ylabel(unit_label + per)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(mdates.YearLocator(max(1, len(t) // 60)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.yaxis.set_major_formatter(FuncFormatter(_compact))
    for ax in axes[-1]:
        ax.set_xlabel("month")
    axes.flat[0].legend(fontsize=8, loc="upper left")
    return _save(fig, path)


def _differences(hv: xr.Dataset, path: Path) -> Path:
    names = [str(s) for s in hv["scenario"].values]
    whole = str(hv["period"].values[-1])
    fig, axes = plt.subplots(3, 3, figsize=(16, 3 + 0.9 * len(names) * 3 / 2))
    fig.suptitle(f"Effect of each alternative against '{names[0]}', {whole}, all routes: difference "
                 "(median and 90% interval of paired replicates)", fontsize=13)
    for ax, (var, (label, units, _)) in zip(axes.flat, HEADLINES.items(), strict=True):
        factor, unit_label = SCALE.get(units, (1.0, units))
        base = hv[var].sel(scenario=names[0], period=whole, route=ALL)
        y = np.arange(len(names) - 1)
        for i, alt in enumerate(names[1:]):
            d = (hv[var].sel(scenario=alt, period=whole, route=ALL) - base).values * factor
            med, lo, hi = np.nanmedian(d), np.nanpercentile(d, 5), np.nanpercentile(d, 95)
            c = COLOURS[(i + 1) % len(COLOURS)]
            ax.barh(y[i], med, color=c, alpha=0.8)
            ax.errorbar(med, y[i], xerr=[[med - lo], [hi - med]], color="black", capsize=3, lw=1)
            b = float(np.nanmedian(base.values)) * factor
            if b:
                ax.annotate(f"{100 * med / b:+.0f}%", (0, y[i]), xytext=(3, 8), textcoords="offset points",
                            fontsize=8, color="black")
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, names[1:], fontsize=8)
        ax.set_title(label)
        ax.set_xlabel(f"difference, {unit_label}")
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
        ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def _by_route(hv: xr.Dataset, path: Path) -> Path:
    names = [str(s) for s in hv["scenario"].values]
    whole = str(hv["period"].values[-1])
    routes = [str(r) for r in hv["route"].values if str(r) != ALL]
    variables = ("crossing_attempts", "dead_missing", "deaths_per_1000_attempts")
    fig, axes = plt.subplots(1, len(variables), figsize=(16, 2.5 + 0.35 * len(routes) * (len(names) - 1)))
    fig.suptitle(f"Effect by route against '{names[0]}', {whole} (median and 90% interval)", fontsize=13)
    width = 0.8 / max(len(names) - 1, 1)
    for ax, var in zip(axes, variables, strict=True):
        label, units, _ = HEADLINES[var]
        y = np.arange(len(routes))
        for i, alt in enumerate(names[1:]):
            d = (hv[var].sel(scenario=alt, period=whole) - hv[var].sel(scenario=names[0], period=whole))
            d = d.sel(route=routes).values
            med, lo, hi = nan_quantile(d, [0.5, 0.05, 0.95])  # NaN on a route with no attempts, no warning
            pos = y + (i - (len(names) - 2) / 2) * width
            ax.barh(pos, med, height=width, color=COLOURS[(i + 1) % len(COLOURS)], alpha=0.8, label=alt)
            ax.errorbar(med, pos, xerr=[med - lo, hi - med], fmt="none", color="black", capsize=2, lw=0.8)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_yticks(y, [ROUTE_TITLES.get(r, r) for r in routes], fontsize=8)
        ax.set_title(label)
        ax.set_xlabel(f"difference, {units}")
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
        ax.grid(axis="x", alpha=0.3)
    axes[0].legend(fontsize=8)
    return _save(fig, path)


def _save(fig, path: Path) -> Path:  # noqa: ANN001
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
