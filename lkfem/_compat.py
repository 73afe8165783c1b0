"""The one place that knows which dolfinx version is running (0.9 to 0.11).

Every difference between the supported dolfinx releases is bridged here, so the physics modules
read the same on all of them.
"""

from __future__ import annotations

from typing import Any

import dolfinx

__all__ = [
    "DOLFINX_VERSION",
    "model_to_mesh",
    "shared_facet_partitioner",
    "collapse",
    "expression",
    "create_vector",
    "adios4dolfinx",
    "vtx_writer",
    "vtx_mixes_cellwise",
    "has_adios2",
    "geometry_dofmap",
    "geometry_degree",
]

#: (major, minor) of the running dolfinx.
DOLFINX_VERSION: tuple[int, int] = tuple(  # type: ignore[assignment]
    int(part) for part in dolfinx.__version__.split(".")[:2]
)


def model_to_mesh(model: Any, comm: Any, rank: int, gdim: int) -> tuple[Any, Any, Any]:
    """Distribute the gmsh model held on ``rank`` over ``comm``, ghosting shared facets (so that
    integrals over interfaces work in parallel).

    Returns:
        ``(mesh, cell_tags, facet_tags)``; the tags carry gmsh's physical-group tags.
    """
    partitioner = shared_facet_partitioner()
    if DOLFINX_VERSION >= (0, 10):
        from dolfinx.io import gmsh as gmshio  # 0.10 renamed gmshio and returns MeshData

        data = gmshio.model_to_mesh(model, comm, rank, gdim=gdim, partitioner=partitioner)
        return data.mesh, data.cell_tags, data.facet_tags
    from dolfinx.io import gmshio

    mesh, cell_tags, facet_tags = gmshio.model_to_mesh(
        model, comm, rank, gdim=gdim, partitioner=partitioner
    )
    return mesh, cell_tags, facet_tags


def expression(expr: Any, V: Any) -> Any:
    """A :class:`dolfinx.fem.Expression` of ``expr`` at the interpolation points of ``V``."""
    from dolfinx import fem

    points = V.element.interpolation_points
    if callable(points):  # a method up to 0.9, a property from 0.10
        points = points()
    return fem.Expression(expr, points)


def create_vector(V: Any) -> Any:
    """A ghosted PETSc vector laid out like the function space ``V``."""
    if DOLFINX_VERSION >= (0, 10):
        from dolfinx.fem import petsc as fem_petsc

        return fem_petsc.create_vector(V)
    from dolfinx import la

    return la.create_petsc_vector(V.dofmap.index_map, V.dofmap.index_map_bs)


def shared_facet_partitioner() -> Any:
    """A cell partitioner that ghosts the cells across shared facets."""
    from dolfinx import mesh as dmesh

    if DOLFINX_VERSION >= (0, 11):  # 0.11 asks for the largest number of cells at a facet
        return dmesh.create_cell_partitioner(dmesh.GhostMode.shared_facet, 2)
    return dmesh.create_cell_partitioner(dmesh.GhostMode.shared_facet)


def collapse(V: Any) -> tuple[Any, Any]:
    """Collapse a subspace: (the space, the local dofs of the parent for each of its dofs).

    0.11 wraps the dof map in a list; here it is always a flat int32 array.
    """
    import numpy as np

    space, dofs = V.collapse()
    return space, np.asarray(dofs, dtype=np.int32).reshape(-1)


def adios4dolfinx() -> Any:
    """The adios4dolfinx module made for the running dolfinx (0.9.x for 0.9, 0.11.x for 0.11;
    their checkpoint API is the same).

    Debian's ``python3-adios2-mpi`` ships only the compiled bindings
    (``adios2.bindings.adios2_bindings_mpi``), without the ``adios2`` package's front that
    adios4dolfinx reads ``adios2.bindings`` from: point it at the bindings.
    """
    import importlib

    import adios2

    bindings = getattr(adios2, "bindings", None)
    if bindings is None or not hasattr(bindings, "is_built_with_mpi"):
        for name in ("adios2.bindings.adios2_bindings_mpi", "adios2.bindings.adios2_bindings"):
            try:
                adios2.bindings = importlib.import_module(name)  # type: ignore[attr-defined]
                break
            except ImportError:
                continue
    return importlib.import_module("adios4dolfinx")


def vtx_writer(comm: Any, path: Any, functions: list[Any]) -> Any:
    """A :class:`dolfinx.io.VTXWriter` of ``functions`` (one element) in ADIOS2's BP4 engine,
    which every ParaView with the ADIOS2 VTX reader opens (BP5 needs ParaView ≥ 5.11), the
    mesh written once (its policy ``reuse``)."""
    from dolfinx import io
    from dolfinx.cpp.io import VTXMeshPolicy

    return io.VTXWriter(comm, str(path), functions, engine="BP4", mesh_policy=VTXMeshPolicy.reuse)


def vtx_mixes_cellwise() -> bool:
    """Whether one VTXWriter takes cellwise-constant (DG0) functions beside point fields:
    0.9 refuses ("All functions in VTXWriter must have the same element type"), 0.11 writes
    them as cell data (0.10 untested, so treated as 0.9)."""
    return DOLFINX_VERSION >= (0, 11)


def has_adios2() -> bool:
    """Whether this dolfinx was built with ADIOS2 (VTX output)."""
    import dolfinx.common

    return bool(getattr(dolfinx.common, "has_adios2", False))


def geometry_dofmap(mesh: Any) -> Any:
    """The geometry's dof map (nodes of each cell); 0.11 has one per cell type (``dofmaps``)."""
    geometry = mesh.geometry
    return geometry.dofmaps[0] if hasattr(geometry, "dofmaps") else geometry.dofmap


def geometry_degree(mesh: Any) -> int:
    """The degree of the mesh's coordinate element; 0.11 has one per cell type (``cmaps``)."""
    geometry = mesh.geometry
    return int((geometry.cmaps[0] if hasattr(geometry, "cmaps") else geometry.cmap).degree)
