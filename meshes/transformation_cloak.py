"""A transformation-thermotics cloak: an object of radius r1 inside a shell r1 < r < r2 whose
(anisotropic, position-dependent) conductivity guides heat around it, in a box centred at the
origin.

The object and the cloak are spheres, or cylinders of axis z through the whole box height
(``shape``); r is √(x²+y²+z²) for a sphere and √(x²+y²) for a cylinder, so a case file's
expressions in x, y, z are centred on the cloak.

Regions: ``object`` (r < r1), ``cloak`` (r1 < r < r2), ``background``. Boundaries:
``left``/``right`` (x = ∓lx/2), ``front``/``back`` (y = ∓ly/2), ``bottom``/``top`` (z = ∓lz/2),
and the interfaces ``inner_surface`` (r = r1) and ``outer_surface`` (r = r2). The whole cloak is
meshed with ``h_cloak``, as its coefficients vary there.
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain

from ._bodies import core_and_shell
from ._gmsh import main


def populate(
    model: Any,
    *,
    shape: str = "sphere",
    r1: float = 0.2,
    r2: float = 0.4,
    lx: float = 1.2,
    ly: float = 1.2,
    lz: float = 1.2,
    h: float = 0.12,
    h_cloak: float | None = None,
    h_interface: float | None = None,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        shape: ``"sphere"`` or ``"cylinder"`` (axis z, through the whole box height).
        r1: inner radius of the cloak, the radius of the object (m).
        r2: outer radius of the cloak (m).
        lx, ly, lz: box size; the box is [-lx/2, lx/2] x [-ly/2, ly/2] x [-lz/2, lz/2] (m).
        h: mesh size away from the cloak (m).
        h_cloak: mesh size throughout the cloak (h / 2 by default) (m).
        h_interface: mesh size at the cloak's surfaces (h_cloak by default) (m).
    """
    core_and_shell(
        model,
        "transformation_cloak",
        names=("object", "cloak", "background"),
        surface_names=("inner_surface", "outer_surface"),
        shape=shape,
        r1=r1,
        r2=r2,
        lx=lx,
        ly=ly,
        lz=lz,
        h=h,
        h_interface=h_interface,
        h_shell=h_cloak,
        shell_key="h_cloak",
    )


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
