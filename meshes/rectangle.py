"""A rectangle [0, Lx] × [0, Ly] (2D), of triangles or of structured quadrilaterals.

Region: ``plate``. Boundaries (curves): ``left`` (x = 0), ``right`` (x = Lx), ``bottom``
(y = 0), ``top`` (y = Ly). With ``periodic = true`` opposite sides have matching nodes.
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain

from ._gmsh import generate, main, name_groups, periodic_sides, require, uniform_size
from ._plane import rectangle_sides


def populate(
    model: Any,
    *,
    Lx: float = 1.0,
    Ly: float = 1.0,
    h: float = 0.05,
    quads: bool = False,
    periodic: bool = False,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        Lx, Ly: the rectangle's sides along x and y (m).
        h: mesh size (m).
        quads: structured quadrilaterals (ceil(L / h) along each side) instead of triangles.
        periodic: mesh ``right`` as a translate of ``left`` and ``top`` of ``bottom`` (gmsh
            ``setPeriodic``), so that ``[mesh] periodic`` pairs of opposite sides match node by
            node also with triangles (structured quadrilaterals match anyway).
    """
    require(min(Lx, Ly, h) > 0, "rectangle: Lx, Ly and h must be positive")
    occ = model.occ
    plate = occ.addRectangle(0, 0, 0, Lx, Ly)
    occ.synchronize()
    curves = [c for _, c in model.getBoundary([(2, plate)], oriented=False)]
    sides = rectangle_sides(model, curves, (0, 0), (Lx, Ly))
    if quads:
        for name, length in (("left", Ly), ("right", Ly), ("bottom", Lx), ("top", Lx)):
            for c in sides[name]:
                model.mesh.setTransfiniteCurve(c, max(1, int(-(-length // h))) + 1)
        model.mesh.setTransfiniteSurface(plate)
        model.mesh.setRecombine(2, plate)
    else:
        uniform_size(h)
    if periodic:
        periodic_sides(model, 1, sides, (("left", "right"), ("bottom", "top")))
    name_groups(model, 2, {"plate": [plate]}, first_tag=1)
    name_groups(model, 1, sides, first_tag=101)
    generate(model, 2)


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
