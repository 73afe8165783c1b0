"""``paraview.py`` in every results folder with fields: a ParaView Python script that opens them
with the views one wants first — T coloured over its range (cut open at the mid-plane in 3D, with
isotherms), q as arrows, the time stamp — from ``fields.pvd``, else ``fields.xdmf``, else
``fields.bp``. Run ``pvpython paraview.py`` (``--save picture.png`` for a screenshot) or load
it in ParaView's Python shell (View ▸ Python Shell ▸ Run Script)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["SCRIPT", "paraview_script", "write_paraview_script"]

SCRIPT = '''\
"""Open the fields of this lkfem results folder in ParaView.

    paraview --script=paraview.py         # the ParaView window with the views below
    pvpython paraview.py --save view.png  # a screenshot of the last time step
or in a running ParaView: View > Python Shell > Run Script > paraview.py. Run it from this
folder (or keep it here: it looks for the fields next to itself).

Written by lkfem; the files it knows of: FILES.
"""

import os
import sys

from paraview import simple as pv

FILES = __FILES__


def folder():
    """This script's folder (the working folder where ParaView's shell hides the path)."""
    try:
        return os.path.dirname(os.path.abspath(__file__))
    except NameError:
        return os.getcwd()


def open_fields(here):
    """The best reader ParaView has for the fields here."""
    for name, reader in (
        ("fields.pvd", pv.PVDReader),
        ("fields.xdmf", pv.Xdmf3ReaderS),
        ("fields.bp", pv.ADIOS2VTXReader),
    ):
        path = os.path.join(here, name)
        if name in FILES and os.path.exists(path):
            return reader(registrationName=name, FileName=path)
    raise SystemExit("no fields.pvd, fields.xdmf or fields.bp in " + here)


def main(argv):
    here = folder()
    fields = open_fields(here)
    fields.UpdatePipelineInformation()
    scene = pv.GetAnimationScene()
    scene.UpdateAnimationUsingDataTimeSteps()
    scene.AnimationTime = scene.EndTime  # the last step: the state the run ended in
    fields.UpdatePipeline(scene.EndTime)
    view = pv.GetActiveViewOrCreate("RenderView")
    view.OrientationAxesVisibility = 1
    x0, x1, y0, y1, z0, z1 = fields.GetDataInformation().GetBounds()
    centre = [(x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2]
    size = max(x1 - x0, y1 - y0, z1 - z0)
    three_d = (z1 - z0) > 1e-9 * size
    data = fields.PointData
    if three_d:  # cut open at the mid-plane y = const, the box outline kept
        outline = pv.Show(pv.Outline(Input=fields), view)
        outline.DiffuseColor = [0.2, 0.2, 0.2]
        shown = pv.Clip(Input=fields)
        shown.ClipType = "Plane"
        shown.ClipType.Origin = centre
        shown.ClipType.Normal = [0.0, 1.0, 0.0]
        cut = pv.Slice(Input=fields)
        cut.SliceType = "Plane"
        cut.SliceType.Origin = centre
        cut.SliceType.Normal = [0.0, 1.0, 0.0]
    else:
        shown = cut = fields
    display = pv.Show(shown, view)
    if "T" in data.keys():
        pv.ColorBy(display, ("POINTS", "T"))
        low, high = data["T"].GetRange()
        lut = pv.GetColorTransferFunction("T")
        lut.ApplyPreset("Inferno (matplotlib)", True)
        lut.RescaleTransferFunction(low, high)
        display.SetScalarBarVisibility(view, True)
        bar = pv.GetScalarBar(lut, view)
        bar.Title = "T (K)"
        bar.ComponentTitle = ""
        bar.RangeLabelFormat = "%-#.4g"
        if high > low:  # isotherms on the cut
            isotherms = pv.Contour(Input=cut, ContourBy=["POINTS", "T"])
            isotherms.Isosurfaces = [low + (high - low) * (i + 0.5) / 12 for i in range(12)]
            lines = pv.Show(isotherms, view)
            pv.ColorBy(lines, None)
            lines.DiffuseColor = [1.0, 1.0, 1.0]
            lines.LineWidth = 1.5
    if "q" in data.keys():  # heat flux arrows on the cut, scaled by |q|
        arrows = pv.Glyph(Input=cut, GlyphType="Arrow")
        arrows.OrientationArray = ["POINTS", "q"]
        arrows.ScaleArray = ["POINTS", "q"]
        q_high = max(data["q"].GetRange(-1)[1], 1e-300)
        arrows.ScaleFactor = 0.08 * size / q_high
        arrows.GlyphMode = "Uniform Spatial Distribution (Bounds Based)"
        arrows.MaximumNumberOfSamplePoints = 400
        glyphs = pv.Show(arrows, view)
        pv.ColorBy(glyphs, None)
        glyphs.DiffuseColor = [0.1, 0.6, 1.0]
    stamp = pv.Show(pv.AnnotateTime(Format="t = {time:.4g} s"), view)
    stamp.WindowLocation = "Upper Left Corner"
    if three_d:
        x, y, z = centre
        view.CameraPosition = [x + 1.6 * size, y - 2.2 * size, z + 1.2 * size]
        view.CameraFocalPoint = centre
        view.CameraViewUp = [0.0, 0.0, 1.0]
    else:
        view.InteractionMode = "2D"
    view.ResetCamera()
    pv.Render(view)
    if "--save" in argv:
        pv.SaveScreenshot(argv[argv.index("--save") + 1], view, ImageResolution=[1400, 1000])


if __name__ in ("__main__", "__vtkconsole__"):
    main(sys.argv[1:])
'''


def paraview_script(files: Sequence[str]) -> str:
    """The text of ``paraview.py`` for a folder holding ``files``."""
    return SCRIPT.replace("__FILES__", repr(sorted(files)))


def write_paraview_script(folder: Path, files: Sequence[str], comm: Any) -> list[str]:
    """Write ``paraview.py`` into ``folder`` (rank 0) where there are fields; its name, or []."""
    if not files:
        return []
    if comm.rank == 0:
        (folder / "paraview.py").write_text(paraview_script(files))
    return ["paraview.py"]
