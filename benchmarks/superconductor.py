"""The heat superconductor with a rod (3D, rod_between_reservoirs): set-up time against the
unknowns, and the steady solve on the iterative path (docs/performance.md).

    python3 benchmarks/superconductor.py --setup 0.05 0.035 0.025 --collapse   # set-up only
    mpirun -n 2 python3 benchmarks/superconductor.py --solve 0.02 --linear-solver iterative

Prints one JSON line per size: unknowns, time to mesh, to build the HeatSuperconductor (and its
LKProblem), and with ``--solve`` the steady solve (time, Krylov iterations, peak memory); then,
for several sizes, the fitted exponent of set-up time against unknowns.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
from mpi4py import MPI

import lkfem as lk
from lkfem.meshes import rod_between_reservoirs
from lkfem.physics.lk.spaces import subspace

GEOMETRY = {"length": 0.8, "radius": 0.1, "box_length": 0.4, "box_width": 0.4}


def _lap(comm: MPI.Comm, t0: float) -> float:
    comm.barrier()
    return comm.allreduce(time.perf_counter() - t0, op=MPI.MAX)


def measure(
    h: float, comm: MPI.Comm, solve: bool, linear_solver: str, collapse: bool = False
) -> dict:
    t0 = time.perf_counter()
    domain = rod_between_reservoirs.build(comm, h=h, h_rod=h / 2, **GEOMETRY)
    mesh_s = _lap(comm, t0)
    t0 = time.perf_counter()
    reservoir = lk.Material(k=100.0, C=1.0)
    sc = lk.HeatSuperconductor(
        domain,
        {"reservoir_left": reservoir, "reservoir_right": reservoir},
        {"rod": lk.RodMaterial(kappa=3.0, omega0=2.0, C=1.0)},
        {"hot": lk.Temperature(value=0.5), "cold": lk.Temperature(value=-0.5)},
        contacts=[
            lk.SNInterface(name=f"contact_{side}", kappa_SN=0.2) for side in ("left", "right")
        ],
        petsc_options={"linear_solver": linear_solver},
    )
    problem = sc.problem
    W = problem.W
    out = {
        "h": h,
        "ranks": comm.size,
        "unknowns": W.dofmap.index_map.size_global * W.dofmap.index_map_bs,
        "element": problem.element,
        "mesh_s": mesh_s,
        "setup_s": _lap(comm, t0),
    }
    if collapse:  # what the former set-up spent in dolfinx's collapse() of the same spaces
        t0 = time.perf_counter()
        for index in (0, 1):
            W.sub(index).collapse()
        out["collapse_s"] = _lap(comm, t0)
        t0 = time.perf_counter()
        for index in (0, 1):
            subspace(W, index)
        out["subspace_s"] = _lap(comm, t0)
    if solve:
        t0 = time.perf_counter()
        record = sc.solve_steady()
        out["solve_s"] = _lap(comm, t0)
        out["linear_solver"] = problem.linear_solver
        out["krylov_reservoir_solve"] = problem.last_solve.linear_iterations
        out["krylov_response_solve"] = int(problem.solver().snes.getKSP().getIterationNumber())
        out["Ts_K"] = record["Ts_K"]
        out["contact_heat_W"] = record["contact_heat_W"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    out["peak_GB_per_rank"] = comm.allreduce(peak, op=MPI.MAX) / 1e9
    sc.destroy()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setup", type=float, nargs="*", default=[], help="mesh sizes h")
    parser.add_argument("--solve", type=float, nargs="*", default=[], help="mesh sizes h")
    parser.add_argument("--linear-solver", default="auto", choices=("auto", "direct", "iterative"))
    parser.add_argument(
        "--collapse", action="store_true", help="also time collapse() of the mixed space's parts"
    )
    args = parser.parse_args()
    comm = MPI.COMM_WORLD
    measure(0.1, comm, bool(args.solve), args.linear_solver)  # compile the forms first
    rows = [measure(h, comm, False, args.linear_solver, args.collapse) for h in args.setup]
    rows += [measure(h, comm, True, args.linear_solver) for h in args.solve]
    for row in rows:
        if comm.rank == 0:
            print(json.dumps(row), flush=True)
    if len(args.setup) >= 2 and comm.rank == 0:
        n = np.log([r["unknowns"] for r in rows[: len(args.setup)]])
        t = np.log([r["setup_s"] for r in rows[: len(args.setup)]])
        print(f"set-up time ∝ unknowns^{np.polyfit(n, t, 1)[0]:.2f}")
        if args.collapse:
            c = np.log(
                [r["collapse_s"] + r["setup_s"] - r["subspace_s"] for r in rows[: len(args.setup)]]
            )
            print(f"with collapse() (the former set-up) ∝ unknowns^{np.polyfit(n, c, 1)[0]:.2f}")


if __name__ == "__main__":
    main()
