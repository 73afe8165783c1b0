"""An :class:`~lkfem.physics.lk.problem.LKProblem` in the shared time loop
(:func:`lkfem.stepping.march`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lkfem.core.finite import nonfinite
from lkfem.physics.lk.problem import LKProblem
from lkfem.stepping import StepOutcome, StepRecord, TimeSettings, march, relative_change

__all__ = ["LKStepper", "run_transient"]


class LKStepper:
    """One Newton solve per step of the monolithic (q, T) problem; the history (uⁿ, uⁿ⁻¹) moves
    on when a step is accepted."""

    def __init__(self, problem: LKProblem):
        self.problem = problem
        self.solver = problem.solver()

    def time(self) -> float:
        return float(self.problem.t.value)

    def attempt(
        self, t: float, dt: float, alpha: tuple[float, float, float], *, may_fail: bool
    ) -> StepOutcome:
        problem = self.problem
        problem.set_time_coefficients(alpha, dt)
        problem.t.value = t
        problem.update_dirichlet_values()
        problem.u.x.array[:] = problem.u_n.x.array  # initial guess: the last state
        info = self.solver.solve(raise_on_failure=not may_fail)
        if info.reason > 0:
            bad = self.nonfinite(problem.u.x.array)
            return StepOutcome(not bad, info.iterations, info.linear_iterations, nonfinite=bad)
        reason = f"PETSc SNES reason {info.reason} after {info.iterations} iterations"
        bad = self.nonfinite(self.solver.b.array) if info.reason == -4 else ""  # FNORM_NAN
        if info.reason == -4 and not bad:
            bad = "the residual"
        return StepOutcome(False, info.iterations, info.linear_iterations, reason, bad)

    def nonfinite(self, values: Any) -> str:
        """Where ``values`` (laid out like the unknowns) hold NaN/Inf; "" if nowhere."""
        p = self.problem
        return nonfinite(p.domain, p.W, values, {"q": p.q_dofs, "T": p.T_dofs})

    def undo(self, t: float) -> None:
        self.problem.t.value = t  # Newton left u at its initial guess

    def accept(self, dt: float) -> float:
        u, u_n, u_nn = self.problem.u, self.problem.u_n, self.problem.u_nn
        change = relative_change(u.x.array, u_n.x.array, dt, self.problem.domain.comm)
        u_nn.x.array[:] = u_n.x.array
        u_n.x.array[:] = u.x.array
        return change


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
    return march(LKStepper(problem), settings, on_step)
