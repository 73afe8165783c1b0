"""The case schema is the single source of the checks, the parsers' key lists, the reference
page and the editors' JSON Schema: every key a parser accepts is declared and every declared
key is accepted; a bad value is one line naming the dotted key; the generated files are
current."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path

import pytest

import lkfem as lk
from lkfem.case import schema
from lkfem.case.common import BC_TYPES, MATERIAL, SOLVER, TIME
from lkfem.case.keys import Table
from lkfem.case.reader import Reader
from lkfem.case.reference import page
from lkfem.core.materials import LANDAU_KEYS, PHYSICAL_KEYS
from lkfem.stepping import TimeSettings

from .test_cli_lk import CASE

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "lkfem" / "cases").glob("*.toml"))

# Together with the shipped cases, these use every key the schema declares.
MAXIMAL_LK = """
title = "every common key"
[mesh]
generator = "layered_slab"
[mesh.parameters]
thickness = [0.5, 0.5]
h = 0.15
[physics]
model = "lk"
source = "Q0*(t < 0.1)"
[constants]
Q0 = 1.0
[materials.layer0]
k = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
tau = 0.01
ell = 0.0
ell_d = 0.0
C = 2.0
b = 0.0
c = 0.0
[materials.layer1]
a = 1.0
b = 0.0
c = 0.0
lambda = 0.0
lambda_d = 0.0
zeta = 1.0
Gamma = 0.1
C = 1.0
[boundaries.left]
type = "temperature"
value = 1.0
[boundaries.right]
type = "convection"
h = 2.0
T_inf = 0.0
slip = "free"
[boundaries.top]
type = "heat_flux"
value = 0.0
[boundaries.bottom]
type = "adiabatic"
[initial]
T = "x"
q = "fourier"
[time]
t_end = 1.0
dt = 0.1
scheme = "backward_euler"
adaptive = true
dt_min = 0.01
dt_max = 0.5
grow_below = 2
shrink_above = 5
growth = 1.5
shrink = 0.5
milestones = [0.5]
steady_tol = 1e-6
max_steps = 100
max_wall_minutes = 60.0
max_cutbacks = 4
[solver]
degree = 1
element = "taylor_hood"
linear_solver = "direct"
[solver.petsc]
snes_rtol = 1e-9
[output]
xdmf = false
png = false
csv = false
every = 2
checkpoint_every = 10
checkpoint_minutes = 5.0
checkpoint_keep = 3
[probes]
middle = [0.5, 0.1, 0.1]
"""

MAXIMAL_SC = """
[mesh]
generator = "split_rod"
[physics]
model = "lk"
[materials.reservoir_left]
k = 1.0
[materials.reservoir_right]
k = 1.0
[superconductor.rods.rod_left]
kappa = 1.0
omega0 = 2.0
C = 1.0
[superconductor.rods.rod_right]
kappa = 1.0
omega0 = 1.0
[superconductor.contacts.contact_left]
kappa_SN = 1.0
[superconductor.links.weak_link]
E_J = 0.1
critical_twist = 3.0
[superconductor.initial]
Ts = { rod_left = 1.0 }
phase = { rod_left = 0.5 }
"""

MAXIMAL_DOMAINS = """
[mesh]
generator = "layered_slab"
[materials.layer0]
a = "2*(T - 1)"
b = 1.0
lambda = 0.01
Gamma = 1.0
[materials.layer1]
a = -1.0
b = 1.0
Gamma = 1.0
[solver]
quadrature_degree = 6
[domains]
variant = "relax"
T = "1.5 - 0.1*t"
energy_tol = 1e-8
max_change = 0.2
steady_dt = 0.01
steady_tol = 1e-6
steady_steps = 100
vortex_axis = "z"
diagnostics_every = 5
[domains.initial]
kind = "ordered"
seed = 2
amplitude = 0.1
correlation_length = 0.2
modes = 16
direction = [1.0, 0.0, 0.0]
q = [0.0, 0.0, 0.0]
[domains.fixed.left]
q = [1.0, 0.0, 0.0]
"""

MAXIMAL_FILE_AND_CLOAK = """
[mesh]
file = "m.msh"
scale = 0.001
max_cells = 1000000
periodic = [["left", "right"]]
[materials.background]
k = 1.0
[materials.object]
k = 2.0
[materials.layer]
k = 3.0
[cloak]
object = ["object"]
layers = ["layer"]
background = "background"
outside = ["background"]
[output]
formats = ["vtu", "xdmf"]
"""


def _paths(data: Mapping, decl: Table, prefix: str = "") -> set[str]:
    """The dotted paths of ``data`` as the schema names them (``*`` for an entry's name)."""
    out = set()
    for name, value in data.items():
        child = decl.child(name)
        part = "*" if child is decl.each and decl.each is not None else name
        path = f"{prefix}.{part}" if prefix else part
        out.add(path)
        if isinstance(child, Table) and not child.open and isinstance(value, Mapping):
            out |= _paths(value, child, path)
    return out


def _maximal(tmp_path: Path) -> list[dict]:
    (tmp_path / "m.msh").write_text("")
    return [
        tomllib.loads(t) for t in (MAXIMAL_LK, MAXIMAL_SC, MAXIMAL_DOMAINS, MAXIMAL_FILE_AND_CLOAK)
    ]


def test_every_declared_key_is_accepted_and_every_accepted_key_declared(tmp_path, monkeypatch):
    root = schema.root()
    seen: dict[str, set[str]] = {}
    keys = Reader.keys

    def recording(self, table, key, allowed):  # the allowed sets the parsers check with
        seen[key] = set(allowed)
        return keys(self, table, key, allowed)

    monkeypatch.setattr(Reader, "keys", recording)
    used = set()
    for data in _maximal(tmp_path) + [tomllib.loads(p.read_text()) for p in CASES]:
        lk.parse_case(data, source="case.toml", base=tmp_path)
        used |= _paths(data, root)
    declared = root.paths()
    assert used == declared, (sorted(declared - used), sorted(used - declared))
    assert root.count() >= 55
    for key, allowed in seen.items():  # each parser's list is the schema's, or a part of it
        decl = root
        for part in key.split(".") if key else []:
            decl = decl.child(part)
        assert isinstance(decl, Table) and allowed <= decl.names(), key
        assert allowed == decl.names() or key.startswith("boundaries."), key
    assert {"", "mesh", "time", "solver", "superconductor", "cloak"} <= set(seen)


def test_declarations_match_the_code_they_feed():
    assert MATERIAL.names() == set(PHYSICAL_KEYS) | set(LANDAU_KEYS)
    boundary = schema.root()["boundaries"].each
    assert boundary.names() == {"type"}.union(*(r | o for _, r, o in BC_TYPES.values()))
    assert TIME.names() == {f.name for f in dataclasses.fields(TimeSettings)}
    defaults = TimeSettings(t_end=1.0, dt=0.1)
    for key in TIME.keys:
        if key.default is not None:
            assert getattr(defaults, key.name) == pytest.approx(key.default), key.name
    case = lk.parse_case({"mesh": {"generator": "layered_slab"}, "materials": {"a": {"k": 1}}})
    assert case.degree == SOLVER["degree"].default and case.element == SOLVER["element"].default


@pytest.mark.parametrize(
    "edit, expected",
    [
        (("[materials.layer0]\nk = 1.0", "[materials.layer0]\nk = true"),
         "[materials.layer0.k]: must be a number, an expression or a 3×3 (2×2 on a 2D"),
        (("k = 1.0", "k = -1.0"), "[materials.layer0.k]: must be > 0, got -1.0"),
        (("dt = 0.01", "dtt = 0.01"),
         "[time.dtt]: unknown key 'dtt' (did you mean 'dt'? allowed: adaptive,"),
        (("dt = 0.01", "dt = 0.01\nt_ned = 1"), "[time.t_ned]: unknown key 't_ned' (did you "
         "mean 't_end'?"),
        (("t_end = 0.2\n", ""), "[time]: missing 't_end' (final time, s)"),
        (('scheme = "bdf2"', 'scheme = "rk4"'),
         '[time.scheme]: unknown value "rk4" (one of: backward_euler, bdf2)'),
        (("[output]", "[output]\ndegree = 2"), "[output.degree]: unknown key 'degree'"),
        (("every = 5", "every = -1"), "[output.every]: must be ≥ 0, got -1"),
        (("every = 5", "every = 2.5"), "[output.every]: must be an integer, got 2.5"),
        (("every = 5", "every = 2.0"), "[output.every]: must be an integer, got 2.0"),
        (("dt = 0.01", "dt = nan"), "[time.dt]: must be a finite number, got nan"),
        (("Q0 = 100.0", "Q0 = inf"), "[constants.Q0]: must be a finite number, got inf"),
        (("t_end = 0.2", "t_end = -inf"), "[time.t_end]: must be a finite number, got -inf"),
        (("[0.5, 0.05, 0.05]", '[0.5, 0.05, "x"]'),
         '[probes.middle]: must be a point [x, y, z] ([x, y] on a 2D mesh, [x] on a 1D'),
        (('T = "T0"', 'T = "T0"\nq = "curl"'),
         '[initial.q]: must be "fourier" or a list of numbers/expressions, got "curl"'),
        (("[materials.layer0]", "[materails.layer0]"), "[materails]: unknown key 'materails' "
         "(did you mean 'materials'?"),
        (('type = "convection"', 'type = "robin"'), '[boundaries.right.type]: unknown value '
         '"robin" (one of: temperature, heat_flux, adiabatic, convection)'),
        (("Q0 = 100.0", 'Q0 = "big"'), '[constants.Q0]: must be a number, got "big"'),
        (('model = "lk"', 'model = "maxwell"'), '[physics.model]: unknown value "maxwell" '
         "(one of: fourier, lk)"),
    ],
)  # fmt: skip
def test_a_bad_value_is_one_line_with_the_dotted_key(edit, expected):
    old, new = edit
    assert old in CASE
    with pytest.raises(lk.CaseError) as info:
        lk.parse_case(tomllib.loads(CASE.replace(old, new, 1)), source="case.toml")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"case.toml: {expected}"), message


