"""Off-screen PNG pictures of fields with pyvista, gathered on rank 0.

VTK before 9.4 (Debian trixie) needs an X server even off screen; where no display is set,
a private Xvfb is started for the process and stopped at exit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
from dolfinx import fem, plot

from lkfem.errors import LkfemError

__all__ = ["RenderError", "render_png", "render_midplane"]


class RenderError(LkfemError):
    """A picture could not be made (no pyvista, or no way to render off screen)."""


_xvfb: subprocess.Popen | None = None


def _offscreen() -> None:
    """Make VTK able to render with no display."""
    global _xvfb
    import pyvista

    pyvista.OFF_SCREEN = True
    if os.environ.get("DISPLAY"):
        return
    if pyvista.vtk_version_info >= (9, 4):
        # VTK >= 9.4 picks its window at run time; with no display, render through EGL.
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
        return
    if _xvfb is not None:
        return
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise RenderError(
            f"VTK {pyvista.vtk_version_info[:2]} needs an X display to render; install Xvfb "
            "(Debian: xvfb) or set DISPLAY"
        )
    for display in range(90 + os.getpid() % 100, 300):
        if os.path.exists(f"/tmp/.X11-unix/X{display}") or os.path.exists(f"/tmp/.X{display}-lock"):
            continue
        proc = subprocess.Popen(
            [xvfb, f":{display}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            if os.path.exists(f"/tmp/.X11-unix/X{display}") or proc.poll() is not None:
                break
            time.sleep(0.1)
        if proc.poll() is None:
            _xvfb = proc
            os.environ["DISPLAY"] = f":{display}"
            atexit.register(proc.terminate)
            return
    raise RenderError("could not start Xvfb for off-screen rendering")


def _prepare(comm: Any) -> None:
    """Set up off-screen rendering on rank 0; raise RenderError on every rank if impossible."""
    error = None
    if comm.rank == 0:
        try:
            import pyvista  # noqa: F401

            _offscreen()
        except ImportError:
            error = "pyvista is not installed"
        except RenderError as exc:
            error = str(exc)
    error = comm.bcast(error, root=0)
    if error:
        raise RenderError(f"no PNG written: {error}")


def _gather_grid(T: fem.Function):  # type: ignore[no-untyped-def]
    """The owned cells of ``T``'s mesh with T at the points, on rank 0 (None elsewhere).

    Points are numbered globally, so the partitions join exactly: no doubled points along the
    seams (which would break contour lines there).
    """
    V = T.function_space
    mesh = V.mesh
    comm = mesh.comm
    cellwise = V.dofmap.dof_layout.num_dofs == 1  # DG0: cell data
    topology, cell_types, x = plot.vtk_mesh(mesh if cellwise else V)
    imap = mesh.geometry.index_map() if cellwise else V.dofmap.index_map
    num_points = imap.size_local + imap.num_ghosts
    to_global = imap.local_to_global(np.arange(num_points, dtype=np.int32))
    num_owned = mesh.topology.index_map(mesh.topology.dim).size_local
    per_cell = topology.size // cell_types.size
    cells = topology.reshape(-1, per_cell)[:num_owned].copy()
    cells[:, 1:] = to_global[cells[:, 1:]]
    owned = slice(0, imap.size_local)
    values = T.x.array.real[:num_owned].copy() if cellwise else T.x.array.real[owned].copy()
    parts = comm.gather((cells, cell_types[:num_owned], to_global[owned], x[owned], values), root=0)
    if comm.rank != 0:
        return None
    import pyvista

    points = np.zeros((imap.size_global, 3))
    point_values = np.zeros(imap.size_global)
    for _, _, numbers, x_p, values_p in parts:
        points[numbers] = x_p
        if not cellwise:
            point_values[numbers] = values_p
    grid = pyvista.UnstructuredGrid(
        np.concatenate([p[0] for p in parts]).ravel(),
        np.concatenate([p[1] for p in parts]),
        points,
    )
    if cellwise:
        grid.cell_data[T.name] = np.concatenate([p[4] for p in parts])
    else:
        grid.point_data[T.name] = point_values
    return grid


def render_png(path: Path, T: fem.Function, title: str) -> None:
    """Picture of scalar field ``T`` on its mesh, cut open at the mid-plane y = const.

    Collective: every rank calls it; rank 0 draws. Raises :class:`RenderError` where no
    off-screen rendering is possible.
    """
    comm = T.function_space.mesh.comm
    _prepare(comm)
    grid = _gather_grid(T)
    if comm.rank != 0:
        return
    import pyvista

    centre = np.asarray(grid.center)
    cut = grid.clip(normal="y", origin=centre, invert=True, crinkle=False)
    plotter = pyvista.Plotter(off_screen=True, window_size=(1200, 900))
    plotter.add_mesh(
        cut,
        scalars=T.name,
        cmap="inferno",
        show_edges=False,
        scalar_bar_args={"title": f"{T.name} (K)", "vertical": True},
    )
    plotter.add_mesh(grid.outline(), color="black")
    plotter.add_text(title, font_size=12)
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
) -> None:
    """Side-by-side pictures of scalar fields on the mid-plane (normal ``normal``) of their
    mesh, with ``isotherms`` contour lines at the same levels in every panel.

    ``fields`` maps a panel title to a P1 (or DG0) function. Collective; rank 0 draws.
    """
    comm = next(iter(fields.values())).function_space.mesh.comm
    _prepare(comm)
    grids = {label: _gather_grid(T) for label, T in fields.items()}
    if comm.rank != 0:
        return
    import pyvista

    slices = {}
    for label, grid in grids.items():
        cut = grid.slice(normal=normal, origin=grid.center)
        slices[label] = cut.cell_data_to_point_data() if not cut.point_data else cut
    names = {label: fields[label].name for label in fields}
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
            scalar_bar_args={"title": f"{name} (K)", "vertical": False},
        )
        plotter.add_mesh(cut.contour(levels, scalars=name), color="black", line_width=2)
        plotter.add_text(f"{title}\n{label}" if title else label, font_size=11)
        {"x": plotter.view_yz, "y": plotter.view_xz, "z": plotter.view_xy}[normal]()
        plotter.camera.zoom(1.15)
    plotter.screenshot(str(path))
    plotter.close()
