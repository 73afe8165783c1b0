"""Running a case: mesh, solve, and results written to a folder as a whole."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import dolfinx
from dolfinx import fem
from mpi4py import MPI

from . import __version__, generators
from .case import Case
from .cloak import VARIANTS, cloak_metrics
from .domain import Domain
from .errors import LkfemError, MeshError
from .fourier import SteadyFourierResult, check_names, solve_steady_fourier
from .mesh_import import read_mesh
from .output import ResultsDir, log, write_fields, write_json
from .probes import probe
from .render import render_png

__all__ = ["run_case", "load_domain"]


def load_domain(case: Case, comm: MPI.Comm) -> Domain:
    """The case's mesh, from its generator or its file (a bad file names the case too)."""
    if case.mesh.file is not None:
        try:
            return read_mesh(case.mesh.file, comm)
        except MeshError as exc:
            raise MeshError(f"{case.source}: [mesh.file]: {exc}") from None
    assert case.mesh.generator is not None
    return generators.build(case.mesh.generator, case.mesh.parameters, comm)


def run_case(case: Case, out: str | os.PathLike, comm: MPI.Comm = MPI.COMM_WORLD) -> dict[str, Any]:
    """Solve ``case`` and write ``summary.json``, the fields (XDMF), a time series (CSV, for
    transients) and a PNG into ``out``.

    The folder appears only when everything is written; on an error nothing is left behind and
    an existing folder of that name is kept as it was.

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
    rods: tuple[str, ...] = ()
    if case.superconductor is not None:
        from .sc_run import check_superconductor

        check_superconductor(case, domain)
        rods = tuple(case.superconductor.rods)
    check_names(domain, case.materials, case.boundaries, case.source, inactive=rods)
    if case.probes:  # a probe outside the mesh is an input error: find out before solving
        V = fem.functionspace(domain.mesh, ("Lagrange", 1))
        probe(domain, [fem.Function(V)], case.probes, case.source)

    with ResultsDir(out, comm) as tmp:
        files = ["summary.json"]
        t0 = time.perf_counter()
        if case.model == "fourier":
            result = _fourier(case, domain, case.materials)
            log(
                comm,
                f"steady Fourier solve: {result.T.function_space.dofmap.index_map.size_global}"
                f" unknowns, {result.solve.iterations} Krylov iterations "
                f"({time.perf_counter() - t0:.1f} s)",
            )
            T, q = result.T, result.q
            physics: dict[str, Any] = {
                "unknowns": result.T.function_space.dofmap.index_map.size_global,
                "solver": {
                    "iterations": result.solve.iterations,
                    "converged_reason": result.solve.reason,
                    "residual_norm": result.solve.residual_norm,
                },
                "heat_flow_W": result.heat_flow,
                "source_power_W": result.source_power,
                "energy_balance_error_W": result.balance_error,
            }
            if case.xdmf:
                write_fields(tmp / "fields.xdmf", domain, [result.T, result.q, result.k])
        elif case.superconductor is not None:
            from .sc_run import run_superconductor

            physics, fields, extra = run_superconductor(case, domain, tmp, comm)
            T, q = fields.T, fields.q
            files += extra
        else:
            from .lk_run import run_lk

            physics, fields = run_lk(case, domain, tmp, comm)
            T, q = fields.T, fields.q
        if case.cloak is not None:
            physics["cloak"] = _cloak_study(case, domain, T, comm)
        if case.xdmf:
            files += ["fields.xdmf", "fields.h5"]
        if case.model == "lk" and case.time is not None and case.csv:
            files.append("timeseries.csv")
        summary = _summary(case, domain, T, q, physics, comm)
        for region, Ts in physics.get("superconductor", {}).get("rod_T_K", {}).items():
            summary["regions"][region]["mean_T_K"] = Ts  # T_s: the reservoirs' T is 0 there
        if case.png:
            try:
                render_png(tmp / "T.png", T, case.title)
                files.append("T.png")
            except LkfemError as exc:
                log(comm, f"warning: {exc}")
        summary["files"] = files
        summary["timings_s"] = {
            "solve": time.perf_counter() - t0,
            "total": time.perf_counter() - start,
        }
        write_json(tmp / "summary.json", summary, comm)
    log(comm, f"results in {Path(out).resolve()} ({', '.join(files)})")
    return summary


def _cloak_study(case: Case, domain: Domain, T: fem.Function, comm: MPI.Comm) -> dict[str, Any]:
    """Solve the reference (no object) and bare-object variants; the cloak metrics."""
    layout = case.cloak
    assert layout is not None
    layout.check(domain, case.materials, case.source)
    fields = {}
    for variant in VARIANTS:
        t0 = time.perf_counter()
        fields[variant] = _steady_temperature(
            case, domain, layout.materials(case.materials, variant)
        )
        log(comm, f"cloak study: {variant} solve ({time.perf_counter() - t0:.1f} s)")
    metrics = cloak_metrics(domain, layout, T, fields["reference"], fields["bare"])
    g = "undefined" if metrics["g"] is None else f"{metrics['g']:.4g}"
    log(
        comm,
        f"cloak: g = {g}, max |T - T_ref| outside = "
        f"{metrics['max_abs_dT_outside_K']:.4g} K (bare object: "
        f"{metrics['bare_max_abs_dT_outside_K']:.4g} K)",
    )
    return {
        "object": list(layout.object),
        "layers": list(layout.layers),
        "background": layout.background,
        "outside": list(layout.outside),
        **metrics,
    }


def _fourier(case: Case, domain: Domain, materials: Any) -> SteadyFourierResult:
    return solve_steady_fourier(
        domain,
        materials,
        case.boundaries,
        source=case.heat_source,
        degree=case.degree,
        constants=case.constants,
        solver_options={**case.petsc_options},
        origin=case.source,
    )


def _steady_temperature(case: Case, domain: Domain, materials: Any) -> fem.Function:
    """The steady temperature of ``case`` with other materials (a cloak-study variant)."""
    if case.model == "fourier":
        return _fourier(case, domain, materials).T
    from .lk_run import make_problem

    problem = make_problem(case, domain, materials)
    problem.solve_steady()
    _, T = problem.split()
    problem.destroy()
    return T


def _summary(
    case: Case,
    domain: Domain,
    T: fem.Function,
    q: fem.Function,
    physics: dict[str, Any],
    comm: MPI.Comm,
) -> dict[str, Any]:
    regions = {}
    for name, tag in domain.regions.items():
        volume = comm.allreduce(fem.assemble_scalar(fem.form(1.0 * domain.dx(tag))), op=MPI.SUM)
        integral = comm.allreduce(fem.assemble_scalar(fem.form(T * domain.dx(tag))), op=MPI.SUM)
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
            "regions": sorted(domain.regions),
            "boundaries": sorted(domain.boundaries),
        },
        **physics,
        "regions": regions,
        "probes": probe(domain, [T, q], case.probes, case.source),
    }
