"""Block preconditioning of the monolithic (q, T) system for large problems.

The Jacobian has the block form [[A, ζG], [−Gᵀ, (C/Δt) M]] with the flux operator
A = (Γ/Δt + a) M_q + λ K_q (+ Nitsche and nonlinear terms). Its Schur complement on T is
S = (C/Δt) M + ζ Gᵀ A⁻¹ G, with the Fourier symbol C/Δt + ζξ²/(a′ + λξ²), a′ = a + Γ/Δt.
The outer Krylov method is FGMRES with an upper block-triangular (Schur) preconditioner; the
T-block approximation is chosen by regime (measured in docs/performance.md, "Preconditioner"):

- ``selfp`` (``primal`` and ``hdiv``): S ≈ (C/Δt) M + ζ Gᵀ diag(A)⁻¹ G, assembled by PETSc,
  with algebraic multigrid. For the primal element of degree 1 the flux block is
  (block-)diagonal, so this is the exact Schur complement: contrast, Γ/Δt and Δt all in it.
- ``cahouet_chabard`` (``taylor_hood``): S ≈ μM + S̃, μ = C/Δt, with the steady part
  S̃⁻¹ = K⁻¹ + r, K = ∫ ζ/a′ ∇T·∇v dx, r_i = s_d ⟨λ/ζ⟩_i / m_i (m_i = ∫ φ_i dx) — per region
  the inverse symbol (a′ + λξ²)/(ζξ²) of the steady S, with Γ/Δt in a′. The time term is
  added harmonically, which for the lumped μM has the exact inverse
  S⁻¹ ≈ D⁻¹ AMG(K + μM/D)⁻¹ D⁻¹ + r/D, D_i = 1 + μ_i m_i r_i (M consistent, scaled by D^−½;
  steady D = 1): exact where the time term dominates, the steady form where it does not.
  (The sum form AMG(μM + K)⁻¹ + s_d⟨λ/(ζ + λμ)⟩/m took 63–67 iterations for one step across
  the 3D cloak's thin layer at contrast 1e4 and ℓ = 1; this form 24.) The mean ⟨·⟩_i runs
  over the cells of node i weighted by 1/(a′ + κλ/h²), the inverse size of the flux
  operator: at an interface the soft side sets it (the stiff side clamps the soft side's
  flux, which then behaves as at a no-slip wall); for one ℓ everywhere it is the harmonic
  mean of λ, and a region without λ next to a stiffer one gives its nodes none. The factor
  s_d (LAMBDA_SCALE: 3 in 2D, 4 in 3D) makes up for the lumping and the discrete inf–sup
  constant. In 2D the iterations do not grow with h, ℓ, Γ/Δt or the contrast (9–30 on the
  square over contrast 1e±4, ℓ 0…1, Γ/Δt 1e±3); in 3D they are flat under refinement, 17–27
  without a contrast, but with the form alone a contrast of 1e±4 across the spherical
  cloak's thin layer takes 26–32 at ℓ = 0.05 and 37–44 at ℓ ≈ the domain size, steady, and
  one step there 13–27 (docs/performance.md, "The soft-side Cahouet–Chabard weight", "The 3D
  λ-part factor" and "The T block of a time step").
  Where a contrast meets 3D Taylor–Hood (a conductivity contrast ≥ INNER_CONTRAST = 10
  between two regions; 1e-2 alone gives 40–47) the T block is solved by INNER_ITERATIONS = 4
  FGMRES iterations on PETSc's Schur complement operator (A⁻¹ in it: the flux block's own
  preconditioner, one AMG V-cycle per component), preconditioned by the form, with the full
  factorisation. The few smallest eigenvalues of the preconditioned S sit on the thin
  layer's interface nodes, out of reach of a nodal weight; a short Krylov solve removes them.
  An outer iteration then costs six flux-block V-cycles (four in S, two for the full
  factorisation) instead of one. The outer iterations then stop just under the tolerance
  where the form alone overshoots it, and a relative residual of 1e-10 on these
  ill-conditioned systems left an error of 1.6e-3 in the flagship's g: with the inner
  iterations ``ksp_rtol`` is INNER_RTOL = 1e-12. Every cloak cell with a contrast then takes
  11–23 outer iterations on four meshes (13 k–159 k unknowns) with no trend under refinement,
  at 1.1–1.5× the whole solve of the form alone. The reported (linear) iterations are the
  outer ones (docs/performance.md, "Inner Krylov iterations on the Schur complement").

The flux block gets algebraic multigrid (continuous q: one scalar AMG per component where
λ_d = 0, lkfem/solvers/components.py) or block Jacobi/ILU (DG or RT q).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from petsc4py import PETSc

import lkfem._compat as _compat
from lkfem.log import logger
from lkfem.solvers import components
from lkfem.solvers.linear import clear_options, set_options

__all__ = ["block_options", "BlockPreconditioner", "choose_inner", "choose_schur", "SCHUR"]

_CONTEXTS: dict[str, SchurApproximation] = {}


def _amg(cheap: bool = False) -> dict[str, Any]:
    """BoomerAMG where PETSc has hypre, else GAMG. ``cheap``: hypre's advice for 3D (strong
    threshold 0.5, HMIS coarsening, ext+i interpolation with at most 4 weights per row), which
    keeps the operator complexity of 3D P2 flux blocks low without aggressive coarsening (that
    cost 30 % more iterations, growing with refinement: docs/performance.md, "The 3D flux-block
    AMG")."""
    if not PETSc.Sys.hasExternalPackage("hypre"):
        return {"pc_type": "gamg"}
    options = {"pc_type": "hypre", "pc_hypre_type": "boomeramg"}
    if cheap:
        options.update(
            {
                "pc_hypre_boomeramg_strong_threshold": 0.5,
                "pc_hypre_boomeramg_coarsen_type": "HMIS",
                "pc_hypre_boomeramg_interp_type": "ext+i",
                "pc_hypre_boomeramg_P_max": 4,
            }
        )
    return options


SCHUR = ("selfp", "cahouet_chabard")
COMPONENTS = True  # Taylor–Hood flux block: one scalar AMG per component (solvers/components)
# the factor of the λ-part of the Cahouet–Chabard form by dimension (docs/performance.md)
LAMBDA_SCALE = {1: 3.0, 2: 3.0, 3: 4.0}
KAPPA = 10.0  # the flux operator's size per cell a′ + KAPPA λ/h² in the λ-part's average
# inner FGMRES iterations on the Schur complement for Taylor–Hood in 3D from this contrast
INNER_ITERATIONS = 4
INNER_CONTRAST = 10.0
INNER_RTOL = 1.0e-12  # the outer tolerance with them (see the module's documentation)


def block_options(
    element: str, schur: str = "cahouet_chabard", by_component: bool = True, inner: int = 0
) -> dict[str, Any]:
    """FGMRES + Schur-complement field split with the T block approximated by ``schur``; a
    Taylor–Hood flux block by one AMG per component (``by_component``) or one on the whole;
    ``inner`` > 0: that many FGMRES iterations on the Schur complement, preconditioned by
    ``schur``, instead of one application."""
    options: dict[str, Any] = {
        "ksp_type": "fgmres",
        "ksp_rtol": 1.0e-10,
        "ksp_atol": 1.0e-30,
        "ksp_max_it": 1000,
        "ksp_gmres_restart": 200,
        "pc_type": "fieldsplit",
        "pc_fieldsplit_type": "schur",
        "pc_fieldsplit_schur_fact_type": "upper",
        "pc_fieldsplit_schur_precondition": "a11",
        "fieldsplit_q_ksp_type": "preonly",
        "fieldsplit_T_ksp_type": "preonly",
    }
    if inner:  # a fixed count: the outer FGMRES takes the (nonlinear) inner solve; with a
        # T block this close to S⁻¹ the full factorisation pays for its second flux V-cycle
        options["ksp_rtol"] = INNER_RTOL
        options["pc_fieldsplit_schur_fact_type"] = "full"
        options["fieldsplit_T_ksp_type"] = "fgmres"
        options["fieldsplit_T_ksp_max_it"] = inner
        options["fieldsplit_T_ksp_convergence_test"] = "skip"
    if schur == "selfp":
        options["pc_fieldsplit_schur_precondition"] = "selfp"
        options.update({f"fieldsplit_T_{k}": v for k, v in _amg().items()})
    else:
        options["fieldsplit_T_pc_type"] = "python"
        options["fieldsplit_T_pc_python_type"] = f"{__name__}.SchurApproximation"
    if element != "taylor_hood":
        q_pc = {"pc_type": "bjacobi", "sub_pc_type": "ilu"}
    elif by_component and COMPONENTS:
        q_pc = {"pc_type": "python", "pc_python_type": "lkfem.solvers.components.ComponentAMG"}
    else:
        q_pc = _amg(cheap=True)
    options.update({f"fieldsplit_q_{k}": v for k, v in q_pc.items()})
    return options


class BlockPreconditioner:
    """Sets up the field split of an LK problem's SNES and the T-block approximation.

    Call it with the SNES (it is the ``configure`` hook of
    :class:`lkfem.solvers.newton.NewtonSolver`);
    call :meth:`update` whenever Δt changes.
    """

    def __init__(self, problem: Any):
        self.problem = problem
        self.context: SchurApproximation | None = None
        self.schur = choose_schur(problem)
        self.inner = choose_inner(problem)
        if self.inner:
            logger.info(
                "T block: %d FGMRES iterations on the Schur complement per outer iteration "
                "(Taylor–Hood in 3D, conductivity contrast %.3g ≥ %g); the Krylov iterations "
                "reported are the outer ones",
                self.inner,
                contrast(problem),
                INNER_CONTRAST,
            )
        # λ_d ∇·q ∇·p couples the flux components in the volume: AMG on the whole block
        coefficients = problem.coefficients.values()
        self.by_component = not any(_nonzero(co.lam_d) for co in coefficients)

    def options(self) -> dict[str, Any]:
        """The PETSc options of the linear solver (see the module's documentation)."""
        return block_options(self.problem.element, self.schur, self.by_component, self.inner)

    def __call__(self, snes: PETSc.SNES) -> None:
        p = self.problem
        W = p.W
        imap = W.dofmap.index_map
        owned = imap.size_local * W.dofmap.index_map_bs
        start = imap.local_range[0] * W.dofmap.index_map_bs
        pc = snes.getKSP().getPC()
        pc.setType("fieldsplit")
        splits = []
        for name, dofs in (("q", p.q_dofs), ("T", p.T_dofs)):
            local = np.sort(np.asarray(dofs)[np.asarray(dofs) < owned]) + start
            splits.append(
                (name, PETSc.IS().createGeneral(local.astype(PETSc.IntType), comm=W.mesh.comm))
            )
        pc.setFieldSplitIS(*splits)
        self.prefix = snes.getOptionsPrefix()
        if p.element == "taylor_hood" and self.by_component:
            bs = p.V_q.dofmap.bs
            nodes = p.V_q.dofmap.index_map.size_local
            sets = components.component_sets(p.q_dofs, bs, nodes, owned)
            # the cheap settings keep 3D P2 hierarchies small; in 2D they cost iterations
            cheap = p.domain.mesh.topology.dim == 3
            components.register(self.prefix, sets, _amg(cheap=cheap))
        if self.schur == "cahouet_chabard":
            self.context = SchurApproximation(p)
            _CONTEXTS[snes.getOptionsPrefix()] = self.context

    def update(self) -> None:
        if self.context is not None:
            self.context.assemble()

    def destroy(self) -> None:
        components.unregister(getattr(self, "prefix", ""))
        for key in [k for k, v in _CONTEXTS.items() if v is self.context]:
            del _CONTEXTS[key]
        if self.context is not None:
            self.context.destroy()


class SchurApproximation:
    """PETSc python PC on the T block: y = D⁻¹ AMG(K + μM/D)⁻¹ D⁻¹ x + (r/D) x, r_i = s_d times
    λ/ζ averaged towards the soft side over the cells of node i, over m_i (0 at fixed T), and
    D_i = 1 + μ_i m_i r_i (μ = C α0/Δt): the inverse of μM_L + (K⁻¹ + r)⁻¹."""

    def __init__(self, problem: Any = None):
        self.problem = problem
        if problem is None:  # created by PETSc from the options; found through the registry
            return
        V = problem.V_T
        T, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        dx = problem.dx_operator
        stiffness, mass, soft_lam, soft, volume, rates = 0, 0, 0, 0, 0, 0
        rate = problem.alpha[0] / problem.dt  # α0/Δt: zero when steady
        h = ufl.CellDiameter(V.mesh)
        for tags, _, region in problem.groups:
            co = problem.coefficients[region]
            a = _isotropic(co.A) + rate * _isotropic(co.Gamma)  # a′ = a + Γ α0/Δt
            stiffness += (co.zeta / a) * ufl.inner(ufl.grad(T), ufl.grad(v)) * dx(tags)
            mass += rate * co.C * T * v * dx(tags)
            # the steady λ-part λ/ζ, averaged over a node's cells with the weight
            # 1/(a′ + κλ/h²) (the size of the flux operator): the soft side sets it
            size = abs(a) + KAPPA * co.lam / h**2 if _nonzero(co.lam) else abs(a)
            softness = 1.0 / size
            if _nonzero(co.lam):
                soft_lam += softness * co.lam / co.zeta * v * dx(tags)
            soft += softness * v * dx(tags)
            volume += v * dx(tags)
            rates += rate * co.C * v * dx(tags)  # the lumped time term μ_i m_i
        if problem.inactive:  # zero, but gives their fixed T dofs diagonal entries (1 below)
            tags = tuple(problem.domain.regions[name] for name in problem.inactive)
            stiffness += fem.Constant(V.mesh, PETSc.ScalarType(0.0)) * T * v * dx(tags)
        self.T_bc_dofs = problem.T_fixed_dofs  # temperature conditions and inactive regions
        self.K_form = fem.form(stiffness)
        self.M_form = fem.form(mass)
        self.rate_form = fem.form(rates)
        self.lam_forms = None
        if not isinstance(soft_lam, int):
            self.lam_forms = [fem.form(form) for form in (soft_lam, soft, volume)]
        self.K = fem_petsc.create_matrix(self.K_form)
        self.M = fem_petsc.create_matrix(self.M_form)
        self.xT = _compat.create_vector(V)
        self.yT = _compat.create_vector(V)
        self.ksp = PETSc.KSP().create(V.mesh.comm)
        self.ksp.setOperators(self.K)
        self.ksp.setType("preonly")
        prefix = f"lkschur_{id(self)}_"
        self.ksp.setOptionsPrefix(prefix)
        set_options(prefix, _amg())
        self.ksp.setFromOptions()
        clear_options(prefix, _amg())
        # IS order (sorted W indices) <-> V_T order, for the owned T dofs
        n = V.dofmap.index_map.size_local
        self.order = np.argsort(np.asarray(problem.T_dofs[:n]))
        self.n = n
        self.assemble()

    def assemble(self) -> None:
        # the steady λ-part r_i = s_d ⟨λ/ζ⟩_soft / m_i, lumped
        n = self.n
        r = np.zeros(n)
        if self.lam_forms is not None:
            soft_lam, soft, volume = (_assembled(form, n) for form in self.lam_forms)
            scale = LAMBDA_SCALE[self.problem.V_T.mesh.topology.dim]
            nodes = (soft > 0) & (volume > 0)  # not the nodes of inactive regions only
            r[nodes] = scale * soft_lam[nodes] / (soft[nodes] * volume[nodes])
        fixed = self.T_bc_dofs[self.T_bc_dofs < n]
        r[fixed] = 0.0
        # (μM + (K⁻¹ + r)⁻¹)⁻¹ = D⁻¹ (K + μM/D)⁻¹ D⁻¹ + r/D, D = 1 + μ_i m_i r_i (exact for
        # the lumped μM; the consistent one scaled by D^-½ on both sides)
        self.scaling = 1.0 / (1.0 + _assembled(self.rate_form, n) * r)
        self.lumped = r * self.scaling
        self.K.zeroEntries()
        fem_petsc.assemble_matrix(self.K, self.K_form)
        self.K.assemble()
        self.M.zeroEntries()
        fem_petsc.assemble_matrix(self.M, self.M_form)
        self.M.assemble()
        half = self.K.createVecLeft()
        half.array[:] = np.sqrt(self.scaling)
        self.M.diagonalScale(half, half)
        half.destroy()
        self.K.axpy(1.0, self.M, structure=PETSc.Mat.Structure.SUBSET_NONZERO_PATTERN)
        # collective: on every rank, also one without fixed dofs
        global_rows = self.problem.V_T.dofmap.index_map.local_range[0] + fixed
        self.K.zeroRowsColumns(global_rows.astype(PETSc.IntType), diag=1.0)
        self.ksp.setOperators(self.K)

    # PETSc python-PC interface
    def setUp(self, pc: PETSc.PC) -> None:
        if self.problem is None:
            prefix = pc.getOptionsPrefix().removesuffix("fieldsplit_T_")
            context = _CONTEXTS[prefix]
            self.__dict__.update(context.__dict__)

    def apply(self, pc: PETSc.PC, x: PETSc.Vec, y: PETSc.Vec) -> None:
        xs = np.empty(self.n)
        xs[self.order] = x.getArray(readonly=True)
        self.xT.array[: self.n] = self.scaling * xs
        self.ksp.solve(self.xT, self.yT)
        out = self.scaling * self.yT.array_r[: self.n] + self.lumped * xs
        y.setArray(out[self.order])

    def destroy(self, pc: PETSc.PC | None = None) -> None:
        if self.problem is not None and pc is None:
            for obj in (self.ksp, self.K, self.M, self.xT, self.yT):
                obj.destroy()


def _assembled(form: fem.Form, n: int) -> np.ndarray:
    """The owned entries of the assembled vector of the linear ``form``."""
    vector = fem_petsc.assemble_vector(form)
    vector.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    values = vector.array_r[:n].copy()
    vector.destroy()
    return values


def _nonzero(value: Any) -> bool:
    return not (isinstance(value, float) and value == 0.0)


def _isotropic(value: Any) -> Any:
    """The isotropic part tr(X)/d of a tensor coefficient, a scalar one itself."""
    return ufl.tr(value) / ufl.shape(value)[0] if ufl.shape(value) else value


def choose_schur(problem: Any) -> str:
    """The T-block approximation for ``problem`` (see the module's documentation): ``selfp``
    for a DG or RT flux, ``cahouet_chabard`` for Taylor–Hood."""
    return "cahouet_chabard" if problem.element == "taylor_hood" else "selfp"


def contrast(problem: Any) -> float:
    """The largest ratio of two regions' conductivities ζ/a (1 where no two regions have
    constant isotropic ones: a tensor or an expression is not compared)."""
    values = [
        co.zeta / co.A
        for co in problem.coefficients.values()
        if isinstance(co.A, float) and isinstance(co.zeta, float) and co.A > 0
    ]
    return max(values) / min(values) if len(values) > 1 else 1.0


def choose_inner(problem: Any) -> int:
    """The inner FGMRES iterations on the Schur complement (0: one application of the
    T-block approximation): INNER_ITERATIONS for Taylor–Hood in 3D with a contrast
    ≥ INNER_CONTRAST (see the module's documentation)."""
    if problem.element != "taylor_hood" or problem.V_T.mesh.topology.dim != 3:
        return 0
    return INNER_ITERATIONS if contrast(problem) >= INNER_CONTRAST else 0
