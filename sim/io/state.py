"""Finished jobs of a long command kept under its OUT, so that an interrupted run resumes where it stopped.

``routesim sensitivity`` and ``routesim backtest`` run many independent model runs before they write their
outputs. Each finished run's result (a few arrays) is written at once to ``OUT/.routesim-state/`` as one
``.npz`` file named by a fingerprint: a SHA-256 over everything the result depends on (the routesim version,
the effective scenario with its network and calibration files, the seed, scale, replicates and the job's own
values). A rerun of the same command with the same OUT loads the runs it finds and computes only the others;
a rerun with any other setting finds no file under its fingerprints, so a stale result is never reused.

The final outputs are still written atomically through a temporary sibling (:func:`sim.io.outputs.atomic_folder`),
which carries the state folder into the new OUT (``keep``), so a finished OUT holds the results of exactly its
own runs (older entries are pruned) and a rerun of it computes nothing. Each file is written under a temporary
name and renamed, so a kill never leaves a half-written result; an unreadable file is computed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from pathlib import Path
from typing import Any

import numpy as np

from sim import __version__
from sim.io.outfolder import STATE_DIR, check_out, pid_alive
from sim.io.outputs import folder_hash
from sim.io.scenario import Scenario

_PART = ".part-"


def fingerprint(*parts: Any) -> str:
    """SHA-256 of the parts' reprs and the routesim version (arrays by their dtype, shape and bytes)."""
    h = hashlib.sha256(f"routesim {__version__}".encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            h.update(f"ndarray {part.dtype.str} {part.shape}".encode())
            h.update(np.ascontiguousarray(part).tobytes())
        else:
            h.update(repr(part).encode())
        h.update(b"\x00")
    return h.hexdigest()


def scenario_fingerprint(scn: Scenario) -> str:
    """What a run of ``scn`` depends on besides the code: its effective values, network and calibration files."""
    calibration = scn.calibration.read_bytes() if scn.calibration and scn.calibration.is_file() else b""
    return fingerprint(scn.to_yaml(), scn.sha256, folder_hash(scn.network), hashlib.sha256(calibration).hexdigest())


class JobStore:
    """Results of finished jobs under ``OUT/.routesim-state``, one file per job fingerprint.

    ``computed`` and ``reused`` count this run's jobs; :meth:`prune` removes files no job of this run asked for.
    """

    def __init__(self, out: Path, kind: str) -> None:
        out = check_out(out, own=(STATE_DIR,))  # never inside a folder of the user's
        self.made = [p for p in (out, out / STATE_DIR) if not p.exists()]  # what this run creates
        self.folder = out / STATE_DIR
        self.kind = kind
        self.computed = 0
        self.reused = 0
        self.used: set[str] = set()
        self.folder.mkdir(parents=True, exist_ok=True)
        for part in self.folder.glob(f"*{_PART}*"):  # written by a run killed in the middle of a write
            pid = part.name.rsplit(_PART, 1)[1].split("-", 1)[0]
            if not (pid.isdigit() and pid_alive(int(pid))):
                part.unlink(missing_ok=True)

    def __enter__(self) -> JobStore:
        return self

    def __exit__(self, exc_type: type | None, *exc: object) -> None:
        """On failure before any run was kept, remove the folders this store made: nothing is left behind."""
        if exc_type is None or any(self.folder.glob("*.npz")):
            return
        for path in reversed(self.made):
            with contextlib.suppress(OSError):
                for part in path.glob(f"*{_PART}*"):
                    part.unlink()
                path.rmdir()

    def _path(self, key: str) -> Path:
        return self.folder / f"{self.kind}-{key}.npz"

    def get(self, key: str) -> dict[str, np.ndarray] | None:
        """The stored result of job ``key``, or None (also for a file that cannot be read)."""
        self.used.add(key)
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as f:
                found = {name: f[name] for name in f.files}
        except (OSError, ValueError, EOFError):
            return None
        self.reused += 1
        return found

    def put(self, key: str, arrays: dict[str, np.ndarray]) -> None:
        """Keep job ``key``'s result: written under a temporary name, then renamed into place."""
        self.used.add(key)
        self.computed += 1
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        path = self._path(key)
        part = path.with_name(f"{path.name}{_PART}{os.getpid()}")
        part.write_bytes(buffer.getvalue())
        os.replace(part, path)

    def prune(self) -> None:
        """Remove stored results this run did not ask for (other settings, earlier analyses)."""
        keep = {self._path(k).name for k in self.used}
        for path in self.folder.glob("*.npz"):
            if path.name not in keep:
                with contextlib.suppress(OSError):
                    path.unlink()

    def describe(self) -> str:
        return (f"{self.computed} job(s) computed, {self.reused} reused from {self.folder.parent.name}/{STATE_DIR}")