def test_only_declared_keys_may_be_infinite():
    """JSON Schema's "number" takes inf and NaN: only `[time] t_end` (the run then needs
    max_steps or max_wall_minutes) and `dt_max` (its default) may be inf."""
    case = lk.parse_case(
        tomllib.loads(CASE.replace("t_end = 0.2", "t_end = inf\nmax_steps = 3")), source="c"
    )
    assert case.time.t_end == float("inf") and case.time.max_steps == 3
    document = schema.json_schema()
    assert document["properties"]["time"]["properties"]["t_end"]["x-lkfem-infinite"] is True
    case = lk.parse_case(tomllib.loads(CASE.replace("dt = 0.01", "dt = 0.01\ndt_max = inf")))
    assert case.time.dt_max == float("inf")
    with pytest.raises(lk.CaseError, match=r"\[time.dt_min\]: must be a finite number, got inf"):
        lk.parse_case(tomllib.loads(CASE.replace("dt = 0.01", "dt = 0.01\ndt_min = inf")))


def test_sections_of_physics_and_studies_are_checked_too():
    sc = MAXIMAL_SC.replace("kappa = 1.0\nomega0 = 2.0", 'kappa = "stiff"\nomega0 = 2.0')
    with pytest.raises(lk.CaseError, match=r"\[superconductor.rods.rod_left.kappa\]: must be a "):
        lk.parse_case(tomllib.loads(sc))
    cloak = MAXIMAL_FILE_AND_CLOAK.replace('object = ["object"]', 'object = "object"')
    with pytest.raises(lk.CaseError, match=r"\[cloak.object\]: must be a list of region names"):
        lk.parse_case(tomllib.loads(cloak))
    with pytest.raises(lk.CaseError, match=r"\[mesh\]: missing section"):
        lk.parse_case({"materials": {"a": {"k": 1.0}}})


