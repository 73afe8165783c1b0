"""Two regions of the unit square or cube for the solver tests: region a at x < 0.5 (tag 1),
b beyond (tag 2), with the boundaries of :func:`lkfem.from_mesh`."""

import numpy as np
from dolfinx import mesh as dmesh
from mpi4py import MPI

import lkfem as lk


def two_regions(n: int, dim: int = 2) -> lk.Domain:
    """The unit square (triangles) or cube (tetrahedra) with n cells a side, split at x = 0.5."""
    comm = MPI.COMM_WORLD
    if dim == 2:
        mesh = dmesh.create_unit_square(comm, n, n, dmesh.CellType.triangle)
    else:
        mesh = dmesh.create_unit_cube(comm, n, n, n, dmesh.CellType.tetrahedron)
    domain = lk.from_mesh(mesh)
    tdim = mesh.topology.dim
    imap = mesh.topology.index_map(tdim)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    tags = np.where(dmesh.compute_midpoints(mesh, tdim, cells)[:, 0] < 0.5, 1, 2)
    return lk.Domain(
        mesh=mesh,
        cell_tags=dmesh.meshtags(mesh, tdim, cells, tags.astype(np.int32)),
        facet_tags=domain.facet_tags,
        regions={"a": 1, "b": 2},
        boundaries=dict(domain.boundaries),
    )
