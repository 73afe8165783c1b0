"""Checkpoints of a transient run: the mesh with its region and boundary tags, the model's
state (:meth:`lkfem.physics.base.Model.state`) and the loop's (:class:`~lkfem.stepping.LoopState`),
written with adios4dolfinx so that a run continues on any number of ranks.

A checkpoint is a folder ``step-NNNNNNNN`` holding ``state.bp`` (ADIOS2: mesh, tags, functions)
and ``state.json`` (names, loop state, the model's scalars, what the outputs need). It is written
in a hidden sibling and renamed when complete, so it is complete or absent; the last ``keep``
are kept.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from mpi4py import MPI

import lkfem._compat as _compat
from lkfem._version import __version__
from lkfem.core.domain import Domain
from lkfem.errors import LkfemError
from lkfem.log import logger
from lkfem.stepping import LoopState

__all__ = ["Checkpoints", "latest", "newest", "read_domain", "restore"]

FORMAT = 1
_PREFIX = "step-"


class _Stateful(Protocol):
    """What a checkpoint needs of a model (:class:`lkfem.physics.base.Model`)."""

    def state(self) -> Any: ...

    def restore(self, scalars: Mapping[str, Any]) -> None: ...


class Checkpoints:
    """The checkpoints of one run in ``folder``.

    Args:
        folder: where they live (inside the run's partial results folder).
        domain: the mesh and its named tags.
        keep: how many to keep (the newest).
    """

    def __init__(self, folder: Path, domain: Domain, *, keep: int = 2):
        self.folder, self.domain, self.keep = folder, domain, max(1, keep)
        self.comm = domain.comm
        self.last: Path | None = None
        self.seconds = 0.0  # time spent writing them
        self.bytes = 0

    def write(self, model: _Stateful, loop: LoopState, extra: Mapping[str, Any]) -> Path:
        """Write a checkpoint of ``model`` at ``loop`` (``extra``: what the outputs need to
        continue) and drop the oldest beyond ``keep``. Collective."""
        start = time.perf_counter()
        a4d = _compat.adios4dolfinx()
        name = f"{_PREFIX}{loop.step:08d}"
        final, tmp = self.folder / name, self.folder / f".{name}.tmp"
        if self.comm.rank == 0:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
        self.comm.barrier()
        mesh, bp = self.domain.mesh, tmp / "state.bp"
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim - 1, tdim)
        mesh.topology.create_connectivity(tdim - 1, 0)
        a4d.write_mesh(bp, mesh)
        a4d.write_meshtags(bp, mesh, self.domain.cell_tags, meshtag_name="regions")
        a4d.write_meshtags(bp, mesh, self.domain.facet_tags, meshtag_name="boundaries")
        state = model.state()
        names = list(state.functions)
        for i, key in enumerate(names):
            a4d.write_function(bp, state.functions[key], name=f"f{i}")
        if self.comm.rank == 0:
            meta = {
                "format": FORMAT,
                "lkfem_version": __version__,
                "mpi_ranks": self.comm.size,
                "loop": loop.as_dict(),
                "regions": self.domain.regions,
                "boundaries": self.domain.boundaries,
                "functions": names,
                "scalars": state.scalars,
                "outputs": dict(extra),
            }
            (tmp / "state.json").write_text(json.dumps(meta))
        self.comm.barrier()
        if self.comm.rank == 0:
            shutil.rmtree(final, ignore_errors=True)
            tmp.rename(final)
            for old in _checkpoints(self.folder)[: -self.keep]:
                shutil.rmtree(old, ignore_errors=True)
            self.bytes = sum(f.stat().st_size for f in final.rglob("*") if f.is_file())
        self.comm.barrier()
        self.bytes = self.comm.bcast(self.bytes, root=0)
        self.last = final
        elapsed = time.perf_counter() - start
        self.seconds += elapsed
        logger.debug(
            f"checkpoint at step {loop.step}, t = {loop.t:.6g} s: {final} "
            f"({self.bytes / 1e6:.2f} MB, {elapsed:.2f} s)"
        )
        return final


def _checkpoints(folder: Path) -> list[Path]:
    """The complete checkpoints in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.name.startswith(_PREFIX) and p.is_dir()]
    return sorted(p for p in found if (p / "state.json").is_file())


def latest(folder: Path, comm: MPI.Comm) -> Path | None:
    """The newest complete checkpoint in ``folder`` (rank 0 decides), or None."""
    found = _checkpoints(folder) if comm.rank == 0 else []
    return comm.bcast(found[-1] if found else None, root=0)


def newest(folder: Path) -> tuple[Path, str] | None:
    """The newest complete checkpoint in ``folder`` and where it stands ("step 12, t = 0.3
    s"), or None; not collective."""
    found = _checkpoints(folder)
    if not found:
        return None
    try:
        loop = json.loads((found[-1] / "state.json").read_text())["loop"]
    except (OSError, ValueError, KeyError):
        return found[-1], "an unknown step"
    return found[-1], f"step {loop['step']}, t = {loop['t']:.6g} s"


def _meta(path: Path, comm: MPI.Comm) -> dict[str, Any]:
    meta, error = None, None
    if comm.rank == 0:
        try:
            meta = json.loads((path / "state.json").read_text())
        except (OSError, ValueError) as exc:
            error = f"cannot read the checkpoint {path}: {exc}"
        else:
            if meta.get("format") != FORMAT:
                error = f"the checkpoint {path} has format {meta.get('format')}, not {FORMAT}"
    meta, error = comm.bcast((meta, error), root=0)
    if error:
        raise LkfemError(error)
    return meta


def read_domain(path: Path, comm: MPI.Comm) -> Domain:
    """The mesh and its named regions and boundaries saved in the checkpoint ``path``,
    distributed over ``comm`` (any number of ranks)."""
    meta = _meta(path, comm)
    a4d = _compat.adios4dolfinx()
    bp = path / "state.bp"
    mesh = a4d.read_mesh(bp, comm)
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    cell_tags = a4d.read_meshtags(bp, mesh, meshtag_name="regions")
    facet_tags = a4d.read_meshtags(bp, mesh, meshtag_name="boundaries")
    return Domain(
        mesh=mesh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        regions={k: int(v) for k, v in meta["regions"].items()},
        boundaries={k: int(v) for k, v in meta["boundaries"].items()},
    )


def restore(path: Path, model: _Stateful, comm: MPI.Comm) -> tuple[LoopState, dict[str, Any]]:
    """Fill ``model``'s state from the checkpoint ``path`` (its mesh must be the one
    :func:`read_domain` read from it).

    Returns:
        The loop's state and what the outputs saved (``extra`` of :meth:`Checkpoints.write`).
    """
    meta = _meta(path, comm)
    a4d = _compat.adios4dolfinx()
    state = model.state()
    if sorted(state.functions) != sorted(meta["functions"]):
        raise LkfemError(
            f"the checkpoint {path} holds {', '.join(meta['functions'])}, but this case's "
            f"model needs {', '.join(state.functions)}: was the case changed?"
        )
    for i, key in enumerate(meta["functions"]):
        a4d.read_function(path / "state.bp", state.functions[key], name=f"f{i}")
        state.functions[key].x.scatter_forward()
    model.restore(meta["scalars"])
    loop = meta["loop"]
    return LoopState(loop["step"], loop["t"], loop["dt"], loop["dt_prev"]), meta["outputs"]
