"""What a calibration writes: OUT/fitted.yaml (the best values and the samples) and OUT/trials.csv."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from sim.analysis.calibration_spec import CalibrationSpec


def split_values(values: dict) -> dict:
    """Trial values keyed ``name`` / ``iv:id`` as the fitted file's parameters and interventions."""
    return {"parameters": {k: float(v) for k, v in values.items() if not k.startswith("iv:")},
            "interventions": {k[3:]: float(v) for k, v in values.items() if k.startswith("iv:")}}


def write_fit(spec: CalibrationSpec, out: Path, evaluated: list[tuple[int, float, dict]], samples: list[dict],
              method: str, **extra: Any) -> dict:
    """Write OUT/fitted.yaml (the best values, the samples) and OUT/trials.csv (every trial, best first)."""
    evaluated = sorted(evaluated, key=lambda e: e[1])
    _, best_distance, best = evaluated[0]
    fitted = {
        **split_values(best),
        "distance": best_distance,
        "method": method,
        "spec": str(spec.source) if spec.source else "",
        "fit_period": [spec.fit_start.isoformat(), spec.fit_end.isoformat()],
        "agents_per_person_while_fitting": spec.agents_per_person,
        "trials_completed": len(evaluated),
        **extra,
        "samples": samples,
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    (out / "fitted.yaml").write_text(yaml.safe_dump(fitted, sort_keys=False), encoding="utf-8")
    names = sorted(best)
    rows = ["trial,distance," + ",".join(names)]
    rows += [f"{n},{d:.6g}," + ",".join(f"{v[k]:.6g}" for k in names) for n, d, v in evaluated]
    (out / "trials.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return fitted
