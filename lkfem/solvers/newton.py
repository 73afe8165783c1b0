"""Newton's method through PETSc SNES with the exact Jacobian and a line search.

One class works on dolfinx 0.9 to 0.11: residual and Jacobian are assembled by our own SNES
callbacks with the in-place assemblers, which have the same signatures in all of them.

For a residual that is affine in the unknown (a linear problem) the SNES is ``ksponly``: one
residual, one Jacobian, one linear solve, no line search. When the Jacobian is moreover the
same from solve to solve (``constant_jacobian``: a linear problem at fixed Δt), it is assembled
only after :meth:`NewtonSolver.invalidate_jacobian`; the matrix then keeps its PETSc state, so
PETSc keeps the factorisation or preconditioner built from it (PCSetUp does nothing for an
unchanged operator).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from petsc4py import PETSc

import lkfem._compat as _compat
from lkfem import progress
from lkfem.errors import SolverError
from lkfem.solvers.linear import clear_options, set_options
from lkfem.solvers.reasons import snes_reason

__all__ = ["NewtonSolver", "NewtonInfo", "direct_solver_options"]

_prefixes = itertools.count()


def direct_solver_options() -> dict[str, Any]:
    """LU through MUMPS (or SuperLU_dist, or PETSc's own in serial)."""
    for package in ("mumps", "superlu_dist"):
        if PETSc.Sys.hasExternalPackage(package):
            return {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": package}
    return {"ksp_type": "preonly", "pc_type": "lu"}


def _newton_defaults() -> dict[str, Any]:
    return {
        "snes_type": "newtonls",
        "snes_linesearch_type": "bt",
        "snes_rtol": 1.0e-10,
        "snes_atol": 1.0e-12,
        "snes_stol": 0.0,
        "snes_max_it": 30,
    }


@dataclass(slots=True, frozen=True)
class NewtonInfo:
    """Newton iterations, PETSc's converged reason, total Krylov iterations."""

    iterations: int
    reason: int
    linear_iterations: int

    @property
    def reason_name(self) -> str:
        """PETSc's name of the reason, e.g. ``"CONVERGED_FNORM_RELATIVE"``."""
        return snes_reason(self.reason)


class NewtonSolver:
    """Solve F(u; v) = 0 for ``u`` with PETSc SNES.

    Args:
        F: the residual form (UFL), linear in the test function.
        u: the unknown; holds the initial guess and, after :meth:`solve`, the solution.
        bcs: Dirichlet conditions on ``u``'s space.
        options: PETSc options merged over Newton + line search + direct LU.
        J: the Jacobian form; ``ufl.derivative(F, u)`` by default.
        linear: PETSc options of the linear solver inside Newton; direct LU by default.
        configure: called with the SNES before options are applied (e.g. to set field splits).
        affine: the residual is affine in ``u``: one linear solve (SNES ``ksponly``) by default.
        constant_jacobian: the Jacobian does not change between solves until
            :meth:`invalidate_jacobian` is called: it is assembled once and its factorisation
            or preconditioner reused.

    Attributes:
        jacobian_assemblies: how many times the Jacobian has been assembled (for tests and
            benchmarks).
    """

    def __init__(
        self,
        F: Any,
        u: fem.Function,
        bcs: Sequence[fem.DirichletBC],
        options: Mapping[str, Any] | None = None,
        *,
        J: Any = None,
        name: str = "lk",
        linear: Mapping[str, Any] | None = None,
        configure: Any = None,
        affine: bool = False,
        constant_jacobian: bool = False,
    ):
        self.u = u
        self.constant_jacobian = constant_jacobian
        self.jacobian_assemblies = 0
        self._jacobian_current = False
        self.bcs = list(bcs)
        #: what the last :meth:`solve` reported (None before the first)
        self.last: NewtonInfo | None = None
        self.F = fem.form(F)
        self.J = fem.form(ufl.derivative(F, u) if J is None else J)
        V = u.function_space
        self.b = _compat.create_vector(V)
        self.A = self._new_matrix()
        self.x = _compat.create_vector(V)
        linear_defaults = direct_solver_options() if linear is None else dict(linear)
        defaults = _newton_defaults()
        if affine:
            defaults["snes_type"] = "ksponly"
            del defaults["snes_linesearch_type"]
        self.options = {**defaults, **linear_defaults, **dict(options or {})}
        self.prefix = f"{name}_{next(_prefixes)}_"
        self.snes = PETSc.SNES().create(V.mesh.comm)
        self.snes.setOptionsPrefix(self.prefix)
        self.snes.setFunction(self._residual, self.b)
        self.snes.setJacobian(self._jacobian, self.A)
        if configure is not None:
            configure(self.snes)
        set_options(self.prefix, self.options)
        # Newton and Krylov iterations as they happen, for the progress display (only when
        # there is one: a PETSc monitor among the options turns it off)
        if progress.enabled(V.mesh.comm):
            self.snes.setMonitor(lambda snes, it, norm: progress.iterations(newton=it))
            self.snes.getKSP().setMonitor(lambda ksp, it, norm: progress.iterations(krylov=it))
        # The options stay in PETSc's database (under this solver's unique prefix) until
        # destroy(): field-split sub-solvers read theirs only when first set up.
        self.snes.setFromOptions()

    def _new_matrix(self) -> PETSc.Mat:
        return fem_petsc.create_matrix(self.J)

    def _accept(self) -> None:
        """Move the converged iterate into ``u``."""
        self.x.copy(self.u.x.petsc_vec)
        self.u.x.scatter_forward()

    def _residual(self, snes: PETSc.SNES, x: PETSc.Vec, b: PETSc.Vec) -> None:
        x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        x.copy(self.u.x.petsc_vec)
        self.u.x.scatter_forward()
        with b.localForm() as local:
            local.set(0.0)
        fem_petsc.assemble_vector(b, self.F)
        fem_petsc.apply_lifting(b, [self.J], bcs=[self.bcs], x0=[x], alpha=-1.0)
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        fem_petsc.set_bc(b, self.bcs, x, -1.0)

    def _jacobian(self, snes: PETSc.SNES, x: PETSc.Vec, A: PETSc.Mat, P: PETSc.Mat) -> None:
        self.assemble_jacobian()

    def assemble_jacobian(self) -> None:
        """Assemble the Jacobian at the current ``u`` into :attr:`A`, unless it is constant and
        already assembled."""
        if self.constant_jacobian and self._jacobian_current:
            return
        self.A.zeroEntries()
        fem_petsc.assemble_matrix(self.A, self.J, bcs=self.bcs)
        self.A.assemble()
        self.jacobian_assemblies += 1
        self._jacobian_current = True

    def invalidate_jacobian(self) -> None:
        """The Jacobian has changed (e.g. Δt): assemble it again at the next solve."""
        self._jacobian_current = False

    def solve(self, *, raise_on_failure: bool = True) -> NewtonInfo:
        """Run Newton from the current ``u``; on failure ``u`` keeps its initial value."""
        start = self.u.x.array.copy()
        self.u.x.petsc_vec.copy(self.x)
        self.snes.solve(None, self.x)
        info = NewtonInfo(
            iterations=int(self.snes.getIterationNumber()),
            reason=int(self.snes.getConvergedReason()),
            linear_iterations=int(self.snes.getLinearSolveIterations()),
        )
        self.last = info
        if info.reason > 0:
            self._accept()
            return info
        self.u.x.array[:] = start
        if raise_on_failure:
            raise SolverError(
                f"Newton did not converge: {info.reason_name} after "
                f"{info.iterations} iterations (PETSc's SNESConvergedReason)"
            )
        return info

    def destroy(self) -> None:
        clear_options(self.prefix, self.options)
        for obj in (self.snes, self.A, self.b, self.x):
            obj.destroy()
