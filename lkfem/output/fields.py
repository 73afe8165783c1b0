"""Fields for the results folder: the functions a model writes (:class:`OutputFields`) and one
XDMF file holding the mesh, its region tags and those functions over time (:class:`FieldWriter`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dolfinx import fem, io

from lkfem.core.domain import Domain

__all__ = ["OutputFields", "FieldWriter", "write_fields"]


class OutputFields:
    """Named functions on spaces XDMF can hold (P1 or cellwise constant): T and q first, then
    whatever else a physics shows. :meth:`update` refreshes them from the model's state."""

    def __init__(self, T: fem.Function, q: fem.Function, *extra: fem.Function):
        self.T, self.q = T, q
        self.functions: list[fem.Function] = [T, q, *extra]

    def update(self) -> None:
        """Refresh the functions from the model (nothing to do when they are the state)."""


class FieldWriter:
    """``fields.xdmf``: the mesh and region tags once, then the output functions at each call
    of :meth:`write`. With ``path`` None it only refreshes the functions."""

    def __init__(self, path: Path | None, domain: Domain, fields: OutputFields):
        self.fields = fields
        self.file = None
        if path is not None:
            mesh = domain.mesh
            self.file = io.XDMFFile(mesh.comm, str(path), "w")
            self.file.write_mesh(mesh)
            mesh.topology.create_connectivity(mesh.topology.dim - 1, mesh.topology.dim)
            self.file.write_meshtags(domain.cell_tags, mesh.geometry)

    def write(self, t: float) -> None:
        self.fields.update()
        if self.file is not None:
            for f in self.fields.functions:
                self.file.write_function(f, t)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def write_fields(path: Path, domain: Domain, functions: Sequence[fem.Function]) -> None:
    """Write the mesh, its region tags and ``functions`` to one XDMF file (ParaView opens it)."""
    mesh = domain.mesh
    mesh.topology.create_connectivity(mesh.topology.dim - 1, mesh.topology.dim)
    with io.XDMFFile(domain.comm, str(path), "w") as xdmf:
        xdmf.write_mesh(mesh)
        xdmf.write_meshtags(domain.cell_tags, mesh.geometry)
        for f in functions:
            xdmf.write_function(f)
