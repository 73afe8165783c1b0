"""Eigenvalues of the preconditioned Schur complement P⁻¹S of the T block, and where the worst
modes live (serial, small meshes: S is formed densely).

For Taylor–Hood solves (bench_robust.solved_problem's set-up: T = 1 left, 0 right), steady or
one backward-Euler step with Γ/Δt = ratio × A (a third entry of a cell; C/Δt = 100), it takes
the Jacobian after the solve, forms S = C − B₂A⁻¹B₁ on the free T dofs with an LU of the flux
block (C = (C/Δt) M in a step), and the solver's T block P⁻¹ = D K⁻¹ D + diag(w) from its
Cahouet–Chabard context (K by LU, so the T-block AMG is left out; D = 1 when steady), and
prints |eigenvalue| percentiles of P⁻¹S and, for the three smallest, the share of the
eigenvector's squared entries by the set of regions of each node (``a+b``: nodes on the
interface of a and b).

    python3 benchmarks/schur_spectrum.py cloak3d '[[1e4, 1.0], [1e-4, 1.0], [1e4, 1.0, 1e-3]]'
    python3 benchmarks/schur_spectrum.py square '[[1e4, 1.0]]' 16

Used for docs/performance.md ("A measured effective resistance in K", "The T block of a time
step").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from mpi4py import MPI
from petsc4py import PETSc

sys.path.insert(0, str(Path(__file__).parent))

import bench_cases  # noqa: E402
import bench_robust  # noqa: E402

import lkfem as lk  # noqa: E402


def _csr(matrix: PETSc.Mat) -> sp.csr_matrix:
    indptr, indices, values = matrix.getValuesCSR()
    return sp.csr_matrix((values, indices, indptr), shape=matrix.getSize())


def _node_regions(domain: lk.Domain, V) -> dict[int, str]:
    regions: dict[int, set[str]] = {}
    for name, tag in domain.regions.items():
        for dof in np.unique(V.dofmap.list[domain.cell_tags.find(tag)]):
            regions.setdefault(int(dof), set()).add(name)
    return {dof: "+".join(sorted(names)) for dof, names in regions.items()}


def spectrum(
    domain: lk.Domain, geometry: str, contrast: float, ell: float, ratio: float | None = None
) -> None:
    cell = (geometry, "taylor_hood", contrast, ell, ratio)
    problem, row = bench_robust.solved_problem(domain, *cell)
    iterations = row["krylov"]
    J = _csr(problem.solver().snes.getJacobian()[0])
    context = problem._preconditioner.context
    q_dofs, T_dofs = np.asarray(problem.q_dofs), np.asarray(problem.T_dofs)
    free = np.setdiff1d(np.arange(T_dofs.size), context.T_bc_dofs)
    rows_q, rows_T = J[q_dofs], J[T_dofs[free]]
    A = rows_q[:, q_dofs].tocsc()
    S = rows_T[:, T_dofs[free]].toarray() - rows_T[:, q_dofs] @ spla.splu(A).solve(
        rows_q[:, T_dofs[free]].toarray()
    )
    K = _csr(context.K)[free][:, free].tocsc()
    D = context.scaling[free]
    P_S = D[:, None] * spla.splu(K).solve(D[:, None] * S) + context.lumped[free, None] * S
    values, vectors = np.linalg.eig(P_S)
    size = np.abs(values)
    print(
        f"contrast {contrast:g}, ell {ell}, Gamma/dt {ratio}: {iterations} Krylov iterations, "
        f"{free.size} free T dofs; |eigenvalue| min {size.min():.3g} max {size.max():.3g}, "
        f"percentiles 1/10/50/90/99: {np.percentile(size, [1, 10, 50, 90, 99]).round(3)}",
        flush=True,
    )
    where = _node_regions(domain, problem.V_T)
    for k in np.argsort(size)[:3]:
        weight = np.abs(vectors[:, k]) ** 2
        share: dict[str, float] = {}
        for j, dof in enumerate(free):
            share[where[int(dof)]] = share.get(where[int(dof)], 0.0) + weight[j] / weight.sum()
        top = sorted(share.items(), key=lambda item: -item[1])[:3]
        print(f"  {size[k]:.3g}: " + ", ".join(f"{name} {s:.2f}" for name, s in top), flush=True)
    problem.destroy()


def main() -> None:
    geometry, cells = sys.argv[1], json.loads(sys.argv[2])
    if geometry == "cloak3d":
        domain = bench_robust.cloak_3d(0, MPI.COMM_WORLD)
    else:
        n = int(sys.argv[3]) if len(sys.argv) > 3 else 16
        domain = bench_cases.two_regions(n, MPI.COMM_WORLD)
    for cell in cells:
        spectrum(domain, geometry, *cell)


if __name__ == "__main__":
    main()
