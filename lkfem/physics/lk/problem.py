"""The Landau–Khalatnikov heat-flux problem: a monolithic (q, T) mixed formulation.

Strong form (Landau form; see :mod:`lkfem.core.materials` for the physical parameters):

    Γ ∂q/∂t + A q + b|q|²q + c|q|⁴q − ∇·(λ∇q) − ∇(λ_d ∇·q) + ζ∇T = 0,
    C ∂T/∂t + ∇·q = Q.

Weak form (elements ``taylor_hood`` and ``primal``): find (q, T), T = T_D on temperature
boundaries, such that for all (p, v) with v = 0 there

    Σ_regions ∫ [Γ q̇·p + A q·p + (b|q|² + c|q|⁴) q·p + λ∇q:∇p + λ_d ∇·q ∇·p + ζ∇T·p] dx
      + Nitsche terms for q·n (and q_t for no-slip) on flux boundaries where λ > 0
      + ∫ [C Ṫ v − q·∇v − Q v] dx + Σ_flux ∫ g v ds + Σ_conv ∫ h (T − T∞) v ds = 0.

Regions listed as ``inactive`` (e.g. a heat-superconducting rod modelled elsewhere, see
:mod:`lkfem.physics.superconductor.model`) are left out: the integrals run over the active
regions only and the dofs that touch no active cell are fixed (to zero). Named interior
interfaces between an
active and an inactive region may carry a heat exchange (``interface_exchange``): heat leaving
the active side per unit area h (T − T_other), the term Σ ∫ h (T − T_other) v dS in the energy
equation (T and v are continuous there, so either side's trace will do; ``taylor_hood`` and
``primal`` only).

Element ``hdiv`` (only for λ = λ_d = 0, constant ζ) integrates ζ∇T·p by parts instead:
q ∈ RT_k with q·n = 0 strongly on adiabatic boundaries, T ∈ DG_{k−1}, temperature and
convection conditions natural. The time derivative is u̇ ≈ (α0 u + α1 uⁿ + α2 uⁿ⁻¹)/Δt with
Constants, so backward Euler, variable-step BDF2 and the steady problem (α = 0) share one
compiled form.

The element choice and mixed spaces are in :mod:`lkfem.physics.lk.spaces`; the boundary and
interface conditions (strong, inactive regions, exchange checks, Nitsche and hdiv boundary terms) in
:mod:`lkfem.physics.lk.conditions`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc
from ufl.algorithms import expand_derivatives

from lkfem.core import expressions
from lkfem.core.bcs import BoundaryCondition, Convection, HeatFlux
from lkfem.core.coefficients import material_groups, spatial_names
from lkfem.core.domain import Domain
from lkfem.core.materials import LandauCoefficients, Material
from lkfem.core.names import check_names
from lkfem.core.quadrature import affine_cells, general_degree, landau_degree
from lkfem.errors import CaseError
from lkfem.physics.lk import conditions as lk_conditions
from lkfem.physics.lk import periodic as lk_periodic
from lkfem.physics.lk.conditions import nonzero
from lkfem.physics.lk.initial import set_initial_state
from lkfem.physics.lk.spaces import (
    ELEMENTS,
    check_hdiv,
    choose_element,
    mixed_space,
    subspace,
)
from lkfem.solvers.block import BlockPreconditioner
from lkfem.solvers.newton import NewtonInfo, NewtonSolver

__all__ = ["LKProblem", "ELEMENTS"]

DIRECT_LIMIT = 20_000  # unknowns; above it the default linear solver is iterative


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
        quadrature_degree: of every integral. By default the operator's volume terms use
            :func:`lkfem.core.quadrature.landau_degree` (exact on affine cells for number
            coefficients: 2 (k + 1) for Taylor–Hood without b and c) and the rest (sources,
            boundary terms, derived quantities) the general rule 2 (k + 1) + 2, which also
            keeps expression coefficients (sin, exp, …) from asking for huge rules.
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
        self.element = choose_element(element, gradient, origin)
        if self.element == "hdiv" and (self.inactive or self.interface_exchange):
            raise CaseError(
                origin,
                "solver.element",
                "inactive regions and interface heat exchange need a continuous T: use "
                "taylor_hood or primal, not hdiv",
            )
        self.degree = degree
        general = general_degree(degree) if quadrature_degree is None else quadrature_degree
        #: the degree of the operator's volume terms (see :func:`lkfem.core.quadrature`)
        q_degree, T_degree = _space_degrees(self.element, degree)
        self.quadrature_degree = quadrature_degree or landau_degree(
            q_degree,
            materials.values(),
            degree,
            t_degree=T_degree,
            affine=affine_cells(mesh),
        )
        metadata = {"quadrature_degree": general}
        #: data (sources, boundary values) and derived quantities: the general rule
        self.dx = domain.dx(metadata=metadata)
        self.ds = domain.ds(metadata=metadata)
        self.dS = domain.dS(metadata=metadata)
        #: the operator's volume terms: the exact rule where it is smaller
        self.dx_operator = domain.dx(metadata={"quadrature_degree": self.quadrature_degree})
        active_tags = tuple(
            tag for name, tag in domain.regions.items() if name not in self.inactive
        )
        #: the measure of the whole active domain: the sum over the active regions' tags when
        #: they cover it (always with inactive regions), so that every cell lies in one cell
        #: integral of the forms (dolfinx builds the Jacobian's sparsity pattern and assembles
        #: per integral, visiting a cell once for its region and once more for an integral over
        #: all cells); plain dx when some cell has no region
        by_region = bool(self.inactive) or domain.tags_cover(active_tags)
        self.dx_domain = self.dx(active_tags) if by_region else self.dx
        self.dx_operator_domain = self.dx_operator(active_tags) if by_region else self.dx_operator
        self.W = mixed_space(mesh, self.element, degree)
        self.V_q, self.q_dofs = subspace(self.W, 0)  # no collapse(): see subspace
        self.V_T, self.T_dofs = subspace(self.W, 1)

        self.t = fem.Constant(mesh, PETSc.ScalarType(0.0))
        self.dt = fem.Constant(mesh, PETSc.ScalarType(1.0))
        self.alpha = [fem.Constant(mesh, PETSc.ScalarType(0.0)) for _ in range(3)]
        self.names = spatial_names(domain, constants, t=self.t)
        self.dirichlet, self.T_bc_dofs = lk_conditions.dirichlet_conditions(self)
        self.inactive_bcs, self.active_exterior = lk_conditions.inactive_conditions(
            self, active_tags
        )
        #: the periodic pairs' constraint (None without): u lives on its space
        self.constraint = lk_periodic.constraint(self)
        U = self.W if self.constraint is None else self.constraint.function_space
        self.u = fem.Function(U, name="u")
        self.u_n = fem.Function(U)
        self.u_nn = fem.Function(U)
        q, T = ufl.split(self.u)
        self.q, self.T = q, T
        self.names_T = {**self.names, "T": T}
        self.Q = self.parse(source, "physics.source", with_T=True)
        self.f_q = (
            None
            if q_source is None
            else ufl.as_vector(
                [
                    self.parse(c, f"physics.q_source[{i}]", with_T=True)
                    for i, c in enumerate(q_source)
                ]
            )
        )
        self.coefficients = {
            region: material.landau(self.names_T, source=origin, key=f"materials.{region}")
            for _, material, region in self.groups
        }
        check_hdiv(self)
        self.flux_scale = self._flux_scale()
        #: the local dofs of V_T held fixed: temperature conditions and inactive regions
        self.T_fixed_dofs = self._fixed_T_dofs()
        lk_conditions.check_interfaces(self, active_tags)
        self.indicators: list[fem.Function] = []
        self.F = self._residual_form()
        self.petsc_options = dict(petsc_options or {})
        self._solver: NewtonSolver | None = None
        self._preconditioner: BlockPreconditioner | None = None
        self._history: dict[str, fem.Function] | None = None
        self._affine: tuple[bool, bool] | None = None

    # ---- set-up -------------------------------------------------------------------------

    def parse(self, value: Any, key: str, *, with_T: bool = False) -> Any:
        if isinstance(value, str):
            return expressions.parse(
                value, self.names_T if with_T else self.names, source=self.origin, key=key
            )
        if isinstance(value, (int, float)):
            return float(value)
        return value  # already UFL

    def _fixed_T_dofs(self) -> np.ndarray:
        if not self.inactive_bcs:
            return self.T_bc_dofs
        in_W, _ = self.inactive_bcs[1].dof_indices()  # the T dofs touching no active cell
        inverse = np.full(self.u.x.array.size, -1, dtype=np.int32)
        inverse[self.T_dofs] = np.arange(self.T_dofs.size, dtype=np.int32)
        return np.union1d(self.T_bc_dofs, inverse[in_W]).astype(np.int32)

    def update_dirichlet_values(self, conditions: Any = None) -> None:
        """Set the strongly imposed conditions' values (``self.dirichlet`` by default) at the
        current t."""
        lk_conditions.update_dirichlet_values(
            conditions if conditions is not None else self.dirichlet
        )

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
        dx = self.dx_operator
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
                if nonzero(co.lam):
                    local += co.lam * ufl.inner(ufl.grad(q), ufl.grad(p))
                if nonzero(co.lam_d):
                    local += co.lam_d * ufl.div(q) * ufl.div(p)
            F += local * dx(tags)
        F += self.energy_terms(v) - self.Q * v * self.dx_domain
        if self.inactive:  # zero, but puts the inactive cells' dofs into the sparsity pattern
            self._zero = fem.Constant(mesh, PETSc.ScalarType(0.0))
            inactive_tags = tuple(domain.regions[name] for name in self.inactive)
            F += self._zero * (ufl.inner(q, p) + T * v) * dx(inactive_tags)
        if self.f_q is not None:
            F -= ufl.inner(self.f_q, p) * self.dx_domain
        if self.element == "hdiv":
            zeta = self.coefficients[self.groups[0][2]].zeta
            F += -zeta * T * ufl.div(p) * self.dx_operator_domain
            F += lk_conditions.hdiv_boundary_terms(self, p)
        else:
            F += lk_conditions.nitsche_terms(self, p)
        return F

    def energy_terms(self, v: Any) -> Any:
        """∫ −q·∇v dx + known boundary fluxes (or ∫ ∇·q v for hdiv): the energy equation
        without the C Ṫ and Q terms."""
        domain = self.domain
        if self.element == "hdiv":
            return ufl.div(self.q) * v * self.dx_operator_domain
        terms = -ufl.inner(self.q, ufl.grad(v)) * self.dx_operator_domain
        for name, flux in self.known_fluxes().items():
            terms += flux * v * self.ds(domain.boundaries[name])
        for name, flux in self.exchange_fluxes().items():
            terms += flux * v("+") * self.dS(domain.boundaries[name])
        return terms

    def exchange_fluxes(self) -> dict[str, Any]:
        """Heat leaving the active side per unit area, h (T − T_inf), on each interface with
        an exchange condition (UFL, restricted to the facet: T is continuous there)."""
        return {
            name: bc.h * (self.T("+") - self.parse(bc.T_inf, f"interface_exchange.{name}.T_inf"))
            for name, bc in self.interface_exchange.items()
        }

    def known_fluxes(self) -> dict[str, Any]:
        """q·n on the boundaries where it is prescribed (UFL), by name."""
        out: dict[str, Any] = {}
        for name, bc in self.bcs.items():
            if isinstance(bc, HeatFlux):
                out[name] = self.parse(bc.value, f"boundaries.{name}.value")
            elif isinstance(bc, Convection):
                out[name] = bc.h * (self.T - self.parse(bc.T_inf, f"boundaries.{name}.T_inf"))
        return out

    # ---- solving ------------------------------------------------------------------------

    def is_affine(self) -> bool:
        """True when the residual is affine in the unknowns: the Jacobian does not depend on
        them (one symbolic derivative, evaluated once)."""
        return self._linearity()[0]

    def _linearity(self) -> tuple[bool, bool]:
        """(affine, the Jacobian depends on t)."""
        if self._affine is None:
            J = expand_derivatives(ufl.derivative(self.F, self.u))
            self._affine = (self.u not in J.coefficients(), self.t in J.constants())
        return self._affine

    def solver(self) -> NewtonSolver:
        """The Newton solver; its linear solver is ``linear_solver`` in the PETSc options:
        ``direct`` (LU), ``iterative`` (block preconditioned FGMRES) or ``auto`` (direct below
        DIRECT_LIMIT unknowns)."""
        if self._solver is None:
            options = dict(self.petsc_options)
            kind = options.pop("linear_solver", "auto")
            size = self.W.dofmap.index_map.size_global * self.W.dofmap.index_map_bs
            if kind == "auto":
                kind = "direct" if size <= DIRECT_LIMIT else "iterative"
                kind = "direct" if self.constraint is not None else kind  # see lk.periodic
            configure, linear = None, None
            if kind == "iterative":
                configure = self._preconditioner = BlockPreconditioner(self)
                linear = self._preconditioner.options()
            elif kind != "direct":
                raise CaseError(
                    self.origin,
                    "solver.linear_solver",
                    f"unknown linear solver '{kind}' (direct, iterative or auto)",
                )
            self.linear_solver = kind
            # a linear problem takes one linear solve; its Jacobian changes only with Δt and
            # the scheme (set_time_coefficients) unless a coefficient depends on t
            affine, on_t = self._linearity()
            self._solver = lk_periodic.newton_solver(
                self,
                [bc for _, _, bc, _ in self.dirichlet] + self.inactive_bcs,
                options,
                linear=linear,
                configure=configure,
                affine=affine,
                constant_jacobian=affine and not on_t,
            )
        return self._solver

    @property
    def last_solve(self) -> NewtonInfo | None:
        """What the last Newton solve reported (None before the first)."""
        return None if self._solver is None else self._solver.last

    def set_time_coefficients(self, alpha: tuple[float, float, float], dt: float) -> None:
        """Set the scheme's weights and Δt. The Jacobian depends on them through α0/Δt only;
        it (and the preconditioner) is rebuilt when that changes by more than round-off (a step
        shortened to land on t_end or a milestone is Δt up to round-off)."""
        old = float(self.alpha[0].value) / float(self.dt.value)
        changed = abs(alpha[0] / dt - old) > 1e-12 * abs(old) or (old == 0.0) != (alpha[0] == 0.0)
        for constant, value in zip(self.alpha, alpha, strict=True):
            constant.value = value
        self.dt.value = dt
        if changed and self._solver is not None:
            self._solver.invalidate_jacobian()
        if changed and self._preconditioner is not None:
            self._preconditioner.update()

    def solve_steady(self) -> NewtonInfo:
        """Solve the steady problem (all time derivatives zero) from the current state."""
        self.set_time_coefficients((0.0, 0.0, 0.0), 1.0)
        self.update_dirichlet_values()
        return self.solver().solve()

    def set_initial(self, T0: float | str = 0.0, q0: Any = None) -> None:
        """Initial T (number or expression of x) and q (gdim numbers/expressions, ``"fourier"``
        for q = −K∇T0 (projected, see :mod:`lkfem.physics.lk.initial`), or None for zero)."""
        set_initial_state(self, T0, q0)
        lk_periodic.make_periodic(self, self.u, self.u_n, self.u_nn)

    def history(self) -> dict[str, fem.Function]:
        """q and T of uⁿ and uⁿ⁻¹ on their own spaces (``q_n``, ``T_n``, ``q_nn``, ``T_nn``;
        the same functions each call), filled from the state: what a checkpoint holds."""
        if self._history is None:
            self._history = {
                f"{name}_{level}": fem.Function(V, name=f"{name}_{level}")
                for level in ("n", "nn")
                for name, V in (("q", self.V_q), ("T", self.V_T))
            }
        for level, w in (("n", self.u_n), ("nn", self.u_nn)):
            self._history[f"q_{level}"].x.array[:] = w.x.array[self.q_dofs]
            self._history[f"T_{level}"].x.array[:] = w.x.array[self.T_dofs]
        return self._history

    def restore_history(self, t: float) -> None:
        """uⁿ, uⁿ⁻¹ (and u = uⁿ) from the functions of :meth:`history`, filled by a
        checkpoint, and the time ``t``."""
        for level, w in (("n", self.u_n), ("nn", self.u_nn)):
            w.x.array[self.q_dofs] = self._history[f"q_{level}"].x.array
            w.x.array[self.T_dofs] = self._history[f"T_{level}"].x.array
            w.x.scatter_forward()
        self.u.x.array[:] = self.u_n.x.array
        self.t.value = t

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


def _space_degrees(element: str, degree: int) -> tuple[int, int]:
    """The polynomial degrees of q and of T in ``element`` at degree k."""
    q = {"taylor_hood": degree + 1, "primal": degree - 1, "hdiv": degree}[element]
    return q, degree - 1 if element == "hdiv" else degree


def _global(integral: ufl.Form, comm: Any) -> float:
    """A scalar integral summed over the ranks."""
    return float(comm.allreduce(fem.assemble_scalar(fem.form(integral)), op=MPI.SUM))
