"""The quadrature degree of the Landau weak forms.

The general rule, 2 (k + 1) + 2 for T in P_k, integrates the linear LK terms exactly and keeps
expression coefficients (sin, exp, …) from asking for huge rules. Where the Landau polynomial
needs less (free relaxation of q in P1 without a sixth-order term: b|q|²q·v has degree 4 on
affine cells), the smaller exact rule is used: a triangle then has 6 points instead of 12, a
tetrahedron 14 instead of 24, a quadrilateral 3 × 3 instead of 4 × 4.

``[solver] quadrature_degree`` in a case file overrides both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["general_degree", "landau_degree"]


def general_degree(degree: int) -> int:
    """The general rule for T in P_k (q one degree up in Taylor–Hood)."""
    return 2 * (degree + 1) + 2


def _nonzero(value: Any) -> bool:
    return isinstance(value, (str, tuple)) or float(value) != 0.0


def landau_degree(q_degree: int, materials: Iterable[Any], degree: int) -> int:
    """The smaller of the general rule and the exact degree of the Landau terms for q in
    P_{q_degree}: 6 k_q with a sixth-order term c, 4 k_q with b, 2 k_q for the quadratic
    terms alone (expression coefficients count as nonzero)."""
    materials = list(materials)
    if any(_nonzero(m.c) for m in materials):
        power = 6
    elif any(_nonzero(m.b) for m in materials):
        power = 4
    else:
        power = 2
    return min(general_degree(degree), power * q_degree)
