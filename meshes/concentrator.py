"""A thermal concentrator: a core of radius r1 inside a shell r1 < r < r2 that gathers the heat
flux into the core, in a box centred at the origin.

The core and the shell are spheres, or cylinders of axis z through the whole box height
(``shape``); r is √(x²+y²+z²) for a sphere and √(x²+y²) for a cylinder, so a case file's
expressions in x, y, z are centred on the concentrator.

Regions: ``core`` (r < r1), ``shell`` (r1 < r < r2), ``background``. Boundaries:
``left``/``right`` (x = ∓lx/2), ``front``/``back`` (y = ∓ly/2), ``bottom``/``top`` (z = ∓lz/2),
and the interfaces ``core_surface`` (r = r1) and ``shell_surface`` (r = r2). The whole shell is
meshed with ``h_shell``, as its coefficients may vary there.
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
    h_shell: float | None = None,
    h_interface: float | None = None,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        shape: ``"sphere"`` or ``"cylinder"`` (axis z, through the whole box height).
        r1: radius of the core, the inner radius of the shell (m).
        r2: outer radius of the shell (m).
        lx, ly, lz: box size; the box is [-lx/2, lx/2] x [-ly/2, ly/2] x [-lz/2, lz/2] (m).
        h: mesh size away from the shell (m).
        h_shell: mesh size throughout the shell (h / 2 by default) (m).
        h_interface: mesh size at the shell's surfaces (h_shell by default) (m).
    """
    core_and_shell(
        model,
        "concentrator",
        names=("core", "shell", "background"),
        surface_names=("core_surface", "shell_surface"),
        shape=shape,
        r1=r1,
        r2=r2,
        lx=lx,
        ly=ly,
        lz=lz,
        h=h,
        h_interface=h_interface,
        h_shell=h_shell,
        shell_key="h_shell",
    )


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
