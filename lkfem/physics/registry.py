"""The physics lkfem knows, by name. Adding a physics is one subpackage with a
:class:`~lkfem.physics.base.Physics` and one entry here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lkfem.case.keys import Table
from lkfem.physics.base import Physics
from lkfem.physics.domains.physics import DomainsPhysics
from lkfem.physics.fourier.physics import FourierPhysics
from lkfem.physics.lk.physics import LKPhysics
from lkfem.physics.superconductor.physics import SuperconductorPhysics

__all__ = ["PHYSICS", "get", "models", "sections", "schemas", "select"]

PHYSICS: dict[str, Physics] = {
    p.name: p for p in (FourierPhysics(), LKPhysics(), SuperconductorPhysics(), DomainsPhysics())
}


def get(name: str) -> Physics:
    """The physics registered as ``name``."""
    return PHYSICS[name]


def models() -> tuple[str, ...]:
    """The values ``[physics] model`` takes: the physics chosen by name, not by a section."""
    return tuple(name for name, p in PHYSICS.items() if p.section is None)


def sections() -> tuple[str, ...]:
    """The case-file sections that physics own."""
    return tuple(p.section for p in PHYSICS.values() if p.section is not None)


def schemas() -> tuple[Table, ...]:
    """The declarations of the sections physics own (for :mod:`lkfem.case.schema`)."""
    return tuple(p.schema for p in PHYSICS.values() if p.schema is not None)


def select(model: str, data: Mapping[str, Any]) -> Physics:
    """The physics that runs a case: the one whose section the case has, else ``model``'s."""
    for p in PHYSICS.values():
        if p.section is not None and data.get(p.section):  # an empty table is no section
            return p
    return PHYSICS[model]
