"""A validated case: the common settings every physics reads, and the sections that a physics
or a study owns (``sections``, by section name; e.g. ``case.sections["superconductor"]``, also
readable as ``case.superconductor``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lkfem.core.bcs import BoundaryCondition
from lkfem.core.materials import Material
from lkfem.stepping import TimeSettings

__all__ = ["Case", "MeshSpec", "Checkpointing", "SECTIONS"]

#: the sections physics and studies own (filled by :mod:`lkfem.case.load` from the registries):
#: ``case.NAME`` is None for one of these that a case does not have
SECTIONS: set[str] = set()


@dataclass(slots=True, kw_only=True, frozen=True)
class MeshSpec:
    """Where the mesh comes from: a generator with parameters, or a file; ``scale`` multiplies
    the coordinates (None: 1, with a warning for a part that looks drawn in mm), ``max_cells``
    bounds the cells (None: the default limit); ``periodic`` lists the periodic pairs
    ``(source, image)`` of named boundaries."""

    generator: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    file: Path | None = None
    scale: float | None = None
    max_cells: int | None = None
    periodic: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True, kw_only=True, frozen=True)
class Checkpointing:
    """When a transient run writes checkpoints: every ``every`` steps (0: not by count) and
    every ``minutes`` of wall time (0: not by time), keeping the last ``keep``."""

    every: int = 0
    minutes: float = 15.0
    keep: int = 2


@dataclass(slots=True, kw_only=True, frozen=True)
class Case:
    """A validated case. Build it with :func:`lkfem.load_case` or :func:`lkfem.parse_case`.

    ``model`` is the value of ``[physics] model``; ``physics`` the registered physics that runs
    the case (the model, or the physics whose section the case has). ``time`` is None for a
    steady solve. ``initial_T``/``initial_q`` are numbers or expression strings
    (``initial_q``: None for zero, ``"fourier"``, or one entry per component).
    """

    source: str
    title: str
    mesh: MeshSpec
    model: str
    physics: str
    heat_source: float | str
    materials: Mapping[str, Material]
    boundaries: Mapping[str, BoundaryCondition]
    constants: Mapping[str, float] = field(default_factory=dict)
    initial_T: float | str = 0.0
    initial_q: Any = None
    time: TimeSettings | None = None
    output_every: int = 0
    checkpoints: Checkpointing = field(default_factory=Checkpointing)
    degree: int = 1
    element: str = "auto"
    linear_solver: str = "auto"
    quadrature_degree: int | None = None
    petsc_options: Mapping[str, Any] = field(default_factory=dict)
    xdmf: bool = True
    formats: tuple[str, ...] = ("xdmf", "vtx", "vtu")
    png: bool = True
    csv: bool = True
    probes: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    sections: Mapping[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        """A physics' or a study's section by its name (``case.cloak``; None when absent)."""
        sections = object.__getattribute__(self, "sections")
        if name in sections:
            return sections[name]
        if name in SECTIONS:
            return None
        raise AttributeError(f"Case has no attribute or section {name!r}")
