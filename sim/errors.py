"""Errors meant for people: one line saying what is wrong and where (file, field, allowed values)."""

from __future__ import annotations

MAX_ECHO = 60
"""Characters of a user's value echoed back in a message; longer values are cut in the middle."""


def shorten(value: object, limit: int = MAX_ECHO) -> str:
    """``value`` as text of at most ``limit`` characters on one line, for echoing input back in a message."""
    text = str(value).replace("\r", "\\r").replace("\n", "\\n")
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half]}...{text[-half:]}"


class InputError(ValueError):
    """Bad input (scenario, data file, spec). The CLI prints it as one line and exits with code 2.

    Line breaks in the message (from an echoed value such as a YAML string "\\n") are escaped, so the
    message stays one line whatever the input held."""

    def __init__(self, message: object = "") -> None:
        super().__init__(str(message).replace("\r", "\\r").replace("\n", "\\n"))
