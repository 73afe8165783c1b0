"""Benchmark: the steady 3D Guyer–Krumhansl solve at growing size, against P1 Poisson + AMG.

For each mesh (a unit cube of n³·6 tetrahedra) it solves a manufactured GK problem
(Taylor–Hood q ∈ P2³, T ∈ P1; Newton + FGMRES with lkfem's Schur-complement block
preconditioner) and, on the same mesh, −Δu = f with P1 and CG + BoomerAMG. It reports unknowns,
Krylov iterations, solve times, time per unknown and their ratio, the error against the exact
solution, and peak memory.

    python3 benchmarks/lk_steady_3d.py --sizes 8 16 32            # uniform refinements
    mpirun -n 2 python3 benchmarks/lk_steady_3d.py --sizes 34     # ≥ 1 million unknowns
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

import lkfem as lk
from lkfem.core.domain import from_mesh
from lkfem.physics.lk.problem import LKProblem
from lkfem.solvers.linear import LinearSolver

A_, ZETA, LAM = 2.0, 1.5, 0.1  # Landau coefficients: k = ζ/a = 0.75, ℓ = √(λ/a) ≈ 0.22


def exact(mesh):
    X = ufl.SpatialCoordinate(mesh)
    c = [ufl.cos(np.pi * X[i]) for i in range(3)]
    q_e = ufl.as_vector([c[0] * c[1] * c[2] * (1 + 0.5 * i) for i in range(3)])
    T_e = ufl.sin(np.pi * X[0]) * ufl.sin(np.pi * X[1]) + X[0] * X[1]
    f_q = A_ * q_e - LAM * ufl.div(ufl.grad(q_e)) + ZETA * ufl.grad(T_e)
    return q_e, T_e, f_q, ufl.div(q_e)


def lk_solve(domain):
    q_e, T_e, f_q, Q = exact(domain.mesh)
    bcs = {name: lk.Temperature(value=T_e) for name in domain.exterior_boundaries()}
    problem = LKProblem(
        domain,
        {"domain": lk.Material(a=A_, zeta=ZETA, lam=LAM)},
        bcs,
        source=Q,
        q_source=[f_q[i] for i in range(3)],
        element="taylor_hood",
        petsc_options={"linear_solver": "iterative"},
    )
    comm = domain.comm
    comm.barrier()
    t0 = time.perf_counter()
    info = problem.solve_steady()
    comm.barrier()
    elapsed = time.perf_counter() - t0
    q, T = ufl.split(problem.u)
    dx = ufl.dx(metadata={"quadrature_degree": 6})
    err = np.sqrt(comm.allreduce(fem.assemble_scalar(fem.form((T - T_e) ** 2 * dx)), op=MPI.SUM))
    size = problem.W.dofmap.index_map.size_global * problem.W.dofmap.index_map_bs
    problem.destroy()
    return {
        "unknowns": size,
        "newton": info.iterations,
        "krylov": info.linear_iterations,
        "solve_s": elapsed,
        "T_L2_error": err,
    }


def poisson_solve(domain):
    mesh = domain.mesh
    V = fem.functionspace(mesh, ("Lagrange", 1))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    mesh.topology.create_connectivity(2, 3)
    facets = dmesh.exterior_facet_indices(mesh.topology)
    bc = fem.dirichletbc(PETSc.ScalarType(0.0), fem.locate_dofs_topological(V, 2, facets), V)
    a, L = fem.form(ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx), fem.form(1.0 * v * ufl.dx)
    comm = mesh.comm
    comm.barrier()
    t0 = time.perf_counter()
    A = fem_petsc.assemble_matrix(a, bcs=[bc])
    A.assemble()
    b = fem_petsc.assemble_vector(L)
    fem_petsc.apply_lifting(b, [a], bcs=[[bc]])
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    fem_petsc.set_bc(b, [bc])
    uh = fem.Function(V)
    solver = LinearSolver(A, {"ksp_rtol": 1e-10}, name="poisson")
    info = solver.solve(b, uh.x.petsc_vec)
    comm.barrier()
    elapsed = time.perf_counter() - t0
    solver.destroy()
    A.destroy()
    b.destroy()
    return {
        "unknowns": V.dofmap.index_map.size_global,
        "krylov": info.iterations,
        "solve_s": elapsed,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 32])
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    comm = MPI.COMM_WORLD
    rows = []
    header = (
        f"{'n':>4} {'cells':>9} {'LK unknowns':>12} {'Newton':>6} {'Krylov':>6} {'LK s':>8} "
        f"{'P1 unknowns':>11} {'CG':>4} {'P1 s':>7} {'ratio/unknown':>13} {'T L2 err':>9} "
        f"{'peak MB/rank':>12}"
    )
    if comm.rank == 0:
        print(
            f"lkfem benchmark on {comm.size} rank(s); ratio = (LK s / LK unknowns) / "
            "(P1 s / P1 unknowns)\n" + header,
            flush=True,
        )
    for n in args.sizes:
        mesh = dmesh.create_unit_cube(comm, n, n, n, dmesh.CellType.tetrahedron)
        domain = from_mesh(mesh)
        lk_row = lk_solve(domain)
        p1 = poisson_solve(domain)
        peak = comm.allreduce(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, op=MPI.MAX)
        ratio = (lk_row["solve_s"] / lk_row["unknowns"]) / (p1["solve_s"] / p1["unknowns"])
        row = {
            "n": n,
            "cells": domain.num_cells(),
            "lk": lk_row,
            "poisson": p1,
            "ratio_per_unknown": ratio,
            "peak_MB_per_rank": peak,
            "ranks": comm.size,
        }
        rows.append(row)
        if comm.rank == 0:
            print(
                f"{n:>4} {row['cells']:>9} {lk_row['unknowns']:>12} {lk_row['newton']:>6} "
                f"{lk_row['krylov']:>6} {lk_row['solve_s']:>8.2f} {p1['unknowns']:>11} "
                f"{p1['krylov']:>4} {p1['solve_s']:>7.2f} {ratio:>13.1f} "
                f"{lk_row['T_L2_error']:>9.2e} {peak:>12.0f}",
                flush=True,
            )
    if comm.rank == 0 and len(rows) > 1:
        growth = [
            rows[i + 1]["lk"]["krylov"] / rows[i]["lk"]["krylov"] - 1 for i in range(len(rows) - 1)
        ]
        print("Krylov growth per refinement: " + ", ".join(f"{100 * g:+.0f}%" for g in growth))
    if comm.rank == 0 and args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
