"""The sections every case shares: where the mesh comes from, the physics, constants,
materials by region, conditions on named boundaries, the initial state, the time stepping, the
solver, the outputs and the probes. Each section is declared here (:class:`~lkfem.case.keys.Table`:
every key with its kind, default, unit, range and meaning) beside its parser; a physics or a
study adds its own section through its registry (:mod:`lkfem.case.schema`). Adding a key is one
entry in its table here (and the code that uses its value)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lkfem.case.keys import Key, Table
from lkfem.case.reader import Reader
from lkfem.case.spec import MeshSpec
from lkfem.core.bcs import SLIP_KINDS, BoundaryCondition, Convection, HeatFlux, Temperature
from lkfem.core.materials import Material
from lkfem.mesh import generators
from lkfem.mesh.importer import format_problem
from lkfem.stepping import SCHEMES, TimeSettings

__all__ = [
    "RESERVED",
    "COMMON",
    "parse_mesh",
    "parse_materials",
    "parse_boundaries",
    "parse_time",
]


RESERVED = {"x", "y", "z", "r", "rho", "t", "T", "pi", "e"}

MESH = Table(
    "mesh",
    "where the mesh comes from: exactly one of `generator` (with `parameters`) or `file`",
    required=True,
    keys=(
        Key("generator", "string", "a geometry of `lkfem.meshes` (`lkfem generators` lists them)"),
        Key("file", "string", "a mesh file with named or tagged regions; see Mesh files below"),
        Table(
            "parameters",
            "the generator's parameters (lengths and mesh sizes `h` in m); unknown parameters "
            "and wrong types are errors",
            open=True,
        ),
    ),
    notes="The generators, their parameters and the names of their regions and boundaries "
    "are listed in docs/geometries.md (and by `lkfem generators`); `lkfem mesh NAME --param "
    "value … --out FILE.msh` writes one to a file for gmsh and ParaView.",
)

PHYSICS = Table(
    "physics",
    "the model and the heat source",
    keys=(
        Key(
            "model",
            "string",
            "`fourier`: steady −∇·(k∇T) = Q, scalar T only; `lk`: the Landau–Khalatnikov "
            "equations for (q, T), steady or transient (docs/theory.md)",
            default="fourier",
        ),  # choices: the registry's models (lkfem.case.schema)
        Key("source", "value", "volumetric heat source Q", default=0.0, unit="W/m³"),
    ),
)

CONSTANTS = Table(
    "constants",
    "names usable in every expression (not " + ", ".join(sorted(RESERVED)) + ")",
    each=Key("NAME", "number", "a constant"),
)

_POSITIVE = {"minimum": 0.0, "exclusive": True}
MATERIAL = Table(
    "REGION",
    "a material",
    keys=(
        Key(
            "k",
            "tensor",
            "thermal conductivity (physical form); a tensor must be symmetric positive definite",
            unit="W/(m K)",
            **_POSITIVE,
        ),
        Key(
            "tau",
            "value",
            "relaxation time τ (physical form, `lk`)",
            default=0.0,
            unit="s",
            minimum=0.0,
        ),
        Key(
            "ell",
            "value",
            "non-local length ℓ (physical form, `lk`; isotropic k only)",
            default=0.0,
            unit="m",
            minimum=0.0,
        ),
        Key(
            "ell_d",
            "value",
            "length of the ∇∇·q term (physical form, `lk`)",
            default=0.0,
            unit="m",
            minimum=0.0,
        ),
        Key("C", "value", "volumetric heat capacity", default=1.0, unit="J/(m³ K)", **_POSITIVE),
        Key(
            "b",
            "value",
            "nonlinear Landau coefficient of b|q|²q (`lk`; b < 0 needs c > 0)",
            default=0.0,
        ),
        Key(
            "c", "value", "nonlinear Landau coefficient of c|q|⁴q (`lk`)", default=0.0, minimum=0.0
        ),
        Key(
            "a",
            "tensor",
            "coefficient of q (Landau form, `lk`); a < 0: the ordered phase",
            unit="m K/W",
        ),
        Key("lambda", "value", "gradient coefficient λ (Landau form)", default=0.0, minimum=0.0),
        Key(
            "lambda_d", "value", "gradient coefficient λ_d (Landau form)", default=0.0, minimum=0.0
        ),
        Key("zeta", "value", "coupling to ∇T (Landau form), ≠ 0", default=1.0),
        Key("Gamma", "value", "kinetic coefficient Γ (Landau form)", default=0.0, minimum=0.0),
    ),
)
MATERIALS = Table(
    "materials",
    "a material per named region of the mesh",
    required=True,
    each=MATERIAL,
    each_name="REGION",
    notes="Every named region of the mesh needs a material, and every material must name a "
    "region. Give either the physical form (`k`, `tau`, `ell`, `ell_d`) or the Landau form "
    "(`a`, `lambda`, `lambda_d`, `zeta`, `Gamma`; docs/theory.md relates them); `b`, `c` and "
    "`C` go with both. Any value may be an expression; `k` and `a` may also be 3×3 tensors "
    "`[[..], [..], [..]]`.",
)

_BC_TYPES: dict[str, tuple[type, set[str], set[str]]] = {  # class, required, optional keys
    "temperature": (Temperature, {"value"}, set()),
    "heat_flux": (HeatFlux, {"value"}, {"slip"}),
    "adiabatic": (HeatFlux, set(), {"slip"}),
    "convection": (Convection, {"h", "T_inf"}, {"slip"}),
}
BOUNDARY = Table(
    "NAME",
    "a condition",
    keys=(
        Key("type", "string", "the kind of condition", choices=tuple(_BC_TYPES), required=True),
        Key("value", "value", "T (`temperature`, K) or q·n (`heat_flux`, W/m²)"),
        Key(
            "h", "number", "heat transfer coefficient (`convection`)", unit="W/(m² K)", minimum=0.0
        ),
        Key("T_inf", "value", "ambient temperature (`convection`)", unit="K"),
        Key(
            "slip",
            "string",
            "tangential flux where ℓ > 0: `free` (no tangential stress) or "
            "`no_slip` (tangential flux zero)",
            default="free",
            choices=SLIP_KINDS,
        ),
    ),
)
BOUNDARIES = Table(
    "boundaries",
    "conditions on named exterior boundaries; boundaries not listed are adiabatic",
    each=BOUNDARY,
    notes="`q·n` is the outward normal heat flux (positive: heat leaving). Values may be "
    "expressions of x and t. A steady solve needs at least one `temperature` or `convection` "
    "boundary.\n\n| `type` | keys | condition |\n| --- | --- | --- |\n"
    + "\n".join(
        f"| `{kind}` | {', '.join(f'`{k}`' for k in sorted(req) + sorted(opt)) or '—'} | {cond} |"
        for (kind, (_, req, opt)), cond in zip(
            _BC_TYPES.items(),
            ("T = value", "q·n = value", "q·n = 0", "q·n = h (T − T_inf)"),
            strict=True,
        )
    ),
)

INITIAL = Table(
    "initial",
    "the initial state (`lk` model, transient)",
    keys=(
        Key(
            "T",
            "value",
            "initial temperature, a number or an expression of x",
            default=0.0,
            unit="K",
        ),
        Key("q", "vector", 'initial flux; `"fourier"` is −K∇T₀', default_text="zero", unit="W/m²"),
    ),
)

TIME = Table(
    "time",
    "time stepping (`lk` model); absent: a steady solve",
    keys=(
        Key("t_end", "number", "final time", unit="s", required=True, **_POSITIVE),
        Key("dt", "number", "(initial) time step", unit="s", required=True, **_POSITIVE),
        Key("scheme", "string", "time scheme", default="bdf2", choices=SCHEMES),
        Key("adaptive", "boolean", "Δt follows Newton's iteration count", default=False),
        Key("dt_min", "number", "smallest adaptive Δt", default=0.0, unit="s", minimum=0.0),
        Key("dt_max", "number", "largest adaptive Δt", default_text="∞", unit="s", minimum=0.0),
        Key(
            "grow_below",
            "integer",
            "Newton iterations under which Δt grows",
            default=3,
            minimum=1,
            maximum=1000,
        ),
        Key(
            "shrink_above",
            "integer",
            "Newton iterations over which Δt shrinks",
            default=6,
            minimum=1,
            maximum=1000,
        ),
        Key(
            "growth", "number", "factor by which Δt grows", default=1.2, minimum=1.0, exclusive=True
        ),
        Key(
            "shrink",
            "number",
            "factor by which Δt shrinks",
            default=0.5,
            minimum=0.0,
            maximum=1.0,
            exclusive=True,
        ),
        Key(
            "milestones",
            "times",
            "times a step must land on (fields are written there)",
            default=[],
            unit="s",
        ),
        Key(
            "steady_tol",
            "number",
            "stop when ‖uⁿ⁺¹ − uⁿ‖∞/(Δt‖uⁿ⁺¹‖∞) is below it",
            unit="1/s",
            minimum=0.0,
        ),
    ),
)

SOLVER = Table(
    "solver",
    "discretisation and linear algebra",
    keys=(
        Key(
            "degree",
            "integer",
            "polynomial degree k of T (docs/theory.md for q's)",
            default=1,
            minimum=1,
            maximum=3,
        ),
        Key("element", "string", "`lk` model: the mixed element", default="auto"),
        # choices: the LK model's elements (lkfem.case.schema)
        Key(
            "linear_solver",
            "string",
            "`lk` model: `direct` (LU), `iterative` "
            "(block-preconditioned FGMRES), `auto` (direct up to 20 000 unknowns)",
            default="auto",
            choices=("auto", "direct", "iterative"),
        ),
        Table(
            "petsc",
            "PETSc options (without the leading `-`), merged over the default",
            each=Key("OPTION", "option", "a PETSc option"),
            each_name="OPTION",
            notes="The default is conjugate gradients with BoomerAMG (or GAMG where PETSc has "
            'no hypre), `ksp_rtol = 1e-12`. For example `ksp_type = "preonly"` and '
            '`pc_type = "lu"` for a direct solve of a small case, or `ksp_monitor = ""` '
            "to watch the iterations. For the `lk` model the options go to PETSc SNES and its "
            "linear solver (`snes_rtol`, `snes_max_it`, `ksp_rtol`, …).",
        ),
    ),
)

OUTPUT = Table(
    "output",
    "what the results folder receives",
    keys=(
        Key(
            "xdmf",
            "boolean",
            "`fields.xdmf`/`fields.h5`: T, q (and k for `fourier`) and the "
            "region tags; for transients a time series",
            default=True,
        ),
        Key(
            "png",
            "boolean",
            "`T.png`: T on the mesh cut open at mid-plane (needs pyvista)",
            default=True,
        ),
        Key(
            "csv",
            "boolean",
            "`timeseries.csv` (transients): t, Δt, iterations, energies, "
            "energy balance, heat flows through every boundary and interface",
            default=True,
        ),
        Key(
            "every",
            "integer",
            "write fields every this many steps (0: only milestones and the end)",
            default=0,
            minimum=0,
        ),
    ),
)

PROBES = Table(
    "probes",
    "points where T and q go into `summary.json`",
    each=Key("NAME", "point", "a point inside the mesh", unit="m"),
    notes="A point on a face, edge or vertex of the mesh gets the mean of q over the cells "
    "that share it, so serial and parallel runs agree. A point outside the mesh is an error.",
)

#: the top level of every case, in the order of the reference page; physics and studies add
#: their sections (lkfem.case.schema)
COMMON = Table(
    "",
    "an lkfem case file",
    keys=(
        Key(
            "title",
            "string",
            "shown in the log, the summary and the picture",
            default_text="the generator or file name",
        ),
        MESH,
        PHYSICS,
        CONSTANTS,
        MATERIALS,
        BOUNDARIES,
        INITIAL,
        TIME,
        SOLVER,
        OUTPUT,
        PROBES,
    ),
)


def parse_time(r: Reader, table: Mapping[str, Any]) -> TimeSettings | None:
    if not table:
        return None
    r.keys(table, "time", TIME.names())
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
    r.keys(table, "mesh", MESH.names())
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
