"""Where a distributed array holds NaN or Inf: which fields and which regions, named for the
message of a failed step."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from dolfinx import fem
from mpi4py import MPI

from lkfem.core.domain import Domain

__all__ = ["nonfinite"]


def nonfinite(
    domain: Domain, V: fem.FunctionSpace, values: np.ndarray, parts: Mapping[str, np.ndarray]
) -> str:
    """Where ``values`` (the local dofs of ``V``, ghosts optional) are NaN or Inf, as
    "T, q in region 'matrix'"; "" where all are finite. Collective.

    Args:
        parts: the local dofs of each named field inside ``V`` (e.g. a mixed space's q and T).
    """
    bad = ~np.isfinite(values)
    if not domain.comm.allreduce(bool(bad.any()), op=MPI.LOR):
        return ""
    fields = [name for name, dofs in parts.items() if bool(bad[dofs[dofs < bad.size]].any())]
    regions: list[str] = []
    if bad.any():
        bs = V.dofmap.bs
        dofmap = V.dofmap.list
        blocks = np.unique(np.flatnonzero(bad) // bs)
        cells = np.flatnonzero(np.isin(dofmap, blocks).any(axis=1))
        tags = set(domain.cell_tags.values[np.isin(domain.cell_tags.indices, cells)].tolist())
        regions = [name for name, tag in domain.regions.items() if tag in tags]
    gathered = domain.comm.allgather((fields, regions))
    fields = sorted({f for fs, _ in gathered for f in fs})
    regions = sorted({r for _, rs in gathered for r in rs})
    if not fields and not regions:
        return ""
    where = f" in region(s) {', '.join(repr(r) for r in regions)}" if regions else ""
    return f"{', '.join(fields) or 'the unknowns'}{where}"
