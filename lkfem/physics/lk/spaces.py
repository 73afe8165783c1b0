"""Element choice and mixed (q, T) spaces of the Landau–Khalatnikov problem.

``taylor_hood``: q ∈ P_{k+1}^d, T ∈ P_k (any λ, λ_d ≥ 0); ``primal``: q ∈ DG_{k−1}^d, T ∈ P_k
(λ = λ_d = 0); ``hdiv``: q ∈ RT_k, T ∈ DG_{k−1} (λ = λ_d = 0, one constant ζ, ζ∇T·p integrated
by parts). ``auto`` picks Taylor–Hood where any region has a gradient term, else primal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import basix.ufl
import numpy as np
from dolfinx import fem

from lkfem.core.bcs import HeatFlux
from lkfem.errors import CaseError

if TYPE_CHECKING:
    from lkfem.physics.lk.problem import LKProblem

__all__ = ["ELEMENTS", "check_hdiv", "choose_element", "mixed_space", "subspace"]

ELEMENTS = ("auto", "taylor_hood", "primal", "hdiv")


def choose_element(element: str, gradient: bool, origin: str) -> str:
    """The element to use: ``element`` checked, with ``auto`` resolved.

    Args:
        element: one of :data:`ELEMENTS`.
        gradient: whether any region has λ or λ_d > 0.
        origin: how errors name the input.
    """
    if element not in ELEMENTS:
        raise CaseError(
            origin, "solver.element", f"unknown element '{element}' (one of: {', '.join(ELEMENTS)})"
        )
    if element == "auto":
        return "taylor_hood" if gradient else "primal"
    if gradient and element in ("primal", "hdiv"):
        raise CaseError(
            origin,
            "solver.element",
            f"the {element} element cannot carry ℓ > 0 (λ > 0); use taylor_hood",
        )
    return element


def mixed_space(mesh: Any, element: str, degree: int) -> fem.FunctionSpace:
    """The mixed space W = V_q × V_T of ``element`` (not ``auto``) and degree k on ``mesh``."""
    cell = mesh.basix_cell()
    gdim = mesh.geometry.dim
    if element == "taylor_hood":
        eq = basix.ufl.element("Lagrange", cell, degree + 1, shape=(gdim,))
        eT = basix.ufl.element("Lagrange", cell, degree)
    elif element == "primal":
        eq = basix.ufl.element("Lagrange", cell, degree - 1, shape=(gdim,), discontinuous=True)
        eT = basix.ufl.element("Lagrange", cell, degree)
    else:
        eq = basix.ufl.element("RT", cell, degree)
        eT = basix.ufl.element("Lagrange", cell, degree - 1, discontinuous=True)
    return fem.functionspace(mesh, basix.ufl.mixed_element([eq, eT]))


def subspace(W: fem.FunctionSpace, index: int) -> tuple[fem.FunctionSpace, np.ndarray]:
    """Component ``index`` of the mixed space W as a space of its own, and for each of its
    (unrolled) local dofs the local dof of W: what ``W.sub(index).collapse()`` gives, in time
    linear in the unknowns (dolfinx 0.9's collapse of a blocked subspace grows ~ N², 13 s for
    the DG0³ flux of 264 k unknowns).

    The space is built directly from the sub-element; its cell dofs and the sub-dofmap's (the
    W dofs of the component on each cell, unrolled node by node) list the same element dofs in
    the same order, so one scatter over the cells pairs them. A dof's owner is the owner of its
    mesh entity in both spaces, so owned dofs map to owned dofs.
    """
    sub = W.sub(index)
    V = fem.functionspace(W.mesh, sub.ufl_element())
    bs = V.dofmap.bs
    cells = V.dofmap.list
    unrolled = (cells[:, :, None] * bs + np.arange(bs, dtype=cells.dtype)).reshape(len(cells), -1)
    imap = V.dofmap.index_map
    dofs = np.full((imap.size_local + imap.num_ghosts) * bs, -1, dtype=np.int32)
    dofs[unrolled.ravel()] = sub.dofmap.list.reshape(len(cells), -1).ravel()
    return V, dofs


def check_hdiv(problem: LKProblem) -> None:
    """With the ``hdiv`` element: one constant ζ in all regions and no nonzero heat flux."""
    if problem.element != "hdiv":
        return
    for _, _, region in problem.groups:
        zeta = problem.coefficients[region].zeta
        if not isinstance(zeta, float) or zeta != problem.coefficients[problem.groups[0][2]].zeta:
            raise CaseError(
                problem.origin,
                f"materials.{region}.zeta",
                "the hdiv element needs one constant zeta in all regions",
            )
    for name, bc in problem.bcs.items():
        if isinstance(bc, HeatFlux) and bc.value != 0.0:
            raise CaseError(
                problem.origin,
                f"boundaries.{name}",
                "the hdiv element takes heat_flux = 0 (adiabatic), temperature "
                "and convection conditions; use taylor_hood or primal",
            )
