"""What makes a field picture readable, shared by every picture lkfem draws (from a run or from a
results folder, no dolfinx needed): units, a colour-bar format with enough digits for the range,
labelled axes with a triad, the time stamp, region outlines, isotherms and flux arrows."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

__all__ = [
    "UNITS",
    "label",
    "number_format",
    "scalar_bar",
    "decorate",
    "isotherm_levels",
    "add_isotherms",
    "add_regions",
    "region_outlines",
    "add_flux",
    "flux_points",
]

#: The unit of each field lkfem writes.
UNITS = {
    "T": "K",
    "q": "W/m²",
    "k": "W/(m K)",
    "theta": "rad",
    "j_s": "W/m²",
    "T_s": "K",
    "region": "",
}


def label(name: str) -> str:
    """``T (K)``; a name without a known unit stays as it is."""
    unit = UNITS.get(name, "")
    return f"{name} ({unit})" if unit else name  # VTK's fonts lack θ


def number_format(low: float, high: float) -> str:
    """A printf format that tells the labels of [low, high] apart: 300–300.44 K needs five
    significant digits (``%.5g``), 0–1 three, 1e-6–3e-6 three in exponent form."""
    span = abs(high - low)
    size = max(abs(low), abs(high))
    if size == 0.0 or span == 0.0:
        return "%.4g"
    digits = max(3, math.ceil(math.log10(size / span)) + 3)
    return f"%.{min(digits, 10)}g"


def scalar_bar(name: str, low: float, high: float, *, vertical: bool = True) -> dict[str, Any]:
    """pyvista ``scalar_bar_args`` for field ``name`` over [low, high]."""
    return {
        "title": label(name),
        "fmt": number_format(low, high),
        "vertical": vertical,
        "n_labels": 5,
        "title_font_size": 18,
        "label_font_size": 15,
        "position_x": 0.86 if vertical else 0.2,
        "position_y": 0.2 if vertical else 0.04,
        "height": 0.6 if vertical else 0.08,
        "width": 0.08 if vertical else 0.6,
    }


def decorate(plotter: Any, grid: Any, title: str = "", t: float | None = None) -> None:
    """Axes in metres around ``grid``'s bounds, an orientation triad (3D only: a flat grid has
    x and y axes and no z), the title and the time."""
    x0, x1, y0, y1, z0, z1 = grid.bounds
    flat = z1 - z0 <= 1e-9 * max(x1 - x0, y1 - y0)
    plotter.show_bounds(
        mesh=grid,
        show_zaxis=not flat,
        show_zlabels=not flat,
        grid=False,
        location="outer",
        ticks="outside",
        xtitle="x (m)",
        ytitle="y (m)",
        ztitle="z (m)",
        font_size=10,
        color="black",
        fmt="%.3g",
        n_xlabels=5,
        n_ylabels=3,
        n_zlabels=3,
    )
    if not flat:
        plotter.add_axes(line_width=3, labels_off=False)
    if title:
        plotter.add_text(title, position="upper_left", font_size=12, color="black")
    if t is not None:
        plotter.add_text(f"t = {t:.5g} s", position="upper_right", font_size=12, color="black")


def isotherm_levels(low: float, high: float, count: int = 12) -> np.ndarray:
    """``count`` levels evenly inside (low, high), none on the ends (where lines degenerate)."""
    return np.linspace(low, high, count + 2)[1:-1]


def add_isotherms(plotter: Any, surface: Any, name: str, low: float, high: float) -> None:
    """Isotherms of ``name`` on ``surface`` (a slice or the cut face) as white lines."""
    if high <= low or surface.n_points == 0:
        return
    lines = surface.contour(isotherm_levels(low, high), scalars=name)
    if lines.n_points:
        plotter.add_mesh(lines, color="white", line_width=2)


def _is_flat(grid: Any) -> bool:
    x0, x1, y0, y1, z0, z1 = grid.bounds
    return z1 - z0 <= 1e-9 * max(x1 - x0, y1 - y0)


def _lift(mesh: Any, grid: Any) -> Any:
    """``mesh`` moved a little towards the viewer of a flat ``grid`` seen from above (+z), so
    that lines in the field's plane are drawn over it and not hidden by it."""
    mesh = mesh.copy()
    mesh.points[:, 2] += 1e-3 * grid.length
    return mesh


