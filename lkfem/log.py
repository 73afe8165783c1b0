"""lkfem's messages through the standard :mod:`logging` module: the ``lkfem`` logger prints on
rank 0 only, to the current standard output, as ``[lkfem] message`` (warnings as
``[lkfem] warning: message``). :func:`set_log_level` sets what reaches the terminal
(``logging.WARNING``: quiet; ``logging.DEBUG``: every step); :class:`RunLog` keeps a run's
messages, with times, for the results folder's ``run.log``. Demos log through
:func:`get_logger`.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import IO

__all__ = ["get_logger", "set_log_level", "terminal_handlers", "logger", "RunLog"]

logger = logging.getLogger("lkfem")


class _RankZero(logging.Filter):
    """Passes records on MPI rank 0 only (every rank runs the same code, one prints)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from mpi4py import MPI

        return MPI.COMM_WORLD.rank == 0


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            message = f"{record.levelname.lower()}: {message}"
        return f"[{record.name}] {message}"


class _Stdout(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stdout`` is at the time (pytest's capture, a redirect)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


def _install() -> None:
    if any(isinstance(h, _Stdout) for h in logger.handlers):
        return
    handler = _Stdout(sys.stdout)
    handler.addFilter(_RankZero())
    handler.setFormatter(_Formatter())
    handler.setLevel(logging.INFO)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False


def get_logger(name: str | None = None) -> logging.Logger:
    """The ``lkfem`` logger, or its child ``lkfem.NAME`` (a demo's own prefix)."""
    return logger if name is None else logger.getChild(name)


def set_log_level(level: int | str) -> None:
    """What reaches the terminal: ``logging.WARNING`` for quiet runs, ``logging.DEBUG`` for a
    line per time step; ``logging.INFO`` by default."""
    for handler in logger.handlers:
        if isinstance(handler, _Stdout):
            handler.setLevel(level)


def terminal_handlers() -> list[logging.Handler]:
    """The handlers that print the ``lkfem`` logger's messages to the terminal (for
    :mod:`lkfem.progress`, which draws between them)."""
    return [h for h in logger.handlers if isinstance(h, _Stdout)]


class RunLog(logging.Handler):
    """The messages of one run (rank 0), with times: kept in memory until :meth:`open` names
    the file, then written as they come. Use as a context manager around the run."""

    def __init__(self, level: int = logging.INFO):
        super().__init__(level)
        self.addFilter(_RankZero())
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
        self.lines: list[str] = []
        self.fh: IO[str] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        line = self.format(record)
        if self.fh is None:
            self.lines.append(line)
        else:
            self.fh.write(line + "\n")
            self.fh.flush()

    def open(self, path: Path, *, append: bool = False) -> None:
        """Write what was kept to ``path`` (rank 0; after what it holds with ``append``, for a
        restarted run) and go on writing there."""
        from mpi4py import MPI

        if MPI.COMM_WORLD.rank == 0:
            self.fh = open(path, "a" if append else "w")
            self.fh.write("".join(line + "\n" for line in self.lines))
            self.fh.flush()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None
        super().close()

    def __enter__(self) -> RunLog:
        logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logger.removeHandler(self)
        self.close()


_install()
