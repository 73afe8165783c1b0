"""lkfem's messages through the standard :mod:`logging` module: the ``lkfem`` logger prints on
rank 0 only, to the current standard output, as ``[lkfem] message`` (warnings as
``[lkfem] warning: message``). Quiet it with ``logging.getLogger("lkfem").setLevel(...)`` or
:func:`set_log_level`; demos log through :func:`get_logger`.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["get_logger", "set_log_level", "logger"]

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
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def get_logger(name: str | None = None) -> logging.Logger:
    """The ``lkfem`` logger, or its child ``lkfem.NAME`` (a demo's own prefix)."""
    return logger if name is None else logger.getChild(name)


def set_log_level(level: int | str) -> None:
    """``logging.WARNING`` for quiet runs, ``logging.DEBUG`` for more."""
    logger.setLevel(level)


_install()
