"""Interventions, one module per type; importing this package registers them all."""

from sim.interventions import border_enforcement, legal_pathway, origin_pressure, search_and_rescue  # noqa: F401
from sim.interventions.base import REGISTRY, Intervention, InterventionSpec, make

__all__ = ["REGISTRY", "Intervention", "InterventionSpec", "make"]
