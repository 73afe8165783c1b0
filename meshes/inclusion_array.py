"""A plate (a box centred at the origin) holding an array of spherical inclusions, or of
cylindrical ones through its thickness (axis z), or perforated by such holes.

The inclusions lie on a periodic lattice (``nx`` x ``ny``, and ``nz`` layers for spheres,
centred in the cells of the lattice that divides the box) or at random, non-overlapping places
(``count`` of them, or as many as fill the volume fraction ``fraction``; a given ``seed`` gives
the same places on every run and machine). All inclusions lie inside the box.

Regions: ``matrix``, and ``inclusions`` unless ``void``. Boundaries: ``left``/``right``
(x = ∓lx/2), ``front``/``back`` (y = ∓ly/2), ``bottom``/``top`` (z = ∓lz/2); then either the
interface ``inclusion_surface`` or, with ``void=True`` (the inclusions cut out), the exterior
boundary ``holes`` (the surfaces of the holes). The mesh is refined to ``h_interface`` at the
inclusions' surfaces.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from mpi4py import MPI

from lkfem.core.domain import Domain

from ._bodies import (
    add_body,
    add_box,
    boundary,
    box_bounds,
    check_box,
    check_shape,
    check_sizes,
    is_number,
    refine,
)
from ._gmsh import box_faces, generate, main, name_groups, require

NAME = "inclusion_array"
MAX_TRIES = 200_000  # random positions tried before giving up
BATCH = 500  # positions drawn at once


def populate(
    model: Any,
    *,
    shape: str = "cylinder",
    lx: float = 1.0,
    ly: float = 1.0,
    lz: float = 0.2,
    radius: float = 0.1,
    arrangement: str = "periodic",
    nx: int = 3,
    ny: int = 3,
    nz: int = 1,
    count: int | None = None,
    fraction: float | None = None,
    gap: float | None = None,
    seed: int = 0,
    void: bool = False,
    h: float = 0.1,
    h_interface: float | None = None,
) -> None:
    """Fill ``model`` (lengths in m).

    Args:
        shape: ``"sphere"`` or ``"cylinder"`` (axis z, through the plate's thickness lz).
        lx, ly, lz: box size; the box is [-lx/2, lx/2] x [-ly/2, ly/2] x [-lz/2, lz/2] (m).
        radius: radius of the inclusions (m).
        arrangement: ``"periodic"`` (a lattice) or ``"random"``.
        nx, ny, nz: inclusions per row along x, y and (spheres only) z, for ``"periodic"``;
            the lattice spacing is lx / nx, ly / ny, lz / nz.
        count: number of inclusions, for ``"random"`` (or give ``fraction``).
        fraction: volume fraction of the inclusions, for ``"random"`` (for cylinders through
            the thickness, the area fraction of the plate).
        gap: smallest distance between two random inclusions, and from one to the box's sides
            (radius / 4 by default) (m).
        seed: seed of the random placement.
        void: cut the inclusions out (holes bounded by the exterior boundary ``holes``) instead
            of meshing them as the region ``inclusions``.
        h: mesh size away from the inclusions (m).
        h_interface: mesh size at the inclusions' surfaces (h / 2 by default) (m).
    """
    check_shape(NAME, shape)
    check_box(NAME, lx, ly, lz)
    h_fine = h / 2 if h_interface is None else h_interface
    check_sizes(NAME, radius=radius, h=h, h_interface=h_fine)
    if shape == "sphere":
        require(
            2 * radius < lz,
            f"{NAME}: spheres of radius {radius} do not fit in the thickness lz = {lz}",
        )
    require(
        arrangement in ("periodic", "random"),
        f"{NAME}: arrangement must be 'periodic' or 'random', got {arrangement!r}",
    )
    if arrangement == "periodic":
        require(
            count is None and fraction is None,
            f"{NAME}: count and fraction are for arrangement = 'random'; "
            "a periodic array has nx x ny (x nz) inclusions",
        )
        centers = _lattice(shape, radius, nx, ny, nz, lx, ly, lz)
    else:
        gap = radius / 4 if gap is None else gap
        require(is_number(gap) and gap >= 0, f"{NAME}: gap must not be negative, got {gap!r}")
        centers = _random(shape, radius, count, fraction, gap, seed, lx, ly, lz)

    box = add_box(model, lx, ly, lz)
    bodies = [(3, add_body(model, shape, radius, c, lz)) for c in centers]
    if void:
        cut, _ = model.occ.cut([(3, box)], bodies)
        model.occ.synchronize()
        matrix = sorted(tag for dim, tag in cut if dim == 3)
        inclusions: list[int] = []
        surfaces = boundary(model, matrix)
        faces = box_faces(model, sorted(surfaces), *box_bounds(lx, ly, lz))
        on_box = {s for group in faces.values() for s in group}
        named = {"holes": sorted(surfaces - on_box)}
    else:
        _, children = model.occ.fragment([(3, box)], bodies)
        model.occ.synchronize()
        inside = {tag for pieces in children[1:] for _, tag in pieces}
        matrix = sorted({tag for _, tag in children[0]} - inside)
        inclusions = sorted(inside)
        interface = boundary(model, inclusions) & boundary(model, matrix)
        outer = (boundary(model, inclusions) | boundary(model, matrix)) - interface
        faces = box_faces(model, sorted(outer), *box_bounds(lx, ly, lz))
        named = {"inclusion_surface": sorted(interface)}
    name_groups(model, 3, {"matrix": matrix, "inclusions": inclusions}, first_tag=1)
    name_groups(model, 2, {**faces, **named}, first_tag=101)
    refine(model, next(iter(named.values())), h_fine, h, distance=max(radius, 2 * h_fine))
    generate(model)


def _whole(name: str, value: Any, at_least: int) -> int:
    require(
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and float(value).is_integer()
        and value >= at_least,
        f"{NAME}: {name} must be a whole number of at least {at_least}, got {value!r}",
    )
    return int(value)


def _lattice(
    shape: str, radius: float, nx: Any, ny: Any, nz: Any, lx: float, ly: float, lz: float
) -> list[tuple[float, float, float]]:
    """Centres of the cells of an nx x ny (x nz) lattice dividing the box."""
    counts = [_whole("nx", nx, 1), _whole("ny", ny, 1), _whole("nz", nz, 1)]
    if shape == "cylinder":
        require(counts[2] == 1, f"{NAME}: nz is for spheres; cylinders span the thickness")
    sizes = (lx, ly, lz)
    spacing = [size / n for size, n in zip(sizes, counts, strict=True)]
    across = spacing if shape == "sphere" else spacing[:2]
    require(
        2 * radius < min(across),
        f"{NAME}: radius {radius} is too large for the lattice spacing {min(across):.6g} "
        "(2 radius must be smaller: lower radius or nx, ny, nz)",
    )
    axes = [
        [-size / 2 + (i + 0.5) * d for i in range(n)]
        for size, d, n in zip(sizes, spacing, counts, strict=True)
    ]
    return [(x, y, z) for z in axes[2] for y in axes[1] for x in axes[0]]


def _random(
    shape: str,
    radius: float,
    count: Any,
    fraction: Any,
    gap: float,
    seed: Any,
    lx: float,
    ly: float,
    lz: float,
) -> list[tuple[float, float, float]]:
    """Random sequential addition: uniform centres kept when no closer than 2 radius + gap to
    the others and radius + gap to the sides (x and y; z too for spheres)."""
    require(
        (count is None) != (fraction is None),
        f"{NAME}: give either count or fraction for arrangement = 'random'",
    )
    dims = 3 if shape == "sphere" else 2
    box = lx * ly * lz if dims == 3 else lx * ly
    one = 4 / 3 * math.pi * radius**3 if dims == 3 else math.pi * radius**2
    if fraction is not None:
        require(
            is_number(fraction) and 0 < fraction < 1,
            f"{NAME}: fraction must lie between 0 and 1, got {fraction!r}",
        )
        count = max(1, round(fraction * box / one))
    n = _whole("count", count, 1)
    rng = np.random.default_rng(_whole("seed", seed, 0))
    half = np.array([lx, ly, lz][:dims]) / 2 - radius - gap
    require(
        bool(np.all(half >= 0)),
        f"{NAME}: inclusions of radius {radius} with gap {gap} do not fit in the box",
    )
    placed = np.empty((0, dims))
    closest = (2 * radius + gap) ** 2
    for _ in range(MAX_TRIES // BATCH):  # candidates in batches, each kept or not in turn
        if len(placed) == n:
            break
        batch = rng.uniform(-half, half, size=(BATCH, dims))
        far = np.sum((batch[:, None, :] - placed[None, :, :]) ** 2, axis=2) >= closest
        for p in batch[np.all(far, axis=1)]:
            if len(placed) < n and np.all(np.sum((placed - p) ** 2, axis=1) >= closest):
                placed = np.vstack([placed, p])
    require(
        len(placed) == n,
        f"{NAME}: could place only {len(placed)} of {n} inclusions of radius {radius} with gap "
        f"{gap} at random (seed {seed}); lower count, fraction, radius or gap",
    )
    return [(float(p[0]), float(p[1]), float(p[2]) if dims == 3 else 0.0) for p in placed]


def build(comm: MPI.Comm = MPI.COMM_WORLD, rank: int = 0, **params: Any) -> Domain:
    """The distributed mesh (see :func:`populate` for the parameters)."""
    from lkfem.mesh.generators import build as build_generator

    return build_generator(__name__.rsplit(".", 1)[-1], params, comm, rank)


if __name__ == "__main__":
    main(populate)
