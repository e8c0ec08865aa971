"""Errors that end as one line for the user, never a traceback."""


class FactreadError(Exception):
    """Base class: ``str(err)`` is the complete one-line message."""


class InputError(FactreadError):
    """Bad input from a file or a value: names the file, the record and the problem."""


class LockedError(FactreadError):
    """The annotation file is held by another factread process."""
