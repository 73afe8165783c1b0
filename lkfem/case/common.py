"""The declarations of the sections every case shares (docs/case-files.md is generated from
them): where the mesh comes from, the physics, constants, materials by region, conditions on
named boundaries, the initial state, the time stepping, the solver, the outputs and the probes.
Each :class:`~lkfem.case.keys.Key` has its kind, default, unit, range and meaning; the parsers
(:mod:`lkfem.case.sections`, :mod:`lkfem.case.load`) take their key lists and defaults from
here, and :mod:`lkfem.case.schema` adds the sections physics and studies declare.

Adding a key is one entry in its table here (and the code that uses its value), then
``python3 -m lkfem.case.schema --markdown --json``.
"""

from __future__ import annotations

from lkfem.case.keys import Key, Table
from lkfem.core.bcs import SLIP_KINDS, Convection, HeatFlux, Temperature
from lkfem.stepping import SCHEMES

__all__ = [
    "RESERVED",
    "BC_TYPES",
    "COMMON",
    "MESH",
    "PHYSICS",
    "CONSTANTS",
    "MATERIAL",
    "MATERIALS",
    "BOUNDARY",
    "BOUNDARIES",
    "INITIAL",
    "TIME",
    "SOLVER",
    "OUTPUT",
    "PROBES",
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
        Key(
            "scale",
            "number",
            "multiplies the mesh's coordinates (0.001 for a part drawn in mm); a mesh more than "
            "20 m across gets a warning suggesting it",
            default=1.0,
            minimum=0.0,
            exclusive=True,
        ),
        Key(
            "max_cells",
            "integer",
            "the largest mesh allowed (estimated before meshing a generator, counted before a "
            "file is distributed); `lkfem run --max-cells` overrides it",
            default=3_000_000,
            minimum=1,
        ),
        Key(
            "periodic",
            "pairs",
            "periodic boundaries: in each pair `[source, image]` the boundary `image` is a "
            "translate of `source` and the fields on it take the values on `source` (e.g. "
            '`[["left", "right"], ["bottom", "top"]]`); the translation is found from the mesh '
            "and checked; both must be flat; needs a physics that supports them",
            default=[],
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
#: The field formats of ``[output] formats`` (lkfem/output/formats.py), all written by default.
FORMATS = ("xdmf", "vtx", "vtu")
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

BC_TYPES: dict[str, tuple[type, set[str], set[str]]] = {  # class, required, optional keys
    "temperature": (Temperature, {"value"}, set()),
    "heat_flux": (HeatFlux, {"value"}, {"slip"}),
    "adiabatic": (HeatFlux, set(), {"slip"}),
    "convection": (Convection, {"h", "T_inf"}, {"slip"}),
}
BOUNDARY = Table(
    "NAME",
    "a condition",
    keys=(
        Key("type", "string", "the kind of condition", choices=tuple(BC_TYPES), required=True),
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
            BC_TYPES.items(),
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
        Key(
            "q",
            "vector",
            'initial flux; `"fourier"` is −K∇T₀ (K at T₀), the L2 projection of the exact '
            "gradient of the `T` expression",
            default_text="zero",
            unit="W/m²",
        ),
    ),
)

TIME = Table(
    "time",
    "time stepping (`lk` model); absent: a steady solve",
    keys=(
        Key(
            "t_end",
            "number",
            "final time",
            unit="s",
            required=True,
            infinite=True,
            **_POSITIVE,
        ),
        Key("dt", "number", "(initial) time step", unit="s", required=True, **_POSITIVE),
        Key(
            "scheme",
            "string",
            "time scheme; for Maxwell–Cattaneo steps and pulses `backward_euler` with "
            "c Δt/h ≈ 0.1–0.2 keeps fronts monotone where BDF2 rings (docs/theory.md, Fronts)",
            default="bdf2",
            choices=SCHEMES,
        ),
        Key("adaptive", "boolean", "Δt follows Newton's iteration count", default=False),
        Key("dt_min", "number", "smallest adaptive Δt", default=0.0, unit="s", minimum=0.0),
        Key(
            "dt_max",
            "number",
            "largest adaptive Δt",
            default_text="∞",
            unit="s",
            minimum=0.0,
            infinite=True,
        ),
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
        Key(
            "max_steps",
            "integer",
            "stop (resumably, with a checkpoint) after this many steps of one invocation",
            default_text="no limit",
            minimum=1,
        ),
        Key(
            "max_wall_minutes",
            "number",
            "stop (resumably, with a checkpoint) after this much wall time; "
            "`lkfem run --max-wall` overrides it",
            default_text="no limit",
            unit="min",
            **_POSITIVE,
        ),
        Key(
            "max_cutbacks",
            "integer",
            "failed Newton attempts in a row (Δt cut back each time, also with a fixed Δt) "
            "before the run gives up",
            default=6,
            minimum=0,
            maximum=50,
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
            "(block-preconditioned FGMRES), `auto` (direct up to 20 000 unknowns); "
            "`[domains]` relax variant: `iterative` is CG + Jacobi, `auto` the same above "
            "20 000 unknowns (the coupled and conserved variants are direct)",
            default="auto",
            choices=("auto", "direct", "iterative"),
        ),
        Key(
            "quadrature_degree",
            "integer",
            "`lk` model, `[superconductor]` reservoirs and `[domains]`: quadrature degree of "
            "every integral. By default 2 (k + 1) + 2, and on affine cells the exact degree of "
            "the volume terms where that is smaller, with number coefficients: `[domains]` 4 "
            "for q in P1 without `c`; `lk` and reservoirs with `b` = `c` = 0, 2 (k + 1) for "
            "Taylor–Hood (14 points per tetrahedron instead of 24) and 2 k for `primal` and "
            "`hdiv` (sources and boundary terms keep the general rule; docs/theory.md)",
            default_text="automatic",
            minimum=1,
            maximum=30,
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
            "formats",
            "strings",
            "the field files: `xdmf` (`fields.xdmf` + `.h5`: ParaView), `vtx` (`fields.bp`, "
            "ADIOS2: the fields at the solver's own degree), `vtu` (`fields.pvd` + `fields/`: "
            "what pyvista and meshio read back); `[]`: none",
            default=list(FORMATS),
            choices=FORMATS,
        ),
        Key(
            "xdmf",
            "boolean",
            "`false` drops `fields.xdmf` from the default formats (not with `formats`)",
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
        Key(
            "checkpoint_every",
            "integer",
            "transients: write a checkpoint every this many steps (0: not by count)",
            default=0,
            minimum=0,
        ),
        Key(
            "checkpoint_minutes",
            "number",
            "transients: write a checkpoint every this many minutes of wall time (0: not by time)",
            default=15.0,
            unit="min",
            minimum=0.0,
        ),
        Key(
            "checkpoint_keep",
            "integer",
            "how many of the latest checkpoints to keep",
            default=2,
            minimum=1,
            maximum=1000,
        ),
    ),
)

PROBES = Table(
    "probes",
    "points where T and q go into `summary.json` (`probes.NAME`: `x_m`, `T_K`, `q_W_m2`) and, "
    "for a transient, into `timeseries.csv` at every step",
    each=Key("NAME", "point", "a point inside the mesh", unit="m"),
    notes="A transient's `timeseries.csv` has the columns `T_K:NAME`, `qx_W_m2:NAME`, "
    "`qy_W_m2:NAME`, `qz_W_m2:NAME`; its last row holds the summary's values. A point on a "
    "face, edge or vertex of the mesh gets the mean of q over the cells that share it, so serial "
    "and parallel runs agree. A point outside the mesh is an error, found before anything is "
    "solved.",
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
