"""Helpers shared by the geometry generators: naming faces, groups and mesh-size fields."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from lkfem.errors import MeshError

BOX_FACES = ("left", "right", "front", "back", "bottom", "top")  # x-, x+, y-, y+, z-, z+


def require(condition: bool, message: str) -> None:
    """Raise a :class:`MeshError` for a bad geometry parameter."""
    if not condition:
        raise MeshError(message)


def box_faces(
    model: Any, surfaces: Sequence[int], lo: Sequence[float], hi: Sequence[float]
) -> dict[str, list[int]]:
    """Sort the planar surfaces lying on the faces of the box [lo, hi] by face name."""
    tol = 1e-6 * max(h - l for l, h in zip(lo, hi, strict=True))  # OCC pads bounding boxes
    faces: dict[str, list[int]] = {name: [] for name in BOX_FACES}
    for s in surfaces:
        x0, y0, z0, x1, y1, z1 = model.getBoundingBox(2, s)
        bmin, bmax = (x0, y0, z0), (x1, y1, z1)
        for axis in range(3):
            if abs(bmin[axis] - bmax[axis]) > tol:
                continue
            if abs(bmin[axis] - lo[axis]) < tol:
                faces[BOX_FACES[2 * axis]].append(s)
            elif abs(bmin[axis] - hi[axis]) < tol:
                faces[BOX_FACES[2 * axis + 1]].append(s)
    return faces


def name_groups(model: Any, dim: int, groups: dict[str, list[int]], first_tag: int) -> None:
    """Add one physical group per non-empty entry, tagged first_tag, first_tag + 1, …"""
    tag = first_tag
    for name, entities in groups.items():
        if entities:
            model.addPhysicalGroup(dim, sorted(entities), tag)
            model.setPhysicalName(dim, tag, name)
            tag += 1


def refine_near(
    model: Any, surfaces: Sequence[int], h_fine: float, h: float, distance: float
) -> None:
    """Mesh size h_fine on ``surfaces``, growing to h at ``distance`` from them."""
    field = model.mesh.field
    dist = field.add("Distance")
    field.setNumbers(dist, "SurfacesList", list(surfaces))
    field.setNumber(dist, "Sampling", 100)
    thr = field.add("Threshold")
    field.setNumber(thr, "InField", dist)
    field.setNumber(thr, "SizeMin", h_fine)
    field.setNumber(thr, "SizeMax", h)
    field.setNumber(thr, "DistMin", 0.0)
    field.setNumber(thr, "DistMax", distance)
    field.setAsBackgroundMesh(thr)
    _size_from_fields_only()


def uniform_size(h: float) -> None:
    import gmsh

    gmsh.option.setNumber("Mesh.MeshSizeMin", h)
    gmsh.option.setNumber("Mesh.MeshSizeMax", h)
    _size_from_fields_only()


def _size_from_fields_only() -> None:
    import gmsh

    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)


def generate(model: Any, dim: int = 3) -> None:
    """Mesh deterministically (one thread, fixed algorithm)."""
    import gmsh

    gmsh.option.setNumber("General.NumThreads", 1)
    gmsh.option.setNumber("Mesh.Algorithm3D", 1)  # Delaunay
    model.mesh.generate(dim)


def main(populate: Callable[..., None], argv: Sequence[str] | None = None) -> None:
    """``python -m lkfem.meshes.NAME OUT.msh [key=value ...]``: write the mesh to a file."""
    import ast

    import gmsh

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or not args[0].endswith(".msh"):
        sys.exit(f"usage: python -m {populate.__module__} OUT.msh [key=value ...]")
    params = {}
    for item in args[1:]:
        key, _, value = item.partition("=")
        params[key] = ast.literal_eval(value)
    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        populate(gmsh.model, **params)
        gmsh.write(args[0])
    finally:
        gmsh.finalize()
    print(f"wrote {args[0]}")
