"""The registry of parametric geometries in :mod:`lkfem.meshes` (the ``meshes/`` folder).

Each geometry module defines ``populate(model, *, param=default, ...)``, which fills a gmsh model
with named regions and boundaries and meshes it on one rank, and ``build(comm, rank, **params)``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Mapping
from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain
from lkfem.mesh.checks import estimate_cells, guard_size
from lkfem.mesh.gmsh import from_gmsh

__all__ = ["available", "parameters", "unit", "describe", "check", "build"]


def available() -> list[str]:
    """Names of the geometry generators."""
    import lkfem.meshes as meshes

    return sorted(
        m.name for m in pkgutil.iter_modules(meshes.__path__) if not m.name.startswith("_")
    )


def _module(name: str) -> Any:
    return importlib.import_module(f"lkfem.meshes.{name}")


def parameters(name: str) -> dict[str, Any]:
    """The parameters of generator ``name`` with their defaults."""
    signature = inspect.signature(_module(name).populate)
    return {p.name: p.default for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY}


#: The numeric parameters that are not lengths (counts, fractions, a seed); every other number
#: of a generator is a length or a mesh size in m.
_DIMENSIONLESS = frozenset({"nx", "ny", "nz", "count", "fraction", "seed", "link_position"})


def unit(name: str, key: str) -> str:
    """The unit of parameter ``key`` of generator ``name``: "m" for a length (or a list of
    lengths), "" for a count, a fraction, a flag, a choice or names."""
    default = parameters(name)[key]
    annotation = str(inspect.signature(_module(name).populate).parameters[key].annotation)
    if key in _DIMENSIONLESS or isinstance(default, (bool, str)) or "str" in annotation:
        return ""
    return "m"


def describe(name: str) -> str:
    """One line: the generator and its parameters with their defaults and units
    (``h_interface=auto m``: derived from the others when not given)."""

    def shown(key: str, value: Any) -> str:
        text = "auto" if value is None else f"{value!r}"
        return f"{key}={text}" + (f" {unit(name, key)}" if unit(name, key) else "")

    return f"{name}: " + ", ".join(shown(k, v) for k, v in parameters(name).items())


def check(name: str, params: Mapping[str, Any]) -> tuple[str, str] | None:
    """Return ``(key, problem)`` if ``params`` do not fit generator ``name``, else None."""
    names = available()
    if name not in names:
        return "generator", f"unknown generator '{name}' (available: {', '.join(names)})"
    defaults = parameters(name)
    kinds = {
        p.name: p.annotation for p in inspect.signature(_module(name).populate).parameters.values()
    }
    for key, value in params.items():
        if key not in defaults:
            return (
                f"parameters.{key}",
                f"unknown parameter '{key}' of generator '{name}' "
                f"(parameters: {', '.join(sorted(defaults))})",
            )
        problem = _type_problem(value, defaults[key], str(kinds.get(key, "")))
        if problem:
            return f"parameters.{key}", problem
    return None


def _type_problem(value: Any, default: Any, annotation: str = "") -> str | None:
    def number(x: Any) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    if annotation.replace(" ", "") in ("list[str]", "list[str]|None"):
        ok = isinstance(value, list) and all(isinstance(v, str) and v for v in value)
        want = "a list of names"
    elif isinstance(default, bool):
        ok = isinstance(value, bool)
        want = "true or false"
    elif number(default):
        ok = number(value)
        want = "a number"
    elif isinstance(default, (list, tuple)):
        ok = isinstance(value, list) and all(number(v) for v in value)
        want = "a list of numbers"
    elif isinstance(default, str):
        ok = isinstance(value, str)
        want = "a string"
    else:  # None: a number or a list of numbers
        ok = number(value) or (isinstance(value, list) and all(number(v) for v in value))
        want = "a number or a list of numbers"
    return None if ok else f"must be {want}, got {value!r}"


def build(
    name: str,
    params: Mapping[str, Any] | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
    rank: int = 0,
    *,
    scale: float | None = None,
    max_cells: int | None = None,
) -> Domain:
    """Build generator ``name`` with ``params`` on ``rank`` and distribute it over ``comm``.

    Before gmsh meshes, the cells are estimated from the bounding box and the size ``h``; above
    ``max_cells`` (None: :data:`lkfem.mesh.checks.DEFAULT_MAX_CELLS`) the build is refused at
    once. ``scale`` multiplies the coordinates (see :func:`lkfem.mesh.gmsh.from_gmsh`).
    """
    populate = _module(name).populate
    h = {**parameters(name), **(params or {})}.get("h")

    def guard(model: Any) -> None:
        if not isinstance(h, (int, float)) or isinstance(h, bool) or not h > 0:
            return
        box = model.getBoundingBox(-1, -1)
        dim = max(model.getDimension(), 1)
        measure = 1.0
        for axis in range(dim):
            measure *= max(box[axis + 3] - box[axis], 0.0)
        guard_size(name, estimate_cells(measure, float(h), dim), max_cells, estimated=True)

    return from_gmsh(
        lambda model: populate(_Guarded(model, guard), **(params or {})),
        comm,
        rank,
        label=name,
        scale=scale,
        max_cells=max_cells,
    )


class _GuardedMesh:
    """``model.mesh`` whose ``generate`` first checks the estimated number of cells."""

    def __init__(self, model: Any, guard: Any):
        self._model, self._guard = model, guard

    def generate(self, dim: int = 3) -> None:
        self._guard(self._model)
        self._model.mesh.generate(dim)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model.mesh, name)


class _Guarded:
    """A gmsh model whose mesher refuses a mesh above the cell limit before it starts."""

    def __init__(self, model: Any, guard: Any):
        self._model = model
        self.mesh = _GuardedMesh(model, guard)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)
