"""A slab of layers stacked along x (a series of conductors).

Regions: ``layer0``, ``layer1``, … (or the given ``names``). Boundaries: ``left``/``right``
(x = 0 and x = Σ thickness), ``front``/``back`` (y), ``bottom``/``top`` (z), and the interfaces
``interface0`` (between the first two layers), ``interface1``, … With ``periodic = true``
opposite faces have matching nodes (a periodic box for thermal domains).
"""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain

from ._gmsh import (
    box_faces,
    generate,
    main,
    name_groups,
    periodic_sides,
    require,
    uniform_size,
)


def populate(
    model: Any,
    *,
    thickness: list[float] = (0.5, 0.5),  # type: ignore[assignment]
    ly: float = 0.25,
    lz: float = 0.25,
    h: float = 0.1,
    periodic: bool = False,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        thickness: the layers' thicknesses along x, from x = 0.
        ly, lz: the slab's size across.
        h: mesh size.
        periodic: mesh ``right``, ``back`` and ``top`` as translates of ``left``, ``front``
            and ``bottom`` (gmsh ``setPeriodic``), so that ``[mesh] periodic`` pairs of
            opposite faces match node by node.
    """
    require(len(thickness) >= 1, "layered_slab: give at least one layer thickness")
    require(min(*thickness, ly, lz, h) > 0, "layered_slab: sizes must be positive")
    occ = model.occ
    x = 0.0
    boxes = []
    for t in thickness:
        boxes.append(occ.addBox(x, 0, 0, t, ly, lz))
        x += t
    if len(boxes) > 1:
        occ.fragment([(3, boxes[0])], [(3, b) for b in boxes[1:]])
    occ.synchronize()
    layers = sorted(
        (tag for dim, tag in model.getEntities(3)), key=lambda v: occ.getCenterOfMass(3, v)[0]
    )
    name_groups(model, 3, {f"layer{i}": [v] for i, v in enumerate(layers)}, first_tag=1)
    boundary = [s for _, s in model.getBoundary([(3, v) for v in layers], oriented=False)]
    faces = box_faces(model, boundary, (0, 0, 0), (x, ly, lz))
    interfaces = {}
    for i in range(len(layers) - 1):
        a = {s for _, s in model.getBoundary([(3, layers[i])], oriented=False)}
        b = {s for _, s in model.getBoundary([(3, layers[i + 1])], oriented=False)}
        interfaces[f"interface{i}"] = sorted(a & b)
    name_groups(model, 2, {**faces, **interfaces}, first_tag=101)
    uniform_size(h)
    if periodic:
        pairs = (("left", "right"), ("front", "back"), ("bottom", "top"))
        periodic_sides(model, 2, faces, pairs)
    generate(model)


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
