"""Expressions of position, time and temperature from case files, as UFL.

Case files may give a coefficient, a boundary value, a source or an initial condition as a
string such as ``"300 + 10*sin(pi*x/L)"`` or ``"k0*(1 + 0.01*(T - 300))"``. The string is parsed
with Python's ``ast`` and only arithmetic, numbers, the names a caller allows and the functions
below are accepted; nothing is ever evaluated by ``eval``.

Names: ``x, y, z`` (m), ``r`` = √(x²+y²+z²), ``rho`` = √(x²+y²), ``t`` (s) where time is
meaningful, ``T`` (K) where a temperature dependence is allowed, ``pi``, ``e``, and any named
constant from the case's ``[constants]`` table.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

import ufl

from lkfem.errors import CaseError

__all__ = ["parse", "is_expression", "FUNCTIONS"]

FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sin": ufl.sin,
    "cos": ufl.cos,
    "tan": ufl.tan,
    "asin": ufl.asin,
    "acos": ufl.acos,
    "atan": ufl.atan,
    "atan2": ufl.atan2,
    "sinh": ufl.sinh,
    "cosh": ufl.cosh,
    "tanh": ufl.tanh,
    "exp": ufl.exp,
    "ln": ufl.ln,
    "log": ufl.ln,
    "sqrt": ufl.sqrt,
    "abs": abs,
    "min": ufl.min_value,
    "max": ufl.max_value,
    "erf": ufl.erf,
}
_MATH: dict[str, Callable[..., float]] = {
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "atan2": math.atan2,
    "sinh": math.sinh,
    "cosh": math.cosh,
    "tanh": math.tanh,
    "exp": math.exp,
    "ln": math.log,
    "log": math.log,
    "sqrt": math.sqrt,
    "abs": abs,
    "min": min,
    "max": max,
    "erf": math.erf,
}
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_COMPARE = {ast.Lt: ufl.lt, ast.LtE: ufl.le, ast.Gt: ufl.gt, ast.GtE: ufl.ge}


def is_expression(value: Any) -> bool:
    """True for a string (an expression to parse), False for a plain number."""
    return isinstance(value, str)


def parse(
    text: str,
    names: Mapping[str, Any],
    *,
    source: str = "<python>",
    key: str = "",
) -> Any:
    """Turn ``text`` into a UFL expression (or a float where it depends on nothing).

    Args:
        text: the expression; ``a if cond else b`` and ``where(cond, a, b)`` give conditionals,
            and a comparison alone is 1 where true, 0 where false (``Q0*(t < 1)``).
        names: what the expression may refer to (UFL expressions or numbers).
        source, key: how errors name the input.
    """

    def fail(problem: str) -> CaseError:
        return CaseError(source, key, f"{problem} in expression {text!r}")

    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise fail(f"syntax error ({exc.msg})") from None
    constants = {"pi": math.pi, "e": math.e}

    def visit(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return visit(node.body)
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)
        ):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id in names:
                return names[node.id]
            if node.id in constants:
                return constants[node.id]
            allowed = sorted(set(names) | set(constants))
            raise fail(f"unknown name '{node.id}' (allowed: {', '.join(allowed)})")
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](visit(node.left), visit(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = visit(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            args = [visit(a) for a in node.args]
            name = node.func.id
            if name == "where" and len(args) == 3:
                return _conditional(*args)
            if name not in FUNCTIONS:
                raise fail(
                    f"unknown function '{name}' (functions: where, {', '.join(sorted(FUNCTIONS))})"
                )
            if all(isinstance(a, float) for a in args):
                return float(_MATH[name](*args))
            return FUNCTIONS[name](*args)
        if isinstance(node, ast.IfExp):
            return _conditional(visit(node.test), visit(node.body), visit(node.orelse))
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
            left, right = visit(node.left), visit(node.comparators[0])
            if isinstance(left, float) and isinstance(right, float):
                return float(_COMPARE_FLOAT[type(node.ops[0])](left, right))
            # a comparison is a value, 1 where true and 0 where false: "Q0*(t < 1)"
            return ufl.conditional(_COMPARE[type(node.ops[0])](left, right), 1.0, 0.0)
        if isinstance(node, ast.Subscript):
            raise fail("indexing is not supported (use x, y, z)")
        raise fail(f"'{ast.unparse(node)}' is not allowed")

    try:
        return visit(tree)
    except ZeroDivisionError:
        raise fail("division by zero") from None
    except (ValueError, OverflowError, TypeError) as exc:
        raise fail(str(exc)) from None


_COMPARE_FLOAT = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


def _conditional(condition: Any, a: Any, b: Any) -> Any:
    if isinstance(condition, float):
        return a if condition else b
    return ufl.conditional(ufl.ne(condition, 0.0), a, b)
