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


def periodic_sides(
    model: Any, dim: int, sides: dict[str, list[int]], pairs: Sequence[tuple[str, str]]
) -> None:
    """Make the mesh of each ``image`` side a translated copy of its ``source`` side (gmsh
    ``setPeriodic``), so lkfem's ``[mesh] periodic`` pairs find matching nodes on any mesh.

    Args:
        model: the gmsh model, before meshing.
        dim: the dimension of the sides (1: curves of a 2D geometry, 2: surfaces of a 3D one).
        sides: the entities of each named side.
        pairs: ``(source, image)`` names of opposite sides.
    """

    def bbox(tags: Sequence[int]) -> tuple[list[float], list[float]]:
        boxes = [model.getBoundingBox(dim, t) for t in tags]
        return [min(b[i] for b in boxes) for i in range(3)], [
            max(b[i] for b in boxes) for i in range(3, 6)
        ]

    for source, image in pairs:
        lo_s, hi_s = bbox(sides[source])
        lo_i, hi_i = bbox(sides[image])
        shift = [b - a for a, b in zip(lo_s, lo_i, strict=True)]  # source → image
        tol = 1e-6 * max(max(h - l for l, h in zip(lo_s, hi_s, strict=True)), max(map(abs, shift)))
        affine = [1, 0, 0, shift[0], 0, 1, 0, shift[1], 0, 0, 1, shift[2], 0, 0, 0, 1]
        for tag in sides[image]:
            box = model.getBoundingBox(dim, tag)
            moved = [box[i] - shift[i % 3] for i in range(6)]
            match = [
                s
                for s in sides[source]
                if max(abs(a - b) for a, b in zip(model.getBoundingBox(dim, s), moved, strict=True))
                < tol
            ]
            require(len(match) == 1, f"periodic: side '{image}' is no translate of '{source}'")
            model.mesh.setPeriodic(dim, [tag], match, affine)


def name_groups(model: Any, dim: int, groups: dict[str, list[int]], first_tag: int) -> None:
    """Add one physical group per non-empty entry, tagged first_tag, first_tag + 1, …"""
    tag = first_tag
    for name, entities in groups.items():
        if entities:
            model.addPhysicalGroup(dim, sorted(entities), tag)
            model.setPhysicalName(dim, tag, name)
            tag += 1


def threshold_field(
    model: Any, surfaces: Sequence[int], h_fine: float, h: float, distance: float
) -> int:
    """A gmsh size field: h_fine on ``surfaces``, growing to h at ``distance`` from them."""
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
    return thr


def refine_near(
    model: Any, surfaces: Sequence[int], h_fine: float, h: float, distance: float
) -> None:
    """Mesh size h_fine on ``surfaces``, growing to h at ``distance`` from them."""
    model.mesh.field.setAsBackgroundMesh(threshold_field(model, surfaces, h_fine, h, distance))
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


SHAPES = ("sphere", "cylinder")


def concentric(
    model: Any, shape: str, radii: Sequence[float], size: Sequence[float], label: str
) -> tuple[list[list[int]], list[int], list[list[int]], dict[str, list[int]]]:
    """Concentric spheres (or cylinders along z through the whole box) of increasing ``radii``,
    centred in the box of ``size`` centred at the origin, fragmented into conforming volumes.

    Returns:
        ``(shells, background, surfaces, faces)``: the volumes of the ball (or disc) r < radii[0]
        and of each shell radii[i-1] < r < radii[i]; the volumes outside the last radius; the
        surfaces at each radius (for a cylinder, its lateral surface); the box faces by name.
    """
    require(shape in SHAPES, f"{label}: shape must be one of {', '.join(SHAPES)}, got {shape!r}")
    lx, ly, lz = size
    require(min(lx, ly, lz) > 0, f"{label}: the box size must be positive")
    require(len(radii) >= 1 and radii[0] > 0, f"{label}: radii must be positive")
    require(
        all(a < b for a, b in zip(radii[:-1], radii[1:], strict=False)),
        f"{label}: the radii must increase outwards, got {list(radii)}",
    )
    across = (lx, ly) if shape == "cylinder" else (lx, ly, lz)
    require(
        radii[-1] < min(across) / 2,
        f"{label}: the outer radius {radii[-1]} must fit inside the box (half-width "
        f"{min(across) / 2})",
    )
    occ = model.occ
    lo = (-lx / 2, -ly / 2, -lz / 2)
    box = occ.addBox(*lo, lx, ly, lz)
    if shape == "sphere":
        tools = [occ.addSphere(0, 0, 0, r) for r in radii]
    else:
        tools = [occ.addCylinder(0, 0, -lz / 2, 0, 0, lz, r) for r in radii]
    occ.fragment([(3, box)], [(3, t) for t in tools])
    occ.synchronize()

    def extent(dim: int, tag: int) -> float:  # largest half-width across the axis
        x0, y0, z0, x1, y1, z1 = model.getBoundingBox(dim, tag)
        spans = (x1 - x0, y1 - y0) if shape == "cylinder" else (x1 - x0, y1 - y0, z1 - z0)
        return max(spans) / 2

    def shell_of(r: float) -> int:  # index of the radius r matches, len(radii) for the box
        tol = 1e-3 * radii[0]
        for i, radius in enumerate(radii):
            if abs(r - radius) < tol:
                return i
        return len(radii)

    shells: list[list[int]] = [[] for _ in radii]
    background = []
    for _, v in model.getEntities(3):
        i = shell_of(extent(3, v))
        (shells[i] if i < len(radii) else background).append(v)
    require(all(shells) and background, f"{label}: the geometry did not fragment as expected")
    inner = [s for _, s in model.getEntities(2)]
    # Planar surfaces on the box's planes (for cylinders also the discs and annuli of the caps)
    faces = box_faces(model, inner, lo, (lx / 2, ly / 2, lz / 2))
    on_box = {s for group in faces.values() for s in group}
    surfaces: list[list[int]] = [[] for _ in radii]
    for s in inner:
        if s in on_box:
            continue
        i = shell_of(extent(2, s))
        if i < len(radii):
            surfaces[i].append(s)
    return shells, background, surfaces, faces
