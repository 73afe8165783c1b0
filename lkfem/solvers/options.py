"""PETSc options of a case, checked against PETSc's own knowledge before anything is solved.

PETSc lists every option an object reads when ``-help`` is set. :func:`known_options` sets up a
throw-away SNES (with its line search) and a KSP on a small matrix under a fresh prefix, with the
user's solver types in place (so that a chosen ``pc_type`` reads its own options, e.g. hypre's or
MUMPS'), captures that listing and keeps each option's current value and, for a choice, the
values PETSc accepts. :func:`check_options` then names the first unknown option (with the
closest known name), a value that is not one of the choices, or a number that is not a number.
Options of sub-solvers (``fieldsplit_q_ksp_type``, ``sub_pc_type``, ``mg_levels_ksp_type``)
are checked as the option after their sub-prefix.
"""

from __future__ import annotations

import contextlib
import ctypes
import difflib
import io
import itertools
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from petsc4py import PETSc

__all__ = ["OptionProblem", "check_options", "known_options"]

_probes = itertools.count()
_LINE = re.compile(r"^\s*-(?P<name>\w+):?\s*<(?P<value>[^>]*)>:?(?P<text>.*)$")
_VIEWER = re.compile(r"^\s*-(?P<name>\w+) (ascii|binary|draw|socket|saws)\b")
_SUB = re.compile(
    r"^(fieldsplit_[A-Za-z0-9]+_|sub_|mg_levels_(\d+_)?|mg_coarse_|redundant_)(?=(ksp|pc|mat)_)"
)
_TRUE = {"1", "true", "yes", "on", ""}
_FALSE = {"0", "false", "no", "off"}


@dataclass(slots=True, frozen=True)
class OptionProblem:
    """What is wrong with one option."""

    key: str
    problem: str


@dataclass(slots=True, frozen=True)
class _Known:
    value: str  # PETSc's current value, as it prints it
    choices: tuple[str, ...]  # the accepted values of a choice; empty otherwise


def check_options(options: Mapping[str, Any]) -> OptionProblem | None:
    """The first problem with ``options`` (PETSc option names without the leading dash), or
    None when PETSc knows every name and accepts every value."""
    if not options:
        return None
    known = _known_tolerant(dict(options))
    subs: dict[str, dict[str, Any]] = {}  # sub-solver prefix -> its options without it
    for key, value in options.items():
        match = _SUB.match(key)
        if key not in known and match:
            subs.setdefault(match.group(0), {})[key[match.end() :]] = value
    sub_known = {sub: _known_tolerant(group) for sub, group in subs.items()}
    for key, value in options.items():
        match = _SUB.match(key)
        table, name = known, key
        if key not in known and match:
            table, name = sub_known[match.group(0)], key[match.end() :]
        if name not in table:
            close = difflib.get_close_matches(name, table, n=1, cutoff=0.75)
            hint = f"; did you mean '{key[: len(key) - len(name)]}{close[0]}'?" if close else ""
            return OptionProblem(key, f"'{key}' is not a PETSc option of these solvers{hint}")
        problem = _value_problem(table[name], value)
        if problem:
            return OptionProblem(key, problem)
    return None


def _known_tolerant(options: dict[str, Any]) -> dict[str, _Known]:
    """:func:`known_options` with the solver types of ``options`` that PETSc accepts (only the
    ``*_type`` options choose which further options exist). No other value is handed to PETSc,
    so a bad value never stops PETSc half-way (which leaves its listing incomplete later on)."""
    base = known_options({})
    types = {
        k: v
        for k, v in options.items()
        if k.endswith("_type") and (k not in base or _value_problem(base[k], v) is None)
    }
    if not types:
        return base
    try:
        return known_options(types)
    except PETSc.Error:
        return base


