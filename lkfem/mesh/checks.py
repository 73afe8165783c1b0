"""Checks of a gmsh model before dolfinx sees it, so that a bad mesh is a message and not a crash.

dolfinx's gmsh reader aborts the process (``malloc(): mismatching next->prev_size``) when a cell
sits in two physical volumes and fails inside MPI (``MPI_ERR_RANK``) when a physical surface holds
facets that bound no volume cell; both are found here first. A mesh of another dimension than
:data:`DIMENSIONS` is refused here (the one place to lift when 2D meshes are supported), and
:func:`guard_size` refuses a mesh above the cell limit before it is made or distributed.
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
    "check_model",
    "guard_size",
    "estimate_cells",
    "scale_model",
]

#: The mesh dimensions lkfem solves on (2D meshes come with the thermal-domains issue).
DIMENSIONS = (3,)
#: Cells allowed by default (``[mesh] max_cells`` or ``lkfem run --max-cells`` raises it).
DEFAULT_MAX_CELLS = 3_000_000
#: Rough memory of a run per tetrahedron (mesh, P1/P2 spaces, matrix, solver) (bytes).
BYTES_PER_CELL = 2_000
#: A part larger than this (m) was probably drawn in millimetres.
MM_HINT = 20.0
#: Tetrahedra per h³ of volume in a gmsh mesh of size h (a regular tetrahedron has h³/(6√2)).
_TETS_PER_H3 = 6.0 * np.sqrt(2.0)

_FACE_TYPE = {"tetrahedron": 3, "hexahedron": 4}  # gmsh face type: triangles, quadrangles


def check_dimension(label: str, tdim: int, found: str = "") -> None:
    """Refuse a mesh whose cells of highest dimension are not ``DIMENSIONS``-dimensional."""
    if tdim in DIMENSIONS:
        return
    what = f" ({found})" if found else ""
    raise MeshError(
        f"{label}: a {tdim}D mesh{what}; lkfem solves on 3D meshes only for now (tetrahedra or "
        "hexahedra in named physical volumes; 2D meshes are planned)"
    )


def estimate_cells(volume: float, h: float) -> float:
    """Tetrahedra of a gmsh mesh of size ``h`` (m) filling ``volume`` (m³)."""
    return _TETS_PER_H3 * volume / h**3


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
    """Check a meshed gmsh model: its dimension, the cell limit, physical volumes that overlap,
    physical surfaces with facets that bound no volume cell, and a size that looks like mm.

    Surfaces of a physical group that bound no volume cell at all are left out of the group with
    a warning (gmsh tutorial t2 names such surfaces); a surface that is only partly a face of the
    volume mesh, or cells in two physical volumes, are a :class:`MeshError`.
    """
    tdim = model.getDimension()
    check_dimension(label, tdim)
    volumes = model.getPhysicalGroups(3)
    if not volumes:
        return  # from_gmsh reports the missing names
    count = 0
    owner: dict[int, str] = {}  # volume entity -> its physical group's name
    shared: list[tuple[str, str, int]] = []
    faces = []
    used: list[np.ndarray] = []  # the nodes of the cells of the physical volumes
    for _, tag in volumes:
        name = model.getPhysicalName(3, tag) or f"region_{tag}"
        for entity in model.getEntitiesForPhysicalGroup(3, tag):
            entity = int(entity)
            types, etags, enodes = model.mesh.getElements(3, entity)
            cells = sum(t.size for t in etags)
            if entity in owner:
                shared.append((owner[entity], name, cells))
                continue
            owner[entity] = name
            count += cells
            used.extend(np.asarray(n) for n in enodes)
            for etype in types:
                kind = model.mesh.getElementProperties(etype)[0].split()[0].lower()
                if kind in _FACE_TYPE:
                    nodes = model.mesh.getElementFaceNodes(etype, _FACE_TYPE[kind], entity, True)
                    faces.append(np.sort(nodes.reshape(-1, _FACE_TYPE[kind]), axis=1))
    if shared:
        first, second, cells = shared[0]
        total = sum(c for _, _, c in shared)
        raise MeshError(
            f"{label}: {total} cells belong to two physical volumes (e.g. {cells} to both "
            f"'{first}' and '{second}'); give each volume to one physical group"
        )
    guard_size(label, count, max_cells, estimated=False)
    _drop_orphan_surfaces(model, label, faces)
    _drop_unused_entities(model, np.unique(np.concatenate(used)) if used else np.empty(0))
    if not scale_given:
        xmin, ymin, zmin, xmax, ymax, zmax = model.getBoundingBox(-1, -1)
        size = max(xmax - xmin, ymax - ymin, zmax - zmin)
        if size > MM_HINT:
            logger.warning(
                f"{label}: the mesh is {size:.4g} m across; if it was drawn in millimetres, set "
                "[mesh] scale = 0.001"
            )


def _drop_orphan_surfaces(model: Any, label: str, faces: list[np.ndarray]) -> None:
    """Leave surfaces whose facets bound no volume cell out of their physical groups."""
    by_size = {}
    for block in faces:
        by_size.setdefault(block.shape[1], []).append(block)
    known = {n: np.unique(np.concatenate(b), axis=0) for n, b in by_size.items()}
    for _, tag in model.getPhysicalGroups(2):
        name = model.getPhysicalName(2, tag) or f"boundary_{tag}"
        keep, dropped, orphans = [], [], 0
        for entity in model.getEntitiesForPhysicalGroup(2, tag):
            types, _, nodes = model.mesh.getElements(2, int(entity))
            found = total = 0
            for etype, enodes in zip(types, nodes, strict=True):
                _, _, _, num_nodes, _, corners = model.mesh.getElementProperties(etype)
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
                f"{label}: physical surface '{name}' has {orphans} facets that are no face of "
                "any cell of a physical volume; a boundary must lie on the volume mesh"
            )
        if dropped:
            model.removePhysicalGroups([(2, tag)])
            if keep:
                model.addPhysicalGroup(2, keep, tag)
                model.setPhysicalName(2, tag, name)
            logger.warning(
                f"{label}: physical surface '{name}': surface(s) {dropped} bound no cell of a "
                "physical volume and are left out"
                + ("" if keep else f"; '{name}' is no boundary of the mesh")
            )


def _drop_unused_entities(model: Any, used: np.ndarray) -> None:
    """Remove the entities (and their mesh) with nodes that no cell of a physical volume uses:
    dolfinx cannot place such nodes (``MPI_ERR_RANK``)."""
    drop = []
    for dim in (0, 1, 2, 3):
        for _, tag in model.getEntities(dim):
            nodes = model.mesh.getNodes(dim, tag)[0]
            if nodes.size and not np.isin(nodes, used).all():
                drop.append((dim, tag))
    if not drop:
        return
    gone = set(drop)
    for dim, tag in model.getPhysicalGroups():
        entities = [int(e) for e in model.getEntitiesForPhysicalGroup(dim, tag)]
        if any((dim, e) in gone for e in entities):
            name = model.getPhysicalName(dim, tag)
            model.removePhysicalGroups([(dim, tag)])
            keep = [e for e in entities if (dim, e) not in gone]
            if keep:
                model.addPhysicalGroup(dim, keep, tag)
                model.setPhysicalName(dim, tag, name)
    model.removeEntities(drop)
    model.mesh.renumberNodes()  # dolfinx wants the node tags 1..N


def _contained(rows: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Which sorted rows of ``rows`` occur in the unique sorted rows ``table``."""
    both = np.concatenate([table, rows])
    _, inverse = np.unique(both, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    return np.isin(inverse[table.shape[0] :], inverse[: table.shape[0]])
