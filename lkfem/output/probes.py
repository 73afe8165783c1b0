"""Point values of fields, the same on every rank and in serial and parallel runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from dolfinx import fem, geometry
from mpi4py import MPI

from lkfem.core.domain import Domain
from lkfem.errors import CaseError

__all__ = ["probe"]


def probe(
    domain: Domain,
    fields: Sequence[fem.Function],
    points: Mapping[str, Sequence[float]],
    origin: str = "<python>",
) -> dict[str, dict[str, list[float] | float]]:
    """Evaluate ``fields`` at named points.

    A point shared by several cells (on a face, edge or vertex) gets the mean of their values.

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
    # Sum and count over every owned cell that contains the point, then average over all ranks:
    # a point on a cell boundary gets the same (mean) value of a discontinuous field whatever
    # the partition.
    sizes = [int(np.prod(f.ufl_shape)) for f in fields]
    sums = np.zeros((len(names), sum(sizes)))
    counts = np.zeros(len(names))
    for i in range(len(names)):
        cells = [c for c in colliding.links(i) if c < num_owned]
        for cell in cells:
            values = [f.eval(xyz[i], np.array([cell], dtype=np.int32)) for f in fields]
            sums[i] += np.concatenate(values)
        counts[i] = len(cells)
    sums = comm.allreduce(sums, op=MPI.SUM)
    counts = comm.allreduce(counts, op=MPI.SUM)
    result: dict[str, dict[str, list[float] | float]] = {}
    for i, name in enumerate(names):
        if counts[i] == 0:
            raise CaseError(
                origin, f"probes.{name}", f"point {list(points[name])} lies outside the mesh"
            )
        mean = sums[i] / counts[i]
        entry: dict[str, list[float] | float] = {"x": [float(c) for c in points[name]]}
        offset = 0
        for f, size in zip(fields, sizes, strict=True):
            value = mean[offset : offset + size]
            entry[f.name] = float(value[0]) if not f.ufl_shape else value.tolist()
            offset += size
        result[name] = entry
    return result
