"""How much a run will need, estimated from the scenario before anything is allocated, and the limit it must fit.

A model's memory is a fixed part (Python, NumPy, xarray, Numba and its compiled loops, the network and the
drivers' series: about 300 MB) and the migrants' arrays, which grow with the number of agents alive at once.
That number follows the inflow of aspirants: each origin's ``aspirants_per_month`` (``origins.csv``) times the
largest ``origin_pressure`` multiplier in force there, times the largest multiplier the drivers put on it in
any month of the period (conflict displacement and growth, at the scenario's elasticities; ``driver_peaks``),
times ``agents_per_person``. Aspirants wait at home for months (saving, reviewing their plans weekly) before
they set out or give up, so the live population is a number of months of inflow.

Measured on the baseline with demand from data (one replicate, 2013-2024 with spin-up,
``benchmarks/bench_footprint.py``; peak RSS from ``getrusage``, live rows from the population each day):

============  ==========  =============  ===========  ==========  =============
scale         mean live   peak live      peak rows    RSS before  peak RSS
============  ==========  =============  ===========  ==========  =============
1/100         7,281       20,617         26,628       229 MB      293 MB
1/10          72,891      205,651        268,636      228 MB      297 MB
1 (full)      730,267     2,048,020      2,644,281    229 MB      479 MB
============  ==========  =============  ===========  ==========  =============

(2026-12-07, after the demand fit was adopted. Numba's compiled loops load on their first call: about 50 MB
after "RSS before"; the drivers' series about 10 MB more. The baseline before the demand fit, with its
hand-dated 2015 wave, read 281, 290 and 412 MB at peak for 15,439, 153,829 and 1,550,257 live agents.)

The full-scale peak is 9.4 months of the estimate's peak inflow (217,000 aspirants a month). On the baseline
before the demand fit the peak came at the end of its 2015 wave, 6.2 months of that wave's inflow; without the
wave it reached 10.6 months of a held inflow, and with every origin's level 100 times higher 6.8 months: the
live population grows in proportion to the inflow. :data:`MONTHS_OF_INFLOW` (11) covers the held pressure.

At full scale the arrays took 186 MB for 2.05 M live agents (peak RSS less the 293 MB at 1/100), 91 bytes per
live agent: 1.8 times the 51 bytes of one row of :class:`~sim.core.population.Population` (43 for its 15 columns
and 8 for the due scan's working space), because rows in a final status wait for compaction (up to a quarter
more), the arrays grow by half when full, and each day's handlers make index and value temporaries;
:data:`HEADROOM` is 2.5. For the full-scale baseline of the sixth demand fit the estimate was 2.39 M live agents
and 590 MB per process (measured: 2.05 M and 479 MB), an overestimate of about a fifth; for the eighth, 2.6 M
and 618 MB (measured peak: 484 MB); for the tenth, 2.6 M and 647 MB (measured peak: 512 MB).

The estimate is meant to refuse what cannot fit (a factor 100 too many aspirants, a typo in a multiplier), not
to predict memory to the megabyte. A forecast's projected drivers are not counted, and with ``--scheduler``
the models run on other machines, whose memory is not checked.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.core.network import Network
from sim.core.parameters import resolve
from sim.core.population import Population
from sim.core.processes.origins import MAX_PER_ORIGIN_DAY
from sim.errors import InputError
from sim.io.demand_inputs import load_demand_inputs
from sim.io.network_files import load_network
from sim.io.scenario import Scenario

FIXED_BYTES = 300 * 2**20
"""Memory of a process with (almost) no agents: interpreter, NumPy, xarray, Mesa, Numba's compiled loops, the
network and the drivers' series (measured 293 MB at 1/100 scale)."""
MONTHS_OF_INFLOW = 11.0
"""Peak live agents per new aspirant a month at the peak inflow (measured 9.4 on the baseline; 6.2 in a wave,
10.6 held, before the demand fit: see above)."""
HEADROOM = 2.5
"""Bytes per live agent over the bytes of one population row (measured 1.7: final rows, growth, temporaries)."""
ENV_LIMIT = "ROUTESIM_MEMORY_LIMIT"
"""Environment variable holding the memory limit (as ``--memory-limit``: 4G, 500M, 8GB, or bytes)."""
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def row_bytes() -> int:
    """Bytes of one agent row: the item sizes of the population's arrays (43 for the 15 columns, 8 for the due
    scan's working space, which grows with the columns)."""
    return sum(a.itemsize for a in vars(Population(16)).values() if isinstance(a, np.ndarray))


