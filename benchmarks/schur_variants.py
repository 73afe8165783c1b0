"""Krylov iterations of T-block variants on the hard cells of the robustness matrix.

The steady Taylor–Hood solve on the two-region square (bench_cases.two_regions; k = 1 | k =
contrast, T = 1 left, 0 right) at contrast 1e±4 and ℓ = 0.05, 1, on several meshes, with the
solver's iterative path and one change of its T-block approximation per variant (a JSON
object; ``{}`` is the BFBt the solver took before the harmonic weight, ``{"schur":
"cahouet_chabard"}`` the solver now):

- ``schur``: the approximation to force: ``bfbt`` (the default here, the research variant
  below), ``selfp``, or ``cahouet_chabard`` (the solver's choice for Taylor–Hood);
- ``weight``: the BFBt weight D: ``diagA`` (diag of the flux block) or ``mass`` (diag of the
  flux mass weighted by a^p, ``p``); ``left``: [weight, p] of a different left weight C;
- ``beta``, ``where``: D multiplied by beta at the flux dofs on ``all`` sides, the temperature
  sides ``T``, the adiabatic ``walls``, the region ``iface`` or ``all+iface``;
- ``lu``: the BFBt's pressure-Poisson solves by LU instead of one AMG V-cycle;
- ``opts``: PETSc options of the problem (e.g. ``pc_fieldsplit_schur_fact_type``);
- ``cells``: ``hard`` (default), ``one`` (contrast 1), ``t`` (transient steps); ``ns``: meshes.

    python3 benchmarks/schur_variants.py '[{}, {"weight": "mass", "p": 0.5}]' '[16, 32]'

It prints one line per variant: contrast/ℓ/(Γ/Δt A): Krylov iterations per mesh (X: not
converged within 150). Used for docs/performance.md ("T-block variants tried").
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

import lkfem as lk  # noqa: E402
import lkfem.solvers.block as block  # noqa: E402
from lkfem.solvers.linear import clear_options, set_options  # noqa: E402

DEFAULT = {"weight": "diagA", "p": 1.0, "beta": 1.0, "where": "all", "left": None, "lu": False}
CONFIG: dict[str, Any] = dict(DEFAULT)
CURRENT: dict[str, Any] = {}
CELLS = {
    "hard": [(1e-4, 0.05, None), (1e-4, 1.0, None), (1e4, 0.05, None), (1e4, 1.0, None)],
    "one": [(1.0, 0.05, None), (1.0, 1.0, None)],
    "t": [(1e4, 0.05, 1e-3), (1e4, 0.05, 1.0), (1e-4, 0.05, 1e-3)],
}


def _flux_dofs(problem: Any, facets: np.ndarray) -> np.ndarray:
    W = problem.W
    V0, _ = W.sub(0).collapse()
    tdim = problem.domain.mesh.topology.dim
    return fem.locate_dofs_topological((W.sub(0), V0), tdim - 1, facets)[0]


def _interface_facets(problem: Any) -> np.ndarray:
    mesh, tags = problem.domain.mesh, problem.domain.cell_tags
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    imap = mesh.topology.index_map(tdim)
    region = np.zeros(imap.size_local + imap.num_ghosts, dtype=int)
    region[tags.indices] = tags.values
    facets = []
    for f in range(mesh.topology.index_map(tdim - 1).size_local):
        cells = f2c.links(f)
        if len(cells) == 2 and region[cells[0]] != region[cells[1]]:
            facets.append(f)
    return np.array(facets, dtype=np.int32)


def adjusted_dofs(problem: Any, where: str) -> np.ndarray:
    """The flux dofs (of W) where the weight is multiplied by beta."""
    domain = problem.domain
    sides = {"all": ["left", "right", "top", "bottom"], "T": ["left", "right"]}
    sides.update({"walls": ["top", "bottom"], "iface": [], "all+iface": sides["all"]})
    parts = [
        _flux_dofs(problem, domain.facet_tags.find(domain.boundaries[s])) for s in sides[where]
    ]
    if "iface" in where:
        parts.append(_flux_dofs(problem, _interface_facets(problem)))
    return np.unique(np.concatenate(parts))


def _weight(problem: Any, A00: PETSc.Mat, kind: str, p: float) -> PETSc.Vec:
    """1/D on the flux block's rows (sorted W indices of the flux dofs)."""
    W = problem.W
    owned = W.dofmap.index_map.size_local * W.dofmap.index_map_bs
    qd = np.asarray(problem.q_dofs)
    rows = np.sort(qd[qd < owned])
    vec = A00.createVecLeft()
    if kind == "diagA":
        A00.getDiagonal(vec)
        values = vec.array.copy()
    else:
        q, _ = ufl.TrialFunctions(W)
        v, _ = ufl.TestFunctions(W)
        form = 0
        for tags, _, region in problem.groups:
            a = abs(block._isotropic(problem.coefficients[region].A))
            form += a**p * ufl.inner(q, v) * problem.dx(tags)
        M = fem_petsc.assemble_matrix(fem.form(form))
        M.assemble()
        values = M.getDiagonal().array_r[rows].copy()
        M.destroy()
    if CONFIG["beta"] != 1.0:
        values[np.isin(rows, adjusted_dofs(problem, CONFIG["where"]))] *= CONFIG["beta"]
    vec.array[:] = 1.0 / values
    return vec


