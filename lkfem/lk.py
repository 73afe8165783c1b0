"""The Landau–Khalatnikov heat-flux problem: a monolithic (q, T) mixed formulation.

Strong form (Landau form; see :mod:`lkfem.materials` for the physical parameters):

    Γ ∂q/∂t + A q + b|q|²q + c|q|⁴q − ∇·(λ∇q) − ∇(λ_d ∇·q) + ζ∇T = 0,
    C ∂T/∂t + ∇·q = Q.

Weak form (elements ``taylor_hood`` and ``primal``): find (q, T), T = T_D on temperature
boundaries, such that for all (p, v) with v = 0 there

    Σ_regions ∫ [Γ q̇·p + A q·p + (b|q|² + c|q|⁴) q·p + λ∇q:∇p + λ_d ∇·q ∇·p + ζ∇T·p] dx
      + Nitsche terms for q·n (and q_t for no-slip) on flux boundaries where λ > 0
      + ∫ [C Ṫ v − q·∇v − Q v] dx + Σ_flux ∫ g v ds + Σ_conv ∫ h (T − T∞) v ds = 0.

Regions listed as ``inactive`` (e.g. a heat-superconducting rod modelled elsewhere, see
:mod:`lkfem.superconductor`) are left out: the integrals run over the active regions only and
the dofs that touch no active cell are fixed (to zero). Named interior interfaces between an
active and an inactive region may carry a heat exchange (``interface_exchange``): heat leaving
the active side per unit area h (T − T_other), the term Σ ∫ h (T − T_other) v dS in the energy
equation (T and v are continuous there, so either side's trace will do; ``taylor_hood`` and
``primal`` only).

Element ``hdiv`` (only for λ = λ_d = 0, constant ζ) integrates ζ∇T·p by parts instead:
q ∈ RT_k with q·n = 0 strongly on adiabatic boundaries, T ∈ DG_{k−1}, temperature and
convection conditions natural. The time derivative is u̇ ≈ (α0 u + α1 uⁿ + α2 uⁿ⁻¹)/Δt with
Constants, so backward Euler, variable-step BDF2 and the steady problem (α = 0) share one
compiled form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import basix.ufl
import numpy as np
import ufl
from dolfinx import fem, la
from mpi4py import MPI
from petsc4py import PETSc

from . import _compat, expressions
from .bcs import BoundaryCondition, Convection, HeatFlux, Temperature
from .coefficients import interpolate_by_group, material_groups, spatial_names
from .domain import Domain
from .errors import CaseError
from .materials import LandauCoefficients, Material
from .nonlinear import NewtonInfo, NewtonSolver
from .preconditioners import BlockPreconditioner, block_options

__all__ = ["LKProblem", "ELEMENTS"]

ELEMENTS = ("auto", "taylor_hood", "primal", "hdiv")
DIRECT_LIMIT = 20_000  # unknowns; above it the default linear solver is iterative
NITSCHE_PENALTY = 20.0  # times (degree + 1)², dimensionless


class LKProblem:
    """The LK equations on a domain with named regions and boundaries.

    Args:
        domain: mesh with named regions and boundaries.
        materials: a :class:`Material` for every region.
        bcs: conditions on named exterior boundaries; unlisted ones are adiabatic.
        source: heat source Q (W/m³): a number or an expression of x, y, z, r, rho, t, T
            (a string, or UFL).
        q_source: a driving force f on the right of the flux equation (K/m in the physical
            form), as gdim numbers/expressions; for manufactured solutions.
        element: ``auto`` (Taylor–Hood where any ℓ > 0, else primal), ``taylor_hood``
            (q ∈ P_{k+1}³, T ∈ P_k), ``primal`` (q ∈ DG_{k−1}³, T ∈ P_k; ℓ = 0 only) or
            ``hdiv`` (q ∈ RT_k, T ∈ DG_{k−1}; ℓ = 0 only).
        degree: k above.
        quadrature_degree: of every integral; 2 (k + 1) + 2 by default, which integrates the
            polynomial terms of the linear problem exactly and keeps expression coefficients
            (sin, exp, …) from asking for huge rules.
        constants: named numbers usable in expressions.
        petsc_options: PETSc options for SNES and its linear solver.
        origin: how errors name the input.
        inactive: regions left out of the problem (no material; their dofs touching no active
            cell are fixed to zero). Not with ``hdiv``.
        interface_exchange: heat exchange h (T − T_inf) per unit area, out of the active side,
            on named interior interfaces between an active and an inactive region, as
            :class:`Convection` conditions (``T_inf`` may be a ``fem.Constant`` updated in
            place). ``taylor_hood`` and ``primal`` only.
    """

    def __init__(
        self,
        domain: Domain,
        materials: Mapping[str, Material],
        bcs: Mapping[str, BoundaryCondition],
        *,
        source: Any = 0.0,
        q_source: Any = None,
        element: str = "auto",
        degree: int = 1,
        quadrature_degree: int | None = None,
        constants: Mapping[str, float] | None = None,
        petsc_options: Mapping[str, Any] | None = None,
        origin: str = "<python>",
        inactive: Sequence[str] = (),
        interface_exchange: Mapping[str, Convection] | None = None,
    ):
        from .fourier import check_names

        self.inactive = tuple(inactive)
        for region in self.inactive:
            if region not in domain.regions:
                raise CaseError(
                    origin,
                    "inactive",
                    f"no region named '{region}' in the mesh "
                    f"(regions: {', '.join(sorted(domain.regions))})",
                )
            if region in materials:
                raise CaseError(
                    origin, f"materials.{region}", f"region '{region}' is inactive: no material"
                )
        check_names(domain, materials, bcs, origin, inactive=self.inactive)
        self.interface_exchange = dict(interface_exchange or {})
        self.domain, self.materials, self.bcs, self.origin = (
            domain,
            dict(materials),
            dict(bcs),
            origin,
        )
        mesh = domain.mesh
        self.groups = material_groups(domain, materials)
        gradient = any(m.has_gradient_terms() for m in materials.values())
        self.element = _choose_element(element, gradient, origin)
        if self.element == "hdiv" and (self.inactive or self.interface_exchange):
            raise CaseError(
                origin,
                "solver.element",
                "inactive regions and interface heat exchange need a continuous T: use "
                "taylor_hood or primal, not hdiv",
            )
        self.degree = degree
        qdeg = 2 * (degree + 1) + 2 if quadrature_degree is None else quadrature_degree
        metadata = {"quadrature_degree": qdeg}
        self.dx = domain.dx(metadata=metadata)
        self.ds = domain.ds(metadata=metadata)
        self.dS = domain.dS(metadata=metadata)
        active_tags = tuple(
            tag for name, tag in domain.regions.items() if name not in self.inactive
        )
        #: the measure of the whole active domain (all cells when nothing is inactive)
        self.dx_domain = self.dx(active_tags) if self.inactive else self.dx
        self.W = _mixed_space(mesh, self.element, degree)
        self.u = fem.Function(self.W, name="u")
        self.u_n = fem.Function(self.W)
        self.u_nn = fem.Function(self.W)
        self.V_q, self.q_dofs = _compat.collapse(self.W.sub(0))
        self.V_T, self.T_dofs = _compat.collapse(self.W.sub(1))

        self.t = fem.Constant(mesh, PETSc.ScalarType(0.0))
        self.dt = fem.Constant(mesh, PETSc.ScalarType(1.0))
        self.alpha = [fem.Constant(mesh, PETSc.ScalarType(0.0)) for _ in range(3)]
        q, T = ufl.split(self.u)
        self.q, self.T = q, T
        self.names = spatial_names(domain, constants, t=self.t)
        self.names_T = {**self.names, "T": T}
        self.Q = self._parse(source, "physics.source", with_T=True)
        self.f_q = (
            None
            if q_source is None
            else ufl.as_vector(
                [
                    self._parse(c, f"physics.q_source[{i}]", with_T=True)
                    for i, c in enumerate(q_source)
                ]
            )
        )
        self.coefficients = {
            region: material.landau(self.names_T, source=origin, key=f"materials.{region}")
            for _, material, region in self.groups
        }
        self._check_hdiv()
        self.flux_scale = self._flux_scale()
        self.dirichlet = self._dirichlet_conditions()
        self.inactive_bcs = self._inactive_conditions(active_tags)
        self._check_interfaces(active_tags)
        self._indicators: list[fem.Function] = []
        self.F = self._residual_form()
        self.petsc_options = dict(petsc_options or {})
        self._solver: NewtonSolver | None = None
        self._preconditioner: BlockPreconditioner | None = None

    # ---- set-up -------------------------------------------------------------------------

    def _parse(self, value: Any, key: str, *, with_T: bool = False) -> Any:
        if isinstance(value, str):
            return expressions.parse(
                value, self.names_T if with_T else self.names, source=self.origin, key=key
            )
        if isinstance(value, (int, float)):
            return float(value)
        return value  # already UFL

    def _check_hdiv(self) -> None:
        if self.element != "hdiv":
            return
        for _, _, region in self.groups:
            zeta = self.coefficients[region].zeta
            if not isinstance(zeta, float) or zeta != self.coefficients[self.groups[0][2]].zeta:
                raise CaseError(
                    self.origin,
                    f"materials.{region}.zeta",
                    "the hdiv element needs one constant zeta in all regions",
                )
        for name, bc in self.bcs.items():
            if isinstance(bc, HeatFlux) and bc.value != 0.0:
                raise CaseError(
                    self.origin,
                    f"boundaries.{name}",
                    "the hdiv element takes heat_flux = 0 (adiabatic), temperature "
                    "and convection conditions; use taylor_hood or primal",
                )

    def _dirichlet_conditions(self) -> list[tuple[str, Any, fem.DirichletBC, Any]]:
        """(name, dofs in W, bc, (function, expression)) for each condition imposed strongly."""
        mesh = self.domain.mesh
        fdim = mesh.topology.dim - 1
        mesh.topology.create_connectivity(fdim, mesh.topology.dim)
        out = []
        for name, bc in self.bcs.items():
            facets = self.domain.boundary_facets(name)
            if self.element != "hdiv" and isinstance(bc, Temperature):
                g = fem.Function(self.V_T)
                expr = self._parse(bc.value, f"boundaries.{name}.value")
                dofs = fem.locate_dofs_topological((self.W.sub(1), self.V_T), fdim, facets)
                out.append((name, dofs, fem.dirichletbc(g, dofs, self.W.sub(1)), (g, expr)))
            elif self.element == "hdiv" and isinstance(bc, HeatFlux):
                zero = fem.Function(self.V_q)
                dofs = fem.locate_dofs_topological((self.W.sub(0), self.V_q), fdim, facets)
                out.append((name, dofs, fem.dirichletbc(zero, dofs, self.W.sub(0)), (zero, 0.0)))
        if self.element == "hdiv":  # unlisted boundaries are adiabatic: q·n = 0 strongly
            for name in self.domain.exterior_boundaries():
                if name not in self.bcs:
                    zero = fem.Function(self.V_q)
                    facets = self.domain.boundary_facets(name)
                    dofs = fem.locate_dofs_topological((self.W.sub(0), self.V_q), fdim, facets)
                    out.append(
                        (name, dofs, fem.dirichletbc(zero, dofs, self.W.sub(0)), (zero, 0.0))
                    )
        self._update_dirichlet_values(out)
        T_dofs = [
            d[1]
            for name, d, _, _ in out
            if isinstance(self.bcs.get(name), Temperature) and self.element != "hdiv"
        ]
        self.T_bc_dofs = (
            np.unique(np.concatenate(T_dofs)).astype(np.int32)
            if T_dofs
            else np.zeros(0, dtype=np.int32)
        )
        return out

    def _inactive_conditions(self, active_tags: tuple[int, ...]) -> list[fem.DirichletBC]:
        """Fix (to zero) the dofs of W that touch no active cell; find the exterior boundaries
        that touch an active cell (``self.active_exterior``)."""
        domain = self.domain
        if not self.inactive:
            self.active_exterior = set(domain.exterior_boundaries())
            return []
        cells = np.concatenate([domain.cell_tags.find(t) for t in active_tags]).astype(np.int32)
        marker = fem.Function(self.W)
        marker.x.array[np.unique(self.W.dofmap.list[cells])] = 1.0
        marker.x.scatter_reverse(la.InsertMode.add)
        marker.x.scatter_forward()
        conditions = []
        for index, (V, dofs) in enumerate(((self.V_q, self.q_dofs), (self.V_T, self.T_dofs))):
            fixed = marker.x.array[dofs] == 0.0  # dofs of the subspace, unrolled
            local = np.flatnonzero(fixed).astype(np.int32)
            zero = fem.Function(V)
            conditions.append(
                fem.dirichletbc(zero, [dofs[local].astype(np.int32), local], self.W.sub(index))
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
        self.active_exterior = set()
        for name in domain.exterior_boundaries():
            touches = any(active[f2c.links(f)].any() for f in domain.boundary_facets(name))
            if domain.comm.allreduce(touches, op=MPI.LOR):
                self.active_exterior.add(name)
        return conditions

    def _check_interfaces(self, active_tags: tuple[int, ...]) -> None:
        """Each exchange interface must separate an active from an inactive region."""
        domain = self.domain
        if not self.interface_exchange:
            return
        mesh = domain.mesh
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim - 1, tdim)
        f2c = mesh.topology.connectivity(tdim - 1, tdim)
        region = np.full(
            mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts,
            -1,
            dtype=np.int64,
        )
        region[domain.cell_tags.indices] = domain.cell_tags.values
        owned = mesh.topology.index_map(tdim - 1).size_local
        for name, bc in self.interface_exchange.items():
            key = f"interface_exchange.{name}"
            if name not in domain.boundaries:
                raise CaseError(self.origin, key, f"no interface named '{name}' in the mesh")
            if not isinstance(bc, Convection):
                raise CaseError(self.origin, key, "needs a Convection(h=..., T_inf=...)")
            bad = 0
            facets = domain.boundary_facets(name)
            for facet in facets[facets < owned]:
                cells = f2c.links(facet)
                sides = [int(region[c]) in active_tags for c in cells]
                bad += len(cells) != 2 or sides[0] == sides[1]
            if domain.comm.allreduce(bad, op=MPI.SUM):
                raise CaseError(
                    self.origin,
                    key,
                    f"'{name}' must be an interior interface between an active and an "
                    f"inactive region (inactive: {', '.join(self.inactive) or 'none'})",
                )

    def _update_dirichlet_values(self, conditions: Any = None) -> None:
        for _, _, _, (g, expr) in conditions if conditions is not None else self.dirichlet:
            if isinstance(expr, float):
                g.x.array[:] = expr
            else:
                g.interpolate(_compat.expression(expr, g.function_space))
            g.x.scatter_forward()

    def time_derivative(self, index: int) -> Any:
        """The scheme's ∂/∂t of component ``index`` (0: q, 1: T) as UFL; zero when steady."""
        parts = [ufl.split(w)[index] for w in (self.u, self.u_n, self.u_nn)]
        return sum(a * w for a, w in zip(self.alpha, parts, strict=True)) / self.dt

    def _flux_scale(self) -> float:
        """1 / (the volume mean of |A|): the flux equation is tested with p / mean|A|, so that
        its rows are O(1) like the energy equation's whatever the conductivity's units and size.
        Without it, a direct solver meets pivots ~1/k next to O(h²) entries and, for k ≳ 10³,
        runs out of workspace (MUMPS INFOG(1) = −9). Evaluated at the initial state; a row
        scaling leaves the solution and the Schur complement unchanged."""
        total, volume = 0.0, 0.0
        for tags, _, region in self.groups:
            A = self.coefficients[region].A
            size = abs(ufl.tr(A) / ufl.shape(A)[0]) if ufl.shape(A) else abs(A)
            total += _global(size * self.dx(tags), self.domain.comm)  # inf/nan for 1/T at T = 0
            volume += _global(1.0 * self.dx(tags), self.domain.comm)
        mean = total / volume if volume > 0 else 0.0
        return 1.0 / mean if np.isfinite(mean) and mean > 0 else 1.0

    def _residual_form(self) -> Any:
        domain, mesh = self.domain, self.domain.mesh
        p, v = ufl.TestFunctions(self.W)
        p = self.flux_scale * p  # see _flux_scale
        q, T = self.q, self.T
        qdot, Tdot = self.time_derivative(0), self.time_derivative(1)
        dx = self.dx
        apply = LandauCoefficients.apply
        F: Any = 0
        for tags, _, region in self.groups:
            co = self.coefficients[region]
            q2 = ufl.inner(q, q)
            local = (
                ufl.inner(apply(co.Gamma, qdot), p)
                + ufl.inner(apply(co.A, q), p)
                + (co.b * q2 + co.c * q2 * q2) * ufl.inner(q, p)
                + co.C * Tdot * v
            )
            if self.element != "hdiv":
                local += co.zeta * ufl.inner(ufl.grad(T), p)
                if _nonzero(co.lam):
                    local += co.lam * ufl.inner(ufl.grad(q), ufl.grad(p))
                if _nonzero(co.lam_d):
                    local += co.lam_d * ufl.div(q) * ufl.div(p)
            F += local * dx(tags)
        F += self.energy_terms(v) - self.Q * v * self.dx_domain
        if self.inactive:  # zero, but puts the inactive cells' dofs into the sparsity pattern
            self._zero = fem.Constant(mesh, PETSc.ScalarType(0.0))
            inactive_tags = tuple(domain.regions[name] for name in self.inactive)
            F += self._zero * (ufl.inner(q, p) + T * v) * self.dx(inactive_tags)
        if self.f_q is not None:
            F -= ufl.inner(self.f_q, p) * self.dx_domain
        if self.element == "hdiv":
            zeta = self.coefficients[self.groups[0][2]].zeta
            F += -zeta * T * ufl.div(p) * self.dx
            n = ufl.FacetNormal(mesh)
            for name, bc in self.bcs.items():
                ds = self.ds(domain.boundaries[name])
                if isinstance(bc, Temperature):
                    F += (
                        zeta
                        * self._parse(bc.value, f"boundaries.{name}.value")
                        * ufl.dot(p, n)
                        * ds
                    )
                elif isinstance(bc, Convection):
                    T_inf = self._parse(bc.T_inf, f"boundaries.{name}.T_inf")
                    if bc.h == 0:
                        raise CaseError(
                            self.origin,
                            f"boundaries.{name}.h",
                            "the hdiv element needs h > 0 (use heat_flux = 0 for none)",
                        )
                    F += zeta * (T_inf + ufl.dot(q, n) / bc.h) * ufl.dot(p, n) * ds
        else:
            F += self._nitsche_terms(p)
        return F

    def energy_terms(self, v: Any) -> Any:
        """∫ −q·∇v dx + known boundary fluxes (or ∫ ∇·q v for hdiv): the energy equation
        without the C Ṫ and Q terms."""
        domain = self.domain
        if self.element == "hdiv":
            return ufl.div(self.q) * v * self.dx
        terms = -ufl.inner(self.q, ufl.grad(v)) * self.dx_domain
        for name, flux in self.known_fluxes().items():
            terms += flux * v * self.ds(domain.boundaries[name])
        for name, flux in self.exchange_fluxes().items():
            terms += flux * v("+") * self.dS(domain.boundaries[name])
        return terms

    def exchange_fluxes(self) -> dict[str, Any]:
        """Heat leaving the active side per unit area, h (T − T_inf), on each interface with
        an exchange condition (UFL, restricted to the facet: T is continuous there)."""
        return {
            name: bc.h * (self.T("+") - self._parse(bc.T_inf, f"interface_exchange.{name}.T_inf"))
            for name, bc in self.interface_exchange.items()
        }

    def known_fluxes(self) -> dict[str, Any]:
        """q·n on the boundaries where it is prescribed (UFL), by name."""
        out: dict[str, Any] = {}
        for name, bc in self.bcs.items():
            if isinstance(bc, HeatFlux):
                out[name] = self._parse(bc.value, f"boundaries.{name}.value")
            elif isinstance(bc, Convection):
                out[name] = bc.h * (self.T - self._parse(bc.T_inf, f"boundaries.{name}.T_inf"))
        return out

    def _nitsche_terms(self, p: Any) -> Any:
        """Weak q·n = g (and q_t = 0 for no-slip) where λ or λ_d > 0, on flux boundaries."""
        if not any(_nonzero(co.lam) or _nonzero(co.lam_d) for co in self.coefficients.values()):
            return 0
        mesh, domain = self.domain.mesh, self.domain
        lam = self._on_boundary(lambda co: co.lam)
        lam_d = self._on_boundary(lambda co: co.lam_d)
        n = ufl.FacetNormal(mesh)
        h = ufl.CellDiameter(mesh)
        gamma = NITSCHE_PENALTY * (self.degree + 2) ** 2
        q = self.q
        I = ufl.Identity(mesh.geometry.dim)

        def stress(w: Any) -> Any:
            return lam * ufl.grad(w) + lam_d * ufl.div(w) * I

        terms: Any = 0
        known = self.known_fluxes()
        boundaries = {
            name: self.bcs.get(name, HeatFlux())
            for name in domain.exterior_boundaries()
            if name in self.active_exterior
        }
        for name, bc in boundaries.items():
            if isinstance(bc, Temperature):
                continue
            g = known.get(name, 0.0)
            P = I if bc.slip == "no_slip" else ufl.outer(n, n)
            jump = ufl.dot(P, q - g * n)
            ds = self.ds(domain.boundaries[name])
            terms += (
                -ufl.inner(ufl.dot(stress(q), n), ufl.dot(P, p))
                - ufl.inner(ufl.dot(stress(p), n), jump)
                + gamma * (lam + lam_d) / h * ufl.inner(jump, ufl.dot(P, p))
            ) * ds
        return terms

    def _on_boundary(self, coefficient: Any) -> Any:
        """A region-wise coefficient usable in boundary integrals: Σ_groups χ_group c_group, with
        χ the cell indicator of the group (just c where there is one group). It follows T and x
        like the coefficient itself does."""
        if len(self.groups) == 1:
            return coefficient(self.coefficients[self.groups[0][2]])
        V0 = fem.functionspace(self.domain.mesh, ("DG", 0))
        total: Any = 0
        for tags, _, region in self.groups:
            chi = fem.Function(V0)
            for tag in tags:
                chi.x.array[self.domain.cell_tags.find(tag)] = 1.0
            chi.x.scatter_forward()
            self._indicators.append(chi)
            total += chi * coefficient(self.coefficients[region])
        return total

    # ---- solving ------------------------------------------------------------------------

    def solver(self) -> NewtonSolver:
        """The Newton solver; its linear solver is ``linear_solver`` in the PETSc options:
        ``direct`` (LU), ``iterative`` (block preconditioned FGMRES) or ``auto`` (direct below
        DIRECT_LIMIT unknowns)."""
        if self._solver is None:
            options = dict(self.petsc_options)
            kind = options.pop("linear_solver", "auto")
            size = self.W.dofmap.index_map.size_global * self.W.dofmap.index_map_bs
            if kind == "auto":  # the block preconditioner knows nothing of inactive regions
                kind = "direct" if size <= DIRECT_LIMIT or self.inactive else "iterative"
            configure, linear = None, None
            if kind == "iterative":
                linear = block_options(self.element)
                configure = self._preconditioner = BlockPreconditioner(self)
            elif kind != "direct":
                raise CaseError(
                    self.origin,
                    "solver.linear_solver",
                    f"unknown linear solver '{kind}' (direct, iterative or auto)",
                )
            self.linear_solver = kind
            self._solver = NewtonSolver(
                self.F,
                self.u,
                [bc for _, _, bc, _ in self.dirichlet] + self.inactive_bcs,
                options,
                linear=linear,
                configure=configure,
            )
        return self._solver

    def set_time_coefficients(self, alpha: tuple[float, float, float], dt: float) -> None:
        changed = self.dt.value != dt or float(self.alpha[0].value) != alpha[0]
        for constant, value in zip(self.alpha, alpha, strict=True):
            constant.value = value
        self.dt.value = dt
        if changed and self._preconditioner is not None:
            self._preconditioner.update()

    def solve_steady(self) -> NewtonInfo:
        """Solve the steady problem (all time derivatives zero) from the current state."""
        self.set_time_coefficients((0.0, 0.0, 0.0), 1.0)
        self._update_dirichlet_values()
        return self.solver().solve()

    def set_initial(self, T0: float | str = 0.0, q0: Any = None) -> None:
        """Initial T (number or expression of x) and q (3 numbers/expressions, ``"fourier"``
        for q = −K∇T0, or None for zero)."""
        T_expr = self._parse(T0, "initial.T")
        T_fun = fem.Function(self.V_T)
        if isinstance(T_expr, float):
            T_fun.x.array[:] = T_expr
        else:
            T_fun.interpolate(_compat.expression(T_expr, self.V_T))
        q_fun = fem.Function(self.V_q)
        if isinstance(q0, str) and q0 == "fourier":
            interpolate_by_group(
                q_fun,
                self.domain,
                self.groups,
                lambda m, r: (
                    -ufl.dot(ufl.inv(self.coefficients[r].A), ufl.grad(T_fun))
                    if ufl.shape(self.coefficients[r].A)
                    else -self.coefficients[r].zeta / self.coefficients[r].A * ufl.grad(T_fun)
                ),
            )
        elif q0 is not None:
            gdim = self.domain.mesh.geometry.dim
            parts = [self._parse(c, f"initial.q[{i}]") for i, c in enumerate(q0)]
            if len(parts) != gdim:
                raise CaseError(
                    self.origin, "initial.q", f"needs {gdim} components, got {len(parts)}"
                )
            zero = fem.Constant(self.domain.mesh, PETSc.ScalarType(0.0))
            q_fun.interpolate(
                _compat.expression(ufl.as_vector([c + zero for c in parts]), self.V_q)
            )
        self.u.x.array[self.T_dofs] = T_fun.x.array
        self.u.x.array[self.q_dofs] = q_fun.x.array
        self.u.x.scatter_forward()
        for w in (self.u_n, self.u_nn):
            w.x.array[:] = self.u.x.array

    def split(self) -> tuple[fem.Function, fem.Function]:
        """Copies of q and T as functions on their own (collapsed) spaces."""
        q = fem.Function(self.V_q, name="q")
        T = fem.Function(self.V_T, name="T")
        q.x.array[:] = self.u.x.array[self.q_dofs]
        T.x.array[:] = self.u.x.array[self.T_dofs]
        return q, T

    def destroy(self) -> None:
        if self._preconditioner is not None:
            self._preconditioner.destroy()
            self._preconditioner = None
        if self._solver is not None:
            self._solver.destroy()
            self._solver = None


