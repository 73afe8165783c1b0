"""Rod materials, SN interfaces and weak links of the heat superconductor (value objects), and
the topology of rod pieces: which regions form a connected piece, which regions an interface
separates. See :mod:`lkfem.physics.superconductor.model` for the model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from mpi4py import MPI

from lkfem.core import expressions
from lkfem.core.domain import Domain
from lkfem.errors import CaseError, SolverError
from lkfem.log import logger

__all__ = ["RodMaterial", "SNInterface", "WeakLink", "interface_regions", "rod_pieces"]


def _positive(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


@dataclass(slots=True, kw_only=True, frozen=True)
class RodMaterial:
    """A heat-superconducting rod region.

    Args:
        kappa: torsional stiffness density κ (J/m): the twist energy is κ/2 ∫ |∇θ|² dx.
        omega0: persistent angular velocity ω0 (rad/s), > 0: a number or an expression of the
            rod temperature ``T`` (and the case's constants), e.g. ``"2*pi*(1 + 0.1*T)"``.
        C: volumetric heat capacity C_s (J/(m³ K)).
    """

    kappa: float
    omega0: float | str
    C: float

    def __post_init__(self) -> None:
        _positive("kappa", self.kappa)
        _positive("C", self.C)
        if not isinstance(self.omega0, str):
            _positive("omega0", self.omega0)

    def omega(self, T: float, constants: Mapping[str, float] | None = None) -> float:
        """ω0 at the temperature T (K)."""
        if not isinstance(self.omega0, str):
            return float(self.omega0)
        value = expressions.parse(self.omega0, {**(constants or {}), "T": float(T)}, key="omega0")
        if not isinstance(value, float):
            raise ValueError(f"omega0 must depend on T and constants only: {self.omega0!r}")
        if not value > 0:
            raise SolverError(f"omega0({T:.6g} K) = {value:.6g} rad/s, but it must be positive")
        return value


@dataclass(slots=True, kw_only=True, frozen=True)
class SNInterface:
    """An interface between a reservoir and a rod piece, with conductance kappa_SN
    (W/(m² K)): the heat entering the rod per unit area is κ_SN (T_N − T_s)."""

    name: str
    kappa_SN: float

    def __post_init__(self) -> None:
        _positive("kappa_SN", self.kappa_SN)


@dataclass(slots=True, kw_only=True, frozen=True)
class WeakLink:
    """An interface between two rod pieces with coupling energy E_J (1 − cos Δ) per area.

    Args:
        name: the interface.
        E_J: coupling energy per area (J/m²).
        critical_twist: if given (rad, in (0, π]), a phase slip resets the link's mean phase
            difference to zero whenever its magnitude (taken in (−π, π]) exceeds this.
    """

    name: str
    E_J: float
    critical_twist: float | None = None

    def __post_init__(self) -> None:
        _positive("E_J", self.E_J)
        if self.critical_twist is not None:
            _positive("critical_twist", self.critical_twist)
            if self.critical_twist > np.pi:
                raise ValueError(f"critical_twist must be ≤ π, got {self.critical_twist!r}")


def interface_regions(
    domain: Domain, names: Sequence[str], origin: str
) -> dict[str, tuple[str, str]]:
    """The two regions on either side of each named interior interface."""
    mesh = domain.mesh
    tdim = mesh.topology.dim
    region = domain.cell_region_tags()
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    by_tag = {tag: name for name, tag in domain.regions.items()}
    out = {}
    for name in names:
        if name not in domain.boundaries:
            raise CaseError(origin, f"interfaces.{name}", f"no interface named '{name}'")
        found = set()
        for facet in domain.boundary_facets(name):
            cells = f2c.links(facet)
            if len(cells) == 2:
                found.add(tuple(int(region[c]) for c in cells))
        pairs = {tuple(sorted(p)) for local in domain.comm.allgather(found) for p in local}
        if len(pairs) != 1:
            raise CaseError(
                origin, f"interfaces.{name}", f"'{name}' must separate exactly two regions"
            )
        a, b = next(iter(pairs))  # by tag: a weak link's piece 1 has the smaller region tag
        out[name] = (by_tag[a], by_tag[b])
    return out


def rod_pieces(
    domain: Domain, rods: list[str], links: list[str], contacts: Sequence[str] = ()
) -> list[list[str]]:
    """Group the rod regions into pieces: regions sharing a facet that is not on a weak link.

    Warns (rank 0) where a rod region meets another region across facets that are neither a
    weak link nor one of ``contacts``: no heat crosses there, which is seldom what was meant.
    """
    for region, count in undeclared_contacts(domain, rods, [*links, *contacts]).items():
        if count:
            logger.warning(
                f"rod region '{region}' meets other regions across {count} facets "
                "that are no listed contact or weak link: adiabatic there",
            )
    mesh = domain.mesh
    tdim = mesh.topology.dim
    region = domain.cell_region_tags()
    f2c = mesh.topology.connectivity(tdim - 1, tdim)
    tags = {domain.regions[r]: r for r in rods}
    on_link = np.zeros(mesh.topology.index_map(tdim - 1).size_local, dtype=bool)
    for name in links:
        facets = domain.boundary_facets(name)
        on_link[facets[facets < on_link.size]] = True
    offsets = f2c.offsets
    two = np.flatnonzero((np.diff(offsets)[: on_link.size] == 2) & ~on_link)
    first, second = region[f2c.array[offsets[two]]], region[f2c.array[offsets[two] + 1]]
    keep = (first != second) & np.isin(first, list(tags)) & np.isin(second, list(tags))
    local = {
        tuple(sorted(p)) for p in zip(first[keep].tolist(), second[keep].tolist(), strict=True)
    }
    joins = {p for pairs in domain.comm.allgather(local) for p in pairs}
    parent = {r: r for r in rods}

    def root(r: str) -> str:
        while parent[r] != r:
            r = parent[r]
        return r

    for a, b in joins:
        parent[root(tags[a])] = root(tags[b])
    groups: dict[str, list[str]] = {}
    for r in rods:
        groups.setdefault(root(r), []).append(r)
    return list(groups.values())


def undeclared_contacts(domain: Domain, rods: list[str], declared: list[str]) -> dict[str, int]:
    """Facets where a rod region meets a non-rod region outside the ``declared`` interfaces
    (SN contacts and weak links), counted per rod region over all ranks: no heat crosses them."""
    tdim = domain.mesh.topology.dim
    region = domain.cell_region_tags()
    f2c = domain.mesh.topology.connectivity(tdim - 1, tdim)
    owned = domain.mesh.topology.index_map(tdim - 1).size_local
    listed = np.zeros(owned, dtype=bool)
    for name in declared:
        facets = domain.boundary_facets(name)
        listed[facets[facets < owned]] = True
    offsets = f2c.offsets
    two = np.flatnonzero((np.diff(offsets)[:owned] == 2) & ~listed)
    first, second = region[f2c.array[offsets[two]]], region[f2c.array[offsets[two] + 1]]
    rod_tags = [domain.regions[r] for r in rods]
    counts = {}
    for name in rods:
        tag = domain.regions[name]
        mine = ((first == tag) & ~np.isin(second, rod_tags)) | (
            (second == tag) & ~np.isin(first, rod_tags)
        )
        counts[name] = domain.comm.allreduce(int(mine.sum()), op=MPI.SUM)
    return counts
