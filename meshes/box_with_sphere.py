"""A box with a spherical inclusion, or with a spherical hole.

Regions: ``matrix``, ``inclusion``. Boundaries: ``left``/``right`` (x = 0, lx), ``front``/``back``
(y = 0, ly), ``bottom``/``top`` (z = 0, lz), and the interface ``sphere``. With ``void=True`` the
sphere is cut out: the only region is ``matrix`` and ``sphere`` is an exterior boundary (the
surface of the hole). The mesh is refined to ``h_interface`` at the sphere and grows to ``h``
away from it.
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain

from ._gmsh import box_faces, generate, main, name_groups, refine_near, require


def populate(
    model: Any,
    *,
    lx: float = 1.0,
    ly: float = 1.0,
    lz: float = 1.0,
    radius: float = 0.25,
    center: list[float] | None = None,
    h: float = 0.1,
    h_interface: float | None = None,
    void: bool = False,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        lx, ly, lz: box size.
        radius: sphere radius.
        center: sphere centre; the box centre by default.
        h: mesh size away from the sphere.
        h_interface: mesh size at the sphere (h / 2 by default).
        void: cut the sphere out (a hole bounded by the exterior boundary ``sphere``) instead
            of meshing it as the region ``inclusion``.
    """
    c = list(center) if center is not None else [lx / 2, ly / 2, lz / 2]
    h_fine = h / 2 if h_interface is None else h_interface
    require(min(lx, ly, lz, radius, h, h_fine) > 0, "box_with_sphere: sizes must be positive")
    require(len(c) == 3, "box_with_sphere: center must be [x, y, z]")
    require(
        all(radius < c[i] < dim - radius for i, dim in enumerate((lx, ly, lz))),
        "box_with_sphere: the sphere must lie inside the box",
    )
    occ = model.occ
    box = occ.addBox(0, 0, 0, lx, ly, lz)
    ball = occ.addSphere(*c, radius)
    if void:
        cut, _ = occ.cut([(3, box)], [(3, ball)])
        occ.synchronize()
        inclusion = []
        matrix = [tag for dim, tag in cut if dim == 3]
        surfaces = [s for _, s in model.getBoundary([(3, v) for v in matrix], oriented=False)]
        on_box = box_faces(model, surfaces, (0, 0, 0), (lx, ly, lz))
        outer = [s for group in on_box.values() for s in group]
        sphere = [s for s in surfaces if s not in outer]
    else:
        _, children = occ.fragment([(3, box)], [(3, ball)])
        occ.synchronize()
        inclusion = [tag for _, tag in children[1]]
        matrix = [tag for _, tag in children[0] if tag not in inclusion]
        sphere = [s for _, s in model.getBoundary([(3, v) for v in inclusion], oriented=False)]
        outer = [
            s
            for _, s in model.getBoundary([(3, v) for v in matrix], oriented=False)
            if s not in sphere
        ]
    name_groups(model, 3, {"matrix": matrix, "inclusion": inclusion}, first_tag=1)
    faces = box_faces(model, outer, (0, 0, 0), (lx, ly, lz))
    name_groups(model, 2, {**faces, "sphere": sphere}, first_tag=101)
    refine_near(model, sphere, h_fine, h, distance=radius)
    generate(model)


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
