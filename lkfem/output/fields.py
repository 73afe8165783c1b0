"""Fields for the results folder: the functions a model writes (:class:`OutputFields`) and the
files holding the mesh, its region tags and those functions over time (:class:`FieldWriter`):
XDMF, VTX (ADIOS2) and VTU (:mod:`lkfem.output.formats`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dolfinx import fem, io

from lkfem.core.domain import Domain
from lkfem.output.aside import set_aside
from lkfem.output.formats import open_formats

__all__ = ["OutputFields", "FieldWriter", "write_fields"]


class OutputFields:
    """Named functions on spaces XDMF can hold (P1 or cellwise constant): T and q first, then
    whatever else a physics shows. :meth:`update` refreshes them from the model's state.

    ``native_of`` maps a field's name to the same field at the solver's own degree (a
    Taylor–Hood q in P2), which the VTX output writes instead (:attr:`native`)."""

    def __init__(self, T: fem.Function, q: fem.Function, *extra: fem.Function):
        self.T, self.q = T, q
        self.functions: list[fem.Function] = [T, q, *extra]
        self.native_of: dict[str, fem.Function] = {}

    @property
    def native(self) -> list[fem.Function]:
        """The fields at their own degree, in the order of :attr:`functions`."""
        return [self.native_of.get(f.name, f) for f in self.functions]

    def update(self) -> None:
        """Refresh the functions from the model (nothing to do when they are the state)."""


class FieldWriter:
    """The fields' files: ``fields.xdmf`` (+ ``.h5``) and, with ``formats``, ``fields.bp`` (VTX)
    and ``fields.pvd`` (+ ``fields/``, VTU), named after ``path``; each :meth:`write` adds the
    output functions at time t. With ``path`` None it only refreshes the functions.

    Args:
        path: the XDMF file (the others take its stem), or None.
        domain: the mesh and its region tags.
        fields: what is written.
        formats: some of ``xdmf``, ``vtx``, ``vtu`` (:mod:`lkfem.output.formats`).
        restart_at: a run continued from a checkpoint at this time, on a mesh read back from
            it: the earlier files are set aside as ``fields-K.*`` with their snapshots up to
            ``restart_at`` (:func:`lkfem.output.aside.set_aside`; ``saved_xml``: the XDMF
            file's XML as saved with the checkpoint), and ``path`` starts again from there.
    """

    def __init__(
        self,
        path: Path | None,
        domain: Domain,
        fields: OutputFields,
        formats: Sequence[str] = ("xdmf",),
        *,
        restart_at: float | None = None,
        saved_xml: str | None = None,
    ):
        self.fields = fields
        self.writers = []
        self.path, self.comm = path, domain.comm
        if path is not None and restart_at is not None:
            if domain.comm.rank == 0:
                set_aside(Path(path), restart_at, saved_xml)
            domain.comm.barrier()
        if path is not None:
            self.writers = open_formats(
                Path(path), domain, fields.functions, fields.native, formats
            )
        #: The names of the files (and folders, ending in /) written, relative to the folder.
        self.files: list[str] = [name for writer in self.writers for name in writer.files]

    def write(self, t: float) -> None:
        self.fields.update()
        for writer in self.writers:
            writer.write(t)

    def xml(self) -> str | None:
        """The XDMF file's XML as it is on disk (rank 0; None elsewhere or without one)."""
        if self.path is None or self.comm.rank != 0:
            return None
        xdmf = Path(self.path).with_suffix(".xdmf")
        return xdmf.read_text() if xdmf.exists() else None

    def flush(self) -> None:
        """Make what the files hold so far readable on disk (before a checkpoint)."""
        for writer in self.writers:
            flush = getattr(writer, "flush", None)
            if flush is not None:
                flush()

    def close(self) -> None:
        for writer in self.writers:
            writer.close()
        self.writers = []


def write_fields(path: Path, domain: Domain, functions: Sequence[fem.Function]) -> None:
    """Write the mesh, its region tags and ``functions`` to one XDMF file (ParaView opens it)."""
    mesh = domain.mesh
    mesh.topology.create_connectivity(mesh.topology.dim - 1, mesh.topology.dim)
    with io.XDMFFile(domain.comm, str(path), "w") as xdmf:
        xdmf.write_mesh(mesh)
        xdmf.write_meshtags(domain.cell_tags, mesh.geometry)
        for f in functions:
            xdmf.write_function(f)
