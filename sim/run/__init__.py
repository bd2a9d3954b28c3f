"""Running scenarios: a model configuration from a scenario, replicates on local cores or a Dask cluster.

``run_scenario(path)`` is the one obvious way in from Python; ``routesim run`` is a thin layer over it.
"""

from sim.run.scenario_run import build_config, run_scenario, simulate

__all__ = ["build_config", "run_scenario", "simulate"]
