"""A distributed mesh with named regions and named boundaries.

Users refer to parts of a geometry by the physical names given in gmsh ("matrix", "left",
"interface"), never by raw tags. A :class:`Domain` keeps the names with their tags and hands out
integration measures by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import ufl
from dolfinx import mesh as dmesh
from mpi4py import MPI

__all__ = ["Domain", "from_mesh"]


@dataclass(slots=True, kw_only=True)
class Domain:
    """A mesh with its regions (cell groups) and boundaries (facet groups), by name.

    Attributes:
        mesh: the distributed dolfinx mesh.
        cell_tags: region tags of the cells.
        facet_tags: tags of the named boundary and interface facets.
        regions: region name -> cell tag.
        boundaries: boundary or interface name -> facet tag.
        periodic: the periodic pairs (:class:`lkfem.core.periodic.Periodicity`) of the case's
            ``[mesh] periodic``, checked against this mesh; empty for none.
    """

    mesh: dmesh.Mesh
    cell_tags: dmesh.MeshTags
    facet_tags: dmesh.MeshTags
    regions: dict[str, int]
    boundaries: dict[str, int]
    periodic: list[Any] = field(default_factory=list)
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

    def tags_cover(self, tags: Any) -> bool:
        """Whether every cell (on every rank) carries one of the region tags ``tags``;
        collective. Where they do, ``dx(tags)`` is the whole domain: a form can then integrate
        its whole-domain terms over the tags, so that every cell lies in one cell integral
        (dolfinx builds the sparsity pattern and assembles per integral, visiting a cell once
        for its region and once more for an integral over all cells)."""
        key = ("cover", tuple(sorted(set(tags))))
        if key not in self._measures:
            outside = int(np.count_nonzero(~np.isin(self.cell_region_tags(), key[1])))
            self._measures[key] = self.comm.allreduce(outside, op=MPI.SUM) == 0
        return bool(self._measures[key])

    def exterior_boundaries(self) -> list[str]:
        """Names of the facet groups that lie on the outer surface (not interfaces); collective,
        kept for the boundaries it was asked for (a solve asks more than once)."""
        key = ("exterior", tuple(self.boundaries.items()))
        if key not in self._measures:
            self._measures[key] = self._exterior_boundaries()
        return list(self._measures[key])

    def _exterior_boundaries(self) -> list[str]:
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
