"""Reading mesh files: gmsh ``.msh`` through gmsh, every other format through meshio.

A ``.msh`` file (format 2 or 4, ASCII or binary) is merged into gmsh; its physical groups are the
regions (of the mesh's dimension: volumes, surfaces of a 2D mesh in the plane z = const, curves
of a 1D mesh along x) and boundaries (one dimension lower), named by their physical names
(``region_<tag>`` and ``boundary_<tag>`` where a group has no name). Any other file meshio
reads (``.vtu``, ``.vtk``, ``.xdmf``, ``.med``, ``.mesh``, ``.inp``, …) is read with meshio on
one rank; its region data is

- an integer cell-data array: ``gmsh:physical``, ``medit:ref``, ``CellEntityIds``,
  ``cell_tags`` (MED families), or any other integer array (one whose name contains ``region``,
  ``material``, ``domain``, ``subdomain``, ``tag``, ``marker``, ``ref``, ``zone`` or ``block``
  wins if there are several);
- or, without such an array, the named cell sets (Abaqus ``*ELSET``): a cell in several sets
  belongs to the smallest.

Names come from meshio's ``field_data`` (``{name: [tag, dim]}``, as gmsh and lkfem write them)
or MED group names; a tag without a name becomes ``region_<tag>`` (volume cells) or
``boundary_<tag>`` (triangles or quadrilaterals). Facets tagged 0 carry no boundary.

The mesh is loaded into a gmsh model and distributed by :func:`lkfem.core.domain.from_gmsh`. Before
that, on the reading rank and on the raw arrays, every volume cell is checked: a negative signed
volume in the file's node order (an inverted cell) or a volume below
:data:`DEGENERATE_VOLUME` × (mean edge length)³ (a flat cell) is a :class:`MeshError` naming how
many there are and where the first one is.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from mpi4py import MPI

from lkfem.core.domain import Domain
from lkfem.errors import MeshError
from lkfem.mesh.gmsh import from_gmsh

__all__ = ["read_mesh", "format_problem", "DEGENERATE_VOLUME"]

#: A cell is degenerate when |volume| ≤ DEGENERATE_VOLUME × (mean edge length)³.
DEGENERATE_VOLUME = 1e-10

# meshio cell type -> (kind, gmsh element type, node permutation meshio -> gmsh or None)
_VOLUME = {
    "tetra": ("tetra", 4, None),
    "tetra10": ("tetra", 11, [0, 1, 2, 3, 4, 5, 6, 7, 9, 8]),
    "hexahedron": ("hexahedron", 5, None),
}
_FACET = {"triangle": 2, "triangle6": 9, "quad": 3}
_FACET_OF = {"tetra": "triangle", "tetra10": "triangle6", "hexahedron": "quad"}
_OTHER_3D = ("wedge", "pyramid", "hexahedron20", "hexahedron24", "hexahedron27", "wedge15")
_CORNERS = {"tetra": 4, "hexahedron": 8}

_KNOWN_KEYS = ("gmsh:physical", "medit:ref", "CellEntityIds", "cell_tags", "cell_tag")
_IGNORED_KEYS = {"gmsh:geometrical", "vtkGhostType", "vtkOriginalCellIds", "CellId"}
_REGIONISH = re.compile(r"region|material|domain|subdomain|tag|marker|ref|zone|block", re.I)


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
        filename: a gmsh ``.msh`` file or any volume mesh meshio reads (see the module docs for
            how regions and boundaries are found and named).
        comm: communicator to distribute the mesh over.
        rank: the rank that reads the file.
        gdim: geometric dimension (None: the mesh's own).
        scale: multiplies the coordinates (0.001 for a part drawn in mm; None: 1, with a
            warning when the part looks drawn in mm).
        max_cells: the most cells accepted (see :func:`lkfem.mesh.checks.guard_size`).

    Raises:
        MeshError: the file is missing, unreadable, has no region data or no volume cells, is
            not 3D, has inverted or degenerate cells, cells in two physical volumes or boundary
            facets off the volume mesh, or more cells than ``max_cells``.
    """
    path = os.fspath(filename)

    def populate(model: Any) -> None:
        if not os.path.isfile(path):
            raise MeshError(f"{path}: no such mesh file")
        if path.lower().endswith(".msh"):
            _load_msh(path, model)
        else:
            _load_meshio(path, model)

    return from_gmsh(populate, comm, rank, gdim=gdim, label=path, scale=scale, max_cells=max_cells)


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
    if model.getDimension() != 3:
        _check_plane_cells(path, model)
        return
    groups = model.getPhysicalGroups(3)
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
                kind = {"tetrahedron": "tetra", "hexahedron": "hexahedron"}.get(
                    ename.split()[0].lower()
                )
                if kind is None:
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
    kind = "tetra" if ename.lower().startswith("tetra") else "hexahedron"
    names = sorted({name for _, _, name in parts})
    check_cells(
        path,
        x,
        np.concatenate([c for c, _, _ in parts]),
        kind,
        ids=np.concatenate([t for _, t, _ in parts]),
        regions=np.concatenate([np.full(t.size, names.index(n)) for _, t, n in parts]),
        region_names=names,
        what="element",
    )


