"""Interventions, one module per type; importing this package registers them all."""

from sim.interventions import (  # noqa: F401
    asset_confiscation,
    boat_seizure,
    border_enforcement,
    cheap_boats,
    content_takedown,
    departure_control,
    host_pressure,
    information_campaign,
    labour_mobility,
    legal_pathway,
    livelihoods,
    network_disruption,
    onward_passage,
    origin_pressure,
    prosecution,
    protection_assistance,
    returns_reintegration,
    search_and_rescue,
    situational_awareness,
)
from sim.interventions.base import REGISTRY, Intervention, InterventionSpec, make

__all__ = ["REGISTRY", "Intervention", "InterventionSpec", "make"]
