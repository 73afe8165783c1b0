"""Reading mesh files: gmsh ``.msh`` through gmsh, every other format through meshio.

A ``.msh`` file (format 2 or 4, ASCII or binary) is merged into gmsh; its physical groups are the
regions (of the mesh's dimension: volumes, surfaces of a 2D mesh in the plane z = const, curves
of a 1D mesh along x) and boundaries (one dimension lower), named by their physical names
(``region_<tag>`` and ``boundary_<tag>`` where a group has no name). Any other file meshio
reads (``.vtu``, ``.vtk``, ``.xdmf``, ``.med``, ``.mesh``, ``.inp``, …), 1D, 2D or 3D, is read
with meshio on one rank (:mod:`lkfem.mesh.meshio_files`: where its regions and boundaries and
their names come from).

The mesh is loaded into a gmsh model and distributed by :func:`lkfem.core.domain.from_gmsh`. Before
that, on the reading rank and on the raw arrays, every volume cell is checked
(:mod:`lkfem.mesh.cells`): inverted or flat cells are a :class:`MeshError` naming how many there
are and where the first one is.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from mpi4py import MPI

from lkfem.core.domain import Domain
from lkfem.errors import MeshError
from lkfem.mesh.cells import DEGENERATE_VOLUME, check_cells
from lkfem.mesh.checks import check_cell_types
from lkfem.mesh.gmsh import from_gmsh
from lkfem.mesh.meshio_files import load_meshio

__all__ = ["read_mesh", "format_problem", "DEGENERATE_VOLUME"]


def format_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be a mesh file by its name, or None if lkfem can try to read it."""
    name = os.fspath(path).lower()
    if name.endswith(".msh"):
        return None
    try:
        import meshio
    except ImportError:
        return "only gmsh .msh files can be read here: other formats need meshio"

    suffixes = sorted(meshio.extension_to_filetypes, key=len, reverse=True)
    if any(name.endswith(s) for s in suffixes):
        return None
    suffix = os.path.splitext(name)[1] or "(none)"
    return (
        f"unsupported mesh format '{suffix}' (use a gmsh .msh file or a format meshio reads: "
        ".vtu, .vtk, .xdmf, .med, .mesh, .inp, …)"
    )


def read_mesh(
    filename: str | os.PathLike,
    comm: MPI.Comm = MPI.COMM_WORLD,
    rank: int = 0,
    *,
    gdim: int | None = None,
    scale: float | None = None,
    max_cells: int | None = None,
) -> Domain:
    """Read a mesh file with named regions on ``rank``, check its cells and distribute it.

    Args:
        filename: a gmsh ``.msh`` file or any 1D, 2D or 3D mesh meshio reads (see the module
            docs for how regions and boundaries are found and named).
        comm: communicator to distribute the mesh over.
        rank: the rank that reads the file.
        gdim: geometric dimension (None: the mesh's own).
        scale: multiplies the coordinates (0.001 for a part drawn in mm; None: 1, with a
            warning when the part looks drawn in mm).
        max_cells: the most cells accepted (see :func:`lkfem.mesh.checks.guard_size`).

    Raises:
        MeshError: the file is missing, unreadable, has no region data or no cells, is a 2D
            mesh off a plane z = const (1D: off the x axis), has inverted or degenerate volume
            cells, cells in two regions or boundary facets off the mesh, or more cells than
            ``max_cells``.
    """
    path = os.fspath(filename)

    def populate(model: Any) -> None:
        if not os.path.isfile(path):
            raise MeshError(f"{path}: no such mesh file")
        if path.lower().endswith(".msh"):
            _load_msh(path, model)
        else:
            load_meshio(path, model)

    return from_gmsh(populate, comm, rank, gdim=gdim, label=path, scale=scale, max_cells=max_cells)


#: gmsh's element names (first word, lower case) -> the kinds of lkfem.mesh.cells.check_cells
_KINDS = {
    "tetrahedron": "tetra",
    "hexahedron": "hexahedron",
    "triangle": "triangle",
    "quadrilateral": "quad",
    "line": "line",
}

# --- gmsh files ---------------------------------------------------------------------------------


def _load_msh(path: str, model: Any) -> None:
    import gmsh

    try:
        gmsh.merge(path)
    except Exception as exc:  # gmsh says what is wrong, with the file name and line
        raise MeshError(f"{path}: cannot read the mesh ({exc})") from None
    tags, _, _ = model.mesh.getNodes()
    if tags.size and (tags.min() != 1 or tags.max() != tags.size):
        model.mesh.renumberNodes()  # dolfinx wants the node tags 1..N
    tdim = model.getDimension()
    if tdim not in (1, 2, 3):
        return  # from_gmsh reports the dimension
    if tdim != 3:
        check_cell_types(path, model)  # lines, or triangles or quadrilaterals, of one type
    groups = model.getPhysicalGroups(tdim)
    if not groups:
        return  # from_gmsh reports the missing names
    node_tags, coords, _ = model.mesh.getNodes()
    x = np.zeros((int(node_tags.max()) + 1, 3))
    x[node_tags] = coords.reshape(-1, 3)
    blocks: dict[str, list[tuple[np.ndarray, np.ndarray, str]]] = {}
    for dim, tag in groups:
        name = model.getPhysicalName(dim, tag) or f"region_{tag}"
        for entity in model.getEntitiesForPhysicalGroup(dim, tag):
            for etype, etags, enodes in zip(*model.mesh.getElements(dim, entity), strict=True):
                ename, _, _, num_nodes, _, corners = model.mesh.getElementProperties(etype)
                if _KINDS.get(ename.split()[0].lower()) is None:
                    raise MeshError(
                        f"{path}: '{ename}' cells are not supported (tetrahedra and hexahedra are)"
                    )
                cells = enodes.reshape(-1, num_nodes)[:, :corners]
                blocks.setdefault(ename, []).append((cells, etags, name))
    if not blocks:
        return  # named groups without cells: from_gmsh and dolfinx report it
    if len(blocks) > 1:
        raise MeshError(f"{path}: mixed volume cell types ({', '.join(sorted(blocks))})")
    ((ename, parts),) = blocks.items()
    names = sorted({name for _, _, name in parts})
    check_cells(
        path,
        x,
        np.concatenate([c for c, _, _ in parts]),
        _KINDS[ename.split()[0].lower()],
        ids=np.concatenate([t for _, t, _ in parts]),
        regions=np.concatenate([np.full(t.size, names.index(n)) for _, t, n in parts]),
        region_names=names,
        what="element",
    )


def read_msh(
    filename: str | os.PathLike,
    comm: MPI.Comm = MPI.COMM_WORLD,
    rank: int = 0,
    *,
    gdim: int | None = None,
) -> Domain:
    """Read a gmsh ``.msh`` file (format 2 or 4) with physical names, on ``rank``: the same as
    :func:`read_mesh`, which reads these and other formats and checks the cells."""
    return read_mesh(filename, comm, rank, gdim=gdim)
