"""The simulation itself: the model, its processes, the population arrays, the network, the random streams
and the parameters. Free of file I/O, plotting and the command line; importing it loads no xarray.
"""

from sim.core.config import ModelConfig, ReplicateResult
from sim.core.model import RouteModel

__all__ = ["ModelConfig", "ReplicateResult", "RouteModel"]
