"""Steady Fourier heat conduction, −∇·(k ∇T) = Q, with a conductivity per named region.

Weak form: find T with T = T_D on temperature boundaries such that for all v vanishing there

    ∫ k ∇T·∇v dx + Σ_conv ∫ h T v ds = ∫ Q v dx − Σ_flux ∫ g v ds + Σ_conv ∫ h T_inf v ds.

The heat leaving through a temperature boundary is computed from the residual of this form
(a conservative "reaction" flux), so the heat flows through all boundaries add up to the source
power to round-off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import ufl
from dolfinx import fem, la
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc
from ufl.algorithms import estimate_total_polynomial_degree

import lkfem._compat as _compat
from lkfem.core import expressions
from lkfem.core.bcs import BoundaryCondition, Convection, HeatFlux, Temperature
from lkfem.core.coefficients import interpolate_by_group, material_groups, spatial_names
from lkfem.core.domain import Domain
from lkfem.core.materials import LandauCoefficients, Material
from lkfem.core.names import check_names
from lkfem.errors import CaseError
from lkfem.solvers.linear import LinearSolver, SolveInfo
from lkfem.solvers.periodic import constrained_function, periodic_constraint, solve_linear

__all__ = ["SteadyFourierResult", "solve_steady_fourier", "conductivity"]


@dataclass(slots=True, kw_only=True)
class SteadyFourierResult:
    """Fields and derived quantities of a steady Fourier solve.

    Attributes:
        T: temperature (K), continuous Lagrange.
        q: heat flux −k∇T (W/m^2), cellwise constant.
        k: conductivity (W/(m K)), cellwise constant.
        heat_flow: heat leaving through each named exterior boundary (W).
        source_power: ∫ Q dx (W).
        solve: what the Krylov solver reported.

    ``q`` and ``k`` are interpolated on first use (a caller that needs only T and the heat
    flows does not pay for them); like every operation on a distributed function, that first
    use must happen on every rank.
    """

    T: fem.Function
    heat_flow: dict[str, float]
    source_power: float
    solve: SolveInfo
    derive: Callable[[], tuple[fem.Function, fem.Function]] = field(repr=False)
    _derived: tuple[fem.Function, fem.Function] | None = field(default=None, init=False, repr=False)

    def _fields(self) -> tuple[fem.Function, fem.Function]:
        if self._derived is None:
            self._derived = self.derive()
        return self._derived

    @property
    def q(self) -> fem.Function:
        """Heat flux −k∇T (W/m^2), cellwise constant (collective on first use)."""
        return self._fields()[0]

    @property
    def k(self) -> fem.Function:
        """Conductivity (W/(m K)), cellwise constant (collective on first use)."""
        return self._fields()[1]

    @property
    def balance_error(self) -> float:
        """Σ heat flows − source power (W); zero up to round-off and solver tolerance."""
        return sum(self.heat_flow.values()) - self.source_power


def _scalar(form: Any, comm: MPI.Comm) -> float:
    return float(comm.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM))


def conductivity(coefficients: LandauCoefficients) -> Any:
    """K = ζ A⁻¹ (scalar or tensor) from a region's Landau coefficients."""
    if coefficients.K is not None:
        return coefficients.K
    A = coefficients.A
    return coefficients.zeta * ufl.inv(A) if ufl.shape(A) else coefficients.zeta / A


def _flux(K: Any, T: Any) -> Any:
    """K∇T for a scalar or tensor K."""
    return ufl.dot(K, ufl.grad(T)) if ufl.shape(K) else K * ufl.grad(T)


def _capped(dx: ufl.Measure, tags: Any, K: Any, degree: int) -> ufl.Measure:
    """dx(tags), with the quadrature degree capped for a non-polynomial K(x).

    UFL estimates the degree of √ and of quotients generously: a transformation cloak's tensor
    would get quadrature of degree in the hundreds. 2 (degree + 2) integrates the stiffness of
    a smooth K to the discretisation's own accuracy.
    """
    cap = 2 * (degree + 2)
    if isinstance(K, ufl.core.expr.Expr) and estimate_total_polynomial_degree(K) > cap - 2:
        return dx(tags, metadata={"quadrature_degree": cap})
    return dx(tags)


