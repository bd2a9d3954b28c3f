"""The forecast's HTML report: one self-contained file (plots inlined as PNG, no external requests) that a
reader opens in any browser without a server: fan charts with the observed history, and the deaths and
protection table beside the flows."""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402

from sim.io.plots import ROUTE_TITLES  # noqa: E402

COLORS = ("#1f4e79", "#b8441f", "#2e7d32", "#6a3d9a", "#8c6d1f")
# fan charts: variable, observed overlay, title, y label
FANS = (
    ("arrivals", "observed_detections", "Irregular arrivals (Frontex detections overlaid)", "persons per month"),
    ("dead_missing_sea", "observed_dead_missing", "Dead and missing at sea (IOM Missing Migrants overlaid)",
     "persons per month"),
    ("deaths_per_1000_attempts", None, "Deaths per 1,000 crossing attempts", "per 1,000 attempts"),
    ("crossing_attempts", None, "Crossing attempts", "persons per month"),
    ("smuggler_revenue", None, "Smugglers' revenue", "EUR per month"),
)
# the table: variable, heading, how the horizon is summarised
TABLE = (
    ("dead_missing", "Dead and missing, land and sea", "sum"),
    ("dead_missing_sea", "of whom at sea", "sum"),
    ("deaths_per_1000_attempts", "Deaths per 1,000 attempts", "ratio"),
    ("rescued", "Rescued", "sum"),
    ("stranded", "Stranded in transit (last month)", "last"),
    ("returns", "Returned", "sum"),
    ("legal_entries", "Legal entries", "sum"),
    ("arrivals", "Arrivals", "sum"),
    ("crossing_attempts", "Crossing attempts", "sum"),
    ("interceptions", "Interceptions", "sum"),
    ("smuggler_revenue", "Smugglers' revenue (EUR)", "sum"),
)


def _png(fig) -> str:  # noqa: ANN001
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def fan_chart(ds: xr.Dataset, var: str, observed: str | None, title: str, ylabel: str):  # noqa: ANN201
    """2x2 routes: 50% and 90% bands and the median per scenario, observed history, the origin marked."""
    fig, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    origin = pd.Timestamp(ds["time"].values[0])
    for ax, route in zip(axes.flat, ds["route"].values, strict=False):
        if observed is not None and observed in ds:
            obs = ds[observed].sel(route=route)
            ax.plot(obs["obs_time"].values, obs.values, color="black", lw=1.1, marker=".", ms=3,
                    label=f"observed ({ds[observed].attrs.get('units', '')})")
        for k, scn in enumerate(ds["scenario"].values):
            q = ds[var].sel(scenario=scn, route=route)
            t, c = ds["time"].values, COLORS[k % len(COLORS)]
            ax.fill_between(t, q.sel(quantile=0.05), q.sel(quantile=0.95), color=c, alpha=0.15, lw=0,
                            label=f"{scn}: 90% interval")
            ax.fill_between(t, q.sel(quantile=0.25), q.sel(quantile=0.75), color=c, alpha=0.3, lw=0,
                            label=f"{scn}: 50% interval")
            ax.plot(t, q.sel(quantile=0.5), color=c, lw=1.6, label=f"{scn}: median")
        ax.axvline(origin, color="grey", ls="--", lw=0.8)
        ax.set_title(ROUTE_TITLES.get(str(route), str(route)), fontsize=10)
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    axes.flat[0].legend(fontsize=7, loc="upper left")
    fig.suptitle(f"{title}: forecast from {ds.attrs.get('forecast_origin')} (dashed line), "
                 f"{ds.sizes['draw']} members", fontsize=12)
    fig.autofmt_xdate()
    return fig


def protection_table(ds: xr.Dataset) -> pd.DataFrame:
    """Per scenario and route (and all routes): each outcome over the horizon, median [5%-95%] of members."""
    rows = []
    routes = [*map(str, ds["route"].values), "all routes"]
    for scn in ds["scenario"].values:
        for route in routes:
            row = {"scenario": str(scn), "route": ROUTE_TITLES.get(route, route)}
            for var, head, how in TABLE:
                if how == "ratio":  # deaths at crossings over attempts, pooled over the horizon
                    att = ds["crossing_attempts_draws"].sel(scenario=scn)
                    num = ds["deaths_per_1000_attempts_draws"].sel(scenario=scn).fillna(0) * att
                    dims = ["time"] if route != "all routes" else ["time", "route"]
                    if route != "all routes":
                        num, att = num.sel(route=route), att.sel(route=route)
                    den = att.sum(dims)
                    x = (num.sum(dims) / den.where(den > 0)).values
                else:
                    da = ds[f"{var}_draws"].sel(scenario=scn)
                    da = da.isel(time=-1) if how == "last" else da.sum("time")
                    x = (da.sum("route") if route == "all routes" else da.sel(route=route)).values
                row[head] = _interval(x, 1 if how == "ratio" else 0)
            rows.append(row)
    return pd.DataFrame(rows)


def _interval(x: np.ndarray, digits: int) -> str:
    x = x[np.isfinite(x)]
    if not len(x):
        return "n/a"
    lo, med, hi = np.quantile(x, [0.05, 0.5, 0.95])
    return f"{med:,.{digits}f} [{lo:,.{digits}f}–{hi:,.{digits}f}]"


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1180px;
color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.82rem;margin:.5rem 0}
th,td{border:1px solid #ccc;padding:.25rem .45rem;text-align:right}th{background:#eef2f6}
td:first-child,td:nth-child(2){text-align:left}
.meta td{text-align:left}.note{color:#555;font-size:.85rem}
img{max-width:100%;height:auto;border:1px solid #eee}
"""


def render(ds: xr.Dataset) -> str:
    """The report as one HTML string."""
    a = ds.attrs
    esc = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(str(a.get('title', 'routesim forecast')))}</title><style>{CSS}</style></head><body>",
        f"<h1>{esc(str(a.get('title', 'routesim forecast')))}</h1>",
        f"<p>Scenarios: <b>{esc(str(a.get('scenarios', '')))}</b>. Every figure is a distribution over "
        f"{ds.sizes['draw']} ensemble members (posterior draws of the calibrated parameters × stochastic "
        "replicates × projected origin-pressure paths): the median with its 5–95% range. Deaths and "
        "protection outcomes come first; flows follow.</p>",
        "<h2>Deaths and protection over the forecast horizon</h2>",
        protection_table(ds).to_html(index=False, border=0, escape=True),
        '<p class="note">IOM figures are a lower bound of deaths; Frontex counts detections, not persons. '
        "Deaths per 1,000 attempts counts deaths at the border crossings themselves.</p>",
    ]
    for var, observed, title, ylabel in FANS:
        parts += [f"<h2>{esc(title)}</h2>",
                  f'<img alt="{esc(title)}: fan chart by route" '
                  f'src="data:image/png;base64,{_png(fan_chart(ds, var, observed, title, ylabel))}">']
    meta = "".join(f"<tr><td>{esc(str(k))}</td><td>{esc(str(v))}</td></tr>" for k, v in a.items())
    parts += ["<h2>Provenance</h2>", f'<table class="meta">{meta}</table>',
              # proof for a headless check that the page's script ran: no other script, no requests
              "<script>document.documentElement.dataset.rendered = 'ok';</script>",
              "</body></html>"]
    return "\n".join(parts)


def write_report(ds: xr.Dataset, path: Path) -> None:
    path.write_text(render(ds), encoding="utf-8")
