"""Inverted and degenerate cells, found on the raw arrays of a mesh file before gmsh or dolfinx
see them: a negative signed volume in the file's node order (an inverted tetrahedron or
hexahedron) or a volume below :data:`DEGENERATE_VOLUME` × (mean edge length)³ (a flat cell) is a
:class:`~lkfem.errors.MeshError` naming how many there are and where the first one is. In 2D a
triangle of area below DEGENERATE_VOLUME × (mean edge length)² is degenerate, and so is a
quadrilateral with such a corner (the triangle of a corner and its two neighbours: a collapsed
edge or three corners in a line, where the bilinear map is singular); in 1D a line shorter than
DEGENERATE_VOLUME × the mesh's extent. Cells in the plane have no orientation to check (dolfinx
takes either)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lkfem.errors import MeshError

__all__ = [
    "DEGENERATE_VOLUME",
    "CORNERS",
    "DIMENSION",
    "check_cells",
    "plane_sizes",
    "signed_volumes",
]

#: A cell is degenerate when |volume| ≤ DEGENERATE_VOLUME × (mean edge length)³ (area and
#: (mean edge length)² in 2D; length and the mesh's extent in 1D).
DEGENERATE_VOLUME = 1e-10
#: The corners of the cells checked here (meshio's names).
CORNERS = {"tetra": 4, "hexahedron": 8, "triangle": 3, "quad": 4, "line": 2}
#: The dimension of each kind of cell, and the word for its measure.
DIMENSION = {"tetra": 3, "hexahedron": 3, "triangle": 2, "quad": 2, "line": 1}
_MEASURE = {3: "volume", 2: "area", 1: "length"}

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
    "triangle": np.array([[0, 1], [1, 2], [2, 0]]),
    "quad": np.array([[0, 1], [1, 2], [2, 3], [3, 0]]),
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


def _triangle_areas(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Areas of the triangles abc (corners (n, 3)), in any plane."""
    return 0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1)


def plane_sizes(corners: np.ndarray, kind: str) -> np.ndarray:
    """The area of each triangle, or each quadrilateral's smallest corner triangle (the corner
    and its two neighbours, gmsh/VTK order), from corners (num_cells, 3 or 4, 3)."""
    if kind == "triangle":
        return _triangle_areas(corners[:, 0], corners[:, 1], corners[:, 2])
    return np.min(
        [
            _triangle_areas(corners[:, i], corners[:, (i + 1) % 4], corners[:, (i - 1) % 4])
            for i in range(4)
        ],
        axis=0,
    )


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
    """Raise :class:`MeshError` if any cell is inverted (negative signed volume, 3D) or
    degenerate (zero volume, area or length).

    Args:
        label: the file, for the message.
        x: point coordinates, (num_points, 3).
        cells: corner point indices into ``x``, (num_cells, corners of ``kind``).
        kind: a key of :data:`CORNERS` ("tetra", "hexahedron", "triangle", "quad", "line").
        ids: how the message names each cell (its index or element tag in the file).
        regions: each cell's index into ``region_names``.
        what: the word for a cell in the message ("cell", "element").
        chunk: cells per vectorised batch (bounds the temporary memory).
    """
    dim = DIMENSION[kind]
    inverted: list[np.ndarray] = [np.empty(0, dtype=np.int64)]
    degenerate: list[np.ndarray] = [np.empty(0, dtype=np.int64)]
    if dim == 1 and cells.size:
        used = x[np.unique(cells)]
        extent = float(np.linalg.norm(used.max(axis=0) - used.min(axis=0)))
    for start in range(0, cells.shape[0], chunk):
        corners = x[cells[start : start + chunk]]
        if dim == 1:
            length = np.linalg.norm(corners[:, 1] - corners[:, 0], axis=1)
            degenerate.append(start + np.flatnonzero(length <= DEGENERATE_VOLUME * extent))
            continue
        edges = _EDGES[kind]
        mean_edge = sum(
            np.sqrt(((corners[:, j] - corners[:, i]) ** 2).sum(axis=1)) for i, j in edges
        ) / len(edges)
        if dim == 2:
            size = plane_sizes(corners, kind)
            degenerate.append(start + np.flatnonzero(size <= DEGENERATE_VOLUME * mean_edge**2))
            continue
        volume = signed_volumes(corners, kind)
        flat = np.abs(volume) <= DEGENERATE_VOLUME * mean_edge**3
        degenerate.append(start + np.flatnonzero(flat))
        inverted.append(start + np.flatnonzero((volume < 0) & ~flat))
    problems = []
    for found, adjective, why in (
        (np.concatenate(inverted), "inverted", "negative volume in the file's node order"),
        (
            np.concatenate(degenerate),
            "degenerate",
            f"zero {_MEASURE[dim]}: {'collapsed' if dim == 1 else 'flat or collapsed'}",
        ),
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