def _global(integral: ufl.Form, comm: Any) -> float:
    """A scalar integral summed over the ranks."""
    return float(comm.allreduce(fem.assemble_scalar(fem.form(integral)), op=MPI.SUM))


def _nonzero(value: Any) -> bool:
    return not (
        (isinstance(value, float) and value == 0.0) or isinstance(value, ufl.constantvalue.Zero)
    )


def _choose_element(element: str, gradient: bool, origin: str) -> str:
    if element not in ELEMENTS:
        raise CaseError(
            origin, "solver.element", f"unknown element '{element}' (one of: {', '.join(ELEMENTS)})"
        )
    if element == "auto":
        return "taylor_hood" if gradient else "primal"
    if gradient and element in ("primal", "hdiv"):
        raise CaseError(
            origin,
            "solver.element",
            f"the {element} element cannot carry ℓ > 0 (λ > 0); use taylor_hood",
        )
    return element


def _mixed_space(mesh: Any, element: str, degree: int) -> fem.FunctionSpace:
    cell = mesh.basix_cell()
    gdim = mesh.geometry.dim
    if element == "taylor_hood":
        eq = basix.ufl.element("Lagrange", cell, degree + 1, shape=(gdim,))
        eT = basix.ufl.element("Lagrange", cell, degree)
    elif element == "primal":
        eq = basix.ufl.element("Lagrange", cell, degree - 1, shape=(gdim,), discontinuous=True)
        eT = basix.ufl.element("Lagrange", cell, degree)
    else:
        eq = basix.ufl.element("RT", cell, degree)
        eT = basix.ufl.element("Lagrange", cell, degree - 1, discontinuous=True)
    return fem.functionspace(mesh, basix.ufl.mixed_element([eq, eT]))
