"""A distributed mesh with named regions and named boundaries.

Users refer to parts of a geometry by the physical names given in gmsh ("matrix", "left",
"interface"), never by raw tags. A :class:`Domain` keeps the names with their tags and hands out
integration measures by name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import ufl
from dolfinx import mesh as dmesh
from mpi4py import MPI

from . import _compat
from .errors import MeshError

__all__ = ["Domain", "from_gmsh", "from_mesh", "read_msh"]


@dataclass(slots=True, kw_only=True)
class Domain:
    """A mesh with its regions (cell groups) and boundaries (facet groups), by name.

    Attributes:
        mesh: the distributed dolfinx mesh.
        cell_tags: region tags of the cells.
        facet_tags: tags of the named boundary and interface facets.
        regions: region name -> cell tag.
        boundaries: boundary or interface name -> facet tag.
    """

    mesh: dmesh.Mesh
    cell_tags: dmesh.MeshTags
    facet_tags: dmesh.MeshTags
    regions: dict[str, int]
    boundaries: dict[str, int]
    _measures: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def comm(self) -> MPI.Comm:
        return self.mesh.comm

    @property
    def dx(self) -> ufl.Measure:
        """Cell measure over the regions: ``domain.dx(domain.regions["matrix"])``."""
        if "dx" not in self._measures:
            self._measures["dx"] = ufl.Measure(
                "dx", domain=self.mesh, subdomain_data=self.cell_tags
            )
        return self._measures["dx"]

    @property
    def ds(self) -> ufl.Measure:
        """Exterior facet measure over the named boundaries."""
        if "ds" not in self._measures:
            self._measures["ds"] = ufl.Measure(
                "ds", domain=self.mesh, subdomain_data=self.facet_tags
            )
        return self._measures["ds"]

    @property
    def dS(self) -> ufl.Measure:
        """Interior facet measure over the named interfaces."""
        if "dS" not in self._measures:
            self._measures["dS"] = ufl.Measure(
                "dS", domain=self.mesh, subdomain_data=self.facet_tags
            )
        return self._measures["dS"]

    def region_cells(self, name: str) -> np.ndarray:
        """Local indices of the cells of region ``name``."""
        return self.cell_tags.find(self.regions[name])

    def boundary_facets(self, name: str) -> np.ndarray:
        """Local indices of the facets of boundary ``name``."""
        return self.facet_tags.find(self.boundaries[name])

    def cell_region_tags(self) -> np.ndarray:
        """The region tag of every local cell (owned and ghost), −1 for untagged cells; also
        creates the facet-to-cell connectivity, which interface look-ups need."""
        tdim = self.mesh.topology.dim
        self.mesh.topology.create_connectivity(tdim - 1, tdim)
        imap = self.mesh.topology.index_map(tdim)
        region = np.full(imap.size_local + imap.num_ghosts, -1, dtype=np.int64)
        region[self.cell_tags.indices] = self.cell_tags.values
        return region

    def exterior_boundaries(self) -> list[str]:
        """Names of the facet groups that lie on the outer surface (not interfaces)."""
        tdim = self.mesh.topology.dim
        self.mesh.topology.create_connectivity(tdim - 1, tdim)
        exterior = dmesh.exterior_facet_indices(self.mesh.topology)
        owned = self.mesh.topology.index_map(tdim - 1).size_local
        names = []
        for name, tag in self.boundaries.items():
            facets = self.facet_tags.find(tag)
            facets = facets[facets < owned]  # ghosts are counted by their owner
            local = int(np.isin(facets, exterior).sum()), int(facets.size)
            on_outside, total = (self.comm.allreduce(v, op=MPI.SUM) for v in local)
            if total > 0 and on_outside == total:
                names.append(name)
        return names

    def num_cells(self) -> int:
        imap = self.mesh.topology.index_map(self.mesh.topology.dim)
        return int(imap.size_global)

    def num_vertices(self) -> int:
        return int(self.mesh.topology.index_map(0).size_global)


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
    gdim: int = 3,
    label: str = "gmsh model",
) -> Domain:
    """Build a gmsh model on ``rank`` and distribute it over ``comm``.

    Args:
        populate: called on ``rank`` only with ``gmsh.model``; it adds geometry, named physical
            groups and generates the mesh. Raising :class:`MeshError` there reports a user error.
        comm: communicator to distribute the mesh over.
        rank: the rank that runs gmsh.
        gdim: geometric dimension.
        label: how errors name the source (a generator name or a file).
    """
    import gmsh

    names: tuple[dict[str, int], dict[str, int]] | None = None
    error: str | None = None
    initialised_here = False
    if comm.rank == rank:
        try:
            if not gmsh.isInitialized():
                gmsh.initialize(interruptible=False)
                initialised_here = True
            gmsh.option.setNumber("General.Terminal", 0)
            gmsh.model.add("lkfem")
            populate(gmsh.model)
            tdim = gmsh.model.getDimension()
            names = _physical_names(gmsh.model, tdim)
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
    regions, boundaries = comm.bcast(names, root=rank)
    try:
        mesh, cell_tags, facet_tags = _compat.model_to_mesh(gmsh.model, comm, rank, gdim)
    finally:
        if comm.rank == rank:
            _finalise(gmsh, initialised_here)
    mesh.name = "mesh"
    cell_tags.name = "regions"
    facet_tags.name = "boundaries"
    return Domain(
        mesh=mesh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        regions=regions,
        boundaries=boundaries,
    )


def _finalise(gmsh: Any, initialised_here: bool) -> None:
    gmsh.model.remove()
    if initialised_here:
        gmsh.finalize()


def read_msh(
    filename: str | os.PathLike, comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, *, gdim: int = 3
) -> Domain:
    """Read a gmsh ``.msh`` file (format 2 or 4) with physical names, on ``rank``.

    Kept for existing code: :func:`lkfem.mesh_import.read_mesh` reads these and other formats
    and checks the cells.
    """
    from .mesh_import import read_mesh

    return read_mesh(filename, comm, rank, gdim=gdim)


def from_mesh(mesh: dmesh.Mesh, *, region: str = "domain") -> Domain:
    """Wrap a dolfinx mesh of an axis-aligned box (interval, rectangle or box) as a Domain.

    The whole mesh is one region; its boundary facets are named ``left``/``right`` (x min/max),
    ``front``/``back`` (y) and ``bottom``/``top`` (z). Handy for tests and quick studies.
    """
    tdim = mesh.topology.dim
    gdim = mesh.geometry.dim
    num_cells = mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts
    cells = np.arange(num_cells, dtype=np.int32)
    cell_tags = dmesh.meshtags(mesh, tdim, cells, np.ones_like(cells))
    x = mesh.geometry.x
    lo, hi = np.empty(3), np.empty(3)
    mesh.comm.Allreduce(x.min(axis=0) if x.size else np.full(3, np.inf), lo, op=MPI.MIN)
    mesh.comm.Allreduce(x.max(axis=0) if x.size else np.full(3, -np.inf), hi, op=MPI.MAX)
    names = ("left", "right", "front", "back", "bottom", "top")
    mesh.topology.create_connectivity(tdim - 1, tdim)
    facets, values, boundaries = [], [], {}
    for axis in range(gdim):
        for side, bound in enumerate((lo[axis], hi[axis])):
            tag = 101 + 2 * axis + side
            found = dmesh.locate_entities_boundary(
                mesh, tdim - 1, lambda p, a=axis, v=bound: np.isclose(p[a], v)
            )
            facets.append(found)
            values.append(np.full(found.size, tag, dtype=np.int32))
            boundaries[names[2 * axis + side]] = tag
    order = np.argsort(np.concatenate(facets))
    facet_tags = dmesh.meshtags(
        mesh,
        tdim - 1,
        np.concatenate(facets)[order].astype(np.int32),
        np.concatenate(values)[order],
    )
    return Domain(
        mesh=mesh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        regions={region: 1},
        boundaries=boundaries,
    )
