"""Block preconditioning of the monolithic (q, T) system for large problems.

The Jacobian has the block form [[A, ζG], [−Gᵀ, (C/Δt) M]] with the flux operator
A = (Γ/Δt + a) M_q + λ K_q (+ nonlinear terms). Its Schur complement on T,
S = (C/Δt) M + ζ Gᵀ A⁻¹ G, has the Fourier symbol C/Δt + ζξ²/(a + λξ²), whose inverse is
approximated, as Cahouet and Chabard do for Stokes-like operators, by

    S⁻¹ ≈ ((C/Δt) M + K_k)⁻¹ + diag(M)⁻¹ (λ/ζ),     K_k = ∫ (ζ/a) ∇T·∇v dx,

the first term by algebraic multigrid. For ℓ = 0 this is the implicit Fourier operator (exact
for a lumped flux mass); for large ℓ it tends to the scaled mass. The flux block gets algebraic
multigrid (continuous q) or block Jacobi/ILU (DG or RT q, a mass-like block). The outer Krylov
method is FGMRES.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from petsc4py import PETSc

import lkfem._compat as _compat
from lkfem.solvers.linear import clear_options, set_options

__all__ = ["block_options", "BlockPreconditioner"]

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


def block_options(element: str) -> dict[str, Any]:
    """FGMRES + Schur-complement field split with the T block preconditioned as above."""
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
        "fieldsplit_T_pc_type": "python",
        "fieldsplit_T_pc_python_type": f"{__name__}.SchurApproximation",
    }
    q_pc = (
        _amg(cheap=True)
        if element == "taylor_hood"
        else {"pc_type": "bjacobi", "sub_pc_type": "ilu"}
    )
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
        self.context = SchurApproximation(p)
        _CONTEXTS[snes.getOptionsPrefix()] = self.context

    def update(self) -> None:
        if self.context is not None:
            self.context.assemble()

    def destroy(self) -> None:
        for key in [k for k, v in _CONTEXTS.items() if v is self.context]:
            del _CONTEXTS[key]
        if self.context is not None:
            self.context.destroy()


class SchurApproximation:
    """PETSc python PC: y = AMG(C/Δt M + K_k)⁻¹ x + (λ/ζ) diag(M)⁻¹ x on the T block."""

    def __init__(self, problem: Any = None):
        self.problem = problem
        if problem is None:  # created by PETSc from the options; found through the registry
            return
        V = problem.V_T
        T, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        dx = problem.dx
        stiffness, lam_mass = 0, 0
        for tags, _, region in problem.groups:
            co = problem.coefficients[region]
            a = ufl.tr(co.A) / ufl.shape(co.A)[0] if ufl.shape(co.A) else co.A  # isotropic part
            stiffness += (co.zeta / a) * ufl.inner(ufl.grad(T), ufl.grad(v)) * dx(tags)
            stiffness += problem.alpha[0] / problem.dt * co.C * T * v * dx(tags)
            if not (isinstance(co.lam, float) and co.lam == 0.0):
                lam_mass += (co.lam / co.zeta) * v * dx(tags)
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
        self.lumped = weight  # (λ/ζ) / m_i, lumped
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
