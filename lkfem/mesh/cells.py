"""Inverted and degenerate volume cells, found on the raw arrays of a mesh file before gmsh or
dolfinx see them: a negative signed volume in the file's node order (an inverted cell) or a
volume below :data:`DEGENERATE_VOLUME` × (mean edge length)³ (a flat cell) is a
:class:`~lkfem.errors.MeshError` naming how many there are and where the first one is."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lkfem.errors import MeshError

__all__ = ["DEGENERATE_VOLUME", "CORNERS", "check_cells", "signed_volumes"]

#: A cell is degenerate when |volume| ≤ DEGENERATE_VOLUME × (mean edge length)³.
DEGENERATE_VOLUME = 1e-10
#: The corners of the volume cells checked here.
CORNERS = {"tetra": 4, "hexahedron": 8}

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
