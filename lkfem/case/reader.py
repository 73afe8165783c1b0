"""Typed look-ups in the nested tables of a case file; every failure is a
:class:`~lkfem.errors.CaseError` naming the file and the dotted key."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lkfem.case.keys import unknown_key
from lkfem.errors import CaseError

if TYPE_CHECKING:
    from lkfem.case.keys import Key

__all__ = ["Reader"]


class Reader:
    """Typed look-ups in nested tables that fail with the file and the dotted key."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, problem: str) -> None:
        raise CaseError(self.source, key, problem)

    def keys(self, table: Mapping[str, Any], key: str, allowed: set[str]) -> None:
        for name in table:
            if name not in allowed:
                where = f"{key}.{name}" if key else name
                self.fail(where, unknown_key(name, allowed))

    def read(self, table: Mapping[str, Any], key: str, decl: Key) -> Any:
        """The value of the declared key ``decl`` in ``table`` (dotted path ``key``), with the
        declaration's default, choices and range."""
        default = REQUIRED if decl.required else decl.default
        if decl.choices and decl.kind == "string":
            return self.choice(table, key, decl.name, decl.choices, default)
        if decl.kind == "number":
            return self.number(table, key, decl.name, default, infinite=decl.infinite)
        if decl.kind == "value":
            return self.value(table, key, decl.name, default)
        if decl.kind == "boolean":
            return self.boolean(table, key, decl.name, default)
        if decl.kind == "string":
            return self.string(table, key, decl.name, default)
        if decl.kind == "integer":
            low = -(10**18) if decl.minimum is None else int(decl.minimum)
            high = 10**18 if decl.maximum is None else int(decl.maximum)
            return self.integer(table, key, decl.name, default, low, high)
        return self._get(table, key, decl.name, default)

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
        if default is REQUIRED:
            self.fail(f"{key}.{name}" if key else name, "missing")
        return default

    def string(self, table: Mapping[str, Any], key: str, name: str, default: Any = None) -> str:
        value = self._get(table, key, name, REQUIRED if default is None else default)
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

    def number(
        self,
        table: Mapping[str, Any],
        key: str,
        name: str,
        default: float,
        *,
        infinite: bool = False,
    ) -> float:
        """A finite number (``infinite``: also ``inf``, never NaN)."""
        value = self._get(table, key, name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"{key}.{name}", f"must be a number, got {value!r}")
        if math.isnan(value) or (math.isinf(value) and not (infinite and value > 0)):
            self.fail(f"{key}.{name}", f"must be a finite number, got {value!r}")
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


REQUIRED = object()
