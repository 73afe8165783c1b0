"""Mesh files in the formats meshio reads (``.vtu``, ``.vtk``, ``.xdmf``, ``.med``, ``.mesh``,
``.inp``, …) → a discrete gmsh model with named physical groups, in 1D, 2D and 3D.

The mesh's dimension is that of its highest cells: tetrahedra or hexahedra (3D, boundaries of
triangles or quadrilaterals), triangles or quadrilaterals (2D, in a plane z = const; boundaries
of lines), lines (1D, along x; boundaries of vertices). Its region data is

- an integer cell-data array: ``gmsh:physical``, ``medit:ref``, ``CellEntityIds``,
  ``cell_tags`` (MED families), or any other integer array (one whose name contains ``region``,
  ``material``, ``domain``, ``subdomain``, ``tag``, ``marker``, ``ref``, ``zone`` or ``block``
  wins if there are several);
- or, without such an array, the named cell sets (Abaqus ``*ELSET``): a cell in several sets
  belongs to the smallest.

Names come from meshio's ``field_data`` (``{name: [tag, dim]}``, as gmsh and lkfem write them)
or MED group names; a tag without a name becomes ``region_<tag>`` (cells) or ``boundary_<tag>``
(facets). Facets tagged 0 carry no boundary. The cells are checked (inverted or degenerate,
:func:`lkfem.mesh.cells.check_cells`) before the model is made.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lkfem.errors import MeshError
from lkfem.mesh.cells import CORNERS, check_cells

__all__ = ["load_meshio"]

# per dimension, meshio cell type -> (gmsh element type, node permutation meshio -> gmsh or None)
_CELLS: dict[int, dict[str, tuple[int, list[int] | None]]] = {
    3: {
        "tetra": (4, None),
        "tetra10": (11, [0, 1, 2, 3, 4, 5, 6, 7, 9, 8]),
        "hexahedron": (5, None),
    },
    2: {"triangle": (2, None), "quad": (3, None)},
    1: {"line": (1, None)},
}
# meshio facet type -> gmsh element type
_FACET = {"triangle": 2, "triangle6": 9, "quad": 3, "line": 1, "vertex": 15}
_FACET_OF = {
    "tetra": "triangle",
    "tetra10": "triangle6",
    "hexahedron": "quad",
    "triangle": "line",
    "quad": "line",
    "line": "vertex",
}
# the prefixes of meshio's cell types of each dimension (for the dimension and the refusals)
_PREFIXES = {
    3: ("tetra", "hexahedron", "wedge", "pyramid", "polyhedron"),
    2: ("triangle", "quad", "polygon"),
    1: ("line",),
}
# meshio cell type -> the kind of lkfem.mesh.cells.check_cells
_KIND = {
    "tetra": "tetra",
    "tetra10": "tetra",
    "hexahedron": "hexahedron",
    "triangle": "triangle",
    "quad": "quad",
    "line": "line",
}

_KNOWN_KEYS = ("gmsh:physical", "medit:ref", "CellEntityIds", "cell_tags", "cell_tag")
_IGNORED_KEYS = {"gmsh:geometrical", "vtkGhostType", "vtkOriginalCellIds", "CellId"}
_REGIONISH = re.compile(r"region|material|domain|subdomain|tag|marker|ref|zone|block", re.I)
_UNSET = np.iinfo(np.int64).min  # a cell in no cell set


@dataclass(slots=True)
class _Block:
    """The cells of one meshio block that are imported, with their tags and file indices."""

    cell_type: str
    cells: np.ndarray  # (n, nodes) point indices
    tags: np.ndarray  # (n,) region or boundary tag
    index: np.ndarray  # (n,) 0-based position among all the file's cells


def _read(path: str) -> Any:
    try:
        import meshio
    except ImportError:
        raise MeshError(f"{path}: reading this format needs meshio (pip install meshio)") from None

    said = io.StringIO()
    try:  # meshio prints its complaints and may even call sys.exit: keep both in here
        with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
            return meshio.read(path)
    except (Exception, SystemExit) as exc:  # ReadError, KeyError, ValueError, … on bad files
        lines = [line.strip() for line in (str(exc), said.getvalue()) if line.strip()]
        lines = [line for line in lines if not line.isdigit()]  # SystemExit(1)
        detail = lines[0].splitlines()[0].removeprefix("Error: ") if lines else type(exc).__name__
        raise MeshError(f"{path}: cannot read the mesh ({detail})") from None


def _dimension(path: str, types: Sequence[str]) -> int:
    """The mesh's dimension: that of its highest cells."""
    for tdim in (3, 2, 1):
        if any(t.startswith(_PREFIXES[tdim]) for t in types):
            return tdim
    found = ", ".join(sorted(set(types))) or "no cells at all"
    raise MeshError(
        f"{path}: no cells to solve on (tetrahedra or hexahedra, triangles or quadrilaterals, "
        f"lines); found {found}"
    )