class VariantBFBt:
    """PETSc python PC on the T block (its operator a MATSCHURCOMPLEMENT of the Jacobian's
    blocks A00, A01, A10, A11), the weighted BFBt (least-squares commutator) with the weights
    of CONFIG: S⁻¹ ≈ (GᵀC⁻¹G)⁻¹GᵀC⁻¹AD⁻¹G(GᵀD⁻¹G)⁻¹, the Poisson-type factors A11 − A10 D⁻¹ A01
    by one AMG V-cycle (``{}``: D = C = diag(A00), the solver's choice for a contrast with
    ℓ > 0 until the harmonic Cahouet–Chabard weight replaced it)."""

    def __init__(self) -> None:
        self.objects: list[Any] = []

    def destroy(self, pc: PETSc.PC | None = None) -> None:
        for obj in self.objects:
            obj.destroy()
        self.objects = []

    def _poisson(self, pc: PETSc.PC, inverse: PETSc.Vec, tag: str) -> tuple[PETSc.Mat, PETSc.KSP]:
        scaled = self.A01.copy()
        scaled.diagonalScale(L=inverse)
        Sp = self.A10.matMult(scaled)
        Sp.scale(-1.0)
        Sp.axpy(1.0, self.A11, structure=PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
        scaled.destroy()
        ksp = PETSc.KSP().create(pc.getComm())
        ksp.setOperators(Sp)
        ksp.setType("preonly")
        prefix = f"{pc.getOptionsPrefix()}variant{tag}_"
        ksp.setOptionsPrefix(prefix)
        options = {"pc_type": "lu"} if CONFIG["lu"] else block._amg()
        set_options(prefix, options)
        ksp.setFromOptions()
        clear_options(prefix, options)
        ksp.setUp()
        return Sp, ksp

    def setUp(self, pc: PETSc.PC) -> None:
        self.destroy()
        S, _ = pc.getOperators()
        self.A00, _, self.A01, self.A10, self.A11 = S.getSchurComplementSubMatrices()
        problem = CURRENT["problem"]
        self.inverse = _weight(problem, self.A00, CONFIG["weight"], CONFIG["p"])
        self.Sp, self.ksp = self._poisson(pc, self.inverse, "r")
        self.left, self.kspl = self.inverse, self.ksp
        self.objects = [self.Sp, self.ksp, self.inverse]
        if CONFIG["left"]:
            self.left = _weight(problem, self.A00, *CONFIG["left"])
            Spl, self.kspl = self._poisson(pc, self.left, "l")
            self.objects += [self.left, Spl, self.kspl]
        self.q1, self.q2 = self.A01.createVecLeft(), self.A01.createVecLeft()
        self.t1, self.t2 = self.A11.createVecLeft(), self.A11.createVecLeft()
        self.objects += [self.q1, self.q2, self.t1, self.t2]

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


def krylov(
    domain: lk.Domain, contrast: float, ell: float, ratio: float | None, variant: dict
) -> Any:
    """Krylov iterations of one solve (steady, or one backward-Euler step at Γ/Δt = ratio A)."""
    dt = 0.01
    tau = 0.0 if ratio is None else ratio * dt
    options = {"linear_solver": "iterative", "ksp_max_it": 150, **variant.get("opts", {})}
    schur = variant.get("schur", "bfbt")
    block.choose_schur = lambda problem: schur
    problem = lk.LKProblem(
        domain,
        bench_robust.materials("square", contrast, ell, tau),
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element="taylor_hood",
        petsc_options=options,
    )
    CURRENT["problem"] = problem
    try:
        if ratio is None:
            return problem.solve_steady().linear_iterations
        problem.set_initial(T0=0.0)
        settings = lk.TimeSettings(t_end=dt, dt=dt, scheme="backward_euler")
        return lk.run_transient(problem, settings)[0].linear_iterations
    except lk.LkfemError:
        return "X"
    finally:
        problem.destroy()


def main(argv: list[str]) -> None:
    variants = json.loads(argv[0])
    default_ns = json.loads(argv[1]) if len(argv) > 1 else [16, 32]
    block.BFBt = VariantBFBt  # PETSc finds the python PC by this name
    solver_options = block.block_options

    def options(element: str, schur: str = "cahouet_chabard", by_component: bool = True) -> dict:
        if schur != "bfbt":
            return solver_options(element, schur, by_component)
        out = solver_options(element, "cahouet_chabard", by_component)
        out["fieldsplit_T_pc_python_type"] = f"{block.__name__}.BFBt"
        return out

    block.block_options = options
    meshes: dict[int, lk.Domain] = {}
    for variant in variants:
        CONFIG.clear()
        CONFIG.update(DEFAULT, **{k: v for k, v in variant.items() if k in DEFAULT})
        start = time.perf_counter()
        out = []
        for contrast, ell, ratio in CELLS[variant.get("cells", "hard")]:
            counts = []
            for n in variant.get("ns", default_ns):
                if n not in meshes:
                    meshes[n] = bench_cases.two_regions(n, MPI.COMM_WORLD)
                counts.append(krylov(meshes[n], contrast, ell, ratio, variant))
            out.append(f"{contrast:g}/{ell:g}/{ratio}: " + "/".join(map(str, counts)))
        seconds = time.perf_counter() - start
        print(json.dumps(variant), f"{seconds:.0f}s |", " ; ".join(out), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
