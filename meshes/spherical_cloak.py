"""A spherical bilayer thermal cloak around an object, in a box centred at the origin.

Regions: ``object`` (r < r1), ``inner_layer`` (r1 < r < r2, the insulating layer),
``outer_layer`` (r2 < r < r3, the conducting layer) and ``background``. Interfaces:
``object_surface`` (r = r1), ``layer_interface`` (r = r2), ``cloak_surface`` (r = r3).
Boundaries: ``left``/``right`` (x = ∓lx/2), ``front``/``back`` (y), ``bottom``/``top`` (z).

With an insulating inner layer and a background of conductivity k0, the outer layer's
conductivity k2 = k0 (2 r3³ + r2³) / (2 (r3³ − r2³)) hides the object from a uniform applied
gradient (docs/theory.md, "Thermal cloaks").
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain

from ._gmsh import concentric, generate, main, name_groups, refine_near, require

SHAPE = "sphere"
NAMES = ("object", "inner_layer", "outer_layer")
SURFACES = ("object_surface", "layer_interface", "cloak_surface")


def populate(
    model: Any,
    *,
    lx: float = 1.0,
    ly: float = 1.0,
    lz: float = 1.0,
    r1: float = 0.1,
    r2: float = 0.15,
    r3: float = 0.25,
    h: float = 0.08,
    h_interface: float | None = None,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        lx, ly, lz: box size (the box spans −l/2 … l/2 on each axis).
        r1: object radius.
        r2: outer radius of the inner (insulating) layer.
        r3: outer radius of the outer (conducting) layer.
        h: mesh size away from the cloak.
        h_interface: mesh size in the cloak and on its surfaces (h / 3 by default).
    """
    bilayer(model, SHAPE, (lx, ly, lz), (r1, r2, r3), h, h_interface, __name__)


def bilayer(
    model: Any,
    shape: str,
    size: tuple[float, float, float],
    radii: tuple[float, float, float],
    h: float,
    h_interface: float | None,
    module: str,
) -> None:
    """The bilayer cloak of ``shape`` (shared with :mod:`lkfem.meshes.cylindrical_cloak`)."""
    label = module.rsplit(".", 1)[-1]
    h_fine = h / 3 if h_interface is None else h_interface
    require(h > 0 and h_fine > 0, f"{label}: mesh sizes h and h_interface must be positive")
    shells, background, surfaces, faces = concentric(model, shape, radii, size, label)
    name_groups(model, 3, {**dict(zip(NAMES, shells, strict=True)), "background": background}, 1)
    name_groups(model, 2, {**faces, **dict(zip(SURFACES, surfaces, strict=True))}, 101)
    refine_near(model, [s for group in surfaces for s in group], h_fine, h, distance=radii[-1])
    generate(model)


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
