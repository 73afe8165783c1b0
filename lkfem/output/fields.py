"""Fields for the results folder: the functions a model writes (:class:`OutputFields`) and one
XDMF file holding the mesh, its region tags and those functions over time (:class:`FieldWriter`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
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
    of :meth:`write`. With ``path`` None it only refreshes the functions.

    With ``restart_at`` (a run continued from a checkpoint at that time, on a mesh read back
    from it) the earlier file moves to ``fields-K.xdmf`` (``-K.h5``, K = 1, 2, …), keeping its
    snapshots up to ``restart_at`` (its XML as saved with the checkpoint, ``saved_xml``), and
    ``path`` starts again from there.
    """

    def __init__(
        self,
        path: Path | None,
        domain: Domain,
        fields: OutputFields,
        *,
        restart_at: float | None = None,
        saved_xml: str | None = None,
    ):
        self.fields = fields
        self.file = None
        self.path, self.comm = path, domain.comm
        if path is not None and restart_at is not None:
            if domain.comm.rank == 0 and path.exists():
                _set_aside(path, restart_at, saved_xml)
            domain.comm.barrier()
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

    def xml(self) -> str | None:
        """The XDMF file's XML as it is on disk (rank 0; None elsewhere or without a file)."""
        if self.path is None or self.comm.rank != 0 or not self.path.exists():
            return None
        return self.path.read_text()

    def flush(self) -> None:
        """Close and reopen the file (appending), so that what it holds so far is on disk in a
        readable state (before a checkpoint)."""
        if self.file is not None:
            self.file.close()
            self.file = io.XDMFFile(self.comm, str(self.path), "a")

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def _set_aside(path: Path, t: float, saved: str | None) -> None:
    """Move ``path`` (XDMF; its XML ``saved`` if given) and its HDF5 file to the first free
    ``NAME-K``, dropping the snapshots after ``t``."""
    k = 1
    while path.with_name(f"{path.stem}-{k}.xdmf").exists():
        k += 1
    xdmf, h5 = path.with_name(f"{path.stem}-{k}.xdmf"), path.with_name(f"{path.stem}-{k}.h5")
    ET.register_namespace("xi", "https://www.w3.org/2001/XInclude")
    tree = ET.ElementTree(ET.fromstring(saved)) if saved else ET.parse(path)
    for collection in tree.iter("Grid"):
        if collection.get("CollectionType") != "Temporal":
            continue
        for grid in list(collection):
            time = grid.find("Time")
            if time is not None and float(time.get("Value", "0")) > t * (1 + 1e-12) + 1e-300:
                collection.remove(grid)
    for item in tree.iter("DataItem"):
        if item.text and item.text.strip().startswith(f"{path.stem}.h5:"):
            item.text = item.text.replace(f"{path.stem}.h5:", f"{h5.name}:", 1)
    tree.write(xdmf, xml_declaration=True, encoding="utf-8")
    path.unlink()
    if path.with_suffix(".h5").exists():
        path.with_suffix(".h5").rename(h5)


def write_fields(path: Path, domain: Domain, functions: Sequence[fem.Function]) -> None:
    """Write the mesh, its region tags and ``functions`` to one XDMF file (ParaView opens it)."""
    mesh = domain.mesh
    mesh.topology.create_connectivity(mesh.topology.dim - 1, mesh.topology.dim)
    with io.XDMFFile(domain.comm, str(path), "w") as xdmf:
        xdmf.write_mesh(mesh)
        xdmf.write_meshtags(domain.cell_tags, mesh.geometry)
        for f in functions:
            xdmf.write_function(f)
