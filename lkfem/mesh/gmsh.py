"""A gmsh model with physical groups → a distributed :class:`~lkfem.core.domain.Domain`: the
physical groups of the cells' dimension (volumes in 3D, surfaces in 2D, curves in 1D) become
named regions, those one dimension lower (surfaces, curves, points) named boundaries. The mesh's
geometric dimension is its topological one: a 2D mesh keeps x and y, a 1D mesh x."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mpi4py import MPI

import lkfem._compat as _compat
from lkfem.core.domain import Domain
from lkfem.errors import MeshError
from lkfem.mesh.checks import check_model, scale_model

__all__ = ["from_gmsh"]


def _physical_names(model: Any, tdim: int) -> tuple[dict[str, int], dict[str, int]]:
    regions: dict[str, int] = {}
    boundaries: dict[str, int] = {}
    for dim, tag in model.getPhysicalGroups():
        name = model.getPhysicalName(dim, tag) or f"{'region' if dim == tdim else 'boundary'}_{tag}"
        if dim == tdim:
            regions[name] = tag
        elif dim == tdim - 1:
            boundaries[name] = tag
    return regions, boundaries


def from_gmsh(
    populate: Callable[[Any], None],
    comm: MPI.Comm = MPI.COMM_WORLD,
    rank: int = 0,
    *,
    gdim: int | None = None,
    label: str = "gmsh model",
    scale: float | None = None,
    max_cells: int | None = None,
) -> Domain:
    """Build a gmsh model on ``rank`` and distribute it over ``comm``.

    Args:
        populate: called on ``rank`` only with ``gmsh.model``; it adds geometry, named physical
            groups and generates the mesh. Raising :class:`MeshError` there reports a user error.
        comm: communicator to distribute the mesh over.
        rank: the rank that runs gmsh.
        gdim: geometric dimension (None: the mesh's own dimension, 1, 2 or 3).
        label: how errors name the source (a generator name or a file).
        scale: multiplies every coordinate (0.001 for a part drawn in mm); None: 1, with a
            warning when the part is so large that it looks drawn in mm.
        max_cells: refuse more cells than this (None: :data:`lkfem.mesh.checks.DEFAULT_MAX_CELLS`).

    Ctrl-C while gmsh meshes ends the process (gmsh is initialised interruptible).
    """
    import gmsh

    names: tuple[dict[str, int], dict[str, int], int] | None = None
    error: str | None = None
    initialised_here = False
    if comm.rank == rank:
        try:
            if not gmsh.isInitialized():
                gmsh.initialize(interruptible=True)  # Ctrl-C in the mesher ends the run
                initialised_here = True
            gmsh.option.setNumber("General.Terminal", 0)
            gmsh.model.add("lkfem")
            populate(gmsh.model)
            scale_model(gmsh.model, 1.0 if scale is None else scale)
            check_model(gmsh.model, label, scale_given=scale is not None, max_cells=max_cells)
            tdim = gmsh.model.getDimension()
            names = (*_physical_names(gmsh.model, tdim), tdim)
            if not names[0]:
                error = (
                    f"{label}: the mesh has no named regions "
                    f"(gmsh physical groups of dimension {tdim})"
                )
        except MeshError as exc:
            error = str(exc)
        except Exception as exc:  # gmsh raises plain Exceptions for unreadable input
            error = f"{label}: {exc}"
    error = comm.bcast(error, root=rank)
    if error is not None:
        if comm.rank == rank:
            _finalise(gmsh, initialised_here)
        raise MeshError(error)
    regions, boundaries, tdim = comm.bcast(names, root=rank)
    try:
        mesh, cell_tags, facet_tags = _compat.model_to_mesh(
            gmsh.model, comm, rank, tdim if gdim is None else gdim
        )
    finally:
        if comm.rank == rank:
            _finalise(gmsh, initialised_here)
    mesh.name = "mesh"
    if facet_tags is None:  # no physical surfaces: no named boundaries
        facet_tags = _no_facet_tags(mesh)
    cell_tags.name = "regions"
    facet_tags.name = "boundaries"
    return Domain(
        mesh=mesh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        regions=regions,
        boundaries=boundaries,
    )


def _no_facet_tags(mesh: Any) -> Any:
    import numpy as np
    from dolfinx import mesh as dmesh

    fdim = mesh.topology.dim - 1
    mesh.topology.create_entities(fdim)
    empty = np.empty(0, dtype=np.int32)
    return dmesh.meshtags(mesh, fdim, empty, empty)


def _finalise(gmsh: Any, initialised_here: bool) -> None:
    gmsh.model.remove()
    if initialised_here:
        gmsh.finalize()
