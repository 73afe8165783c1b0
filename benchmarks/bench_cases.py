"""The measured problems of benchmarks/run.py; each returns a JSON-ready dictionary, the same on
every rank (times are the slowest rank's, memory is summed over the ranks)."""

from __future__ import annotations

import ctypes
import time
from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

import lkfem as lk

A_, ZETA, LAM = 2.0, 1.5, 0.1  # steady GK: k = ζ/a = 0.75, ℓ = √(λ/a) ≈ 0.22
EVENTS = ("SNESJacobianEval", "SNESFunctionEval", "PCSetUp", "KSPSolve", "MatLUFactorNum")


def start_logging() -> None:
    PETSc.Log.begin()


def dolfinx_version() -> str:
    import dolfinx

    return dolfinx.__version__


def events() -> dict[str, dict[str, float]]:
    """PETSc's log of the events above so far on this rank: count and time (s)."""
    out = {}
    for name in EVENTS:
        info = PETSc.Log.Event(name).getPerfInfo()
        out[name] = {"count": int(info["count"]), "time": float(info["time"])}
    return out


def since(before: dict, comm: MPI.Comm) -> dict[str, dict[str, float]]:
    """Event counts and times (max over ranks) since ``before``."""
    now = events()
    return {
        name: {
            "count": comm.allreduce(now[name]["count"] - before[name]["count"], op=MPI.MAX),
            "time": comm.allreduce(now[name]["time"] - before[name]["time"], op=MPI.MAX),
        }
        for name in EVENTS
    }


