"""The steady 3D GK problem of benchmarks/run.py at the default quadrature (the exact rule,
degree 4: 14 points per tetrahedron) and at the general rule (degree 6: 24 points), in turns in
one process, so that both see the same load (docs/performance.md, "Quadrature").

    python3 benchmarks/gk_quadrature.py 6 8 12 16
"""

from __future__ import annotations

import sys
from pathlib import Path

from mpi4py import MPI

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cases as cases  # noqa: E402  (next to this script)

PHASES = ("setup", "assembly", "pc_setup", "solve", "total_solve")


def main(sizes: list[int]) -> None:
    comm = MPI.COMM_WORLD
    cases.start_logging()
    cases.warm_up(comm)
    cases.steady_gk(2, comm, quadrature_degree=6)  # its forms compiled too
    if comm.rank == 0:
        print("| n | unknowns | degree | " + " | ".join(f"{p} s" for p in PHASES), end="")
        print(" | Newton | Krylov | T L2 error | × P1+AMG |")
    for n in sizes:
        for degree in (6, None):
            r = cases.steady_gk(n, comm, quadrature_degree=degree)
            times = " | ".join(f"{r['time_s'][p]:.2f}" for p in PHASES)
            if comm.rank == 0:
                print(
                    f"| {n} | {r['unknowns']} | {r['quadrature_degree']} | {times} | "
                    f"{r['newton_iterations']} | {r['krylov_iterations']} | "
                    f"{r['T_L2_error']:.3e} | {r['ratio_to_poisson']:.1f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [6, 8, 12, 16])
