"""Case files: a TOML description of a solve, checked entry by entry.

A case names the mesh (a generator from ``lkfem.meshes`` with its parameters, or a mesh file),
the model (steady Fourier, or the Landau–Khalatnikov equations), a material per named region,
conditions on named boundaries, initial conditions and time stepping, solver settings, outputs
and probe points. Every mistake is reported as a :class:`CaseError` naming the file and the key.
See ``docs/case-files.md`` for the full reference.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import generators
from .bcs import BoundaryCondition, Convection, HeatFlux, Temperature
from .cloak import CloakLayout
from .errors import CaseError
from .lk import ELEMENTS
from .materials import LANDAU_KEYS, PHYSICAL_KEYS, Material
from .mesh_import import format_problem
from .sc_case import SuperconductorLayout, parse_superconductor
from .timestepping import SCHEMES, TimeSettings

__all__ = ["Case", "MeshSpec", "load_case", "parse_case"]

_TOP = {
    "title",
    "mesh",
    "physics",
    "constants",
    "materials",
    "boundaries",
    "initial",
    "time",
    "solver",
    "output",
    "probes",
    "cloak",
    "superconductor",
}
MODELS = ("fourier", "lk")


@dataclass(slots=True, kw_only=True, frozen=True)
class MeshSpec:
    """Where the mesh comes from: a generator with parameters, or a file."""

    generator: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    file: Path | None = None


@dataclass(slots=True, kw_only=True, frozen=True)
class Case:
    """A validated case. Build it with :func:`load_case` or :func:`parse_case`.

    ``time`` is None for a steady solve. ``initial_T``/``initial_q`` are numbers or expression
    strings (``initial_q``: None for zero, ``"fourier"``, or one entry per component).
    """

    source: str
    title: str
    mesh: MeshSpec
    model: str
    heat_source: float | str
    materials: Mapping[str, Material]
    boundaries: Mapping[str, BoundaryCondition]
    constants: Mapping[str, float] = field(default_factory=dict)
    initial_T: float | str = 0.0
    initial_q: Any = None
    time: TimeSettings | None = None
    output_every: int = 0
    degree: int = 1
    element: str = "auto"
    linear_solver: str = "auto"
    petsc_options: Mapping[str, Any] = field(default_factory=dict)
    xdmf: bool = True
    png: bool = True
    csv: bool = True
    probes: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    cloak: CloakLayout | None = None
    superconductor: SuperconductorLayout | None = None


def load_case(path: str | os.PathLike) -> Case:
    """Read and check a case file."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise CaseError(source, "", "no such case file") from None
    except IsADirectoryError:
        raise CaseError(source, "", "is a folder, not a case file") from None
    except OSError as exc:
        raise CaseError(source, "", f"cannot be read: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CaseError(source, "", f"is not valid TOML: {exc}") from None
    return parse_case(data, source=source, base=Path(source).resolve().parent)


def parse_case(
    data: Mapping[str, Any], *, source: str = "<python>", base: Path | None = None
) -> Case:
    """Check a case given as a dictionary (the parsed TOML)."""
    r = _Reader(source)
    r.keys(data, "", _TOP)
    mesh = _mesh(r, r.table(data, "mesh", required=True), base or Path.cwd())
    physics = r.table(data, "physics")
    r.keys(physics, "physics", {"model", "source"})
    model = r.choice(physics, "physics", "model", MODELS, default="fourier")
    constants = {}
    for name in r.table(data, "constants"):
        if not name.isidentifier() or name in _RESERVED:
            r.fail(
                f"constants.{name}",
                f"'{name}' cannot name a constant (reserved: {', '.join(sorted(_RESERVED))})",
            )
        constants[name] = r.number(data["constants"], "constants", name, default=0.0)
    solver = r.table(data, "solver")
    r.keys(solver, "solver", {"degree", "element", "linear_solver", "petsc"})
    petsc = r.table(solver, "petsc", prefix="solver")
    for key, value in petsc.items():
        if not isinstance(value, (str, int, float, bool)):
            r.fail(f"solver.petsc.{key}", f"must be a string, number or boolean, got {value!r}")
    output = r.table(data, "output")
    r.keys(output, "output", {"xdmf", "png", "csv", "every"})
    probes = {}
    for name, point in r.table(data, "probes").items():
        if (
            not isinstance(point, list)
            or len(point) not in (2, 3)
            or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in point)
        ):
            r.fail(f"probes.{name}", f"must be a point [x, y, z], got {point!r}")
        probes[name] = tuple(float(c) for c in point)
    materials = _materials(r, r.table(data, "materials", required=True))
    time = _time(r, r.table(data, "time"))
    initial = r.table(data, "initial")
    r.keys(initial, "initial", {"T", "q"})
    superconductor = parse_superconductor(
        r, data, model=model, materials=materials, constants=constants
    )
    if model == "fourier":
        for key, value in (("time", time), ("initial", initial or None)):
            if value is not None:
                r.fail(key, 'the fourier model is steady; use model = "lk" for transients')
        for region, material in materials.items():
            if (
                material.is_landau
                or material.tau != 0.0
                or material.has_gradient_terms()
                or material.b != 0.0
                or material.c != 0.0
            ):
                r.fail(
                    f"materials.{region}",
                    'tau, ell, b, c and the Landau form need model = "lk" in [physics]',
                )
    cloak = _cloak(r, r.table(data, "cloak"), materials) if "cloak" in data else None
    if cloak is not None and time is not None:
        r.fail("cloak", "cloak metrics compare steady fields; remove [time] or [cloak]")
    q0 = initial.get("q")
    if (
        q0 is not None
        and q0 != "fourier"
        and not (
            isinstance(q0, list)
            and all(isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in q0)
        )
    ):
        r.fail("initial.q", f'must be "fourier" or a list of numbers/expressions, got {q0!r}')
    return Case(
        source=source,
        title=r.string(data, "", "title", default=mesh.generator or str(mesh.file)),
        mesh=mesh,
        model=model,
        heat_source=r.value(physics, "physics", "source", default=0.0),
        materials=materials,
        boundaries=_boundaries(r, r.table(data, "boundaries")),
        constants=constants,
        initial_T=r.value(initial, "initial", "T", default=0.0),
        initial_q=q0,
        time=time,
        output_every=r.integer(output, "output", "every", default=0, low=0, high=10**9),
        degree=r.integer(solver, "solver", "degree", default=1, low=1, high=3),
        element=r.choice(solver, "solver", "element", ELEMENTS, default="auto"),
        linear_solver=r.choice(
            solver, "solver", "linear_solver", ("auto", "direct", "iterative"), default="auto"
        ),
        petsc_options=dict(petsc),
        xdmf=r.boolean(output, "output", "xdmf", default=True),
        png=r.boolean(output, "output", "png", default=True),
        csv=r.boolean(output, "output", "csv", default=True),
        probes=probes,
        cloak=cloak,
        superconductor=superconductor,
    )


