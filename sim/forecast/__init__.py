"""Forecasts for dashboards: projected drivers, ensembles forked at forecast origins, the output schema and
report, and the rolling-origin backtest. May use :mod:`sim.analysis` (scores, fitted values); never the CLI.
"""
