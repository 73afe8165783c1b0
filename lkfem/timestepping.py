"""Time stepping of an LK problem: backward Euler or variable-step BDF2, adaptive Δt.

The step grows when Newton needs few iterations and shrinks (the step is retried) when it needs
many or fails, FESTIM-style; steps are cut to land exactly on milestones and on t_end. A run may
stop early at a steady state: when ‖uⁿ⁺¹ − uⁿ‖∞ / (Δt ‖uⁿ⁺¹‖∞) falls below ``steady_tol``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from mpi4py import MPI

from .errors import SolverError
from .lk import LKProblem

__all__ = ["TimeSettings", "StepRecord", "run_transient", "bdf_coefficients"]

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

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}, got {self.scheme!r}")
        if not (self.t_end > 0 and self.dt > 0):
            raise ValueError("t_end and dt must be positive")
        if not (0 <= self.dt_min <= self.dt <= self.dt_max):
            raise ValueError("need dt_min ≤ dt ≤ dt_max")
        if not (0 < self.shrink < 1 < self.growth):
            raise ValueError("need 0 < shrink < 1 < growth")


@dataclass(slots=True, frozen=True)
class StepRecord:
    """One accepted step."""

    step: int
    t: float
    dt: float
    newton_iterations: int
    linear_iterations: int


def bdf_coefficients(scheme: str, dt: float, dt_prev: float | None) -> tuple[float, float, float]:
    """(α0, α1, α2) with u̇ ≈ (α0 uⁿ⁺¹ + α1 uⁿ + α2 uⁿ⁻¹)/Δt; BDF2 with variable steps."""
    if scheme == "backward_euler" or dt_prev is None:
        return (1.0, -1.0, 0.0)
    w = dt / dt_prev
    return ((1 + 2 * w) / (1 + w), -(1 + w), w * w / (1 + w))


def run_transient(
    problem: LKProblem,
    settings: TimeSettings,
    on_step: Callable[[StepRecord], Any] | None = None,
) -> list[StepRecord]:
    """March ``problem`` from its current state (set with :meth:`LKProblem.set_initial`) to
    ``settings.t_end``; call ``on_step`` after every accepted step, while the problem's time
    derivative still refers to that step (so derived rates are the step's own).

    Returns:
        The accepted steps.
    """
    comm = problem.domain.comm
    t = float(problem.t.value)
    dt = settings.dt
    dt_prev: float | None = None
    targets = sorted({m for m in settings.milestones if t < m < settings.t_end} | {settings.t_end})
    records: list[StepRecord] = []
    solver = problem.solver()
    u, u_n, u_nn = problem.u, problem.u_n, problem.u_nn
    while t < settings.t_end * (1 - 1e-12):
        target = next(m for m in targets if m > t * (1 + 1e-12) + 1e-300)
        step = min(dt, target - t)
        if target - t - step < 1e-9 * step:  # do not leave a sliver before a milestone
            step = target - t
        problem.set_time_coefficients(bdf_coefficients(settings.scheme, step, dt_prev), step)
        problem.t.value = t + step
        problem._update_dirichlet_values()
        u.x.array[:] = u_n.x.array  # initial guess: the last state
        info = solver.solve(raise_on_failure=not settings.adaptive)
        if info.reason <= 0:
            problem.t.value = t
            if step <= settings.dt_min * (1 + 1e-12):
                raise SolverError(
                    f"Newton failed at t = {t + step:.6g} s with the smallest "
                    f"time step dt_min = {settings.dt_min:g} s"
                )
            dt = max(step * settings.shrink, settings.dt_min)
            continue
        t += step
        record = StepRecord(len(records) + 1, t, step, info.iterations, info.linear_iterations)
        records.append(record)
        if on_step is not None:  # before the history moves on: u̇ of this step is still defined
            on_step(record)
        change = _relative_rate(u.x.array, u_n.x.array, step, comm)
        u_nn.x.array[:] = u_n.x.array
        u_n.x.array[:] = u.x.array
        dt_prev = step
        if settings.adaptive:
            if info.iterations < settings.grow_below:
                dt = min(step * settings.growth, settings.dt_max) if step >= dt * 0.999 else dt
            elif info.iterations > settings.shrink_above:
                dt = max(step * settings.shrink, settings.dt_min)
        if settings.steady_tol is not None and change < settings.steady_tol:
            break
    return records


def _relative_rate(new: np.ndarray, old: np.ndarray, dt: float, comm: MPI.Comm) -> float:
    diff = comm.allreduce(float(np.max(np.abs(new - old), initial=0.0)), op=MPI.MAX)
    size = comm.allreduce(float(np.max(np.abs(new), initial=0.0)), op=MPI.MAX)
    return diff / (dt * max(size, 1e-300))