def rss_bytes() -> int:
    """This process's resident memory now (Linux), after giving freed heap memory back to the
    system (so that what an earlier, smaller case freed is not counted again)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Clock:
    """Wall time of the slowest rank between barriers."""

    def __init__(self, comm: MPI.Comm):
        self.comm = comm
        comm.barrier()
        self.t0 = time.perf_counter()

    def lap(self) -> float:
        self.comm.barrier()
        t = time.perf_counter()
        elapsed, self.t0 = t - self.t0, t
        return self.comm.allreduce(elapsed, op=MPI.MAX)


def unit_cube(n: int, comm: MPI.Comm) -> lk.Domain:
    return lk.from_mesh(dmesh.create_unit_cube(comm, n, n, n, dmesh.CellType.tetrahedron))


def two_regions(n: int, comm: MPI.Comm) -> lk.Domain:
    """The unit square, n × n × 2 triangles, in regions ``a`` (x < ½) and ``b`` (x > ½)."""
    mesh = dmesh.create_unit_square(comm, n, n, dmesh.CellType.triangle)
    domain = lk.from_mesh(mesh)
    tdim = mesh.topology.dim
    imap = mesh.topology.index_map(tdim)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    midpoints = dmesh.compute_midpoints(mesh, tdim, cells)
    tags = np.where(midpoints[:, 0] < 0.5, 1, 2).astype(np.int32)
    return lk.Domain(
        mesh=mesh,
        cell_tags=dmesh.meshtags(mesh, tdim, cells, tags),
        facet_tags=domain.facet_tags,
        regions={"a": 1, "b": 2},
        boundaries=dict(domain.boundaries),
    )


# ---- steady 3D GK against P1 Poisson --------------------------------------------------------


def _gk_problem(domain: lk.Domain, quadrature_degree: int | None = None) -> lk.LKProblem:
    mesh = domain.mesh
    X = ufl.SpatialCoordinate(mesh)
    c = [ufl.cos(np.pi * X[i]) for i in range(3)]
    q_e = ufl.as_vector([c[0] * c[1] * c[2] * (1 + 0.5 * i) for i in range(3)])
    T_e = ufl.sin(np.pi * X[0]) * ufl.sin(np.pi * X[1]) + X[0] * X[1]
    f_q = A_ * q_e - LAM * ufl.div(ufl.grad(q_e)) + ZETA * ufl.grad(T_e)
    bcs = {name: lk.Temperature(value=T_e) for name in domain.exterior_boundaries()}
    problem = lk.LKProblem(
        domain,
        {"domain": lk.Material(a=A_, zeta=ZETA, lam=LAM)},
        bcs,
        source=ufl.div(q_e),
        q_source=[f_q[i] for i in range(3)],
        element="taylor_hood",
        quadrature_degree=quadrature_degree,
        petsc_options={"linear_solver": "iterative"},
    )
    problem.exact_T = T_e
    return problem


def steady_gk(n: int, comm: MPI.Comm, quadrature_degree: int | None = None) -> dict[str, Any]:
    """The steady GK problem on the n³·6 unit cube (``quadrature_degree``: LKProblem's)."""
    rss0 = comm.allreduce(rss_bytes(), op=MPI.SUM)
    clock = Clock(comm)
    domain = unit_cube(n, comm)
    t_mesh = clock.lap()
    problem = _gk_problem(domain, quadrature_degree)
    problem.solver()
    t_setup = clock.lap()
    before = events()
    info = problem.solve_steady()
    t_solve = clock.lap()
    log = since(before, comm)
    rss1 = comm.allreduce(rss_bytes(), op=MPI.SUM)
    unknowns = problem.W.dofmap.index_map.size_global * problem.W.dofmap.index_map_bs
    dx = ufl.dx(metadata={"quadrature_degree": 6})
    error = fem.assemble_scalar(fem.form((problem.T - problem.exact_T) ** 2 * dx))
    error = float(np.sqrt(comm.allreduce(error, op=MPI.SUM)))
    qdeg = problem.quadrature_degree
    problem.destroy()
    assembly = log["SNESJacobianEval"]["time"] + log["SNESFunctionEval"]["time"]
    pc_setup = log["PCSetUp"]["time"]
    poisson = poisson_p1(domain, comm)
    return {
        "n": n,
        "quadrature_degree": qdeg,
        "cells": domain.num_cells(),
        "unknowns": unknowns,
        "time_s": {
            "mesh": t_mesh,
            "setup": t_setup,
            "assembly": assembly,
            "pc_setup": pc_setup,
            "solve": max(t_solve - assembly - pc_setup, 0.0),
            "total_solve": t_solve,
        },
        "newton_iterations": info.iterations,
        "krylov_iterations": info.linear_iterations,
        "jacobian_assemblies": log["SNESJacobianEval"]["count"],
        "pc_setups": log["PCSetUp"]["count"],
        "bytes_per_unknown": max(rss1 - rss0, 0) / unknowns,
        "T_L2_error": error,
        "poisson": poisson,
        "ratio_to_poisson": (t_solve / unknowns) / (poisson["time_s"] / poisson["unknowns"]),
    }


def poisson_p1(domain: lk.Domain, comm: MPI.Comm, repeat: int = 3) -> dict[str, Any]:
    """−Δu = 1, u = 0 on the boundary, P1, CG + BoomerAMG: the best of ``repeat`` times of
    assembly and solve (it is short, so noisy)."""
    runs = [_poisson_once(domain, comm) for _ in range(repeat)]
    return min(runs, key=lambda r: r["time_s"])


def _poisson_once(domain: lk.Domain, comm: MPI.Comm) -> dict[str, Any]:
    mesh = domain.mesh
    V = fem.functionspace(mesh, ("Lagrange", 1))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    fdim = mesh.topology.dim - 1
    mesh.topology.create_connectivity(fdim, fdim + 1)
    facets = dmesh.exterior_facet_indices(mesh.topology)
    bc = fem.dirichletbc(PETSc.ScalarType(0.0), fem.locate_dofs_topological(V, fdim, facets), V)
    a = fem.form(ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx)
    L = fem.form(1.0 * v * ufl.dx)
    clock = Clock(comm)
    A = fem_petsc.assemble_matrix(a, bcs=[bc])
    A.assemble()
    b = fem_petsc.assemble_vector(L)
    fem_petsc.apply_lifting(b, [a], bcs=[[bc]])
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    fem_petsc.set_bc(b, [bc])
    uh = fem.Function(V)
    ksp = _amg_ksp(A, "bench_poisson_")
    ksp.solve(b, uh.x.petsc_vec)
    elapsed = clock.lap()
    iterations = ksp.getIterationNumber()
    for obj in (ksp, A, b):
        obj.destroy()
    return {"unknowns": V.dofmap.index_map.size_global, "krylov": iterations, "time_s": elapsed}


def _amg_ksp(A: PETSc.Mat, prefix: str) -> PETSc.KSP:
    """CG + BoomerAMG (GAMG without hypre), relative tolerance 1e-10: plain petsc4py."""
    ksp = PETSc.KSP().create(A.getComm())
    ksp.setOperators(A)
    ksp.setType("cg")
    ksp.setTolerances(rtol=1e-10, atol=1e-30)
    pc = ksp.getPC()
    if PETSc.Sys.hasExternalPackage("hypre"):
        pc.setType("hypre")
        pc.setHYPREType("boomeramg")
    else:
        pc.setType("gamg")
    return ksp


# ---- Fourier path against a hand-written solver ---------------------------------------------


def fourier_against_hand_written(n: int, comm: MPI.Comm, repeat: int = 5) -> dict[str, Any]:
    """Wall times of lk.solve_steady_fourier and of the same P1 problem written directly in
    dolfinx (k = 2, Q = 1, T = 0 left, T = 1 right), ``repeat`` pairs taken in turns, which
    side goes first alternating, so that both see the same load. Both build their function
    space, forms, matrix and AMG solver and solve to the same tolerance; lkfem also computes
    the boundary heat flows and ∫ Q dx. q and k (interpolated on first use) are timed apart:
    ``fields_s``.

    ``ratio`` is best against best; ``ratio_median`` the median of the ratios of the pairs
    (each pair run back to back) and ``ratio_spread`` their range: on a shared machine the
    load changes from second to second, and a single pair can be off by 20 % either way."""
    domain = unit_cube(n, comm)
    options = {"ksp_rtol": 1e-10}
    lk_times, hand_times, field_times = [], [], []

    def lkfem_side() -> Any:
        clock = Clock(comm)
        result = lk.solve_steady_fourier(
            domain,
            {"domain": lk.Material(k=2.0)},
            {"left": lk.Temperature(value=0.0), "right": lk.Temperature(value=1.0)},
            source=1.0,
            solver_options=options,
        )
        lk_times.append(clock.lap())
        assert result.q is not None and result.k is not None  # interpolated here
        field_times.append(clock.lap())
        return result

    def hand_side() -> tuple[fem.Function, int]:
        clock = Clock(comm)
        out = _hand_written_fourier(domain)
        hand_times.append(clock.lap())
        return out

    for i in range(repeat):
        if i % 2 == 0:
            result = lkfem_side()
            T_hand, iterations = hand_side()
        else:
            T_hand, iterations = hand_side()
            result = lkfem_side()
    difference = comm.allreduce(
        float(np.abs(result.T.x.array - T_hand.x.array).max(initial=0.0)), op=MPI.MAX
    )
    unknowns = result.T.function_space.dofmap.index_map.size_global
    pairs = np.array(lk_times) / np.array(hand_times)
    return {
        "n": n,
        "unknowns": unknowns,
        "lkfem_s": min(lk_times),
        "hand_written_s": min(hand_times),
        "ratio": min(lk_times) / min(hand_times),
        "ratio_median": float(np.median(pairs)),
        "ratio_spread": [float(pairs.min()), float(pairs.max())],
        "fields_s": min(field_times),
        "lkfem_all_s": [float(t) for t in lk_times],
        "hand_written_all_s": [float(t) for t in hand_times],
        "krylov_lkfem": result.solve.iterations,
        "krylov_hand_written": iterations,
        "max_difference": difference,
        "balance_error": result.balance_error,
    }


def _hand_written_fourier(domain: lk.Domain) -> tuple[fem.Function, int]:
    mesh = domain.mesh
    V = fem.functionspace(mesh, ("Lagrange", 1))
    T, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    fdim = mesh.topology.dim - 1
    bcs = [
        fem.dirichletbc(
            PETSc.ScalarType(value),
            fem.locate_dofs_topological(V, fdim, domain.boundary_facets(name)),
            V,
        )
        for name, value in (("left", 0.0), ("right", 1.0))
    ]
    a = fem.form(2.0 * ufl.inner(ufl.grad(T), ufl.grad(v)) * ufl.dx)
    L = fem.form(1.0 * v * ufl.dx)
    A = fem_petsc.assemble_matrix(a, bcs=bcs)
    A.assemble()
    b = fem_petsc.assemble_vector(L)
    fem_petsc.apply_lifting(b, [a], bcs=[bcs])
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    fem_petsc.set_bc(b, bcs)
    Th = fem.Function(V)
    ksp = _amg_ksp(A, "bench_fourier_")
    ksp.solve(b, Th.x.petsc_vec)
    Th.x.scatter_forward()
    iterations = ksp.getIterationNumber()
    for obj in (ksp, A, b):
        obj.destroy()
    return Th, iterations


# ---- transients: what a step costs ----------------------------------------------------------


def transient_steps(n: int, steps: int, comm: MPI.Comm) -> dict[str, Any]:
    """``steps`` backward-Euler steps of a linear Cattaneo problem (primal, direct LU) on two
    regions: Jacobian assemblies, factorisations and time per step."""
    domain = two_regions(n, comm)
    materials = {"a": lk.Material(k=1.0, tau=0.01, C=1.0), "b": lk.Material(k=10.0, tau=0.01)}
    problem = lk.LKProblem(
        domain,
        materials,
        {"left": lk.Temperature(value=1.0)},
        element="primal",
        petsc_options={"linear_solver": "direct"},
    )
    problem.set_initial(T0=0.0)
    problem.solver()
    before = events()
    clock = Clock(comm)
    records = lk.run_transient(
        problem, lk.TimeSettings(t_end=steps * 0.01, dt=0.01, scheme="backward_euler")
    )
    elapsed = clock.lap()
    log = since(before, comm)
    unknowns = problem.W.dofmap.index_map.size_global * problem.W.dofmap.index_map_bs
    # the solver's own count (a Jacobian callback may keep the matrix); PETSc's before it had one
    assemblies = getattr(problem.solver(), "jacobian_assemblies", log["SNESJacobianEval"]["count"])
    problem.destroy()
    return {
        "unknowns": unknowns,
        "steps": len(records),
        "newton_iterations": sum(r.newton_iterations for r in records),
        "jacobian_assemblies": assemblies,
        "residual_assemblies": log["SNESFunctionEval"]["count"],
        "factorisations": log["MatLUFactorNum"]["count"],
        "time_per_step_s": elapsed / max(len(records), 1),
    }


def warm_up(comm: MPI.Comm) -> None:
    """Compile (JIT) the forms of every part once on tiny meshes."""
    steady_gk(2, comm)
    fourier_against_hand_written(2, comm, repeat=1)
    transient_steps(2, 1, comm)
