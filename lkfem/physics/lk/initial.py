"""The initial state of the Landau–Khalatnikov problem (:mod:`lkfem.physics.lk.problem`).

T0 is interpolated into the temperature space. The flux q0 is zero, given numbers or
expressions of x (interpolated), or ``"fourier"``: q0 = −K∇T0 with K = ζA⁻¹ the region's
conductivity (at T0 where it depends on T). That flux is the L2 projection onto the flux space
of −K∇T0 with ∇T0 the exact gradient of the expression (UFL differentiates it). Interpolating
−K∇T0,h of the interpolated T0,h instead (a cellwise polynomial one degree lower, whose values
at the nodes two cells share are one cell's) was only first-order accurate: with degree 1
(q ∈ P2) the Fourier resonance of Guyer–Krumhansl then drifted by O(h) from Fourier's decay.
Where the exact gradient is not finite at a quadrature point (e.g. of ``rho`` on the axis or
``r`` at the origin), the projection falls back to −K∇T0,h.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc
from ufl.algorithms import expand_derivatives
from ufl.algorithms.analysis import extract_constants

import lkfem._compat as _compat
from lkfem.core.materials import LandauCoefficients
from lkfem.errors import CaseError
from lkfem.solvers.linear import solve_once

if TYPE_CHECKING:
    from lkfem.physics.lk.problem import LKProblem

__all__ = ["conductivity", "set_initial_state"]

#: CG on the flux space's mass matrix (condition number independent of h)
_PROJECTION_OPTIONS = {
    "ksp_type": "cg",
    "pc_type": "jacobi",
    "ksp_rtol": 1.0e-13,
    "ksp_atol": 1.0e-300,
}


def conductivity(co: LandauCoefficients) -> Any:
    """K = ζA⁻¹ (W/(m K)), scalar or tensor: the conductivity as given in the physical form."""
    if co.K is not None:
        return co.K
    if ufl.shape(co.A):
        return co.zeta * ufl.inv(co.A)
    return co.zeta / co.A


def set_initial_state(problem: LKProblem, T0: Any = 0.0, q0: Any = None) -> None:
    """Set u, uⁿ and uⁿ⁻¹ of ``problem`` to the initial T0 (number or expression of x) and q0
    (gdim numbers or expressions, ``"fourier"`` for q0 = −K∇T0, or None for zero). The time
    ``t`` is for boundary values and sources: an initial state that names it is refused."""
    T_expr = _without_time(problem, problem.parse(T0, "initial.T"), "initial.T")
    T_fun = fem.Function(problem.V_T)
    if isinstance(T_expr, float):
        T_fun.x.array[:] = T_expr
    else:
        T_fun.interpolate(_compat.expression(T_expr, problem.V_T))
    problem.u.x.array[:] = 0.0
    problem.u.x.array[problem.T_dofs] = T_fun.x.array  # K(T) below sees T0
    problem.u.x.scatter_forward()
    q_fun = fem.Function(problem.V_q)
    if isinstance(q0, str) and q0 == "fourier":
        fourier_flux(problem, T_expr, T_fun, q_fun)
    elif q0 is not None:
        gdim = problem.domain.mesh.geometry.dim
        parts = [
            _without_time(problem, problem.parse(c, f"initial.q[{i}]"), f"initial.q[{i}]")
            for i, c in enumerate(q0)
        ]
        if len(parts) != gdim:
            raise CaseError(
                problem.origin, "initial.q", f"needs {gdim} components, got {len(parts)}"
            )
        zero = fem.Constant(problem.domain.mesh, PETSc.ScalarType(0.0))
        q_fun.interpolate(_compat.expression(ufl.as_vector([c + zero for c in parts]), problem.V_q))
    problem.u.x.array[problem.q_dofs] = q_fun.x.array
    problem.u.x.scatter_forward()
    for w in (problem.u_n, problem.u_nn):
        w.x.array[:] = problem.u.x.array


def _without_time(problem: LKProblem, expr: Any, key: str) -> Any:
    """``expr``, refused (naming ``key``) where it depends on the time ``t``."""
    if not isinstance(expr, float) and any(c is problem.t for c in extract_constants(expr)):
        raise CaseError(
            problem.origin,
            key,
            "may not depend on the time t (t is for boundary values and sources; the initial "
            "state is at the start time)",
        )
    return expr


def fourier_flux(problem: LKProblem, T_expr: Any, T_fun: fem.Function, q: fem.Function) -> None:
    """q = the L2 projection of −K∇T0 onto the flux space (exact ∇T0 where T0 is an
    expression of x; −K∇T0,h of the interpolated T0,h where that is not finite)."""
    uniform = isinstance(T_expr, float) or ufl.domain.extract_unique_domain(T_expr) is None
    if uniform or isinstance(_gradient(T_expr), ufl.constantvalue.Zero):
        q.x.array[:] = 0.0  # a uniform T0 (one of mesh constants too) carries no flux
        return
    if not _project_flux(problem, ufl.grad(T_expr), q) and not _project_flux(
        problem, ufl.grad(T_fun), q
    ):
        raise CaseError(
            problem.origin,
            "initial.q",
            "'fourier' gives a flux that is not finite: is the conductivity zero or infinite "
            "somewhere (e.g. a = 0 in the Landau form)?",
        )


def _gradient(T_expr: Any) -> Any:
    """∇T0 with the derivatives applied (UFL's Zero where T0 depends on no coordinate)."""
    return expand_derivatives(ufl.grad(T_expr))


def _project_flux(problem: LKProblem, grad_T: Any, q: fem.Function) -> bool:
    """q = the L2 projection of −K grad_T (by material group) onto q's space; False (and q
    untouched) where −K grad_T is not finite at some quadrature point. Solved in the mixed
    space (its flux part has the flux's shape also in 1D, where the collapsed space is
    scalar-valued), with the temperature block an identity."""
    W = problem.W
    (q_trial, T_trial), (p, v) = ufl.split(ufl.TrialFunction(W)), ufl.split(ufl.TestFunction(W))
    dx = problem.dx
    rhs: Any = 0
    for tags, _, region in problem.groups:
        K = conductivity(problem.coefficients[region])
        rhs += -ufl.inner(LandauCoefficients.apply(K, grad_T), p) * dx(tags)
    a = fem.form((ufl.inner(q_trial, p) + T_trial * v) * dx)
    L = fem.form(rhs)
    b = fem_petsc.assemble_vector(L)
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    if not W.mesh.comm.allreduce(bool(np.isfinite(b.array_r).all()), op=MPI.LAND):
        b.destroy()
        return False
    A = fem_petsc.assemble_matrix(a)
    A.assemble()
    w = fem.Function(W)
    solve_once(A, b, w.x.petsc_vec, defaults=_PROJECTION_OPTIONS, name="lk_initial_flux")
    w.x.scatter_forward()
    q.x.array[:] = w.x.array[problem.q_dofs]
    return True
