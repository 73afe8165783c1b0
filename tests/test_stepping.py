"""The shared time loop (lkfem.stepping.march) with a scripted stepper: step counts and times,
milestones hit exactly, cut-back and undo on failure, adaptive growth, the steady stop."""

from __future__ import annotations

import pytest

from lkfem import SolverError, TimeSettings, bdf_coefficients, march
from lkfem.stepping import StepOutcome


class Scripted:
    """u' = 0 with a clock; fails where ``fail(t, dt)`` says so; counts the calls."""

    def __init__(self, fail=lambda t, dt: False, iterations=2, change=1.0):
        self.t = 0.0
        self.fail, self.iterations, self.change = fail, iterations, change
        self.attempts: list[tuple[float, float, tuple[float, float, float]]] = []
        self.undone: list[float] = []
        self.accepted = 0

    def time(self):
        return self.t

    def attempt(self, t, dt, alpha, *, may_fail):
        self.attempts.append((t, dt, alpha))
        if self.fail(t, dt):
            if not may_fail:
                raise SolverError("scripted failure")
            return StepOutcome(False)
        self.pending = t
        return StepOutcome(True, self.iterations, 3 * self.iterations)

    def undo(self, t):
        self.undone.append(t)

    def accept(self, dt):
        self.t = self.pending
        self.accepted += 1
        return self.change


def test_fixed_steps_end_on_t_end_without_round_off_slivers():
    """10⁴ steps of 1e-3 (not exact in binary): 10⁴ steps, the last at t_end exactly."""
    stepper = Scripted()
    records = march(stepper, TimeSettings(t_end=10.0, dt=1e-3, scheme="backward_euler"))
    assert len(records) == 10_000
    assert records[-1].t == 10.0
    assert min(r.dt for r in records) == pytest.approx(1e-3, rel=1e-9)
    assert [r.step for r in records[:3]] == [1, 2, 3]


def test_milestones_are_hit_exactly_and_bdf2_weights_follow_the_steps():
    stepper = Scripted()
    settings = TimeSettings(t_end=1.0, dt=0.3, scheme="bdf2", milestones=(0.45,))
    records = march(stepper, settings)
    assert [r.t for r in records] == pytest.approx([0.3, 0.45, 0.75, 1.0], abs=1e-15)
    assert 0.45 in [r.t for r in records] and records[-1].t == 1.0
    alphas = [a for _, _, a in stepper.attempts]
    assert alphas[0] == (1.0, -1.0, 0.0)  # BDF2 starts with backward Euler
    assert alphas[1] == pytest.approx(bdf_coefficients("bdf2", 0.15, 0.3))
    assert sum(alphas[2]) == pytest.approx(0.0)  # consistency: a constant has no derivative


def test_failure_cuts_the_step_back_and_undoes_the_attempt():
    """Adaptive: a failed attempt is undone and retried with Δt · shrink."""
    stepper = Scripted(fail=lambda t, dt: dt > 0.3)
    settings = TimeSettings(t_end=1.0, dt=0.5, adaptive=True, shrink=0.5, grow_below=1)
    records = march(stepper, settings)
    assert stepper.undone == [0.0]
    assert records[0].dt == pytest.approx(0.25)
    assert records[-1].t == 1.0
    assert all(r.dt <= 0.3 for r in records)


def test_failure_at_dt_min_or_after_the_cut_backs_is_an_error_naming_the_step():
    always = Scripted(fail=lambda t, dt: True)
    with pytest.raises(SolverError, match=r"step 1 \(t = 0 s") as info:
        march(always, TimeSettings(t_end=1.0, dt=0.1, adaptive=True, dt_min=0.05))
    assert always.accepted == 0 and len(always.undone) == 2  # 0.1, then 0.05
    assert info.value.state.step == 0 and info.value.state.t == 0.0
    fixed = Scripted(fail=lambda t, dt: True)
    with pytest.raises(SolverError, match="after 3 cut-back"):
        march(fixed, TimeSettings(t_end=1.0, dt=0.1, max_cutbacks=3))
    assert [dt for _, dt, _ in fixed.attempts] == pytest.approx([0.1, 0.05, 0.025, 0.0125])


def test_a_fixed_step_is_cut_back_and_lands_on_its_own_end():
    """Fixed Δt = 0.1: the step to 0.2 fails at full size, is done in halves, then Δt = 0.1."""
    stepper = Scripted(fail=lambda t, dt: abs(t - 0.2) < 1e-9 and dt > 0.06)
    records = march(stepper, TimeSettings(t_end=0.5, dt=0.1, scheme="backward_euler"))
    assert [r.t for r in records] == pytest.approx([0.1, 0.15, 0.2, 0.3, 0.4, 0.5])


def test_max_steps_stops_with_the_loop_state_and_a_restart_continues_it():
    from lkfem.stepping import StepLimit

    settings = TimeSettings(t_end=1.0, dt=0.1, scheme="bdf2", max_steps=4)
    first = Scripted()
    with pytest.raises(StepLimit) as info:
        march(first, settings)
    state = info.value.state
    assert (state.step, state.dt_prev) == (4, pytest.approx(0.1)) and state.t == pytest.approx(0.4)
    rest = Scripted()
    rest.t = state.t
    with pytest.raises(StepLimit):  # max_steps counts the steps of one call
        march(rest, settings, start=state)
    assert [round(t, 9) for t, _, _ in rest.attempts] == [0.5, 0.6, 0.7, 0.8]
    assert rest.attempts[0][2] != (1.0, -1.0, 0.0)  # BDF2 goes on, no restart with Euler


def test_adaptive_steps_grow_when_newton_is_quick():
    stepper = Scripted(iterations=1)
    settings = TimeSettings(t_end=10.0, dt=0.1, adaptive=True, growth=1.5, dt_max=1.0)
    records = march(stepper, settings)
    steps = [r.dt for r in records]
    assert steps[1] == pytest.approx(0.15) and max(steps) == pytest.approx(1.0)
    assert records[-1].t == 10.0


def test_on_step_sees_each_step_before_it_is_accepted_and_the_steady_stop():
    stepper = Scripted(change=1e-9)
    seen = []

    def on_step(record):
        seen.append((record.t, stepper.accepted))

    records = march(stepper, TimeSettings(t_end=1.0, dt=0.1, steady_tol=1e-6), on_step)
    assert len(records) == 1  # the first step already changes less than steady_tol
    assert seen == [(pytest.approx(0.1), 0)]
