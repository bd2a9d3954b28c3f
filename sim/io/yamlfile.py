"""Reading a YAML mapping file (scenario, calibration spec, fitted values, sensitivity spec) safely.

One place for the checks every such file needs, so each error is one line naming the file: missing,
not UTF-8 text, not valid YAML (with the line), empty, or not a mapping. Nothing is evaluated as code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from sim.errors import InputError


def read_mapping(path: Path, what: str, keys: str = "") -> tuple[dict[str, Any], str]:
    """The file's top-level mapping and the SHA-256 of its bytes; ``what`` names the file in errors."""
    if not path.is_file():
        raise InputError(f"{path}: {what} not found")
    raw = path.read_bytes()
    try:
        doc = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a text (UTF-8) YAML file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise InputError(f"{path}: not valid YAML{where}") from None
    expected = f"expected a mapping with keys {keys}" if keys else "expected a mapping of keys"
    if doc is None:
        raise InputError(f"{path}: the file is empty: {expected}")
    if not isinstance(doc, dict):
        raise InputError(f"{path}: {expected}, got a {type(doc).__name__}")
    return doc, hashlib.sha256(raw).hexdigest()
