"""A cylindrical rod between two box reservoirs: the heat superconductor of paper 001, Fig. 2.

Regions: ``reservoir_left``, ``reservoir_right``, ``rod``. Boundaries: ``hot`` (the outer
x-face of the left reservoir), ``cold`` (that of the right one), ``contact_left`` and
``contact_right`` (the rod's end discs, interfaces with the reservoirs), ``rod_surface`` (its
lateral surface) and ``walls`` (the reservoirs' other faces). The rod runs along x from 0 to
``length``; see :mod:`lkfem.meshes._rod` for the layout and the mesh sizes (the reservoir
meshes do not change with ``length`` once it exceeds ``grading``).
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain

from ._gmsh import main
from ._rod import populate_rod


def populate(
    model: Any,
    *,
    length: float = 1.0,
    radius: float = 0.1,
    box_length: float = 0.5,
    box_width: float = 0.5,
    h: float = 0.1,
    h_rod: float | None = None,
    grading: float | None = None,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        length: rod length.
        radius: rod radius.
        box_length: x extent of each reservoir.
        box_width: y and z extent of each reservoir.
        h: mesh size in the reservoirs away from the rod.
        h_rod: mesh size in the rod and on the contacts (h / 2 by default).
        grading: distance from a contact over which the size grows to h (4 radius by default).
    """
    populate_rod(
        model,
        label="rod_between_reservoirs",
        length=length,
        radius=radius,
        box_length=box_length,
        box_width=box_width,
        h=h,
        h_rod=h_rod,
        grading=grading,
    )


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
