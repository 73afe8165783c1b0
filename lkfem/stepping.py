"""One time loop for every transient physics: backward Euler or variable-step BDF2, a fixed or
adaptive Δt, milestones hit exactly, cut-back on failure, and an optional stop at steady state.

A physics takes part through a :class:`Stepper` (what one step means for its unknowns); the
loop owns the step policy. Adaptive Δt follows the Newton iteration count, FESTIM-style: it
grows when Newton needs few iterations and shrinks (the step is retried) when it needs many or
fails. Steps are cut to land exactly on milestones and on t_end, with no sliver left before
one. A run may stop early at a steady state, when the stepper's relative rate of change
‖uⁿ⁺¹ − uⁿ‖∞ / (Δt ‖uⁿ⁺¹‖∞) falls below ``steady_tol``.

A failed step is retried with Δt cut back (by ``shrink``, at most ``max_cutbacks`` times in a
row), with a fixed Δt too: the cut steps then land on the step's original end before Δt goes
back to its value. A solution holding NaN or Inf stops the loop at once. Either ends in a
:class:`StepFailed` carrying the last accepted :class:`LoopState`; ``max_steps`` ends it in a
:class:`StepLimit`. A run continues from a saved :class:`LoopState` (a checkpoint) with the same
steps as one that never stopped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from mpi4py import MPI

from lkfem.errors import LkfemError, SolverError

__all__ = [
    "SCHEMES",
    "TimeSettings",
    "StepRecord",
    "StepOutcome",
    "Stepper",
    "LoopState",
    "Interrupted",
    "StepFailed",
    "StepLimit",
    "march",
    "bdf_coefficients",
    "relative_change",
]

SCHEMES = ("backward_euler", "bdf2")


@dataclass(slots=True, kw_only=True, frozen=True)
class TimeSettings:
    """How to march in time (all times in s).

    Args:
        t_end: final time.
        dt: initial (or fixed) time step.
        scheme: ``backward_euler`` or ``bdf2``.
        adaptive: let Δt follow the Newton iteration count.
        dt_min, dt_max: bounds of an adaptive Δt.
        grow_below, shrink_above: Newton iterations under/over which Δt grows/shrinks.
        growth, shrink: the factors.
        milestones: times a step must land on.
        steady_tol: stop once the relative rate of change is below this (1/s); None: never.
        max_steps: stop (resumably) after this many steps of one call; None: no limit.
        max_wall_minutes: stop (resumably) after this much wall time (min); None: no limit.
        max_cutbacks: failed attempts in a row (Δt cut back each time) before giving up.
    """

    t_end: float
    dt: float
    scheme: str = "bdf2"
    adaptive: bool = False
    dt_min: float = 0.0
    dt_max: float = math.inf
    grow_below: int = 3
    shrink_above: int = 6
    growth: float = 1.2
    shrink: float = 0.5
    milestones: Sequence[float] = field(default_factory=tuple)
    steady_tol: float | None = None
    max_steps: int | None = None
    max_wall_minutes: float | None = None
    max_cutbacks: int = 6

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}, got {self.scheme!r}")
        if not (self.t_end > 0 and self.dt > 0):
            raise ValueError("t_end and dt must be positive")
        if not (0 <= self.dt_min <= self.dt <= self.dt_max):
            raise ValueError("need dt_min ≤ dt ≤ dt_max")
        if not (0 < self.shrink < 1 < self.growth):
            raise ValueError("need 0 < shrink < 1 < growth")
        if math.isinf(self.dt) or math.isnan(self.t_end):
            raise ValueError("dt must be finite")
        if math.isinf(self.t_end) and self.max_steps is None and self.max_wall_minutes is None:
            raise ValueError("t_end = inf needs a limit: max_steps or max_wall_minutes")

    def is_milestone(self, t: float) -> bool:
        """Whether ``t`` is a milestone or t_end (where fields are written)."""
        return any(
            abs(t - m) <= 1e-9 * max(1.0, m)
            for m in (*self.milestones, self.t_end)
            if math.isfinite(m)
        )


@dataclass(slots=True, frozen=True)
class LoopState:
    """Where the loop stands after an accepted step: what a checkpoint must keep of it.

    Attributes:
        step: accepted steps so far.
        t: the time reached (s).
        dt: the step the loop will try next (s).
        dt_prev: the last accepted step (s), for BDF2's weights; None before the first.
    """

    step: int
    t: float
    dt: float
    dt_prev: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step, "t": self.t, "dt": self.dt, "dt_prev": self.dt_prev}


class Interrupted(LkfemError):
    """The loop ended before t_end in a state it can continue from (``state``).

    ``exit_code`` is what the command line returns; the runner saves ``state`` and adds how to
    resume to the message.
    """

    exit_code = 3

    def __init__(self, message: str, state: LoopState):
        super().__init__(message)
        self.state = state


class StepFailed(Interrupted, SolverError):
    """A step failed after every cut-back, or its solution held NaN/Inf."""

    exit_code = 2


class StepLimit(Interrupted):
    """``max_steps`` reached before t_end."""


@dataclass(slots=True, frozen=True)
class StepRecord:
    """One accepted step."""

    step: int
    t: float
    dt: float
    newton_iterations: int
    linear_iterations: int


@dataclass(slots=True, frozen=True)
class StepOutcome:
    """What one attempt at a step gave: converged or not, and the iterations it took."""

    converged: bool
    newton_iterations: int = 0
    linear_iterations: int = 0
    #: why it failed, for the message (e.g. "PETSc SNES reason -5 after 30 iterations")
    reason: str = ""
    #: where the solution held NaN/Inf (fields, regions); the loop then stops at once
    nonfinite: str = ""


class Stepper(Protocol):
    """One physics' unknowns advanced by one step of the shared loop.

    The loop calls :meth:`attempt` for the step from ``t`` to ``t + dt``; on failure it calls
    :meth:`undo` and retries with a shorter step (or gives up); on success it reports the step
    to its listener and then calls :meth:`accept`, so that derived rates evaluated by the
    listener are still the step's own.
    """

    def time(self) -> float:
        """The time of the current state (s)."""
        ...

    def attempt(
        self, t: float, dt: float, alpha: tuple[float, float, float], *, may_fail: bool
    ) -> StepOutcome:
        """Solve for the state at ``t`` (= previous time + ``dt``) with the BDF weights
        ``alpha``. With ``may_fail`` a failure is reported in the outcome; without it, it is
        raised (a :class:`~lkfem.errors.SolverError` naming the cause)."""
        ...

    def undo(self, t: float) -> None:
        """Go back to the accepted state at ``t`` after a failed attempt."""
        ...

    def accept(self, dt: float) -> float:
        """Make the attempted state the current one (the history moves on); return the
        relative rate of change of the step (1/s), for the steady-state stop."""
        ...


def bdf_coefficients(scheme: str, dt: float, dt_prev: float | None) -> tuple[float, float, float]:
    """(α0, α1, α2) with u̇ ≈ (α0 uⁿ⁺¹ + α1 uⁿ + α2 uⁿ⁻¹)/Δt; BDF2 with variable steps."""
    if scheme == "backward_euler" or dt_prev is None:
        return (1.0, -1.0, 0.0)
    w = dt / dt_prev
    return ((1 + 2 * w) / (1 + w), -(1 + w), w * w / (1 + w))


def march(
    stepper: Stepper,
    settings: TimeSettings,
    on_step: Callable[[StepRecord], Any] | None = None,
    *,
    start: LoopState | None = None,
    after: Callable[[LoopState], Any] | None = None,
) -> list[StepRecord]:
    """March ``stepper`` from its current state to ``settings.t_end``; call ``on_step`` after
    every accepted step, before the history moves on, and ``after`` once it has moved on (with
    the loop's state: where checkpoints are written and guards checked; it may raise an
    :class:`Interrupted`).

    Args:
        start: the loop's state when continuing from a checkpoint (the stepper's state must be
            restored to it); None: a new run.

    Returns:
        The steps accepted in this call.

    Raises:
        StepFailed: a step failed after ``max_cutbacks`` cut-backs (or below ``dt_min``), or
            its solution held NaN/Inf; the stepper is back at the last accepted state.
        StepLimit: ``max_steps`` steps were taken before t_end.
    """
    t = stepper.time()
    first = 0 if start is None else start.step
    dt = settings.dt if start is None else start.dt
    dt_prev: float | None = None if start is None else start.dt_prev
    targets = sorted({m for m in settings.milestones if t < m < settings.t_end} | {settings.t_end})
    records: list[StepRecord] = []
    failures = 0
    pending: float | None = None  # a fixed-Δt step's end, after it was cut back
    while t < settings.t_end * (1 - 1e-12):
        if settings.max_steps is not None and len(records) >= settings.max_steps:
            raise StepLimit(
                f"stopped after max_steps = {settings.max_steps} steps at t = {t:.6g} s "
                f"(t_end = {settings.t_end:g} s)",
                LoopState(first + len(records), t, dt, dt_prev),
            )
        target = next(m for m in targets if m > t * (1 + 1e-12) + 1e-300)
        if pending is not None:
            target = min(target, pending)
        step = min(dt, target - t)
        if target - t - step < 1e-6 * step:  # no sliver before a milestone (nor round-off's)
            step = target - t
        alpha = bdf_coefficients(settings.scheme, step, dt_prev)
        outcome = stepper.attempt(t + step, step, alpha, may_fail=True)
        if not outcome.converged:
            stepper.undo(t)
            state = LoopState(first + len(records), t, dt, dt_prev)
            where = f"step {state.step + 1} (t = {t:.6g} s → {t + step:.6g} s, Δt = {step:.3g} s)"
            if outcome.nonfinite:
                raise StepFailed(f"NaN/Inf in the solution at {where}: {outcome.nonfinite}", state)
            failures += 1
            at_floor = step <= settings.dt_min * (1 + 1e-12)
            if failures > settings.max_cutbacks or at_floor:
                cause = f": {outcome.reason}" if outcome.reason else ""
                limit = (
                    f"Δt reached dt_min = {settings.dt_min:.3g} s"
                    if at_floor
                    else f"max_cutbacks = {settings.max_cutbacks}"
                )
                raise StepFailed(
                    f"Newton failed at {where} after {failures - 1} cut-back(s) ({limit}){cause}",
                    state,
                )
            if not settings.adaptive and pending is None:
                pending = t + step
            dt = max(step * settings.shrink, settings.dt_min)
            continue
        failures = 0
        t += step
        record = StepRecord(
            first + len(records) + 1,
            t,
            step,
            outcome.newton_iterations,
            outcome.linear_iterations,
        )
        records.append(record)
        if on_step is not None:  # before the history moves on: u̇ of this step is still defined
            on_step(record)
        change = stepper.accept(step)
        dt_prev = step
        if pending is not None and t >= pending * (1 - 1e-12):
            pending = None
            dt = settings.dt
        if settings.adaptive:
            if outcome.newton_iterations < settings.grow_below:
                dt = min(step * settings.growth, settings.dt_max) if step >= dt * 0.999 else dt
            elif outcome.newton_iterations > settings.shrink_above:
                dt = max(step * settings.shrink, settings.dt_min)
        steady = settings.steady_tol is not None and change < settings.steady_tol
        if after is not None and not steady and t < settings.t_end * (1 - 1e-12):
            after(LoopState(first + len(records), t, dt, dt_prev))
        if steady:
            break
    return records


def relative_change(new: Any, old: Any, dt: float, comm: Any) -> float:
    """‖new − old‖∞ / (Δt ‖new‖∞) over all ranks (1/s): the steady-state measure of a step."""
    diff = comm.allreduce(float(np.max(np.abs(new - old), initial=0.0)), op=MPI.MAX)
    size = comm.allreduce(float(np.max(np.abs(new), initial=0.0)), op=MPI.MAX)
    return diff / (dt * max(size, 1e-300))
