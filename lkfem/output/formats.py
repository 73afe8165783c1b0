"""The field formats of a results folder, each a writer with ``write(t)``, ``close()`` and the
``files`` it makes:

- ``xdmf``: ``fields.xdmf`` + ``fields.h5``, the mesh, region tags and the P1/DG0 fields
  (ParaView, VisIt; dolfinx reads the mesh back);
- ``vtx``: ``fields.bp`` (ADIOS2), the fields at the solver's own degree (Taylor–Hood q in P2,
  say), which ParaView ≥ 5.10 shows as higher-order cells; cellwise fields go to
  ``fields_cells.bp`` where the dolfinx of the run cannot mix them in (0.9);
- ``vtu``: ``fields.pvd`` + ``fields/step_NNNNNN.vtu`` (:mod:`lkfem.output.vtu`), what pyvista
  and meshio read back in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dolfinx import fem, io

from lkfem import _compat
from lkfem.core.domain import Domain
from lkfem.log import logger
from lkfem.output.vtu import VTUSeries

__all__ = ["XDMFOutput", "VTXOutput", "VTUOutput", "open_formats"]


class XDMFOutput:
    """``fields.xdmf``: the mesh and region tags once, then the functions at each write."""

    def __init__(self, path: Path, domain: Domain, functions: Sequence[fem.Function]):
        mesh = domain.mesh
        self.functions = list(functions)
        self.path, self.comm = path, mesh.comm
        self.files = [path.name, path.with_suffix(".h5").name]
        self.file = io.XDMFFile(mesh.comm, str(path), "w")
        self.file.write_mesh(mesh)
        mesh.topology.create_connectivity(mesh.topology.dim - 1, mesh.topology.dim)
        self.file.write_meshtags(domain.cell_tags, mesh.geometry)

    def write(self, t: float) -> None:
        for f in self.functions:
            self.file.write_function(f, t)

    def flush(self) -> None:
        """Close and reopen (appending): what the file holds so far is readable on disk."""
        self.file.close()
        self.file = io.XDMFFile(self.comm, str(self.path), "a")

    def close(self) -> None:
        self.file.close()


class VTXOutput:
    """``fields.bp``: ``functions`` at their own degree in one ADIOS2 file (VTX).

    One VTXWriter takes one element, so every point field is interpolated (exactly) into the
    highest-degree Lagrange space among them: continuous, or discontinuous where any field is
    (a DG or Raviart–Thomas flux). Cellwise-constant fields join them where dolfinx allows
    (:func:`lkfem._compat.vtx_mixes_cellwise`), else go to ``fields_cells.bp``.
    """

    def __init__(self, path: Path, domain: Domain, functions: Sequence[fem.Function]):
        mesh = domain.mesh
        cellwise = [f for f in functions if _degree(f) == 0]
        points = [f for f in functions if _degree(f) > 0]
        self.copies: list[tuple[fem.Function, fem.Function]] = []
        groups: list[tuple[Path, list[fem.Function]]] = []
        if points:
            degree = max(max(_degree(f) for f in points), _compat.geometry_degree(mesh))
            broken = any(_discontinuous(f) for f in points)
            targets = [self._target(f, mesh, degree, broken) for f in points]
            groups.append((path, targets))
        if cellwise:
            if groups and _compat.vtx_mixes_cellwise():
                groups[0][1].extend(cellwise)
            else:
                groups.append((path.with_name(f"{path.stem}_cells.bp"), cellwise))
        self.files = [p.name for p, _ in groups]
        self.writers = [_compat.vtx_writer(mesh.comm, p, fs) for p, fs in groups]

    def _target(self, f: fem.Function, mesh, degree: int, broken: bool) -> fem.Function:  # type: ignore[no-untyped-def]
        family = "DG" if broken else "Lagrange"
        if _degree(f) == degree and _discontinuous(f) == broken and _lagrange(f):
            return f
        space = fem.functionspace(mesh, (family, degree, tuple(f.ufl_shape)))
        copy = fem.Function(space, name=f.name)
        self.copies.append((f, copy))
        return copy

    def write(self, t: float) -> None:
        for source, copy in self.copies:
            copy.interpolate(source)
        for writer in self.writers:
            writer.write(t)

    def close(self) -> None:
        for writer in self.writers:
            writer.close()


class VTUOutput(VTUSeries):
    """``fields.pvd`` + ``fields/``: see :class:`lkfem.output.vtu.VTUSeries`."""

    def __init__(self, path: Path, domain: Domain, functions: Sequence[fem.Function]):
        super().__init__(path, domain, functions)
        self.files = [self.path.name, f"{self.folder.name}/"]


def open_formats(
    path: Path,
    domain: Domain,
    functions: Sequence[fem.Function],
    native: Sequence[fem.Function],
    formats: Sequence[str],
) -> list[XDMFOutput | VTXOutput | VTUOutput]:
    """The writers of ``formats`` for the fields named like ``path`` (``fields.xdmf``):
    ``functions`` (P1/DG0) for XDMF and VTU, ``native`` (the solver's degree) for VTX."""
    writers: list[XDMFOutput | VTXOutput | VTUOutput] = []
    try:
        for name in formats:
            _open(name, path, domain, functions, native, writers)
    except BaseException:
        for writer in writers:  # ADIOS2 aborts if its folder goes before the writer closes
            writer.close()
        raise
    return writers


def _open(
    name: str,
    path: Path,
    domain: Domain,
    functions: Sequence[fem.Function],
    native: Sequence[fem.Function],
    writers: list,
) -> None:
    """Append the writer of format ``name`` to ``writers``."""
    if name == "xdmf":
        writers.append(XDMFOutput(path.with_suffix(".xdmf"), domain, functions))
    elif name == "vtx":
        if not _compat.has_adios2():
            logger.warning("no fields.bp: this dolfinx has no ADIOS2 (VTX output)")
            return
        writers.append(VTXOutput(path.with_suffix(".bp"), domain, native))
    elif name == "vtu":
        writers.append(VTUOutput(path.with_suffix(".pvd"), domain, functions))
    else:
        raise ValueError(f"unknown field format {name!r} (xdmf, vtx or vtu)")


def _degree(f: fem.Function) -> int:
    return int(f.function_space.ufl_element().embedded_superdegree)


def _discontinuous(f: fem.Function) -> bool:
    element = f.function_space.ufl_element()
    return bool(element.discontinuous) or not _lagrange(f)


def _lagrange(f: fem.Function) -> bool:
    return f.function_space.ufl_element().family_name in ("P", "Q", "Lagrange", "DG", "DQ")