_RESERVED = {"x", "y", "z", "r", "rho", "t", "T", "pi", "e"}
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


def _time(r: _Reader, table: Mapping[str, Any]) -> TimeSettings | None:
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


def _mesh(r: _Reader, table: Mapping[str, Any], base: Path) -> MeshSpec:
    r.keys(table, "mesh", {"generator", "parameters", "file"})
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
        return MeshSpec(file=path)
    name = r.string(table, "mesh", "generator")
    params = dict(r.table(table, "parameters", prefix="mesh"))
    problem = generators.check(name, params)
    if problem:
        key, message = problem
        r.fail(f"mesh.{key}" if key else "mesh.generator", message)
    return MeshSpec(generator=name, parameters=params)


def _cloak(r: _Reader, table: Mapping[str, Any], materials: Mapping[str, Material]) -> CloakLayout:
    r.keys(table, "cloak", {"object", "layers", "background", "outside"})
    names = {}
    for key in ("object", "layers", "outside"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            r.fail(f"cloak.{key}", f"must be a list of region names, got {value!r}")
        for region in value:
            if region not in materials:
                r.fail(f"cloak.{key}", f"'{region}' has no [materials.{region}]")
        names[key] = tuple(value)
    background = r.string(table, "cloak", "background")
    if background not in materials:
        r.fail("cloak.background", f"'{background}' has no [materials.{background}]")
    try:
        return CloakLayout(background=background, **names)
    except ValueError as exc:
        r.fail("cloak", str(exc))
        raise  # unreachable: fail raises


def _materials(r: _Reader, table: Mapping[str, Any]) -> dict[str, Material]:
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


def _boundaries(r: _Reader, table: Mapping[str, Any]) -> dict[str, BoundaryCondition]:
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


class _Reader:
    """Typed look-ups in nested tables that fail with the file and the dotted key."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, problem: str) -> None:
        raise CaseError(self.source, key, problem)

    def keys(self, table: Mapping[str, Any], key: str, allowed: set[str]) -> None:
        for name in table:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                self.fail(where, f"unknown key '{name}' (allowed: {', '.join(sorted(allowed))})")

    def table(
        self, data: Mapping[str, Any], name: str, *, required: bool = False, prefix: str = ""
    ) -> Mapping[str, Any]:
        key = f"{prefix}.{name}" if prefix else name
        if name not in data:
            if required:
                self.fail(key, "missing section")
            return {}
        value = data[name]
        if not isinstance(value, Mapping):
            self.fail(key, f"must be a table, got {value!r}")
        return value

    def _get(self, table: Mapping[str, Any], key: str, name: str, default: Any) -> Any:
        if name in table:
            return table[name]
        if default is _REQUIRED:
            self.fail(f"{key}.{name}" if key else name, "missing")
        return default

    def string(self, table: Mapping[str, Any], key: str, name: str, default: Any = None) -> str:
        value = self._get(table, key, name, _REQUIRED if default is None else default)
        if not isinstance(value, str):
            self.fail(f"{key}.{name}" if key else name, f"must be a string, got {value!r}")
        return value

    def choice(
        self,
        table: Mapping[str, Any],
        key: str,
        name: str,
        options: tuple[str, ...],
        default: Any = None,
    ) -> str:
        value = self.string(table, key, name, default)
        if value not in options:
            self.fail(f"{key}.{name}", f"unknown value '{value}' (one of: {', '.join(options)})")
        return value

    def value(self, table: Mapping[str, Any], key: str, name: str, default: float) -> float | str:
        """A number or an expression string."""
        value = self._get(table, key, name, default)
        if isinstance(value, str):
            return value
        return self.number(table, key, name, default)

    def number(self, table: Mapping[str, Any], key: str, name: str, default: float) -> float:
        value = self._get(table, key, name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"{key}.{name}", f"must be a number, got {value!r}")
        return float(value)

    def integer(
        self, table: Mapping[str, Any], key: str, name: str, default: int, low: int, high: int
    ) -> int:
        value = self._get(table, key, name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"{key}.{name}", f"must be an integer from {low} to {high}, got {value!r}")
        return int(value)

    def boolean(self, table: Mapping[str, Any], key: str, name: str, default: bool) -> bool:
        value = self._get(table, key, name, default)
        if not isinstance(value, bool):
            self.fail(f"{key}.{name}", f"must be true or false, got {value!r}")
        return value


_REQUIRED = object()
