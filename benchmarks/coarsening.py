"""Coarsening of thermal domains in 2D from a random state: the vortex density n_v(t), and what
the run cost (docs/verification.md, docs/performance.md "Thermal domains").

Free relaxation (model A, the ``relax`` variant) of q from a random state in a square with
a < 0: q orders at |q| = √(−a/b) within a few Γ/|a|, leaving a gas of vortices and antivortices
that annihilate in pairs. For the 2D XY / vector TDGL model A the vortex density falls as
n_v ~ ln(t/t0)/t (Yurke, Pargellis, Kovacs & Huse, PRE 47, 1525 (1993); Bray, Adv. Phys. 43,
357 (1994), §6: L(t) ~ (t/ln t)^{1/2}), i.e. an effective exponent a bit below 1 over the
decades a simulation reaches (0.8–0.9 is what simulations measure, e.g. Yurke et al.).

The case is the shipped lkfem/cases/domains_coarsening_2d.toml, resized (in units of ξ = √λ,
q0 = 1) through ``lk.load_case(..., changes=...)``. Run (serially or under mpirun):

    python3 benchmarks/coarsening.py --L 64 --h 0.5 --t-end 300 --out results/coarsening
    mpirun -n 2 python3 benchmarks/coarsening.py --L 128 --h 0.25 --dt 0.1 --steps 1000 ...

It writes the case's results folder (timeseries.csv with the vortex counts and the Newton and
Krylov iterations per step), ``benchmark.json`` and ``benchmark.md`` (one Markdown row: wall
time, time per step, peak memory per rank, iterations per step, unknowns) in it, and prints the
fitted exponents of n_v ∝ t^−α and of n_v ∝ (t/ln(t/t0))^−α.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import resource
import sys
import time
from pathlib import Path

import numpy as np
from mpi4py import MPI

import lkfem as lk


def case(
    L: float,
    h: float,
    t_end: float,
    *,
    lam: float = 1.0,
    seed: int = 1,
    amplitude: float = 0.05,
    dt: float = 0.05,
    dt_max: float | None = None,
    fixed: bool = False,
    every: int = 1_000_000,
    petsc: dict[str, str] | None = None,
    modes: int = 64,
    correlation_length: float | None = None,
    initial: str = "random",
    diagnostics_every: int = 1,
) -> lk.Case:
    """The shipped 2D coarsening case in an L × L square of mesh size h (m), to ``t_end`` (s):
    adaptive Δt up to ``dt_max`` (default max(0.5, t_end/100)), or ``fixed`` Δt = ``dt``;
    ``petsc``: the Newton solver's PETSc options (``[solver] petsc``; direct LU by default);
    ``modes``, ``correlation_length``: the random initial q's (default 2h); ``initial``:
    random (``modes`` Fourier modes) or noise (smoothed white noise, O(points));
    ``diagnostics_every``: vortices and structure factor every this many steps."""
    changes = {
        "mesh.parameters.Lx": L,
        "mesh.parameters.Ly": L,
        "mesh.parameters.h": h,
        "materials.plate.lambda": lam,
        "domains.initial.seed": seed,
        "domains.initial.amplitude": amplitude,
        "domains.initial.correlation_length": correlation_length or 2 * h,
        "domains.initial.modes": modes,
        "domains.initial.kind": initial,
        "domains.diagnostics_every": diagnostics_every,
        "time.t_end": t_end,
        "time.dt": dt,
        "time.adaptive": not fixed,
        "time.dt_max": None if fixed else (dt_max or max(0.5, t_end / 100)),
        "time.milestones": None,
        "output": {"every": every, "png": False, "formats": ["xdmf"]},
        "solver.petsc": dict(petsc or {}),
    }
    return lk.load_case(lk.shipped_case("domains_coarsening_2d"), changes=changes)


def read_series(out: Path) -> dict[str, np.ndarray]:
    """The columns of a results folder's timeseries.csv as arrays."""
    with open(out / "timeseries.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def read_density(out: Path) -> tuple[np.ndarray, np.ndarray]:
    """t (s) and the vortex density n_v (vortices + antivortices per m²) of a results folder."""
    s = read_series(out)
    return s["t_s"], s["vortex_density_1_m2"]


def fit(t: np.ndarray, n: np.ndarray, t_from: float, t0: float = 1.0) -> dict[str, float]:
    """The exponent α of n ∝ t^−α and of n ∝ (t/ln(t/t0))^−α for t ≥ t_from (n > 0)."""
    keep = (t >= t_from) & (n > 0)
    slope = np.polyfit(np.log(t[keep]), np.log(n[keep]), 1)[0]
    late = keep & (t > 1.5 * t0)  # where ln(t/t0) is positive and not tiny
    scaled = t[late] / np.log(t[late] / t0)
    slope_log = np.polyfit(np.log(scaled), np.log(n[late]), 1)[0] if late.sum() > 2 else np.nan
    return {
        "alpha": -float(slope),
        "alpha_log_corrected": -float(slope_log),
        "t_from": t_from,
        "t_to": float(t[keep][-1]),
        "points": int(keep.sum()),
    }


def cost(out: Path, wall: float, comm: MPI.Comm) -> dict:
    """What the run cost: wall time, time per step (of the time loop, from run.log), peak
    resident memory of each rank (MB), Newton and Krylov iterations per step, unknowns. From
    the time series and run.log, so that a run stopped at ``--max-wall`` counts too."""
    peak = comm.gather(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    if comm.rank != 0:
        return {}
    s = read_series(out)
    newton, krylov = s["newton_iterations"][1:], s["krylov_iterations"][1:]
    log = (out / "run.log").read_text()
    unknowns = int(re.findall(r"(\d+) unknowns", log)[0])
    stamps = re.findall(r"^(\S+ \S+) INFO .* step (\d+): t =", log, flags=re.M)
    steps = len(newton)
    loop = wall
    if len(stamps) > 1:  # the time loop: from the first step's line to the last one's
        first, last = (time.mktime(time.strptime(x[0][:19], "%Y-%m-%d %H:%M:%S")) for x in
                       (stamps[0], stamps[-1]))  # fmt: skip
        loop = (last - first) / (int(stamps[-1][1]) - int(stamps[0][1]))
    return {
        "ranks": comm.size,
        "unknowns": unknowns,
        "steps": steps,
        "t_final_s": float(s["t_s"][-1]),
        "wall_s": wall,
        "s_per_step": loop,
        "peak_rss_MB_per_rank": peak,
        "newton_per_step": float(newton.mean()),
        "newton_max": int(newton.max()),
        "krylov_per_step": float(krylov.mean()),
    }


def markdown(row: dict, command: str) -> str:
    """A header and one row of the docs/performance.md table."""
    mem = " / ".join(f"{m:.0f}" for m in row["peak_rss_MB_per_rank"])
    return (
        "| unknowns | ranks | steps | t (s) | wall (s) | s/step | peak MB/rank | Newton/step "
        "| Krylov/step | command |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        f"| {row['unknowns']} | {row['ranks']} | {row['steps']} | {row['t_final_s']:.4g} | "
        f"{row['wall_s']:.0f} | {row['s_per_step']:.3f} | {mem} | {row['newton_per_step']:.2f} "
        f"(max {row['newton_max']}) | {row['krylov_per_step']:.2f} | `{command}` |\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--L", type=float, default=64.0, help="side of the square (m)")
    parser.add_argument("--h", type=float, default=0.5, help="mesh size (m)")
    parser.add_argument("--lam", type=float, default=1.0, help="λ; the core size is ξ = √λ (m)")
    parser.add_argument("--t-end", type=float, default=300.0, help="end time (s)")
    parser.add_argument("--t-from", type=float, default=10.0, help="fit from this time (s)")
    parser.add_argument("--dt-max", type=float, help="largest adaptive Δt (s)")
    parser.add_argument("--dt", type=float, default=0.05, help="first (or fixed) Δt (s)")
    parser.add_argument(
        "--steps", type=int, help="fixed Δt = --dt for this many steps (t_end = steps·dt)"
    )
    parser.add_argument(
        "--max-wall", type=float, help="stop the time loop after this many minutes (resumable)"
    )
    parser.add_argument("--every", type=int, default=1_000_000, help="fields every N steps")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--modes", type=int, default=64, help="Fourier modes of the random q")
    parser.add_argument("--corr", type=float, help="its correlation length (m); default 2h")
    parser.add_argument(
        "--initial",
        choices=("random", "noise"),
        default="random",
        help="random: --modes Fourier modes; noise: white noise smoothed over --corr",
    )
    parser.add_argument(
        "--diagnostics-every",
        type=int,
        default=1,
        help="vortices and structure factor every N steps (NaN between)",
    )
    parser.add_argument(
        "--petsc",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="PETSc options of the Newton solver, e.g. ksp_type=cg pc_type=hypre",
    )
    parser.add_argument(
        "--amplitude",
        type=float,
        default=0.05,
        help="rms of the random initial q (q0 = 1); a small one coarsens in the linear phase",
    )
    parser.add_argument("--out", type=Path, default=Path("results/coarsening"))
    args = parser.parse_args()
    comm = MPI.COMM_WORLD
    fixed = args.steps is not None
    t_end = args.steps * args.dt if fixed else args.t_end
    c = case(
        args.L,
        args.h,
        t_end,
        lam=args.lam,
        seed=args.seed,
        amplitude=args.amplitude,
        dt=args.dt,
        dt_max=args.dt_max,
        fixed=fixed,
        every=args.every,
        petsc=dict(o.split("=", 1) for o in args.petsc),
        modes=args.modes,
        correlation_length=args.corr,
        initial=args.initial,
        diagnostics_every=args.diagnostics_every,
    )
    comm.barrier()
    start = time.perf_counter()
    out = args.out
    try:
        lk.run_case(c, out, comm, max_wall_minutes=args.max_wall)
    except lk.LkfemError as exc:  # stopped at --max-wall: the partial folder has the steps
        if args.max_wall is None or "wall-time limit" not in str(exc):
            raise
        out = out.with_name(f".{out.name}.partial")
    wall = comm.allreduce(time.perf_counter() - start, op=MPI.MAX)
    row = cost(out, wall, comm)
    if comm.rank != 0:
        return
    t, n = read_density(out)
    result = fit(t, n, args.t_from) if (t >= args.t_from).sum() > 2 else {}
    command = f"mpirun -n {comm.size} python3 benchmarks/coarsening.py " + " ".join(sys.argv[1:])
    report = {"command": command, "cost": row, "fit": result}
    (out / "benchmark.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "benchmark.md").write_text(markdown(row, command))
    print(markdown(row, command))
    if result:
        decades = math.log10(result["t_to"] / result["t_from"])
        print(
            f"n_v ∝ t^-α: α = {result['alpha']:.3f}; n_v ∝ (t/ln t)^-α: "
            f"α = {result['alpha_log_corrected']:.3f} over t = {result['t_from']:.3g}.."
            f"{result['t_to']:.3g} s ({decades:.2f} decades, {result['points']} steps); "
            f"n_v from {n[t >= args.t_from][0]:.4g} to {n[-1]:.4g} 1/m²"
        )


if __name__ == "__main__":
    main()
