"""A 2D bilayer thermal cloak: an object wrapped in two rings, in a rectangle centred at the
origin (the cross-section of :mod:`lkfem.meshes.cylindrical_cloak`).

Regions: ``object`` (ρ < r1), ``inner_layer`` (r1 < ρ < r2, insulating), ``outer_layer``
(r2 < ρ < r3, conducting) and ``background``; ρ = √(x² + y²). Interfaces (curves):
``object_surface``, ``layer_interface``, ``cloak_surface`` (ρ = r1, r2, r3). Boundaries:
``left``/``right`` (x = ∓lx/2), ``bottom``/``top`` (y = ∓ly/2).

For a gradient along x, an insulating inner layer and a background k0, the outer layer's
k2 = k0 (r3² + r2²) / (r3² − r2²) cloaks the object (docs/theory.md, "Thermal cloaks").
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain

from ._gmsh import generate, main, name_groups, require
from ._plane import rectangle_sides, rings

NAMES = ("object", "inner_layer", "outer_layer")
CURVES = ("object_surface", "layer_interface", "cloak_surface")


def populate(
    model: Any,
    *,
    lx: float = 1.0,
    ly: float = 1.0,
    r1: float = 0.1,
    r2: float = 0.15,
    r3: float = 0.25,
    h: float = 0.04,
    h_interface: float | None = None,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        lx, ly: the rectangle's sides (it spans −l/2 … l/2).
        r1: object radius.
        r2: outer radius of the inner (insulating) layer.
        r3: outer radius of the outer (conducting) layer.
        h: mesh size away from the cloak.
        h_interface: mesh size at the cloak's circles (h / 3 by default).
    """
    h_fine = h / 3 if h_interface is None else h_interface
    require(min(lx, ly, h, h_fine) > 0, "circular_cloak: sizes must be positive")
    require(
        r3 < min(lx, ly) / 2,
        f"circular_cloak: the outer radius {r3} must fit inside the rectangle (half-width "
        f"{min(lx, ly) / 2})",
    )
    zones, outside, circles, _ = rings(
        model, [r1, r2, r3], "circular_cloak", box=(-lx / 2, -ly / 2, lx, ly)
    )
    require(bool(outside), "circular_cloak: the geometry did not fragment as expected")
    name_groups(model, 2, {**dict(zip(NAMES, zones, strict=True)), "background": outside}, 1)
    straight = [c for _, c in model.getEntities(1)]
    sides = rectangle_sides(model, straight, (-lx / 2, -ly / 2), (lx / 2, ly / 2))
    name_groups(model, 1, {**sides, **dict(zip(CURVES, circles, strict=True))}, 101)
    field = model.mesh.field
    dist = field.add("Distance")
    field.setNumbers(dist, "CurvesList", [c for group in circles for c in group])
    field.setNumber(dist, "Sampling", 200)
    thr = field.add("Threshold")
    field.setNumber(thr, "InField", dist)
    field.setNumber(thr, "SizeMin", h_fine)
    field.setNumber(thr, "SizeMax", h)
    field.setNumber(thr, "DistMin", 0.0)
    field.setNumber(thr, "DistMax", r3)
    field.setAsBackgroundMesh(thr)
    import gmsh

    for option in ("MeshSizeExtendFromBoundary", "MeshSizeFromPoints", "MeshSizeFromCurvature"):
        gmsh.option.setNumber(f"Mesh.{option}", 0)
    generate(model, 2)


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
