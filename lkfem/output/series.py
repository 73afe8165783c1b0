"""Tables written by rank 0: ``timeseries.csv`` row by row as a run goes, and whole columns
(e.g. a spectrum) at the end."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from mpi4py import MPI

from lkfem.core.units import column

__all__ = ["TimeSeries", "write_columns"]


class TimeSeries:
    """A CSV file whose columns are the keys of the first row; flushed after every row so a
    killed run keeps what it computed.

    With ``keep_rows`` (a run continued from a checkpoint) the existing file keeps its header
    and first ``keep_rows`` rows, and new rows follow them. The rows' keys are named in 3D units
    and written in those of a mesh of dimension ``dim`` (:mod:`lkfem.core.units`).
    """

    def __init__(
        self,
        path: Path | None,
        comm: MPI.Comm,
        *,
        keep_rows: int | None = None,
        dim: int = 3,
    ):
        self.fh = None
        self.dim = dim
        self.columns: list[str] | None = None
        if path is None or comm.rank != 0:
            return
        if keep_rows is not None and path.exists():
            lines = path.read_text().splitlines(keepends=True)
            if lines:
                self.columns = lines[0].strip().split(",")
            path.write_text("".join(lines[: 1 + keep_rows]))
            self.fh = open(path, "a")
        else:
            self.fh = open(path, "w")

    def add(self, row: dict[str, float]) -> None:
        if self.fh is None:
            return
        row = {column(key, self.dim): value for key, value in row.items()}
        if self.columns is None:
            self.columns = list(row)
            self.fh.write(",".join(self.columns) + "\n")
        self.fh.write(",".join(f"{row[c]:.12g}" for c in self.columns) + "\n")
        self.fh.flush()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


def write_columns(
    path: Path, header: Sequence[str], columns: Sequence[np.ndarray], comm: MPI.Comm
) -> None:
    """A CSV file of equally long columns, from rank 0."""
    if comm.rank != 0:
        return
    data = np.column_stack(list(columns))
    np.savetxt(path, data, delimiter=",", header=",".join(header), comments="", fmt="%.12g")
