"""The quadrature degree of the Landau weak forms.

The general rule, 2 (k + 1) + 2 for T in P_k, integrates the linear LK terms exactly and keeps
expression coefficients (sin, exp, …) from asking for huge rules. Where the forms need less on
affine cells, the smaller exact rule is used:

- free relaxation of q in P1 without a sixth-order term (``[domains]``): b|q|²q·v has degree 4,
  so a triangle has 6 points instead of 12, a quadrilateral 3 × 3 instead of 4 × 4;
- the LK model with number coefficients and b = c = 0: Taylor–Hood (q in P_{k+1}, T in P_k) has
  bilinear forms of degree 2 (k + 1) (the flux mass), so a tetrahedron has 14 points instead of
  24 at k = 1 and a hexahedron 4 × 4 × 4 instead of 5 × 5 × 5 at k = 2; the primal and H(div)
  elements need 2 k.

"Affine" means simplices of straight (degree-1) geometry, and parallelograms and parallelepipeds
among quadrilaterals and hexahedra (:func:`affine_cells`); elsewhere no rule is exact and the
general one is kept. ``[solver] quadrature_degree`` in a case file overrides all of this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from typing import Any

import numpy as np
from mpi4py import MPI

import lkfem._compat as _compat

__all__ = ["general_degree", "landau_degree", "affine_cells", "numbers_only"]

#: for quadrilaterals and hexahedra (dolfinx's vertex order, a tensor product): the bilinear and
#: trilinear coefficients of the map as signed sums of vertices, all zero iff the map is affine
_NON_AFFINE = {
    "quadrilateral": (((3, 1), (2, -1), (1, -1), (0, 1)),),
    "hexahedron": (
        ((3, 1), (2, -1), (1, -1), (0, 1)),
        ((5, 1), (4, -1), (1, -1), (0, 1)),
        ((6, 1), (4, -1), (2, -1), (0, 1)),
        ((7, 1), (6, -1), (5, -1), (3, -1), (4, 1), (2, 1), (1, 1), (0, -1)),
    ),
}


def general_degree(degree: int) -> int:
    """The general rule for T in P_k (q one degree up in Taylor–Hood)."""
    return 2 * (degree + 1) + 2


def _nonzero(value: Any) -> bool:
    return float(value) != 0.0


def _is_number(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(_is_number(v) for v in value)
    return value is None or isinstance(value, (int, float))


def numbers_only(materials: Iterable[Any]) -> bool:
    """True when every parameter of every material is a number (or a tensor of numbers): the
    coefficients are constant on each region."""
    return all(_is_number(getattr(m, f.name)) for m in materials for f in fields(m))


def affine_cells(mesh: Any) -> bool:
    """True (on every rank) when every cell's map from the reference cell is affine: simplices
    with degree-1 geometry; quadrilaterals and hexahedra whose bilinear (trilinear) terms vanish,
    i.e. parallelograms and parallelepipeds, up to 1e-10 of the cell's size."""
    affine = _compat.geometry_degree(mesh) == 1
    terms = _NON_AFFINE.get(mesh.topology.cell_type.name, ())
    if affine and terms:
        x = mesh.geometry.x[np.asarray(_compat.geometry_dofmap(mesh))]  # cells × nodes × 3
        size = np.abs(x - x[:, :1]).max(axis=(1, 2), initial=0.0)
        for term in terms:
            value = sum(sign * x[:, node] for node, sign in term)
            if (np.abs(value).max(axis=1, initial=0.0) > 1e-10 * size).any():
                affine = False
                break
    return bool(mesh.comm.allreduce(affine, op=MPI.LAND))


def landau_degree(
    q_degree: int,
    materials: Iterable[Any],
    degree: int,
    *,
    t_degree: int = 0,
    affine: bool = True,
) -> int:
    """The smaller of the general rule and the exact degree of the forms for q in
    P_{q_degree} and T in P_{t_degree}: 6 k_q with a sixth-order term c, 4 k_q with b, 2 k_q for
    the quadratic terms alone, and at least 2 k_T (the heat capacity's mass). The general rule
    where the cells are not ``affine`` or any material parameter is an expression (no rule is
    exact for it)."""
    materials = list(materials)
    general = general_degree(degree)
    if not affine or not numbers_only(materials):
        return general
    if any(_nonzero(m.c) for m in materials):
        power = 6
    elif any(_nonzero(m.b) for m in materials):
        power = 4
    else:
        power = 2
    return min(general, max(power * q_degree, 2 * t_degree))