@dataclass(frozen=True)
class Footprint:
    """A scenario's estimated needs: per model (one replicate in one process) and for ``processes`` at once."""

    live_agents: int  # peak agents alive at once in one model
    bytes_per_process: int
    processes: int
    busiest_origin: str  # origin with the most new aspirants a day
    aspirants_per_day: float  # expected new agents a day there, at its largest multiplier

    @property
    def total_bytes(self) -> int:
        return self.bytes_per_process * self.processes

    def describe(self) -> str:
        """One clause: 'about 1.5 M live agents, 0.4 GB per process'."""
        return f"about {_count(self.live_agents)} live agents, {_size(self.bytes_per_process)} per process"


def driver_peaks(scn: Scenario, net: Network) -> np.ndarray:
    """Per origin, the largest multiplier the drivers (conflict displacement, growth) put on its aspirants in
    any month of the period, at the scenario's elasticities (``Origins.driver_mult``); 1 where they are off."""
    p = resolve(scn.parameters)
    if p["origin_conflict_elasticity"] == 0 and p["origin_growth_elasticity"] == 0:
        return np.ones(len(net.origins))
    first, last = dt.date(scn.period_start.year, scn.period_start.month, 1), scn.period_end.replace(day=1)
    demand = load_demand_inputs(scn.network, net, first, last)
    months = np.arange(demand.n_months)
    return demand.driver_multiplier(months, 0, p).max(axis=1)


def peak_multipliers(scn: Scenario, origins: list[str], end: dt.date | None = None) -> np.ndarray:
    """The largest origin-pressure multiplier in force at each origin between the spin-up's start and ``end``.

    Entries at one origin multiply; a ramped entry is counted at max(1, intensity) all along its ramp, so the
    product is an upper bound. The set of entries in force changes only at a start or the day after an end,
    and the product is largest at some entry's start (or the window's start)."""
    first = dt.date(scn.period_start.year - (scn.spinup_months + 12 - scn.period_start.month) // 12,
                    (scn.period_start.month - 1 - scn.spinup_months) % 12 + 1, 1)
    last = max(end or scn.period_end, scn.period_end)
    entries = [s for s in scn.interventions if s.type == "origin_pressure" and s.target in origins
               and s.start <= last and (s.end is None or s.end >= first)]
    peak = np.ones(len(origins))
    for o, name in enumerate(origins):
        mine = [s for s in entries if s.target == name]
        peak[o] = max(math.prod(s.intensity if s.ramp_days == 0 else max(1.0, s.intensity)
                                for s in mine if s.start <= day and (s.end is None or day <= s.end))
                      for day in {first, *(max(s.start, first) for s in mine)})
    return peak


def estimate(scn: Scenario, workers: int = 1, agents_per_person: float | None = None,
             end: dt.date | None = None) -> Footprint:
    """The scenario's estimated peak live agents and memory, with ``workers`` models running at once."""
    net = load_network(scn.network)
    app = scn.agents_per_person if agents_per_person is None else agents_per_person
    inflow = (np.asarray(net.origin_aspirants, float) * peak_multipliers(scn, list(net.origins), end)
              * driver_peaks(scn, net) * app)
    per_day = inflow * 12 / 365.25
    busiest = int(np.argmax(per_day)) if len(per_day) else 0
    live = int(math.ceil(MONTHS_OF_INFLOW * inflow.sum()))
    per_process = FIXED_BYTES + int(live * row_bytes() * HEADROOM)
    return Footprint(live_agents=live, bytes_per_process=per_process, processes=max(1, workers),
                     busiest_origin=net.origins[busiest] if len(per_day) else "",
                     aspirants_per_day=float(per_day[busiest]) if len(per_day) else 0.0)