def _value_problem(known: _Known, value: Any) -> str | None:
    text = str(value).strip()
    if isinstance(value, bool):
        text = "true" if value else "false"
    if known.choices:
        if text.lower() not in {c.lower() for c in known.choices}:
            close = difflib.get_close_matches(text, known.choices, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'? " if close else ""
            return f"unknown value '{text}' ({hint}one of: {', '.join(known.choices)})"
        return None
    current = known.value.split(":")[0].removeprefix("now").strip()
    if current.upper() in ("TRUE", "FALSE"):
        if text.lower() not in _TRUE | _FALSE:
            return f"must be true or false, got {value!r}"
    elif _is_number(current) and not _is_number(text):
        return f"must be a number, got {value!r}"
    return None


def _is_number(text: str) -> bool:
    if text.lower() in ("default", "petsc_default", "petsc_determine", "petsc_decide"):
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def known_options(options: Mapping[str, Any]) -> dict[str, _Known]:
    """The options PETSc reads for solvers set up with ``options``: name → current value and,
    for a choice, the accepted values."""
    prefix = f"lkfemcheck{next(_probes)}_"
    database = PETSc.Options()
    keys = [f"{prefix}{k}" for k in options] + ["help"]
    had_help = database.hasName("help")
    with _captured() as text:
        for key, value in options.items():
            database[f"{prefix}{key}"] = _petsc_text(value)
        database["help"] = None
        try:
            _probe(prefix)
        finally:
            for key in keys if not had_help else keys[:-1]:
                database.delValue(key)
    known: dict[str, _Known] = {}
    # Each option on a line of its own (printed through sys.stdout, newlines may be lost).
    for line in text[0].replace(f"-{prefix}", f"\n-{prefix}").splitlines():
        viewer = _VIEWER.match(line)
        if viewer and viewer["name"].startswith(prefix):  # a monitor or a view: any value
            known.setdefault(viewer["name"][len(prefix) :], _Known("", ()))
            continue
        match = _LINE.match(line)
        if not match or not match["name"].startswith(prefix):
            continue
        name = match["name"][len(prefix) :]
        choices: tuple[str, ...] = ()
        body = match["text"]
        if "one of)" in body:
            words = body.split("one of)", 1)[1].strip()
            words = re.sub(r"\([^)]*\)\s*$", "", words).split()
            choices = tuple(w for w in words if re.fullmatch(r"[\w.\-]+", w))
        known.setdefault(name, _Known(match["value"], choices))
    return known


def _petsc_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _probe(prefix: str) -> None:
    """A SNES with its line search and a KSP on a 2×2 matrix, set up from the options."""
    comm = PETSc.COMM_SELF
    A = PETSc.Mat().createAIJ([2, 2], nnz=2, comm=comm)
    for i in range(2):
        A.setValue(i, i, 2.0)
    A.assemble()
    snes = PETSc.SNES().create(comm)
    ksp = PETSc.KSP().create(comm)
    try:
        snes.setOptionsPrefix(prefix)
        snes.setFromOptions()
        if hasattr(snes, "getLineSearch"):  # petsc4py ≥ 3.23; older: set up by setFromOptions
            snes.getLineSearch().setFromOptions()
        ksp.setOptionsPrefix(prefix)
        ksp.setOperators(A)
        ksp.setFromOptions()
        ksp.setUp()
    finally:
        ksp.destroy()
        snes.destroy()
        A.destroy()


@contextlib.contextmanager
def _captured() -> Iterator[list[str]]:
    """What the C library writes to standard output inside the block (yielded as a list that
    holds the text afterwards)."""
    libc = ctypes.CDLL(None)
    result = [""]
    python = io.StringIO()  # petsc4py may route PETSc's printing through sys.stdout
    with tempfile.TemporaryFile(mode="w+b") as sink:
        sys.stdout.flush()
        libc.fflush(None)
        saved = os.dup(1)
        os.dup2(sink.fileno(), 1)
        try:
            with contextlib.redirect_stdout(python):
                yield result
        finally:
            libc.fflush(None)
            os.dup2(saved, 1)
            os.close(saved)
            sink.seek(0)
            result[0] = sink.read().decode("utf-8", "replace") + python.getvalue()
