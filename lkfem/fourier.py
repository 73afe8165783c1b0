"""Steady Fourier heat conduction, −∇·(k ∇T) = Q, with a conductivity per named region.

Weak form: find T with T = T_D on temperature boundaries such that for all v vanishing there

    ∫ k ∇T·∇v dx + Σ_conv ∫ h T v ds = ∫ Q v dx − Σ_flux ∫ g v ds + Σ_conv ∫ h T_inf v ds.

The heat leaving through a temperature boundary is computed from the residual of this form
(a conservative "reaction" flux), so the heat flows through all boundaries add up to the source
power to round-off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

from . import _compat
from .bcs import BoundaryCondition, Convection, HeatFlux, Temperature
from .domain import Domain
from .errors import CaseError, MeshError
from .materials import Material
from .solvers import LinearSolver, SolveInfo

__all__ = ["SteadyFourierResult", "solve_steady_fourier", "region_function"]


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
    """

    T: fem.Function
    q: fem.Function
    k: fem.Function
    heat_flow: dict[str, float]
    source_power: float
    solve: SolveInfo

    @property
    def balance_error(self) -> float:
        """Σ heat flows − source power (W); zero up to round-off and solver tolerance."""
        return sum(self.heat_flow.values()) - self.source_power


def region_function(
    domain: Domain, values: Mapping[str, float], name: str, source: str = "<python>"
) -> fem.Function:
    """A cellwise-constant function with the value ``values[region]`` on each named region."""
    V0 = fem.functionspace(domain.mesh, ("DG", 0))
    f = fem.Function(V0, name=name)
    assigned = np.zeros(f.x.array.size, dtype=bool)
    for region, value in values.items():
        cells = domain.region_cells(region)
        f.x.array[cells] = value
        assigned[cells] = True
    num_owned = domain.mesh.topology.index_map(domain.mesh.topology.dim).size_local
    missing = domain.comm.allreduce(int((~assigned[:num_owned]).sum()), op=MPI.SUM)
    if missing:
        raise MeshError(f"{source}: {missing} cells belong to no named region")
    f.x.scatter_forward()
    return f


def _scalar(form: Any, comm: MPI.Comm) -> float:
    return float(comm.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM))


def solve_steady_fourier(
    domain: Domain,
    materials: Mapping[str, Material],
    bcs: Mapping[str, BoundaryCondition],
    *,
    source: float = 0.0,
    degree: int = 1,
    solver_options: Mapping[str, Any] | None = None,
    origin: str = "<python>",
) -> SteadyFourierResult:
    """Solve steady heat conduction on ``domain``.

    Args:
        domain: mesh with named regions and boundaries.
        materials: a :class:`Material` for every region name.
        bcs: a condition for any named exterior boundary; the others are adiabatic.
        source: volumetric heat source Q (W/m^3), uniform.
        degree: polynomial degree of T.
        solver_options: PETSc options merged over CG + algebraic multigrid.
        origin: how errors name the input (a case file).
    """
    check_names(domain, materials, bcs, origin)
    mesh = domain.mesh
    comm = domain.comm
    fdim = mesh.topology.dim - 1
    mesh.topology.create_connectivity(fdim, mesh.topology.dim)

    V = fem.functionspace(mesh, ("Lagrange", degree))
    T, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    k = region_function(domain, {r: m.k for r, m in materials.items()}, "k", origin)
    Q = fem.Constant(mesh, PETSc.ScalarType(source))
    dx, ds = ufl.dx(domain=mesh), domain.ds

    a = ufl.inner(k * ufl.grad(T), ufl.grad(v)) * dx
    L = Q * v * dx
    dirichlet: list[tuple[str, np.ndarray, fem.DirichletBC]] = []
    for name, bc in bcs.items():
        tag = domain.boundaries[name]
        if isinstance(bc, Temperature):
            dofs = fem.locate_dofs_topological(V, fdim, domain.boundary_facets(name))
            dirichlet.append((name, dofs, fem.dirichletbc(PETSc.ScalarType(bc.value), dofs, V)))
        elif isinstance(bc, HeatFlux):
            L -= bc.value * v * ds(tag)
        elif isinstance(bc, Convection):
            a += bc.h * T * v * ds(tag)
            L += bc.h * bc.T_inf * v * ds(tag)
    if not dirichlet and not any(isinstance(bc, Convection) for bc in bcs.values()):
        raise CaseError(
            origin, "boundaries", "a steady solve needs at least one temperature or convection "
            "boundary (with only heat fluxes the temperature is not determined)"
        )

    a_form, L_form = fem.form(a), fem.form(L)
    bc_list = [bc for _, _, bc in dirichlet]
    A = fem_petsc.assemble_matrix(a_form, bcs=bc_list)
    A.assemble()
    b = fem_petsc.assemble_vector(L_form)
    fem_petsc.apply_lifting(b, [a_form], bcs=[bc_list])
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    fem_petsc.set_bc(b, bc_list)

    Th = fem.Function(V, name="T")
    solver = LinearSolver(A, solver_options, name="fourier")
    try:
        info = solver.solve(b, Th.x.petsc_vec)
    finally:
        solver.destroy()
        A.destroy()
        b.destroy()
    Th.x.scatter_forward()

    q = fem.Function(fem.functionspace(mesh, ("DG", 0, (mesh.geometry.dim,))), name="q")
    q.interpolate(_compat.expression(-k * ufl.grad(Th), q.function_space))
    q.x.scatter_forward()

    heat_flow = _boundary_heat_flow(domain, bcs, dirichlet, Th, k, Q, V)
    return SteadyFourierResult(
        T=Th,
        q=q,
        k=k,
        heat_flow=heat_flow,
        source_power=_scalar(Q * dx, comm),
        solve=info,
    )