def _isotropic(K: Any) -> Any:
    return ufl.tr(K) / ufl.shape(K)[0] if ufl.shape(K) else K


def _solve(
    a: Any, L: Any, bcs: list[fem.DirichletBC], Th: fem.Function, options: Any
) -> tuple[SolveInfo, float]:
    """The solve, and ∫ L with v = 1 (Σ_i L(φ_i), the Lagrange basis summing to one), read off
    the right-hand side before the conditions go in: this rank's cells and facets only, as
    each entry holds only what this rank assembled until the ghosts are sent to their owners."""
    a_form, L_form = fem.form(a), fem.form(L)
    A = fem_petsc.assemble_matrix(a_form, bcs=bcs)
    A.assemble()
    b = fem_petsc.assemble_vector(L_form)
    with b.localForm() as local:
        load = float(local.sum())
    fem_petsc.apply_lifting(b, [a_form], bcs=[bcs])
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    fem_petsc.set_bc(b, bcs)
    solver = LinearSolver(A, options, name="fourier")
    try:
        info = solver.solve(b, Th.x.petsc_vec)
    finally:
        solver.destroy()
        A.destroy()
        b.destroy()
    Th.x.scatter_forward()
    return info, load


def _solve_periodic(
    domain: Domain,
    V: fem.FunctionSpace,
    a: Any,
    L: Any,
    bcs: list[fem.DirichletBC],
    Th: fem.Function,
    options: Any,
) -> SolveInfo:
    """The solve with the mesh's periodic pairs (dolfinx_mpc), T then copied onto ``V``."""
    mpc = periodic_constraint(V, domain, domain.periodic, bcs)
    constrained = constrained_function(mpc)
    info = solve_linear(a, L, constrained, bcs, mpc, options, name="fourier")
    Th.interpolate(constrained)
    return info


