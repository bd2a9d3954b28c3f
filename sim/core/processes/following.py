"""Following: each migrant who reaches Europe draws others from where they set out, over the next months.

Migrants who arrive tell those they left behind (family, neighbours, the people they shared a camp or a
flat with) that the way is open, and some follow: the network effect of migration research, which social
media have made faster (Dekker & Engbersen 2014, Global Networks 14(4)). Arrivals beget followers who, if
they arrive in turn, beget more, and when a coast closes, the arrivals that fed the flow stop and so do those
who would have followed them. (Fitted on 2014-2024, it amplified flows and added delay more than it sharpened
their turns: calibration/HISTORY.md, the second demand fit.)

Each arrival brings on average ``follow_per_arrival`` more over the months after it (an exponential delay
with mean ``follow_days``), from the group it set out from: its origin, or the host stock it moved on from
(the group is read off its id, see :func:`sim.core.processes.origins.new_ids`). Below 1, the chain of
followers dies out: a flow is amplified, never self-sustaining.

Reads: migrants finalised as ARRIVED (an observer of the world).
Writes: nothing in the population; :attr:`followers` (persons a day per group) is read by the origins (extra
aspirants) and the host stocks (extra people moving on).
"""

from __future__ import annotations

import numpy as np

from sim.core.population import Status
from sim.core.processes.origins import N_GROUPS, source_group
from sim.core.world import World


class Following:
    def __init__(self, world: World) -> None:
        self.world = world
        p = world.params
        self.per_arrival = p["follow_per_arrival"]
        self.keep = np.exp(-1.0 / p["follow_days"])  # share of the signal left after a day
        self.arrived_today = np.zeros(N_GROUPS)  # persons who arrived today, by the group they set out from
        self.signal = np.zeros(N_GROUPS)  # arrivals, decayed by the delay, by group (persons)
        self.followers = np.zeros(N_GROUPS)  # expected followers setting out today, by group (persons)
        if self.per_arrival > 0:
            world.observers.append(self)

    @property
    def on(self) -> bool:
        return self.per_arrival > 0

    def finalised(self, world: World, rows: np.ndarray, status: int) -> None:
        """Count the day's arrivals by the group each set out from."""
        if status == Status.ARRIVED and len(rows):
            np.add.at(self.arrived_today, source_group(world.pop.uid[rows]), world.weight)

    def step(self, t: int) -> None:
        """Yesterday's arrivals join the signal; today's followers are its decayed share times the mean
        number each arrival brings, so each arrival brings ``follow_per_arrival`` in all."""
        self.signal *= self.keep
        self.signal += self.arrived_today
        self.arrived_today[:] = 0.0
        np.multiply(self.signal, self.per_arrival * (1.0 - self.keep), out=self.followers)  # in place: others hold it
