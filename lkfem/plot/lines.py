"""The pictures of a 1D mesh: fields against x as line plots (matplotlib), from the same pyvista
grids as the 2D and 3D pictures. Rank 0 only; no dolfinx."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lkfem.plot import style

__all__ = ["is_line", "line_figure", "line_animation"]


def is_line(grid: Any) -> bool:
    """Whether ``grid`` lies on the x axis (a 1D mesh)."""
    x0, x1, y0, y1, z0, z1 = grid.bounds
    return max(y1 - y0, z1 - z0) <= 1e-9 * max(x1 - x0, 1e-300)


def _profiles(grid: Any, names: Sequence[str] | None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """x sorted, and each field's values there (cell fields at the points, vectors as their x
    component)."""
    if any(n not in grid.point_data for n in grid.cell_data if not n.startswith("vtk")):
        merged = grid.cell_data_to_point_data()
        for name in grid.point_data:
            merged.point_data[name] = grid.point_data[name]
        grid = merged
    order = np.argsort(np.asarray(grid.points)[:, 0])
    x = np.asarray(grid.points)[order, 0]
    fields = {}
    for name in names or [n for n in grid.point_data if n not in ("region",)]:
        if name.startswith("vtk") or name not in grid.point_data:
            continue
        values = np.asarray(grid.point_data[name])[order]
        fields[name if values.ndim == 1 else f"{name}_x"] = (
            values if values.ndim == 1 else values[:, 0]
        )
    return x, fields


def _axes_label(name: str) -> str:
    base = name.removesuffix("_x")
    unit = style.UNITS.get(base, "")
    shown = f"{base}ₓ" if name.endswith("_x") else name
    return f"{shown} ({unit})" if unit else shown


def line_figure(
    path: Path,
    grid: Any,
    title: str,
    t: float | None = None,
    *,
    names: Sequence[str] | None = None,
) -> None:
    """The fields of a 1D grid against x (m), one panel each (T first, then q's x component and
    the others)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, fields = _profiles(grid, names)
    if not fields:
        from lkfem.errors import LkfemError

        raise LkfemError(f"no field to draw (fields: {', '.join(grid.point_data)})")
    order = sorted(fields, key=lambda n: (n != "T", n != "q_x", n))
    fig, axes = plt.subplots(len(order), 1, figsize=(8, 2.6 * len(order)), sharex=True)
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, order, strict=True):
        ax.plot(x, fields[name], color="tab:red" if name == "T" else "tab:blue")
        ax.set_ylabel(_axes_label(name))
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("x (m)")
    axes[0].set_title(title + (f"   t = {t:.5g} s" if t is not None else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def line_animation(
    path: Path, grids: Sequence[tuple[float, Any]], title: str, name: str = "T"
) -> None:
    """A GIF of field ``name`` against x over the steps ``(t, grid)``, one y range."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    profiles = [(t, *_profiles(g, [name])) for t, g in grids]
    key = next(iter(profiles[0][2]))
    low = min(float(p[2][key].min()) for p in profiles)
    high = max(float(p[2][key].max()) for p in profiles)
    pad = 0.05 * (high - low or 1.0)
    fig, ax = plt.subplots(figsize=(8, 4))
    (line,) = ax.plot([], [], color="tab:red")
    ax.set_xlim(float(profiles[0][1].min()), float(profiles[0][1].max()))
    ax.set_ylim(low - pad, high + pad)
    ax.set_xlabel("x (m)")
    ax.set_ylabel(_axes_label(key))
    ax.grid(alpha=0.3)

    def frame(i: int) -> Any:
        t, x, fields = profiles[i]
        line.set_data(x, fields[key])
        ax.set_title(f"{title}   t = {t:.5g} s")
        return (line,)

    FuncAnimation(fig, frame, frames=len(profiles)).save(path, writer=PillowWriter(fps=4))
    plt.close(fig)
