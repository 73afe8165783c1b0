"""One scalar algebraic multigrid per flux component for the flux block of Taylor–Hood.

The flux operator A = a′ M_q + λ K_q of an isotropic material is block diagonal over the
components of q (λ∇q : ∇p = Σ_i λ∇q_i·∇p_i), but the mixed space stores every component
pair of a cell, so BoomerAMG on the whole block sees a matrix three times denser than its
nonzeros (the explicit zeros survive its Galerkin products) and three times as many rows to
coarsen together. :class:`ComponentAMG` takes the d diagonal blocks A_ii, each with one scalar
AMG, and applies them additively (block Jacobi over the components). It is exact up to the AMG
where the components decouple; where they do not (λ_d ∇·q ∇·p, free-slip or convection
conditions on q, an anisotropic a) it drops the coupling between components, which those terms
carry only on boundaries or through λ_d (see docs/theory.md, "Block preconditioner"). Blocks
with equal entries up to round-off (an isotropic material without boundary terms on q) share
one hierarchy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from mpi4py import MPI
from petsc4py import PETSc

from lkfem.solvers.linear import clear_options, set_options

__all__ = ["ComponentAMG", "component_sets", "register"]

_REGISTRY: dict[str, tuple[list[np.ndarray], dict[str, Any]]] = {}


def component_sets(q_dofs: np.ndarray, bs: int, owned_nodes: int, owned: int) -> list[np.ndarray]:
    """For each of the ``bs`` components, its owned dofs as positions in the sorted list of the
    owned flux dofs of W (the local rows of the flux block), node by node.

    Args:
        q_dofs: for each unrolled dof of V_q the local dof of W (lkfem.physics.lk.spaces).
        bs: the number of components.
        owned_nodes: the owned nodes of V_q.
        owned: the owned dofs of W.
    """
    local = np.asarray(q_dofs[: owned_nodes * bs]).reshape(owned_nodes, bs)
    rows = np.sort(np.asarray(q_dofs)[np.asarray(q_dofs) < owned])
    return [np.searchsorted(rows, local[:, c]).astype(PETSc.IntType) for c in range(bs)]


def register(prefix: str, sets: list[np.ndarray], amg: dict[str, Any]) -> None:
    """Hand ``sets`` (from :func:`component_sets`) and the PETSc options ``amg`` of the scalar
    AMG to the ComponentAMG of the SNES with options prefix ``prefix``."""
    _REGISTRY[prefix] = (sets, amg)


def unregister(prefix: str) -> None:
    _REGISTRY.pop(prefix, None)


class ComponentAMG:
    """PETSc python PC on the flux block: y_i = AMG(A_ii)⁻¹ x_i for each component i.

    A component's rows are owned rows of the block, so its part of x is a copy of local
    entries: the positions are kept as numpy indices with one vector pair per component, made
    once (``Vec.getSubVector`` of a non-contiguous IS builds a new vector and scatter on every
    call: 2 s of the 521 k solve, growing less than linearly with fewer unknowns per rank).
    """

    def __init__(self) -> None:
        self.objects: list[Any] = []
        self.parts: list[tuple[np.ndarray, PETSc.KSP, PETSc.Vec, PETSc.Vec]] = []

    def setUp(self, pc: PETSc.PC) -> None:
        self.destroy()
        _, P = pc.getOperators()
        prefix = pc.getOptionsPrefix()
        start = P.getOwnershipRange()[0]
        comm = pc.getComm()
        solved: list[tuple[PETSc.Mat, PETSc.KSP]] = []
        sets, amg = _REGISTRY[prefix.removesuffix("fieldsplit_q_")]
        for positions in sets:
            index = PETSc.IS().createGeneral(positions + start, comm=comm)
            block = P.createSubMatrix(index, index)
            index.destroy()
            ksp = next((k for m, k in solved if _same(m, block)), None)
            xi, yi = block.createVecs()
            self.objects += [xi, yi]
            if ksp is not None:
                block.destroy()
            else:
                ksp = PETSc.KSP().create(comm)
                ksp.setOperators(block)
                ksp.setType("preonly")
                sub = f"{prefix}comp{len(solved)}_"
                ksp.setOptionsPrefix(sub)
                set_options(sub, amg)
                ksp.setFromOptions()
                clear_options(sub, amg)
                ksp.setUp()
                solved.append((block, ksp))
                self.objects += [block, ksp]
            self.parts.append((np.asarray(positions), ksp, xi, yi))

    def apply(self, pc: PETSc.PC, x: PETSc.Vec, y: PETSc.Vec) -> None:
        xs = x.getArray(readonly=True)
        out = np.zeros_like(xs)
        for positions, ksp, xi, yi in self.parts:
            xi.setArray(xs[positions])
            ksp.solve(xi, yi)
            out[positions] = yi.getArray(readonly=True)
        y.setArray(out)

    def destroy(self, pc: PETSc.PC | None = None) -> None:
        for obj in self.objects:
            obj.destroy()
        self.objects, self.parts = [], []


def _same(a: PETSc.Mat, b: PETSc.Mat) -> bool:
    """Whether two component blocks have the same entries up to round-off (one AMG hierarchy
    serves both). On several ranks the contributions of other ranks' cells are summed in a
    different order per component, so equal blocks differ in the last bits (MatEqual fails
    there, and each component would build its own hierarchy). With the same sparsity on every
    rank (the usual case) the entries are compared as arrays: ``Mat.axpy`` with an unknown
    pattern builds a new parallel matrix (0.16 s on 2 ranks at 521 k, 0.02 s on one)."""
    if a.getSizes() != b.getSizes():
        return False
    ia, ja, va = a.getValuesCSR()
    ib, jb, vb = b.getValuesCSR()
    pattern = np.array_equal(ia, ib) and np.array_equal(ja, jb)
    comm = a.getComm().tompi4py()
    if comm.allreduce(int(pattern), op=MPI.MIN):
        sums = comm.allreduce(np.array([np.sum((vb - va) ** 2), np.sum(va**2)]), op=MPI.SUM)
        return bool(np.sqrt(sums[0]) <= 1e-12 * np.sqrt(sums[1]))
    difference = b.copy()
    difference.axpy(-1.0, a, structure=PETSc.Mat.Structure.UNKNOWN_NONZERO_PATTERN)
    same = difference.norm(PETSc.NormType.FROBENIUS) <= 1e-12 * a.norm(PETSc.NormType.FROBENIUS)
    difference.destroy()
    return bool(same)
