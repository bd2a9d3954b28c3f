"""routesim: an agent-based model of irregular migration routes to Europe.

Migrants live in arrays (``sim.core.population``); smuggler cells and border/rescue authorities are Mesa
agents (``sim.core.smugglers``, ``sim.core.authorities``). The one obvious way in is :func:`run_scenario`.
"""

__version__ = "0.1.0"
