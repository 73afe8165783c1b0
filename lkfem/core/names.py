"""The case's region and boundary names against the mesh: a material for every region (but
the inactive ones), no material or condition for a name the mesh lacks, tensors of the mesh's
dimension, conditions only on exterior boundaries."""

from __future__ import annotations

from collections.abc import Mapping

from lkfem.core.bcs import BoundaryCondition
from lkfem.core.domain import Domain
from lkfem.core.materials import Material
from lkfem.errors import CaseError

__all__ = ["check_names"]


def check_names(
    domain: Domain,
    materials: Mapping[str, Material],
    bcs: Mapping[str, BoundaryCondition],
    origin: str,
    *,
    inactive: tuple[str, ...] = (),
) -> None:
    """Raise a :class:`CaseError` naming the first mismatch."""
    for region in materials:
        if region not in domain.regions:
            raise CaseError(
                origin,
                f"materials.{region}",
                f"no region named '{region}' in the mesh "
                f"(regions: {', '.join(sorted(domain.regions))})",
            )
    gdim = domain.mesh.geometry.dim
    for region, material in materials.items():
        for key, value in _tensors(material):
            if len(value) != gdim:
                n = len(value)
                want = f"a {gdim}×{gdim} tensor" if gdim > 1 else "a number (the mesh is 1D)"
                raise CaseError(
                    origin,
                    f"materials.{region}.{key}",
                    f"a {n}×{n} tensor on a {gdim}D mesh; give {want} or a number",
                )
    missing = sorted(set(domain.regions) - set(materials) - set(inactive))
    if missing:
        raise CaseError(origin, "materials", f"no material for region(s) {', '.join(missing)}")
    exterior = domain.exterior_boundaries()
    for name in bcs:
        if name not in exterior:
            problem = (
                f"'{name}' is an interior interface; conditions go on the outer boundaries"
                if name in domain.boundaries
                else f"no boundary named '{name}' in the mesh"
            )
            raise CaseError(
                origin,
                f"boundaries.{name}",
                f"{problem} (boundaries: {', '.join(sorted(exterior))})",
            )


def _tensors(material: Material) -> list[tuple[str, tuple]]:
    """The material's values given as tensors (nested tuples), with their keys."""
    from dataclasses import fields

    return [
        (f.name, getattr(material, f.name))
        for f in fields(material)
        if isinstance(getattr(material, f.name), tuple)
    ]
