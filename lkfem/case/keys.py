"""Declarations of case-file keys: each :class:`Key` with its kind, default, unit, range and a
one-line description, grouped in :class:`Table` s. A section is declared once, beside the code
that parses it (:mod:`lkfem.case.sections`, a physics' or a study's module), and from these
declarations come the JSON Schema that checks a case before it is parsed, the key lists of the
parsers, the reference page (docs/case-files.md) and the schema file for editors
(:mod:`lkfem.case.schema`).
"""

from __future__ import annotations

import copy
import difflib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["Key", "Table", "KINDS", "fmt", "unknown_key"]

#: the JSON Schema keyword of a number that may be ``inf`` (read by lkfem's validator; other
#: tools ignore it)
INFINITE = "x-lkfem-infinite"

# kind: (JSON Schema of a value of that kind, the words an error uses for it)
_SCALAR = {"type": ["number", "string"]}
KINDS: dict[str, tuple[dict[str, Any], str]] = {
    "number": ({"type": "number"}, "a number"),
    "integer": ({"type": "integer"}, "an integer"),
    "string": ({"type": "string"}, "a string"),
    "boolean": ({"type": "boolean"}, "true or false"),
    "value": (_SCALAR, "a number or an expression"),
    "tensor": (
        {
            "anyOf": [
                _SCALAR,
                {
                    "type": "array",
                    "minItems": 2,
                    "maxItems": 3,
                    "items": {"type": "array", "minItems": 2, "maxItems": 3, "items": _SCALAR},
                },
            ]
        },
        "a number, an expression or a 3×3 (2×2 on a 2D mesh) tensor [[..], [..], [..]]",
    ),
    "vector": (
        {"anyOf": [{"const": "fourier"}, {"type": "array", "items": _SCALAR}]},
        '"fourier" or a list of numbers/expressions',
    ),
    "times": ({"type": "array", "items": {"type": "number"}}, "a list of times"),
    "names": ({"type": "array", "items": {"type": "string"}}, "a list of region names"),
    "strings": ({"type": "array", "items": {"type": "string"}}, "a list of strings"),
    "pairs": (
        {
            "type": "array",
            "items": {
                "type": "array",
                "minItems": 2,
                "maxItems": 2,
                "items": {"type": "string"},
            },
        },
        'a list of pairs of names [["left", "right"], …]',
    ),
    "point": (
        {"type": "array", "minItems": 1, "maxItems": 3, "items": {"type": "number"}},
        "a point [x, y, z] ([x, y] on a 2D mesh, [x] on a 1D mesh)",
    ),
    "option": ({"type": ["string", "number", "boolean"]}, "a string, number or boolean"),
    "by_region": (
        {"type": "object", "additionalProperties": {"type": "number"}},
        "a table of numbers by region ({ rod = 1.0 })",
    ),
    "number_or_by_region": (
        {
            "anyOf": [
                {"type": "number"},
                {"type": "object", "additionalProperties": {"type": "number"}},
            ]
        },
        "a number, or a table of numbers by region ({ rod = 1.0 })",
    ),
    "any": ({}, "any value"),
}
_TYPE_WORDS = {
    "number": "number",
    "integer": "integer",
    "string": "string",
    "boolean": "bool",
    "value": "number or expression",
    "tensor": "number, expression or 3×3 (2D: 2×2) tensor",
    "vector": '`"fourier"` or list',
    "times": "list of numbers",
    "names": "list of strings",
    "strings": "list of strings",
    "pairs": "list of [name, name]",
    "point": "[x, y, z]",
    "option": "string, number or bool",
    "by_region": "table of numbers",
    "number_or_by_region": "number or table of numbers",
    "any": "any",
}


