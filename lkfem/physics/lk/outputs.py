"""The written fields of an LK problem: T and q interpolated to spaces XDMF can hold (P1, or
cellwise constant for the ``hdiv`` and ``primal`` fluxes)."""

from __future__ import annotations

from dolfinx import fem

from lkfem import _compat
from lkfem.output.fields import OutputFields
from lkfem.physics.lk.problem import LKProblem

__all__ = ["LKOutputs"]


class LKOutputs(OutputFields):
    """T and q of ``problem``, refreshed by :meth:`update`."""

    def __init__(self, problem: LKProblem):
        self.problem = problem
        mesh = problem.domain.mesh
        gdim = mesh.geometry.dim
        continuous = problem.element != "hdiv"
        T = fem.Function(
            fem.functionspace(mesh, ("Lagrange", 1) if continuous else ("DG", 0)), name="T"
        )
        q_space = (
            ("Lagrange", 1, (gdim,)) if problem.element == "taylor_hood" else ("DG", 0, (gdim,))
        )
        q = fem.Function(fem.functionspace(mesh, q_space), name="q")
        super().__init__(T, q)
        self._q_expression = None
        if gdim == 1:  # the 1D mixed space's q does not interpolate into (1,)-shaped DG
            self._q_expression = _compat.expression(problem.split()[0], q.function_space)
        # The VTX output shows T and q at the solver's degree (q in P2 for Taylor–Hood).
        for name, space, written in (("T", problem.V_T, T), ("q", problem.V_q, q)):
            if space.ufl_element() != written.function_space.ufl_element():
                self.native_of[name] = fem.Function(space, name=name)

    def update(self) -> None:
        q, T = self.problem.split()
        self.T.interpolate(T)
        if self._q_expression is not None:  # 1D: q's sub-element does not match (1,)-shaped DG
            self.q.interpolate(self._q_expression)
        else:
            self.q.interpolate(q)
        for name, value in (("T", T), ("q", q)):
            if name in self.native_of:
                self.native_of[name].x.array[:] = value.x.array
