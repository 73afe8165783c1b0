"""Thermal domains in 3D: what a relax run of the shipped 3D box case costs at a given size
(docs/performance.md, "Thermal domains in 3D").

The case is lkfem/cases/domains_box.toml (a 1 m box, a = −1, b = 1, λ = 0.002, a random initial
q) with the mesh size ``--h`` (P1: 3 (1/h + 1)³ unknowns; h = 1/70 gives 1.07 M), a fixed Δt for
``--steps`` steps, and the Newton solver's linear solve from ``--petsc`` (default: the case's
automatic choice, CG + Jacobi above 20 000 unknowns). The model is built and stepped as
``lkfem run`` does (mesh, model, initial state, then the shared time loop with the diagnostics
of every step) but without writing fields, so that set-up and steps can be timed apart:

    mpirun -n 2 python3 benchmarks/domains_3d.py --h 0.0142857 --steps 30 --out results/d3

It prints (and writes as ``benchmark.json`` in ``--out``) the unknowns, set-up time, time per
step (the solve, and the diagnostics: vortex lines, structure factor, every ``--every`` steps),
Newton and Krylov iterations per step, peak resident memory of each rank (getrusage), and the
vortex line length and mean |q| at the end.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
from mpi4py import MPI

import lkfem as lk
from lkfem.run import prepare
from lkfem.stepping import march

CASE = Path(lk.__file__).parent / "cases" / "domains_box.toml"


def case(h: float, steps: int, dt: float, petsc: dict, axis: str) -> lk.Case:
    """The shipped 3D box at mesh size ``h`` (m), ``steps`` fixed steps of ``dt`` (s)."""
    data = tomllib.loads(CASE.read_text())
    data["mesh"]["parameters"]["h"] = h
    data["mesh"]["max_cells"] = 10_000_000
    data["domains"]["vortex_axis"] = axis
    data["time"] = {"t_end": steps * dt, "dt": dt, "scheme": "backward_euler"}
    data["output"] = {"every": 1_000_000, "png": False, "formats": []}
    data["solver"] = {"petsc": petsc} if petsc else {}
    return lk.parse_case(data, source=f"{CASE.name} (h = {h:g})")


class _OutOfTime(Exception):
    pass


def run(c: lk.Case, comm: MPI.Comm, *, every: int = 1, max_wall: float = float("inf")) -> dict:
    """Build and march ``c`` (the diagnostics of every ``every``-th step; stop stepping after
    ``max_wall`` s in all); the costs (on rank 0; {} elsewhere)."""
    comm.barrier()
    start = time.perf_counter()
    domain, physics, _ = prepare(c, comm)
    meshed = time.perf_counter()
    model = physics.build(c, domain)
    stepper = model.stepper(c.time)
    model.record(None)  # the initial state's energies and diagnostics
    comm.barrier()
    ready = time.perf_counter()
    diag: list[float] = []
    rows: list = []

    def on_step(record):
        solved = time.perf_counter()
        row = None
        if record.step % every == 0:
            row = model.record(record)
            diag.append(time.perf_counter() - solved)
        rows.append((record.newton_iterations, record.linear_iterations, row))
        if comm.rank == 0:
            print(
                f"step {record.step}: {time.perf_counter() - start:.1f} s, Newton "
                f"{record.newton_iterations}, Krylov {record.linear_iterations}",
                file=sys.stderr,
                flush=True,
            )
        if comm.allreduce(time.perf_counter() - start, op=MPI.MAX) > max_wall:
            raise _OutOfTime

    try:
        try:
            march(stepper, c.time, on_step)
        except _OutOfTime:
            pass
        comm.barrier()
        end = time.perf_counter()
        unknowns = int(model.unknowns)
        last = rows[-1][2] if rows[-1][2] is not None else model.record(None)
        ksp = model.problem.solver().snes.getKSP()
        solver = (model.problem.quadrature_degree, f"{ksp.getType()} + {ksp.getPC().getType()}")
    finally:
        model.destroy()
    peak = comm.gather(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    diag_s = comm.allreduce(float(np.mean(diag)) if diag else 0.0, op=MPI.MAX)
    if comm.rank != 0:
        return {}
    newton = np.array([r[0] for r in rows])
    krylov = np.array([r[1] for r in rows])
    steps = len(rows)
    return {
        "ranks": comm.size,
        "unknowns": unknowns,
        "cells": domain.num_cells(),
        "quadrature_degree": solver[0],
        "krylov": solver[1],
        "mesh_s": meshed - start,
        "setup_s": ready - start,
        "steps": steps,
        "t_final_s": steps * c.time.dt,
        "loop_s": end - ready,
        "s_per_step": (end - ready) / steps,
        "diagnostics_every": every,
        "diagnostics_s_per_call": diag_s,
        "solve_s_per_step": (end - ready - diag_s * len(diag)) / steps,
        "newton_per_step": float(newton.mean()),
        "newton_max": int(newton.max()),
        "krylov_per_step": float(krylov.mean()),
        "krylov_per_newton": float(krylov.sum() / max(newton.sum(), 1)),
        "peak_rss_MB_per_rank": peak,
        "vortex_line_length_m": last.get("vortex_line_length_m"),
        "mean_abs_q_W_m2": last["mean_abs_q_W_m2"],
        "free_energy_W_K": last["free_energy_W_K"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--h", type=float, default=0.05, help="mesh size (m); 1/70: 1.07 M")
    parser.add_argument("--steps", type=int, default=10, help="fixed steps")
    parser.add_argument("--dt", type=float, default=0.2, help="Δt (s)")
    parser.add_argument("--axis", default="cell", help="[domains] vortex_axis")
    parser.add_argument("--every", type=int, default=1, help="diagnostics every N steps")
    parser.add_argument(
        "--max-wall", type=float, default=float("inf"), help="stop stepping after this (s)"
    )
    parser.add_argument(
        "--petsc",
        nargs="*",
        metavar="KEY=VALUE",
        help="PETSc options (default: the case's automatic choice)",
    )
    parser.add_argument("--out", type=Path, help="write benchmark.json here")
    args = parser.parse_args()
    petsc = dict(o.split("=", 1) for o in args.petsc) if args.petsc else {}
    comm = MPI.COMM_WORLD
    c = case(args.h, args.steps, args.dt, petsc, args.axis)
    row = run(c, comm, every=args.every, max_wall=args.max_wall)
    if comm.rank != 0:
        return
    command = f"mpirun -n {comm.size} python3 benchmarks/domains_3d.py " + " ".join(sys.argv[1:])
    report = {"command": command, "petsc": petsc, **row}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "benchmark.json").write_text(text + "\n")


if __name__ == "__main__":
    main()
