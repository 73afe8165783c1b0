"""Periodic boundaries of the Landau–Khalatnikov problem (``[mesh] periodic``).

The pairs of the mesh (:mod:`lkfem.core.periodic`) become one dolfinx_mpc constraint on the
mixed (q, T) space (:func:`lkfem.solvers.periodic.periodic_constraint`), and u, uⁿ, uⁿ⁻¹ live
on the constraint's space:

- ``taylor_hood``: q ∈ P_{k+1}^d and T ∈ P_k are both continuous, both are constrained;
- ``primal``: T ∈ P_k is constrained; q ∈ DG_{k−1}^d has no dofs on facets (each cell holds its
  own), so there is nothing of it to constrain: the flux through a periodic side enters the
  energy equation of both sides' cells through the constrained test function of T;
- ``hdiv`` is refused: RT dofs are normal moments on facets, not point values, which
  dolfinx_mpc's periodic constraint does not map.

Periodic sides are no flux boundaries: they get no Nitsche terms. The linear solver is direct
(LU): the block preconditioner (:mod:`lkfem.solvers.block`) assembles its Schur-complement
approximations on the unconstrained space, so ``auto`` picks ``direct`` for a periodic mesh
whatever its size, and ``iterative`` is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import dolfinx_mpc
from dolfinx import fem

from lkfem.errors import CaseError
from lkfem.solvers.newton import NewtonSolver
from lkfem.solvers.periodic import PeriodicNewtonSolver, periodic_constraint

if TYPE_CHECKING:
    from lkfem.physics.lk.problem import LKProblem

__all__ = ["constraint", "newton_solver", "make_periodic"]


def constraint(problem: LKProblem) -> dolfinx_mpc.MultiPointConstraint | None:
    """The constraint of the mesh's periodic pairs on ``problem.W`` (None without pairs),
    leaving out the dofs of the strong conditions; the periodic sides are taken out of the
    boundaries that get Nitsche terms (``problem.active_exterior``)."""
    domain = problem.domain
    if not domain.periodic:
        return None
    if problem.element == "hdiv":
        raise CaseError(
            problem.origin,
            "solver.element",
            "the hdiv element does not take periodic boundaries ([mesh] periodic): its dofs "
            "are normal moments, not point values; use taylor_hood or primal",
        )
    paired = {name for pair in domain.periodic for name in (pair.source, pair.image)}
    problem.active_exterior -= paired
    bcs = [bc for _, _, bc, _ in problem.dirichlet] + list(problem.inactive_bcs)
    return periodic_constraint(problem.W, domain, domain.periodic, bcs)


def newton_solver(
    problem: LKProblem,
    bcs: Sequence[fem.DirichletBC],
    options: Mapping[str, Any],
    **kwargs: Any,
) -> NewtonSolver:
    """The Newton solver of ``problem``: with the constrained assembly on a periodic mesh."""
    if problem.constraint is None:
        return NewtonSolver(problem.F, problem.u, bcs, options, **kwargs)
    if problem.linear_solver == "iterative":
        raise CaseError(
            problem.origin,
            "solver.linear_solver",
            "periodic boundaries ([mesh] periodic) need the direct solver: the block "
            "preconditioner works on the unconstrained space (use direct or auto)",
        )
    return PeriodicNewtonSolver(problem.F, problem.u, bcs, problem.constraint, options, **kwargs)


def make_periodic(problem: LKProblem, *functions: fem.Function) -> None:
    """Give the slaves of ``functions`` (on the space of u) their masters' values (a no-op
    without pairs)."""
    if problem.constraint is None:
        return
    for f in functions:
        problem.constraint.homogenize(f)
        problem.constraint.backsubstitution(f)
