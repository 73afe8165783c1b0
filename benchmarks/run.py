"""lkfem's solver benchmark: one command, a JSON file and a Markdown table.

    python3 benchmarks/run.py --size quick --out results/bench   # a few minutes, 1 and 2 ranks
    python3 benchmarks/run.py --size full --out results/bench    # ≥ 500 k unknowns on 1 and 2
    python3 benchmarks/run.py --size quick --ranks 1             # without the 2-rank part
    mpirun -n 2 python3 benchmarks/run.py --size quick --gk 34 --ranks 1 --out big  # ≥ 1 M
    python3 benchmarks/run.py --markdown results/bench/benchmark.json    # the tables again
    python3 benchmarks/run.py --part fourier --fourier 65        # only lkfem against hand-written
    python3 benchmarks/run.py --part robustness --size full      # only the robustness matrix
    python3 benchmarks/run.py --markdown results/bench/benchmark.json --readme README.md \
        --runs docs/data/domains_2d_512/benchmark.json docs/data/domains_3d_1M/benchmark.json

Parts (see docs/performance.md for what the figures mean):

- ``steady_gk``: the steady 3D Guyer–Krumhansl problem (Taylor–Hood, block-preconditioned
  FGMRES; benchmarks/bench_cases.py) on refined unit cubes: unknowns, time in mesh, set-up,
  assembly, PC set-up and Krylov solve, Newton and Krylov iterations, bytes per unknown, and the
  time per unknown against P1 Poisson + CG/BoomerAMG on the same mesh.
- ``fourier``: :func:`lkfem.solve_steady_fourier` against a hand-written dolfinx P1 solver.
- ``transient``: backward-Euler steps of a linear Cattaneo problem (direct solver): Jacobian
  assemblies and factorisations per step.
- ``robustness``: Krylov iterations of the iterative solver over conductivity contrast, ℓ and
  Γ/Δt, steady and one transient step, Taylor–Hood and primal, on two regions of the unit
  square and on a 3D spherical cloak, each on two (tiny) or three meshes: the largest growth
  from one mesh to the next and the trend per refinement (benchmarks/bench_robust.py).
- ``domains``: steps of the thermal-domain relax variant in 2D (a coarsening square) and 3D (a
  box): unknowns, time per step, peak memory per rank, Newton and Krylov iterations
  (benchmarks/bench_domains.py); ``--runs`` adds recorded large runs to its table.
- ``parallel``: the steady GK and the Fourier problem at one larger size on 1 rank (in this
  process) and on ``--ranks`` ranks (this script again under ``mpirun -n R --part parallel``,
  launched by this script; benchmarks/bench_scaling.py): parallel efficiency t₁ / (R t_R).
  Run by hand, the two halves are
      python3 benchmarks/run.py --part parallel --size full --ranks 1 --out DIR/ranks-1
      mpirun -n 2 python3 benchmarks/run.py --part parallel --size full --out DIR/ranks-2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from mpi4py import MPI

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cases as cases  # noqa: E402  (next to this script)
import bench_domains as domains  # noqa: E402
import bench_report as report  # noqa: E402
import bench_robust as robust  # noqa: E402
import bench_scaling as scaling  # noqa: E402

SIZES = {
    # 3D steady GK cube divisions; Fourier cube; transient steps; robustness 2D mesh and values
    "tiny": {
        "gk": [2, 3],
        "fourier": 8,
        "parallel": {"gk": 3, "fourier": 8, "repeat": 1},
        "steps": 3,
        "transient_n": 4,
        "robust_n": 4,
        "levels": 2,
        "contrast": [1e-4, 1e4],
        "ell": [1.0],
        "ratio": [1e3],
        "cloak": False,
    },
    "quick": {
        "gk": [6, 8, 12, 16],
        "fourier": 40,
        "parallel": {"gk": 16, "fourier": 60, "repeat": 1},  # 113 k and 227 k unknowns
        "steps": 10,
        "transient_n": 48,
        "robust_n": 16,
        "levels": 3,
        "contrast": [1e-4, 1.0, 1e4],
        "ell": [0.0, 0.05, 1.0],
        "ratio": [1e-3, 1.0, 1e3],
        "cloak": True,
    },
    "full": {
        "gk": [8, 12, 16, 20, 24],
        "fourier": 64,
        "parallel": {"gk": 27, "fourier": 100, "repeat": 2},  # 521 k and 1.03 M unknowns
        "steps": 20,
        "transient_n": 128,
        "robust_n": 32,
        "levels": 3,
        "contrast": [1e-4, 1e-2, 1.0, 1e2, 1e4],
        "ell": [0.0, 0.01, 0.05, 0.2, 1.0],
        "ratio": [1e-3, 1e-1, 1.0, 1e1, 1e3],
        "cloak": True,
    },
}


def _processor() -> str:
    """The CPU's model name (Linux), for the record."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def run(size: str, comm: MPI.Comm, gk: list[int] | None = None) -> dict:
    """All parts at ``size`` (``gk``: other cube divisions for the steady GK part); the same
    dictionary on every rank."""
    s = dict(SIZES[size], **({"gk": gk} if gk else {}))
    cases.start_logging()
    cases.warm_up(comm)  # JIT compilation of every form, outside the timings
    result = {
        "size": size,
        "ranks": comm.size,
        "python": platform.python_version(),
        "dolfinx": cases.dolfinx_version(),
        "machine": {"cpus": os.cpu_count(), "processor": _processor()},
        "steady_gk": [cases.steady_gk(n, comm) for n in s["gk"]],
        "fourier": cases.fourier_against_hand_written(s["fourier"], comm),
        "transient": cases.transient_steps(s["transient_n"], s["steps"], comm),
        "robustness": robust.robustness(s, comm),
        "domains": domains.runs(size, comm),
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="quick")
    parser.add_argument("--out", default="results/benchmark", help="folder for the JSON and .md")
    parser.add_argument(
        "--markdown", metavar="JSON", help="only print the Markdown tables of a JSON file"
    )
    parser.add_argument(
        "--readme",
        metavar="FILE",
        help="with --markdown: put the tables into FILE between its benchmark markers",
    )
    parser.add_argument(
        "--runs",
        nargs="+",
        default=[],
        metavar="JSON",
        help="with --markdown: recorded thermal-domain runs (benchmark.json of "
        "benchmarks/coarsening.py or domains_3d.py) for the domains table",
    )
    parser.add_argument("--gk", type=int, nargs="+", help="cube divisions of the steady GK part")
    parser.add_argument(
        "--fourier", type=int, help="with --part fourier: cube divisions (default: the size's)"
    )
    parser.add_argument(
        "--ranks",
        type=int,
        default=2,
        help="ranks of the parallel part, launched with mpirun (1: leave that part out)",
    )
    parser.add_argument(
        "--part",
        choices=("all", "parallel", "fourier", "robustness"),
        default="all",
        help="parallel: only the parallel part (parallel.json; on 1 rank with --ranks R > 1 it "
        "also launches the R-rank half and reports the efficiency); fourier: only the Fourier "
        "path against the hand-written solver (fourier.json); robustness: only the "
        "robustness matrix (robustness.json)",
    )
    args = parser.parse_args(argv)
    comm = MPI.COMM_WORLD
    if args.part == "fourier":
        cases.start_logging()
        cases.fourier_against_hand_written(2, comm, repeat=1)  # JIT compilation, untimed
        n = args.fourier or SIZES[args.size]["fourier"]
        part = {"size": args.size, "ranks": comm.size, "dolfinx": cases.dolfinx_version()}
        part["fourier"] = cases.fourier_against_hand_written(n, comm)
        if comm.rank == 0:
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            (out / "fourier.json").write_text(json.dumps(part, indent=2) + "\n")
            print(report.fourier_table(part))
        return 0
    if args.part == "robustness":
        part = {"size": args.size, "ranks": comm.size, "dolfinx": cases.dolfinx_version()}
        part["robustness"] = robust.robustness(SIZES[args.size], comm)
        if comm.rank == 0:
            out = Path(args.out)
            out.mkdir(parents=True, exist_ok=True)
            (out / "robustness.json").write_text(json.dumps(part, indent=2) + "\n")
            print(report.robustness_table(part) + "\n\n" + report.robustness_summary(part))
        return 0
    if args.part == "parallel":
        p = SIZES[args.size]["parallel"]
        cases.start_logging()
        cases.warm_up(comm)
        part = one = scaling.parallel_cases(p["gk"], p["fourier"], p["repeat"], comm)
        out = Path(args.out)
        if comm.size == 1 and args.ranks > 1:  # and the same on R ranks: the efficiency
            many = scaling.launch(args.ranks, args.size, out / f"ranks-{args.ranks}", [])
            part = {"size": args.size, "ranks": 1, "dolfinx": cases.dolfinx_version()}
            part["parallel"] = scaling.efficiency(one, many)
        if comm.rank == 0:
            out.mkdir(parents=True, exist_ok=True)
            (out / "parallel.json").write_text(json.dumps(part, indent=2) + "\n")
            if "parallel" in part:
                print(report.markdown(part))
        return 0
    if args.markdown:
        if comm.rank == 0:
            result = json.loads(Path(args.markdown).read_text())
            result["domains"] = result.get("domains", []) + [
                domains.recorded(json.loads(Path(p).read_text()), Path(p).parent.name)
                for p in args.runs
            ]
            if args.readme:
                readme = Path(args.readme)
                readme.write_text(report.into_readme(readme.read_text(), result))
            else:
                print(report.markdown(result))
        return 0
    start = time.perf_counter()
    result = run(args.size, comm, args.gk)
    if args.ranks > 1 and comm.size == 1:
        p = SIZES[args.size]["parallel"]
        one = scaling.parallel_cases(p["gk"], p["fourier"], p["repeat"], comm)
        out = Path(args.out) / f"ranks-{args.ranks}"
        many = scaling.launch(args.ranks, args.size, out, [])
        result["parallel"] = scaling.efficiency(one, many)
    result["total_s"] = time.perf_counter() - start
    if comm.rank == 0:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "benchmark.json").write_text(json.dumps(result, indent=2) + "\n")
        table = report.markdown(result)
        (out / "benchmark.md").write_text(table + "\n")
        print(table)
        print(f"\nwritten: {out / 'benchmark.json'}, {out / 'benchmark.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
