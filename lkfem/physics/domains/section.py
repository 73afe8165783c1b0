"""The ``[domains]`` section of a case file: the variant, the medium's temperature (a bath or a
sweep), the initial state of q and the checks of the step, read key by key
(docs/case-files.md is generated from :data:`SCHEMA`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lkfem.case.keys import Key, Table

if TYPE_CHECKING:
    from lkfem.case.reader import Reader
    from lkfem.core.materials import Material

__all__ = [
    "SCHEMA",
    "VARIANTS",
    "INITIAL_KINDS",
    "VORTEX_AXES",
    "InitialState",
    "DomainsSettings",
    "parse",
]

_SECTION = "domains"
VARIANTS = ("relax", "coupled", "conserved")
INITIAL_KINDS = ("random", "noise", "ordered", "uniform")
VORTEX_AXES = ("cell", "x", "y", "z")
_POSITIVE = {"minimum": 0.0, "exclusive": True}

_NOTES = (
    'Thermal domains (MODEL.md §2; docs/theory.md, "Thermal domains"): the LK flux equation '
    "with a < 0 in the ordered regions, stepped by a convex splitting that never lets the free "
    "energy rise. The regions take `[materials.REGION]` in the Landau form (`a`, `b`, `c`, "
    "`lambda`, `lambda_d`, `Gamma`, `zeta`, `C`), where `a` may be an expression of `T` and `t` "
    '(`a = "2*(T - 1)"`: a(T) = a0 (T − Tc); `a = "-1*(t > 0.5) + 0.5*(t <= 0.5)"`: a '
    "quench).\n"
    "\n"
    "```toml\n"
    "[domains]\n"
    'variant = "relax"          # relax (q alone), coupled (q and T), conserved (div q = 0)\n'
    'T = "1.5 - 0.01*t"         # the medium\'s temperature for relax/conserved (a sweep)\n'
    "[domains.initial]\n"
    'kind = "noise"             # noise, random, ordered or uniform\n'
    "seed = 7\n"
    "amplitude = 0.05\n"
    "correlation_length = 0.2\n"
    "[domains.fixed.left]       # q fixed on a boundary (others are free)\n"
    "q = [0.0, -1.0]\n"
    "```\n"
    "\n"
    "`timeseries.csv` holds per step the free energy and its parts (`free_energy_W_K`, "
    "`gradient_energy_W_K`, `landau_energy_W_K`, `coupling_energy_W_K`), `mean_abs_q_W_m2`, "
    "`energy_rise_rel` (the step's rise of the functional the scheme decreases, relative to "
    "|F|: round-off), `mean_T_K`, the order parameter's entropy `order_entropy_W` "
    "(−∂F/∂T), the heat it has absorbed `order_heat_W_K` (Σ T ΔS) and the effective heat "
    "capacity `order_heat_capacity_W_K` (T ΔS/ΔT), and the step's `krylov_iterations` (beside "
    "`newton_iterations`), then the vortex and structure columns (`vortices`, `antivortices`, "
    "`vortex_density_1_m2` or the 3D line length, `domain_size_m`): every step, or with "
    "`diagnostics_every = N` only on the initial row, every N-th step, the steps whose fields "
    'are written and t_end, NaN on the others; `summary.json` reports under `"domains"` '
    "`max_energy_rise_rel` "
    "and, for sweeps, the latent heat."
)

#: the ``[domains]`` section
SCHEMA = Table(
    _SECTION,
    "thermal domains in the ordered phase (a < 0): relaxation, coupled to T, or conserved "
    '(docs/theory.md, "Thermal domains")',
    notes=_NOTES,
    keys=(
        Key(
            "variant",
            "string",
            "relax: q alone (ζ = 0); coupled: q and T with C ∂T/∂t + ∇·q = Q; conserved: "
            "∇·q = 0 by a Lagrange multiplier",
            default="relax",
            choices=VARIANTS,
        ),
        Key(
            "T",
            "value",
            "the medium's temperature for `relax` and `conserved` (a bath or a sweep: an "
            "expression of x, y, z, t); the coupled variant solves for T",
            unit="K",
            default_text="[initial] T",
        ),
        Key(
            "energy_tol",
            "number",
            "a step whose free energy (at frozen coefficients) would rise by more than this "
            "times |F| is cut",
            default=1e-9,
            **_POSITIVE,
        ),
        Key(
            "max_change",
            "number",
            "with an adaptive Δt: a step changing q by more than this times max|q| is cut",
            default=0.25,
            **_POSITIVE,
        ),
        Key(
            "steady_dt",
            "number",
            "the first pseudo-time step of a steady solve (no [time]), which marches with an "
            "adaptive Δt until q stops changing",
            unit="s",
            default=0.1,
            **_POSITIVE,
        ),
        Key(
            "steady_tol",
            "number",
            "a steady solve stops when ‖Δq‖∞/(Δt ‖q‖∞) falls below this",
            unit="1/s",
            default=1e-8,
            **_POSITIVE,
        ),
        Key(
            "steady_steps",
            "integer",
            "the most pseudo-time steps of a steady solve",
            default=5000,
            minimum=1,
        ),
        Key(
            "vortex_axis",
            "string",
            "3D vortex lines: cell winds q's angle in each cell's own plane (the plane its q "
            "values span; no axis), x/y/z the phase of the components of q normal to that axis "
            '(docs/theory.md, "Vortex lines in 3D")',
            default="cell",
            choices=VORTEX_AXES,
        ),
        Key(
            "diagnostics_every",
            "integer",
            "vortices, structure factor and |q| histogram every this many steps (and at the "
            "initial state, the steps whose fields are written and t_end); their columns are "
            "NaN on the other steps, while F, its parts and the energy check are every step",
            default=1,
            minimum=1,
        ),
        Table(
            "initial",
            "the initial q (the coupled variant's T from [initial] T)",
            keys=(
                Key(
                    "kind",
                    "string",
                    "random: a sum of `modes` random Fourier modes (the same on any number of "
                    "ranks; costs modes × points); noise: white noise from a hash of the seed "
                    "and the coordinates, smoothed over `correlation_length` by one Helmholtz "
                    "solve (O(points), the same on any number of ranks); "
                    "ordered: |q| at the Landau minimum along `direction` (0 where a ≥ 0); "
                    "uniform: `q`",
                    default="random",
                    choices=INITIAL_KINDS,
                ),
                Key("seed", "integer", "the random or noise state's seed", default=0, minimum=0),
                Key(
                    "amplitude",
                    "number",
                    "the random or noise state's r.m.s. per component",
                    unit="W/m²",
                    default=0.01,
                    minimum=0.0,
                ),
                Key(
                    "correlation_length",
                    "number",
                    "the random state's correlation length (wave vectors ~ 1/length); the noise "
                    "state's smoothing length ℓ in (−ℓ²Δ + 1) q = noise",
                    unit="m",
                    default=0.1,
                    **_POSITIVE,
                ),
                Key(
                    "modes",
                    "integer",
                    "the random state's number of Fourier modes",
                    default=64,
                    minimum=1,
                    maximum=4096,
                ),
                Key(
                    "direction",
                    "vector",
                    "the ordered state's direction (one number per dimension)",
                    default_text="e_x",
                ),
                Key(
                    "q",
                    "vector",
                    "the uniform state (numbers or expressions of x, y, z)",
                    unit="W/m²",
                    default_text="0",
                ),
            ),
        ),
        Table(
            "fixed",
            "q fixed on named boundaries (the others are free: no condition on q)",
            each=Table(
                "NAME",
                "a boundary where q is fixed",
                keys=(
                    Key(
                        "q",
                        "vector",
                        "q there (numbers or expressions of x, y, z, t)",
                        unit="W/m²",
                        required=True,
                    ),
                ),
            ),
        ),
    ),
)


@dataclass(slots=True, frozen=True)
class InitialState:
    """The initial q: ``kind`` with its parameters."""

    kind: str = "random"
    seed: int = 0
    amplitude: float = 0.01
    correlation_length: float = 0.1
    modes: int = 64
    direction: tuple[float, ...] | None = None
    q: tuple[Any, ...] | None = None


@dataclass(slots=True, frozen=True)
class DomainsSettings:
    """The ``[domains]`` section of a case."""

    variant: str = "relax"
    T: float | str | None = None
    energy_tol: float = 1e-9
    max_change: float = 0.25
    steady_dt: float = 0.1
    steady_tol: float = 1e-8
    steady_steps: int = 5000
    vortex_axis: str = "cell"
    diagnostics_every: int = 1
    initial: InitialState = field(default_factory=InitialState)
    fixed: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)


def parse(r: Reader, data: Mapping[str, Any], materials: Mapping[str, Material]) -> DomainsSettings:
    """Check ``[domains]`` and what it needs of the rest of the case ``data``."""
    table = r.table(data, _SECTION)
    r.keys(table, _SECTION, SCHEMA.names())
    values = {
        k.name: r.read(table, _SECTION, k)
        for k in SCHEMA.keys
        if isinstance(k, Key) and k.name != "T"
    }
    bath = r.value(table, _SECTION, "T", default=0.0) if "T" in table else None
    if values["variant"] == "coupled" and bath is not None:
        r.fail(f"{_SECTION}.T", "the coupled variant solves for T: give [initial] T instead")
    for region, material in materials.items():
        key = f"materials.{region}"
        if not material.is_landau:
            r.fail(key, "thermal domains take the Landau form (a, b, c, lambda, Gamma, …), not k")
        if isinstance(material.a, tuple):
            r.fail(f"{key}.a", "thermal domains take a scalar a (not a tensor)")
        gamma = material.Gamma
        if not isinstance(gamma, str) and gamma <= 0:
            r.fail(f"{key}.Gamma", f"must be positive for thermal domains, got {gamma!r}")
    time = data.get("time")
    if isinstance(time, Mapping) and time.get("scheme") == "bdf2":
        r.fail(
            "time.scheme",
            "thermal domains step with the first-order convex splitting (energy stable): use "
            '"backward_euler" or leave scheme out',
        )
    init_table = r.table(table, "initial", prefix=_SECTION)
    init_decl = SCHEMA["initial"]
    assert isinstance(init_decl, Table)
    r.keys(init_table, f"{_SECTION}.initial", init_decl.names())
    init = {
        k.name: r.read(init_table, f"{_SECTION}.initial", k)
        for k in init_decl.keys
        if isinstance(k, Key) and k.name not in ("direction", "q")
    }
    direction = _vector(r, init_table, f"{_SECTION}.initial", "direction", numbers=True)
    q0 = _vector(r, init_table, f"{_SECTION}.initial", "q")
    if init["kind"] == "uniform" and q0 is None:
        r.fail(f"{_SECTION}.initial.q", "a uniform initial state needs q")
    fixed = {}
    for name, entry in r.table(table, "fixed", prefix=_SECTION).items():
        key = f"{_SECTION}.fixed.{name}"
        if not isinstance(entry, Mapping):
            r.fail(key, f"must be a table, got {entry!r}")
        r.keys(entry, key, {"q"})
        value = _vector(r, entry, key, "q")
        if value is None:
            r.fail(f"{key}.q", "missing")
        fixed[name] = value
    return DomainsSettings(
        **values,
        T=bath,
        initial=InitialState(**init, direction=direction, q=q0),
        fixed=fixed,
    )


def _vector(
    r: Reader, table: Mapping[str, Any], key: str, name: str, *, numbers: bool = False
) -> tuple[Any, ...] | None:
    """A list of numbers (or expressions) under ``name``, or None."""
    if name not in table:
        return None
    value = table[name]
    if not isinstance(value, list) or not value:
        r.fail(f"{key}.{name}", f"must be a list of numbers or expressions, got {value!r}")
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            r.fail(f"{key}.{name}", f"must be a list of numbers or expressions, got {value!r}")
        if numbers and isinstance(v, str):
            r.fail(f"{key}.{name}", f"must be a list of numbers, got {value!r}")
    return tuple(float(v) if not isinstance(v, str) else v for v in value)
