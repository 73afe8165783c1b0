"""The field files of a run continued from a checkpoint: the restarted run reads its mesh back
from the checkpoint (in a new ordering, possibly on another number of ranks), so it cannot
append to the files written before. They are set aside as ``fields-K.*`` (K = 1, 2, … for
successive restarts), keeping only the snapshots up to the checkpoint's time where the format
allows (XDMF and the VTU collection); the new ``fields.*`` start from there.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from lkfem.log import logger

__all__ = ["set_aside"]


def set_aside(path: Path, t: float, saved_xml: str | None = None) -> None:
    """Move the field files named after ``path`` (``fields.xdmf``) to the first free
    ``fields-K``: the XDMF file (its XML ``saved_xml`` if given: a kill may have left the file
    empty) and the VTU collection without the snapshots after ``t``, the VTX folders whole (they
    may hold snapshots written after the checkpoint). Rank 0 only."""
    k = 1
    while any(path.parent.glob(f"{path.stem}-{k}.*")):
        k += 1
    stem = f"{path.stem}-{k}"
    xdmf = path.with_suffix(".xdmf")
    if xdmf.exists() or saved_xml:
        _xdmf_aside(xdmf, path.with_name(f"{stem}.xdmf"), t, saved_xml)
    pvd = path.with_suffix(".pvd")
    if pvd.exists():
        _pvd_aside(pvd, path.with_name(f"{stem}.pvd"), t)
    for bp in sorted(path.parent.glob(f"{path.stem}*.bp")):
        if not bp.name.startswith(f"{path.stem}-"):
            bp.rename(bp.with_name(bp.name.replace(path.stem, stem, 1)))


def _later(value: str | None, t: float) -> bool:
    return value is not None and float(value) > t * (1 + 1e-12) + 1e-300


def _xdmf_aside(path: Path, target: Path, t: float, saved: str | None) -> None:
    h5 = target.with_suffix(".h5")
    ET.register_namespace("xi", "https://www.w3.org/2001/XInclude")
    tree = ET.ElementTree(ET.fromstring(saved)) if saved else ET.parse(path)
    for collection in tree.iter("Grid"):
        if collection.get("CollectionType") != "Temporal":
            continue
        for grid in list(collection):
            time = grid.find("Time")
            if time is not None and _later(time.get("Value", "0"), t):
                collection.remove(grid)
    for item in tree.iter("DataItem"):
        if item.text and item.text.strip().startswith(f"{path.stem}.h5:"):
            item.text = item.text.replace(f"{path.stem}.h5:", f"{h5.name}:", 1)
    tree.write(target, xml_declaration=True, encoding="utf-8")
    path.unlink(missing_ok=True)
    if path.with_suffix(".h5").exists():
        path.with_suffix(".h5").rename(h5)


def _pvd_aside(path: Path, target: Path, t: float) -> None:
    folder, moved = path.with_suffix(""), target.with_suffix("")
    try:
        tree = ET.parse(path)
    except ET.ParseError:  # a kill while an older lkfem rewrote it: keep the step files
        logger.warning(f"{path.name} was cut short by the kill; its steps are in {moved.name}/")
        if folder.exists():
            shutil.move(folder, moved)
        path.unlink()
        return
    for collection in tree.iter("Collection"):
        for dataset in list(collection):
            if _later(dataset.get("timestep"), t):
                collection.remove(dataset)
                (path.parent / dataset.get("file", "")).unlink(missing_ok=True)
            else:
                name = dataset.get("file", "")
                dataset.set("file", name.replace(f"{folder.name}/", f"{moved.name}/", 1))
    if folder.exists():
        shutil.move(folder, moved)
    tree.write(target, xml_declaration=True, encoding="utf-8")
    path.unlink()