def test_generated_files_are_current():
    """docs/case-files.md and docs/lkfem-case.schema.json are what the schema writes:
    regenerate them with `python3 -m lkfem.case.schema --markdown --json`."""
    assert (ROOT / "docs" / "case-files.md").read_text(encoding="utf-8") == page(schema.root())
    text = (ROOT / "docs" / "lkfem-case.schema.json").read_text(encoding="utf-8")
    assert text == schema.json_text()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_the_editors_schema_accepts_the_shipped_cases_and_spots_a_typo(path):
    from jsonschema import Draft202012Validator

    document = json.loads((ROOT / "docs" / "lkfem-case.schema.json").read_text())
    Draft202012Validator.check_schema(document)
    validator = Draft202012Validator(document)
    data = tomllib.loads(path.read_text())
    assert list(validator.iter_errors(data)) == []
    data["mesh"]["generatr"] = "box"
    assert [e.validator for e in validator.iter_errors(data)] == ["additionalProperties"]


def test_a_new_key_is_one_declaration():
    """What another section's key needs: a declaration gives the check, the message, the
    default and the page's row (here a list of choices and a bounded integer)."""
    from jsonschema import Draft202012Validator

    from lkfem.case.keys import Key, check

    table = Table(
        "",
        "a case",
        keys=(
            Table(
                "output",
                "outputs",
                keys=(
                    Key("formats", "strings", "field formats", default=["xdmf"],
                        choices=("xdmf", "vtx")),
                    Key("checkpoint_keep", "integer", "checkpoints kept", default=2, minimum=1),
                ),
            ),
        ),
    )  # fmt: skip
    validator = Draft202012Validator(table.json())
    check(table, validator, {"output": {"formats": ["vtx"], "checkpoint_keep": 3}}, "c.toml")
    for data, expected in [
        ({"formats": ["xdmf", "vtk"]}, '[output.formats]: unknown value "vtk" (one of: xdmf, vtx)'),
        ({"formats": "vtx"}, '[output.formats]: must be a list of: "xdmf", "vtx", got "vtx"'),
        ({"checkpoint_keep": 0}, "[output.checkpoint_keep]: must be ≥ 1, got 0"),
        ({"checkpoint_kept": 1}, "unknown key 'checkpoint_kept' (did you mean 'checkpoint_keep'?"),
    ]:
        with pytest.raises(lk.CaseError) as info:
            check(table, validator, {"output": data}, "c.toml")
        assert expected in str(info.value), str(info.value)
    assert Reader("c.toml").read({}, "output", table["output"]["checkpoint_keep"]) == 2
    assert '| `formats` | list of `xdmf`, `vtx` | `["xdmf"]` |' in page(table)
