"""The ``lkfem`` command.

    lkfem run CASE.toml --out DIR     solve a case; DIR receives summary.json, XDMF, a PNG, run.log
          [--restart] [--max-wall MIN]  continue a stopped run; stop (resumably) after MIN
    lkfem validate CASE.toml          every check of a run and the problem's size; no solve
    lkfem generators                  list the mesh generators and their parameters
    lkfem mesh NAME --PARAM V --out F.msh     write a generator's mesh: F.msh (gmsh), F.xdmf
    lkfem info                        versions of lkfem and its stack, ranks, PETSc packages
    lkfem plot RESULTS --what W       a figure of a results folder (picture, slice, isotherms,
                                      flux, series, animation)

``-q``/``--quiet`` shows warnings and errors only, ``-v``/``--verbose`` a line per time step.

User mistakes end with a one-line message and exit code 2; no traceback. The message is
printed once, and every rank ends, also when only one rank saw the mistake
(:mod:`lkfem.collective`).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from typing import Any

from lkfem._version import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lkfem", description="Landau–Khalatnikov heat-flux multiphysics on FEniCSx."
    )
    parser.add_argument("--version", action="version", version=f"lkfem {__version__}")
    loud = parser.add_mutually_exclusive_group()
    loud.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    loud.add_argument("-v", "--verbose", action="store_true", help="a line per time step")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="solve a case file")
    run.add_argument("case", help="the case file (TOML)")
    run.add_argument("--out", required=True, help="results folder (replaced on success)")
    run.add_argument(
        "--restart", action="store_true", help="continue a stopped run from its last checkpoint"
    )
    run.add_argument(
        "--max-wall", type=float, metavar="MINUTES", help="stop with a checkpoint after this"
    )
    run.add_argument(
        "--max-cells",
        type=int,
        metavar="N",
        help="allow meshes of up to N cells (default: [mesh] max_cells or 3000000)",
    )
    validate = sub.add_parser(
        "validate", help="check a case (and the mesh it builds) without solving or writing"
    )
    validate.add_argument("case", help="the case file (TOML)")
    validate.add_argument(
        "--max-cells", type=int, metavar="N", help="allow meshes of up to N cells"
    )
    sub.add_parser("generators", help="list the mesh generators and their parameters")
    sub.add_parser("info", help="versions of lkfem and its stack, MPI ranks, PETSc packages")
    mesh = sub.add_parser(
        "mesh",
        help="write a generator's mesh: FILE.msh for gmsh and FILE.xdmf + .h5 for ParaView",
        description="lkfem mesh NAME --PARAMETER VALUE ... --out FILE.msh; "
        "`lkfem mesh NAME --help` lists NAME's parameters (see docs/geometries.md).",
    )
    mesh.add_argument("name", help="the generator (`lkfem generators` lists them)")
    mesh.add_argument("--out", help="FILE.msh (also writes FILE.xdmf + FILE.h5) or FILE.xdmf")
    mesh.add_argument("parameters", nargs=argparse.REMAINDER, help="--PARAMETER VALUE ...")
    figure = sub.add_parser("plot", help="a figure of a results folder (serial; no solve)")
    figure.add_argument("results", help="a results folder of `lkfem run`")
    figure.add_argument(
        "--what",
        default="picture",
        choices=("picture", "slice", "isotherms", "flux", "series", "animation"),
        help="T cut open (picture), a mid-plane slice with q arrows, isotherms, q streamlines, "
        "timeseries.csv against t, a GIF of a transient",
    )
    figure.add_argument("--out", help="the file (default: RESULTS/<what>.png or .gif)")
    figure.add_argument("--field", default="T", help="the field of slice/isotherms/animation")
    figure.add_argument("--normal", default="z", choices=("x", "y", "z"), help="slice normal")
    figure.add_argument("--step", type=int, default=-1, help="the step (default: the last)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lkfem`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    # Heavy imports (dolfinx, PETSc, MPI) only once the arguments are known to be well formed.
    import logging

    from mpi4py import MPI

    from lkfem.collective import agree, finish, watch_launcher
    from lkfem.errors import LkfemError
    from lkfem.log import set_log_level

    set_log_level(
        logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    )
    comm = MPI.COMM_WORLD
    watch_launcher(comm)
    error: LkfemError | None = None
    try:
        if args.command == "run":
            from lkfem.case.load import load_case
            from lkfem.run import run_case

            case = agree(comm, lambda: _with_limit(load_case(args.case), args.max_cells))
            run_case(
                case,
                args.out,
                comm,
                restart=args.restart,
                max_wall_minutes=args.max_wall,
            )
        elif args.command == "validate":
            from lkfem.case.load import load_case
            from lkfem.run import validate_case

            case = agree(comm, lambda: _with_limit(load_case(args.case), args.max_cells))
            validate_case(case, comm)
        elif args.command == "generators":
            from lkfem.mesh import generators

            if comm.rank == 0:
                for name in generators.available():
                    print(generators.describe(name))
        elif args.command == "info":
            from lkfem.info import report

            text = report(comm)
            if comm.rank == 0:
                print(text)
        elif args.command == "mesh":
            from lkfem.mesh.files import mesh_command

            mesh_command(args.name, args.parameters, args.out, comm)
        elif args.command == "plot":
            from lkfem.plot.command import plot_command

            if comm.rank == 0:
                plot_command(
                    args.results,
                    args.what,
                    args.out,
                    field=args.field,
                    normal=args.normal,
                    step=args.step,
                )
    except LkfemError as exc:
        error = exc  # printed once by finish(); a rank that fails alone aborts the job
    except Exception:
        # A bug, possibly on one rank only: show it and stop every rank rather than hang.
        if comm.size > 1:
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
            comm.Abort(1)
        raise
    return finish(comm, error)


def _with_limit(case: Any, max_cells: int | None) -> Any:
    """``case`` with ``--max-cells`` (if given) as its mesh's cell limit."""
    if max_cells is None:
        return case
    if max_cells < 1:
        from lkfem.errors import LkfemError

        raise LkfemError(f"--max-cells must be a positive number of cells, got {max_cells}")
    return dataclasses.replace(case, mesh=dataclasses.replace(case.mesh, max_cells=max_cells))


if __name__ == "__main__":
    sys.exit(main())