_PLANE_KINDS = {2: ("triangle", "quadrilateral"), 1: ("line",)}


def _check_plane_cells(path: str, model: Any) -> None:
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


# --- meshio files -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Block:
    """The cells of one meshio block that are imported, with their tags and file indices."""

    cell_type: str
    cells: np.ndarray  # (n, nodes) point indices
    tags: np.ndarray  # (n,) region or boundary tag
    index: np.ndarray  # (n,) 0-based position among all the file's cells


def _load_meshio(path: str, model: Any) -> None:
    try:
        import meshio
    except ImportError:
        raise MeshError(f"{path}: reading this format needs meshio (pip install meshio)") from None

    said = io.StringIO()
    try:  # meshio prints its complaints and may even call sys.exit: keep both in here
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            mesh = meshio.read(path)
    except (Exception, SystemExit) as exc:  # ReadError, KeyError, ValueError, … on bad files
        lines = [line.strip() for line in (str(exc), said.getvalue()) if line.strip()]
        lines = [line for line in lines if not line.isdigit()]  # SystemExit(1)
        detail = lines[0].splitlines()[0].removeprefix("Error: ") if lines else type(exc).__name__
        raise MeshError(f"{path}: cannot read the mesh ({detail})") from None
    types = [block.type for block in mesh.cells]
    other = sorted(
        {
            t
            for t in types
            if t in _OTHER_3D
            or (t not in _VOLUME and t.startswith(("wedge", "pyramid", "hexahedron", "tetra")))
        }
    )
    volume_types = sorted({t for t in types if t in _VOLUME})
    if other:
        raise MeshError(
            f"{path}: {', '.join(other)} cells are not supported (tetra, tetra10 and hexahedron "
            "cells are)"
        )
    if not volume_types:
        found = ", ".join(sorted(set(types))) or "no cells at all"
        if set(types) & {*_FACET, "line"}:
            raise MeshError(
                f"{path}: a 1D or 2D mesh ({found} cells); lkfem reads 1D and 2D meshes from gmsh "
                ".msh files (convert it with meshio or gmsh)"
            )
        raise MeshError(f"{path}: no volume cells (tetrahedra or hexahedra); found {found}")
    if len(volume_types) > 1:
        raise MeshError(f"{path}: mixed volume cell types ({', '.join(volume_types)})")
    cell_type = volume_types[0]
    facet_type = _FACET_OF[cell_type]

    tags, names = _region_data(path, mesh)
    offsets = np.cumsum([0] + [len(block.data) for block in mesh.cells])
    volumes: list[_Block] = []
    facets: list[_Block] = []
    for i, block in enumerate(mesh.cells):
        index = np.arange(offsets[i], offsets[i + 1])
        if block.type == cell_type:
            volumes.append(_Block(block.type, np.asarray(block.data), tags[i], index))
        elif block.type == facet_type:
            keep = (tags[i] != 0) & (tags[i] != _UNSET)  # tag 0 or no set: no boundary
            facets.append(_Block(block.type, np.asarray(block.data)[keep], tags[i][keep], index))
    cells = np.concatenate([b.cells for b in volumes])
    cell_tags = np.concatenate([b.tags for b in volumes])
    if (cell_tags == _UNSET).any():
        raise MeshError(
            f"{path}: {int((cell_tags == _UNSET).sum())} of the {cell_tags.size} volume cells "
            "belong to no cell set (region)"
        )
    points = np.asarray(mesh.points, dtype=np.float64)
    if points.shape[1] < 3:
        points = np.hstack([points, np.zeros((points.shape[0], 3 - points.shape[1]))])
    region_tags = np.unique(cell_tags)
    region_names = [names[3].get(int(t), f"region_{t}") for t in region_tags]
    kind = _VOLUME[cell_type][0]
    check_cells(
        path,
        points,
        cells[:, : _CORNERS[kind]],
        kind,
        ids=np.concatenate([b.index for b in volumes]),
        regions=np.searchsorted(region_tags, cell_tags),
        region_names=region_names,
        what="cell",
    )
    _fill_model(model, points, volumes, facets, names)


