"""A cylindrical rod along x between two box reservoirs (shared by ``rod_between_reservoirs``
and ``split_rod``).

Layout (lengths in m): the left reservoir is the box [−box_length, 0] × [−w/2, w/2]², the rod
the cylinder of ``radius`` about the x axis from x = 0 to x = ``length``, the right reservoir
the box [length, length + box_length] × [−w/2, w/2]² (w = ``box_width``). The rod touches the
reservoirs only through its end discs.

Mesh size: ``h_rod`` in the rod and on its surfaces; in the reservoirs it grows from ``h_rod``
at the contact disc to ``h`` at ``grading`` from it. Each reservoir's size field depends only on
the distance to its own disc, so for rod lengths above ``grading`` the reservoirs' surface
meshes (the contact discs included) are the same for every rod length, up to the translation of
the right one. Their tetrahedra are not always: gmsh's 3D Delaunay depends on the whole model,
so a reservoir's interior may be meshed differently for another rod length (gmsh 4.13, 4.15).
"""

from __future__ import annotations

from typing import Any

from ._gmsh import generate, name_groups, require

REGION_TAGS = 1  # first region tag
BOUNDARY_TAGS = 101  # first boundary tag


def populate_rod(
    model: Any,
    *,
    label: str,
    length: float,
    radius: float,
    box_length: float,
    box_width: float,
    h: float,
    h_rod: float | None,
    grading: float | None,
    link_position: float | None = None,
) -> None:
    """Fill ``model``; with ``link_position`` (a fraction of the length, in (0, 1)) the rod is
    cut there into ``rod_left`` and ``rod_right`` joined at the interface ``weak_link``."""
    h_fine = h / 2 if h_rod is None else h_rod
    dist = 4 * radius if grading is None else grading
    require(
        min(length, radius, box_length, box_width, h, h_fine) > 0,
        f"{label}: sizes must be positive",
    )
    require(dist >= 0, f"{label}: grading must be non-negative")
    require(2 * radius < box_width, f"{label}: the rod (diameter 2 radius) must fit the box face")
    if link_position is not None:
        require(0 < link_position < 1, f"{label}: link_position must lie in (0, 1)")
    occ = model.occ
    w = box_width
    left = occ.addBox(-box_length, -w / 2, -w / 2, box_length, w, w)
    right = occ.addBox(length, -w / 2, -w / 2, box_length, w, w)
    if link_position is None:
        rods = [occ.addCylinder(0, 0, 0, length, 0, 0, radius)]
    else:
        x_link = link_position * length
        rods = [
            occ.addCylinder(0, 0, 0, x_link, 0, 0, radius),
            occ.addCylinder(x_link, 0, 0, length - x_link, 0, 0, radius),
        ]
    _, children = occ.fragment([(3, left), (3, right)], [(3, r) for r in rods])
    occ.synchronize()
    vol_left = [t for _, t in children[0]]
    vol_right = [t for _, t in children[1]]
    vol_rods = [[t for _, t in c] for c in children[2:]]

    def surfaces(volumes: list[int]) -> set[int]:
        return {s for _, s in model.getBoundary([(3, v) for v in volumes], oriented=False)}

    s_left, s_right = surfaces(vol_left), surfaces(vol_right)
    s_rods = [surfaces(v) for v in vol_rods]
    all_rod = set().union(*s_rods)
    contact_left = sorted(s_left & all_rod)
    contact_right = sorted(s_right & all_rod)
    weak_link = sorted(s_rods[0] & s_rods[1]) if len(s_rods) == 2 else []
    rod_surface = sorted(all_rod - set(contact_left) - set(contact_right) - set(weak_link))
    tol = 1e-6 * (length + 2 * box_length)

    def at_x(s: int, x: float) -> bool:
        x0, _, _, x1, _, _ = model.getBoundingBox(2, s)
        return abs(x0 - x) < tol and abs(x1 - x) < tol

    hot = [s for s in s_left if at_x(s, -box_length)]
    cold = [s for s in s_right if at_x(s, length + box_length)]
    walls = sorted((s_left | s_right) - set(contact_left) - set(contact_right) - {*hot, *cold})
    require(
        len(contact_left) == 1 and len(contact_right) == 1 and len(hot) == 1 and len(cold) == 1,
        f"{label}: unexpected geometry (contacts or end faces not found)",
    )
    regions = {"reservoir_left": vol_left, "reservoir_right": vol_right}
    if len(vol_rods) == 1:
        regions["rod"] = vol_rods[0]
    else:
        regions.update(rod_left=vol_rods[0], rod_right=vol_rods[1])
    name_groups(model, 3, regions, first_tag=REGION_TAGS)
    name_groups(
        model,
        2,
        {
            "hot": hot,
            "cold": cold,
            "contact_left": contact_left,
            "contact_right": contact_right,
            "weak_link": weak_link,
            "rod_surface": rod_surface,
            "walls": walls,
        },
        first_tag=BOUNDARY_TAGS,
    )
    rod_volumes = [v for vs in vol_rods for v in vs]
    _size_fields(model, rod_volumes, contact_left + contact_right, h, h_fine, dist)
    generate(model)


def _size_fields(
    model: Any, rod: list[int], discs: list[int], h: float, h_fine: float, dist: float
) -> None:
    """h_fine in the rod (and on its boundary); around each disc its own graded field."""
    import gmsh

    field = model.mesh.field
    fields = []
    inside = field.add("MathEval")
    field.setString(inside, "F", repr(float(h_fine)))
    restrict = field.add("Restrict")
    field.setNumber(restrict, "InField", inside)
    field.setNumbers(restrict, "VolumesList", rod)
    field.setNumber(restrict, "IncludeBoundary", 1)
    fields.append(restrict)
    for disc in discs:
        d = field.add("Distance")
        field.setNumbers(d, "SurfacesList", [disc])
        field.setNumber(d, "Sampling", 40)
        thr = field.add("Threshold")
        field.setNumber(thr, "InField", d)
        field.setNumber(thr, "SizeMin", h_fine)
        field.setNumber(thr, "SizeMax", h)
        field.setNumber(thr, "DistMin", 0.0)
        field.setNumber(thr, "DistMax", max(dist, 1e-12))
        field.setNumber(thr, "StopAtDistMax", 1)
        fields.append(thr)
    smallest = field.add("Min")
    field.setNumbers(smallest, "FieldsList", fields)
    field.setAsBackgroundMesh(smallest)
    gmsh.option.setNumber("Mesh.MeshSizeMax", h)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