@dataclass(frozen=True, slots=True)
class Key:
    """One case-file key.

    Args:
        name: the key as written in the file.
        kind: what its value is (one of :data:`KINDS`).
        doc: one line: what it means.
        default: its value when absent (None: none; see ``default_text`` for the page).
        unit: SI unit, for the page and the editor's hover text.
        minimum, maximum: the range of a number (``exclusive``: the bounds themselves are out).
        choices: the strings it may take.
        required: it must be given.
        default_text: how the page shows the default when ``default`` does not say it.
        infinite: a number that may also be ``inf`` (``[time] t_end``); every other number
            must be finite (the validator's type checker, :mod:`lkfem.case.schema`).
    """

    name: str
    kind: str
    doc: str
    default: Any = None
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    exclusive: bool = False
    choices: tuple[str, ...] = ()
    required: bool = False
    default_text: str | None = None
    infinite: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} of key {self.name!r}")

    @property
    def words(self) -> str:
        """How an error names what the value must be."""
        if self.choices:
            choices = ", ".join(f'"{c}"' for c in self.choices)
            return f"a list of: {choices}" if self.kind == "strings" else f"one of {choices}"
        return KINDS[self.kind][1]

    def range_text(self) -> str:
        parts = []
        if self.minimum is not None:
            parts.append(f"{'>' if self.exclusive else '≥'} {_num(self.minimum)}")
        if self.maximum is not None:
            parts.append(f"{'<' if self.exclusive else '≤'} {_num(self.maximum)}")
        return " and ".join(parts)

    def shown_default(self) -> str:
        if self.required:
            return "required"
        if self.default_text is not None:
            return self.default_text
        if self.default is None:
            return "none"
        return f"`{fmt(self.default)}`"

    def json(self) -> dict[str, Any]:
        out = copy.deepcopy(KINDS[self.kind][0])
        if self.choices:  # of the value, or of each item of a list
            (out["items"] if out.get("type") == "array" else out)["enum"] = list(self.choices)
        if self.minimum is not None:
            out["exclusiveMinimum" if self.exclusive else "minimum"] = self.minimum
        if self.maximum is not None:
            out["exclusiveMaximum" if self.exclusive else "maximum"] = self.maximum
        if _jsonable(self.default):
            out["default"] = self.default
        if self.infinite:
            out[INFINITE] = True
        unit = f" ({self.unit})" if self.unit else ""
        rng = f"; {self.range_text()}" if self.range_text() else ""
        default = self.shown_default().replace("`", "")
        tail = (
            "" if default == "none" else f"; {default if self.required else 'default: ' + default}"
        )
        out["description"] = f"{self.doc}{unit}{rng}{tail}"
        return out


@dataclass(frozen=True, slots=True)
class Table:
    """A table of a case file: fixed keys, or entries by name (``each``), or both.

    Args:
        name: the table's name (``NAME`` for an entry of a parent's ``each``).
        doc: one line: what it holds.
        keys: its keys and sub-tables.
        each: the declaration every entry follows in a table of entries by name
            (``[materials.REGION]``, ``[constants]``).
        each_name: how the page names such an entry (``REGION``).
        required: the table must be given.
        open: any keys (checked elsewhere, e.g. a generator's parameters).
        notes: Markdown for the page, after the table of keys.
    """

    name: str
    doc: str
    keys: tuple[Key | Table, ...] = ()
    each: Key | Table | None = None
    each_name: str = "NAME"
    required: bool = False
    open: bool = False
    notes: str = ""

    def names(self) -> set[str]:
        """The names of its keys and sub-tables (what a parser may accept)."""
        return {k.name for k in self.keys}

    def __getitem__(self, name: str) -> Key | Table:
        for k in self.keys:
            if k.name == name:
                return k
        raise KeyError(name)

    def child(self, name: str) -> Key | Table | None:
        """The declaration of ``name`` in this table (None: not declared, or open)."""
        try:
            return self[name]
        except KeyError:
            return self.each

    def replace_key(self, key: Key | Table) -> Table:
        """This table with ``key`` instead of its key of the same name."""
        return replace(self, keys=tuple(key if k.name == key.name else k for k in self.keys))

    def with_keys(self, *keys: Key | Table) -> Table:
        """This table with more keys (a section a physics or a study contributes)."""
        return replace(self, keys=self.keys + keys)

    @property
    def words(self) -> str:
        return "a table"

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "object", "description": self.doc}
        if self.keys:
            out["properties"] = {k.name: k.json() for k in self.keys}
        required = [k.name for k in self.keys if k.required]
        if required:
            out["required"] = required
        if self.each is not None:
            out["additionalProperties"] = self.each.json()
        elif not self.open:
            out["additionalProperties"] = False
        return out

    def paths(self, prefix: str = "") -> set[str]:
        """Every dotted key path it declares (``*`` for an entry's name)."""
        out = set()
        children = list(self.keys) + ([self.each] if self.each is not None else [])
        for k in children:
            name = "*" if k is self.each else k.name
            path = f"{prefix}.{name}" if prefix else name
            out.add(path)
            if isinstance(k, Table):
                out |= k.paths(path)
        return out

    def count(self) -> int:
        """How many keys it declares (entries by name counted once)."""
        n = 0
        for k in (*self.keys, *([self.each] if self.each is not None else [])):
            n += k.count() if isinstance(k, Table) else 1
        return n


