"""Writing a run's outputs: provenance attributes, NetCDF, the output folder written atomically.

OUT is written into a temporary sibling folder that is renamed to OUT only when everything in it has been
written, so a failed or interrupted run never leaves a half-written output folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import xarray as xr

from sim import __version__
from sim.io.outfolder import check_out
from sim.io.results import summary_table
from sim.io.scenario import Scenario


def provenance(scn: Scenario, seed: int, replicates: int) -> dict:
    return {
        "scenario_name": scn.name,
        "scenario_description": scn.description,
        "scenario_file": str(scn.source) if scn.source else "",
        "scenario_sha256": scn.sha256,
        "seed": int(seed),
        "replicates": int(replicates),
        "agents_per_person": scn.agents_per_person,
        "routesim_version": __version__,
        "git_commit": git_commit(),
        "network_sha256": folder_hash(scn.network),
        "data_vintage": "route network and parameters as in data/network (uncalibrated, see docs/model.md)",
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def peak_memory_mb() -> float:
    """Peak resident memory of this process and of its finished worker processes, whichever is larger."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


@contextlib.contextmanager
def atomic_folder(out: Path, own: tuple[str, ...] = (), keep: tuple[str, ...] = ()) -> Iterator[Path]:
    """A temporary sibling folder to write into, renamed to OUT only if the block succeeds: never a
    half-written OUT. An existing OUT is replaced whole only if it is a routesim output (see
    :func:`check_out`); a folder of the user's is never touched. Entries of the old OUT named in ``keep``
    (a resumable command's state, :mod:`sim.io.state`) are moved into the new one just before the swap."""
    out = check_out(out, own)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-{os.getpid()}-", dir=out.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the output folder is meant to be shared
    moved: list[str] = []
    try:
        yield tmp
        check_out(out, own)  # again: something may have been put there while the run went on
        if out.exists():
            for name in keep:
                if (out / name).exists() and not (tmp / name).exists():
                    os.replace(out / name, tmp / name)
                    moved.append(name)
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        for name in moved:  # failed before the swap: the kept state goes back where it was
            if (tmp / name).exists() and out.is_dir() and not (out / name).exists():
                os.replace(tmp / name, out / name)
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_netcdf(ds: xr.Dataset, path: Path) -> None:
    encoding = {v: {"zlib": True, "complevel": 4} for v in ds.data_vars}
    ds.to_netcdf(path, engine="h5netcdf", encoding=encoding)


def write_outputs(out: Path, ds: xr.Dataset, meta: dict, scn: Scenario, plots: bool = True) -> None:
    """Write results.nc, summary.csv, plots, scenario.yaml and run.json into OUT, atomically."""
    from sim.io.plots import plot_all

    with atomic_folder(out) as tmp:
        write_netcdf(ds, tmp / "results.nc")
        summary_table(ds).to_csv(tmp / "summary.csv", index=False, float_format="%.6g")
        if plots:
            plot_all(ds, tmp / "plots")
        (tmp / "scenario.yaml").write_text(scn.to_yaml(), encoding="utf-8")
        (tmp / "run.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def git_commit() -> str:
    try:
        root = Path(__file__).resolve().parents[2]
        return subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def folder_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(Path(folder).glob("*.csv")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()
