"""How well a results Dataset reproduces the observed annual record, as a table, a summary and a report.

Calibration needs one honest yardstick that is the same in-sample and out-of-sample: annual totals per route,
model median and 90% interval across replicates against the observed figure, next to the naive forecast
"same as last year". A model that cannot beat last year's value out-of-sample has not earned its complexity,
so the baseline is always shown beside the model.

Inputs are the output contract of :func:`sim.io.results.to_dataset` (monthly ``time`` x ``route`` x
``replicate``) and :func:`sim.io.observed.load_annual_observations` (``route`` x ``year``, NaN = not observed).
Nothing is read or written at import; matplotlib is only imported (Agg) when plots are drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sim.analysis.discrepancy import widen
from sim.io.results import full_years, model_variable, unit_dim

__all__ = ["COUNTRY_TARGETS", "DEFAULT_TARGETS", "DEPARTURES_TARGET", "INTERCEPTIONS_TARGET", "ORIGIN_TARGET",
           "FitTarget", "annual_quantiles", "fit_summary", "fit_table", "label_periods", "write_report"]

ROUTE_TITLES = {"central_med": "Central Mediterranean", "eastern_med": "Eastern Mediterranean",
                "western_med": "Western Mediterranean", "atlantic": "Western African (Atlantic)",
                "LY": "departing from Libya", "TN": "departing from Tunisia", "TR": "departing from Turkey"}
TABLE_COLUMNS = ["target", "route", "year", "observed", "sim_median", "sim_p05", "sim_p95", "error_pct",
                 "within_tolerance", "inside_90", "naive_last_year", "naive_error_pct"]


@dataclass(frozen=True)
class FitTarget:
    """One model variable compared with one observed series, with the relative error we accept."""

    model_var: str
    observed_var: str
    tolerance: float
    label: str

    @property
    def name(self) -> str:
        """Row key and file stem; both variables are in it because one model variable can be checked
        against several series (e.g. ``arrivals`` against detections and against sea arrivals)."""
        return f"{self.model_var}_vs_{self.observed_var}"


DEFAULT_TARGETS: tuple[FitTarget, ...] = (
    FitTarget("arrivals", "detections", 0.25, "crossings vs Frontex detections"),
    FitTarget("dead_missing_sea", "dead_missing", 0.35, "dead and missing at sea vs IOM Missing Migrants"),
)
# A check on how the flow splits between departure countries (Libya against Tunisia, say), which route totals
# cannot show; the 35% tolerance is an assumption, as for dead and missing.
INTERCEPTIONS_TARGET = FitTarget("sea_interceptions", "coast_guard_interceptions", 0.35,
                                 "interceptions at sea vs the departure country's coast guard")
DEPARTURES_TARGET = FitTarget("sea_arrivals_by_departure", "italy_arrivals_by_departure", 0.25,
                              "sea arrivals in Italy by departure country vs the Italian record")
COUNTRY_TARGETS: tuple[FitTarget, ...] = (INTERCEPTIONS_TARGET, DEPARTURES_TARGET)
# Who crosses on each route: arrivals by the origin they set out from against Frontex detections by nationality
# summed into the model's origins. The 35% tolerance is an assumption, as for dead and missing.
ORIGIN_TARGET = FitTarget("arrivals_route_origin", "detections_by_origin", 0.35,
                          "crossings by route and origin vs Frontex detections by nationality")


def _units_on_record(q: xr.DataArray, obs: xr.DataArray, unit: str) -> list:
    """Routes (or countries) the record reports at least once: a country with no figure in a series (Turkey in
    arrivals by departure country) gets no rows and no empty panel."""
    return [u for u in q[unit].values if u in set(obs[unit].values) and obs.sel({unit: u}).notnull().any()]


def _full_years(results: xr.Dataset, years: tuple[int, int] | None) -> list[int]:
    """Years with all 12 months in the model output (``full_years``), within ``years`` if given."""
    full = full_years(results)
    if years is not None:
        full = [y for y in full if years[0] <= y <= years[1]]
    return full


def annual_quantiles(results: xr.Dataset, var: str, years: Sequence[int]) -> xr.DataArray:
    """Annual sums per replicate, then the 5/50/95% quantiles across replicates (dims quantile, unit, year).

    Summing before taking quantiles matters: a median of annual totals is not the sum of monthly medians."""
    da = model_variable(results, var).astype(float)
    yearly = da.groupby("time.year").sum("time").sel(year=list(years))
    return yearly.quantile([0.05, 0.5, 0.95], dim="replicate")


def _pct(value: float, obs: float) -> float:
    """Relative error in percent; undefined (NaN) when the observation is 0 or missing."""
    if not np.isfinite(obs) or obs <= 0 or not np.isfinite(value):
        return float("nan")
    return 100.0 * (value - obs) / obs


def fit_table(results: xr.Dataset, observed: xr.Dataset, targets: Sequence[FitTarget] = DEFAULT_TARGETS,
              years: tuple[int, int] | None = None) -> pd.DataFrame:
    """One row per target, route and full model year that has an observation.

    ``years`` (inclusive) narrows the comparison, e.g. to an in-sample window. The naive baseline uses the
    observed value of the previous calendar year even if that year lies outside the model period: it is what
    a forecaster would have known."""
    full = _full_years(results, years)
    obs_years = set(int(y) for y in observed["year"].values)
    rows: list[dict] = []
    for target in targets:
        model_variable(results, target.model_var)  # raises KeyError naming it
        if target.observed_var not in observed:
            raise KeyError(f"observed variable '{target.observed_var}' not in observations")
        if not full:
            continue
        q = annual_quantiles(results, target.model_var, full)
        obs = observed[target.observed_var]
        unit = unit_dim(q)
        units = _units_on_record(q, obs, unit)
        for route in units:
            for year in full:
                if year not in obs_years:
                    continue
                value = float(obs.sel({unit: route, "year": year}))
                if not np.isfinite(value):
                    continue
                lo, med, hi = (float(q.sel({"quantile": k, unit: route, "year": year})) for k in (0.05, 0.5, 0.95))
                naive = float(obs.sel({unit: route, "year": year - 1})) if year - 1 in obs_years else float("nan")
                rows.append({"target": target.name, "route": str(route), "year": year, "observed": value,
                             "sim_median": med, "sim_p05": lo, "sim_p95": hi, "error_pct": _pct(med, value),
                             "within_tolerance": bool(abs(med - value) <= target.tolerance * value),
                             "inside_90": bool(lo <= value <= hi), "naive_last_year": naive,
                             "naive_error_pct": _pct(naive, value)})
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def label_periods(table: pd.DataFrame, split_year: int) -> pd.DataFrame:
    """Copy of ``table`` with ``period``: years up to ``split_year`` are in-sample, later ones out-of-sample."""
    out = table.copy()
    out["period"] = np.where(out["year"] > split_year, "out-of-sample", "in-sample")
    return out


def fit_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per target (and period if labelled): how often the model is close and covers the observation, and its
    median absolute error next to the naive last-year forecast's.

    ``n_naive`` counts rows with a previous observed year; the naive median is over those rows only."""
    keys = ["target", "period"] if "period" in table.columns else ["target"]
    rows = []
    for key, grp in table.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        naive = grp["naive_error_pct"].abs().dropna()
        rows.append({**dict(zip(keys, key, strict=True)), "n": len(grp),
                     "share_within_tolerance": float(grp["within_tolerance"].mean()),
                     "share_inside_90": float(grp["inside_90"].mean()),
                     **({"share_inside_90_pred": float(grp["inside_90_pred"].mean())}
                        if "inside_90_pred" in grp else {}),
                     "median_abs_error_pct": float(grp["error_pct"].abs().median()),
                     "n_naive": len(naive),
                     "naive_median_abs_error_pct": float(naive.median()) if len(naive) else float("nan")})
    cols = [*keys, "n", "share_within_tolerance", "share_inside_90",
            *(["share_inside_90_pred"] if "inside_90_pred" in table else []), "median_abs_error_pct", "n_naive",
            "naive_median_abs_error_pct"]
    return pd.DataFrame(rows, columns=cols)


