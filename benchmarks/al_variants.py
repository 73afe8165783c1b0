"""Krylov iterations of the algebraic augmented-Lagrangian (AL) preconditioner on the hard cells.

The steady Taylor–Hood system on the two-region square (bench_cases.two_regions; k = 1 | k =
contrast, T = 1 left, 0 right), J = [[A00, A01], [A10, A11]] (flux rows scaled by lkfem's
flux scale), is augmented at the matrix level, row q += −γ A01 W⁻¹ (row T):

    A00_γ = A00 − γ A01 W⁻¹ A10,   A01_γ = A01 − γ A01 W⁻¹ A11,   b_q,γ = b_q − γ A01 W⁻¹ b_T,

W = the lumped T mass weighted per region by a^−p (a = 1/k), W⁻¹ = 0 at fixed T dofs. The
discrete solution is unchanged, and (steady) S_γ⁻¹ = S⁻¹ + γ W⁻¹. The augmented system is
solved by FGMRES (rtol 1e-10, as lkfem) with the upper Schur field split; a variant (JSON) sets

- ``gamma`` (γ), ``p`` (W⁻¹ ∝ a^p per region; 0: one γ everywhere);
- ``t``: the T block: ``W`` (γW⁻¹), ``W+cc`` (γW⁻¹ + lkfem's Cahouet–Chabard form), ``bfbt``
  (the BFBt of schur_variants.py, the solver's choice for a contrast before the harmonic
  Cahouet–Chabard weight, on the unaugmented system, γ ignored: the baseline);
- ``q``: the flux block: ``lu``, ``amg`` (BoomerAMG V-cycle), ``gmres`` (inner GMRES + AMG to
  ``qrtol``), ``star`` (additive Schwarz on vertex stars: the flux dofs at a vertex and at its
  edges' midpoints, LU per star, damped by ``omega``), ``star+amg`` (star, AMG, star,
  multiplicative), ``qits`` > 1: that many GMRES iterations on it; or a dict of PETSc options
  of ``fieldsplit_0_``;
- ``cells`` (``hard``, ``one``: contrast 1, ``t``: transient steps, ``ell1``: the ℓ = 1 hard
  cells), ``ns``.

    python3 benchmarks/al_variants.py '[{"gamma": 10, "p": 1, "t": "W", "q": "lu"}]' '[16, 32]'

It prints one line per variant: contrast/ℓ: outer iterations per mesh (X: not converged
within 150; [k]: inner flux-block iterations in total; "err e": the solution differs from
lkfem's by e > 1e-5 max|x*|) and the seconds of augmentation + PC set-up + solve per mesh.
Serial, 2D only (the star patches). Used for docs/performance.md ("The augmented Lagrangian").
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

sys.path.insert(0, str(Path(__file__).parent))

import bench_cases  # noqa: E402
import bench_robust  # noqa: E402
import schur_variants  # noqa: E402

import lkfem as lk  # noqa: E402
import lkfem.solvers.block as block  # noqa: E402
from lkfem.solvers.linear import clear_options, set_options  # noqa: E402

CELLS = {
    "hard": [(1e-4, 0.05, None), (1e-4, 1.0, None), (1e4, 0.05, None), (1e4, 1.0, None)],
    "one": [(1.0, 0.05, None), (1.0, 1.0, None)],
    "ell1": [(1e-4, 1.0, None), (1e4, 1.0, None)],
    "t": [(1e4, 0.05, 1e-3), (1e4, 0.05, 1.0), (1e-4, 0.05, 1e-3)],
}
MAX_IT = 150


def solved_problem(domain: lk.Domain, contrast: float, ell: float, ratio: float | None) -> Any:
    """The problem after lkfem's iterative solve (steady, or one backward-Euler step; MUMPS
    fails on one hard cell): its Jacobian and solution x* give the linear system J x = J x*."""
    dt = 0.01
    tau = 0.0 if ratio is None else ratio * dt
    problem = lk.LKProblem(
        domain,
        bench_robust.materials("square", contrast, ell, tau),
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element="taylor_hood",
        petsc_options={"linear_solver": "iterative"},
    )
    if ratio is None:
        problem.solve_steady()
    else:
        problem.set_initial(T0=0.0)
        settings = lk.TimeSettings(t_end=dt, dt=dt, scheme="backward_euler")
        lk.run_transient(problem, settings)
    return problem


def t_weight(problem: Any, p: float, order: np.ndarray) -> np.ndarray:
    """W⁻¹ on the T block (IS order): 1 / lumped ∫ a^−p v dx, zero at the fixed T dofs."""
    V = problem.V_T
    v = ufl.TestFunction(V)
    form = 0
    for tags, _, region in problem.groups:
        a = abs(block._isotropic(problem.coefficients[region].A))
        form += a ** (-p) * v * problem.dx(tags)
    vec = fem_petsc.assemble_vector(fem.form(form))
    vec.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    n = V.dofmap.index_map.size_local
    inverse = 1.0 / vec.array_r[:n].copy()
    vec.destroy()
    inverse[problem.T_fixed_dofs[problem.T_fixed_dofs < n]] = 0.0
    return inverse[order]


CURRENT: dict[str, Any] = {}


class Proxy:
    """The python PC of the T block, created by PETSc; delegates to CURRENT["t"]."""

    def setUp(self, pc: PETSc.PC) -> None:
        self.target = CURRENT["t"]
        if hasattr(self.target, "setUp"):
            self.target.setUp(pc)

    def apply(self, pc: PETSc.PC, x: PETSc.Vec, y: PETSc.Vec) -> None:
        self.target.apply(pc, x, y)


class TBlock:
    """PETSc python PC on the augmented T block: y = γ W⁻¹ x (+ an approximation of S⁻¹),
    y = x at the fixed T dofs (where S_γ = I)."""

    def __init__(self, winv: np.ndarray, gamma: float, fixed: np.ndarray, inner: Any = None):
        self.winv, self.gamma, self.fixed, self.inner = winv, gamma, fixed, inner

    def apply(self, pc: PETSc.PC, x: PETSc.Vec, y: PETSc.Vec) -> None:
        if self.inner is not None:
            self.inner.apply(pc, x, y)
            out = y.array + self.gamma * self.winv * x.array_r
        else:
            out = self.gamma * self.winv * x.array_r
            out[self.fixed] = x.array_r[self.fixed]
        y.array[:] = out


def star_patches(problem: Any, q_rows: np.ndarray) -> list[PETSc.IS]:
    """Vertex-star subdomains of the flux block (2D, P2 flux): for each vertex, the flux dofs
    (both components) at the vertex and at the midpoints of its edges, as rows of the block."""
    from dolfinx import mesh as dmesh
    from scipy.spatial import cKDTree

    mesh = problem.domain.mesh
    V0, to_w = problem.W.sub(0).collapse()
    bs = V0.dofmap.index_map_bs
    to_w = np.asarray(to_w).reshape(-1, bs)
    tree = cKDTree(V0.tabulate_dof_coordinates())
    mesh.topology.create_connectivity(0, 1)
    v2e = mesh.topology.connectivity(0, 1)
    nv = mesh.topology.index_map(0).size_local
    ne = mesh.topology.index_map(1).size_local
    _, vnode = tree.query(dmesh.compute_midpoints(mesh, 0, np.arange(nv, dtype=np.int32)))
    _, enode = tree.query(dmesh.compute_midpoints(mesh, 1, np.arange(ne, dtype=np.int32)))
    patches = []
    for z in range(nv):
        nodes = np.concatenate([[vnode[z]], enode[v2e.links(z)]])
        rows = np.searchsorted(q_rows, np.sort(to_w[nodes].ravel()))
        patches.append(PETSc.IS().createGeneral(rows.astype(PETSc.IntType), comm=PETSc.COMM_SELF))
    return patches


class QProxy:
    """The python PC of the flux block: additive Schwarz on vertex stars damped by ``omega``
    (``star``), or the symmetric multiplicative star, AMG V-cycle, star (``star+amg``);
    CURRENT["q"] = (kind, patches, omega)."""

    def setUp(self, pc: PETSc.PC) -> None:
        kind, patches, self.omega = CURRENT["q"]
        _, P = pc.getOperators()
        self.P = P
        self.asm = PETSc.PC().create(pc.getComm())
        self.asm.setOperators(P, P)
        self.asm.setType("asm")
        self.asm.setASMLocalSubdomains(len(patches), patches)
        self.asm.setASMOverlap(0)
        self.asm.setASMType(PETSc.PC.ASMType.BASIC)
        prefix = f"star{id(self)}_"
        self.asm.setOptionsPrefix(prefix)
        set_options(prefix, {"sub_pc_type": "lu", "sub_ksp_type": "preonly"})
        self.asm.setFromOptions()
        self.asm.setUp()
        self.amg = None
        if kind == "star+amg":
            self.amg = PETSc.PC().create(pc.getComm())
            self.amg.setOperators(P, P)
            self.amg.setType("hypre")
            self.amg.setHYPREType("boomeramg")
            self.amg.setUp()
        self.r, self.d = P.createVecLeft(), P.createVecLeft()

    def apply(self, pc: PETSc.PC, x: PETSc.Vec, y: PETSc.Vec) -> None:
        self.asm.apply(x, y)
        y.scale(self.omega)
        if self.amg is None:
            return
        for step in (self.amg, self.asm):
            self.P.mult(y, self.r)
            self.r.aypx(-1.0, x)
            step.apply(self.r, self.d)
            y.axpy(self.omega if step is self.asm else 1.0, self.d)


Q_OPTIONS = {
    "lu": {"ksp_type": "preonly", "pc_type": "lu"},
    "amg": {"ksp_type": "preonly", **block._amg()},
}


def _q_options(variant: dict) -> dict[str, Any]:
    q = variant.get("q", "lu")
    if isinstance(q, dict):
        return q
    if q.startswith("star"):
        its = variant.get("qits", 1)
        ksp = {"ksp_type": "preonly"} if its == 1 else {"ksp_type": "gmres", "ksp_max_it": its}
        if its > 1:
            ksp.update({"ksp_rtol": 1e-30, "ksp_norm_type": "none"})
        return {**ksp, "pc_type": "python", "pc_python_type": "__main__.QProxy"}
    if q == "gmres":
        return {
            "ksp_type": "gmres",
            "ksp_rtol": variant.get("qrtol", 1e-2),
            "ksp_max_it": 200,
            **block._amg(),
        }
    return Q_OPTIONS[q]


def solve_al(problem: Any, variant: dict) -> tuple[Any, float, int]:
    """(outer iterations or 'X', seconds of set-up + solve, inner iterations in total)."""
    J = problem.solver().A
    xstar = problem.u.x.petsc_vec
    comm = J.getComm()
    W = problem.W
    owned = W.dofmap.index_map.size_local * W.dofmap.index_map_bs
    q_rows = np.sort(np.asarray(problem.q_dofs)[np.asarray(problem.q_dofs) < owned])
    t_rows = np.sort(np.asarray(problem.T_dofs)[np.asarray(problem.T_dofs) < owned])
    isq = PETSc.IS().createGeneral(q_rows.astype(PETSc.IntType), comm=comm)
    ist = PETSc.IS().createGeneral(t_rows.astype(PETSc.IntType), comm=comm)
    b = J.createVecLeft()
    J.mult(xstar, b)
    start = time.perf_counter()
    A00, A01 = J.createSubMatrix(isq, isq), J.createSubMatrix(isq, ist)
    A10, A11 = J.createSubMatrix(ist, isq), J.createSubMatrix(ist, ist)
    n = problem.V_T.dofmap.index_map.size_local
    order = np.argsort(np.asarray(problem.T_dofs[:n]))
    fixed = np.isin(order, problem.T_fixed_dofs)  # IS positions of the fixed T dofs
    bq, bt = b.getSubVector(isq).copy(), b.getSubVector(ist).copy()
    gamma = float(variant.get("gamma", 0.0))
    winv = t_weight(problem, float(variant.get("p", 0.0)), order)
    t_kind = variant.get("t", "W")
    if gamma and t_kind != "bfbt":
        scaled = A01.copy()
        winv_vec = A11.createVecLeft()
        winv_vec.array[:] = winv
        scaled.diagonalScale(R=winv_vec)
        A00.axpy(-gamma, scaled.matMult(A10), PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
        A01.axpy(-gamma, scaled.matMult(A11), PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
        tmp = bq.duplicate()
        scaled.mult(bt, tmp)
        bq.axpy(-gamma, tmp)
    nest = PETSc.Mat().createNest([[A00, A01], [A10, A11]], comm=comm)
    K = nest.convert("aij")
    nq = A00.getSize()[0]
    rhs = K.createVecLeft()
    rhs.array[:nq], rhs.array[nq:] = bq.array_r, bt.array_r
    sol = K.createVecRight()
    ksp = PETSc.KSP().create(comm)
    ksp.setOperators(K)
    prefix = f"al{id(ksp)}_"
    ksp.setOptionsPrefix(prefix)
    options: dict[str, Any] = {
        "ksp_type": "fgmres",
        "ksp_rtol": 1e-10,
        "ksp_atol": 1e-30,
        "ksp_max_it": MAX_IT,
        "ksp_gmres_restart": 200,
        "pc_type": "fieldsplit",
        "pc_fieldsplit_type": "schur",
        "pc_fieldsplit_schur_fact_type": "upper",
        "pc_fieldsplit_schur_precondition": "a11",
        "fieldsplit_1_ksp_type": "preonly",
        "fieldsplit_1_pc_type": "python",
        "fieldsplit_1_pc_python_type": "__main__.Proxy",
        **{f"fieldsplit_0_{k}": v for k, v in _q_options(variant).items()},
    }
    if str(variant.get("q", "")).startswith("star"):
        CURRENT["q"] = (variant["q"], star_patches(problem, q_rows), variant.get("omega", 0.5))
    inner: Any = None
    if t_kind == "bfbt":
        schur_variants.CONFIG.update(schur_variants.DEFAULT)
        schur_variants.CURRENT["problem"] = problem
        CURRENT["t"] = schur_variants.VariantBFBt()
    else:
        if t_kind == "W+cc":
            inner = block.SchurApproximation(problem)
        CURRENT["t"] = TBlock(winv, gamma, fixed, inner)
    nT = A11.getSize()[0]
    ksp.getPC().setType("fieldsplit")
    ksp.getPC().setFieldSplitIS(
        ("0", PETSc.IS().createStride(nq, 0, 1, comm=comm)),
        ("1", PETSc.IS().createStride(nT, nq, 1, comm=comm)),
    )
    set_options(prefix, options)
    ksp.setFromOptions()
    pc = ksp.getPC()
    pc.setUp()
    clear_options(prefix, options)
    subs = pc.getFieldSplitSubKSP()
    inner_its = [0]
    subs[0].setMonitor(lambda k, it, r: inner_its.__setitem__(0, inner_its[0] + (it > 0)))
    ksp.solve(rhs, sol)
    seconds = time.perf_counter() - start
    reason = ksp.getConvergedReason()
    its = ksp.getIterationNumber() if reason > 0 else "X"
    # the augmented system's solution is the original one
    error = np.abs(sol.array_r[:nq] - xstar.array_r[q_rows]).max()
    if its != "X" and error > 1e-5 * max(1.0, np.abs(xstar.array_r).max()):
        its = f"{its}(err {error:.1e})"
    return its, seconds, inner_its[0]


def main(argv: list[str]) -> None:
    variants = json.loads(argv[0])
    default_ns = json.loads(argv[1]) if len(argv) > 1 else [16, 32]
    meshes: dict[int, lk.Domain] = {}
    for variant in variants:
        out = []
        for contrast, ell, ratio in CELLS[variant.get("cells", "hard")]:
            counts, times = [], []
            for n in variant.get("ns", default_ns):
                if n not in meshes:
                    meshes[n] = bench_cases.two_regions(n, MPI.COMM_WORLD)
                problem = solved_problem(meshes[n], contrast, ell, ratio)
                its, seconds, inner = solve_al(problem, variant)
                problem.destroy()
                counts.append(
                    f"{its}"
                    + (
                        f"[{inner}]"
                        if variant.get("q") in ("gmres",) or variant.get("qits", 1) > 1
                        else ""
                    )
                )
                times.append(f"{seconds:.2f}")
            out.append(f"{contrast:g}/{ell:g}: " + "/".join(counts) + " (" + "/".join(times) + "s)")
        print(json.dumps(variant), "|", " ; ".join(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
