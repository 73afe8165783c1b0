"""Thermal cloaks: the reference and bare-object variants of a layout, and the cloak metrics.

A cloak's quality is judged outside it, against the field with no object at all (the
*reference*: the object and the cloak's layers filled with the background material) and against
the object without its cloak (the *bare* object: only the layers filled with the background):

    g = ‖T − T_ref‖²_out / ‖T_bare − T_ref‖²_out,

with the norms over the regions ``outside`` the cloak (the background by default). g = 0 is a
perfect cloak, g = 1 no better than no cloak, g > 1 worse. The three solves run on the same mesh,
so g carries no interpolation error between meshes.

Also here: the conductivity tensor of a (regularised) transformation cloak, as expressions a
case file or :class:`lkfem.Material` accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from dolfinx import fem
from mpi4py import MPI

from lkfem.core.domain import Domain
from lkfem.core.materials import Material
from lkfem.errors import CaseError

__all__ = ["CloakLayout", "cloak_metrics", "transformation_conductivity", "VARIANTS"]

#: The solves a cloak study needs, besides the case itself.
VARIANTS = ("reference", "bare")


@dataclass(slots=True, kw_only=True, frozen=True)
class CloakLayout:
    """Which regions of a mesh are the hidden object, the cloak and the outside.

    Args:
        object: regions of the object to hide.
        layers: regions of the cloak (bilayer, multilayer or transformation region).
        background: the region whose material fills the object and the layers in the
            reference solve, and the layers in the bare solve.
        outside: regions where the field is compared (default: the background).
    """

    object: tuple[str, ...]
    layers: tuple[str, ...]
    background: str
    outside: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("object", "layers", "outside"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{name} must be a list of region names, got {value!r}")
            object.__setattr__(self, name, tuple(value))
        if not self.object:
            raise ValueError("object must name at least one region of the object to hide")
        if not self.layers:
            raise ValueError("layers must name at least one region of the cloak")
        if not self.outside:
            object.__setattr__(self, "outside", (self.background,))
        hidden = set(self.object) | set(self.layers)
        if self.background in hidden or hidden & set(self.outside):
            raise ValueError(
                "the background and the outside regions cannot be part of the object or the cloak"
            )
        if set(self.object) & set(self.layers):
            raise ValueError("a region cannot be both object and cloak layer")

    def check(self, domain: Domain, materials: Mapping[str, Material], origin: str) -> None:
        """Raise a :class:`CaseError` if a region name is not in the mesh or has no material."""
        for key in ("object", "layers", "outside"):
            for region in getattr(self, key):
                if region not in domain.regions:
                    raise CaseError(
                        origin,
                        f"cloak.{key}",
                        f"no region named '{region}' in the mesh "
                        f"(regions: {', '.join(sorted(domain.regions))})",
                    )
        if self.background not in domain.regions or self.background not in materials:
            raise CaseError(
                origin,
                "cloak.background",
                f"'{self.background}' is not a region with a material "
                f"(regions: {', '.join(sorted(domain.regions))})",
            )

    def materials(self, materials: Mapping[str, Material], variant: str) -> dict[str, Material]:
        """The materials of ``variant``: ``reference`` (no object, no cloak) or ``bare``."""
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r} (one of {', '.join(VARIANTS)})")
        filled = self.layers + (self.object if variant == "reference" else ())
        fill = materials[self.background]
        return {region: fill if region in filled else m for region, m in materials.items()}


def cloak_metrics(
    domain: Domain, layout: CloakLayout, T: fem.Function, T_ref: Any, T_bare: Any
) -> dict[str, float]:
    """g, and the largest |T − T_ref| outside the cloak (for the cloak and for the bare object).

    g is None where the bare object leaves the outside field as it is (g undefined).

    ``T_ref`` and ``T_bare`` may be functions on other spaces of the same mesh, or UFL
    expressions (an exact reference field); they are interpolated into T's space for the
    maxima, and integrated as they are for the norms.
    """
    comm = domain.comm
    dx = domain.dx
    outside = [domain.regions[name] for name in layout.outside]
    measure = sum((dx(tag) for tag in outside[1:]), dx(outside[0]))

    def norm2(e: Any) -> float:
        return comm.allreduce(fem.assemble_scalar(fem.form(e * e * measure)), op=MPI.SUM)

    cloaked, bare = norm2(T - T_ref), norm2(T_bare - T_ref)
    V = T.function_space
    cells = np.concatenate([domain.cell_tags.find(tag) for tag in outside]).astype(np.int32)
    dofs = np.unique(V.dofmap.list[cells])

    reference = _on_space(T_ref, V).x.array[dofs]

    def largest(field: Any) -> float:
        values = _on_space(field, V).x.array[dofs] - reference
        local = float(np.abs(values).max()) if values.size else 0.0
        return comm.allreduce(local, op=MPI.MAX)

    return {
        "g": cloaked / bare if bare > 0 else None,  # None (null): the bare object is invisible
        "max_abs_dT_outside_K": largest(T),
        "bare_max_abs_dT_outside_K": largest(T_bare),
        "norm2_T_minus_Tref_outside_K2m3": cloaked,
        "norm2_Tbare_minus_Tref_outside_K2m3": bare,
    }


def _on_space(field: Any, V: fem.FunctionSpace) -> fem.Function:
    if isinstance(field, fem.Function) and field.function_space is V:
        return field
    import lkfem._compat as _compat

    f = fem.Function(V)
    if isinstance(field, fem.Function):
        f.interpolate(field)
    else:
        f.interpolate(_compat.expression(field, V))
    f.x.scatter_forward()
    return f


def transformation_conductivity(
    k0: float, r1: float, r2: float, *, delta: float = 0.0, shape: str = "cylinder"
) -> tuple[tuple[float | str, ...], ...]:
    """The conductivity tensor of a transformation cloak centred at the origin, r1 < r < r2.

    The cloak is the image of the ball (or disc) r' < r2 of background k0 under the radial map
    r = r1 + (r' − δ) s, s = (r2 − r1)/(r2 − δ), which opens the core r' < δ to the hole r < r1.
    δ = 0 is the ideal, singular cloak: for the cylinder that of MODEL.md §4 (k_ρ = k0 (ρ − r1)/ρ,
    k_θ = k0 ρ/(ρ − r1)), for the sphere k_r = k0 r2 (r − r1)²/((r2 − r1) r²),
    k_θ = k_φ = k0 r2/(r2 − r1). δ > 0 regularises it. With K = k0 J Jᵀ / det J:

    - cylinder (axis z, radius ρ = √(x² + y²)): k_ρ = k0 s r'/ρ, k_θ = k0 ρ/(s r'),
      k_z = k0 r'/(s ρ);
    - sphere (radius r): k_r = k0 s (r'/r)², k_θ = k_φ = k0 / s.

    Filling the hole with the image of the core (the map r = r' r1/δ) needs there the in-plane
    conductivity k0 (cylinder) or k0 δ/r1 (sphere); the exact field is then the undisturbed one
    outside the cloak and the mapped one inside (docs/theory.md, "Thermal cloaks").

    Returns:
        A 3×3 tuple of numbers and expression strings of x, y, z (for a Material or a case).
    """
    if not 0 <= delta < r1 < r2:
        raise ValueError(f"need 0 <= delta < r1 < r2, got delta={delta}, r1={r1}, r2={r2}")
    if shape not in ("cylinder", "sphere"):
        raise ValueError(f"shape must be 'cylinder' or 'sphere', got {shape!r}")
    radius = "rho" if shape == "cylinder" else "r"
    s = f"(({r2!r} - {r1!r}) / ({r2!r} - {delta!r}))"
    rp = f"({delta!r} + ({radius} - {r1!r}) / {s})"  # r'(r), the radius before the map
    if shape == "cylinder":
        k_r, k_t = f"{k0!r} * {s} * {rp} / rho", f"{k0!r} * rho / ({s} * {rp})"
        unit = ("x / rho", "y / rho", "0")
    else:
        k_r, k_t = f"{k0!r} * {s} * ({rp} / r)**2", f"{k0!r} / {s}"
        unit = ("x / r", "y / r", "z / r")
    rows: list[list[float | str]] = []
    for i in range(3):
        row: list[float | str] = []
        for j in range(3):  # K = k_t I + (k_r − k_t) e_r e_rᵀ, and k_z on the cylinder's axis
            entry = f"({k_r} - {k_t}) * {unit[i]} * {unit[j]}"
            row.append(f"{k_t} + {entry}" if i == j else entry)
        rows.append(row)
    if shape == "cylinder":
        rows[2] = [0.0, 0.0, f"{k0!r} * {rp} / ({s} * rho)"]
        rows[0][2] = rows[1][2] = 0.0
    return tuple(tuple(row) for row in rows)
