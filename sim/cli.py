"""Command line: ``routesim run|check|schema|...``. A thin layer over :mod:`sim.run`; errors are one line, exit 2."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import threading
from pathlib import Path

from sim import __version__
from sim.errors import InputError, shorten


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="routesim", description="Agent-based model of irregular migration "
                                "routes to Europe: flows, deaths and smugglers' business under policy scenarios.")
    p.add_argument("--version", action="version", version=f"routesim {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="simulate a scenario and write results, summary, plots")
    r.add_argument("scenario", type=Path)
    r.add_argument("--out", type=Path, default=None, help="output folder (default runs/<scenario name>)")
    r.add_argument("--replicates", type=int, default=None, help="override the scenario's replicates")
    r.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    r.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    _worker_options(r, "worker processes (default: one per core; results do not depend on it)")
    _memory_option(r)
    k = sub.add_parser("calibrate", help="fit free parameters to the public record (resumable)")
    k.add_argument("spec", type=Path)
    k.add_argument("--out", type=Path, required=True, help="output folder (an existing one is resumed)")
    k.add_argument("--until", default=None, help="end of the fitting period, YYYY-MM (overrides the spec)")
    k.add_argument("--trials", type=int, default=None, help="override the spec's trial budget")
    k.add_argument("--start-from", type=Path, default=None,
                   help="start from this fitted file's values rather than the scenario's (never from one fitted "
                        "on years this fit holds out)")
    k.add_argument("--final-replicates", type=int, default=None, help="override the full-scale check's replicates")
    k.add_argument("--check-only", action="store_true",
                   help="fit nothing: rerun the full-scale check of OUT/fitted.yaml on the current code and rewrite "
                        "the report (report.md, fit_table.csv, plots/, the discrepancy in fitted.yaml)")
    _engine_options(k, "worker processes (default: the spec's)")
    m = sub.add_parser("compare", help="run scenarios against a baseline with common random numbers")
    m.add_argument("baseline", type=Path)
    m.add_argument("alternatives", type=Path, nargs="+")
    m.add_argument("--out", type=Path, required=True, help="output folder")
    m.add_argument("--replicates", type=int, default=None, help="override the baseline's replicates")
    m.add_argument("--scale", type=float, default=None,
                   help="agents per person, 1/n (override the baseline's, e.g. 0.01 for a quick look)")
    m.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    _worker_options(m)
    _memory_option(m)
    g = sub.add_parser("sensitivity", help="global sensitivity analysis (Morris) over named parameters")
    g.add_argument("spec", type=Path)
    g.add_argument("--out", type=Path, required=True, help="output folder")
    _worker_options(g, "worker processes (default: the spec's)")
    f = sub.add_parser("forecast", help="probabilistic forecast from a month on, for dashboards")
    f.add_argument("scenarios", type=Path, nargs="+", help="scenario file(s); the first is the reference")
    f.add_argument("--from", dest="origin", required=True, help="forecast origin, YYYY-MM (first forecast month)")
    f.add_argument("--horizon", type=int, default=12, help="months to forecast (default 12)")
    f.add_argument("--out", type=Path, required=True, help="output folder")
    f.add_argument("--draws", type=int, default=10, help="posterior draws (default 10)")
    f.add_argument("--replicates", type=int, default=2, help="stochastic replicates per draw (default 2)")
    f.add_argument("--scale", type=float, default=None, help="agents per person, 1/n (default: the scenario's)")
    f.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    _engine_options(f)
    _memory_option(f)
    b = sub.add_parser("backtest", help="rolling-origin forecasts scored against the record and four baselines")
    b.add_argument("scenario", type=Path)
    b.add_argument("--out", type=Path, required=True, help="output folder")
    b.add_argument("--first", default="2019-01", help="first forecast origin, YYYY-MM (default 2019-01)")
    b.add_argument("--last", default="2024-01", help="last forecast origin, YYYY-MM (default 2024-01)")
    b.add_argument("--anchor", type=Path, action="append", default=[], dest="anchors",
                   help="a fitted.yaml of routesim calibrate --until; each origin takes its parameters from the "
                        "latest one fitted before it (repeat; default: the scenario's calibration)")
    b.add_argument("--every", type=int, default=3, help="months between origins (default 3)")
    b.add_argument("--horizon", type=int, default=12, help="months ahead (default 12)")
    b.add_argument("--draws", type=int, default=4, help="posterior draws (default 4)")
    b.add_argument("--replicates", type=int, default=2, help="replicates per draw (default 2)")
    b.add_argument("--scale", type=float, default=0.05, help="agents per person, 1/n (default 0.05, the minimum)")
    _engine_options(b)
    _memory_option(b)
    k = sub.add_parser("check-output", help="check a forecast file against the dashboard schema")
    k.add_argument("file", type=Path, help="forecast.nc, forecast.zarr or a forecast output folder")
    k.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    j = sub.add_parser("schema", help="the JSON Schema of scenario files, for editors (docs/scenario.schema.json)")
    j.add_argument("--out", type=Path, default=None, help="write it to this file (default: print it)")
    j.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    c = sub.add_parser("check", help="validate a scenario file without running it")
    c.add_argument("scenario", type=Path)
    c.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")
    return p


_ONE_PER_CORE = "worker processes (default: one per core)"


def _worker_options(p: argparse.ArgumentParser, workers_help: str = _ONE_PER_CORE) -> None:
    p.add_argument("--workers", type=int, default=None, help=workers_help)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks")


def _memory_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--memory-limit", default=None, metavar="SIZE",
                   help="refuse a run estimated to need more, e.g. 4G or 500M (default: $ROUTESIM_MEMORY_LIMIT, "
                   "else this machine's memory)")


def _engine_options(p: argparse.ArgumentParser, workers_help: str = _ONE_PER_CORE) -> None:
    _worker_options(p, workers_help)
    p.add_argument("--engine", choices=("auto", "serial", "pool", "dask"), default="auto",
                   help="where runs go: auto = Dask (a local cluster of --workers, or --scheduler's), "
                   "serial for one worker")
    p.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler, tcp://host:8786")


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM is handled as Ctrl-C: workers stopped, temporary files removed


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminated) if in_main_thread else None
    try:
        return _dispatch(args)
    except InputError as exc:
        if args.debug:
            raise
        print(f"routesim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        resumable = " (finished runs are kept: the same command resumes)" if args.command in RESUMABLE else ""
        print(f"routesim: interrupted; no output written{resumable}", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one line for people, tracebacks with --debug
        if args.debug:
            raise
        print(f"routesim: internal error: {type(exc).__name__}: {shorten(exc, 200)} (rerun with --debug for "
              "details)", file=sys.stderr)
        return 1
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


RESUMABLE = ("calibrate", "sensitivity", "backtest")
CALIBRATION_FILES = ("fitted.yaml", "trials.csv", "evaluations.db", "trials.db")
"""Files that mark a folder as a calibration's own output, which ``routesim calibrate`` resumes."""


