"""The mesh a case asks for: built by its generator or read from its file."""

from __future__ import annotations

from mpi4py import MPI

from lkfem.case.spec import Case
from lkfem.core.domain import Domain
from lkfem.core.periodic import PeriodicMismatch, match_pairs
from lkfem.errors import CaseError, MeshError
from lkfem.mesh import generators
from lkfem.mesh.importer import read_mesh

__all__ = ["load_domain", "attach_periodic"]


def load_domain(case: Case, comm: MPI.Comm) -> Domain:
    """The case's mesh, from its generator or its file (a bad file names the case too)."""
    if case.mesh.file is not None:
        try:
            return read_mesh(
                case.mesh.file, comm, scale=case.mesh.scale, max_cells=case.mesh.max_cells
            )
        except MeshError as exc:
            raise MeshError(f"{case.source}: [mesh.file]: {exc}") from None
    assert case.mesh.generator is not None
    try:
        return generators.build(
            case.mesh.generator,
            case.mesh.parameters,
            comm,
            scale=case.mesh.scale,
            max_cells=case.mesh.max_cells,
        )
    except MeshError as exc:  # a geometry its parameters cannot make
        if str(exc).startswith(case.source):
            raise
        raise MeshError(f"{case.source}: [mesh.parameters]: {exc}") from None


def attach_periodic(case: Case, domain: Domain) -> None:
    """Match the case's periodic pairs on the mesh (``domain.periodic``); two boundaries that
    are not translates of each other are a :class:`CaseError` on ``mesh.periodic`` (the same on
    every rank: the check sees every rank's nodes)."""
    if not case.mesh.periodic:
        return
    try:
        domain.periodic = match_pairs(domain, case.mesh.periodic)
    except PeriodicMismatch as exc:
        raise CaseError(case.source, "mesh.periodic", str(exc)) from None
