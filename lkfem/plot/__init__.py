"""Pictures of lkfem's fields with pyvista, off screen: gather a distributed field on rank 0
(:func:`gather_grid`), make VTK render with no display (:func:`offscreen`), and the standard
pictures (:func:`render_png`, :func:`render_midplane`)."""

from lkfem.plot.grid import RenderError, gather_grid, offscreen, prepare
from lkfem.plot.render import render_midplane, render_png

__all__ = ["RenderError", "gather_grid", "offscreen", "prepare", "render_midplane", "render_png"]
