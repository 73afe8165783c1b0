"""Running a case: mesh → the physics from the registry → the observer → the results folder.

Nothing here knows a physics: the case names one (:mod:`lkfem.physics.registry`), its model
solves steadily or steps through the shared loop (:func:`lkfem.stepping.march`) watched by the
:class:`~lkfem.output.observer.Observer`, and the studies the case asks for run after it.
"""

from __future__ import annotations

import dataclasses
import math
import os
import shlex
import time
from pathlib import Path
from typing import Any

import dolfinx
from dolfinx import fem
from mpi4py import MPI

from lkfem import progress
from lkfem._version import __version__
from lkfem.case.spec import Case
from lkfem.core.domain import Domain
from lkfem.core.names import check_names
from lkfem.core.units import rename
from lkfem.errors import LkfemError
from lkfem.log import RunLog, logger
from lkfem.mesh.load import attach_periodic, load_domain
from lkfem.output.checkpoint import Checkpoints, latest, read_domain, restore
from lkfem.output.control import RunControl
from lkfem.output.fields import FieldWriter
from lkfem.output.observer import Observer
from lkfem.output.paraview import write_paraview_script
from lkfem.output.probes import Probes
from lkfem.output.results import ResultsDir, partial_folder, write_json
from lkfem.output.series import TimeSeries
from lkfem.physics import registry
from lkfem.physics.base import Model, Physics
from lkfem.plot.render import render_run
from lkfem.studies.registry import STUDIES

__all__ = ["run_case", "prepare", "validate_case", "load_domain"]


def run_case(
    case: Case,
    out: str | os.PathLike,
    comm: MPI.Comm = MPI.COMM_WORLD,
    *,
    restart: bool = False,
    max_wall_minutes: float | None = None,
) -> dict[str, Any]:
    """Solve ``case`` and write ``summary.json``, the fields (XDMF), a time series (CSV, for
    transients) and a PNG into ``out``.

    The folder appears only when everything is written; on an error nothing is left behind
    (but a transient's checkpoints, in ``.NAME.partial``) and an existing folder of that name
    is kept as it was.

    Args:
        restart: continue a stopped or killed transient from its last checkpoint (on any
            number of ranks).
        max_wall_minutes: stop (with a checkpoint) after this much wall time; overrides
            ``[time] max_wall_minutes``.

    Returns:
        The summary written to ``summary.json``.
    """
    if max_wall_minutes is not None and case.time is not None:
        time_settings = dataclasses.replace(case.time, max_wall_minutes=max_wall_minutes)
        case = dataclasses.replace(case, time=time_settings)
    with RunLog() as runlog:
        summary = _run(case, out, comm, runlog, restart)
    logger.info(f"results in {Path(out).resolve()} ({', '.join(summary['files'])})")
    return summary


def prepare(
    case: Case, comm: MPI.Comm = MPI.COMM_WORLD, resume: Path | None = None
) -> tuple[Domain, Physics, Probes]:
    """Every check of a run before anything is solved or written: the mesh built or read
    (from the checkpoint ``resume`` when restarting), the physics' and the studies' checks, the
    names against the mesh, the probes inside it.

    Returns:
        The mesh, the physics that runs the case and the probe points located on the mesh.
    """
    start = time.perf_counter()
    logger.info(f"case {case.source}: {case.title} on {comm.size} rank(s)")
    reading = "meshing" if resume is None else "reading the checkpoint's mesh"
    with progress.activity(reading, comm):
        domain = load_domain(case, comm) if resume is None else read_domain(resume, comm)
    logger.info(
        f"mesh: {domain.num_cells()} cells, {domain.num_vertices()} vertices, regions "
        f"{sorted(domain.regions)}, boundaries {sorted(domain.boundaries)} "
        f"({time.perf_counter() - start:.1f} s)"
    )
    attach_periodic(case, domain)
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
    probes = Probes(domain, case.probes, case.source)  # a point outside: before solving
    return domain, physics, probes


def validate_case(case: Case, comm: MPI.Comm = MPI.COMM_WORLD) -> dict[str, Any]:
    """The checks of a run (:func:`prepare`), then the model built on the mesh and its initial
    state set, so that its own checks run too; nothing is solved or written.

    Returns:
        The size of the problem: cells, vertices, regions, boundaries, unknowns, and what the
        run would do.
    """
    start = time.perf_counter()
    domain, physics, _ = prepare(case, comm)
    model = physics.build(case, domain)
    try:
        if case.time is not None:
            model.stepper(case.time)  # sets (and so checks) the initial state
        logger.info(f"{model.label}: {model.describe()}")
        unknowns = int(model.unknowns)
        later = model.checked_by_the_solve(case.time is None)
    finally:
        model.destroy()
    settings = case.time
    if settings is None:
        solve = "a steady solve"
    else:
        adaptive = "adaptive" if settings.adaptive else "fixed"
        steps = (
            f"about {math.ceil(settings.t_end / settings.dt)} steps"
            if math.isfinite(settings.t_end)
            else "until the max_steps/wall-time limit"
        )
        solve = (
            f"a transient to t_end = {settings.t_end:g} s ({settings.scheme}, {adaptive} "
            f"dt = {settings.dt:g} s, {steps})"
        )
    studies = [name for name in STUDIES if name in case.sections]
    report = {
        "case": case.source,
        "title": case.title,
        "physics": physics.name,
        "model": model.label,
        "cells": domain.num_cells(),
        "vertices": domain.num_vertices(),
        "regions": sorted(domain.regions),
        "boundaries": sorted(domain.boundaries),
        "unknowns": unknowns,
        "solve": solve,
        "probes": sorted(case.probes),
        "studies": studies,
        "checked_by_the_solve": later,
    }
    extra = f", then the {' and '.join(studies)} study" if studies else ""
    later = f"; {later}" if later else ""
    logger.info(
        f"valid: {unknowns} unknowns, {solve}{extra}; nothing solved or written{later} "
        f"({time.perf_counter() - start:.1f} s)"
    )
    return report


