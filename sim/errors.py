"""Errors meant for people: one line saying what is wrong and where (file, field, allowed values)."""


class InputError(ValueError):
    """Bad input (scenario, data file, spec). The CLI prints it as one line and exits with code 2."""
