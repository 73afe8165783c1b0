"""A heat superconductor in the shared time loop (:func:`lkfem.stepping.march`): a step solves
the reservoirs and the rod temperatures T_s together, and θ; accepting it advances the phases
(trapezoidal rule, phase slips) and the history."""

from __future__ import annotations

from typing import Any

import numpy as np

from lkfem.core.finite import nonfinite
from lkfem.errors import SolverError
from lkfem.stepping import StepOutcome, relative_change

__all__ = ["SuperconductorStepper"]


class SuperconductorStepper:
    """Steps a :class:`~lkfem.physics.superconductor.model.HeatSuperconductor` (``sc``).

    ``info`` holds the last step's ω0, link torques, heats and T_s rates, which
    :meth:`HeatSuperconductor.record` reports.
    """

    def __init__(self, sc: Any):
        self.sc = sc
        sc.omegas(
            when="at the initial rod temperature (the κ_SN-weighted mean of its contacts' "
            "initial T unless [superconductor.initial] Ts is given)"
        )
        self.info: dict[str, Any] | None = None
        self._phases: list[float] = []

    def time(self) -> float:
        return float(self.sc.problem.t.value)

    def attempt(
        self, t: float, dt: float, alpha: tuple[float, float, float], *, may_fail: bool
    ) -> StepOutcome:
        self._phases = [float(p.phi.value) for p in self.sc.pieces]
        try:
            self.info = self.sc.advance(alpha, dt, t)
        except SolverError as exc:
            if not may_fail:
                raise
            return StepOutcome(False, reason=str(exc), nonfinite=self._nonfinite())
        bad = self._nonfinite()
        return StepOutcome(not bad, 1, 0, nonfinite=bad)

    def _nonfinite(self) -> str:
        """Where the reservoirs' unknowns or the rod temperatures hold NaN/Inf."""
        sc, problem = self.sc, self.sc.problem
        where = nonfinite(
            sc.domain, problem.W, problem.u.x.array, {"q": problem.q_dofs, "T": problem.T_dofs}
        )
        if not np.isfinite(sc.Ts).all():
            where = ", ".join(filter(None, [where, "T_s of the rods"]))
        return where

    def undo(self, t: float) -> None:
        sc = self.sc
        for piece, phase in zip(sc.pieces, self._phases, strict=True):
            piece.phi.value = phase
        sc.problem.t.value = t
        sc.problem.u.x.array[:] = sc.problem.u_n.x.array
        sc.set_temperatures(sc.Ts_n.copy())

    def accept(self, dt: float) -> float:
        sc, problem = self.sc, self.sc.problem
        assert self.info is not None
        sc.advance_phases(dt, self.info["omega"])
        change = relative_change(problem.u.x.array, problem.u_n.x.array, dt, sc.domain.comm)
        problem.u_nn.x.array[:] = problem.u_n.x.array
        problem.u_n.x.array[:] = problem.u.x.array
        sc.Ts_nn, sc.Ts_n = sc.Ts_n, sc.Ts.copy()
        return change
