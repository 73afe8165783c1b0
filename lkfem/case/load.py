"""Case files: a TOML description of a solve, checked entry by entry.

A case names the mesh (a generator from ``lkfem.meshes`` with its parameters, or a mesh file),
the model, a material per named region, conditions on named boundaries, initial conditions and
time stepping, solver settings, outputs and probe points; a physics (``[superconductor]``) or a
study (``[cloak]``) adds its own section through its registry. Every mistake is reported as a
:class:`CaseError` naming the file and the key. See ``docs/case-files.md`` for the reference.
"""

from __future__ import annotations

import codecs
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lkfem.case import schema
from lkfem.case.common import INITIAL, OUTPUT, RESERVED, SOLVER
from lkfem.case.reader import Reader
from lkfem.case.sections import (
    parse_boundaries,
    parse_formats,
    parse_materials,
    parse_mesh,
    parse_time,
)
from lkfem.case.spec import SECTIONS, Case, Checkpointing
from lkfem.errors import CaseError
from lkfem.physics import registry
from lkfem.solvers.options import check_options
from lkfem.studies import registry as studies

__all__ = ["load_case", "parse_case", "shipped_case", "shipped_cases"]

#: the case files packaged with lkfem (``lkfem/cases/NAME.toml``)
SHIPPED = Path(__file__).resolve().parents[1] / "cases"

SECTIONS.update(registry.sections(), studies.sections())


def shipped_cases() -> list[str]:
    """The names of the case files packaged with lkfem (``lk.shipped_case(name)`` finds one)."""
    return sorted(p.stem for p in SHIPPED.glob("*.toml"))


def shipped_case(name: str) -> Path:
    """The path of the packaged case ``lkfem/cases/NAME.toml``: a template that demos, tests
    and benchmarks read with :func:`load_case` and their own ``changes``."""
    path = SHIPPED / f"{name.removesuffix('.toml')}.toml"
    if not path.is_file():
        raise CaseError(
            name, "", f"no shipped case of that name (shipped: {', '.join(shipped_cases())})"
        )
    return path


