"""The figures of a results folder (or of a run's fields), drawn off screen with pyvista and
matplotlib from pyvista grids: the standard picture (T cut open at the mid-plane with region
outlines, isotherms and q arrows; a 2D field seen from above, isotherms as lines, q arrows in
the plane; a 1D field as line plots, :mod:`lkfem.plot.lines`), a mid-plane slice, isotherms,
the heat flux (arrows and streamlines), the time series and a GIF of a transient. Rank 0 only;
no dolfinx."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lkfem.core.units import SUFFIXES
from lkfem.plot import style
from lkfem.plot.lines import is_line, line_animation, line_figure

__all__ = [
    "is_flat",
    "picture",
    "slice_figure",
    "flux_figure",
    "animation",
    "series_figure",
    "extra_fields",
]

_VIEWS = {"x": "view_yz", "y": "view_xz", "z": "view_xy"}
_WINDOW = (1400, 1000)


def _range(grid: Any, name: str) -> tuple[float, float]:
    values = np.asarray(grid.point_data[name] if name in grid.point_data else grid.cell_data[name])
    return float(values.min()), float(values.max())


def is_flat(grid: Any) -> bool:
    """Whether ``grid`` lies in the plane z = const (a 2D mesh; a 1D one too)."""
    x0, x1, y0, y1, z0, z1 = grid.bounds
    return z1 - z0 <= 1e-9 * max(x1 - x0, y1 - y0)


_flat = is_flat


def extra_fields(grid: Any) -> list[str]:
    """The scalar point fields besides T (θ of a heat superconductor)."""
    return [
        name
        for name in grid.point_data
        if name != "T"
        and not name.startswith("vtk")
        and np.asarray(grid.point_data[name]).ndim == 1
    ]


def _plotter(shape: tuple[int, int] = (1, 1)) -> Any:
    import pyvista

    pyvista.global_theme.allow_empty_mesh = True  # a cut that misses a region draws nothing
    size = (_WINDOW[0] * shape[1], _WINDOW[1]) if shape[1] > 1 else _WINDOW
    plotter = pyvista.Plotter(off_screen=True, window_size=size, shape=shape)
    plotter.set_background("white")
    return plotter


def _draw_cut(plotter: Any, grid: Any, name: str, title: str, t: float | None, cmap: str) -> None:
    """``name`` on ``grid`` cut open at the mid-plane y = const, with region outlines, isotherms
    (for T) and q arrows on the cut face."""
    low, high = _range(grid, name)
    centre = tuple(grid.center)
    if _flat(grid):
        shown = face = grid
        clip = None
    else:
        clip = {"normal": "y", "origin": centre, "invert": False}  # keep y > mid: cut face at -y
        shown = grid.clip(**clip, crinkle=False)
        face = grid.slice(normal="y", origin=centre)
        plotter.add_mesh(grid.outline(), color="black")
    plotter.add_mesh(
        shown,
        scalars=name,
        cmap=cmap,
        clim=(low, high),
        scalar_bar_args=style.scalar_bar(name, low, high),
    )
    style.add_regions(plotter, grid, clip)
    if "q" in face.cell_data and "q" not in face.point_data:  # a cellwise flux: arrows at points
        face = face.cell_data_to_point_data()
    if name == "T":
        style.add_isotherms(plotter, face, name, low, high)
        style.add_flux(plotter, face)
    style.decorate(plotter, grid, title, t)
    if _flat(grid):
        plotter.view_xy()
    else:
        plotter.view_xz()  # x to the right, z up, the cut face towards the viewer, then tilted
        plotter.camera.azimuth = -30
        plotter.camera.elevation = 25
        plotter.reset_camera()
        plotter.camera.zoom(0.85)


def picture(path: Path, grid: Any, title: str, t: float | None = None) -> None:
    """The standard picture: T cut open (see :func:`_draw_cut`) and, beside it, each other scalar
    point field (θ along a heat superconductor's rods)."""
    if is_line(grid):
        line_figure(path, grid, title, t)
        return
    names = ["T", *extra_fields(grid)] if "T" in grid.point_data else extra_fields(grid)[:1]
    plotter = _plotter((1, len(names)))
    for i, name in enumerate(names):
        plotter.subplot(0, i)
        shown = grid
        if name != "T" and "region" in grid.cell_data:  # only where the field lives
            values = np.asarray(grid.point_data[name])
            ids = np.flatnonzero(values != 0)
            cells = grid.extract_points(ids, adjacent_cells=False) if ids.size else grid
            shown = cells if cells.n_cells else grid
        _draw_cut(plotter, shown, name, title if i == 0 else style.label(name), t, "inferno")
    plotter.screenshot(str(path))
    plotter.close()


def slice_figure(
    path: Path,
    grid: Any,
    title: str,
    t: float | None = None,
    *,
    name: str = "T",
    normal: str = "z",
    isotherms: bool = True,
    flux: bool = False,
) -> None:
    """``name`` on the mid-plane with normal ``normal``, seen face on, with isotherms (and q
    arrows with ``flux``)."""
    if name not in grid.point_data and name not in grid.cell_data:
        from lkfem.errors import LkfemError

        raise LkfemError(f"no field '{name}' in the results (fields: {', '.join(_names(grid))})")
    if is_line(grid):
        line_figure(path, grid, title, t, names=[name, "q"] if flux else [name])
        return
    cut = grid if _flat(grid) else grid.slice(normal=normal, origin=grid.center)
    if name not in cut.point_data:
        cut = cut.cell_data_to_point_data()
    low, high = _range(cut, name)
    plotter = _plotter()
    plotter.add_mesh(
        cut,
        scalars=name,
        cmap="coolwarm",
        clim=(low, high),
        scalar_bar_args=style.scalar_bar(name, low, high),
    )
    if "region" in cut.cell_data:
        regions = cut.threshold(_second(cut), scalars="region")
        if regions.n_cells:
            plotter.add_mesh(regions.extract_feature_edges(30), color="black", line_width=2)
    if isotherms and np.asarray(cut.point_data[name]).ndim == 1:
        levels = style.isotherm_levels(low, high, 15)
        lines = cut.contour(levels, scalars=name)
        if lines.n_points:
            plotter.add_mesh(lines, color="black", line_width=1.5)
    if flux:
        style.add_flux(plotter, cut, arrows=400)
    style.decorate(plotter, cut, title, t)
    getattr(plotter, _VIEWS[normal if not _flat(grid) else "z"])()
    plotter.camera.zoom(0.95)
    plotter.screenshot(str(path))
    plotter.close()


def _second(grid: Any) -> tuple[float, float]:
    tags = np.unique(grid.cell_data["region"])
    return (float(tags[-1]) - 0.5, float(tags[-1]) + 0.5) if tags.size > 1 else (np.inf, np.inf)


def _names(grid: Any) -> list[str]:
    return [n for n in [*grid.point_data, *grid.cell_data] if not n.startswith("vtk")]


def flux_figure(path: Path, grid: Any, title: str, t: float | None = None) -> None:
    """The heat flux: streamlines of q coloured by |q| through the volume (3D), arrows on the
    mid-plane, the region edges."""
    if "q" not in grid.point_data and "q" not in grid.cell_data:
        from lkfem.errors import LkfemError

        raise LkfemError("no field 'q' in the results")
    if is_line(grid):
        line_figure(path, grid, title, t, names=["q"])
        return
    grid = grid.copy()
    if "q" not in grid.point_data:  # a cellwise flux, averaged to the points
        grid.point_data["q"] = grid.cell_data_to_point_data().point_data["q"]
    grid.point_data["|q|"] = np.linalg.norm(np.asarray(grid.point_data["q"]), axis=1)
    plotter = _plotter()
    low, high = _range(grid, "|q|")
    lines = None
    if not _flat(grid):
        import pyvista

        x0, x1, y0, y1, z0, z1 = grid.bounds
        seeds = pyvista.Plane(  # 7 × 7 seeds just inside the x = min face
            center=(x0 + 0.02 * (x1 - x0), *grid.center[1:]),
            direction=(1.0, 0.0, 0.0),
            i_size=0.9 * (z1 - z0),
            j_size=0.9 * (y1 - y0),
            i_resolution=6,
            j_resolution=6,
        )
        lines = grid.streamlines_from_source(seeds, vectors="q", integration_direction="both")
    args = style.scalar_bar("q", low, high)
    args["title"] = "|q| (W/m²)"
    if lines is not None and lines.n_points:
        plotter.add_mesh(
            lines.tube(radius=0.003 * grid.length),
            scalars="|q|",
            cmap="viridis",
            clim=(low, high),
            scalar_bar_args=args,
        )
    else:
        plotter.add_mesh(
            grid, scalars="|q|", cmap="viridis", clim=(low, high), scalar_bar_args=args
        )
    plotter.add_mesh(grid.outline(), color="black")
    style.add_regions(plotter, grid, surfaces=False)
    style.add_flux(plotter, grid.slice(normal="z", origin=grid.center) if not _flat(grid) else grid)
    style.decorate(plotter, grid, title, t)
    if _flat(grid):
        plotter.view_xy()
    else:
        plotter.view_isometric()
    plotter.screenshot(str(path))
    plotter.close()


def animation(path: Path, grids: Sequence[tuple[float, Any]], title: str, name: str = "T") -> None:
    """A GIF of ``name`` on the mid-plane (z) over the steps ``(t, grid)``, one colour scale
    (a 1D mesh: ``name`` against x)."""
    if is_line(grids[0][1]):
        line_animation(path, grids, title, name)
        return
    low = min(_range(g, name)[0] for _, g in grids)
    high = max(_range(g, name)[1] for _, g in grids)
    plotter = _plotter()
    plotter.window_size = (1000, 700)
    plotter.open_gif(str(path), fps=4)
    for t, grid in grids:
        plotter.clear()
        cut = grid if _flat(grid) else grid.slice(normal="z", origin=grid.center)
        plotter.add_mesh(
            cut,
            scalars=name,
            cmap="inferno",
            clim=(low, high),
            scalar_bar_args=style.scalar_bar(name, low, high, vertical=False),
        )
        if np.asarray(cut.point_data[name]).ndim == 1:
            style.add_isotherms(plotter, cut, name, low, high)
        style.decorate(plotter, cut, title, t)
        plotter.view_xy()
        plotter.write_frame()
    plotter.close()


def column_unit(name: str) -> tuple[str, str]:
    """A column of ``timeseries.csv`` as (its label without the unit, the unit):
    ``qx_W_m2:middle`` → (``qx:middle``, ``W/m²``); ("name", "") for a count."""
    base, _, where = name.partition(":")
    for suffix, unit in SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix):
            label = base[: -len(suffix)]
            return (f"{label}:{where}" if where else label), unit
    return name, ""


def series_figure(path: Path, rows: np.ndarray, title: str) -> None:
    """The columns of ``timeseries.csv`` against t, one panel per unit (W, J, K, …)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = rows["t_s"]
    skip = {"t_s", "dt_s", "newton_iterations", "linear_iterations"}
    groups: dict[str, list[str]] = {}
    for name in rows.dtype.names or ():
        if name in skip or np.all(np.isnan(rows[name])):
            continue
        groups.setdefault(column_unit(name)[1], []).append(name)
    fig, axes = plt.subplots(
        len(groups), 1, figsize=(8, 2.6 * len(groups)), sharex=True, squeeze=False
    )
    for ax, (unit, names) in zip(axes[:, 0], groups.items(), strict=True):
        for name in names:
            ax.plot(t, rows[name], label=column_unit(name)[0])
        ax.set_ylabel(f"({unit})" if unit else "")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    axes[-1, 0].set_xlabel("t (s)")
    axes[0, 0].set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
