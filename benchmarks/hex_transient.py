"""Taylor–Hood transients on 21 hexahedra at degree 2 (q ∈ Q3³, T ∈ Q2; Cattaneo, ℓ = 0.05,
backward Euler, MUMPS): time per step with the Jacobian kept (the default for a linear problem at
fixed Δt) and assembled every step (as before the Jacobian was kept), and one Jacobian assembly
timed alone, at the general quadrature degree 8 (5 Gauss points per direction) and at the
default, 6 (4 per direction, exact on these affine cells) (docs/performance.md).

    python3 benchmarks/hex_transient.py
"""

from __future__ import annotations

import time

from dolfinx import mesh as dmesh
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI

import lkfem as lk


def problem(comm: MPI.Comm, quadrature_degree: int | None) -> lk.LKProblem:
    mesh = dmesh.create_box(
        comm, [[0, 0, 0], [21.0, 1.0, 1.0]], [21, 1, 1], cell_type=dmesh.CellType.hexahedron
    )
    p = lk.LKProblem(
        lk.from_mesh(mesh),
        {"domain": lk.Material(k=2.0, tau=0.05, C=1.0, ell=0.05)},
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element="taylor_hood",
        degree=2,
        quadrature_degree=quadrature_degree,
        petsc_options={"linear_solver": "direct"},
    )
    p.set_initial(T0=0.0)
    return p


def per_step(p: lk.LKProblem, keep: bool, steps: int = 10) -> tuple[float, float]:
    """(first step s, s per later step)."""
    p.solver().constant_jacobian = keep
    t0 = time.perf_counter()
    lk.run_transient(p, lk.TimeSettings(t_end=0.01, dt=0.01, scheme="backward_euler"))
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    settings = lk.TimeSettings(t_end=0.01 * (steps + 1), dt=0.01, scheme="backward_euler")
    lk.run_transient(p, settings)
    return first, (time.perf_counter() - t0) / steps


def jacobian_s(p: lk.LKProblem, repeats: int = 5) -> float:
    """The fastest of ``repeats`` assemblies of the Jacobian (with its conditions)."""
    solver = p.solver()
    A = fem_petsc.create_matrix(solver.J)
    best = float("inf")
    for _ in range(repeats):
        A.zeroEntries()
        t0 = time.perf_counter()
        fem_petsc.assemble_matrix(A, solver.J, bcs=solver.bcs)
        A.assemble()
        best = min(best, time.perf_counter() - t0)
    A.destroy()
    return best


def main() -> None:
    comm = MPI.COMM_WORLD
    for qdeg in (8, None):
        row: dict = {}
        for keep in (True, False):
            p = problem(comm, qdeg)
            row["quadrature_degree"] = p.quadrature_degree
            row["unknowns"] = p.W.dofmap.index_map.size_global * p.W.dofmap.index_map_bs
            first, step = per_step(p, keep)
            label = "kept" if keep else "every_step"
            row[f"first_step_s_{label}"] = round(first, 3)
            row[f"ms_per_step_{label}"] = round(step * 1e3, 1)
            if keep:
                row["jacobian_ms"] = round(jacobian_s(p) * 1e3, 1)
            else:
                row["jacobians_every_step"] = p.solver().jacobian_assemblies
            p.destroy()
        if comm.rank == 0:
            print(row, flush=True)


if __name__ == "__main__":
    main()
