"""Boundary and interface conditions of the Landau–Khalatnikov problem
(:mod:`lkfem.physics.lk.problem`).

Functions of an :class:`~lkfem.physics.lk.problem.LKProblem` under construction:

- strongly imposed conditions: T = T_D on temperature boundaries (``taylor_hood``,
  ``primal``), q·n = 0 on adiabatic boundaries (``hdiv``);
- inactive regions: the dofs touching no active cell fixed to zero, and the exterior
  boundaries that still touch an active cell;
- interface heat exchange: each exchange interface must separate an active from an inactive
  region;
- weak conditions: Nitsche terms for q·n = g (and q_t = 0 for no-slip) where λ or λ_d > 0,
  and the natural temperature and convection terms of ``hdiv``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import ufl
from dolfinx import fem, la
from mpi4py import MPI

import lkfem._compat as _compat
from lkfem.core.bcs import Convection, HeatFlux, Temperature
from lkfem.errors import CaseError

if TYPE_CHECKING:
    from lkfem.physics.lk.problem import LKProblem

__all__ = [
    "NITSCHE_PENALTY",
    "check_interfaces",
    "dirichlet_conditions",
    "hdiv_boundary_terms",
    "inactive_conditions",
    "nitsche_terms",
    "nonzero",
    "on_boundary",
    "update_dirichlet_values",
]

NITSCHE_PENALTY = 20.0  # times (degree + 1)², dimensionless

#: (name, dofs in W, bc, (function, expression)) of a strongly imposed condition
Dirichlet = tuple[str, Any, fem.DirichletBC, Any]


def nonzero(value: Any) -> bool:
    """False for a coefficient that is literally zero (0.0 or UFL's Zero)."""
    return not (
        (isinstance(value, float) and value == 0.0) or isinstance(value, ufl.constantvalue.Zero)
    )


def dirichlet_conditions(problem: LKProblem) -> tuple[list[Dirichlet], np.ndarray]:
    """(name, dofs in W, bc, (function, expression)) for each condition imposed strongly, with
    their values set; and the dofs of W under a temperature condition (sorted, unique)."""
    domain, W, V_q, V_T = problem.domain, problem.W, problem.V_q, problem.V_T
    mesh = domain.mesh
    fdim = mesh.topology.dim - 1
    mesh.topology.create_connectivity(fdim, mesh.topology.dim)
    out: list[Dirichlet] = []
    compiled: dict[Any, Any] = {}  # one compiled Expression per distinct value (JIT once)
    for name, bc in problem.bcs.items():
        facets = domain.boundary_facets(name)
        if problem.element != "hdiv" and isinstance(bc, Temperature):
            g = fem.Function(V_T)
            expr = problem.parse(bc.value, f"boundaries.{name}.value")
            if not isinstance(expr, float):
                if expr not in compiled:
                    compiled[expr] = _compat.expression(expr, V_T)
                expr = compiled[expr]
            dofs = fem.locate_dofs_topological((W.sub(1), V_T), fdim, facets)
            out.append((name, dofs, fem.dirichletbc(g, dofs, W.sub(1)), (g, expr)))
        elif problem.element == "hdiv" and isinstance(bc, HeatFlux):
            zero = fem.Function(V_q)
            dofs = fem.locate_dofs_topological((W.sub(0), V_q), fdim, facets)
            out.append((name, dofs, fem.dirichletbc(zero, dofs, W.sub(0)), (zero, 0.0)))
    if problem.element == "hdiv":  # unlisted boundaries are adiabatic: q·n = 0 strongly
        for name in domain.exterior_boundaries():
            if name not in problem.bcs:
                zero = fem.Function(V_q)
                facets = domain.boundary_facets(name)
                dofs = fem.locate_dofs_topological((W.sub(0), V_q), fdim, facets)
                out.append((name, dofs, fem.dirichletbc(zero, dofs, W.sub(0)), (zero, 0.0)))
    update_dirichlet_values(out)
    T_dofs = [
        d[1]
        for name, d, _, _ in out
        if isinstance(problem.bcs.get(name), Temperature) and problem.element != "hdiv"
    ]
    T_bc_dofs = (
        np.unique(np.concatenate(T_dofs)).astype(np.int32)
        if T_dofs
        else np.zeros(0, dtype=np.int32)
    )
    return out, T_bc_dofs


def update_dirichlet_values(conditions: list[Dirichlet]) -> None:
    """Set each condition's function to its value (a number or a compiled Expression, which
    reads t and the other Constants when evaluated) at the current t."""
    for _, _, _, (g, expr) in conditions:
        if isinstance(expr, float):
            g.x.array[:] = expr
        else:
            g.interpolate(expr)
        g.x.scatter_forward()


def inactive_conditions(
    problem: LKProblem, active_tags: tuple[int, ...]
) -> tuple[list[fem.DirichletBC], set[str]]:
    """Fix (to zero) the dofs of W that touch no active cell; find the exterior boundaries
    that touch an active cell (all of them when nothing is inactive)."""
    domain, W = problem.domain, problem.W
    if not problem.inactive:
        return [], set(domain.exterior_boundaries())
    cells = np.concatenate([domain.cell_tags.find(t) for t in active_tags]).astype(np.int32)
    marker = fem.Function(W)
    marker.x.array[np.unique(W.dofmap.list[cells])] = 1.0
    marker.x.scatter_reverse(la.InsertMode.add)
    marker.x.scatter_forward()
    conditions = []
    for index, (V, dofs) in enumerate(
        ((problem.V_q, problem.q_dofs), (problem.V_T, problem.T_dofs))
    ):
        fixed = marker.x.array[dofs] == 0.0  # dofs of the subspace, unrolled
        local = np.flatnonzero(fixed).astype(np.int32)
        zero = fem.Function(V)
        conditions.append(
            fem.dirichletbc(zero, [dofs[local].astype(np.int32), local], W.sub(index))
        )
    mesh = domain.mesh
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    active = np.zeros(
        mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts,
        dtype=bool,
    )
    active[cells] = True
    active_exterior: set[str] = set()
    for name in domain.exterior_boundaries():
        touches = any(active[f2c.links(f)].any() for f in domain.boundary_facets(name))
        if domain.comm.allreduce(touches, op=MPI.LOR):
            active_exterior.add(name)
    return conditions, active_exterior


def check_interfaces(problem: LKProblem, active_tags: tuple[int, ...]) -> None:
    """Each exchange interface must separate an active from an inactive region."""
    domain = problem.domain
    if not problem.interface_exchange:
        return
    mesh = domain.mesh
    tdim = mesh.topology.dim
    region = domain.cell_region_tags()
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    owned = mesh.topology.index_map(tdim - 1).size_local
    for name, bc in problem.interface_exchange.items():
        key = f"interface_exchange.{name}"
        if name not in domain.boundaries:
            raise CaseError(problem.origin, key, f"no interface named '{name}' in the mesh")
        if not isinstance(bc, Convection):
            raise CaseError(problem.origin, key, "needs a Convection(h=..., T_inf=...)")
        bad = 0
        facets = domain.boundary_facets(name)
        for facet in facets[facets < owned]:
            cells = f2c.links(facet)
            sides = [int(region[c]) in active_tags for c in cells]
            bad += len(cells) != 2 or sides[0] == sides[1]
        if domain.comm.allreduce(bad, op=MPI.SUM):
            raise CaseError(
                problem.origin,
                key,
                f"'{name}' must be an interior interface between an active and an "
                f"inactive region (inactive: {', '.join(problem.inactive) or 'none'})",
            )


def hdiv_boundary_terms(problem: LKProblem, p: Any) -> Any:
    """The natural temperature and convection conditions of the ``hdiv`` element (from ζ∇T·p
    integrated by parts): ∫ ζ T_D p·n ds and ∫ ζ (T∞ + q·n / h) p·n ds."""
    domain = problem.domain
    zeta = problem.coefficients[problem.groups[0][2]].zeta
    n = ufl.FacetNormal(domain.mesh)
    terms: Any = 0
    for name, bc in problem.bcs.items():
        ds = problem.ds(domain.boundaries[name])
        if isinstance(bc, Temperature):
            terms += zeta * problem.parse(bc.value, f"boundaries.{name}.value") * ufl.dot(p, n) * ds
        elif isinstance(bc, Convection):
            T_inf = problem.parse(bc.T_inf, f"boundaries.{name}.T_inf")
            if bc.h == 0:
                raise CaseError(
                    problem.origin,
                    f"boundaries.{name}.h",
                    "the hdiv element needs h > 0 (use heat_flux = 0 for none)",
                )
            terms += zeta * (T_inf + ufl.dot(problem.q, n) / bc.h) * ufl.dot(p, n) * ds
    return terms


def nitsche_terms(problem: LKProblem, p: Any) -> Any:
    """Weak q·n = g (and q_t = 0 for no-slip) where λ or λ_d > 0, on flux boundaries."""
    if not any(nonzero(co.lam) or nonzero(co.lam_d) for co in problem.coefficients.values()):
        return 0
    domain = problem.domain
    mesh = domain.mesh
    lam = on_boundary(problem, lambda co: co.lam)
    lam_d = on_boundary(problem, lambda co: co.lam_d)
    n = ufl.FacetNormal(mesh)
    h = ufl.CellDiameter(mesh)
    gamma = NITSCHE_PENALTY * (problem.degree + 2) ** 2
    q = problem.q
    I = ufl.Identity(mesh.geometry.dim)

    def stress(w: Any) -> Any:
        return lam * ufl.grad(w) + lam_d * ufl.div(w) * I

    terms: Any = 0
    known = problem.known_fluxes()
    boundaries = {
        name: problem.bcs.get(name, HeatFlux())
        for name in domain.exterior_boundaries()
        if name in problem.active_exterior
    }
    for name, bc in boundaries.items():
        if isinstance(bc, Temperature):
            continue
        g = known.get(name, 0.0)
        P = I if bc.slip == "no_slip" else ufl.outer(n, n)
        jump = ufl.dot(P, q - g * n)
        ds = problem.ds(domain.boundaries[name])
        terms += (
            -ufl.inner(ufl.dot(stress(q), n), ufl.dot(P, p))
            - ufl.inner(ufl.dot(stress(p), n), jump)
            + gamma * (lam + lam_d) / h * ufl.inner(jump, ufl.dot(P, p))
        ) * ds
    return terms


def on_boundary(problem: LKProblem, coefficient: Any) -> Any:
    """A region-wise coefficient usable in boundary integrals: Σ_groups χ_group c_group, with
    χ the cell indicator of the group (just c where there is one group). It follows T and x
    like the coefficient itself does. The indicators are kept in ``problem.indicators``."""
    if len(problem.groups) == 1:
        return coefficient(problem.coefficients[problem.groups[0][2]])
    V0 = fem.functionspace(problem.domain.mesh, ("DG", 0))
    total: Any = 0
    for tags, _, region in problem.groups:
        chi = fem.Function(V0)
        for tag in tags:
            chi.x.array[problem.domain.cell_tags.find(tag)] = 1.0
        chi.x.scatter_forward()
        problem.indicators.append(chi)
        total += chi * coefficient(problem.coefficients[region])
    return total
