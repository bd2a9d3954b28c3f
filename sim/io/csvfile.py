"""Reading the project's data tables: CSV rows as dicts, every fault one InputError naming file, row, column."""

from __future__ import annotations

import csv
from pathlib import Path

from sim.errors import InputError, shorten


def read_csv_rows(path: Path, required: list[str]) -> list[dict[str, str]]:
    """The rows of a CSV file with a header; an InputError if the file is missing or unreadable, lacks a
    required column, has no rows, or has a row with too few or too many values."""
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    try:
        with path.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            header = reader.fieldnames or []
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: not a readable CSV file ({shorten(exc, 100)})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"{path}: missing column(s) {shorten(', '.join(missing), 120)}")
    if not rows:
        raise InputError(f"{path}: no rows")
    for i, row in enumerate(rows, start=2):  # a short row fills with None, a long one keys extras by None
        if None in row or any(v is None for v in row.values()):
            n = len(header) + len(row.get(None) or []) - sum(v is None for v in row.values())
            raise InputError(f"{path}: row {i}: {n} values for {len(header)} columns (a truncated or extra field)")
    return rows
