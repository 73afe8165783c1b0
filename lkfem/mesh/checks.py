"""Checks of a gmsh model before dolfinx sees it, so that a bad mesh is a message and not a crash.

dolfinx's gmsh reader aborts the process (``malloc(): mismatching next->prev_size``) when a cell
sits in two physical groups of cells and fails inside MPI (``MPI_ERR_RANK``) when a physical group
of facets holds facets that bound no cell, or when a node of a cell is numbered after a node of
no cell; all are found or fixed here first. The checks work in every
dimension of :data:`DIMENSIONS`: the cells are tetrahedra or hexahedra (3D, facets are triangles or
quadrilaterals), triangles or quadrilaterals (2D, facets are lines) or lines (1D, facets are
points). :func:`check_flat` refuses a 2D mesh that does not lie in a plane z = const (and a 1D
mesh off a line along x), and :func:`guard_size` refuses a mesh above the cell limit before it
is made or distributed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lkfem.errors import MeshError
from lkfem.log import logger

__all__ = [
    "DIMENSIONS",
    "DEFAULT_MAX_CELLS",
    "BYTES_PER_CELL",
    "MM_HINT",
    "check_dimension",
    "check_flat",
    "check_cell_types",
    "check_model",
    "guard_size",
    "estimate_cells",
    "scale_model",
]

#: The mesh dimensions lkfem solves on (lines, surfaces in the plane z = 0, volumes).
DIMENSIONS = (1, 2, 3)
#: Cells allowed by default (``[mesh] max_cells`` or ``lkfem run --max-cells`` raises it).
DEFAULT_MAX_CELLS = 3_000_000
#: Rough memory of a run per tetrahedron (mesh, P1/P2 spaces, matrix, solver) (bytes).
BYTES_PER_CELL = 2_000
#: A part larger than this (m) was probably drawn in millimetres.
MM_HINT = 20.0
#: Cells per h^d of measure in a gmsh mesh of size h, by dimension d (a regular tetrahedron has
#: volume h³/(6√2), an equilateral triangle area √3 h²/4, a line length h).
_CELLS_PER_HD = {3: 6.0 * np.sqrt(2.0), 2: 4.0 / np.sqrt(3.0), 1: 1.0}
#: The words for a physical group of cells and of facets, by dimension.
CELL_WORD = {1: "line", 2: "surface", 3: "volume"}
FACET_WORD = {1: "point", 2: "curve", 3: "surface"}
#: A 2D (1D) mesh is flat when its nodes' z (y and z) spread by less than this × its size.
_FLAT_TOL = 1e-9

# gmsh element name -> how to get its facets: (getElementFaceNodes face type, or 0 for edges,
# or -1 for the end points of a line) and the corners per facet
_FACETS_OF = {
    "tetrahedron": (3, 3),
    "hexahedron": (4, 4),
    "triangle": (0, 2),
    "quadrilateral": (0, 2),
    "line": (-1, 1),
}


def check_dimension(label: str, tdim: int, found: str = "") -> None:
    """Refuse a mesh whose cells of highest dimension are not ``DIMENSIONS``-dimensional."""
    if tdim in DIMENSIONS:
        return
    what = f" ({found})" if found else ""
    raise MeshError(
        f"{label}: a {tdim}D mesh{what}; lkfem solves on 1D, 2D and 3D meshes (lines, triangles "
        "or quadrilaterals, tetrahedra or hexahedra in named physical groups)"
    )


def check_flat(label: str, tdim: int, points: np.ndarray) -> None:
    """Refuse a 2D mesh whose nodes ``points`` (n, 3) do not lie in a plane z = const, or a 1D
    mesh whose nodes are not on a line along x (lkfem keeps the first ``tdim`` coordinates)."""
    if tdim >= 3 or points.size == 0:
        return
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = [max(b - a, 0.0) for a, b in zip(lo, hi, strict=True)]
    size = max(max(span), 1e-300)
    bad = [axis for axis in range(tdim, 3) if span[axis] > _FLAT_TOL * size]
    if bad:
        axes = "xyz"
        where = "in a plane z = const" if tdim == 2 else "on a line along x (y, z const)"
        spans = ", ".join(f"{axes[a]} from {lo[a]:.4g} to {hi[a]:.4g}" for a in bad)
        raise MeshError(
            f"{label}: a {tdim}D mesh must lie {where}; this one spans {spans} (rotate it into "
            "that plane or line)"
        )


_PLANE_KINDS = {2: ("triangle", "quadrilateral"), 1: ("line",)}


def check_cell_types(path: str, model: Any) -> None:
    """A 1D or 2D mesh: its cells are lines, or triangles or quadrilaterals, of one type."""
    tdim = model.getDimension()
    if tdim not in _PLANE_KINDS:
        return  # check_dimension reports it
    found: set[str] = set()
    for _, tag in model.getPhysicalGroups(tdim):
        for entity in model.getEntitiesForPhysicalGroup(tdim, tag):
            for etype in model.mesh.getElements(tdim, entity)[0]:
                ename = model.mesh.getElementProperties(etype)[0]
                if ename.split()[0].lower() not in _PLANE_KINDS[tdim]:
                    raise MeshError(
                        f"{path}: '{ename}' cells are not supported in a {tdim}D mesh "
                        f"({' and '.join(_PLANE_KINDS[tdim])} cells are)"
                    )
                found.add(ename)
    if len(found) > 1:
        raise MeshError(
            f"{path}: mixed cell types ({', '.join(sorted(found))}); dolfinx reads a mesh of one "
            "cell type: mesh with triangles only, or recombine every surface into "
            "quadrilaterals (gmsh: Mesh.RecombineAll = 1)"
        )


def estimate_cells(measure: float, h: float, dim: int = 3) -> float:
    """Cells of a gmsh mesh of size ``h`` (m) filling ``measure`` (m^dim) in ``dim`` dimensions."""
    return _CELLS_PER_HD[dim] * measure / h**dim


def guard_size(label: str, cells: float, max_cells: int | None, *, estimated: bool) -> None:
    """Refuse ``cells`` above ``max_cells`` (None: :data:`DEFAULT_MAX_CELLS`)."""
    limit = DEFAULT_MAX_CELLS if max_cells is None else max_cells
    if cells <= limit:
        return
    memory = cells * BYTES_PER_CELL / 1e9
    how = "about " if estimated else ""
    raise MeshError(
        f"{label}: {how}{cells:.3g} cells (roughly {memory:.3g} GB) is above the limit of "
        f"{limit} cells; use a coarser mesh size, or raise the limit with [mesh] max_cells = N or "
        "lkfem run --max-cells N"
    )


def scale_model(model: Any, scale: float) -> None:
    """Multiply every node coordinate by ``scale``."""
    if scale != 1.0:
        model.mesh.affineTransform([scale, 0, 0, 0, 0, scale, 0, 0, 0, 0, scale, 0])


def check_model(model: Any, label: str, *, scale_given: bool, max_cells: int | None) -> None:
    """Check a meshed gmsh model: its dimension (and flatness in 1D and 2D), the cell limit,
    physical groups of cells that overlap, physical groups of facets with facets that bound no
    cell, and a size that looks like mm.

    Facet entities of a physical group that bound no cell at all are left out of the group with a
    warning (gmsh tutorial t2 names such surfaces); an entity that is only partly made of facets
    of the cells, or cells in two physical groups, are a :class:`MeshError`. The nodes of the
    cells are numbered first (see :func:`_number_used_nodes_first`).
    """
    tdim = model.getDimension()
    check_dimension(label, tdim)
    check_flat(label, tdim, np.asarray(model.mesh.getNodes()[1]).reshape(-1, 3))
    volumes = model.getPhysicalGroups(tdim)
    if not volumes:
        return  # from_gmsh reports the missing names
    count = 0
    owner: dict[int, str] = {}  # volume entity -> its physical group's name
    shared: list[tuple[str, str, int]] = []
    faces = []
    used: list[np.ndarray] = []  # the nodes of the cells of the physical volumes
    for _, tag in volumes:
        name = model.getPhysicalName(tdim, tag) or f"region_{tag}"
        for entity in model.getEntitiesForPhysicalGroup(tdim, tag):
            entity = int(entity)
            types, etags, enodes = model.mesh.getElements(tdim, entity)
            cells = sum(t.size for t in etags)
            if entity in owner:
                shared.append((owner[entity], name, cells))
                continue
            owner[entity] = name
            count += cells
            used.extend(np.asarray(n) for n in enodes)
            for etype, cell_nodes in zip(types, enodes, strict=True):
                faces.append(_facets(model, etype, entity, cell_nodes))
    word = CELL_WORD[tdim]
    if shared:
        first, second, cells = shared[0]
        total = sum(c for _, _, c in shared)
        raise MeshError(
            f"{label}: {total} cells belong to two physical {word}s (e.g. {cells} to both "
            f"'{first}' and '{second}'); give each {word} to one physical group"
        )
    guard_size(label, count, max_cells, estimated=False)
    _drop_orphan_surfaces(model, label, [f for f in faces if f.size], tdim)
    _number_used_nodes_first(model, np.unique(np.concatenate(used)) if used else np.empty(0))
    if not scale_given:
        xmin, ymin, zmin, xmax, ymax, zmax = model.getBoundingBox(-1, -1)
        size = max(xmax - xmin, ymax - ymin, zmax - zmin)
        if size > MM_HINT:
            logger.warning(
                f"{label}: the mesh is {size:.4g} m across; if it was drawn in millimetres, set "
                "[mesh] scale = 0.001"
            )


def _facets(model: Any, etype: int, entity: int, cell_nodes: np.ndarray) -> np.ndarray:
    """The facets of the cells of type ``etype`` on ``entity``, as sorted corner-node rows."""
    name, _, _, num_nodes, _, corners = model.mesh.getElementProperties(etype)
    kind = name.split()[0].lower()
    if kind not in _FACETS_OF:
        return np.empty((0, 0), dtype=np.uint64)
    face_type, per_facet = _FACETS_OF[kind]
    if face_type > 0:
        nodes = model.mesh.getElementFaceNodes(etype, face_type, entity, True)
    elif face_type == 0:
        nodes = model.mesh.getElementEdgeNodes(etype, entity, True)
    else:  # a line's facets are its two end points
        nodes = np.asarray(cell_nodes).reshape(-1, num_nodes)[:, :2]
    return np.sort(np.asarray(nodes).reshape(-1, per_facet), axis=1)


def _drop_orphan_surfaces(model: Any, label: str, faces: list[np.ndarray], tdim: int) -> None:
    """Leave facet entities (surfaces, curves, points) that bound no cell out of their groups."""
    fdim, word = tdim - 1, FACET_WORD[tdim]
    by_size = {}
    for block in faces:
        by_size.setdefault(block.shape[1], []).append(block)
    known = {n: np.unique(np.concatenate(b), axis=0) for n, b in by_size.items()}
    for _, tag in model.getPhysicalGroups(fdim):
        name = model.getPhysicalName(fdim, tag) or f"boundary_{tag}"
        keep, dropped, orphans = [], [], 0
        for entity in model.getEntitiesForPhysicalGroup(fdim, tag):
            types, _, nodes = model.mesh.getElements(fdim, int(entity))
            found = total = 0
            for etype, enodes in zip(types, nodes, strict=True):
                _, _, _, num_nodes, _, corners = model.mesh.getElementProperties(etype)
                corners = max(corners, 1)  # a point element has one corner
                facets = np.sort(enodes.reshape(-1, num_nodes)[:, :corners], axis=1)
                total += facets.shape[0]
                if corners in known and facets.size:
                    found += int(_contained(facets, known[corners]).sum())
            if total and found == 0:
                dropped.append(int(entity))
            else:
                keep.append(int(entity))
                orphans += total - found
        if orphans:
            raise MeshError(
                f"{label}: physical {word} '{name}' has {orphans} facets that are no facet of "
                f"any cell of a physical {CELL_WORD[tdim]}; a boundary must lie on the mesh"
            )
        if dropped:
            model.removePhysicalGroups([(fdim, tag)])
            if keep:
                model.addPhysicalGroup(fdim, keep, tag)
                model.setPhysicalName(fdim, tag, name)
            logger.warning(
                f"{label}: physical {word} '{name}': {word}(s) {dropped} bound no cell of a "
                f"physical {CELL_WORD[tdim]} and are left out"
                + ("" if keep else f"; '{name}' is no boundary of the mesh")
            )


def _number_used_nodes_first(model: Any, used: np.ndarray) -> None:
    """Number the nodes that cells of physical groups use 1..N, the others after them.

    dolfinx reads gmsh's node tags (less one) as the nodes' global indices and looks a cell's
    nodes up by the index with the number of nodes *its cells use* as the range
    (``distribute_entity_data``): a used node numbered past that range gets a rank beyond the
    communicator's size, and dolfinx aborts in MPI (``MPI_ERR_RANK``, no traceback, on any
    number of ranks). Nodes no cell uses come from entities meshed apart from the cells (a
    surface off the volume, gmsh tutorial t2) and from gmsh's 3D mesher, which now and then
    leaves a node in a volume without a tetrahedron around it (gmsh 4.13; the rod
    generator at h = 0.035 and 0.02). Numbered last, they lie outside the range and dolfinx
    never looks for them. (Removing every entity with an unused node, as before, removed such
    a volume with all its cells, and its boundary facets then pointed at nodes of no cell.)
    """
    tags = np.asarray(model.mesh.getNodes()[0])
    unused = np.setdiff1d(tags, used)
    if unused.size:
        logger.debug(f"{unused.size} mesh node(s) in no cell of a physical group, numbered last")
    old = np.concatenate([np.sort(used), unused])
    model.mesh.renumberNodes(old, np.arange(1, old.size + 1))


def _contained(rows: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Which sorted rows of ``rows`` occur in the unique sorted rows ``table``."""
    both = np.concatenate([table, rows])
    _, inverse = np.unique(both, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    return np.isin(inverse[table.shape[0] :], inverse[: table.shape[0]])
