"""Helpers shared by the 1D and 2D geometry generators: the sides of a rectangle, concentric
discs fragmented into rings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._gmsh import require

#: The sides of a rectangle [0, Lx] × [0, Ly]: x = 0, x = Lx, y = 0, y = Ly.
SIDES = ("left", "right", "bottom", "top")


def rectangle_sides(
    model: Any, curves: Sequence[int], lo: Sequence[float], hi: Sequence[float]
) -> dict[str, list[int]]:
    """Sort the straight curves lying on the sides of the rectangle [lo, hi] by side name."""
    tol = 1e-6 * max(h - l for l, h in zip(lo, hi, strict=True))  # OCC pads bounding boxes
    sides: dict[str, list[int]] = {name: [] for name in SIDES}
    for c in curves:
        x0, y0, _, x1, y1, _ = model.getBoundingBox(1, c)
        bmin, bmax = (x0, y0), (x1, y1)
        for axis in range(2):
            if abs(bmin[axis] - bmax[axis]) > tol:
                continue
            if abs(bmin[axis] - lo[axis]) < tol:
                sides[SIDES[2 * axis]].append(c)
            elif abs(bmin[axis] - hi[axis]) < tol:
                sides[SIDES[2 * axis + 1]].append(c)
    return sides


def rings(
    model: Any, radii: Sequence[float], label: str, *, inner: float = 0.0, box: Any = None
) -> tuple[list[list[int]], list[int], list[list[int]], list[int]]:
    """Concentric discs of increasing ``radii`` centred at the origin (with a hole of radius
    ``inner`` > 0), fragmented, optionally inside the rectangle ``box`` = (x0, y0, Lx, Ly).

    Returns:
        ``(zones, outside, circles, hole)``: the surfaces of each ring radii[i-1] < r < radii[i]
        (the first from ``inner``); the surfaces of the box outside the last radius; the curves at
        each radius; the curves of the hole's rim.
    """
    require(len(radii) >= 1, f"{label}: radii must list at least one radius")
    require(inner >= 0, f"{label}: inner must be 0 (no hole) or a positive radius, got {inner}")
    require(
        min(radii) > 0 and all(a < b for a, b in zip(radii[:-1], radii[1:], strict=False)),
        f"{label}: radii must be positive and increase outwards, got {list(radii)}",
    )
    require(inner < radii[0], f"{label}: inner = {inner} must be smaller than the first radius")
    occ = model.occ
    discs = [occ.addDisk(0, 0, 0, r, r) for r in radii]
    tools = [(2, d) for d in discs]
    if box is not None:
        objects = [(2, occ.addRectangle(box[0], box[1], 0, box[2], box[3]))]
    else:
        objects, tools = tools[-1:], tools[:-1]
    if inner > 0:
        hole = occ.addDisk(0, 0, 0, inner, inner)
        tools.append((2, hole))
    if tools:
        occ.fragment(objects, tools)
    if inner > 0:
        occ.synchronize()
        centre = [s for _, s in model.getEntities(2) if _extent(model, 2, s) < inner * (1 + 1e-6)]
        occ.remove([(2, s) for s in centre], recursive=True)
    occ.synchronize()
    all_radii = [inner, *radii] if inner > 0 else list(radii)
    tol = 1e-3 * all_radii[0]

    def index(r: float, choices: Sequence[float]) -> int:
        for i, radius in enumerate(choices):
            if abs(r - radius) < tol:
                return i
        return len(choices)

    zones: list[list[int]] = [[] for _ in radii]
    outside = []
    for _, s in model.getEntities(2):
        i = index(_extent(model, 2, s), radii)
        (zones[i] if i < len(radii) else outside).append(s)
    require(all(zones), f"{label}: the geometry did not fragment as expected")
    circles: list[list[int]] = [[] for _ in radii]
    hole: list[int] = []
    for _, c in model.getEntities(1):
        r = _extent(model, 1, c)
        if inner > 0 and abs(r - inner) < tol:
            hole.append(c)
            continue
        i = index(r, radii)
        if i < len(radii) and _on_circle(model, c, radii[i]):
            circles[i].append(c)
    return zones, outside, circles, hole


def _extent(model: Any, dim: int, tag: int) -> float:
    """The largest half-width of an entity's bounding box."""
    x0, y0, _, x1, y1, _ = model.getBoundingBox(dim, tag)
    return max(x1 - x0, y1 - y0) / 2


def _on_circle(model: Any, curve: int, r: float) -> bool:
    """Whether ``curve`` lies on the circle of radius ``r`` about the origin (its middle does)."""
    import numpy as np

    lo, hi = model.getParametrizationBounds(1, curve)
    x = model.getValue(1, curve, [(lo[0] + hi[0]) / 2])
    return bool(abs(np.hypot(x[0], x[1]) - r) < 1e-6 * r)
