"""Progress on rank 0 in a terminal, drawn by ``rich``: a spinner with the elapsed time for
meshing and steady solves (with Newton and Krylov iterations as they happen, fed by the
solvers' PETSc monitors through :func:`iterations`), and a bar for time stepping (t, Δt, ETA
to t_end).

Nothing is drawn when standard output is not a terminal, on other ranks, when the run's
communicator has more than one rank (Open MPI gives each rank a pseudo-terminal, so a run
redirected to a file would get the control codes; ``LKFEM_PROGRESS=1`` asks for the display
anyway, ``LKFEM_PROGRESS=0`` turns it off everywhere), when PETSc prints its own output (an
option with ``monitor`` or ``view`` in its name), or when the ``lkfem`` logger's terminal
level is above INFO (``lkfem -q``); then every call here is a no-op and the progress lines of
the log (kept in ``run.log`` too) are all there is. While a display is up, log messages print
above it (rich redirects standard output, which the logger's handler writes to), and the log's
own progress lines (those logged with ``extra=PROGRESS``) are left to ``run.log``, but with
``lkfem -v`` (DEBUG), where every step line is printed above the bar.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from lkfem.log import terminal_handlers

__all__ = ["PROGRESS", "activity", "time_bar", "iterations", "enabled"]

#: ``logger.info(line, extra=PROGRESS)``: a progress line, not shown in the terminal while a
#: progress display is up (it still goes to run.log)
PROGRESS = {"lkfem_progress": True}

_state: dict[str, Any] = {"progress": None, "task": None, "label": "", "newton": None, "krylov": 0}


def enabled(comm: Any = None) -> bool:
    """Whether progress is drawn for a run on ``comm`` (default ``COMM_WORLD``): rank 0 of a
    single-rank run (or ``LKFEM_PROGRESS=1``), a terminal, no PETSc monitor or viewer, the
    logger at INFO or louder."""
    if comm is None:
        from mpi4py import MPI

        comm = MPI.COMM_WORLD
    asked = os.environ.get("LKFEM_PROGRESS", "").strip()
    if asked == "0" or comm.rank != 0 or not sys.stdout.isatty():
        return False
    if comm.size > 1 and asked != "1":
        return False
    if _petsc_prints():
        return False
    levels = [h.level for h in terminal_handlers()]
    return bool(levels) and min(levels) <= logging.INFO


def _petsc_prints() -> bool:
    """Whether an option in PETSc's database (the case's ``[solver.petsc]``, set by the solvers
    under their prefixes, or the command line) makes PETSc print: a monitor or a viewer."""
    from petsc4py import PETSc

    return any("monitor" in key or "view" in key for key in PETSc.Options().getAll())


class _HideProgressLines(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "lkfem_progress", False)


@contextmanager
def _display(columns: tuple[Any, ...]) -> Iterator[Any]:
    from rich.console import Console
    from rich.progress import Progress

    console = Console(file=sys.stdout)
    hide = _HideProgressLines()
    # the bar shows the progress lines; with ``lkfem -v`` (DEBUG) every step line is wanted
    handlers = [h for h in terminal_handlers() if h.level > logging.DEBUG]
    progress = Progress(*columns, console=console, transient=True, redirect_stdout=True)
    for h in handlers:
        h.addFilter(hide)
    _state.update(progress=progress, newton=None, krylov=0)
    try:
        with progress:
            yield progress
    finally:
        _state.update(progress=None, task=None)
        for h in handlers:
            h.removeFilter(hide)


@contextmanager
def activity(label: str, comm: Any = None) -> Iterator[None]:
    """A spinner with ``label`` and the elapsed time while the block runs (meshing, a steady
    solve) of a run on ``comm``; the solvers' iterations are appended as they come."""
    if not enabled(comm) or _state["progress"] is not None:
        yield
        return
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with _display(columns) as progress:
        _state["label"] = label
        _state["task"] = progress.add_task(label, total=None)
        yield


@contextmanager
def time_bar(t0: float, t_end: float, comm: Any = None) -> Iterator[Any]:
    """A bar from ``t0`` to ``t_end`` (s) for a run on ``comm``; call the yielded
    ``advance(t, dt, step)`` after each accepted step. With ``t_end = inf`` (a run until
    ``max_steps`` or a wall-time limit) the bar pulses."""
    if not enabled(comm) or _state["progress"] is not None:
        yield lambda t, dt, step: None
        return
    from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("t = {task.fields[t]:.4g} s of {task.fields[t_end]:.4g} s"),
        TextColumn("Δt = {task.fields[dt]:.3g} s"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with _display(columns) as progress:
        _state["label"] = "time stepping"
        total = t_end - t0 if math.isfinite(t_end) else None  # None: a pulsing bar
        task = progress.add_task("step 0", total=total, t=t0, t_end=t_end, dt=0.0)
        _state["task"] = task

        def advance(t: float, dt: float, step: int) -> None:
            progress.update(task, completed=t - t0, t=t, dt=dt, description=f"step {step}")

        yield advance


_last = [0.0]


def iterations(*, newton: int | None = None, krylov: int | None = None) -> None:
    """A solver's monitor: the current Newton iteration (which restarts the Krylov count) or
    Krylov iteration. Shown with the activity's label; a no-op without a display."""
    progress = _state["progress"]
    if progress is None:
        return
    if newton is not None:
        _state["newton"], _state["krylov"] = newton, 0
    if krylov is not None:
        _state["krylov"] = krylov
    now = time.perf_counter()
    if now - _last[0] < 0.1:  # a Krylov iteration can be far shorter than a redraw
        return
    _last[0] = now
    if _state["label"] != "time stepping":
        newton = _state["newton"]
        parts = ([] if newton is None else [f"Newton {newton}"]) + [f"Krylov {_state['krylov']}"]
        progress.update(_state["task"], description=f"{_state['label']}: {', '.join(parts)}")
