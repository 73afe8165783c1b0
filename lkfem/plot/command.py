"""``lkfem plot RESULTS --what ... [--out FILE]``: figures from a results folder, read back from
``fields.pvd`` and ``timeseries.csv`` (pyvista, matplotlib; no dolfinx). Serial: run it without
mpirun."""

from __future__ import annotations

import os
from pathlib import Path

from lkfem.errors import LkfemError
from lkfem.log import logger
from lkfem.plot import figures
from lkfem.plot.results import Results
from lkfem.plot.screen import offscreen

__all__ = ["WHAT", "plot_command"]

#: What ``--what`` draws, and its default file name in the results folder.
WHAT = {
    "picture": "picture.png",
    "slice": "slice.png",
    "isotherms": "isotherms.png",
    "flux": "flux.png",
    "series": "series.png",
    "animation": "animation.gif",
}


def plot_command(
    folder: str | os.PathLike,
    what: str = "picture",
    out: str | os.PathLike | None = None,
    *,
    field: str = "T",
    normal: str = "z",
    step: int = -1,
) -> Path:
    """Draw figure ``what`` of the results in ``folder`` into ``out`` (default: the folder's
    ``WHAT[what]``); returns the file written."""
    if what not in WHAT:
        raise LkfemError(f"unknown figure '{what}' (one of: {', '.join(WHAT)})")
    results = Results(folder)
    path = Path(out) if out is not None else results.folder / WHAT[what]
    if what == "series":
        figures.series_figure(path, results.series(), results.title)
        logger.info(f"wrote {path}")
        return path
    try:
        import pyvista  # noqa: F401
    except ImportError:
        raise LkfemError("lkfem plot needs pyvista (pip install pyvista)") from None
    offscreen()
    times = results.times
    if not -len(times) <= step < len(times):
        raise LkfemError(f"no step {step}: the results have {len(times)} (0 to {len(times) - 1})")
    t = times[step] if len(times) > 1 else None
    if what == "animation":
        if len(times) < 2:
            raise LkfemError(f"{results.folder}: one time only, nothing to animate")
        grids = [(time, results.grid(i)) for i, time in enumerate(times)]
        figures.animation(path, grids, results.title, field)
    elif what == "picture":
        figures.picture(path, results.grid(step), results.title, t)
    elif what == "flux":
        figures.flux_figure(path, results.grid(step), results.title, t)
    else:
        figures.slice_figure(
            path,
            results.grid(step),
            results.title,
            t,
            name=field,
            normal=normal,
            isotherms=True,
            flux=what == "slice" and field == "T",
        )
    logger.info(f"wrote {path}")
    return path
