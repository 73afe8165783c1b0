"""``lkfem mesh NAME --param value … --out FILE``: build a geometry generator's mesh and write it
for gmsh and for ParaView.

``--out NAME.msh`` writes ``NAME.msh`` (gmsh format 4.1 with the physical names, which gmsh,
``lkfem.read_msh`` and case files' ``[mesh] file`` read) and, beside it, ``NAME.xdmf`` +
``NAME.h5`` (the mesh with its ``regions`` and ``boundaries`` tags, which ParaView opens: its
stock builds read no ``.msh``). ``--out NAME.xdmf`` writes only the XDMF pair. The files are
written in a hidden folder next to their final place and moved there only when all are complete.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import shutil
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mpi4py import MPI

from lkfem.core.domain import Domain
from lkfem.errors import MeshError
from lkfem.log import logger
from lkfem.mesh import generators
from lkfem.mesh.gmsh import from_gmsh

__all__ = ["parse_value", "parse_arguments", "generator_help", "write_mesh", "mesh_command"]

SUFFIXES = (".msh", ".xdmf")


def parse_value(text: str) -> Any:
    """A command-line value as TOML, else as a Python literal, else a comma-separated list,
    else a bare string: ``0.2``, ``true``, ``[0.3, 0.4]``, ``0.3,0.4``, ``cylinder``."""
    try:
        return _plain(tomllib.loads(f"v = {text}")["v"])
    except tomllib.TOMLDecodeError:
        pass
    try:
        return _plain(ast.literal_eval(text))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        pass
    if "," in text:
        return [parse_value(part.strip()) for part in text.split(",") if part.strip()]
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def parse_arguments(name: str, tokens: Sequence[str]) -> tuple[dict[str, Any], str | None, bool]:
    """``--key value`` / ``--key=value`` tokens -> ``(params, out, help)``; ``-`` in keys may
    stand for ``_``, and a true/false parameter given without a value is true.

    Raises:
        MeshError: for an unknown generator, a stray or repeated argument or a bad value.
    """
    if name not in generators.available():
        problem = generators.check(name, {})
        raise MeshError(problem[1] if problem else f"unknown generator '{name}'")
    defaults = generators.parameters(name)
    params: dict[str, Any] = {}
    out: str | None = None
    wants_help = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token in ("-h", "--help"):
            wants_help = True
            continue
        if not token.startswith("--") or token == "--":
            raise MeshError(f"{name}: unexpected argument '{token}' (give --parameter value)")
        key, has_value, text = token[2:].partition("=")
        key = key.replace("-", "_")
        if not has_value:
            if i < len(tokens) and not tokens[i].startswith("--"):
                text = tokens[i]
                i += 1
            elif isinstance(defaults.get(key), bool):
                text = "true"
            elif key in defaults or key == "out":
                raise MeshError(f"{name}: --{key} needs a value")
        if key == "out":
            out = text
            continue
        if key in params:
            raise MeshError(f"{name}: --{key} is given twice")
        params[key] = parse_value(text)
    problem = None if wants_help else generators.check(name, params)
    if problem:
        key, message = problem
        raise MeshError(f"{name}: --{key.removeprefix('parameters.')}: {message}")
    return params, out, wants_help


def generator_help(name: str) -> str:
    """The usage of ``lkfem mesh NAME``: the generator's description and parameters."""
    module = importlib.import_module(f"lkfem.meshes.{name}")
    lines = [
        f"usage: lkfem mesh {name} [--PARAMETER VALUE ...] --out FILE.msh|FILE.xdmf",
        "",
        inspect.getdoc(module) or "",
        "",
        "parameters (default, unit):",
    ]
    for key, value in generators.parameters(name).items():
        unit = generators.unit(name, key)
        default = "auto" if value is None else repr(value)
        lines.append(f"  --{key} {default}" + (f"  ({unit})" if unit else ""))
    doc = inspect.getdoc(module.populate) or ""
    if "Args:" in doc:
        lines += ["", doc[doc.index("Args:") :]]
    return "\n".join(lines)