def _dispatch(args: argparse.Namespace) -> int:
    from sim.io.outfolder import STATE_DIR, check_out
    from sim.io.scenario import load_scenario

    if args.command == "check":
        from sim.run.footprint import check_ids, estimate

        scn = load_scenario(args.scenario)
        fp = estimate(scn)
        check_ids(scn, fp)
        print(f"{args.scenario}: ok ({scn.name}, {scn.period_start:%Y-%m} to {scn.period_end:%Y-%m}, "
              f"{len(scn.interventions)} interventions; estimated {fp.describe()})")
        return 0
    if args.command == "schema":
        import json

        from sim.io.scenario_schema import scenario_json_schema

        text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
        if args.out is None:
            sys.stdout.write(text)
            return 0
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"--out {shorten(args.out, 100)}: cannot write it ({shorten(exc.strerror, 60)})") from None
        print(f"wrote {args.out}")
        return 0
    if args.command == "run":
        if args.workers is None:
            args.workers = os.cpu_count() or 1
        for name in ("replicates", "workers"):
            value = getattr(args, name)
            if value is not None and value < 1:
                raise InputError(f"--{name}: {value} is not allowed; expected a whole number >= 1")
        if args.seed is not None and args.seed < 0:
            raise InputError(f"--seed: {args.seed} is not allowed; expected a whole number >= 0")
        scn = load_scenario(args.scenario)  # validate before the heavy imports: bad input fails fast
        from sim.run.footprint import check_fits

        check_fits([scn], min(args.workers, args.replicates or scn.replicates), limit=args.memory_limit)
        from sim.run import run_scenario

        out = args.out if args.out is not None else Path("runs") / scn.name
        check_out(out)  # before simulating: an OUT that cannot take the results fails now, not after the run
        ds = run_scenario(scn, out=out, replicates=args.replicates, seed=args.seed, workers=args.workers,
                          progress=not args.quiet, plots=not args.no_plots)
        print(f"wrote {out}/ (results.nc, summary.csv, plots/, run.json): {ds.sizes['replicate']} replicates, "
              f"{ds.attrs['wall_seconds']:.1f} s")
        return 0
    if args.command == "check-output":
        from sim.forecast.schema import check_output

        problems = check_output(args.file)
        for p in problems:
            print(f"{args.file}: {p}")
        print(f"{args.file}: {'ok' if not problems else f'{len(problems)} problems'} "
              f"(routesim-forecast schema)")
        return 1 if problems else 0
    if args.command == "forecast":
        from sim.io.scenario import parse_month

        origin = parse_month(args.origin, lambda m: InputError(f"--from: {m}"))
        workers = _positive(args.workers, "workers", os.cpu_count() or 1)
        for name in ("draws", "replicates", "horizon"):
            _positive(getattr(args, name), name, None)
        _scale(args.scale)
        if args.seed is not None and args.seed < 0:
            raise InputError(f"--seed: {args.seed} is not allowed; expected a whole number >= 0")
        scenarios = [load_scenario(p) for p in args.scenarios]
        if len({s.name for s in scenarios}) < len(scenarios):
            raise InputError("scenarios: two scenarios share a name; names label the output's scenario dimension")
        from sim.run.footprint import check_fits

        check_fits(scenarios, _at_once(args, workers, len(scenarios) * args.draws * args.replicates),
                   args.scale or scenarios[0].agents_per_person, _last_month(origin, args.horizon), args.memory_limit)
        check_out(args.out)
        from sim.forecast.run import run_forecast

        ds = run_forecast(scenarios, origin, args.horizon, out=args.out, draws=args.draws,
                          replicates=args.replicates, agents_per_person=args.scale, seed=args.seed,
                          workers=workers, engine=args.engine, scheduler=args.scheduler, progress=not args.quiet)
        print(f"wrote {args.out}/ (forecast.nc, forecast.zarr, forecast.csv, forecast.json, report.html): "
              f"{ds.sizes['scenario']} scenarios x {ds.sizes['draw']} members, {ds.sizes['time']} months from "
              f"{ds.attrs['forecast_origin']}, {ds.attrs['wall_seconds']:.0f} s")
        return 0
    if args.command == "backtest":
        from sim.io.scenario import parse_month

        first = parse_month(args.first, lambda m: InputError(f"--first: {m}"))
        last = parse_month(args.last, lambda m: InputError(f"--last: {m}"))
        if last < first:
            raise InputError(f"--last: {args.last} is before --first {args.first}")
        workers = _positive(args.workers, "workers", os.cpu_count() or 1)
        for name in ("draws", "replicates", "horizon", "every"):
            _positive(getattr(args, name), name, None)
        _scale(args.scale)
        scn = load_scenario(args.scenario)
        from sim.forecast.backtest import anchor_for, quarterly, read_anchor
        from sim.forecast.ensemble import check_origins
        from sim.io.observed import load_observations

        origins = quarterly(first, last, args.every)
        check_origins(scn, origins, args.horizon)
        anchors = tuple(read_anchor(a) for a in args.anchors)
        for origin in origins if anchors else ():
            anchor_for(origin, anchors)  # every origin has a fit that ended before it
        observed = load_observations(latest=True)  # months published after LAST_YEAR are scored too
        end = observed.indexes["time"][-1].date()
        if origins[-1] > end:
            raise InputError(f"--last: {args.last} is after the record's last month ({end:%Y-%m}); nothing to "
                             "score there")
        from sim.run.footprint import check_fits

        check_fits([scn], _at_once(args, workers, len(origins) * args.draws * args.replicates), args.scale,
                   _last_month(origins[-1], args.horizon), args.memory_limit)
        check_out(args.out, own=(STATE_DIR,))  # an interrupted backtest's OUT is resumed
        from sim.forecast.backtest_report import backtest_to_folder

        settings = {"first": args.first, "last": args.last, "every": args.every, "workers": workers,
                    "engine": args.engine, "agents_per_person": args.scale}
        head = backtest_to_folder(scn, args.out, origins, args.horizon, observed, settings, anchors=anchors,
                                  draws=args.draws,
                                  replicates=args.replicates, agents_per_person=args.scale, workers=workers,
                                  engine=args.engine, scheduler=args.scheduler, progress=not args.quiet)
        wins = head["best (CRPS)"].value_counts().to_dict()
        import json

        meta = json.loads((args.out / "run.json").read_text(encoding="utf-8"))
        print(f"wrote {args.out}/ (report.md, scores.csv, points.csv, forecasts.nc, plots/): {len(origins)} origins; "
              f"lowest CRPS by target-route: " + ", ".join(f"{k} {v}" for k, v in wins.items())
              + f"; {meta['jobs_computed']} job(s) computed, {meta['jobs_reused']} reused from {STATE_DIR}")
        return 0
    if args.command == "compare":
        workers = _positive(args.workers, "workers", os.cpu_count() or 1)
        replicates = _positive(args.replicates, "replicates", None)
        _scale(args.scale)
        baseline = load_scenario(args.baseline)
        alternatives = [load_scenario(p) for p in args.alternatives]
        from sim.run.footprint import check_fits

        jobs = (1 + len(alternatives)) * (replicates or baseline.replicates)
        check_fits([baseline, *alternatives], min(workers, jobs), args.scale, limit=args.memory_limit)
        check_out(args.out)
        from sim.analysis.compare import compare_scenarios

        ds, _, crn = compare_scenarios(baseline, alternatives, out=args.out, replicates=replicates, scale=args.scale,
                                       workers=workers, progress=not args.quiet, plots=not args.no_plots)
        worst = crn["ratio"].max()
        print(f"wrote {args.out}/ (report.md, differences.csv, crn.csv, comparison.nc, plots/): "
              f"{ds.sizes['scenario']} scenarios x {ds.sizes['replicate']} replicates; paired/independent "
              f"spread of differences at most {worst:.2f}")
        return 0
    if args.command == "sensitivity":
        from sim.analysis.sensitivity import run_sensitivity
        from sim.analysis.sensitivity_spec import load_sensitivity_spec

        spec = load_sensitivity_spec(args.spec)
        workers = _positive(args.workers, "workers", None)
        check_out(args.out, own=(STATE_DIR,))  # an interrupted analysis's OUT is resumed
        print(run_sensitivity(spec, args.out, workers=workers, progress=not args.quiet))
        return 0
    if args.command == "calibrate":
        import dataclasses

        from sim.analysis.calibration_spec import load_spec

        spec = load_spec(args.spec, until=args.until)
        for name in ("trials", "workers", "final_replicates"):
            value = getattr(args, name)
            if value is not None:
                if value < 1:
                    raise InputError(f"--{name.replace('_', '-')}: {value} is not allowed; expected >= 1")
                spec = dataclasses.replace(spec, **{name: value})
        if args.start_from is not None:
            from sim.analysis.calibration import start_from

            spec = start_from(spec, args.start_from)
        check_out(args.out, own=CALIBRATION_FILES)  # an existing OUT of its own is resumed
        from sim.analysis.calibration_run import run_calibration

        report = run_calibration(spec, args.out, progress=not args.quiet, engine=args.engine,
                                 scheduler=args.scheduler, check_only=args.check_only)
        print(f"wrote {args.out}/ (fitted.yaml, trials.csv, report.md, plots/): {report}")
        return 0
    raise InputError(f"unknown command {args.command}")


def _at_once(args: argparse.Namespace, workers: int, jobs: int) -> int:
    """Models in memory at once: one per worker, at most one per job; one with a remote --scheduler (whose
    workers' memory is not known here, but one model must fit somewhere) or the serial engine."""
    if args.scheduler is not None or args.engine == "serial":
        return 1
    return min(workers, jobs)


def _last_month(origin: dt.date, horizon: int) -> dt.date:
    """The first day of the last month of a forecast from ``origin`` over ``horizon`` months."""
    k = origin.month - 1 + horizon - 1
    return dt.date(origin.year + k // 12, k % 12 + 1, 1)


def _scale(value: float | None) -> None:
    from sim.io.scenario_rules import agents_per_person_problem

    problem = None if value is None else agents_per_person_problem(value)
    if problem:
        raise InputError(f"--scale (agents_per_person): {problem}")


def _positive(value: int | None, name: str, default: int | None) -> int | None:
    if value is None:
        return default
    if value < 1:
        raise InputError(f"--{name}: {value} is not allowed; expected a whole number >= 1")
    return value


if __name__ == "__main__":
    sys.exit(main())