def _run(
    case: Case, out: str | os.PathLike, comm: MPI.Comm, runlog: RunLog, restart: bool
) -> dict[str, Any]:
    start = time.perf_counter()
    resume = _checkpoint(case, out, comm) if restart else None
    domain, physics, probes = prepare(case, comm, resume)

    with ResultsDir(out, comm, restart=restart) as tmp:
        runlog.open(tmp / "run.log", append=restart)
        t0 = time.perf_counter()
        model = physics.build(case, domain)
        try:
            logger.info(f"{model.label}: {model.describe()}")
            files = [
                "summary.json",
                *_solve(case, domain, model, tmp, probes, out, resume, start),
            ]
            logger.info(f"{model.label}: solved ({time.perf_counter() - t0:.1f} s)")
            T, q = model.outputs.T, model.outputs.q
            entries = model.summary()
            regions = _regions(domain, model, comm)
        finally:
            model.destroy()  # before the studies' solves: one factorisation at a time
        studies = {
            name: study.run(case, domain, physics, T, tmp)
            for name, study in STUDIES.items()
            if name in case.sections
        }
        files += [f for entry in studies.values() for f in entry.get("files", [])]
        summary = _summary(case, domain, {**entries, **studies}, regions, comm)
        summary["probes"] = probes.summary([T, q])
        if case.png:
            try:
                render_run(tmp / "T.png", tmp, T, case.title, regions=domain.cell_tags)
                files.append("T.png")
            except LkfemError as exc:
                logger.warning(str(exc))
        summary["files"] = files + ["run.log"]
        summary["timings_s"] = {
            "solve": time.perf_counter() - t0,
            "total": time.perf_counter() - start,
        }
        summary = rename(summary, domain.mesh.geometry.dim)  # units per dimension
        write_json(tmp / "summary.json", summary, comm)
        runlog.close()
    return summary


def _checkpoint(case: Case, out: str | os.PathLike, comm: MPI.Comm) -> Path:
    """The checkpoint a restart continues from."""
    if case.time is None:
        raise LkfemError(f"{case.source}: a steady case has no checkpoints to restart from")
    path = latest(partial_folder(out) / "checkpoints", comm)
    if path is None:
        raise LkfemError(f"no checkpoint to restart from in {partial_folder(out)}")
    logger.info(f"restarting from {path}")
    return path


def _solve(
    case: Case,
    domain: Domain,
    model: Model,
    out: Path,
    probes: Probes,
    dest: str | os.PathLike,
    resume: Path | None,
    started: float,
) -> list[str]:
    """The steady solve or the time loop, with the observer writing into ``out`` (checkpoints
    in ``out/checkpoints``; ``resume``: the one to continue from; ``probes`` as columns of the
    time series); the files written besides summary.json."""
    settings = case.time
    if settings is None:
        with progress.activity(f"{model.label}: steady solve", domain.comm):
            line = model.solve_steady()
        logger.info(line)
        fields = FieldWriter(_xdmf(case, out), domain, model.outputs, case.formats)
        observer = Observer(model, fields)
        try:
            observer.steady()
        except BaseException:
            observer.close()
            raise
    else:
        stepper = model.stepper(settings)
        start, saved = None, {}
        if resume is not None:
            start, saved = restore(resume, model, domain.comm)
            logger.info(f"continuing from step {start.step}, t = {start.t:.6g} s")
        rows = saved.get("series_rows") if resume is not None else None
        series = TimeSeries(
            out / "timeseries.csv" if case.csv else None,
            domain.comm,
            keep_rows=rows,
            dim=domain.mesh.geometry.dim,
        )
        restart_at = None if start is None else start.t
        fields = FieldWriter(
            _xdmf(case, out),
            domain,
            model.outputs,
            case.formats,
            restart_at=restart_at,
            saved_xml=saved.get("fields_xml"),
        )
        observer = Observer(model, fields, series, settings, every=case.output_every, probes=probes)
        control = RunControl(
            Checkpoints(out / "checkpoints", domain, keep=case.checkpoints.keep),
            model,
            observer,
            settings,
            every=case.checkpoints.every,
            minutes=case.checkpoints.minutes,
            resume=f"lkfem run {shlex.quote(case.source)} --out {shlex.quote(str(dest))} --restart",
            started=started,
        )
        try:
            if start is None:
                observer.start(stepper.time())
            else:
                observer.resume(start.t, saved.get("fields_written_at"))
            with progress.time_bar(stepper.time(), settings.t_end, domain.comm) as advance:
                observer.hooks.append(lambda step: advance(step.t, step.dt, step.step))
                steps = control.march(stepper, start)
        except BaseException:
            observer.close()
            raise
        t_final = steps[-1].t if steps else stepper.time()
        logger.info(f"transient solve: {len(steps)} steps to t = {t_final:.6g} s")
        if control.checkpoints.last is not None:
            c = control.checkpoints
            logger.info(f"checkpoints: {c.seconds:.2f} s, last {c.bytes / 1e6:.2f} MB")
    extra = observer.finish(out)
    files = fields.files + write_paraview_script(out, fields.files, domain.comm)
    if settings is not None:
        files += sorted(p.name for p in out.glob("fields-*.*"))
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
