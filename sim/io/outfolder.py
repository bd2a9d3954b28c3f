"""Output folders: refuse, before any work, an OUT that cannot be written or holds the user's own files.

Light on imports (no NumPy or xarray) so the command line can check OUT first and fail fast.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from pathlib import Path

from sim.errors import InputError, shorten

RUN_MARKER = "run.json"
"""The file that makes a folder a routesim output, which a later run may replace whole."""
STATE_DIR = ".routesim-state"
"""Where ``sensitivity`` and ``backtest`` keep finished runs under OUT (:mod:`sim.io.state`); an OUT holding it is
the command's own (``check_out``'s ``own``), which it resumes."""
_SENSITIVITY_MARKERS = ("indices.csv", "spec.yaml", "report.md")  # routesim sensitivity writes no run.json
_TEMP_PARTS = (".tmp-", ".old-")


def is_routesim_output(folder: Path) -> bool:
    """Whether FOLDER was written by routesim (it holds run.json, or a sensitivity analysis's files)."""
    return (folder / RUN_MARKER).is_file() or all((folder / m).is_file() for m in _SENSITIVITY_MARKERS)


def check_out(out: Path, own: tuple[str, ...] = ()) -> Path:
    """OUT, resolved, if it can be written and holds nothing of the user's; else an InputError, before any work.

    OUT must not be a file, and must be absent, empty, or a previous routesim output (``own`` names further
    files that mark a folder as this command's own, e.g. a calibration's, which it resumes). Its parent must
    be a folder this process may write in, and its name short enough for the temporary sibling it is
    written through. Leftover temporary folders of runs that died are removed."""
    label = f"--out {shorten(out, 100)}"
    try:
        out = Path(os.path.abspath(out))
        exists, is_dir = out.exists(), out.is_dir()
    except (OSError, ValueError) as exc:
        raise InputError(f"{label}: not a usable folder path ({shorten(exc, 80)})") from None
    if out.parent == out:
        raise InputError(f"{label}: the root folder cannot be an output folder")
    if exists and not is_dir:
        raise InputError(f"{label}: is a file, not a folder; choose another output folder")
    if exists:
        try:
            entries = [e.name for e in os.scandir(out)]
        except OSError as exc:
            raise InputError(f"{label}: cannot be listed ({exc.strerror})") from None
        if entries and not is_routesim_output(out) and not any(name in entries for name in own):
            raise InputError(f"{label}: the folder holds {len(entries)} files and is not a routesim output "
                             f"(no {RUN_MARKER}); nothing was written: choose a new or empty folder")
    ancestor = out.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise InputError(f"{label}: {shorten(ancestor, 100)} is a file, so no folder can be made in it")
    writable = os.access(ancestor, os.W_OK | os.X_OK) and (not exists or os.access(out, os.W_OK | os.X_OK))
    if writable:  # permission bits do not tell all (root, read-only mounts, /proc): try making a folder
        try:
            os.rmdir(tempfile.mkdtemp(prefix=f".{out.name[:16]}.probe-", dir=ancestor))
        except OSError:
            writable = False
    if not writable:
        raise InputError(f"{label}: no permission to write in {shorten(out if exists else ancestor, 100)}")
    try:
        name_max = os.pathconf(ancestor, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    if len(os.fsencode(out.name)) + 32 > name_max:  # room for the temporary sibling's ".NAME.tmp-PID-XXXXXXXX"
        raise InputError(f"{label}: the folder name is {len(out.name)} characters; at most {name_max - 32} allowed")
    clean_leftovers(out)
    return out


def clean_leftovers(out: Path) -> None:
    """Remove temporary siblings of OUT left by runs whose process has died (killed while writing)."""
    try:
        siblings = list(out.parent.glob(f".{glob.escape(out.name)}.*-*"))
    except OSError:
        return
    for path in siblings:
        rest = path.name[len(out.name) + 1:]
        part = next((p for p in _TEMP_PARTS if rest.startswith(p)), None)
        if part is None or not path.is_dir():
            continue
        pid = rest[len(part):].split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (possibly owned by another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
