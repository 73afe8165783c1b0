"""Result folders that appear whole or not at all, and summary.json.

A run writes into ``.NAME.partial`` beside the results folder ``NAME`` and moves it into place
when it is done. A run that stops early (a guard, a signal, a failed step) leaves it there with
its checkpoints, and ``lkfem run ... --restart`` continues in it; a run killed outright leaves it
too. The next run into the same place continues it (``--restart``), refuses to overwrite a
checkpoint it holds, or removes it when it holds none.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from types import TracebackType
from typing import Any

from mpi4py import MPI

from lkfem.errors import LkfemError
from lkfem.log import logger
from lkfem.output.checkpoint import newest

__all__ = ["ResultsDir", "partial_folder", "write_json"]


def partial_folder(out: str | os.PathLike) -> Path:
    """Where a run into ``out`` writes until it is done (and its checkpoints live)."""
    out = Path(out).resolve()
    return out.with_name(f".{out.name}.partial")


class ResultsDir:
    """A results folder written in a hidden sibling (:func:`partial_folder`) and moved into
    place only on success; its ``checkpoints`` subfolder is dropped then.

    On an error the partial folder is removed unless it holds a checkpoint (then a restart
    continues from it); an existing folder of the same name is left as it was. Use as
    ``with ResultsDir(out, comm) as tmp: ...`` and write into ``tmp``.

    Args:
        restart: continue in the partial folder a stopped run left (it must exist).
    """

    def __init__(self, out: str | os.PathLike, comm: MPI.Comm, *, restart: bool = False):
        self.out = Path(out).resolve()
        self.comm = comm
        self.restart = restart
        self.tmp = partial_folder(self.out)

    def __enter__(self) -> Path:
        error = None
        if self.comm.rank == 0:
            try:
                error = self._prepare()
            except OSError as exc:
                error = f"cannot create the output folder {self.out}: {exc.strerror}"
        error = self.comm.bcast(error, root=0)
        if error:
            raise LkfemError(error)
        return self.tmp

    def _prepare(self) -> str | None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.out.parent.glob(f".{self.out.name}.partial-*"):  # older lkfem's
            logger.warning(f"removing {stale}, left by a killed run")
            shutil.rmtree(stale, ignore_errors=True)
        if self.restart:
            return None if self.tmp.is_dir() else f"no stopped run to continue in {self.tmp}"
        if self.tmp.exists():
            found = newest(self.tmp / "checkpoints")
            if found is not None:
                return (
                    f"a stopped or killed run into {self.out} left a checkpoint at "
                    f"{found[1]} in {self.tmp}: `--restart` continues it; remove that "
                    "folder to start again"
                )
            logger.warning(f"removing {self.tmp}, left by a killed run (no checkpoint)")
            shutil.rmtree(self.tmp)
        self.tmp.mkdir()
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            if self.comm.rank == 0 and newest(self.tmp / "checkpoints") is None:
                shutil.rmtree(self.tmp, ignore_errors=True)
            return
        self.comm.barrier()
        if self.comm.rank == 0:
            shutil.rmtree(self.tmp / "checkpoints", ignore_errors=True)
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
