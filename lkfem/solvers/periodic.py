"""Periodic boundaries through dolfinx_mpc: the constraint, a Newton solver and a linear solve.

:func:`periodic_constraint` builds one :class:`dolfinx_mpc.MultiPointConstraint` for a function
space from the periodic pairs of a mesh (:mod:`lkfem.core.periodic`): every degree of freedom on
an image boundary becomes a slave of the point it is mapped to, corners and edges shared by two
or three pairs included (they map in turn onto the one corner that is no image). Supported
spaces (dolfinx_mpc 0.9.1 and 0.11.0): scalar Lagrange, blocked (vector) Lagrange, and mixed
spaces, whose sub-spaces are constrained one by one (discontinuous ones, whose dofs lie on no
facet, are left alone). Dofs of the Dirichlet conditions given are
left out of the constraint.

The unknowns then live on ``constraint.function_space`` (the space with the extra ghosts the
constraint needs across ranks); the forms keep the test and trial functions of the original
space. :class:`PeriodicNewtonSolver` is :class:`lkfem.solvers.newton.NewtonSolver` with the
constrained assembly (SNES with dolfinx_mpc's ``assemble_vector``/``assemble_matrix`` and the
back-substitution of the slaves after each step), so a model swaps it in when its mesh has
periodic pairs; :func:`solve_linear` is the Krylov path of a linear problem.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dolfinx_mpc
import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from dolfinx.fem import petsc as fem_petsc
from petsc4py import PETSc

import lkfem._compat as _compat
from lkfem.core.domain import Domain
from lkfem.core.periodic import Periodicity, image_to_source
from lkfem.solvers.linear import LinearSolver, SolveInfo
from lkfem.solvers.newton import NewtonSolver

__all__ = [
    "periodic_constraint",
    "PeriodicNewtonSolver",
    "solve_linear",
    "constrained_function",
    "constrained_vector",
]

_IMAGE = 1  # the tag of the image facets in the constraint's own facet tags


def _image_facets(domain: Domain, pairs: Sequence[Periodicity]) -> dmesh.MeshTags:
    """One facet tag (``_IMAGE``) on every facet of every image boundary."""
    tdim = domain.mesh.topology.dim
    facets = np.unique(np.concatenate([domain.boundary_facets(p.image) for p in pairs]))
    facets = facets.astype(np.int32)
    return dmesh.meshtags(domain.mesh, tdim - 1, facets, np.full(facets.size, _IMAGE, np.int32))


def _parts(V: fem.FunctionSpace) -> list[fem.FunctionSpace]:
    """The spaces to constrain: a scalar or blocked space itself, a mixed space's scalar
    components one by one (dolfinx_mpc constrains a blocked sub-space of a mixed space
    wrongly)."""
    if V.num_sub_spaces == 0 or V.dofmap.index_map_bs > 1:
        return [V]
    return _leaves(V)


def _leaves(V: fem.FunctionSpace) -> list[fem.FunctionSpace]:
    if V.num_sub_spaces == 0:
        return [V]
    return [leaf for i in range(V.num_sub_spaces) for leaf in _leaves(V.sub(i))]


def periodic_constraint(
    V: fem.FunctionSpace,
    domain: Domain,
    pairs: Sequence[Periodicity],
    bcs: Sequence[fem.DirichletBC] = (),
) -> dolfinx_mpc.MultiPointConstraint:
    """The finalized constraint that makes functions of ``V`` periodic across ``pairs``.

    Args:
        V: a scalar, blocked (vector) or mixed Lagrange space on ``domain``.
        domain: the mesh with the named boundaries of ``pairs``.
        pairs: the periodic pairs (:func:`lkfem.core.periodic.match_pairs`).
        bcs: Dirichlet conditions on ``V``; their dofs are not made slaves.
    """
    mpc = dolfinx_mpc.MultiPointConstraint(V)
    if pairs:
        tags = _image_facets(domain, pairs)

        def relation(x: np.ndarray) -> np.ndarray:
            return image_to_source(pairs, x)

        fdim = domain.mesh.topology.dim - 1
        for part in _parts(V):
            on_facets = fem.locate_dofs_topological(part, fdim, tags.find(_IMAGE)).size
            if domain.comm.allreduce(on_facets) == 0:
                continue  # a discontinuous part: its dofs belong to the cells, none to map
            mpc.create_periodic_constraint_topological(part, tags, _IMAGE, relation, list(bcs))
    mpc.finalize()
    return mpc


def constrained_function(
    mpc: dolfinx_mpc.MultiPointConstraint, name: str | None = None
) -> fem.Function:
    """A function on the constraint's space (the unknown of a constrained problem)."""
    return fem.Function(mpc.function_space, name=name)


