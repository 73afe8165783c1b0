"""Thermal domains (MODEL.md §2): the LK flux equation in the ordered phase, stepped by a convex
splitting that never lets the free energy rise (docs/theory.md, "Thermal domains").

Free energy (per region, Landau form; coefficients may depend on x, t and T):

    F[q] = ∫ λ/2 |∇q|² + λ_d/2 (∇·q)² + a/2 |q|² + b/4 |q|⁴ + c/6 |q|⁶ dx   (+ ζ q·∇T, coupled)

One step (Eyre's convex splitting, backward Euler): with a = a⁺ − a⁻, b = b⁺ − b⁻ (parts ≥ 0)
and the coefficients frozen at (tⁿ⁺¹, Tⁿ),

    Γ (qⁿ⁺¹ − qⁿ)/Δt = −[λ, λ_d, a⁺, b⁺, c terms at qⁿ⁺¹] + a⁻ qⁿ + b⁻ |qⁿ|² qⁿ  [− ζ∇Tⁿ⁺¹ | − ∇p]

The implicit part is the gradient of a convex functional and the explicit part that of a
concave one, so F(qⁿ⁺¹) − F(qⁿ) ≤ −Γ/Δt ‖qⁿ⁺¹ − qⁿ‖² for any Δt (coupled: the functional
F_q + the work of ζ∇T, see :meth:`DomainsProblem.energy_rise`).

Variants: ``relax`` (q ∈ P_k^d alone), ``coupled`` (q ∈ P_{k+1}^d, T ∈ P_k with
C (Tⁿ⁺¹ − Tⁿ)/Δt + ∇·qⁿ⁺¹ = Q), ``conserved`` (q ∈ P_{k+1}^d, p ∈ P_k: Taylor–Hood, inf-sup
stable, with ∇·qⁿ⁺¹ = 0 weakly and the multiplier p as pressure in Stokes flow).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import basix.ufl
import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from mpi4py import MPI
from petsc4py import PETSc

import lkfem._compat as _compat
from lkfem.core import expressions
from lkfem.core.bcs import BoundaryCondition, Temperature
from lkfem.core.coefficients import material_groups, spatial_names
from lkfem.core.domain import Domain
from lkfem.core.materials import Material
from lkfem.core.quadrature import affine_cells, landau_degree
from lkfem.errors import CaseError
from lkfem.physics.domains.energies import DomainEnergies, nonzero
from lkfem.solvers.newton import NewtonInfo, NewtonSolver
from lkfem.solvers.periodic import PeriodicNewtonSolver, periodic_constraint

__all__ = ["DomainsProblem", "positive_part", "negative_part"]

DIRECT_LIMIT = 20_000  # unknowns; above it the relax variant solves iteratively by default


def positive_part(v: Any) -> Any:
    """max(v, 0) of a number or UFL expression."""
    return max(v, 0.0) if isinstance(v, float) else (v + abs(v)) / 2


def negative_part(v: Any) -> Any:
    """max(−v, 0) of a number or UFL expression."""
    return max(-v, 0.0) if isinstance(v, float) else (abs(v) - v) / 2


class DomainsProblem(DomainEnergies):
    """The thermal-domain equations of one variant on a domain.

    Args:
        domain: mesh with named regions and boundaries.
        materials: a Landau-form :class:`Material` per region.
        variant: ``relax``, ``coupled`` or ``conserved``.
        degree: k above.
        bath: the medium's T for relax/conserved (number or expression of x, t).
        bcs: the coupled variant's temperature conditions (others are ignored: q is free).
        fixed: q fixed on named boundaries (gdim numbers or expressions of x, t).
        source: heat source Q of the coupled variant.
        constants: named numbers for expressions.
        petsc_options: PETSc options of the Newton solver.
        origin: how errors name the input.
        quadrature_degree: of every integral (default: :mod:`lkfem.core.quadrature`).
    """

    def __init__(
        self,
        domain: Domain,
        materials: Mapping[str, Material],
        *,
        variant: str = "relax",
        degree: int = 1,
        bath: float | str = 0.0,
        bcs: Mapping[str, BoundaryCondition] | None = None,
        fixed: Mapping[str, tuple[Any, ...]] | None = None,
        source: float | str = 0.0,
        constants: Mapping[str, float] | None = None,
        petsc_options: Mapping[str, Any] | None = None,
        origin: str = "<python>",
        quadrature_degree: int | None = None,
    ):
        self.domain, self.variant, self.degree, self.origin = domain, variant, degree, origin
        mesh = domain.mesh
        self.gdim = gdim = mesh.geometry.dim
        self.comm = domain.comm
        for region in domain.regions:
            if region not in materials:
                raise CaseError(origin, f"materials.{region}", f"region '{region}' needs one")
        cell = mesh.basix_cell()
        if variant == "relax":
            self.W = fem.functionspace(
                mesh, basix.ufl.element("Lagrange", cell, degree, shape=(gdim,))
            )
        else:
            eq = basix.ufl.element("Lagrange", cell, degree + 1, shape=(gdim,))
            es = basix.ufl.element("Lagrange", cell, degree)
            self.W = fem.functionspace(mesh, basix.ufl.mixed_element([eq, es]))
        if variant == "relax":
            self.V_q = self.W
            n = self.W.dofmap.index_map.size_local + self.W.dofmap.index_map.num_ghosts
            self.q_dofs = np.arange(n * gdim, dtype=np.int32)
            self.V_s, self.s_dofs = None, np.zeros(0, dtype=np.int32)
        else:
            self.V_q, self.q_dofs = _compat.collapse(self.W.sub(0))
            self.V_s, self.s_dofs = _compat.collapse(self.W.sub(1))
        self.t = fem.Constant(mesh, PETSc.ScalarType(0.0))
        self.dt = fem.Constant(mesh, PETSc.ScalarType(1.0))
        self.names = spatial_names(domain, constants, t=self.t)
        self.bcs = self._dirichlet(dict(bcs or {}), dict(fixed or {}))
        if variant == "conserved" and domain.periodic and not self._free_boundary(fixed or {}):
            self.bcs.append(self._pin_multiplier())
        # periodic pairs of the mesh: u lives on the constraint's space (W's dofs first)
        self.constraint = (
            periodic_constraint(self.W, domain, domain.periodic, self.bcs)
            if domain.periodic
            else None
        )
        U = self.W if self.constraint is None else self.constraint.function_space
        self.u = fem.Function(U, name="u")
        self.u_n = fem.Function(U)
        if variant == "relax":
            self.q, self.q_n = self.u, self.u_n
            s = s_n = None
        else:
            self.q, s = ufl.split(self.u)
            self.q_n, s_n = ufl.split(self.u_n)
        zero = fem.Constant(mesh, PETSc.ScalarType(0.0))
        if variant == "coupled":
            self.T_now, self.T_lag = s, s_n
        else:
            self.T_now = self.T_lag = self._parse(bath, "domains.T") + zero
        self.Q = self._parse(source, "physics.source", T=self.T_now)
        self.groups = material_groups(domain, materials)
        kq = degree + (variant != "relax")
        self.quadrature_degree = quadrature_degree or landau_degree(
            kq,
            (materials[r] for r in domain.regions),
            degree,
            affine=affine_cells(mesh),
        )
        self.dx = domain.dx(metadata={"quadrature_degree": self.quadrature_degree})
        #: the whole domain as the sum over the region tags when they cover it: every cell in
        #: one cell integral of a form that also has per-region terms (see Domain.tags_cover)
        tags = tuple(sorted(set(domain.regions.values())))
        self.dx_domain = self.dx(tags) if domain.tags_cover(tags) else self.dx
        # coefficients at the current T (diagnostics) and at the step's frozen T (the step)
        self.T_var = ufl.variable(self.T_now)
        self.co_now = self._coefficients(self.T_var)
        self.co_lag = self._coefficients(self.T_lag)
        self.F = self._residual()
        self.petsc_options = dict(petsc_options or {})
        self._solver: NewtonSolver | None = None
        self._forms()

    # ---- set-up -------------------------------------------------------------------------

    def _parse(self, value: Any, key: str, T: Any = None) -> Any:
        if isinstance(value, str):
            names = self.names if T is None else {**self.names, "T": T}
            return expressions.parse(value, names, source=self.origin, key=key)
        return float(value)

    def _coefficients(self, T: Any) -> dict[str, Any]:
        names = {**self.names, "T": T}
        return {
            region: material.landau(names, source=self.origin, key=f"materials.{region}")
            for _, material, region in self.groups
        }

    def _dirichlet(
        self, bcs: Mapping[str, BoundaryCondition], fixed: Mapping[str, tuple[Any, ...]]
    ) -> list[fem.DirichletBC]:
        """q on the fixed boundaries; T on the coupled variant's temperature boundaries."""
        domain, tdim = self.domain, self.domain.mesh.topology.dim
        out, self._updates = [], []
        V_q = self.W if self.variant == "relax" else self.W.sub(0)
        for name, values in fixed.items():
            if name not in domain.boundaries:
                raise CaseError(
                    self.origin,
                    f"domains.fixed.{name}",
                    f"no boundary named '{name}' "
                    f"(boundaries: {', '.join(sorted(domain.boundaries))})",
                )
            if len(values) != self.gdim:
                raise CaseError(
                    self.origin, f"domains.fixed.{name}.q", f"needs {self.gdim} components"
                )
            parts = [self._parse(v, f"domains.fixed.{name}.q[{i}]") for i, v in enumerate(values)]
            zero = fem.Constant(domain.mesh, PETSc.ScalarType(0.0))
            expr = ufl.as_vector([p + zero for p in parts])
            out.append(self._bc(V_q, self.V_q, domain.boundary_facets(name), tdim, expr))
        if self.variant == "coupled":
            for name, bc in bcs.items():
                if isinstance(bc, Temperature):
                    value = self._parse(bc.value, f"boundaries.{name}.value")
                    zero = fem.Constant(domain.mesh, PETSc.ScalarType(0.0))
                    facets = domain.boundary_facets(name)
                    out.append(self._bc(self.W.sub(1), self.V_s, facets, tdim, value + zero))
        return out

    def _bc(self, sub: Any, V: Any, facets: np.ndarray, tdim: int, expr: Any) -> fem.DirichletBC:
        g = fem.Function(V)
        compiled = _compat.expression(expr, V)
        self._updates.append((g, compiled))
        g.interpolate(compiled)
        if sub is V:
            dofs = fem.locate_dofs_topological(V, tdim - 1, facets)
            return fem.dirichletbc(g, dofs)
        dofs = fem.locate_dofs_topological((sub, V), tdim - 1, facets)
        return fem.dirichletbc(g, dofs, sub)

    def _free_boundary(self, fixed: Mapping[str, Any]) -> bool:
        """Whether some outer boundary is neither fixed nor periodic (there p is set)."""
        paired = {name for pair in self.domain.periodic for name in (pair.source, pair.image)}
        return bool(set(self.domain.exterior_boundaries()) - paired - set(fixed))

    def _pin_multiplier(self) -> fem.DirichletBC:
        """p = 0 at one node off the outer surface: with every boundary periodic or fixed the
        multiplier is defined only up to a constant (q is not affected). The node is the owned
        interior dof of p with the smallest global index, the same on every rank; its equation
        ∫ ∇·q φ dx = 0 follows from the others (the φ sum to one, ∮ q·n = 0)."""
        V, mesh, comm = self.V_s, self.domain.mesh, self.comm
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim - 1, tdim)
        outer = fem.locate_dofs_topological(
            V, tdim - 1, dmesh.exterior_facet_indices(mesh.topology)
        )
        imap = V.dofmap.index_map
        inner = np.setdiff1d(np.arange(imap.size_local, dtype=np.int32), outer)
        numbers = imap.local_to_global(inner)
        first = comm.allreduce(
            int(numbers.min()) if numbers.size else np.iinfo(np.int64).max, op=MPI.MIN
        )
        if first == np.iinfo(np.int64).max:
            raise CaseError(
                self.origin, "mesh.periodic", "the mesh has no interior node to fix p at"
            )
        point = np.zeros(3)
        if numbers.size and numbers.min() == first:
            point = V.tabulate_dof_coordinates()[inner[np.argmin(numbers)]]
        point = comm.allreduce(point, op=MPI.SUM)
        tol = 1e-10 * max(float(np.abs(point).max()), 1.0)

        def at(x: np.ndarray) -> np.ndarray:
            return np.linalg.norm(x - point[:, None], axis=0) <= tol

        dofs = fem.locate_dofs_geometrical((self.W.sub(1), V), at)
        return fem.dirichletbc(fem.Function(V), dofs, self.W.sub(1))

    def make_periodic(self, f: fem.Function) -> None:
        """Give ``f`` (on the space of u) the values the periodic pairs ask for (a no-op
        without pairs)."""
        if self.constraint is not None:
            self.constraint.homogenize(f)
            self.constraint.backsubstitution(f)

    def update_conditions(self) -> None:
        """The fixed values at the current t."""
        for g, compiled in self._updates:
            g.interpolate(compiled)

    def _residual(self) -> Any:
        q, q_n, dt = self.q, self.q_n, self.dt
        if self.variant == "relax":
            v = ufl.TestFunction(self.W)
        else:
            v, r = ufl.TestFunctions(self.W)
        F: Any = 0
        for tags, _, region in self.groups:
            co = self.co_lag[region]
            q2, q2_n = ufl.inner(q, q), ufl.inner(q_n, q_n)
            implicit = positive_part(co.A) + positive_part(co.b) * q2 + co.c * q2 * q2
            explicit = negative_part(co.A) + negative_part(co.b) * q2_n
            local = (
                co.Gamma * ufl.inner(q - q_n, v) / dt
                + co.lam * ufl.inner(ufl.grad(q), ufl.grad(v))
                + implicit * ufl.inner(q, v)
                - explicit * ufl.inner(q_n, v)
            )
            if nonzero(co.lam_d):
                local += co.lam_d * ufl.div(q) * ufl.div(v)
            if self.variant == "coupled":
                T, T_n = self.T_now, self.T_lag
                local += co.zeta * ufl.inner(ufl.grad(T), v)
                local += (co.C * (T - T_n) / dt + ufl.div(q) - self.Q) * r
            F += local * self.dx(tags)
        if self.variant == "conserved":
            p = ufl.split(self.u)[1]
            F += (-p * ufl.div(v) - r * ufl.div(q)) * self.dx_domain
        return F

    # ---- solving ------------------------------------------------------------------------

    def linear_options(self, kind: str = "auto") -> dict[str, Any] | None:
        """The linear solver inside Newton: ``direct`` (LU; None here), ``iterative`` (CG with
        Jacobi: the relax variant's step matrix Γ/Δt M + λK + the implicit Landau part is
        symmetric positive definite and mass-dominated at the steps the scheme takes, its
        condition number about 1 + λΔt/(Γh²); an AMG set up at every Newton iteration cost
        3× more per step at 1 M unknowns in 3D, docs/performance.md) or ``auto`` (iterative
        for the relax variant above DIRECT_LIMIT unknowns; the coupled and conserved variants
        are not symmetric positive definite and stay direct). The case's ``[solver.petsc]``
        options still override (e.g. ``pc_type = "hypre"`` for very large steps)."""
        size = self.W.dofmap.index_map.size_global * self.W.dofmap.index_map_bs
        if kind == "auto":
            big = self.variant == "relax" and size > DIRECT_LIMIT
            kind = "iterative" if big else "direct"
        if kind == "direct":
            return None
        if kind != "iterative":
            raise CaseError(
                self.origin,
                "solver.linear_solver",
                f"unknown linear solver '{kind}' (direct, iterative or auto)",
            )
        if self.variant != "relax":
            raise CaseError(
                self.origin,
                "solver.linear_solver",
                f"'iterative' is for the relax variant; the {self.variant} variant is solved "
                "directly (use 'direct' or 'auto', or give [solver.petsc] options)",
            )
        return {
            "ksp_type": "cg",
            "pc_type": "jacobi",
            "ksp_rtol": 1e-8,
        }

    def solver(self) -> NewtonSolver:
        """The Newton solver of a step: the one place where the solve is set up (its linear
        solver from :meth:`linear_options`; PETSc options from the case)."""
        if self._solver is None:
            options = dict(self.petsc_options)
            linear = self.linear_options(options.pop("linear_solver", "auto"))
            self.linear_solver = "direct" if linear is None else "iterative"
            if self.constraint is None:
                self._solver = NewtonSolver(
                    self.F, self.u, self.bcs, options, name="domains", linear=linear
                )
            else:
                self._solver = PeriodicNewtonSolver(
                    self.F,
                    self.u,
                    self.bcs,
                    self.constraint,
                    options,
                    name="domains",
                    linear=linear,
                )
        return self._solver

    def step(self, t: float, dt: float) -> NewtonInfo:
        """Solve for the state at ``t`` from uⁿ with the step ``dt``; on failure u = uⁿ."""
        self.t.value = t
        self.dt.value = dt
        self.update_conditions()
        self.u.x.array[:] = self.u_n.x.array
        return self.solver().solve(raise_on_failure=False)

    def accept(self) -> None:
        self.u_n.x.array[:] = self.u.x.array

    def undo(self, t: float) -> None:
        self.t.value = t
        self.u.x.array[:] = self.u_n.x.array

    def split(self) -> tuple[fem.Function, fem.Function | None]:
        """Copies of q and of the second field (T or p; None for relax)."""
        q = fem.Function(self.V_q, name="q")
        q.x.array[:] = self.u.x.array[self.q_dofs]
        if self.V_s is None:
            return q, None
        s = fem.Function(self.V_s)
        s.x.array[:] = self.u.x.array[self.s_dofs]
        return q, s

    def destroy(self) -> None:
        if self._solver is not None:
            self._solver.destroy()
            self._solver = None