def _md_table(df: pd.DataFrame) -> str:
    """Markdown pipe table (tabulate is not a dependency); large numbers grouped, shares to 2 decimals."""
    def fmt(v: object) -> str:
        if isinstance(v, bool | np.bool_):
            return "yes" if v else "no"
        if isinstance(v, float | np.floating):
            if not np.isfinite(v):
                return "-"
            return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"
        return str(v)

    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def _plot_target(results: xr.Dataset, observed: xr.Dataset, target: FitTarget, years: list[int],
                 split_year: int | None, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import StrMethodFormatter

    q = annual_quantiles(results, target.model_var, years)
    obs = observed[target.observed_var]
    unit = unit_dim(q)
    units = _units_on_record(q, obs, unit)
    ncols = 2 if len(units) == 4 else min(len(units), 3)
    nrows = -(-len(units) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6 * ncols, 4 * nrows), sharex=True, squeeze=False)
    fig.suptitle(f"{target.label} - scenario '{results.attrs.get('scenario_name', '')}', "
                 f"{results.sizes['replicate']} replicates", fontsize=12)
    for ax, route in zip(axes.flat, units, strict=False):
        at = {unit: route}
        ax.fill_between(years, q.sel(quantile=0.05, **at), q.sel(quantile=0.95, **at),
                        color="tab:blue", alpha=0.25, lw=0, label="simulated, 90% interval")
        ax.plot(years, q.sel(quantile=0.5, **at), color="tab:blue", lw=1.5, label="simulated, median")
        if route in obs[unit].values:
            o = obs.sel(year=[y for y in years if y in obs["year"].values], **at)
            ax.plot(o["year"].values, o.values, color="black", marker="o", ms=4, lw=1.0,
                    label=f"observed ({target.observed_var})")
        if split_year is not None:
            ax.axvline(split_year + 0.5, color="gray", ls="--", lw=1, label="calibration | out-of-sample")
        ax.set_title(_panel_title(str(route)))
        ax.set_ylabel("persons per year")
        ax.set_xlabel("year")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    axes.flat[0].legend(fontsize=8, loc="upper left")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))  # room for the title above the panels
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _panel_title(unit: str) -> str:
    """A route or country by name; a route/origin pair as "route: origin" (by-origin targets)."""
    if "/" in unit:
        route, origin = unit.split("/", 1)
        return f"{ROUTE_TITLES.get(route, route)}: {origin.replace('_', ' ')}"
    return ROUTE_TITLES.get(unit, unit)


