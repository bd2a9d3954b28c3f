"""The policy levers of one day: what authorities and interventions set, what migrants and smugglers face.

Authorities write their baseline values at the start of each day; interventions then adjust them.
Keeping all levers in one object (per edge, per node, per origin) is what lets an intervention be a
small module: it only ever edits these arrays. ``reset`` restores the neutral value of each lever
(1 for multipliers, 0 otherwise) so that a lever nobody touches has no effect.
"""

from __future__ import annotations

import numpy as np

from sim.core.network import Network


class Levers:
    def __init__(self, net: Network) -> None:
        e, n, o, d = net.n_edges, net.n_nodes, len(net.origins), len(net.destinations)
        # borders and the sea (per edge)
        self.interception = np.zeros(e)  # probability a departure (boat or person) is stopped
        self.rescue = np.zeros(e)  # probability a boat in distress is rescued
        self.pullback_share = np.zeros(e)  # share of rescues disembarked back in the departure country
        self.pushback = np.zeros(e)  # probability an arriving boat / person is pushed back
        self.deport_share = np.zeros(e)  # share of those intercepted who are deported to their origin
        self.risk_mult = np.ones(e)  # multiplier on land-leg death risk and sea distress
        self.fee_mult = np.ones(e)  # multiplier on the fee of a leg (smugglers' costs passed on)
        self.remigrate_mult = np.ones(e)  # multiplier on re-migration after a return from this leg
        self.surge_gain = np.zeros(e)  # extra interception per unit surge of attempts (situational awareness)
        self.surge_lag_days = np.zeros(e)  # days between a surge and the authorities' response to it
        self.arrival_utility = np.zeros(d)  # utility of reaching each destination (onward passage beyond it)
        # smugglers (per node)
        self.boat_seizure_rate = np.zeros(n)  # per day, share of boats in stock seized at a node
        self.arrest_rate = np.zeros(n)  # per day, probability a smuggler (either rank) at a node is arrested
        self.organiser_arrests = np.zeros(n)  # per day, organisers arrested at a node by targeted operations
        self.aide_arrests = np.zeros(n)  # per day, aides arrested at a node by targeted operations
        self.recruit_mult = np.ones(n)  # multiplier on the time to replace an arrested member (deterrence)
        self.confiscation_share = np.zeros(n)  # share of smugglers' proceeds confiscated
        self.contact_mult = np.ones(n)  # multiplier on the chance a waiting migrant finds a seat (outreach)
        self.unseaworthy_extra = np.zeros(n)  # extra share of unseaworthy boats cells buy (a cheaper boat type)
        self.launch_mult = np.ones(n)  # multiplier on the launches cells at a node may make (departure control)
        self.onward_mult = np.ones(n)  # multiplier on the hazard of moving on from a host stock at a node
        # origins
        self.pressure_mult = np.ones(o)  # multiplier on the inflow of aspirants
        self.departure_mult = np.ones(o)  # multiplier on the weekly probability of setting out
        self.perceived_risk_mult = np.ones(o)  # multiplier on the journey risk migrants from an origin perceive
        self.wage_mult = np.ones(o)  # multiplier on earnings at the origin (saving for the journey)
        self.legal_places = np.zeros((o, d + 1))  # places a year, by destination (column 0: unspecified)
        self.labour_places = np.zeros((o, d + 1))  # labour-mobility places a year, by destination
        self.labour_eligible = np.zeros(o)  # share of aspirants with the skills a labour scheme asks for

    def reset(self) -> None:
        for name, value in vars(self).items():
            value[...] = 1.0 if name.endswith("_mult") else 0.0
