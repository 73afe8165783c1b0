"""An object wrapped in N concentric layers (a multilayer thermal cloak), in a box centred at the
origin.

The object is a sphere, or a cylinder of axis z through the whole box height (``shape``), of
radius ``r_object``; the layers are the shells between the successive ``radii``.

Regions: ``object`` (r < r_object), ``layer0`` (r_object < r < radii[0]), ``layer1``, …,
``layer{N-1}``, ``background``. Boundaries: ``left``/``right`` (x = ∓lx/2), ``front``/``back``
(y = ∓ly/2), ``bottom``/``top`` (z = ∓lz/2), and the interfaces ``object_surface``
(r = r_object) and ``interface0``, …, ``interface{N-1}`` (the outer surface of layer i,
r = radii[i]). r is √(x²+y²+z²) for a sphere and √(x²+y²) for a cylinder. The mesh is refined to
``h_interface`` at the interfaces.
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain

from ._bodies import check_box, check_shape, check_sizes, max_radius, refine
from ._gmsh import concentric, generate, main, name_groups, require

NAME = "multilayer_cloak"


def populate(
    model: Any,
    *,
    shape: str = "sphere",
    r_object: float = 0.15,
    radii: list[float] = (0.25, 0.35),  # type: ignore[assignment]
    lx: float = 1.0,
    ly: float = 1.0,
    lz: float = 1.0,
    h: float = 0.1,
    h_interface: float | None = None,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        shape: ``"sphere"`` or ``"cylinder"`` (axis z, through the whole box height).
        r_object: radius of the object (m).
        radii: outer radii of the layers, increasing, the first larger than r_object (m).
        lx, ly, lz: box size; the box is [-lx/2, lx/2] x [-ly/2, ly/2] x [-lz/2, lz/2] (m).
        h: mesh size away from the interfaces (m).
        h_interface: mesh size at the interfaces (h / 2 by default) (m).
    """
    check_shape(NAME, shape)
    check_box(NAME, lx, ly, lz)
    h_fine = h / 2 if h_interface is None else h_interface
    check_sizes(NAME, r_object=r_object, h=h, h_interface=h_fine)
    radii = list(radii)
    require(len(radii) >= 1, f"{NAME}: radii must list at least one layer radius")
    all_radii = [r_object, *radii]
    require(
        all(a < b for a, b in zip(all_radii, all_radii[1:], strict=False)),
        f"{NAME}: radii must increase and the first must exceed r_object = {r_object}, got {radii}",
    )
    limit = max_radius(shape, lx, ly, lz)
    require(
        all_radii[-1] < limit,
        f"{NAME}: the outer radius {all_radii[-1]} must be smaller than {limit} "
        f"(half the box {'side' if shape == 'sphere' else 'width in x and y'})",
    )
    zones, background, interfaces, faces = concentric(model, shape, all_radii, (lx, ly, lz), NAME)
    regions = {"object": zones[0]}
    regions.update({f"layer{i}": zone for i, zone in enumerate(zones[1:])})
    regions["background"] = background
    name_groups(model, 3, regions, first_tag=1)
    named = {"object_surface": interfaces[0]}
    named.update({f"interface{i}": s for i, s in enumerate(interfaces[1:])})
    name_groups(model, 2, {**faces, **named}, first_tag=101)
    surfaces = [s for group in interfaces for s in group]
    refine(model, surfaces, h_fine, h, distance=2 * h)
    generate(model)


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
