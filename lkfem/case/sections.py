"""The sections every case shares: where the mesh comes from, materials by region, conditions
on named boundaries and the time stepping (docs/case-files.md). A physics or a study adds its
own section through the registry (:mod:`lkfem.physics.registry`, :mod:`lkfem.studies`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lkfem.case.reader import Reader
from lkfem.case.spec import MeshSpec
from lkfem.core.bcs import BoundaryCondition, Convection, HeatFlux, Temperature
from lkfem.core.materials import LANDAU_KEYS, PHYSICAL_KEYS, Material
from lkfem.mesh import generators
from lkfem.mesh.importer import format_problem
from lkfem.stepping import SCHEMES, TimeSettings

__all__ = ["RESERVED", "parse_mesh", "parse_materials", "parse_boundaries", "parse_time"]


RESERVED = {"x", "y", "z", "r", "rho", "t", "T", "pi", "e"}
_TIME_KEYS = {
    "t_end",
    "dt",
    "scheme",
    "adaptive",
    "dt_min",
    "dt_max",
    "milestones",
    "steady_tol",
    "grow_below",
    "shrink_above",
    "growth",
    "shrink",
}


def parse_time(r: Reader, table: Mapping[str, Any]) -> TimeSettings | None:
    if not table:
        return None
    r.keys(table, "time", _TIME_KEYS)
    for key in ("t_end", "dt"):
        if key not in table:
            r.fail(f"time.{key}", "missing")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key == "scheme":
            values[key] = r.choice(table, "time", key, SCHEMES)
        elif key == "adaptive":
            values[key] = r.boolean(table, "time", key, default=False)
        elif key == "milestones":
            if not isinstance(value, list) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
            ):
                r.fail("time.milestones", f"must be a list of times, got {value!r}")
            values[key] = tuple(float(v) for v in value)
        elif key in ("grow_below", "shrink_above"):
            values[key] = r.integer(table, "time", key, default=0, low=1, high=1000)
        else:
            values[key] = r.number(table, "time", key, default=0.0)
    try:
        return TimeSettings(**values)
    except ValueError as exc:
        r.fail("time", str(exc))
        raise  # unreachable: fail raises


def parse_mesh(r: Reader, table: Mapping[str, Any], base: Path) -> MeshSpec:
    r.keys(table, "mesh", {"generator", "parameters", "file", "scale", "max_cells"})
    scale = None
    if "scale" in table:
        scale = r.number(table, "mesh", "scale", default=1.0)
        if not scale > 0:
            r.fail("mesh.scale", f"must be a positive number (0.001 for mm), got {scale!r}")
    max_cells = None
    if "max_cells" in table:
        max_cells = r.integer(table, "mesh", "max_cells", default=1, low=1, high=10**12)
    if ("generator" in table) == ("file" in table):
        r.fail("mesh", "give exactly one of 'generator' (with 'parameters') or 'file'")
    if "file" in table:
        if "parameters" in table:
            r.fail("mesh.parameters", "parameters go with a generator, not with a mesh file")
        path = Path(r.string(table, "mesh", "file"))
        path = path if path.is_absolute() else base / path
        if not path.is_file():
            r.fail("mesh.file", f"no such mesh file: {path}")
        problem = format_problem(path)
        if problem:
            r.fail("mesh.file", problem)
        return MeshSpec(file=path, scale=scale, max_cells=max_cells)
    name = r.string(table, "mesh", "generator")
    params = dict(r.table(table, "parameters", prefix="mesh"))
    problem = generators.check(name, params)
    if problem:
        key, message = problem
        r.fail(f"mesh.{key}" if key else "mesh.generator", message)
    return MeshSpec(generator=name, parameters=params, scale=scale, max_cells=max_cells)


def parse_materials(r: Reader, table: Mapping[str, Any]) -> dict[str, Material]:
    materials = {}
    if not table:
        r.fail("materials", "give a material for each region, e.g. [materials.matrix] k = 1.0")
    allowed = set(PHYSICAL_KEYS) | set(LANDAU_KEYS)
    for region, entry in table.items():
        key = f"materials.{region}"
        if not isinstance(entry, Mapping):
            r.fail(key, f"must be a table such as {{ k = 1.0 }}, got {entry!r}")
        r.keys(entry, key, allowed)
        if "k" not in entry and "a" not in entry:
            r.fail(key, "missing 'k' (thermal conductivity, W/(m K)) or, in Landau form, 'a'")
        try:
            materials[region] = Material.from_case(entry)
        except (TypeError, ValueError) as exc:
            r.fail(key, str(exc))
    return materials


_BC_TYPES: dict[str, tuple[type, set[str], set[str]]] = {  # class, required, optional keys
    "temperature": (Temperature, {"value"}, set()),
    "heat_flux": (HeatFlux, {"value"}, {"slip"}),
    "adiabatic": (HeatFlux, set(), {"slip"}),
    "convection": (Convection, {"h", "T_inf"}, {"slip"}),
}


def parse_boundaries(r: Reader, table: Mapping[str, Any]) -> dict[str, BoundaryCondition]:
    bcs = {}
    for name, entry in table.items():
        key = f"boundaries.{name}"
        if not isinstance(entry, Mapping):
            r.fail(
                key,
                f'must be a table such as {{ type = "temperature", value = 1.0 }}, got {entry!r}',
            )
        kind = r.choice(entry, key, "type", tuple(_BC_TYPES))
        cls, fields, optional = _BC_TYPES[kind]
        r.keys(entry, key, fields | optional | {"type"})
        missing = sorted(fields - set(entry))
        if missing:
            r.fail(key, f"a {kind} condition needs {', '.join(repr(m) for m in missing)}")
        try:
            bcs[name] = cls(**{k: v for k, v in entry.items() if k != "type"})
        except (TypeError, ValueError) as exc:
            r.fail(key, str(exc))
    return bcs
