"""Running a case: mesh → the physics from the registry → the observer → the results folder.

Nothing here knows a physics: the case names one (:mod:`lkfem.physics.registry`), its model
solves steadily or steps through the shared loop (:func:`lkfem.stepping.march`) watched by the
:class:`~lkfem.output.observer.Observer`, and the studies the case asks for run after it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import dolfinx
from dolfinx import fem
from mpi4py import MPI

from lkfem._version import __version__
from lkfem.case.spec import Case
from lkfem.core.domain import Domain
from lkfem.core.names import check_names
from lkfem.errors import LkfemError
from lkfem.log import RunLog, logger
from lkfem.mesh.load import load_domain
from lkfem.output.fields import FieldWriter
from lkfem.output.observer import Observer
from lkfem.output.paraview import write_paraview_script
from lkfem.output.probes import probe
from lkfem.output.results import ResultsDir, write_json
from lkfem.output.series import TimeSeries
from lkfem.physics import registry
from lkfem.physics.base import Model
from lkfem.plot.render import render_run
from lkfem.stepping import march
from lkfem.studies.registry import STUDIES

__all__ = ["run_case", "load_domain"]


def run_case(case: Case, out: str | os.PathLike, comm: MPI.Comm = MPI.COMM_WORLD) -> dict[str, Any]:
    """Solve ``case`` and write ``summary.json``, the fields (XDMF), a time series (CSV, for
    transients) and a PNG into ``out``.

    The folder appears only when everything is written; on an error nothing is left behind and
    an existing folder of that name is kept as it was.

    Returns:
        The summary written to ``summary.json``.
    """
    with RunLog() as runlog:
        summary = _run(case, out, comm, runlog)
    logger.info(f"results in {Path(out).resolve()} ({', '.join(summary['files'])})")
    return summary


def _run(case: Case, out: str | os.PathLike, comm: MPI.Comm, runlog: RunLog) -> dict[str, Any]:
    start = time.perf_counter()
    logger.info(f"case {case.source}: {case.title} on {comm.size} rank(s)")
    domain = load_domain(case, comm)
    logger.info(
        f"mesh: {domain.num_cells()} cells, {domain.num_vertices()} vertices, regions "
        f"{sorted(domain.regions)}, boundaries {sorted(domain.boundaries)} "
        f"({time.perf_counter() - start:.1f} s)"
    )
    physics = registry.get(case.physics)
    physics.check(case, domain)
    check_names(
        domain,
        case.materials,
        case.boundaries,
        case.source,
        inactive=physics.inactive_regions(case),
    )
    for name, study in STUDIES.items():
        if name in case.sections:
            study.check(case, domain)
    if case.probes:  # a probe outside the mesh is an input error: find out before solving
        V = fem.functionspace(domain.mesh, ("Lagrange", 1))
        probe(domain, [fem.Function(V)], case.probes, case.source)

    with ResultsDir(out, comm) as tmp:
        runlog.open(tmp / "run.log")
        t0 = time.perf_counter()
        model = physics.build(case, domain)
        try:
            logger.info(f"{model.label}: {model.describe()}")
            files = ["summary.json", *_solve(case, domain, model, tmp)]
            logger.info(f"{model.label}: solved ({time.perf_counter() - t0:.1f} s)")
            T, q = model.outputs.T, model.outputs.q
            entries = model.summary()
            regions = _regions(domain, model, comm)
        finally:
            model.destroy()  # before the studies' solves: one factorisation at a time
        studies = {
            name: study.run(case, domain, physics, T)
            for name, study in STUDIES.items()
            if name in case.sections
        }
        summary = _summary(case, domain, {**entries, **studies}, regions, comm)
        summary["probes"] = probe(domain, [T, q], case.probes, case.source)
        if case.png:
            try:
                render_run(tmp / "T.png", tmp, T, case.title)
                files.append("T.png")
            except LkfemError as exc:
                logger.warning(str(exc))
        summary["files"] = files + ["run.log"]
        summary["timings_s"] = {
            "solve": time.perf_counter() - t0,
            "total": time.perf_counter() - start,
        }
        write_json(tmp / "summary.json", summary, comm)
        runlog.close()
    return summary


def _solve(case: Case, domain: Domain, model: Model, out: Path) -> list[str]:
    """The steady solve or the time loop, with the observer writing into ``out``; the files
    written besides summary.json."""
    settings = case.time
    if settings is None:
        logger.info(model.solve_steady())
        fields = FieldWriter(_xdmf(case, out), domain, model.outputs, case.formats)
        observer = Observer(model, fields)
        try:
            observer.steady()
        except BaseException:
            observer.close()
            raise
    else:
        stepper = model.stepper(settings)
        series = TimeSeries(out / "timeseries.csv" if case.csv else None, domain.comm)
        fields = FieldWriter(_xdmf(case, out), domain, model.outputs, case.formats)
        observer = Observer(model, fields, series, settings, every=case.output_every)
        try:
            observer.start(stepper.time())
            steps = march(stepper, settings, observer)
        except BaseException:
            observer.close()
            raise
        t_final = steps[-1].t if steps else stepper.time()
        logger.info(f"transient solve: {len(steps)} steps to t = {t_final:.6g} s")
    extra = observer.finish(out)
    files = fields.files + write_paraview_script(out, fields.files, domain.comm)
    if settings is not None and case.csv:
        files.append("timeseries.csv")
    return files + extra


def _xdmf(case: Case, out: Path) -> Path | None:
    return out / "fields.xdmf" if case.formats else None


def _regions(domain: Domain, model: Model, comm: MPI.Comm) -> dict[str, Any]:
    """Volume and mean T of every region (the model's own mean where it has one)."""
    T = model.outputs.T
    regions = {}
    for name, tag in domain.regions.items():
        volume = comm.allreduce(fem.assemble_scalar(fem.form(1.0 * domain.dx(tag))), op=MPI.SUM)
        own = model.mean_temperature(name)
        if own is None:
            integral = fem.assemble_scalar(fem.form(T * domain.dx(tag)))
            own = comm.allreduce(integral, op=MPI.SUM) / volume
        regions[name] = {"volume_m3": volume, "mean_T_K": own}
    return regions


def _summary(
    case: Case, domain: Domain, entries: dict[str, Any], regions: dict[str, Any], comm: MPI.Comm
) -> dict[str, Any]:
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
        **entries,
        "regions": regions,
    }