_UNSET = np.iinfo(np.int64).min  # a cell in no cell set


def _region_data(path: str, mesh: Any) -> tuple[list[np.ndarray], dict[int, dict[int, str]]]:
    """Per block, the cells' integer tags; and per dimension (3, 2), tag -> name."""
    nblocks = len(mesh.cells)
    key = _region_key(mesh, nblocks)
    names: dict[int, dict[int, str]] = {3: {}, 2: {}}
    if key is not None:
        tags = [np.asarray(a).reshape(-1).astype(np.int64) for a in mesh.cell_data[key]]
        for name, value in (mesh.field_data or {}).items():
            value = np.atleast_1d(np.asarray(value)).reshape(-1)
            if value.size == 0 or not np.isfinite(value[:2]).all():
                continue
            dims = (int(value[1]),) if value.size > 1 else (3, 2)
            for dim in dims:
                if dim in names:
                    names[dim].setdefault(int(value[0]), str(name))
        for tag, groups in (getattr(mesh, "cell_tags", None) or {}).items():  # MED families
            if key == "cell_tags" and groups:
                for dim in (3, 2):
                    names[dim].setdefault(int(tag), "+".join(str(g) for g in groups))
        return tags, names
    sets = {
        name: [
            np.asarray(s, dtype=np.int64) if s is not None else np.empty(0, np.int64)
            for s in blocks
        ]
        for name, blocks in (mesh.cell_sets or {}).items()
        if len(blocks) == nblocks and not name.startswith("gmsh:")
    }
    if not sets:
        keys = ", ".join(sorted(mesh.cell_data)) or "none"
        raise MeshError(
            f"{path}: no region data (no integer cell data such as 'gmsh:physical', "
            f"'medit:ref', 'CellEntityIds' or 'cell_tags', and no cell sets; cell data: {keys})"
        )
    tags = [np.full(len(block.data), _UNSET, dtype=np.int64) for block in mesh.cells]
    ordered = sorted(sets, key=lambda n: -sum(s.size for s in sets[n]))  # the smallest wins
    for number, name in enumerate(ordered, start=1):
        for i, members in enumerate(sets[name]):
            tags[i][members] = number
        for dim in (3, 2):
            names[dim][number] = name
    return tags, names


def _region_key(mesh: Any, nblocks: int) -> str | None:
    """The cell-data array that holds the regions, or None."""

    def integral(arrays: Sequence[Any], strict: bool) -> bool:
        if len(arrays) != nblocks:
            return False
        for a in arrays:
            a = np.asarray(a)
            if a.ndim > 2 or (a.ndim == 2 and a.shape[1] != 1):
                return False
            if np.issubdtype(a.dtype, np.integer):
                continue
            if strict or not np.issubdtype(a.dtype, np.floating):
                return False
            if not (np.isfinite(a).all() and (a == np.round(a)).all()):
                return False
        return True

    data = mesh.cell_data or {}
    for key in _KNOWN_KEYS:
        if key in data and integral(data[key], strict=False):
            return key
    candidates = [k for k in data if k not in _IGNORED_KEYS]
    named = [k for k in candidates if _REGIONISH.search(k) and integral(data[k], strict=False)]
    if named:
        return named[0]
    integers = [k for k in candidates if integral(data[k], strict=True)]
    return integers[0] if len(integers) == 1 else None


def _fill_model(
    model: Any,
    points: np.ndarray,
    volumes: list[_Block],
    facets: list[_Block],
    names: dict[int, dict[int, str]],
) -> None:
    """A discrete gmsh model of the cells: one entity and one named physical group per tag."""
    used = np.unique(np.concatenate([b.cells.reshape(-1) for b in volumes + facets]))
    renumber = np.full(points.shape[0], -1, dtype=np.int64)
    renumber[used] = np.arange(1, used.size + 1)  # gmsh node tags 1..N, only the used points
    holder = model.addDiscreteEntity(3)  # holds the nodes; the cells go on entities of their own
    model.mesh.addNodes(3, holder, np.arange(1, used.size + 1), points[used].reshape(-1))
    next_element = 1
    for dim, blocks, prefix in ((3, volumes, "region"), (2, facets, "boundary")):
        if not blocks:
            continue
        all_tags = np.concatenate([b.tags for b in blocks])
        unique = np.unique(all_tags)
        physical = unique if unique.min() > 0 else np.arange(1, unique.size + 1)
        for tag, group in zip(unique, physical, strict=True):
            entities = []
            for block in blocks:
                mine = block.tags == tag
                if not mine.any():
                    continue
                entity = model.addDiscreteEntity(dim)
                gmsh_type, perm = (
                    _VOLUME[block.cell_type][1:] if dim == 3 else (_FACET[block.cell_type], None)
                )
                cells = block.cells[mine]
                cells = cells if perm is None else cells[:, perm]
                count = cells.shape[0]
                model.mesh.addElementsByType(
                    entity,
                    gmsh_type,
                    np.arange(next_element, next_element + count),
                    renumber[cells].reshape(-1),
                )
                next_element += count
                entities.append(entity)
            model.addPhysicalGroup(dim, entities, int(group))
            model.setPhysicalName(dim, int(group), names[dim].get(int(tag), f"{prefix}_{tag}"))


