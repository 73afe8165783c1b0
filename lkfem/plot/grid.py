"""A distributed field gathered into one pyvista grid on rank 0, and off-screen rendering set up
on every rank (:func:`prepare`; the set-up itself is :mod:`lkfem.plot.screen`)."""

from __future__ import annotations

from typing import Any

import numpy as np
from dolfinx import fem, plot

from lkfem.plot.screen import RenderError, offscreen

__all__ = ["RenderError", "offscreen", "prepare", "gather_grid"]


def prepare(comm: Any) -> None:
    """Set up off-screen rendering on rank 0; raise RenderError on every rank if impossible."""
    error = None
    if comm.rank == 0:
        try:
            import pyvista  # noqa: F401

            offscreen()
        except ImportError:
            error = "pyvista is not installed"
        except RenderError as exc:
            error = str(exc)
    error = comm.bcast(error, root=0)
    if error:
        raise RenderError(f"no PNG written: {error}")


def gather_grid(T: fem.Function, regions: Any = None):  # type: ignore[no-untyped-def]
    """The owned cells of ``T``'s mesh with T at the points (or cells, for DG0), on rank 0, as a
    pyvista grid (None elsewhere). Scalar or vector fields. With ``regions`` (the cell tags of
    the mesh) the grid has the cell data ``region`` (0 for a cell of no region), for the
    pictures' region outlines.

    Points are numbered globally, so the partitions join exactly: no doubled points along the
    seams (which would break contour lines there).
    """
    V = T.function_space
    mesh = V.mesh
    comm = mesh.comm
    cellwise = V.dofmap.dof_layout.num_dofs == 1  # DG0: cell data
    topology, cell_types, x = plot.vtk_mesh(mesh if cellwise else V)
    imap = mesh.geometry.index_map() if cellwise else V.dofmap.index_map
    num_points = imap.size_local + imap.num_ghosts
    to_global = imap.local_to_global(np.arange(num_points, dtype=np.int32))
    num_owned = mesh.topology.index_map(mesh.topology.dim).size_local
    per_cell = topology.size // cell_types.size
    cells = topology.reshape(-1, per_cell)[:num_owned].copy()
    cells[:, 1:] = to_global[cells[:, 1:]]
    owned = slice(0, imap.size_local)
    bs = V.dofmap.index_map_bs
    array = T.x.array.real.reshape(-1, bs)
    values = array[:num_owned].copy() if cellwise else array[owned].copy()
    tags = np.zeros(num_owned, dtype=np.int32)
    if regions is not None:
        mine = regions.indices < num_owned
        tags[regions.indices[mine]] = regions.values[mine]
    parts = comm.gather(
        (cells, cell_types[:num_owned], to_global[owned], x[owned], values, tags), root=0
    )
    if comm.rank != 0:
        return None
    import pyvista

    points = np.zeros((imap.size_global, 3))
    point_values = np.zeros((imap.size_global, bs))
    for _, _, numbers, x_p, values_p, _ in parts:
        points[numbers] = x_p
        if not cellwise:
            point_values[numbers] = values_p
    grid = pyvista.UnstructuredGrid(
        np.concatenate([p[0] for p in parts]).ravel(),
        np.concatenate([p[1] for p in parts]),
        points,
    )
    vector = len(T.ufl_shape) == 1
    data = np.concatenate([p[4] for p in parts]) if cellwise else point_values
    if vector and bs < 3:  # a vector of a 1D or 2D mesh: zero further components, as VTK wants
        data = np.hstack([data, np.zeros((data.shape[0], 3 - bs))])
    elif not vector:
        data = data.ravel()
    (grid.cell_data if cellwise else grid.point_data)[T.name] = data
    if regions is not None:
        grid.cell_data["region"] = np.concatenate([p[5] for p in parts])
    return grid
