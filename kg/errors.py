"""The errors kg raises.

Every error a user can cause is a :class:`KgError`. Its message says what went
wrong, where (file and line when known) and how to fix it, so the CLI can show
it as is, without a traceback.
"""

from __future__ import annotations


class KgError(Exception):
    """Base class of every error kg raises on purpose."""


class InputError(KgError):
    """An input file cannot be read as a whole (missing, empty, binary, unknown format)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class RecordError(KgError):
    """One record of an input is malformed; the rest of the file may still be fine."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(f"{path}:{line}: {reason}")


class UsageError(KgError):
    """A library function was called with options that do not fit together."""


class StoreError(KgError):
    """The graph store cannot be reached or refused an operation."""


class OutputError(KgError):
    """An output path cannot be written (a directory, a socket, a parent that is a file...)."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class ClusterError(KgError):
    """A Dask cluster cannot be started or reached, or lost its workers (``--dask``)."""