def parse_size(text: str, where: str) -> int:
    """Bytes in '4G', '500M', '8GB', '1.5GiB' or '2000000000' (units of 1024); InputError naming ``where``."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", str(text), flags=re.IGNORECASE)
    if not m or float(m.group(1)) <= 0:
        raise InputError(f"{where}: '{text}' is not a memory size; expected a positive number with K, M, G or T, "
                         "e.g. 4G or 500M")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def machine_memory() -> int | None:
    """Bytes of memory on this machine (or in this container, if its cgroup allows less); None if unknown."""
    total = None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        try:
            text = Path("/proc/meminfo").read_text()
            total = int(re.search(r"MemTotal:\s+(\d+) kB", text).group(1)) * 1024
        except (OSError, AttributeError):
            pass
    try:
        cgroup = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if cgroup.isdigit() and (total is None or int(cgroup) < total):
            total = int(cgroup)
    except OSError:
        pass
    return total if total and total > 0 else None


def memory_limit(option: str | None = None) -> tuple[int | None, str]:
    """The limit in bytes and where it comes from: ``--memory-limit``, else ROUTESIM_MEMORY_LIMIT, else the
    machine's memory. None when none is known."""
    if option is not None:
        return parse_size(option, "--memory-limit"), "--memory-limit"
    env = os.environ.get(ENV_LIMIT)
    if env:
        return parse_size(env, ENV_LIMIT), ENV_LIMIT
    return machine_memory(), "this machine's memory"


def check_ids(scn: Scenario, fp: Footprint) -> None:
    """Refuse more new aspirants a day at one origin than the model's ids hold (it would stop mid-run)."""
    lam = fp.aspirants_per_day
    if lam + 6 * math.sqrt(lam) >= MAX_PER_ORIGIN_DAY:  # a Poisson draw six sd above its mean
        raise InputError(f"{scn.source or scn.name}: about {_count(lam)} new agents a day at origin "
                         f"{fp.busiest_origin}, more than the model's {MAX_PER_ORIGIN_DAY:,} per origin and day; "
                         "lower agents_per_person or the origin_pressure")


def check_fits(scenarios: Iterable[Scenario], workers: int = 1, agents_per_person: float | None = None,
               end: dt.date | None = None, limit: str | None = None) -> list[Footprint]:
    """Refuse (InputError, one line with the estimate) a run that cannot fit: more new aspirants a day at one
    origin than the model's ids hold, or more memory than the limit (:func:`memory_limit`) with ``workers``
    models at once. Returns the scenarios' footprints."""
    found = []
    cap, source = memory_limit(limit)
    for scn in scenarios:
        fp = estimate(scn, workers, agents_per_person, end)
        check_ids(scn, fp)
        if cap is not None and fp.total_bytes > cap:
            raise InputError(f"{scn.source or scn.name}: needs an estimated {_size(fp.total_bytes)} ({fp.processes} "
                             f"x {_size(fp.bytes_per_process)} for {_count(fp.live_agents)} live agents), more than "
                             f"{_size(cap)} ({source}); lower agents_per_person or --workers, or raise "
                             "--memory-limit")
        found.append(fp)
    return found


def _size(n: float) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


def _count(n: float) -> str:
    if n >= 1e9:
        return f"{n / 1e9:.1f} billion"
    return f"{n / 1e6:.1f} M" if n >= 1e6 else f"{n:,.0f}"
