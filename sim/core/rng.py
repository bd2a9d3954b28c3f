"""Counter-based random streams: common random numbers for every decision.

A draw is a pure function of (seed, replicate, decision, day, key), where the key is usually a
migrant's id. So a migrant's draw for "leave today?" does not depend on what other agents drew, on
the order agents are processed, or on how many worker processes run: two scenarios run with the
same seed differ only by their interventions (paired comparisons), and results are identical
whatever the number of workers. This is Starsim's common-random-numbers idea, done with a
SplitMix64 hash instead of per-slot generator state so that it vectorises over millions of ids.
"""

from __future__ import annotations

import math
from enum import IntEnum

import numba
import numpy as np
from scipy import special, stats

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MASK = (1 << 64) - 1


class Decision(IntEnum):
    """One stream per decision, so adding a decision never shifts another's draws."""

    ASPIRANTS = 1
    ORIGIN_DEPART = 3
    ORIGIN_GIVE_UP = 4
    ROUTE_CHOICE = 6
    LAND_DEATH = 7
    LAND_INTERCEPT = 8
    HUB_GIVE_UP = 9
    BOARD = 10
    CELL = 11
    BOAT_CLASS = 12
    INTERCEPT = 13
    DISTRESS = 14
    RESCUE = 15
    WRECK_DEATH = 16
    PUSHBACK = 17
    DEPORT = 18
    REMIGRATE = 19
    WEATHER = 20
    ARRESTS = 21
    SEIZURE = 22
    SAVINGS = 23
    INFO = 24
    ELIGIBLE = 25
    PULLBACK = 26
    DETENTION = 27
    REINTEGRATION = 28
    QUIT_AFTER_INTERCEPTION = 29
    SKILLS = 30
    LEGAL_DESTINATION = 31
    CONTACT = 32
    WAIT_GIVE_UP = 33
    HOST_ONWARD = 34
    SETTLE = 35


_S30, _S27, _S31, _S11 = (np.uint64(k) for k in (30, 27, 31, 11))


@numba.njit(cache=True, inline="always")
def keyed_uniform(key: np.uint64, salt: np.uint64) -> float:
    """The U(0,1) draw for one key (as a uint64) and a (decision, day) salt: the same number
    :meth:`Streams.uniform` gives, for compiled kernels that draw inside their own loop."""
    x = key * _GOLDEN + salt
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return (np.float64(x >> _S11) + 0.5) * (1.0 / 9007199254740992.0)


@numba.njit(cache=True)
def _uniforms(keys: np.ndarray, salt: np.uint64) -> np.ndarray:
    out = np.empty(len(keys), np.float64)
    for i in range(len(keys)):
        out[i] = keyed_uniform(keys[i], salt)
    return out


def poisson_quantile(q: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """The Poisson quantile for 0 < q < 1 and lam > 0, as ``scipy.stats.poisson.ppf`` computes it (the
    same special functions), without the distribution machinery that costs more than the arithmetic."""
    vals = np.ceil(special.pdtrik(q, lam))
    below = np.maximum(vals - 1, 0)
    return np.where(special.pdtr(below, lam) >= q, below, vals).astype(np.int64)


def _mix_int(x: int) -> int:
    x &= _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


class Streams:
    """Uniform, normal and Gumbel draws keyed by (decision, day, key) for one replicate."""

    def __init__(self, seed: int, replicate: int = 0) -> None:
        self.seed = int(seed)
        self.replicate = int(replicate)
        self._base = _mix_int(_mix_int(self.seed * 0x9E3779B97F4A7C15 + 1) + self.replicate + 1)
        self._salts: dict[tuple[int, int], np.uint64] = {}

    def _salt(self, decision: int, day: int) -> np.uint64:
        salt = self._salts.get((decision, day))  # an IntEnum hashes and compares as its int
        if salt is None:
            if len(self._salts) > 256:  # draws move forward in time: keep the cache small
                self._salts.clear()
            key = (int(decision), int(day))
            salt = np.uint64(_mix_int(self._base ^ _mix_int((key[0] << 32) + key[1] + 0x5BD1E995)))
            self._salts[key] = salt
        return salt

    def uniform(self, decision: int, day: int, keys: np.ndarray) -> np.ndarray:
        """U(0,1) draws, one per key; keys are non-negative integers (migrant ids, slots...)."""
        k = np.asarray(keys)
        k = k.view(np.uint64) if k.dtype == np.int64 else k.astype(np.uint64)
        if k.ndim == 1:
            return _uniforms(k, self._salt(decision, day))
        return _uniforms(k.reshape(-1), self._salt(decision, day)).reshape(k.shape)

    def salt(self, decision: int, day: int) -> np.uint64:
        """The (decision, day) salt a compiled kernel passes to :func:`keyed_uniform`."""
        return self._salt(decision, day)

    def normal(self, decision: int, day: int, keys: np.ndarray) -> np.ndarray:
        return special.ndtri(self.uniform(decision, day, keys))

    def poisson(self, decision: int, day: int, keys: np.ndarray, lam: np.ndarray) -> np.ndarray:
        """Poisson counts by inverting the CDF at the keyed uniforms (exact, deterministic)."""
        u = self.uniform(decision, day, keys)
        lam = np.asarray(lam, dtype=np.float64)
        out = np.zeros(u.shape, dtype=np.int64)
        pos = lam > 0
        if pos.any():
            out[pos] = poisson_quantile(u[pos], lam[pos])
        return out

    def scalar_uniform(self, decision: int, day: int, key: int) -> float:
        """The same draw as ``uniform`` for one key, in plain Python (cheap for the few Mesa agents)."""
        h = _mix_int((key * 0x9E3779B97F4A7C15 + int(self._salt(decision, day))) & _MASK)
        return ((h >> 11) + 0.5) * (1.0 / (1 << 53))

    def scalar_poisson(self, decision: int, day: int, key: int, lam: float) -> int:
        """Poisson count by CDF inversion; meant for small means (arrests, seizures)."""
        if lam <= 0:
            return 0
        return poisson_from_uniform(self.scalar_uniform(decision, day, key), lam)


def poisson_from_uniform(u: float, lam: float) -> int:
    """The Poisson(lam) count at the uniform draw ``u`` (lam > 0): the CDF summed term by term for small
    means, SciPy's quantile for large ones."""
    if lam > 50:
        return int(stats.poisson.ppf(u, lam))
    k, prob = 0, math.exp(-lam)
    cdf = prob
    while u > cdf and k < 10_000:
        k += 1
        prob *= lam / k
        cdf += prob
    return k
