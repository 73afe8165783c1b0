"""The parsers of the sections every case shares: the mesh, materials by region, conditions on
named boundaries and the time stepping (the others are read in :mod:`lkfem.case.load`). Their
keys, kinds, defaults and ranges are declared in :mod:`lkfem.case.common`, checked by the
schema before these run (:mod:`lkfem.case.schema`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lkfem.case.common import BC_TYPES, FORMATS, MATERIAL, MESH, OUTPUT, TIME
from lkfem.case.reader import Reader
from lkfem.case.spec import MeshSpec
from lkfem.core.bcs import BoundaryCondition
from lkfem.core.materials import Material
from lkfem.mesh import generators
from lkfem.mesh.importer import format_problem
from lkfem.stepping import TimeSettings

__all__ = ["parse_mesh", "parse_materials", "parse_boundaries", "parse_time", "parse_formats"]


def parse_time(r: Reader, table: Mapping[str, Any]) -> TimeSettings | None:
    """``[time]`` as :class:`~lkfem.stepping.TimeSettings` (None: a steady solve). Each key
    given is read as :data:`TIME` declares it and passed on by name: a new key is an entry in
    TIME and a field of TimeSettings."""
    if not table:
        return None
    r.keys(table, "time", TIME.names())
    values: dict[str, Any] = {}
    for key in table:
        value = r.read(table, "time", TIME[key])  # type: ignore[arg-type]
        values[key] = tuple(float(v) for v in value) if isinstance(value, list) else value
    try:
        return TimeSettings(**values)
    except ValueError as exc:
        r.fail("time", str(exc))
        raise  # unreachable: fail raises


def parse_mesh(r: Reader, table: Mapping[str, Any], base: Path) -> MeshSpec:
    r.keys(table, "mesh", MESH.names())
    scale = r.read(table, "mesh", MESH["scale"]) if "scale" in table else None
    max_cells = r.read(table, "mesh", MESH["max_cells"]) if "max_cells" in table else None
    periodic = tuple((str(a), str(b)) for a, b in r.read(table, "mesh", MESH["periodic"]))
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
        return MeshSpec(file=path, scale=scale, max_cells=max_cells, periodic=periodic)
    name = r.string(table, "mesh", "generator")
    params = dict(r.table(table, "parameters", prefix="mesh"))
    problem = generators.check(name, params)
    if problem:
        key, message = problem
        r.fail(f"mesh.{key}" if key else "mesh.generator", message)
    return MeshSpec(
        generator=name,
        parameters=params,
        scale=scale,
        max_cells=max_cells,
        periodic=periodic,
    )


def parse_materials(r: Reader, table: Mapping[str, Any]) -> dict[str, Material]:
    materials = {}
    if not table:
        r.fail("materials", "give a material for each region, e.g. [materials.matrix] k = 1.0")
    allowed = MATERIAL.names()
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


def parse_boundaries(r: Reader, table: Mapping[str, Any]) -> dict[str, BoundaryCondition]:
    bcs = {}
    for name, entry in table.items():
        key = f"boundaries.{name}"
        if not isinstance(entry, Mapping):
            r.fail(
                key,
                f'must be a table such as {{ type = "temperature", value = 1.0 }}, got {entry!r}',
            )
        kind = r.choice(entry, key, "type", tuple(BC_TYPES))
        cls, fields, optional = BC_TYPES[kind]
        r.keys(entry, key, fields | optional | {"type"})
        missing = sorted(fields - set(entry))
        if missing:
            r.fail(key, f"a {kind} condition needs {', '.join(repr(m) for m in missing)}")
        try:
            bcs[name] = cls(**{k: v for k, v in entry.items() if k != "type"})
        except (TypeError, ValueError) as exc:
            r.fail(key, str(exc))
    return bcs


def parse_formats(r: Reader, table: Mapping[str, Any]) -> tuple[str, ...]:
    """``[output] formats`` (default: all of :data:`~lkfem.case.common.FORMATS`, each once);
    ``xdmf = false`` drops XDMF from the default."""
    if "formats" not in table:
        xdmf = r.read(table, "output", OUTPUT["xdmf"])
        return tuple(f for f in FORMATS if xdmf or f != "xdmf")
    if "xdmf" in table:
        r.fail("output.xdmf", "give either 'xdmf' or 'formats', not both")
    return tuple(dict.fromkeys(r.read(table, "output", OUTPUT["formats"])))
