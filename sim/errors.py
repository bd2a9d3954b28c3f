"""Errors meant for people: one line saying what is wrong and where (file, field, allowed values)."""


class InputError(ValueError):
    """Bad input (scenario, data file, spec). The CLI prints it as one line and exits with code 2.

    Line breaks in the message (from an echoed value such as a YAML string "\\n") are escaped, so the
    message stays one line whatever the input held."""

    def __init__(self, message: object = "") -> None:
        super().__init__(str(message).replace("\r", "\\r").replace("\n", "\\n"))
