"""Migrants as a structure of arrays: one row per agent, one array per attribute (as Starsim's People).

Millions of migrants pass through a run, so no migrant is a Python object. Every agent has exactly one
:class:`Status` at any time. Agents in a final status stay in the arrays until the next compaction,
with ``until`` set beyond the end of the run so that no handler touches them again.
"""

from __future__ import annotations

from enum import IntEnum

import numba
import numpy as np

NEVER = np.iinfo(np.int32).max
REVIEW_DAYS = 7  # aspirants at origin review their plans weekly, each on its own weekday


class TooManyAgents(RuntimeError):
    """More agents than the run can hold: more alive at once than the config's ``max_live_agents``, or more
    created in a day than migrant ids have room for. A calibration trial in a corner of its priors where the
    simulated population explodes stops here, and is recorded as failed, instead of running for an hour or
    ending the whole fit."""


class Status(IntEnum):
    AT_ORIGIN = 0  # aspirant, preparing to leave
    TRAVELLING = 1  # on a land or air leg, or crossing a land border
    WAITING = 2  # in a hub or at a departure point, working to pay the next leg
    WITH_SMUGGLER = 3  # fee in hand, waiting for a boat at a departure point
    AT_SEA = 4
    DETAINED = 5  # intercepted and held
    RETURNED = 6  # returned to the origin country, deciding whether to leave again
    ARRIVED = 7  # final: reached a destination
    DEAD_MISSING = 8  # final
    LEGAL = 9  # final: entered through a legal pathway
    EXITED = 10  # final: gave up, settled in a transit country, or stayed home after return


FINAL = (Status.ARRIVED, Status.DEAD_MISSING, Status.LEGAL, Status.EXITED)
N_STATUS = len(Status)

# What an agent will do when its timer (``until``) runs out, for statuses whose outcome is drawn early.
INTENT_NONE, INTENT_GIVE_UP, INTENT_ARRIVE, INTENT_DIE, INTENT_INTERCEPT, INTENT_PUSHBACK = range(6)

_FIELDS: dict[str, type] = {
    "uid": np.int64,
    "origin": np.int16,
    "node": np.int16,
    "status": np.int8,
    "path": np.int32,
    "leg": np.int8,  # index in the path of the next (or current) edge
    "route": np.int8,  # route of the planned path (reporting unit)
    "savings": np.float32,  # EUR
    "info": np.float32,  # 0..1: weight on observed outcomes vs the prior when judging risk
    "eligible": np.bool_,  # eligible for a legal pathway from the origin
    "attempts": np.int16,  # border-crossing attempts so far
    "at_node_since": np.int32,  # day the agent reached its current place
    "since": np.int32,  # day savings were last credited / the current activity began
    "until": np.int32,  # day the agent next needs attention
    "intent": np.int8,
}


class Population:
    """Growable arrays of agents; ``n`` rows are in use."""

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self._cap = max(16, capacity)
        for name, dtype in _FIELDS.items():
            setattr(self, name, np.zeros(self._cap, dtype))
        self.n_final_rows = 0  # rows in a final status still held (removed at compaction)
        self._scratch = np.empty(0, np.int64)  # working space of due_by_status

    def __len__(self) -> int:
        return self.n

    def add(self, **columns: np.ndarray) -> np.ndarray:
        """Append agents; returns their row indices. Columns not given are zero."""
        k = len(columns["uid"])
        if self.n + k > self._cap:
            self._grow(self.n + k)
        rows = np.arange(self.n, self.n + k)
        for name in _FIELDS:
            arr = getattr(self, name)
            if name in columns:
                arr[rows] = columns[name]
            else:
                arr[rows] = 0
        self.n += k
        return rows

    def _grow(self, need: int) -> None:
        self._cap = max(need, int(self._cap * 1.5))
        for name in _FIELDS:
            old = getattr(self, name)
            new = np.zeros(self._cap, old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)

    def due_by_status(self, t: int) -> tuple[np.ndarray, list[int]]:
        """Rows whose timer has run out by day ``t`` (the migrants that need attention today), grouped by
        status (in row order within each), and where each status's rows start: rows of status ``s`` are
        ``rows[bounds[s]:bounds[s + 1]]``."""
        if len(self._scratch) < self.n:
            self._scratch = np.empty(self._cap, np.int64)
        rows, counts = _due_by_status(self.until[: self.n], self.status[: self.n], t, N_STATUS, self._scratch)
        return rows, [0, *np.cumsum(counts).tolist()]

    def finalise(self, rows: np.ndarray, status: Status) -> None:
        self.status[rows] = status
        self.until[rows] = NEVER
        self.n_final_rows += len(rows)

    def compact(self) -> None:
        """Drop rows in a final status (their outcomes are already counted in the model's tallies)."""
        keep = np.flatnonzero(self.until[: self.n] != NEVER)
        k = len(keep)
        for name in _FIELDS:
            arr = getattr(self, name)
            arr[:k] = arr[keep]
        self.n = k
        self.n_final_rows = 0

    def status_counts(self) -> np.ndarray:
        return np.bincount(self.status[: self.n], minlength=N_STATUS)


@numba.njit(cache=True)
def _due_by_status(until: np.ndarray, status: np.ndarray, t: int, n_status: int,
                   scratch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A counting sort of the due rows by status: the same order as a stable sort of ``flatnonzero(until <= t)``
    by status, without the population-sized mask and the sort. ``scratch`` holds at least ``len(until)``."""
    k = 0
    for i in range(len(until)):  # branch-free compaction of the due rows
        scratch[k] = i
        k += until[i] <= t
    counts = np.zeros(n_status, np.int64)
    for j in range(k):
        counts[status[scratch[j]]] += 1
    start = np.zeros(n_status, np.int64)
    for s in range(1, n_status):
        start[s] = start[s - 1] + counts[s - 1]
    rows = np.empty(k, np.int64)
    for j in range(k):
        i = scratch[j]
        s = status[i]
        rows[start[s]] = i
        start[s] += 1
    return rows, counts
