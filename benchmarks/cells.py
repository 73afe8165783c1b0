"""Krylov iterations of chosen robustness cells and GK cubes under changed solver settings:
the driver behind the one-off tables of docs/performance.md (the λ-part factor, the 3D flux
AMG), so that they can be measured again.

    python3 benchmarks/cells.py [--set JSON] [--cloak JSON] [--square JSON] [--gk N ...]

- ``--set``: module constants of ``lkfem.solvers.block`` to change before the runs, e.g.
  ``'{"LAMBDA_SCALE": {"3": 3}, "KAPPA": 1}'`` (a dict constant is updated key by key, keys
  read as integers where they are digits), and ``"amg"`` for extra BoomerAMG options of the
  3D flux block (``'{"amg": {"pc_hypre_boomeramg_strong_threshold": 0.7}}'``);
- ``--cloak``: cells ``[contrast, ℓ, Γ/(Δt A) or null for steady]`` on the spherical cloak at
  ``--levels`` (bench_robust.CLOAK_SIZES: 0, 1, 2, 3);
- ``--square``: the same cells on the two-region square at n = ``--n`` (several: growth);
- ``--gk``: steady GK cubes (bench_cases.steady_gk) at these divisions.

Each line printed is one cell: its Krylov iterations per mesh (X: not converged), the
unknowns per mesh and the seconds of the solves; Taylor–Hood throughout (``--element primal``
for the primal element).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from mpi4py import MPI

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_cases as cases  # noqa: E402
import bench_robust as robust  # noqa: E402

import lkfem.solvers.block as block  # noqa: E402


def _with_extra(original, extra: dict):
    """``block._amg`` with ``extra`` options added to its cheap (3D flux-block) settings."""

    def amg(cheap: bool = False) -> dict:
        options = original(cheap)
        return {**options, **extra} if cheap else options

    return amg


def apply_settings(settings: dict) -> None:
    """Set the block preconditioner's module constants (and extra 3D flux-AMG options)."""
    for name, value in settings.items():
        if name == "amg":
            block._amg = _with_extra(block._amg, value)
        elif isinstance(getattr(block, name), dict):
            getattr(block, name).update({int(k) if k.isdigit() else k: v for k, v in value.items()})
        else:
            setattr(block, name, value)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="{}", help="block module constants (JSON)")
    parser.add_argument("--cloak", default="[]", help="[[contrast, ell, ratio|null], ...]")
    parser.add_argument("--square", default="[]", help="[[contrast, ell, ratio|null], ...]")
    parser.add_argument("--levels", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--n", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--gk", type=int, nargs="*", default=[])
    parser.add_argument("--element", default="taylor_hood")
    args = parser.parse_args(argv)
    comm = MPI.COMM_WORLD
    apply_settings(json.loads(args.set))
    meshes = {
        "cloak3d": lambda: [robust.cloak_3d(k, comm) for k in args.levels],
        "square": lambda: [cases.two_regions(n, comm) for n in args.n],
    }
    for geometry, cells in (("cloak3d", args.cloak), ("square", args.square)):
        cells = json.loads(cells)
        domains = meshes[geometry]() if cells else []
        for contrast, ell, ratio in cells:
            start = time.perf_counter()
            rows = [robust.solve(d, geometry, args.element, contrast, ell, ratio) for d in domains]
            counts = "/".join(str(r["krylov"]) if r["converged"] else "X" for r in rows)
            unknowns = "/".join(str(r["unknowns"]) for r in rows)
            if comm.rank == 0:
                mode = "steady" if ratio is None else f"Γ/(Δt A) {ratio:g}"
                seconds = time.perf_counter() - start
                print(
                    f"{geometry} {contrast:g} ℓ {ell:g} {mode}: {counts} "
                    f"({unknowns} unknowns, {seconds:.1f} s)"
                )
    for n in args.gk:
        row = cases.steady_gk(n, comm)
        if comm.rank == 0:
            solve = row["time_s"]["total_solve"]
            print(
                f"gk n {n}: {row['unknowns']} unknowns, {row['krylov_iterations']} Krylov, "
                f"{solve:.2f} s, {row['ratio_to_poisson']:.2f}× P1+AMG"
            )


if __name__ == "__main__":
    main()
