"""Thermal domains in the shared time loop (:func:`lkfem.stepping.march`): one convex-splitting
step per attempt, refused (so that the loop cuts Δt) when the free energy would rise, or, with
an adaptive Δt, when q changes by more than ``max_change`` of its size. The loop grows Δt when
Newton needs few iterations: fast during the ordering, large during the slow coarsening."""

from __future__ import annotations

import math

from lkfem.core.finite import nonfinite
from lkfem.errors import SolverError
from lkfem.physics.domains.problem import DomainsProblem
from lkfem.stepping import StepLimit, StepOutcome, StepRecord, TimeSettings, march, relative_change

__all__ = ["DomainsStepper", "relax_to_steady"]


class DomainsStepper:
    """Steps a :class:`DomainsProblem`; the BDF weights of the loop are not used (the
    convex splitting is a backward-Euler step, energy stable for any Δt).

    Attributes:
        rise: the last accepted step's rise of the decreasing functional, relative to |F|.
        worst_rise: the largest of those so far.
        cuts: attempts refused for a rising F or a too large change.
    """

    def __init__(
        self,
        problem: DomainsProblem,
        *,
        energy_tol: float = 1e-9,
        max_change: float | None = None,
    ):
        self.problem = problem
        self.energy_tol, self.max_change = energy_tol, max_change
        self.rise = 0.0
        self.worst_rise = 0.0
        self.cuts = 0

    def time(self) -> float:
        return float(self.problem.t.value)

    def attempt(
        self, t: float, dt: float, alpha: tuple[float, float, float], *, may_fail: bool
    ) -> StepOutcome:
        p = self.problem
        info = p.step(t, dt)
        its, lin = info.iterations, info.linear_iterations
        if info.reason <= 0:
            reason = f"Newton: {info.reason_name} after {its} iterations"
            return self._fail(reason, may_fail, its, lin, nonfinite=self._nonfinite())
        bad = self._nonfinite()
        if bad:
            return StepOutcome(False, its, lin, nonfinite=bad)
        rise, scale = p.energy_rise()
        relative = max(rise, 0.0) / scale
        if relative > self.energy_tol:
            self.cuts += 1
            return self._fail(
                f"the free energy would rise by {relative:.3g} of |F|", may_fail, its, lin
            )
        if self.max_change is not None and p.change() > self.max_change:
            self.cuts += 1
            return self._fail(
                f"q would change by more than max_change = {self.max_change:g} of max|q|",
                may_fail,
                its,
                lin,
            )
        self.rise = relative
        return StepOutcome(True, its, lin)

    def _fail(
        self, reason: str, may_fail: bool, its: int, lin: int, nonfinite: str = ""
    ) -> StepOutcome:
        if not may_fail and not nonfinite:
            raise SolverError(reason)
        return StepOutcome(False, its, lin, reason, nonfinite)

    def _nonfinite(self) -> str:
        p = self.problem
        parts = {"q": p.q_dofs}
        if p.V_s is not None:
            parts["T" if p.variant == "coupled" else "p"] = p.s_dofs
        return nonfinite(p.domain, p.W, p.u.x.array, parts)

    def undo(self, t: float) -> None:
        self.problem.undo(t)

    def accept(self, dt: float) -> float:
        p = self.problem
        change = relative_change(p.u.x.array[p.q_dofs], p.u_n.x.array[p.q_dofs], dt, p.domain.comm)
        self.worst_rise = max(self.worst_rise, self.rise)
        p.accept()
        return change


def relax_to_steady(
    stepper: DomainsStepper, *, dt: float, tol: float, max_steps: int
) -> list[StepRecord]:
    """March ``stepper`` in pseudo-time with an adaptive Δt (from ``dt``; grown while Newton
    needs at most 3 iterations, q changing by at most the stepper's ``max_change``) until
    ‖Δq‖∞/(Δt ‖q‖∞) < ``tol``: a steady state, a local minimum of F.

    Raises:
        SolverError: no steady state within ``max_steps`` steps.
    """
    settings = TimeSettings(
        t_end=math.inf,
        dt=dt,
        scheme="backward_euler",
        adaptive=True,
        grow_below=4,
        shrink_above=8,
        growth=1.5,
        steady_tol=tol,
        max_steps=max_steps,
    )
    try:
        return march(stepper, settings)
    except StepLimit:
        raise SolverError(
            f"no steady state after [domains] steady_steps = {max_steps} pseudo-time steps "
            "(give more, or a larger steady_tol)"
        ) from None
