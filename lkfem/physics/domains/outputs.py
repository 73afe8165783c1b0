"""The written fields of thermal domains: q, |q|, q's angle in the plane (2D and 3D: atan2 of
its first two components) and T (the bath or sweep for relax/conserved, the solved T when
coupled), on P1."""

from __future__ import annotations

import numpy as np
from dolfinx import fem

import lkfem._compat as _compat
from lkfem.output.fields import OutputFields
from lkfem.physics.domains.problem import DomainsProblem

__all__ = ["DomainsFields"]


class DomainsFields(OutputFields):
    """T, q, ``abs_q`` and ``angle`` of ``problem``, refreshed by :meth:`update`."""

    def __init__(self, problem: DomainsProblem):
        self.problem = problem
        mesh = problem.domain.mesh
        gdim = problem.gdim
        V1 = fem.functionspace(mesh, ("Lagrange", 1))
        T = fem.Function(V1, name="T")
        q = fem.Function(fem.functionspace(mesh, ("Lagrange", 1, (gdim,))), name="q")
        self.abs_q = fem.Function(V1, name="abs_q")
        extra = [self.abs_q]
        self.angle = None
        if gdim >= 2:
            self.angle = fem.Function(V1, name="angle")
            extra.append(self.angle)
        super().__init__(T, q, *extra)
        self._T_expr = None
        if problem.variant != "coupled":
            self._T_expr = _compat.expression(problem.T_now, V1)

    def update(self) -> None:
        p = self.problem
        q, s = p.split()
        self.q.interpolate(q)
        if p.variant == "coupled":
            self.T.interpolate(s)
        else:
            self.T.interpolate(self._T_expr)
        values = self.q.x.array.reshape(-1, p.gdim)
        self.abs_q.x.array[:] = np.linalg.norm(values, axis=1)
        if self.angle is not None:
            self.angle.x.array[:] = np.arctan2(values[:, 1], values[:, 0])
