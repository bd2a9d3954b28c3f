"""Worker processes that never outlive their run: they die with the parent and leave no temp folders.

A worker ignores Ctrl-C (the parent handles it and stops the pool) and, on Linux, asks the kernel for
SIGKILL when its parent dies, so a parent killed with SIGKILL leaves no orphan computing on. On an
interrupt the parent stops its workers at once rather than waiting for the replicates in hand.
"""

from __future__ import annotations

import ctypes
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def worker_setup() -> None:
    """Run first in every worker: default SIGTERM, ignore SIGINT, die with the parent (Linux)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # no prctl: workers still exit when the pool's pipe closes
            pass


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool's workers now (on Ctrl-C or SIGTERM) instead of finishing the work in hand."""
    pool.shutdown(wait=False, cancel_futures=True)
    if hasattr(pool, "terminate_workers"):  # Python 3.14
        pool.terminate_workers()
        return
    for proc in list((getattr(pool, "_processes", None) or {}).values()):  # the stdlib's own table
        if proc.is_alive():
            proc.terminate()
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.join(timeout=5)