def solve_steady_fourier(
    domain: Domain,
    materials: Mapping[str, Material],
    bcs: Mapping[str, BoundaryCondition],
    *,
    source: float | str = 0.0,
    degree: int = 1,
    constants: Mapping[str, float] | None = None,
    solver_options: Mapping[str, Any] | None = None,
    origin: str = "<python>",
) -> SteadyFourierResult:
    """Solve steady heat conduction on ``domain``.

    Args:
        domain: mesh with named regions and boundaries.
        materials: a :class:`Material` for every region name (k a number, an expression of
            x, y, z, r, rho, or a 3×3 tensor).
        bcs: a condition for any named exterior boundary; the others are adiabatic, or
            periodic where ``domain.periodic`` pairs them.
        source: volumetric heat source Q (W/m^3), a number or an expression.
        degree: polynomial degree of T.
        constants: named numbers usable in expressions.
        solver_options: PETSc options merged over CG + algebraic multigrid.
        origin: how errors name the input (a case file).
    """
    check_names(domain, materials, bcs, origin)
    mesh = domain.mesh
    fdim = mesh.topology.dim - 1
    mesh.topology.create_connectivity(fdim, mesh.topology.dim)
    names = spatial_names(domain, constants)

    def parse(value: Any, key: str) -> Any:
        if isinstance(value, str):
            return expressions.parse(value, names, source=origin, key=key)
        return value if isinstance(value, ufl.core.expr.Expr) else float(value)

    groups = material_groups(domain, materials)
    K = {
        region: conductivity(m.landau(names, source=origin, key=f"materials.{region}"))
        for _, m, region in groups
    }
    V = fem.functionspace(mesh, ("Lagrange", degree))
    T, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    Q = parse(source, "physics.source")
    if isinstance(Q, float):
        Q = fem.Constant(mesh, PETSc.ScalarType(Q))
    dx, ds = domain.dx, domain.ds

    a = sum(
        ufl.inner(_flux(K[region], T), ufl.grad(v)) * _capped(dx, tags, K[region], degree)
        for tags, _, region in groups
    )
    L = Q * v * dx
    dirichlet: list[tuple[str, np.ndarray, fem.DirichletBC]] = []
    known: list[tuple[Any, int]] = []  # (T -> q·n, tag) on flux and convection boundaries
    loads: list[tuple[Any, int]] = []  # L's boundary terms (with v = 1, tag)
    for name, bc in bcs.items():
        tag = domain.boundaries[name]
        if isinstance(bc, Temperature):
            dofs = fem.locate_dofs_topological(V, fdim, domain.boundary_facets(name))
            value = parse(bc.value, f"boundaries.{name}.value")
            g = fem.Function(V)
            if isinstance(value, float):
                g.x.array[:] = value
            else:
                g.interpolate(_compat.expression(value, V))
            dirichlet.append((name, dofs, fem.dirichletbc(g, dofs)))
        elif isinstance(bc, HeatFlux):
            flux = parse(bc.value, f"boundaries.{name}.value")
            L -= flux * v * ds(tag)
            loads.append((-flux, tag))
            known.append((lambda _, f=flux: f, tag))
        elif isinstance(bc, Convection):
            T_inf = parse(bc.T_inf, f"boundaries.{name}.T_inf")
            a += bc.h * T * v * ds(tag)
            L += bc.h * T_inf * v * ds(tag)
            loads.append((bc.h * T_inf, tag))
            known.append((lambda T, h=bc.h, T_inf=T_inf: h * (T - T_inf), tag))
    if not dirichlet and not any(isinstance(bc, Convection) for bc in bcs.values()):
        raise CaseError(
            origin,
            "boundaries",
            "a steady solve needs at least one temperature or convection "
            "boundary (with only heat fluxes the temperature is not determined)",
        )

    bc_list = [bc for _, _, bc in dirichlet]
    Th = fem.Function(V, name="T")
    if domain.periodic:
        info = _solve_periodic(domain, V, a, L, bc_list, Th, solver_options)
        source_power = _scalar(Q * dx, domain.comm)
    else:
        info, load = _solve(a, L, bc_list, Th, solver_options)
        # ∫ Q dx: ∫ L with v = 1 less its boundary terms
        comm = domain.comm
        source_power = comm.allreduce(load, op=MPI.SUM) - sum(
            _scalar(fem.Constant(mesh, 1.0) * term * ds(tag), comm) for term, tag in loads
        )

    def derive() -> tuple[fem.Function, fem.Function]:
        gdim = mesh.geometry.dim
        q = interpolate_by_group(
            fem.Function(fem.functionspace(mesh, ("DG", degree - 1, (gdim,))), name="q"),
            domain,
            groups,
            lambda m, r: -_flux(K[r], Th),
        )
        k = interpolate_by_group(
            fem.Function(fem.functionspace(mesh, ("DG", 0)), name="k"),
            domain,
            groups,
            lambda m, r: _isotropic(K[r]),
        )
        return q, k

    fluxes = [(flux_of(Th), tag) for flux_of, tag in known]
    heat_flow = _boundary_heat_flow(domain, dirichlet, fluxes, Th, K, groups, Q, V)
    return SteadyFourierResult(
        T=Th, heat_flow=heat_flow, source_power=source_power, solve=info, derive=derive
    )


