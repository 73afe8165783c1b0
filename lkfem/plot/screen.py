"""Rendering off screen, with no dolfinx: VTK before 9.4 (Debian trixie) needs an X server even
off screen; where no display is set, a private Xvfb is started for the process and stopped at
exit. From 9.4, EGL renders."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import time

from lkfem.errors import LkfemError

__all__ = ["RenderError", "offscreen"]


class RenderError(LkfemError):
    """A picture could not be made (no pyvista, or no way to render off screen)."""


_xvfb: subprocess.Popen | None = None


def offscreen() -> None:
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
