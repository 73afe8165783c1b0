"""Point values of fields, the same on every rank and in serial and parallel runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from dolfinx import fem, geometry

from .domain import Domain
from .errors import CaseError

__all__ = ["probe"]


def probe(
    domain: Domain,
    fields: Sequence[fem.Function],
    points: Mapping[str, Sequence[float]],
    origin: str = "<python>",
) -> dict[str, dict[str, list[float] | float]]:
    """Evaluate ``fields`` at named points.

    Each point is evaluated by the lowest rank that owns a cell containing it, then shared.

    Returns:
        name -> {"x": [...], field name: value (a float or a list for vector fields)}.
    """
    mesh = domain.mesh
    comm = domain.comm
    if not points:
        return {}
    names = list(points)
    xyz = np.zeros((len(names), 3))
    for i, name in enumerate(names):
        xyz[i, : len(points[name])] = points[name]
    tree = geometry.bb_tree(mesh, mesh.topology.dim)
    candidates = geometry.compute_collisions_points(tree, xyz)
    colliding = geometry.compute_colliding_cells(mesh, candidates, xyz)
    num_owned = mesh.topology.index_map(mesh.topology.dim).size_local
    local: dict[int, dict[str, list[float]]] = {}
    for i in range(len(names)):
        cells = [c for c in colliding.links(i) if c < num_owned]
        if not cells:
            continue
        local[i] = {
            f.name: f.eval(xyz[i], np.array([cells[0]], dtype=np.int32)).tolist() for f in fields
        }
    gathered = comm.allgather(local)
    result: dict[str, dict[str, list[float] | float]] = {}
    for i, name in enumerate(names):
        found = next((values[i] for values in gathered if i in values), None)
        if found is None:
            raise CaseError(origin, f"probes.{name}", f"point {list(points[name])} lies outside the mesh")
        entry: dict[str, list[float] | float] = {"x": [float(c) for c in points[name]]}
        for field, value in found.items():
            entry[field] = value[0] if len(value) == 1 else value
        result[name] = entry
    return result