def fmt(value: Any) -> str:
    """A value as TOML writes it (``"abc"``, ``true``, ``[1, 2]``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {fmt(v)}" for k, v in value.items()) + " }"
    return repr(value)


def unknown_key(name: str, allowed: set[str] | tuple[str, ...]) -> str:
    """The message for an unknown key: the closest allowed name, then all of them."""
    allowed = sorted(allowed)
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"unknown key '{name}' ({hint}allowed: {', '.join(allowed) or 'none'})"


def _num(value: float) -> str:
    return f"{value:g}"


def _jsonable(value: Any) -> bool:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return False
    return isinstance(value, (str, int, float, bool, list, tuple))


def check(root: Table, validator: Any, data: Mapping[str, Any], source: str) -> None:
    """Validate ``data`` with ``validator`` (a jsonschema validator of ``root.json()``); the
    first problem becomes a one-line :class:`~lkfem.errors.CaseError` with the dotted key."""
    from jsonschema.exceptions import best_match

    from lkfem.errors import CaseError

    errors = list(validator.iter_errors(data))
    if errors:  # a misspelt key first: it also explains the "missing" one
        unknown = [e for e in errors if e.validator == "additionalProperties"]
        raise CaseError(source, *explain(root, data, best_match(unknown or errors)))


def explain(root: Table, data: Any, error: Any) -> tuple[str, str]:
    """A jsonschema error as (dotted key, what is wrong), in the declarations' words."""
    node: Key | Table | None = root
    value: Any = data
    path: list[str] = []
    for part in error.absolute_path:
        if not isinstance(node, Table):
            break  # inside a key's value (a list, a tensor): report the key
        child = node.child(str(part))
        if child is None:
            break
        node, value = child, value[part]
        path.append(str(part))
    key = ".".join(path)
    if isinstance(node, Table) and isinstance(value, Mapping):
        if error.validator == "additionalProperties":
            extra = sorted(n for n in value if node.child(n) is None)
            if extra:
                return _join(key, extra[0]), unknown_key(extra[0], node.names())
        if error.validator == "required":
            missing = [k for k in node.keys if k.required and k.name not in value]
            if missing:
                k = missing[0]
                if isinstance(k, Table):
                    return _join(key, k.name), "missing section"
                unit = f", {k.unit}" if k.unit else ""
                return key, f"missing '{k.name}' ({k.doc}{unit})"
    if isinstance(node, Key) and node.choices and error.validator == "enum":
        if isinstance(value, list):  # a list of choices: the first that is none
            value = next(v for v in value if v not in node.choices)
        return key, f"unknown value {fmt(value)} (one of: {', '.join(node.choices)})"
    if error.validator == "type" and _non_finite(error.instance):
        what = "a finite number" if error.instance is value else f"{words_of(node)} (finite)"
        return key, f"must be {what}, got {fmt(value)}"
    if isinstance(node, Key) and error.validator in _RANGE and isinstance(value, (int, float)):
        return key, f"must be {node.range_text()}, got {fmt(value)}"
    return key, f"must be {words_of(node)}, got {fmt(value)}"


def words_of(node: Key | Table | None) -> str:
    return node.words if node is not None else "as declared"


def _non_finite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


_RANGE = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name
