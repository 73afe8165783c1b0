"""The parallel part of benchmarks/run.py: the same problems on 1 and on several ranks.

``parallel_cases`` runs at the size of the communicator it is given; ``efficiency`` compares a
1-rank and an R-rank result: E = t₁ / (R t_R) per phase (1 = perfect strong scaling).
``launch`` starts the R-rank part as its own ``mpirun`` (a process that has initialised MPI as
a singleton cannot grow to more ranks).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import bench_cases as cases
from mpi4py import MPI

PHASES = ("mesh", "setup", "assembly", "pc_setup", "solve", "total_solve")


def parallel_cases(gk_n: int, fourier_n: int, repeat: int, comm: MPI.Comm) -> dict[str, Any]:
    """The steady GK and the Fourier problem at one size each, the best of ``repeat`` runs
    (by total time), with every run's total kept for the spread."""
    gk_runs = [cases.steady_gk(gk_n, comm) for _ in range(repeat)]
    for r in gk_runs:
        r["time_s"]["total"] = r["time_s"]["mesh"] + r["time_s"]["setup"]
        r["time_s"]["total"] += r["time_s"]["total_solve"]
    best = min(gk_runs, key=lambda r: r["time_s"]["total"])
    best["all_totals_s"] = [r["time_s"]["total"] for r in gk_runs]
    fourier = cases.fourier_against_hand_written(fourier_n, comm, repeat=max(repeat, 2))
    return {"ranks": comm.size, "steady_gk": best, "fourier": fourier}


def efficiency(one: dict[str, Any], many: dict[str, Any]) -> dict[str, Any]:
    """Parallel efficiency t₁ / (R t_R) of each phase of the steady GK problem, of its whole
    run, and of the Fourier path (lkfem and hand-written)."""
    R = many["ranks"]
    t1, tR = one["steady_gk"]["time_s"], many["steady_gk"]["time_s"]
    gk = {k: t1[k] / (R * tR[k]) if tR[k] > 0 else None for k in (*PHASES, "total")}
    f1, fR = one["fourier"], many["fourier"]
    return {
        "ranks": R,
        "gk_unknowns": one["steady_gk"]["unknowns"],
        "gk": gk,
        "gk_spread_s": {
            "1": one["steady_gk"]["all_totals_s"],
            str(R): many["steady_gk"]["all_totals_s"],
        },
        "fourier_unknowns": f1["unknowns"],
        "fourier_lkfem": f1["lkfem_s"] / (R * fR["lkfem_s"]),
        "fourier_hand_written": f1["hand_written_s"] / (R * fR["hand_written_s"]),
        "one": one,
        "many": many,
    }


def launch(ranks: int, size: str, out: Path, extra: list[str]) -> dict[str, Any]:
    """Run ``run.py --part parallel`` under ``mpirun -n ranks`` and return its JSON."""
    mpirun = shutil.which("mpirun") or shutil.which("mpiexec")
    if mpirun is None:
        raise SystemExit("no mpirun/mpiexec on PATH: run the parallel part by hand (see --help)")
    script = Path(__file__).resolve().parent / "run.py"
    command = [mpirun, "-n", str(ranks), sys.executable, str(script), "--part", "parallel"]
    command += ["--size", size, "--out", str(out), *extra]
    # this process's MPI singleton must not leak into the launcher (its PMIx/rank variables);
    # the user's own Open MPI settings (OMPI_MCA_*, OMPI_ALLOW_RUN_AS_ROOT*) stay
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PMIX_", "PMI_"))
        and not (k.startswith("OMPI_") and not k.startswith(("OMPI_MCA_", "OMPI_ALLOW")))
    }
    subprocess.run(command, check=True, env=env)
    return json.loads((out / "parallel.json").read_text())
