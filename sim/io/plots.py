"""Briefing plots made from a results Dataset: medians with 90% bands, dates on the axis, observed data
overlaid where it exists (Frontex detections, IOM dead and missing)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import xarray as xr  # noqa: E402

from sim.io.results import full_years  # noqa: E402

ROUTE_TITLES = {"central_med": "Central Mediterranean", "eastern_med": "Eastern Mediterranean",
                "western_med": "Western Mediterranean", "atlantic": "Western African (Atlantic)"}


def _observed(annual: bool = False) -> xr.Dataset | None:
    """The monthly (or annual) record, or None: plots go on without the overlay if it cannot be read."""
    try:
        from sim.io.observed import load_annual_observations, load_observations

        return load_annual_observations() if annual else load_observations()
    except Exception:  # noqa: BLE001
        return None


def _band(ax, da: xr.DataArray, color: str, label: str) -> None:  # noqa: ANN001
    q = da.quantile([0.05, 0.5, 0.95], dim="replicate")
    t = da["time"].values
    ax.fill_between(t, q.sel(quantile=0.05), q.sel(quantile=0.95), color=color, alpha=0.25, lw=0,
                    label=f"{label}, 90% interval")
    ax.plot(t, q.sel(quantile=0.5), color=color, lw=1.5, label=f"{label}, median")


def _grid(ds: xr.Dataset, title: str, units: str):  # noqa: ANN202
    fig, axes = plt.subplots(2, 2, figsize=(13, 8), sharex=True)
    fig.suptitle(f"{title} - scenario '{ds.attrs.get('scenario_name', '')}', "
                 f"{ds.sizes['replicate']} replicates", fontsize=13)
    for ax, route in zip(axes.flat, ds["route"].values, strict=False):
        ax.set_title(ROUTE_TITLES.get(str(route), str(route)))
        ax.set_ylabel(units)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    return fig, axes


def _overlay(ax, obs: xr.Dataset | None, var: str, route: str, ds: xr.Dataset, label: str) -> None:  # noqa: ANN001
    if obs is None or var not in obs or route not in obs["route"].values:
        return
    series = obs[var].sel(route=route).sel(time=slice(ds["time"].values[0], ds["time"].values[-1]))
    if int(series.notnull().sum()) == 0:
        return
    ax.plot(series["time"].values, series.values, color="black", lw=1.0, marker=".", ms=3, label=label)


# (file, title, units, [(variable, scale, colour, label)], observed overlay (variable, label) or None)
FIGURES = (
    ("crossings_by_route.png", "Irregular border crossings by route", "persons per month",
     [("crossing_attempts", 1, "tab:orange", "attempts"), ("arrivals", 1, "tab:blue", "arrivals")],
     ("detections", "Frontex detections (observed)")),
    ("deaths_by_route.png", "Dead and missing by route (land and sea)", "persons per month",
     [("dead_missing_sea", 1, "tab:red", "dead/missing at sea"),
      ("dead_missing_land", 1, "tab:purple", "dead/missing on land")],
     ("dead_missing", "IOM Missing Migrants (observed, lower bound)")),
    ("interceptions_stranded.png", "Interceptions, returns and people stranded in transit", "persons",
     [("interceptions", 1, "tab:green", "interceptions per month"), ("returns", 1, "tab:olive", "returns per month"),
      ("stranded", 1, "tab:gray", "stranded > 90 days (month end)")], None),
    ("smuggler_revenue.png", "Smugglers' revenue by route", "million EUR per month",
     [("smuggler_revenue", 1e-6, "tab:brown", "revenue")], None),
)


def plot_all(ds: xr.Dataset, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    obs = _observed()
    written = []
    for filename, title, units, layers, overlay in FIGURES:
        fig, axes = _grid(ds, title, units)
        for ax, route in zip(axes.flat, ds["route"].values, strict=False):
            for var, scale, colour, label in layers:
                _band(ax, ds[var].sel(route=route) * scale, colour, label)
            if overlay is not None:
                _overlay(ax, obs, overlay[0], str(route), ds, overlay[1])
        axes.flat[0].legend(fontsize=8, loc="upper right")
        written.append(_save(fig, out_dir / filename))
    full = full_years(ds)
    if "arrivals_by_origin" in ds and full:
        written.append(_plot_arrivals_by_origin(ds, full, out_dir / "arrivals_by_origin.png"))
    return written


def _plot_arrivals_by_origin(ds: xr.Dataset, full: list[int], path: Path) -> Path:
    """Who arrives on each route: per full year, the median across replicates of each origin's arrivals,
    stacked, with Frontex's detections (all nationalities) as the observed total."""
    yearly = ds["arrivals_by_origin"].groupby("time.year").sum("time").sel(year=full).median("replicate")
    obs = _observed(annual=True)
    fig, axes = plt.subplots(2, 2, figsize=(13, 8), sharex=True)
    fig.suptitle(f"Arrivals by the origin they set out from (median of {ds.sizes['replicate']} replicates, "
                 f"stacked) - scenario '{ds.attrs.get('scenario_name', '')}'", fontsize=13)
    colours = plt.get_cmap("tab10")
    for ax, route in zip(axes.flat, ds["route"].values, strict=False):
        bottom = 0.0
        for k, origin in enumerate(ds["origin"].values):
            values = yearly.sel(route=route, origin=origin).values
            if values.sum() > 0:
                ax.bar(full, values, bottom=bottom, color=colours(k % 10), width=0.8, label=str(origin))
                bottom = bottom + values
        if obs is not None and route in obs["route"].values:
            o = obs["detections"].sel(route=route, year=[y for y in full if y in obs["year"].values])
            ax.plot(o["year"].values, o.values, color="black", marker="o", ms=4, lw=1.0,
                    label="Frontex detections, all nationalities (observed)")
        ax.set_title(ROUTE_TITLES.get(str(route), str(route)))
        ax.set_ylabel("persons per year")
        ax.set_xlabel("year")
        ax.grid(alpha=0.3, axis="y")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _save(fig, path: Path) -> Path:  # noqa: ANN001
    for ax in fig.axes:
        ax.set_xlabel("month")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
