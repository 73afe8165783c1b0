"""A cylindrical bilayer thermal cloak (axis z, through the whole box) around an object.

Regions: ``object`` (ρ < r1), ``inner_layer`` (r1 < ρ < r2, insulating), ``outer_layer``
(r2 < ρ < r3, conducting) and ``background``; ρ = √(x² + y²), the box centred at the origin.
Interfaces: ``object_surface``, ``layer_interface``, ``cloak_surface`` (the lateral surfaces at
r1, r2, r3). Boundaries: ``left``/``right`` (x), ``front``/``back`` (y), ``bottom``/``top`` (z).

For a gradient across the axis, an insulating inner layer and a background k0, the outer layer's
k2 = k0 (r3² + r2²) / (r3² − r2²) cloaks the object (docs/theory.md, "Thermal cloaks").
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain

from ._gmsh import main
from .spherical_cloak import bilayer


def populate(
    model: Any,
    *,
    lx: float = 1.0,
    ly: float = 1.0,
    lz: float = 0.2,
    r1: float = 0.1,
    r2: float = 0.15,
    r3: float = 0.25,
    h: float = 0.08,
    h_interface: float | None = None,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        lx, ly, lz: box size (the box spans −l/2 … l/2; the cylinders run the full height lz).
        r1: object radius.
        r2: outer radius of the inner (insulating) layer.
        r3: outer radius of the outer (conducting) layer.
        h: mesh size away from the cloak.
        h_interface: mesh size in the cloak and on its surfaces (h / 3 by default).
    """
    bilayer(model, "cylinder", (lx, ly, lz), (r1, r2, r3), h, h_interface, __name__)


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