# --- cell checks --------------------------------------------------------------------------------

_HEX_TETS = np.array(
    [[0, 1, 2, 6], [0, 2, 3, 6], [0, 3, 7, 6], [0, 7, 4, 6], [0, 4, 5, 6], [0, 5, 1, 6]]
)
_EDGES = {
    "tetra": np.array([[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]),
    "hexahedron": np.array(
        [
            [0, 1],
            [1, 2],
            [2, 3],
            [3, 0],
            [4, 5],
            [5, 6],
            [6, 7],
            [7, 4],
            [0, 4],
            [1, 5],
            [2, 6],
            [3, 7],
        ]
    ),
}


def signed_volumes(corners: np.ndarray, kind: str) -> np.ndarray:
    """Signed volumes (m³) of tetrahedra or hexahedra from their corner coordinates
    (num_cells, 4 or 8, 3) in gmsh/VTK order; a hexahedron's is the sum of the six tetrahedra
    around its 0–6 diagonal."""
    if kind == "tetra":
        a, b, c = (corners[:, i] - corners[:, 0] for i in (1, 2, 3))
        return (
            a[:, 0] * (b[:, 1] * c[:, 2] - b[:, 2] * c[:, 1])
            - a[:, 1] * (b[:, 0] * c[:, 2] - b[:, 2] * c[:, 0])
            + a[:, 2] * (b[:, 0] * c[:, 1] - b[:, 1] * c[:, 0])
        ) / 6.0
    return sum(signed_volumes(corners[:, tet], "tetra") for tet in _HEX_TETS)


def check_cells(
    label: str,
    x: np.ndarray,
    cells: np.ndarray,
    kind: str,
    *,
    ids: np.ndarray,
    regions: np.ndarray,
    region_names: Sequence[str],
    what: str = "cell",
    chunk: int = 1 << 20,
) -> None:
    """Raise :class:`MeshError` if any cell is inverted (negative signed volume) or degenerate.

    Args:
        label: the file, for the message.
        x: point coordinates, (num_points, 3).
        cells: corner point indices into ``x``, (num_cells, 4 or 8).
        kind: "tetra" or "hexahedron".
        ids: how the message names each cell (its index or element tag in the file).
        regions: each cell's index into ``region_names``.
        what: the word for a cell in the message ("cell", "element").
        chunk: cells per vectorised batch (bounds the temporary memory).
    """
    inverted: list[np.ndarray] = []
    degenerate: list[np.ndarray] = []
    for start in range(0, cells.shape[0], chunk):
        corners = x[cells[start : start + chunk]]
        volume = signed_volumes(corners, kind)
        edges = _EDGES[kind]
        mean_edge = sum(
            np.sqrt(((corners[:, j] - corners[:, i]) ** 2).sum(axis=1)) for i, j in edges
        ) / len(edges)
        flat = np.abs(volume) <= DEGENERATE_VOLUME * mean_edge**3
        degenerate.append(start + np.flatnonzero(flat))
        inverted.append(start + np.flatnonzero((volume < 0) & ~flat))
    problems = []
    for found, adjective, why in (
        (np.concatenate(inverted), "inverted", "negative volume in the file's node order"),
        (np.concatenate(degenerate), "degenerate", "zero volume: flat or collapsed"),
    ):
        if found.size:
            first = found[0]
            text = (
                f"{found.size} {adjective} cell{'s' if found.size > 1 else ''} ({why}); the first "
                f"is {what} {ids[first]} in region '{region_names[regions[first]]}'"
            )
            if adjective == "inverted" and found.size == cells.shape[0]:
                text += " (all cells are: the file may use the opposite node order)"
            problems.append(text)
    if problems:
        raise MeshError(f"{label}: {'; '.join(problems)}")


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
