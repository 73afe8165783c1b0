"""Typed errors of lkfem.

Every mistake a user can make (a bad case file, an unknown region name, a mesh that cannot be
read) raises a subclass of :class:`LkfemError`. The command line turns these into a one-line
message and a non-zero exit code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["LkfemError", "CaseError", "MeshError", "SolverError"]


class LkfemError(Exception):
    """Base class of the errors that report a user mistake or a failed solve."""


class CaseError(LkfemError):
    """A case file (or the equivalent Python input) is wrong.

    Args:
        source: the file (or "<python>") the input came from.
        key: dotted path of the offending entry, e.g. ``materials.inclusion.k``; empty for the
            file as a whole.
        problem: what is wrong, in words a user can act on.
    """

    def __init__(self, source: str, key: str, problem: str):
        self.source, self.key, self.problem = str(source), key, problem
        where = f"{self.source}: [{key}]" if key else self.source
        super().__init__(_one_line(f"{where}: {problem}"))


def _one_line(text: str) -> str:
    """``text`` with its line breaks and other control characters escaped (a key or value
    quoted from the case may hold them): an error is one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class MeshError(LkfemError):
    """A mesh could not be built or read, or lacks the names a case refers to."""


class SolverError(LkfemError):
    """A PETSc solve did not converge."""
