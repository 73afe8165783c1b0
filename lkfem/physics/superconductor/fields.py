"""The written fields of a heat superconductor: the reservoirs' T and q (T shows each rod
piece's T_s inside it), θ (P1), j_s = −κ ω0 ∇θ and T_s (cellwise constant)."""

from __future__ import annotations

from typing import Any

import numpy as np
from dolfinx import fem, la

from lkfem.physics.lk.outputs import LKOutputs

__all__ = ["SuperconductorFields"]


class SuperconductorFields(LKOutputs):
    """T, q, θ, j_s and T_s of a :class:`~lkfem.physics.superconductor.model.HeatSuperconductor`
    ``sc``; write them with :class:`lkfem.output.fields.FieldWriter`."""

    def __init__(self, sc: Any):
        super().__init__(sc.problem)
        self.sc = sc
        mesh = sc.domain.mesh
        self.theta = fem.Function(sc.pieces[0].twist.V, name="theta")
        self.j_s = fem.Function(
            fem.functionspace(mesh, ("DG", 0, (mesh.geometry.dim,))), name="j_s"
        )
        self.Ts = fem.Function(fem.functionspace(mesh, ("DG", 0)), name="T_s")
        self.functions += [self.theta, self.j_s, self.Ts]
        self.native_of.pop("T", None)  # T shows T_s in the rods: only the written T is right
        # T inside a rod piece (the dofs touching no reservoir cell on any rank) shows the
        # piece's T_s.
        domain, dofmap = sc.domain, self.T.function_space.dofmap.list
        rods = {region for piece in sc.pieces for region in piece.regions}
        marker = fem.Function(self.T.function_space)
        for region in domain.regions:
            if region not in rods:
                marker.x.array[np.unique(dofmap[domain.region_cells(region)])] = 1.0
        marker.x.scatter_reverse(la.InsertMode.add)  # a reservoir cell seen by another rank
        marker.x.scatter_forward()
        on_reservoir = marker.x.array > 0
        self.rod_dofs = []
        for piece in sc.pieces:
            cells = np.concatenate([domain.region_cells(r) for r in piece.regions])
            dofs = np.unique(dofmap[cells])
            self.rod_dofs.append(dofs[~on_reservoir[dofs]])

    def update(self) -> None:
        super().update()
        for piece, dofs in zip(self.sc.pieces, self.rod_dofs, strict=True):
            self.T.x.array[dofs] = float(piece.Ts.value)
        theta, j_s = self.sc.supercurrent()
        self.theta.x.array[:] = theta.x.array
        self.j_s.x.array[:] = j_s.x.array
        for piece in self.sc.pieces:
            for region in piece.regions:
                self.Ts.x.array[self.sc.domain.region_cells(region)] = float(piece.Ts.value)
        self.Ts.x.scatter_forward()