def load_meshio(path: str, model: Any) -> None:
    """Read ``path`` with meshio and fill ``model`` with its cells, regions and boundaries."""
    mesh = _read(path)
    types = [block.type for block in mesh.cells]
    tdim = _dimension(path, types)
    supported = _CELLS[tdim]
    other = sorted({t for t in types if t.startswith(_PREFIXES[tdim]) and t not in supported})
    if other:
        raise MeshError(
            f"{path}: {', '.join(other)} cells are not supported in a {tdim}D mesh "
            f"({', '.join(supported)} cells are)"
        )
    cell_types = sorted({t for t in types if t in supported})
    if len(cell_types) > 1:
        raise MeshError(
            f"{path}: mixed cell types ({', '.join(cell_types)}); dolfinx reads a mesh of one "
            "cell type"
        )
    cell_type = cell_types[0]
    facet_type = _FACET_OF[cell_type]

    tags, names = _region_data(path, mesh, tdim)
    offsets = np.cumsum([0] + [len(block.data) for block in mesh.cells])
    volumes: list[_Block] = []
    facets: list[_Block] = []
    for i, block in enumerate(mesh.cells):
        index = np.arange(offsets[i], offsets[i + 1])
        data = np.asarray(block.data).reshape(len(block.data), -1)
        if block.type == cell_type:
            volumes.append(_Block(block.type, data, tags[i], index))
        elif block.type == facet_type:
            keep = (tags[i] != 0) & (tags[i] != _UNSET)  # tag 0 or no set: no boundary
            facets.append(_Block(block.type, data[keep], tags[i][keep], index))
    cells = np.concatenate([b.cells for b in volumes])
    cell_tags = np.concatenate([b.tags for b in volumes])
    if (cell_tags == _UNSET).any():
        raise MeshError(
            f"{path}: {int((cell_tags == _UNSET).sum())} of the {cell_tags.size} cells "
            "belong to no cell set (region)"
        )
    points = np.asarray(mesh.points, dtype=np.float64)
    if points.shape[1] < 3:
        points = np.hstack([points, np.zeros((points.shape[0], 3 - points.shape[1]))])
    region_tags = np.unique(cell_tags)
    kind = _KIND[cell_type]
    check_cells(
        path,
        points,
        cells[:, : CORNERS[kind]],
        kind,
        ids=np.concatenate([b.index for b in volumes]),
        regions=np.searchsorted(region_tags, cell_tags),
        region_names=[names[tdim].get(int(t), f"region_{t}") for t in region_tags],
        what="cell",
    )
    _fill_model(model, tdim, points, volumes, facets, names)


def _region_data(
    path: str, mesh: Any, tdim: int = 3
) -> tuple[list[np.ndarray], dict[int, dict[int, str]]]:
    """Per block, the cells' integer tags; and per dimension (tdim, tdim − 1), tag -> name."""
    nblocks = len(mesh.cells)
    key = _region_key(mesh, nblocks)
    dims = (tdim, tdim - 1)
    names: dict[int, dict[int, str]] = {dim: {} for dim in dims}
    if key is not None:
        tags = [np.asarray(a).reshape(-1).astype(np.int64) for a in mesh.cell_data[key]]
        for name, value in (mesh.field_data or {}).items():
            value = np.atleast_1d(np.asarray(value)).reshape(-1)
            if value.size == 0 or not np.isfinite(value[:2]).all():
                continue
            for dim in (int(value[1]),) if value.size > 1 else dims:
                if dim in names:
                    names[dim].setdefault(int(value[0]), str(name))
        for tag, groups in (getattr(mesh, "cell_tags", None) or {}).items():  # MED families
            if key == "cell_tags" and groups:
                for dim in dims:
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
        for dim in dims:
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
    tdim: int,
    points: np.ndarray,
    volumes: list[_Block],
    facets: list[_Block],
    names: dict[int, dict[int, str]],
) -> None:
    """A discrete gmsh model of the cells: one entity and one named physical group per tag."""
    used = np.unique(np.concatenate([b.cells.reshape(-1) for b in volumes + facets]))
    renumber = np.full(points.shape[0], -1, dtype=np.int64)
    renumber[used] = np.arange(1, used.size + 1)  # gmsh node tags 1..N, only the used points
    holder = model.addDiscreteEntity(tdim)  # holds the nodes; the cells go on entities of their own
    model.mesh.addNodes(tdim, holder, np.arange(1, used.size + 1), points[used].reshape(-1))
    next_element = 1
    for dim, blocks, prefix in ((tdim, volumes, "region"), (tdim - 1, facets, "boundary")):
        if not blocks:
            continue
        all_tags = np.concatenate([b.tags for b in blocks])
        if not all_tags.size:
            continue
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
                    _CELLS[tdim][block.cell_type]
                    if dim == tdim
                    else (_FACET[block.cell_type], None)
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
