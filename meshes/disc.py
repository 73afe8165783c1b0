"""A disc, or an annulus, of concentric layers centred at the origin (2D).

Regions: one per layer, inside out, ``layer0``, ``layer1``, … (or the given ``names``; a single
layer is ``disc``), as in :mod:`lkfem.meshes.multilayer_cloak` and
:mod:`lkfem.meshes.layered_slab`. Boundaries (curves): ``outer`` (r = radii[-1]), ``inner``
(r = inner, when inner > 0) and the interfaces ``interface0`` (the outer circle of layer0,
between layer0 and layer1, r = radii[0]), ``interface1``, … (r = √(x² + y²)).
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain

from ._gmsh import generate, main, name_groups, require, uniform_size
from ._plane import rings


def populate(
    model: Any,
    *,
    radii: list[float] = (1.0,),  # type: ignore[assignment]
    inner: float = 0.0,
    names: list[str] | None = None,
    h: float = 0.1,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        radii: the layers' outer radii, inside out (m).
        inner: the radius of the hole (m); 0: a full disc.
        names: the layers' region names, inside out (default ``layer0``, … or ``disc``).
        h: mesh size (m).
    """
    radii = [float(r) for r in radii]
    if names is None:
        names = ["disc"] if len(radii) == 1 else [f"layer{i}" for i in range(len(radii))]
    require(
        len(names) == len(radii),
        f"disc: names must give one name per layer ({len(radii)}), got {len(names)}",
    )
    require(len(set(names)) == len(names), f"disc: the layer names must differ, got {names}")
    require(h > 0, "disc: h must be positive")
    zones, _, circles, hole = rings(model, radii, "disc", inner=inner)
    name_groups(model, 2, dict(zip(names, zones, strict=True)), first_tag=1)
    curves = {"outer": circles[-1], "inner": hole}
    curves.update({f"interface{i}": c for i, c in enumerate(circles[:-1])})
    name_groups(model, 1, curves, first_tag=101)
    uniform_size(h)
    generate(model, 2)


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