def write_mesh(
    name: str, params: dict[str, Any], out: str | os.PathLike, comm: MPI.Comm = MPI.COMM_WORLD
) -> tuple[Domain, list[Path]]:
    """Build generator ``name`` and write it to ``out`` (see the module's description).

    Returns:
        The distributed domain and the files written (``.msh`` first when there is one).

    Raises:
        MeshError: bad parameters, a geometry that cannot be built, or an unwritable place; then
            no file is left behind.
    """
    target = Path(out)
    if target.suffix not in SUFFIXES:
        raise MeshError(f"--out must end in .msh or .xdmf, got '{out}'")
    problem = generators.check(name, params)
    if problem:
        raise MeshError(f"{name}: --{problem[0].removeprefix('parameters.')}: {problem[1]}")
    target = target.resolve()
    names = [f"{target.stem}.xdmf", f"{target.stem}.h5"]
    if target.suffix == ".msh":
        names.insert(0, target.name)
    workdir, created = _make_workdir(target, comm)
    try:
        populate = importlib.import_module(f"lkfem.meshes.{name}").populate

        def fill(model: Any) -> None:
            import gmsh

            populate(model, **params)
            if target.suffix == ".msh":
                gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
                gmsh.option.setNumber("Mesh.Binary", 0)
                gmsh.write(str(workdir / target.name))

        domain = from_gmsh(fill, comm, 0, label=name)
        _write_xdmf(workdir / f"{target.stem}.xdmf", domain)
        comm.barrier()
        error = None
        if comm.rank == 0:
            try:
                for file in names:
                    os.replace(workdir / file, target.parent / file)
            except OSError as exc:
                error = f"cannot write {target.parent / file}: {exc.strerror}"
        error = comm.bcast(error, root=0)
        if error:
            raise MeshError(error)
    except BaseException:
        if comm.rank == 0:
            shutil.rmtree(created or workdir, ignore_errors=True)
        raise
    finally:
        if comm.rank == 0:
            shutil.rmtree(workdir, ignore_errors=True)
    return domain, [Path(out).with_name(file) for file in names]


def _make_workdir(target: Path, comm: MPI.Comm) -> tuple[Path, Path | None]:
    """A hidden folder beside ``target`` (made on rank 0), and the first folder of ``target``'s
    parents that had to be created (to remove on failure), if any."""
    path = created = error = None
    if comm.rank == 0:
        missing = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
        created = str(missing[-1]) if missing else None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            path = tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent)
        except OSError as exc:
            error = f"cannot write {target}: {exc.strerror}"
    path, created, error = comm.bcast((path, created, error), root=0)
    if error:
        raise MeshError(error)
    return Path(path), Path(created) if created else None


def _write_xdmf(path: Path, domain: Domain) -> None:
    """The mesh, its region and boundary tags, and their names (as XDMF Information)."""
    from dolfinx import io

    mesh = domain.mesh
    mesh.topology.create_connectivity(mesh.topology.dim - 1, mesh.topology.dim)
    with io.XDMFFile(domain.comm, str(path), "w") as xdmf:
        xdmf.write_mesh(mesh)
        xdmf.write_meshtags(domain.cell_tags, mesh.geometry)
        xdmf.write_meshtags(domain.facet_tags, mesh.geometry)
        for label, names in (("regions", domain.regions), ("boundaries", domain.boundaries)):
            xdmf.write_information(label, ", ".join(f"{k}={v}" for k, v in names.items()))


def mesh_command(name: str, tokens: Sequence[str], out: str | None, comm: MPI.Comm) -> None:
    """``lkfem mesh NAME [--param value ...] --out FILE``, printing a summary on rank 0."""
    params, out_in_tokens, wants_help = parse_arguments(name, tokens)
    if wants_help:
        if comm.rank == 0:
            print(generator_help(name))
        return
    out = out_in_tokens or out
    if out is None:
        raise MeshError(f"{name}: --out FILE.msh (or FILE.xdmf) is required")
    domain, files = write_mesh(name, params, out, comm)
    exterior = domain.exterior_boundaries()

    def listing(names: dict[str, int]) -> str:
        return ", ".join(f"{k} ({v})" for k, v in names.items())

    interfaces = {k: v for k, v in domain.boundaries.items() if k not in exterior}
    lines = [
        f"{name}: {domain.num_cells()} cells, {domain.num_vertices()} vertices",
        f"  regions:    {listing(domain.regions)}",
        f"  boundaries: {listing({k: domain.boundaries[k] for k in exterior})}",
    ]
    if interfaces:
        lines.append(f"  interfaces: {listing(interfaces)}")
    kinds = {".msh": "gmsh", ".xdmf": "ParaView", ".h5": "its data"}
    lines.append("wrote " + ", ".join(f"{f} ({kinds[f.suffix]})" for f in files))
    logger.info("\n".join(lines))
