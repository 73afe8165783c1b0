"""Region-wise coefficients: names for expressions, material groups, piecewise interpolation."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import ufl
from dolfinx import fem

import lkfem._compat as _compat
from lkfem.core.domain import Domain
from lkfem.core.materials import Material

__all__ = ["spatial_names", "material_groups", "interpolate_by_group"]


def spatial_names(
    domain: Domain, constants: Mapping[str, float] | None = None, **extra: Any
) -> dict[str, Any]:
    """The names an expression may use: x, y, z, r, rho, the case's constants, and ``extra``."""
    X = ufl.SpatialCoordinate(domain.mesh)
    names: dict[str, Any] = dict(constants or {})
    coords = [X[i] for i in range(domain.mesh.geometry.dim)] + [0.0] * (
        3 - domain.mesh.geometry.dim
    )
    names.update(x=coords[0], y=coords[1], z=coords[2])
    names["rho"] = ufl.sqrt(coords[0] ** 2 + coords[1] ** 2)
    names["r"] = ufl.sqrt(coords[0] ** 2 + coords[1] ** 2 + coords[2] ** 2)
    names.update(extra)
    return names


def material_groups(
    domain: Domain, materials: Mapping[str, Material]
) -> list[tuple[tuple[int, ...], Material, str]]:
    """Regions with equal materials grouped: (cell tags, material, first region's name)."""
    groups: dict[Material, list[str]] = {}
    for region, material in materials.items():
        groups.setdefault(material, []).append(region)
    return [
        (tuple(domain.regions[r] for r in regions), material, regions[0])
        for material, regions in groups.items()
    ]


def interpolate_by_group(
    f: fem.Function,
    domain: Domain,
    groups: list[tuple[tuple[int, ...], Material, str]],
    expression_of: Callable[[Material, str], Any],
) -> fem.Function:
    """Interpolate ``expression_of(material, region)`` into ``f`` on each group's cells only."""
    for tags, material, region in groups:
        cells = np.concatenate([domain.cell_tags.find(t) for t in tags]).astype(np.int32)
        expr = expression_of(material, region)
        if (
            isinstance(expr, (int, float))
            or ufl.domain.extract_unique_domain(ufl.as_ufl(expr)) is None
        ):
            # a constant: give it the mesh, which dolfinx's Expression needs
            shape = ufl.shape(ufl.as_ufl(expr))
            expr = ufl.as_ufl(expr) + fem.Constant(domain.mesh, np.zeros(shape))
        f.interpolate(_compat.expression(expr, f.function_space), cells0=cells)
    f.x.scatter_forward()
    return f
