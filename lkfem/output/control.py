"""What ends or pauses a transient run between steps: checkpoints at their cadence (every N
steps, every M minutes), the guards (``max_steps``, a wall-time limit) and SIGINT/SIGTERM, all
agreed on by every rank at a step boundary. A run that stops early writes a checkpoint and says
how to continue it.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from mpi4py import MPI

from lkfem.output.checkpoint import Checkpoints
from lkfem.output.observer import Observer
from lkfem.stepping import Interrupted, LoopState, Stepper, StepRecord, TimeSettings, march

__all__ = ["RunControl", "Stopped"]


class Stopped(Interrupted):
    """Stopped by a signal (exit code 128 + its number) or the wall-time limit (3)."""

    def __init__(self, message: str, state: LoopState, exit_code: int = 3):
        super().__init__(message, state)
        self.exit_code = exit_code


class RunControl:
    """Runs :func:`~lkfem.stepping.march` for a model watched by ``observer``, with
    checkpoints, guards and signals.

    Args:
        checkpoints: where checkpoints go.
        model: the model (its ``state``/``restore``).
        observer: the run's observer (its files are flushed before each checkpoint).
        settings: the time stepping (``max_steps``, ``max_wall_minutes``).
        every: checkpoint every this many steps (0: not by count).
        minutes: checkpoint every this many minutes of wall time (0: not by time).
        resume: the command that continues the run, for the messages.
        started: ``time.perf_counter()`` at the start of the run (the wall-time limit counts
            from there).
    """

    def __init__(
        self,
        checkpoints: Checkpoints,
        model: Any,
        observer: Observer,
        settings: TimeSettings,
        *,
        every: int,
        minutes: float,
        resume: str,
        started: float,
    ):
        self.checkpoints, self.model, self.observer = checkpoints, model, observer
        self.settings, self.every, self.minutes, self.resume = settings, every, minutes, resume
        self.comm: MPI.Comm = checkpoints.comm
        self.started = started
        self.last_checkpoint = time.perf_counter()
        self.last_step = time.perf_counter()
        self.signal = 0
        self.written: LoopState | None = None

    def march(self, stepper: Stepper, start: LoopState | None) -> list[StepRecord]:
        """March to t_end; on an early stop write a checkpoint (unless just written) and raise
        the stop with how to continue."""
        try:
            with self._signals():
                return march(stepper, self.settings, self.observer, start=start, after=self)
        except Interrupted as exc:
            if self.written != exc.state:
                self.write(exc.state)
            exc.args = (
                f"{exc}. The state at step {exc.state.step} (t = {exc.state.t:.6g} s) is saved: "
                f"continue with `{self.resume}`",
            )
            raise

    def __call__(self, loop: LoopState) -> None:
        """After every accepted step (every rank): checkpoint, stop or go on."""
        now = time.perf_counter()
        step_s, self.last_step = now - self.last_step, now
        flags = np.array([self.signal, now - self.last_checkpoint, now - self.started + step_s])
        self.comm.Allreduce(MPI.IN_PLACE, flags, op=MPI.MAX)
        signum, since, projected = int(flags[0]), flags[1] / 60, flags[2] / 60
        limit = self.settings.max_wall_minutes
        if signum:
            name = signal.Signals(signum).name
            self.write(loop)
            raise Stopped(f"stopped by {name} after step {loop.step}", loop, 128 + signum)
        if limit is not None and projected >= limit:
            self.write(loop)
            raise Stopped(f"stopped at the wall-time limit of {limit:g} min", loop)
        every, minutes = self.every, self.minutes
        if (every and loop.step % every == 0) or (minutes and since >= minutes):
            self.write(loop)

    def write(self, loop: LoopState) -> None:
        self.checkpoints.write(self.model, loop, self.observer.saved(loop.step))
        self.written = loop
        self.last_checkpoint = time.perf_counter()

    @contextmanager
    def _signals(self) -> Iterator[None]:
        """SIGINT and SIGTERM set a flag the ranks agree on at the next step boundary; a second
        SIGINT interrupts at once."""

        def handler(signum: int, frame: Any) -> None:
            if self.signal and signum == signal.SIGINT:
                raise KeyboardInterrupt
            self.signal = signum  # no logging here: a handler must not take locks

        try:
            old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
        except ValueError:  # not the main thread: no handlers
            old = {}
        try:
            yield
        finally:
            for s, h in old.items():
                signal.signal(s, h)