def constrained_vector(form: fem.Form, constraint: dolfinx_mpc.MultiPointConstraint) -> np.ndarray:
    """The owned entries of the vector of the linear ``form`` with the constrained test
    functions (a slave's entry added to its masters'), e.g. a weak residual of a periodic
    problem; the slaves' own entries are zero."""
    b = dolfinx_mpc.assemble_vector(form, constraint)
    try:
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        with b.localForm() as local:
            values = np.array(local.array[: b.getLocalSize()])
    finally:
        b.destroy()
    return values


class PeriodicNewtonSolver(NewtonSolver):
    """:class:`NewtonSolver` for an unknown with a multi-point constraint.

    Args:
        F, u, bcs, options: as for :class:`NewtonSolver`; ``u`` lives on
            ``constraint.function_space``, ``F``'s test function on the original space.
        constraint: the finalized :class:`dolfinx_mpc.MultiPointConstraint`.
        **kwargs: the keyword arguments of :class:`NewtonSolver`.
    """

    def __init__(
        self,
        F: Any,
        u: fem.Function,
        bcs: Sequence[fem.DirichletBC],
        constraint: dolfinx_mpc.MultiPointConstraint,
        options: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ):
        self.constraint = constraint
        if kwargs.get("J") is None:  # the trial function on the test function's space
            space = F.arguments()[0].ufl_function_space()
            kwargs["J"] = ufl.derivative(F, u, ufl.TrialFunction(space))
        super().__init__(F, u, bcs, options, **kwargs)

    def _new_matrix(self) -> PETSc.Mat:
        return dolfinx_mpc.assemble_matrix(self.J, self.constraint, bcs=self.bcs)

    def _apply_constraint(self) -> None:
        self.constraint.homogenize(self.u)
        self.constraint.backsubstitution(self.u)

    def _residual(self, snes: PETSc.SNES, x: PETSc.Vec, b: PETSc.Vec) -> None:
        x.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
        x.copy(self.u.x.petsc_vec)
        self.u.x.scatter_forward()
        self._apply_constraint()
        with b.localForm() as local:
            local.set(0.0)
        dolfinx_mpc.assemble_vector(self.F, self.constraint, b)
        dolfinx_mpc.apply_lifting(b, [self.J], [self.bcs], self.constraint, x0=[x], scale=-1.0)
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        fem_petsc.set_bc(b, self.bcs, x, -1.0)

    def assemble_jacobian(self) -> None:
        if self.constant_jacobian and self._jacobian_current:
            return
        self.A.zeroEntries()
        dolfinx_mpc.assemble_matrix(self.J, self.constraint, bcs=self.bcs, diagval=1.0, A=self.A)
        self.A.assemble()
        self.jacobian_assemblies += 1
        self._jacobian_current = True

    def _accept(self) -> None:
        super()._accept()
        self._apply_constraint()


def solve_linear(
    a: Any,
    L: Any,
    u: fem.Function,
    bcs: Sequence[fem.DirichletBC],
    constraint: dolfinx_mpc.MultiPointConstraint,
    options: Mapping[str, Any] | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
    name: str = "periodic",
) -> SolveInfo:
    """Solve the linear problem ``a(u, v) = L(v)`` with the constraint by a Krylov method
    (:class:`LinearSolver`: CG + AMG by default), then set the slaves of ``u``."""
    a_form, L_form = fem.form(a), fem.form(L)
    A = dolfinx_mpc.assemble_matrix(a_form, constraint, bcs=list(bcs))
    b = dolfinx_mpc.assemble_vector(L_form, constraint)
    dolfinx_mpc.apply_lifting(b, [a_form], [list(bcs)], constraint)
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    fem_petsc.set_bc(b, list(bcs))
    x = _compat.create_vector(u.function_space)
    solver = LinearSolver(A, options, defaults=defaults, name=name)
    try:
        info = solver.solve(b, x)
        x.copy(u.x.petsc_vec)
        u.x.scatter_forward()
        constraint.backsubstitution(u)
    finally:
        solver.destroy()
        for obj in (A, b, x):
            obj.destroy()
    return info