def region_outlines(grid: Any) -> Any | None:
    """The outlines of the regions (by the cell data ``region``) of a flat (2D) grid: the
    boundary edges of each region, its interfaces with the others included, as one polyline
    mesh; None without two regions or without edges."""
    if "region" not in grid.cell_data:
        return None
    tags = np.unique(grid.cell_data["region"])
    if tags.size < 2:
        return None
    parts = []
    for tag in tags:
        with warnings.catch_warnings():  # pyvista 0.49 announces a new default algorithm
            warnings.simplefilter("ignore")
            part = grid.threshold((tag - 0.5, tag + 0.5), scalars="region").extract_surface()
        edges = part.extract_feature_edges(
            boundary_edges=True, feature_edges=False, manifold_edges=False, non_manifold_edges=False
        )
        if edges.n_points:
            parts.append(edges)
    if not parts:
        return None
    return parts[0].merge(parts[1:]) if len(parts) > 1 else parts[0]


def add_regions(
    plotter: Any,
    grid: Any,
    clip: dict[str, Any] | None = None,
    *,
    surfaces: bool = True,
    color: str = "black",
) -> None:
    """The interfaces between regions (by the cell data ``region``) as translucent surfaces with
    their edges (only the edges without ``surfaces``), cut like the picture (``clip``: pyvista
    clip arguments), so that an inclusion, a cloak's layers or a rod stand out from the field.
    A flat (2D) grid gets the outlines of its regions (:func:`region_outlines`) as lines of
    ``color`` over the field."""
    if "region" not in grid.cell_data:
        return
    if _is_flat(grid):
        lines = region_outlines(grid)
        if lines is not None:
            plotter.add_mesh(_lift(lines, grid), color=color, line_width=2)
        return
    tags = np.unique(grid.cell_data["region"])
    if tags.size < 2:
        return
    for tag in tags[1:] if tags.size > 2 else tags[:1]:
        with warnings.catch_warnings():  # pyvista 0.49 announces a new default algorithm
            warnings.simplefilter("ignore")
            part = grid.threshold((tag - 0.5, tag + 0.5), scalars="region").extract_surface()
        if clip is not None:
            part = part.clip(**clip)
        if part.n_points:
            edges = part.extract_feature_edges(60)
            if edges.n_points:
                plotter.add_mesh(edges, color="black", line_width=1.5)
            if surfaces:
                plotter.add_mesh(part, color="white", opacity=0.15, show_scalar_bar=False)


#: Arrows across the longer side of a flat (2D) picture.
ARROWS_ACROSS = 32


def flux_points(surface: Any, name: str = "q", *, arrows: int = 300) -> Any:
    """The points where :func:`add_flux` draws arrows, with ``name`` there. On a flat (2D)
    surface a regular lattice of :data:`ARROWS_ACROSS` points across its longer side (the field
    sampled there; points off the mesh left out), so that a graded mesh gets evenly spread
    arrows; otherwise every n-th point, about ``arrows`` of them."""
    import pyvista

    if not _is_flat(surface):
        step = max(1, surface.n_points // arrows)
        return surface.extract_points(np.arange(0, surface.n_points, step), adjacent_cells=False)
    x0, x1, y0, y1, z0, _ = surface.bounds
    spacing = max(x1 - x0, y1 - y0) / ARROWS_ACROSS
    xs = np.arange(x0 + spacing / 2, x1, spacing)
    ys = np.arange(y0 + spacing / 2, y1, spacing)
    X, Y = np.meshgrid(xs, ys, indexing="ij")
    lattice = np.column_stack([X.ravel(), Y.ravel(), np.full(X.size, z0)])
    probe = pyvista.PolyData(lattice).sample(surface)
    valid = np.asarray(probe.point_data["vtkValidPointMask"]) > 0
    points = pyvista.PolyData(np.asarray(probe.points)[valid])
    points.point_data[name] = np.asarray(probe.point_data[name])[valid]
    return points


def add_flux(plotter: Any, surface: Any, name: str = "q", *, arrows: int = 300) -> None:
    """Arrows of the vector field ``name`` on ``surface``, length by magnitude (see
    :func:`flux_points` for where)."""
    if name not in surface.point_data or surface.n_points == 0:
        return
    vectors = np.asarray(surface.point_data[name])
    size = np.linalg.norm(vectors, axis=1)
    typical = float(np.percentile(size, 95))  # a few strong spots do not shrink all arrows
    if typical <= 0:
        return
    points = flux_points(surface, name, arrows=arrows)
    if points.n_points == 0:
        return
    points.point_data["|q|"] = np.linalg.norm(np.asarray(points.point_data[name]), axis=1)
    if _is_flat(surface):  # the lattice spacing, for a typical arrow
        x0, x1, y0, y1, _, _ = surface.bounds
        length = 0.9 * max(x1 - x0, y1 - y0) / ARROWS_ACROSS
        points = _lift(points, surface)
    else:
        length = 0.06 * surface.length
    points.point_data["|q|"] = np.minimum(points.point_data["|q|"], 2 * typical)
    glyphs = points.glyph(orient=name, scale="|q|", factor=length / typical, geom=None)
    plotter.add_mesh(glyphs, color="deepskyblue", show_scalar_bar=False)