def check_names(
    domain: Domain,
    materials: Mapping[str, Material],
    bcs: Mapping[str, BoundaryCondition],
    origin: str,
) -> None:
    for region in materials:
        if region not in domain.regions:
            raise CaseError(
                origin, f"materials.{region}",
                f"no region named '{region}' in the mesh (regions: {', '.join(sorted(domain.regions))})",
            )
    missing = sorted(set(domain.regions) - set(materials))
    if missing:
        raise CaseError(origin, "materials", f"no material for region(s) {', '.join(missing)}")
    exterior = domain.exterior_boundaries()
    for name in bcs:
        if name not in exterior:
            problem = (
                f"'{name}' is an interior interface; conditions go on the outer boundaries"
                if name in domain.boundaries
                else f"no boundary named '{name}' in the mesh"
            )
            raise CaseError(
                origin, f"boundaries.{name}",
                f"{problem} (boundaries: {', '.join(sorted(exterior))})",
            )


def _boundary_heat_flow(
    domain: Domain,
    bcs: Mapping[str, BoundaryCondition],
    dirichlet: list[tuple[str, np.ndarray, fem.DirichletBC]],
    T: fem.Function,
    k: fem.Function,
    Q: fem.Constant,
    V: fem.FunctionSpace,
) -> dict[str, float]:
    comm, ds = domain.comm, domain.ds
    dx = ufl.dx(domain=domain.mesh)
    exterior = domain.exterior_boundaries()
    flows = dict.fromkeys(exterior, 0.0)
    known: list[tuple[Any, int]] = []  # (q·n, tag) on flux and convection boundaries
    for name, bc in bcs.items():
        tag = domain.boundaries[name]
        if isinstance(bc, HeatFlux):
            known.append((fem.Constant(domain.mesh, PETSc.ScalarType(bc.value)), tag))
        elif isinstance(bc, Convection):
            known.append((bc.h * (T - bc.T_inf), tag))
        else:
            continue
        flows[name] = _scalar(known[-1][0] * ds(tag), comm)
    # Temperature boundaries: the residual of the weak form tested with the indicator of their
    # dofs; a dof shared by two temperature boundaries counts for the first one only.
    claimed = np.zeros(T.x.array.size, dtype=bool)
    for name, dofs, _ in dirichlet:
        w = fem.Function(V)
        w.x.array[dofs[~claimed[dofs]]] = 1.0
        claimed[dofs] = True
        residual = Q * w * dx - ufl.inner(k * ufl.grad(T), ufl.grad(w)) * dx
        for flux, tag in known:
            residual -= flux * w * ds(tag)
        flows[name] = _scalar(residual, comm)
    return flows
