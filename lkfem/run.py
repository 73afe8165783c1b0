"""Running a case: mesh, solve, and results written to a folder as a whole."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import dolfinx
from mpi4py import MPI

from . import __version__, generators
from .case import Case
from .domain import Domain, read_msh
from .errors import LkfemError
from .fourier import SteadyFourierResult, solve_steady_fourier
from .output import ResultsDir, log, write_fields, write_json
from .probes import probe
from .render import render_png

__all__ = ["run_case", "load_domain"]


def load_domain(case: Case, comm: MPI.Comm) -> Domain:
    """The case's mesh, from its generator or its file."""
    if case.mesh.file is not None:
        return read_msh(case.mesh.file, comm)
    assert case.mesh.generator is not None
    return generators.build(case.mesh.generator, case.mesh.parameters, comm)


def run_case(case: Case, out: str | os.PathLike, comm: MPI.Comm = MPI.COMM_WORLD) -> dict[str, Any]:
    """Solve ``case`` and write ``summary.json``, the fields (XDMF) and a PNG into ``out``.

    The folder appears only when everything is written; on an error nothing is left behind.

    Returns:
        The summary written to ``summary.json``.
    """
    start = time.perf_counter()
    log(comm, f"case {case.source}: {case.title} on {comm.size} rank(s)")
    domain = load_domain(case, comm)
    log(
        comm,
        f"mesh: {domain.num_cells()} cells, {domain.num_vertices()} vertices, regions "
        f"{sorted(domain.regions)}, boundaries {sorted(domain.boundaries)} "
        f"({time.perf_counter() - start:.1f} s)",
    )
    t0 = time.perf_counter()
    result = solve_steady_fourier(
        domain,
        case.materials,
        case.boundaries,
        source=case.heat_source,
        degree=case.degree,
        solver_options=case.petsc_options,
        origin=case.source,
    )
    solve_time = time.perf_counter() - t0
    dofs = result.T.function_space.dofmap.index_map.size_global
    log(comm, f"steady Fourier solve: {dofs} unknowns, {result.solve.iterations} Krylov iterations "
              f"({solve_time:.1f} s)")
    probes = probe(domain, [result.T, result.q], case.probes, case.source)
    summary = _summary(case, domain, result, probes, comm)

    with ResultsDir(out, comm) as tmp:
        files = ["summary.json"]
        if case.xdmf:
            write_fields(tmp / "fields.xdmf", domain, [result.T, result.q, result.k])
            files += ["fields.xdmf", "fields.h5"]
        if case.png:
            try:
                render_png(tmp / "T.png", result.T, case.title)
                files.append("T.png")
            except LkfemError as exc:
                log(comm, f"warning: {exc}")
        summary["files"] = files
        summary["timings_s"] = {"solve": solve_time, "total": time.perf_counter() - start}
        write_json(tmp / "summary.json", summary, comm)
    log(comm, f"results in {Path(out).resolve()} ({', '.join(files)})")
    return summary


def _summary(
    case: Case,
    domain: Domain,
    result: SteadyFourierResult,
    probes: dict[str, Any],
    comm: MPI.Comm,
) -> dict[str, Any]:
    from dolfinx import fem

    regions = {}
    for name, tag in domain.regions.items():
        volume = comm.allreduce(fem.assemble_scalar(fem.form(1.0 * domain.dx(tag))), op=MPI.SUM)
        integral = comm.allreduce(fem.assemble_scalar(fem.form(result.T * domain.dx(tag))), op=MPI.SUM)
        regions[name] = {"volume_m3": volume, "mean_T_K": integral / volume}
    return {
        "lkfem_version": __version__,
        "dolfinx_version": dolfinx.__version__,
        "mpi_ranks": comm.size,
        "case": case.source,
        "title": case.title,
        "model": case.model,
        "mesh": {
            "cells": domain.num_cells(),
            "vertices": domain.num_vertices(),
            "unknowns": result.T.function_space.dofmap.index_map.size_global,
            "regions": sorted(domain.regions),
            "boundaries": sorted(domain.boundaries),
        },
        "solver": {
            "iterations": result.solve.iterations,
            "converged_reason": result.solve.reason,
            "residual_norm": result.solve.residual_norm,
        },
        "heat_flow_W": result.heat_flow,
        "source_power_W": result.source_power,
        "energy_balance_error_W": result.balance_error,
        "regions": regions,
        "probes": probes,
    }
