"""Result folders that appear whole or not at all, and summary.json."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

from mpi4py import MPI

from lkfem.errors import LkfemError

__all__ = ["ResultsDir", "write_json"]


class ResultsDir:
    """A results folder written in a hidden sibling and moved into place only on success.

    On any error the partial folder is removed and an existing folder of the same name is left
    as it was. Use as ``with ResultsDir(out, comm) as tmp: ...`` and write into ``tmp``.
    """

    def __init__(self, out: str | os.PathLike, comm: MPI.Comm):
        self.out = Path(out).resolve()
        self.comm = comm
        self.tmp: Path | None = None

    def __enter__(self) -> Path:
        path = None
        error = None
        if self.comm.rank == 0:
            try:
                self.out.parent.mkdir(parents=True, exist_ok=True)
                path = tempfile.mkdtemp(prefix=f".{self.out.name}.partial-", dir=self.out.parent)
            except OSError as exc:
                error = f"cannot create the output folder {self.out}: {exc.strerror}"
        path, error = self.comm.bcast((path, error), root=0)
        if error:
            raise LkfemError(error)
        self.tmp = Path(path)
        return self.tmp

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.tmp is not None
        if exc_type is not None:
            if self.comm.rank == 0:
                shutil.rmtree(self.tmp, ignore_errors=True)
            return
        self.comm.barrier()
        if self.comm.rank == 0:
            self.tmp.chmod(0o755)
            old = None
            if self.out.exists():
                old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
                self.out.rename(old)
            self.tmp.rename(self.out)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        self.comm.barrier()


def write_json(path: Path, data: Any, comm: MPI.Comm) -> None:
    """Write ``data`` as indented JSON from rank 0."""
    if comm.rank == 0:
        with open(path, "w") as fh:
            json.dump(data, fh, indent=2, sort_keys=False)
            fh.write("\n")
