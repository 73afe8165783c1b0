"""A rod cut in two, joined by a weak link, between two box reservoirs (the AC Josephson set-up
of paper 001).

Regions: ``reservoir_left``, ``reservoir_right``, ``rod_left``, ``rod_right``. Boundaries as in
:mod:`lkfem.meshes.rod_between_reservoirs` (``hot``, ``cold``, ``contact_left``,
``contact_right``, ``rod_surface``, ``walls``) plus the interface ``weak_link``: the disc at
x = ``link_position`` × ``length`` where the two rod pieces meet.
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
    link_position: float = 0.5,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        length: rod length (both pieces).
        radius: rod radius.
        box_length: x extent of each reservoir.
        box_width: y and z extent of each reservoir.
        h: mesh size in the reservoirs away from the rod.
        h_rod: mesh size in the rod and on the contacts (h / 2 by default).
        grading: distance from a contact over which the size grows to h (4 radius by default).
        link_position: where the weak link sits, as a fraction of the length (0 to 1).
    """
    populate_rod(
        model,
        label="split_rod",
        length=length,
        radius=radius,
        box_length=box_length,
        box_width=box_width,
        h=h,
        h_rod=h_rod,
        grading=grading,
        link_position=link_position,
    )


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
