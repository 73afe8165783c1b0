"""The observer the shared time loop calls after every accepted step: a row of
``timeseries.csv``, fields at their cadence (every N steps, at milestones, at the end), a
progress line on rank 0 and the hooks registered for each step (where checkpoints will be
written)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from lkfem.log import logger
from lkfem.output.fields import FieldWriter
from lkfem.output.probes import Probes
from lkfem.output.series import TimeSeries
from lkfem.progress import PROGRESS
from lkfem.stepping import StepRecord, TimeSettings

__all__ = ["Observer"]

StepHook = Callable[[StepRecord], None]


class Model(Protocol):
    """What the observer needs of a physics' model (:class:`lkfem.physics.base.Model`)."""

    def record(self, step: StepRecord | None) -> dict[str, float]: ...

    def finish(self, out: Path | None) -> list[str]: ...


class Observer:
    """Watches a run of ``model``.

    Args:
        model: the physics' model (its :meth:`~lkfem.physics.base.Model.record` gives the rows).
        fields: the field writer.
        series: the CSV time series (None: none).
        settings: the time stepping (None: a steady solve).
        every: write fields every this many steps (0: only at milestones and the end).
        hooks: called with every accepted step after it is recorded.
        progress_s: seconds between progress lines.
        probes: points whose T and q become columns of the time series at every step.
    """

    def __init__(
        self,
        model: Model,
        fields: FieldWriter,
        series: TimeSeries | None = None,
        settings: TimeSettings | None = None,
        *,
        every: int = 0,
        hooks: Sequence[StepHook] = (),
        progress_s: float = 5.0,
        probes: Probes | None = None,
    ):
        self.model, self.fields, self.series = model, fields, series
        self.settings, self.every, self.hooks = settings, every, list(hooks)
        self.progress_s = progress_s
        self.probes = probes
        self.last: StepRecord | None = None
        self.written_at: float | None = None
        self._last_progress = time.perf_counter()

    def start(self, t: float) -> None:
        """The initial state: its row and its fields."""
        row = self.model.record(None)
        if self.series is not None:
            self.series.add(self._with_probes(row))
        self._write(t)

    def steady(self) -> None:
        """After a steady solve: the fields at t = 0."""
        self.model.record(None)
        self._write(0.0)

    def __call__(self, record: StepRecord) -> None:
        self.last = record
        row = self.model.record(record)
        if self.series is not None:
            self.series.add(self._with_probes(row))
        assert self.settings is not None
        if (self.every and record.step % self.every == 0) or self.settings.is_milestone(record.t):
            self._write(record.t)
        for hook in self.hooks:
            hook(record)
        now = time.perf_counter()
        line = (
            f"step {record.step}: t = {record.t:.6g} s of {self.settings.t_end:.6g} s, "
            f"dt = {record.dt:.3g} s, {record.newton_iterations} Newton iterations"
        )
        if now - self._last_progress > self.progress_s:
            self._last_progress = now
            logger.info(line, extra=PROGRESS)  # a terminal with a progress bar shows that
        else:
            logger.debug(line, extra=PROGRESS)

    def resume(self, t: float, written_at: float | None) -> None:
        """Continue a run from a checkpoint at ``t`` (no initial row, no fields: they are in
        the files already)."""
        self.written_at = written_at

    def saved(self, step: int) -> dict[str, float | int | str | None]:
        """Before a checkpoint at ``step``: the files flushed, and what a restart needs to
        continue them (the CSV rows to keep, the time of the last fields, the XDMF file's XML
        as it is now: a kill while it is rewritten may leave it empty)."""
        self.fields.flush()
        return {
            "series_rows": step + 1,
            "fields_written_at": self.written_at,
            "fields_xml": self.fields.xml(),
        }

    def finish(self, out: Path | None) -> list[str]:
        """The fields at the last step (when a steady stop ended the run between milestones),
        the model's extra files; closes the files."""
        try:
            if self.last is not None and self.written_at != self.last.t:
                self._write(self.last.t)
            return self.model.finish(out)
        finally:
            self.close()

    def close(self) -> None:
        self.fields.close()
        if self.series is not None:
            self.series.close()

    def _with_probes(self, row: dict[str, float]) -> dict[str, float]:
        """The model's row and T and q at the probes (the written fields refreshed first)."""
        if not self.probes:
            return row
        outputs = self.fields.fields
        outputs.update()
        return {**row, **self.probes.row([outputs.T, outputs.q])}

    def _write(self, t: float) -> None:
        self.fields.write(t)
        self.written_at = t
