"""Errors seen on some ranks only end every rank, with the message printed once, never a hang.

Each rank of ``lkfem run`` reads the case itself, so a file missing on one node fails there
only. :func:`agree` runs a phase on every rank and then agrees on its outcome collectively (one
allreduce of a failure flag, one broadcast of the first failing rank's message): either every
rank goes on, or every rank raises the same :class:`~lkfem.errors.LkfemError`.

:func:`finish` ends a command: every rank reports whether it failed, through a non-blocking
allreduce. A failing rank whose peers do not join within :data:`TIMEOUT` seconds (they wait in
a collective it will never reach) prints its message and aborts the job with exit code 2.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from mpi4py import MPI

from lkfem.errors import LkfemError

__all__ = ["agree", "finish", "watch_launcher", "TIMEOUT"]

#: Seconds a failing rank waits for the others before it aborts the job.
TIMEOUT = float(os.environ.get("LKFEM_ERROR_TIMEOUT", "3"))

T = TypeVar("T")
_watching = False  # one watch per process


class _Agreed(LkfemError):
    """The error another rank saw (this rank's phase went well)."""


def agree(comm: MPI.Comm, phase: Callable[[], T]) -> T:
    """Run ``phase`` on every rank; if it raises :class:`LkfemError` on any rank, raise the first
    failing rank's error on every rank (only that rank's message is printed by :func:`finish`)."""
    error: LkfemError | None = None
    result: Any = None
    try:
        result = phase()
    except LkfemError as exc:
        error = exc
    if comm.size == 1:
        if error is not None:
            raise error
        return result
    first = comm.allreduce(comm.rank if error is not None else comm.size, op=MPI.MIN)
    if first == comm.size:
        return result
    message = comm.bcast(str(error) if comm.rank == first else None, root=first)
    if comm.rank == first:
        assert error is not None
        raise error
    raise _Agreed(message)


def finish(comm: MPI.Comm, error: BaseException | None) -> int:
    """End a command on this rank: the exit code (0; the error's ``exit_code``, 2 by default,
    when any rank failed: 3 for a run stopped by a limit, 128 + N for signal N), with the
    message printed once; a failing rank that cannot reach the others aborts the job."""
    message = None if error is None else f"lkfem: error: {error}"
    if comm.size == 1:
        if message:
            _print(message)
        return 0 if error is None else _code(error)
    out = np.array([comm.size], dtype=np.int64)
    request = comm.Iallreduce(
        np.array([comm.rank if error is not None else comm.size], dtype=np.int64),
        out,
        op=MPI.MIN,
    )
    deadline = time.monotonic() + TIMEOUT
    while not request.Test():
        if error is not None and time.monotonic() > deadline:
            _print(message or "")
            _print(f"lkfem: rank {comm.rank} of {comm.size} failed alone; aborting the job")
            comm.Abort(2)
        time.sleep(0.01)
    first = int(out[0])
    if first == comm.size:
        return 0
    if comm.rank == first and message:
        _print(message)  # after agree() every rank holds the same message: one prints it
    return 2 if error is None else _code(error)


def _code(error: BaseException) -> int:
    return int(getattr(error, "exit_code", 2))


def _print(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def watch_launcher(comm: MPI.Comm, every: float = 1.0) -> None:
    """On several ranks: end this rank when its launcher (mpirun, prted, srun's step daemon)
    is gone, e.g. killed with SIGKILL, which cannot take its ranks with it; without this they
    would wait in MPI forever. The kernel kills the rank when its parent exits (Linux), and a
    daemon thread checks the parent every ``every`` s and says so where the rank is idle."""
    global _watching
    if comm.size == 1 or _watching:
        return
    _watching = True
    parent = os.getppid()
    _die_with_parent()  # a rank blocked inside PETSc holds the GIL: the kernel ends it
    if os.getppid() != parent:  # gone already
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                _print(f"lkfem: rank {comm.rank}: the MPI launcher is gone; ending this rank")
                os._exit(1)

    threading.Thread(target=watch, name="lkfem-launcher-watch", daemon=True).start()


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent exits (prctl PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