CAVEATS = """## Caveats on the observed record

* IOM Missing Migrants counts are a **lower bound**: only documented deaths are recorded, invisible shipwrecks
  are missed and figures rise as incidents are added. A model that exceeds them is not necessarily wrong.
* Frontex counts **detections, not persons**: one person can be detected more than once (notably 2015, Greek
  islands then the Western Balkans), and figures are revised after publication.
* Annual model totals are sums of monthly output per replicate; the interval is the 5-95% range across
  replicates (stochastic uncertainty only, not parameter or structural uncertainty).
* Relative errors are undefined where the observation is 0; such rows count as within tolerance only if
  the simulated median is also 0.
"""


def write_report(results: xr.Dataset, observed: xr.Dataset, out_dir: Path,
                 targets: Sequence[FitTarget] = DEFAULT_TARGETS, split_year: int | None = None,
                 title: str = "Calibration fit report", extra_md: str = "",
                 discrepancy: dict[str, dict[str, float]] | None = None,
                 preface: Callable[[pd.DataFrame], str] | None = None) -> Path:
    """Write ``report.md``, ``fit_table.csv`` and ``plots/fit_<target>.png`` to ``out_dir``; return the report.

    With ``split_year`` the years after it are labelled out-of-sample and summarised on their own, because
    an in-sample fit says little about whether the model can be trusted for scenarios. With ``discrepancy``
    (standard deviations on the log scale by target and route, :mod:`sim.analysis.discrepancy`) each row also
    gets the 90% interval with the model's structural error added. ``preface`` makes a section from the
    finished fit table (the targets' scorecard) placed after the summary."""
    out_dir = Path(out_dir)
    (out_dir / "plots").mkdir(parents=True, exist_ok=True)
    table = fit_table(results, observed, targets)
    if split_year is not None:
        table = label_periods(table, split_year)
    if discrepancy:
        table = widen(table, discrepancy)
    table.to_csv(out_dir / "fit_table.csv", index=False)
    summary = fit_summary(table)
    years = _full_years(results, None)

    md = [f"# {title}", ""]
    md.append(f"Scenario `{results.attrs.get('scenario_name', '')}`, {results.sizes['replicate']} replicates, "
              f"full model years {years[0]}-{years[-1]}." if years else "No full model year in the results.")
    md += ["", "## What was compared", ""]
    for t in targets:
        md.append(f"* **{t.label}** (`{t.name}`): annual sum of model `{t.model_var}` vs observed "
                  f"`{t.observed_var}`; within tolerance if |median - observed| <= {t.tolerance:.0%} of observed.")
    md.append("* Naive baseline: the observed value of the previous year (`naive_last_year`).")
    if discrepancy:
        md.append("* `pred_p05`..`pred_p95`: the 90% interval with the model discrepancy (its structural error, "
                  "estimated from the fitting years only; `sim/analysis/discrepancy.py`) added to the replicates' "
                  "spread; `inside_90_pred` says whether it holds the record. Discrepancy, sd of the log error: "
                  + "; ".join(f"{tg}: " + ", ".join(f"{r} {s:.2f}" for r, s in by.items())
                              for tg, by in discrepancy.items()) + ".")
    if split_year is not None:
        md.append(f"* Years up to {split_year} are in-sample (used for calibration); later years are "
                  "out-of-sample.")
    md += ["", "## Summary", "", _md_table(summary), ""]
    md += ["`median_abs_error_pct` is the model's median |error| %; `naive_median_abs_error_pct` the same for "
           "the last-year forecast (over `n_naive` rows that have a previous observation).", ""]
    if preface is not None and (section := preface(table)):
        md += [section.rstrip(), ""]
    shown = ["route", "year", "observed", "sim_median", "sim_p05", "sim_p95", "error_pct", "within_tolerance",
             "inside_90", *(["pred_p05", "pred_p95", "inside_90_pred"] if discrepancy else []), "naive_last_year",
             "naive_error_pct"] + (["period"] if split_year is not None else [])
    for t in targets:
        rows = table[table["target"] == t.name]
        md += [f"## {t.label}", "", f"![{t.label}](plots/fit_{t.name}.png)", ""]
        md += [_md_table(rows[shown]) if len(rows) else "No route-year with both model output and an observation.",
               ""]
        if years:
            _plot_target(results, observed, t, years, split_year, out_dir / "plots" / f"fit_{t.name}.png")
    md.append(CAVEATS)
    if extra_md:
        md += [extra_md.rstrip(), ""]
    path = out_dir / "report.md"
    path.write_text("\n".join(md))
    return path
