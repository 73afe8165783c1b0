"""An interval [0, length] on the x axis (1D: a bar, rod or slab seen across).

Region: ``bar``. Boundaries (points): ``left`` (x = 0) and ``right`` (x = length).
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain

from ._gmsh import generate, main, name_groups, require


def populate(model: Any, *, length: float = 1.0, h: float = 0.02) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        length: the interval's length (m).
        h: mesh size (m); the interval is cut into ceil(length / h) equal cells.
    """
    require(length > 0 and h > 0, "interval: length and h must be positive")
    geo = model.geo
    left = geo.addPoint(0, 0, 0)
    right = geo.addPoint(length, 0, 0)
    line = geo.addLine(left, right)
    geo.synchronize()
    cells = max(1, int(-(-length // h)))
    model.mesh.setTransfiniteCurve(line, cells + 1)
    name_groups(model, 1, {"bar": [line]}, first_tag=1)
    name_groups(model, 0, {"left": [left], "right": [right]}, first_tag=101)
    generate(model, 1)


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
