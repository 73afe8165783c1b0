"""Block preconditioning of the monolithic (q, T) system for large problems.

The Jacobian has the block form [[A, ζG], [−Gᵀ, (C/Δt) M]] with the flux operator
A = (Γ/Δt + a) M_q + λ K_q (+ Nitsche and nonlinear terms). Its Schur complement on T is
S = (C/Δt) M + ζ Gᵀ A⁻¹ G, with the Fourier symbol C/Δt + ζξ²/(a′ + λξ²), a′ = a + Γ/Δt.
The outer Krylov method is FGMRES with an upper block-triangular (Schur) preconditioner; the
T-block approximation is chosen by regime (measured in docs/performance.md, "Preconditioner"):

- ``selfp`` (``primal`` and ``hdiv``): S ≈ (C/Δt) M + ζ Gᵀ diag(A)⁻¹ G, assembled by PETSc,
  with algebraic multigrid. For the primal element of degree 1 the flux block is
  (block-)diagonal, so this is the exact Schur complement: contrast, Γ/Δt and Δt all in it.
- ``cahouet_chabard`` (``taylor_hood`` where ℓ > 0 only in regions of one conductivity,
  within a factor 10): S⁻¹ ≈ AMG((C/Δt) M + K)⁻¹ + diag(M)⁻¹ λ/(ζ + λ C/Δt),
  K = ∫ ζ/a′ ∇T·∇v dx — per region the inverse symbol (a′ + λξ²)/(ζξ²) of the steady S, with
  Γ/Δt in a′; iterations independent of h, ℓ and Γ/Δt, but not of a contrast: a continuous q
  couples the regions' λ∇²q across an interface, which no region-wise weight sees.
- ``bfbt`` (``taylor_hood`` with a contrast in the regions where ℓ > 0): the weighted BFBt
  (least-squares commutator) approximation, built from the operators themselves,
  S⁻¹ ≈ S_p⁻¹ ((C/Δt) M + Gᵀ D⁻¹ A D⁻¹ G) S_p⁻¹, S_p = (C/Δt) M + Gᵀ D⁻¹ G, D = diag(A),
  S_p by algebraic multigrid: it sees the contrast and the interface coupling through A itself
  (exact when A and G commute), at the price of iterations growing slowly under refinement.

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
from lkfem.solvers import components
from lkfem.solvers.linear import clear_options, set_options

__all__ = ["block_options", "BlockPreconditioner", "choose_schur", "SCHUR"]

_CONTEXTS: dict[str, SchurApproximation] = {}


def _amg(cheap: bool = False) -> dict[str, Any]:
    """BoomerAMG where PETSc has hypre (``cheap``: settings that keep the operator complexity
    of 3D higher-order matrices low), else GAMG."""
    if not PETSc.Sys.hasExternalPackage("hypre"):
        return {"pc_type": "gamg"}
    options = {"pc_type": "hypre", "pc_hypre_type": "boomeramg"}
    if cheap:
        options.update(
            {
                "pc_hypre_boomeramg_strong_threshold": 0.7,
                "pc_hypre_boomeramg_coarsen_type": "HMIS",
                "pc_hypre_boomeramg_interp_type": "ext+i",
                "pc_hypre_boomeramg_P_max": 4,
                "pc_hypre_boomeramg_agg_nl": 1,
            }
        )
    return options


SCHUR = ("selfp", "cahouet_chabard", "bfbt")
COMPONENTS = True  # Taylor–Hood flux block: one scalar AMG per component (solvers/components)
CONTRAST_LIMIT = 10.0  # of a between regions with ℓ > 0, above which taylor_hood takes bfbt


def block_options(
    element: str, schur: str = "cahouet_chabard", by_component: bool = True
) -> dict[str, Any]:
    """FGMRES + Schur-complement field split with the T block approximated by ``schur``; a
    Taylor–Hood flux block by one AMG per component (``by_component``) or one on the whole."""
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
    if schur == "selfp":
        options["pc_fieldsplit_schur_precondition"] = "selfp"
        options.update({f"fieldsplit_T_{k}": v for k, v in _amg().items()})
    else:
        python_type = "SchurApproximation" if schur == "cahouet_chabard" else "BFBt"
        options["fieldsplit_T_pc_type"] = "python"
        options["fieldsplit_T_pc_python_type"] = f"{__name__}.{python_type}"
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
        # λ_d ∇·q ∇·p couples the flux components in the volume: AMG on the whole block
        coefficients = problem.coefficients.values()
        self.by_component = not any(_nonzero(co.lam_d) for co in coefficients)

    def options(self) -> dict[str, Any]:
        """The PETSc options of the linear solver (see the module's documentation)."""
        return block_options(self.problem.element, self.schur, self.by_component)

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
            components.register(self.prefix, sets, _amg(cheap=True))
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
    """PETSc python PC: y = AMG(C/Δt M + K)⁻¹ x + diag(M)⁻¹ λ/(ζ + λ C/Δt) x on the T block."""

    def __init__(self, problem: Any = None):
        self.problem = problem
        if problem is None:  # created by PETSc from the options; found through the registry
            return
        V = problem.V_T
        T, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        dx = problem.dx_operator
        stiffness, lam_mass = 0, 0
        rate = problem.alpha[0] / problem.dt  # α0/Δt: zero when steady
        for tags, _, region in problem.groups:
            co = problem.coefficients[region]
            a = _isotropic(co.A) + rate * _isotropic(co.Gamma)  # a′ = a + Γ α0/Δt
            stiffness += (co.zeta / a) * ufl.inner(ufl.grad(T), ufl.grad(v)) * dx(tags)
            stiffness += rate * co.C * T * v * dx(tags)
            if not (isinstance(co.lam, float) and co.lam == 0.0):
                lam_mass += co.lam / (co.zeta + co.lam * rate * co.C) * v * dx(tags)
        if problem.inactive:  # zero, but gives their fixed T dofs diagonal entries (1 below)
            tags = tuple(problem.domain.regions[name] for name in problem.inactive)
            stiffness += fem.Constant(V.mesh, PETSc.ScalarType(0.0)) * T * v * dx(tags)
        self.T_bc_dofs = problem.T_fixed_dofs  # temperature conditions and inactive regions
        self.K_form = fem.form(stiffness)
        self.mass_form = fem.form(v * dx)
        self.lam_form = fem.form(lam_mass) if not isinstance(lam_mass, int) else None
        self.K = fem_petsc.create_matrix(self.K_form)
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
        self.K.zeroEntries()
        fem_petsc.assemble_matrix(self.K, self.K_form)
        self.K.assemble()
        # collective: on every rank, also one without fixed dofs
        rows = self.T_bc_dofs[self.T_bc_dofs < self.n]
        global_rows = self.problem.V_T.dofmap.index_map.local_range[0] + rows
        self.K.zeroRowsColumns(global_rows.astype(PETSc.IntType), diag=1.0)
        mass = fem_petsc.assemble_vector(self.mass_form)
        mass.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        weight = np.zeros(self.n)
        if self.lam_form is not None:
            lam = fem_petsc.assemble_vector(self.lam_form)
            lam.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
            weight = lam.array_r[: self.n] / mass.array_r[: self.n] ** 2
            lam.destroy()
        weight[self.T_bc_dofs[self.T_bc_dofs < self.n]] = 0.0
        self.lumped = weight  # λ/(ζ + λ C α0/Δt) / m_i, lumped
        mass.destroy()
        self.ksp.setOperators(self.K)

    # PETSc python-PC interface
    def setUp(self, pc: PETSc.PC) -> None:
        if self.problem is None:
            prefix = pc.getOptionsPrefix().removesuffix("fieldsplit_T_")
            context = _CONTEXTS[prefix]
            self.__dict__.update(context.__dict__)

    def apply(self, pc: PETSc.PC, x: PETSc.Vec, y: PETSc.Vec) -> None:
        xs = x.getArray(readonly=True)
        self.xT.array[: self.n][self.order] = xs
        self.ksp.solve(self.xT, self.yT)
        out = self.yT.array_r[: self.n] + self.lumped * self.xT.array_r[: self.n]
        y.setArray(out[self.order])

    def destroy(self, pc: PETSc.PC | None = None) -> None:
        if self.problem is not None and pc is None:
            for obj in (self.ksp, self.K, self.xT, self.yT):
                obj.destroy()


class BFBt:
    """PETSc python PC on the T block (its operator a MATSCHURCOMPLEMENT of the Jacobian's
    blocks A00, A01, A10, A11): y = S_p⁻¹ (A11 − A10 D⁻¹ A00 D⁻¹ A01) S_p⁻¹ x with
    S_p = A11 − A10 D⁻¹ A01 and D = diag(A00), S_p⁻¹ one AMG V-cycle. Rebuilt whenever PETSc
    sets the preconditioner up again (a new Jacobian).

    The left factor's weight and Poisson solve are ``left`` and ``kspl`` (D⁻¹ and the same
    S_p⁻¹ here, set in :meth:`setUp`), so that a variant may weight the two sides apart."""

    def __init__(self) -> None:
        self.objects: list[Any] = []

    def setUp(self, pc: PETSc.PC) -> None:
        self.destroy()
        S, _ = pc.getOperators()
        A00, _, A01, A10, A11 = S.getSchurComplementSubMatrices()
        self.inverse = A00.getDiagonal()
        self.inverse.reciprocal()
        scaled = A01.copy()
        scaled.diagonalScale(L=self.inverse)
        Sp = A10.matMult(scaled)
        Sp.scale(-1.0)
        Sp.axpy(1.0, A11, structure=PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
        scaled.destroy()
        self.ksp = PETSc.KSP().create(pc.getComm())
        self.ksp.setOperators(Sp)
        self.ksp.setType("preonly")
        prefix = f"{pc.getOptionsPrefix()}bfbt_"
        self.ksp.setOptionsPrefix(prefix)
        set_options(prefix, _amg())
        self.ksp.setFromOptions()
        clear_options(prefix, _amg())
        self.ksp.setUp()
        self.left, self.kspl = self.inverse, self.ksp
        self.A00, self.A01, self.A10, self.A11 = A00, A01, A10, A11
        self.q1, self.q2 = A01.createVecLeft(), A01.createVecLeft()
        self.t1, self.t2 = A11.createVecLeft(), A11.createVecLeft()
        self.objects = [Sp, self.ksp, self.inverse, self.q1, self.q2, self.t1, self.t2]

    def apply(self, pc: PETSc.PC, x: PETSc.Vec, y: PETSc.Vec) -> None:
        self.ksp.solve(x, self.t1)
        self.A01.mult(self.t1, self.q1)
        self.q1.pointwiseMult(self.q1, self.inverse)
        self.A00.mult(self.q1, self.q2)
        self.q2.pointwiseMult(self.q2, self.left)
        self.A10.mult(self.q2, self.t2)
        self.t2.scale(-1.0)
        self.A11.multAdd(self.t1, self.t2, self.t2)
        self.kspl.solve(self.t2, y)

    def destroy(self, pc: PETSc.PC | None = None) -> None:
        for obj in self.objects:
            obj.destroy()
        self.objects = []


def _nonzero(value: Any) -> bool:
    return not (isinstance(value, float) and value == 0.0)


def _isotropic(value: Any) -> Any:
    """The isotropic part tr(X)/d of a tensor coefficient, a scalar one itself."""
    return ufl.tr(value) / ufl.shape(value)[0] if ufl.shape(value) else value


def choose_schur(problem: Any) -> str:
    """The T-block approximation for ``problem`` (see the module's documentation): ``selfp``
    for a DG or RT flux, for Taylor–Hood ``bfbt`` when the volume means of a (at the initial
    state) differ by more than CONTRAST_LIMIT between regions where ℓ > 0 (λ ≠ 0), else
    ``cahouet_chabard``."""
    if problem.element != "taylor_hood":
        return "selfp"
    means = []
    comm = problem.domain.comm
    for tags, _, region in problem.groups:
        co = problem.coefficients[region]
        if isinstance(co.lam, float) and co.lam == 0.0:
            continue
        size = abs(_isotropic(co.A))
        total = comm.allreduce(fem.assemble_scalar(fem.form(size * problem.dx(tags))))
        volume = comm.allreduce(fem.assemble_scalar(fem.form(1.0 * problem.dx(tags))))
        if volume > 0 and np.isfinite(total):
            means.append(total / volume)
    if len(means) > 1 and max(means) > CONTRAST_LIMIT * max(min(means), 1e-300):
        return "bfbt"
    return "cahouet_chabard"
