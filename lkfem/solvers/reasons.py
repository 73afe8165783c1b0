"""PETSc's converged reasons as words: ``2`` → ``"CONVERGED_RTOL"`` (KSP), ``3`` →
``"CONVERGED_FNORM_RELATIVE"`` (SNES), from petsc4py's ``KSP.ConvergedReason`` and
``SNES.ConvergedReason`` enumerations."""

from __future__ import annotations

from functools import cache

from petsc4py import PETSc

__all__ = ["ksp_reason", "snes_reason"]


@cache
def _names(kind: str) -> dict[int, str]:
    enum = PETSc.KSP.ConvergedReason if kind == "ksp" else PETSc.SNES.ConvergedReason
    names: dict[int, str] = {}
    for name, value in vars(enum).items():
        if not name.isupper() or not isinstance(value, int):
            continue
        # Aliases share a code (0: ITERATING and CONVERGED_ITERATING): keep the shorter.
        if value not in names or len(name) < len(names[value]):
            names[value] = name
    return names


def ksp_reason(code: int) -> str:
    """The name of a ``KSPConvergedReason`` code (``"UNKNOWN_<code>"`` if PETSc has none)."""
    return _names("ksp").get(int(code), f"UNKNOWN_{int(code)}")


def snes_reason(code: int) -> str:
    """The name of a ``SNESConvergedReason`` code (``"UNKNOWN_<code>"`` if PETSc has none)."""
    return _names("snes").get(int(code), f"UNKNOWN_{int(code)}")
