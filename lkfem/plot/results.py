"""A results folder read back without dolfinx: the fields of ``fields.pvd`` (pyvista), the rows
of ``timeseries.csv`` and ``summary.json``. A folder that is not one is a one-line
:class:`~lkfem.errors.LkfemError`."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from lkfem.errors import LkfemError

__all__ = ["Results"]


class Results:
    """The results folder ``folder`` of ``lkfem run``."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise LkfemError(f"{self.folder}: no such results folder")
        summary = self.folder / "summary.json"
        if not summary.is_file():
            raise LkfemError(f"{self.folder}: not a results folder of lkfem run (no summary.json)")
        try:
            self.summary: dict[str, Any] = json.loads(summary.read_text())
        except ValueError as exc:
            raise LkfemError(f"{summary}: not JSON ({exc})") from None
        self.title = str(self.summary.get("title", self.folder.name))
        self._reader: Any = None

    @property
    def has_fields(self) -> bool:
        return (self.folder / "fields.pvd").is_file()

    def reader(self) -> Any:
        """pyvista's reader of ``fields.pvd``."""
        if self._reader is None:
            if not self.has_fields:
                raise LkfemError(
                    f'{self.folder}: no fields.pvd (the case\'s [output] formats lacks "vtu")'
                )
            import pyvista

            self._reader = pyvista.get_reader(str(self.folder / "fields.pvd"))
        return self._reader

    @property
    def times(self) -> list[float]:
        """The times (s) of the written steps."""
        return [float(t) for t in self.reader().time_values]

    def grid(self, index: int = -1) -> Any:
        """The fields at step ``index`` (default: the last) as one pyvista UnstructuredGrid."""
        reader = self.reader()
        reader.set_active_time_value(self.times[index])
        data = reader.read()
        return data[0] if hasattr(data, "n_blocks") else data

    def series(self) -> np.ndarray:
        """``timeseries.csv`` as a structured array (columns by name)."""
        path = self.folder / "timeseries.csv"
        if not path.is_file():
            raise LkfemError(f"{self.folder}: no timeseries.csv (a steady run has none)")
        return np.genfromtxt(path, delimiter=",", names=True, deletechars="")
