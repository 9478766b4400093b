"""User-facing errors.

Everything a user can get wrong (a config key, a dataset name, a constraint string)
raises :class:`ParetonasError`. The CLI prints its message without a traceback, so
the message itself must say what was wrong, where, and what to do about it.
"""


class ParetonasError(Exception):
    """An error caused by user input; its message is shown to the user as is."""


class SpaceError(ParetonasError, ValueError):
    """A search space definition or a config that does not fit the space."""


def repeated_names(names) -> list[str]:
    """Names that occur more than once, sorted: for 'X given twice' messages."""
    names = list(names)
    return sorted({n for n in names if names.count(n) > 1})