def _boundary_heat_flow(
    domain: Domain,
    dirichlet: list[tuple[str, np.ndarray, fem.DirichletBC]],
    known: list[tuple[Any, int]],
    T: fem.Function,
    K: Mapping[str, Any],
    groups: list[tuple[tuple[int, ...], Material, str]],
    Q: Any,
    V: fem.FunctionSpace,
) -> dict[str, float]:
    """The heat leaving through each exterior boundary.

    A temperature boundary's heat flow is Σ r_i over its dofs, with the residual
    r_i = ∫ Q φ_i dx − ∫ K∇T·∇φ_i dx − Σ_known ∫ q·n φ_i ds (the residual tested with the
    indicator of its dofs; a dof shared by two temperature boundaries counts for the first one
    only): conservative, so the flows add up to the source power to round-off. r is needed only
    at the temperature dofs, so its cell terms are assembled only over the cells that hold one
    (:func:`_cells_holding`), not over the whole domain.
    """
    comm, ds = domain.comm, domain.ds
    by_tag = {tag: name for name, tag in domain.boundaries.items()}
    flows = dict.fromkeys(domain.exterior_boundaries(), 0.0)
    for flux, tag in known:
        flows[by_tag[tag]] = _scalar(fem.Constant(domain.mesh, 1.0) * flux * ds(tag), comm)
    if not dirichlet:
        return flows
    cells = _cells_holding(V, [dofs for _, dofs, _ in dirichlet])
    region = _region_tags(domain, cells)
    # id 0: all those cells (the source), id i > 0: those of material group i
    dx = ufl.Measure(
        "dx",
        domain=domain.mesh,
        subdomain_data=[(0, cells)]
        + [(i, cells[np.isin(region, tags)]) for i, (tags, _, _) in enumerate(groups, start=1)],
    )
    v = ufl.TestFunction(V)
    degree = V.ufl_element().degree
    residual_form = Q * v * dx(0)
    for i, (_, _, region_name) in enumerate(groups, start=1):
        K_r = K[region_name]
        residual_form -= ufl.inner(_flux(K_r, T), ufl.grad(v)) * _capped(dx, i, K_r, degree)
    for flux, tag in known:
        residual_form -= flux * v * ds(tag)
    vector = fem.assemble_vector(fem.form(residual_form))
    vector.scatter_reverse(la.InsertMode.add)
    owned = V.dofmap.index_map.size_local * V.dofmap.index_map_bs
    residual = vector.array[:owned]
    claimed = np.zeros(owned, dtype=bool)
    for name, dofs, _ in dirichlet:
        mine = dofs[dofs < owned]
        flows[name] = comm.allreduce(float(residual[mine[~claimed[mine]]].sum()), op=MPI.SUM)
        claimed[mine] = True
    return flows


def _cells_holding(V: fem.FunctionSpace, dofs: list[np.ndarray]) -> np.ndarray:
    """The owned cells with one of ``dofs`` (local indices, owned and ghost: dolfinx's
    ``locate_dofs_topological`` also returns the dofs other ranks found) among their own, so
    that the residual's owned entries at those dofs get every cell's part (the ghosts' parts
    come from the ranks owning those cells)."""
    imap = V.dofmap.index_map
    marked = np.zeros((imap.size_local + imap.num_ghosts) * V.dofmap.index_map_bs, dtype=bool)
    marked[np.concatenate(dofs)] = True
    owned_cells = V.mesh.topology.index_map(V.mesh.topology.dim).size_local
    cell_dofs = V.dofmap.list[:owned_cells]
    hits = np.flatnonzero(marked[cell_dofs.ravel()])  # (cell, local dof) positions
    return np.unique(hits // cell_dofs.shape[1]).astype(np.int32)


def _region_tags(domain: Domain, cells: np.ndarray) -> np.ndarray:
    """The region tag of each of ``cells`` (−1 for an untagged cell), looked up in the sorted
    cell tags (not an array over all cells: ``cells`` are a thin layer at the boundaries)."""
    indices, values = domain.cell_tags.indices, domain.cell_tags.values
    if indices.size == 0:
        return np.full(cells.size, -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(indices, cells), indices.size - 1)
    return np.where(indices[at] == cells, values[at], -1)
