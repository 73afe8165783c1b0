"""PETSc Krylov solves with merged option dictionaries and checked convergence."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from petsc4py import PETSc

from lkfem import progress
from lkfem.errors import SolverError
from lkfem.solvers.reasons import ksp_reason

__all__ = [
    "LinearSolver",
    "default_amg_options",
    "SolveInfo",
    "set_options",
    "clear_options",
    "solve_once",
]

_prefixes = itertools.count()


def set_options(prefix: str, options: Mapping[str, Any]) -> None:
    """Put ``options`` into PETSc's database under ``prefix``."""
    database = PETSc.Options()
    for key, value in options.items():
        database[f"{prefix}{key}"] = value


def clear_options(prefix: str, options: Mapping[str, Any]) -> None:
    """Take ``options`` under ``prefix`` out of PETSc's database again."""
    database = PETSc.Options()
    for key in options:
        database.delValue(f"{prefix}{key}")


def default_amg_options() -> dict[str, Any]:
    """CG with algebraic multigrid: BoomerAMG where PETSc has hypre, else PETSc's GAMG."""
    options: dict[str, Any] = {"ksp_type": "cg", "ksp_rtol": 1.0e-12, "ksp_atol": 1.0e-30}
    if PETSc.Sys.hasExternalPackage("hypre"):
        options.update({"pc_type": "hypre", "pc_hypre_type": "boomeramg"})
    else:
        options.update({"pc_type": "gamg"})
    return options


@dataclass(slots=True, kw_only=True, frozen=True)
class SolveInfo:
    """What a Krylov solve reports: iterations, PETSc's converged reason, final residual norm."""

    iterations: int
    reason: int
    residual_norm: float

    @property
    def reason_name(self) -> str:
        """PETSc's name of the reason, e.g. ``"CONVERGED_RTOL"``."""
        return ksp_reason(self.reason)


class LinearSolver:
    """A KSP for one operator, configured from ``defaults`` deep-merged with ``options``.

    Every instance gets a unique options prefix, so two problems in one run never share
    settings.
    """

    def __init__(
        self,
        A: PETSc.Mat,
        options: Mapping[str, Any] | None = None,
        *,
        defaults: Mapping[str, Any] | None = None,
        name: str = "lkfem",
    ):
        self.prefix = f"{name}_{next(_prefixes)}_"
        merged = dict(default_amg_options() if defaults is None else defaults)
        if options and options.get("pc_type") not in (None, merged.get("pc_type")):
            merged = {k: v for k, v in merged.items() if not k.startswith("pc_hypre")}
        merged.update(options or {})
        self.options = merged
        set_options(self.prefix, merged)
        self.ksp = PETSc.KSP().create(A.getComm())
        self.ksp.setOptionsPrefix(self.prefix)
        self.ksp.setOperators(A)
        if progress.enabled(self.ksp.getComm().tompi4py()):  # for the display only
            self.ksp.setMonitor(lambda ksp, it, norm: progress.iterations(krylov=it))
        self.ksp.setFromOptions()  # options stay until destroy(): sub-solvers read them late

    def solve(self, b: PETSc.Vec, x: PETSc.Vec) -> SolveInfo:
        """Solve A x = b; raise :class:`SolverError` unless PETSc reports convergence."""
        self.ksp.solve(b, x)
        info = SolveInfo(
            iterations=int(self.ksp.getIterationNumber()),
            reason=int(self.ksp.getConvergedReason()),
            residual_norm=float(self.ksp.getResidualNorm()),
        )
        if info.reason <= 0:
            raise SolverError(
                f"linear solver ({self.options.get('ksp_type')}/{self.options.get('pc_type')}) "
                f"did not converge: {info.reason_name} after {info.iterations} iterations "
                f"(residual {info.residual_norm:.3e})"
            )
        return info

    def destroy(self) -> None:
        clear_options(self.prefix, self.options)
        self.ksp.destroy()


def solve_once(
    A: PETSc.Mat, b: PETSc.Vec, x: PETSc.Vec, *, defaults: Mapping[str, Any], name: str
) -> SolveInfo:
    """Solve A x = b once (e.g. a projection) and destroy the solver, A and b, also on failure."""
    solver = LinearSolver(A, defaults=defaults, name=name)
    try:
        return solver.solve(b, x)
    finally:
        solver.destroy()
        A.destroy()
        b.destroy()
