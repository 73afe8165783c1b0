"""The case-file schema: the common sections (:mod:`lkfem.case.common`) with the sections the
registered physics and studies contribute, as one :class:`~lkfem.case.keys.Table`. It is the
single source of

- the check of a case before it is parsed (:func:`validate`, with the ``jsonschema`` library;
  every problem a one-line :class:`~lkfem.errors.CaseError` with the file and the dotted key),
- the parsers' key lists and defaults,
- the reference page docs/case-files.md and the JSON Schema for editors
  docs/lkfem-case.schema.json::

    python3 -m lkfem.case.schema --markdown docs/case-files.md --json docs/lkfem-case.schema.json

Besides :mod:`lkfem.case.load` this is the one case module that reads the registries (the
physics' model names and elements, the sections physics and studies own).
"""

from __future__ import annotations

import argparse
import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from lkfem.case.common import COMMON, PHYSICS, SOLVER
from lkfem.case.keys import INFINITE, Table, check
from lkfem.physics import registry
from lkfem.physics.lk.spaces import ELEMENTS
from lkfem.studies import registry as studies

__all__ = ["root", "json_schema", "json_text", "validate", "main"]


@functools.cache
def root() -> Table:
    """Every section of a case file: the common ones, then the physics' and the studies'."""
    model = replace(PHYSICS["model"], choices=registry.models())  # type: ignore[arg-type]
    element = replace(SOLVER["element"], choices=ELEMENTS)  # type: ignore[arg-type]
    top = COMMON.replace_key(PHYSICS.replace_key(model)).replace_key(SOLVER.replace_key(element))
    return top.with_keys(*registry.schemas(), *studies.schemas())


def json_schema() -> dict[str, Any]:
    """The case schema as a JSON Schema (draft 2020-12) document."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "lkfem case file",
        **root().json(),
    }


@functools.cache
def _validator() -> Any:
    """A draft 2020-12 validator whose "number" is finite (but where a key allows ``inf``:
    :data:`~lkfem.case.keys.INFINITE`) and whose "integer" is an int, never a float such as
    ``2.0`` (JSON Schema's own accepts NaN, inf and 2.0)."""
    from jsonschema import Draft202012Validator, validators

    base = Draft202012Validator
    checker = base.TYPE_CHECKER.redefine_many(
        {
            "number": lambda _, v: _is_number(v) and math.isfinite(v),
            "integer": lambda _, v: isinstance(v, int) and not isinstance(v, bool),
        }
    )

    def type_(validator: Any, types: Any, instance: Any, schema: Mapping[str, Any]) -> Any:
        if schema.get(INFINITE) and _is_number(instance) and instance == math.inf:
            return
        yield from base.VALIDATORS["type"](validator, types, instance, schema)

    strict = validators.extend(base, validators={"type": type_}, type_checker=checker)
    schema = json_schema()
    base.check_schema(schema)
    return strict(schema)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def validate(data: Mapping[str, Any], source: str) -> None:
    """Check ``data`` (a parsed case) against the schema: kinds, choices, ranges, required and
    unknown keys. Raises a :class:`~lkfem.errors.CaseError` naming ``source`` and the key."""
    check(root(), _validator(), data, source)


def json_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python3 -m lkfem.case.schema [--markdown [PATH]] [--json [PATH]] [--count]``."""
    from lkfem.case.reference import page

    parser = argparse.ArgumentParser(
        prog="python3 -m lkfem.case.schema",
        description="Write the case-file reference page and the JSON Schema for editors.",
    )
    docs = Path(__file__).resolve().parents[3] / "docs"
    parser.add_argument("--markdown", nargs="?", const=docs / "case-files.md", type=Path)
    parser.add_argument("--json", nargs="?", const=docs / "lkfem-case.schema.json", type=Path)
    parser.add_argument("--count", action="store_true", help="print how many keys it declares")
    args = parser.parse_args(argv)
    if args.markdown:
        args.markdown.write_text(page(root()), encoding="utf-8")
        print(f"wrote {args.markdown}")
    if args.json:
        args.json.write_text(json_text(), encoding="utf-8")
        print(f"wrote {args.json}")
    if args.count:
        print(f"{root().count()} keys in {len(root().paths())} paths")
    return 0
