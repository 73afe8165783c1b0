"""Off-screen PNG pictures of fields with pyvista, drawn on rank 0: a run's picture (from the
fields it wrote, or gathered), a field on its mesh cut open at the mid-plane, and mid-plane
slices side by side with common isotherms. A 2D field is drawn as it is, seen from above (its
mid-plane is the field itself); a 1D field as a line plot (matplotlib)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from dolfinx import fem

from lkfem.plot import figures, style
from lkfem.plot.grid import gather_grid, prepare
from lkfem.plot.lines import is_line, line_figure

__all__ = ["render_png", "render_run", "render_midplane"]


def render_run(
    path: Path, folder: Path, T: fem.Function, title: str, *, regions: Any = None
) -> None:
    """The picture of a run (:func:`lkfem.plot.figures.picture`): from ``folder/fields.pvd``
    at its last step where the run wrote one (T, θ, q, regions, time), else from ``T`` (and
    the cell tags ``regions``, for the region outlines).

    Collective: every rank calls it; rank 0 draws. Raises :class:`RenderError` where no
    off-screen rendering is possible.
    """
    comm = T.function_space.mesh.comm
    prepare(comm)
    comm.barrier()  # every rank's fields are written
    if not (folder / "fields.pvd").is_file():
        grid = gather_grid(T, regions)
        if comm.rank == 0:
            figures.picture(path, grid, title)
        return
    if comm.rank == 0:
        import pyvista

        reader = pyvista.get_reader(str(folder / "fields.pvd"))
        times = reader.time_values
        reader.set_active_time_value(times[-1])
        grid = reader.read()[0]
        figures.picture(path, grid, title, times[-1] if len(times) > 1 else None)


def render_png(path: Path, T: fem.Function, title: str, *, regions: Any = None) -> None:
    """Picture of scalar field ``T`` on its mesh, cut open at the mid-plane y = const (2D: the
    field seen from above, with the outlines of the ``regions``, the mesh's cell tags, if
    given; 1D: T against x).

    Collective: every rank calls it; rank 0 draws. Raises :class:`RenderError` where no
    off-screen rendering is possible.
    """
    comm = T.function_space.mesh.comm
    prepare(comm)
    grid = gather_grid(T, regions)
    if comm.rank != 0:
        return
    if is_line(grid):
        line_figure(path, grid, title, names=[T.name])
        return
    import pyvista

    flat = figures.is_flat(grid)
    centre = np.asarray(grid.center)
    cut = grid if flat else grid.clip(normal="y", origin=centre, invert=True, crinkle=False)
    plotter = pyvista.Plotter(off_screen=True, window_size=(1200, 900))
    plotter.add_mesh(
        cut,
        scalars=T.name,
        cmap="inferno",
        show_edges=False,
        scalar_bar_args={
            "title": f"{T.name} (K)",
            "vertical": True,
            "fmt": style.number_format(*_span(grid, T.name)),
        },
    )
    plotter.add_mesh(grid.outline(), color="black")
    if flat:
        style.add_regions(plotter, grid)
    plotter.add_text(title, font_size=12)
    if flat:
        plotter.view_xy()
    else:
        plotter.view_isometric()
        plotter.camera.azimuth = 20
    plotter.screenshot(str(path))
    plotter.close()


def render_midplane(
    path: Path,
    fields: dict[str, fem.Function],
    *,
    normal: str = "z",
    isotherms: int = 15,
    title: str = "",
    regions: Any = None,
) -> None:
    """Side-by-side pictures of scalar fields on the mid-plane (normal ``normal``) of their
    mesh, with ``isotherms`` contour lines at the same levels in every panel. On a 2D mesh the
    panels are the fields themselves, seen from above (``normal`` is ignored); on a 1D mesh the
    fields are drawn against x on one set of axes.

    ``fields`` maps a panel title to a P1 (or DG0) function; ``regions`` (the cell tags of
    their mesh) outlines the regions on a 2D mesh. Collective; rank 0 draws.
    """
    comm = next(iter(fields.values())).function_space.mesh.comm
    prepare(comm)
    grids = {label: gather_grid(T, regions) for label, T in fields.items()}
    if comm.rank != 0:
        return
    names = {label: fields[label].name for label in fields}
    if is_line(next(iter(grids.values()))):
        _lines(path, grids, names, title)
        return
    import pyvista

    slices = {}
    flat = figures.is_flat(next(iter(grids.values())))
    for label, grid in grids.items():
        cut = grid if flat else grid.slice(normal=normal, origin=grid.center)
        slices[label] = cut.cell_data_to_point_data() if not cut.point_data else cut
    low = min(float(np.min(s.point_data[names[k]])) for k, s in slices.items())
    high = max(float(np.max(s.point_data[names[k]])) for k, s in slices.items())
    levels = np.linspace(low, high, isotherms + 2)[1:-1]
    plotter = pyvista.Plotter(
        off_screen=True, shape=(1, len(slices)), window_size=(700 * len(slices), 700)
    )
    for i, (label, cut) in enumerate(slices.items()):
        plotter.subplot(0, i)
        name = names[label]
        plotter.add_mesh(
            cut,
            scalars=name,
            cmap="coolwarm",
            clim=(low, high),
            scalar_bar_args={
                "title": f"{name} (K)",
                "vertical": False,
                "fmt": style.number_format(low, high),
            },
        )
        plotter.add_mesh(cut.contour(levels, scalars=name), color="black", line_width=2)
        if flat:
            style.add_regions(plotter, cut, color="darkgreen")  # the isotherms are black
        plotter.add_text(f"{title}\n{label}" if title else label, font_size=11)
        {"x": plotter.view_yz, "y": plotter.view_xz, "z": plotter.view_xy}[
            "z" if flat else normal
        ]()
        plotter.camera.zoom(0.9 if flat else 1.15)  # a flat field whole, in its frame
    plotter.screenshot(str(path))
    plotter.close()


def _span(grid: Any, name: str) -> tuple[float, float]:
    values = grid.point_data[name] if name in grid.point_data else grid.cell_data[name]
    return float(np.min(values)), float(np.max(values))


def _lines(path: Path, grids: dict, names: dict[str, str], title: str) -> None:
    """The fields of 1D grids against x on one set of axes, one line per panel title."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, grid in grids.items():
        if names[label] not in grid.point_data:
            grid = grid.cell_data_to_point_data()
        x = np.asarray(grid.points)[:, 0]
        order = np.argsort(x)
        ax.plot(x[order], np.asarray(grid.point_data[names[label]])[order], label=label)
    ax.set_xlabel("x (m)")
    ax.set_ylabel(" / ".join(dict.fromkeys(names.values())) + " (K)")
    ax.grid(alpha=0.3)
    ax.legend()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)