def load_case(path: str | os.PathLike, changes: Mapping[str, Any] | None = None) -> Case:
    """Read and check a case file (UTF-8, with or without a byte-order mark).

    Args:
        path: the case file, e.g. ``lk.shipped_case("domains_coarsening_2d")``.
        changes: values by dotted key (``{"mesh.parameters.h": 0.1, "time.t_end": 3.0}``) put
            into the file's tables before the check, so a template serves several sizes; a key
            the file lacks is added, and None removes one. The check then names a wrong key or
            value as if the file held it.
    """
    source = os.fspath(path)
    try:
        with open(source, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise CaseError(source, "", "no such case file") from None
    except IsADirectoryError:
        raise CaseError(source, "", "is a folder, not a case file") from None
    except OSError as exc:
        raise CaseError(source, "", f"cannot be read: {exc.strerror}") from None
    data = _parse_toml(source, raw)
    for key, value in (changes or {}).items():
        _change(data, key, value, source)
    return parse_case(data, source=source, base=Path(source).resolve().parent)


def _change(data: dict[str, Any], key: str, value: Any, source: str) -> None:
    """Set (or, for None, remove) the dotted ``key`` of ``data``, making missing tables."""
    *tables, last = key.split(".")
    node = data
    for i, name in enumerate(tables):
        node = node.setdefault(name, {})
        if not isinstance(node, dict):
            raise CaseError(source, ".".join(tables[: i + 1]), f"is not a table: cannot set {key}")
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value


def _parse_toml(source: str, raw: bytes) -> dict[str, Any]:
    """The TOML document in ``raw``; every failure is a one-line :class:`CaseError`."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)):
        raise CaseError(source, "", "is UTF-16 or UTF-32 text: save it as UTF-8")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows editors) is dropped
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseError(
            source,
            "",
            f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}): save it as UTF-8",
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(source, "", f"is not valid TOML: {exc}") from None
    except RecursionError:
        raise CaseError(source, "", "is not valid TOML: arrays or tables nested too deep") from None


def parse_case(
    data: Mapping[str, Any], *, source: str = "<python>", base: Path | None = None
) -> Case:
    """Check a case given as a dictionary (the parsed TOML): against the schema
    (:mod:`lkfem.case.schema`: kinds, ranges, unknown keys), then section by section."""
    schema.validate(data, source)
    top = schema.root()
    r = Reader(source)
    r.keys(data, "", top.names())
    mesh = parse_mesh(r, r.table(data, "mesh", required=True), base or Path.cwd())
    physics = r.table(data, "physics")
    r.keys(physics, "physics", top["physics"].names())
    model = r.read(physics, "physics", top["physics"]["model"])
    constants = {}
    for name in r.table(data, "constants"):
        if not name.isidentifier() or name in RESERVED:
            r.fail(
                f"constants.{name}",
                f"'{name}' cannot name a constant (reserved: {', '.join(sorted(RESERVED))})",
            )
        constants[name] = r.number(data["constants"], "constants", name, default=0.0)
    solver = r.table(data, "solver")
    r.keys(solver, "solver", top["solver"].names())
    petsc = r.table(solver, "petsc", prefix="solver")  # kinds checked by the schema
    option_problem = check_options(petsc)
    if option_problem is not None:
        r.fail(f"solver.petsc.{option_problem.key}", option_problem.problem)
    output = r.table(data, "output")
    r.keys(output, "output", OUTPUT.names())
    formats = parse_formats(r, output)
    probes = {name: tuple(float(c) for c in p) for name, p in r.table(data, "probes").items()}
    materials = parse_materials(r, r.table(data, "materials", required=True))
    time = parse_time(r, r.table(data, "time"))
    initial = r.table(data, "initial")
    r.keys(initial, "initial", INITIAL.names())
    chosen = registry.select(model, data)
    if mesh.periodic and not chosen.periodic:
        why = f": {chosen.periodic_refusal}" if chosen.periodic_refusal else " yet"
        r.fail("mesh.periodic", f"the {chosen.name} physics does not take periodic boundaries{why}")
    sections: dict[str, Any] = {}
    settings = chosen.parse(r, data, model, materials=materials, constants=constants)
    if chosen.section is not None:
        sections[chosen.section] = settings
    for study in studies.STUDIES.values():
        if study.section in data:
            sections[study.section] = study.parse(r, data, materials=materials, time=time)
    boundaries = parse_boundaries(r, r.table(data, "boundaries"))
    for pair in mesh.periodic:
        for name in set(pair) & set(boundaries):
            r.fail(f"boundaries.{name}", f"'{name}' is periodic ([mesh] periodic): no condition")
    q0 = initial.get("q")  # None, "fourier" or a list (the schema's "vector")
    return Case(
        source=source,
        title=data.get("title", mesh.generator or str(mesh.file)),
        mesh=mesh,
        model=model,
        physics=chosen.name,
        heat_source=r.read(physics, "physics", top["physics"]["source"]),
        materials=materials,
        boundaries=boundaries,
        constants=constants,
        initial_T=r.read(initial, "initial", INITIAL["T"]),
        initial_q=q0,
        time=time,
        output_every=r.read(output, "output", OUTPUT["every"]),
        degree=r.read(solver, "solver", SOLVER["degree"]),
        element=r.read(solver, "solver", top["solver"]["element"]),
        linear_solver=r.read(solver, "solver", SOLVER["linear_solver"]),
        quadrature_degree=(
            r.read(solver, "solver", SOLVER["quadrature_degree"])
            if "quadrature_degree" in solver
            else None
        ),
        petsc_options=dict(petsc),
        checkpoints=Checkpointing(
            every=r.read(output, "output", OUTPUT["checkpoint_every"]),
            minutes=r.read(output, "output", OUTPUT["checkpoint_minutes"]),
            keep=r.read(output, "output", OUTPUT["checkpoint_keep"]),
        ),
        xdmf="xdmf" in formats,
        formats=formats,
        png=r.read(output, "output", OUTPUT["png"]),
        csv=r.read(output, "output", OUTPUT["csv"]),
        probes=probes,
        sections=sections,
    )
