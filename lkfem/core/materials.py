"""Material parameters of a named region, physical or in Landau form.

The LK model (docs/theory.md) in Landau form reads

    Γ ∂q/∂t + A q + b|q|²q + c|q|⁴q − ∇·(λ∇q) − ∇(λ_d ∇·q) + ζ ∇T = 0,   C ∂T/∂t + ∇·q = Q.

Users may give instead the physical parameters of the Guyer–Krumhansl equation
τ ∂q/∂t + q = −K∇T + ℓ²∇²q + ℓ_d²∇∇·q: conductivity k (or a tensor K), relaxation time τ and
non-local lengths ℓ, ℓ_d. The two are related by ζ = 1, A = K⁻¹, Γ = τA, λ = ℓ²a, λ_d = ℓ_d²a.

Every parameter may be a number, or a string expression of position (``x, y, z, r, rho``) and
temperature (``T``) parsed by :mod:`lkfem.core.expressions`; ``k`` and ``a`` may be 3×3 tensors
(lists of rows) of numbers or expressions, for anisotropic and transformation media.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import ufl

from lkfem.core import expressions

__all__ = ["Material", "LandauCoefficients", "PHYSICAL_KEYS", "LANDAU_KEYS"]

Value = float | str
TensorValue = tuple[tuple[Value, ...], ...]

#: Keys of the physical form (case-file names) and of the Landau form.
PHYSICAL_KEYS = ("k", "tau", "ell", "ell_d", "C", "b", "c")
LANDAU_KEYS = ("a", "b", "c", "lambda", "lambda_d", "zeta", "Gamma", "C")


@dataclass(slots=True, frozen=True)
class LandauCoefficients:
    """The LK coefficients of one region as UFL expressions (or floats).

    ``A`` and ``Gamma`` are scalars or 3×3 tensors; the rest are scalars. ``K`` is the
    conductivity as the user gave it (physical form only), so that Fourier solves need not
    invert A = K⁻¹ symbolically.
    """

    A: Any
    b: Any
    c: Any
    lam: Any
    lam_d: Any
    zeta: Any
    Gamma: Any
    C: Any
    K: Any = None

    @staticmethod
    def apply(M: Any, q: Any) -> Any:
        """M q for a scalar or tensor M."""
        return ufl.dot(M, q) if _rank(M) == 2 else M * q


def _rank(value: Any) -> int:
    return len(ufl.shape(value)) if isinstance(value, ufl.core.expr.Expr) else 0


@dataclass(slots=True, kw_only=True, frozen=True)
class Material:
    """Thermal properties of one region: physical (``k`` …) or Landau (``a`` …) form.

    Args:
        k: conductivity (W/(m K)): > 0, an expression, or a symmetric positive 3×3 tensor
            (2×2 in 2D) as nested tuples or lists of rows, or a numpy array.
        tau: relaxation time τ (s), ≥ 0; Maxwell–Cattaneo when > 0.
        ell: non-local length ℓ (m), ≥ 0; Guyer–Krumhansl when > 0 (isotropic k only).
        ell_d: length ℓ_d (m) of the full Guyer–Krumhansl ∇∇·q term, ≥ 0.
        C: volumetric heat capacity (J/(m³ K)), > 0.
        a: Landau coefficient (m K/W) or tensor; a < 0 is the ordered phase.
        b, c: nonlinear Landau coefficients of |q|²q and |q|⁴q.
        lam, lam_d: gradient coefficients λ, λ_d (Landau form).
        zeta: coupling ζ to ∇T (Landau form), ≠ 0.
        Gamma: kinetic coefficient Γ (Landau form), ≥ 0.
    """

    k: Value | TensorValue | None = None
    tau: Value = 0.0
    ell: Value = 0.0
    ell_d: Value = 0.0
    C: Value = 1.0
    a: Value | TensorValue | None = None
    b: Value = 0.0
    c: Value = 0.0
    lam: Value = 0.0
    lam_d: Value = 0.0
    zeta: Value = 1.0
    Gamma: Value = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):  # lists and numpy arrays as tensors, like nested tuples
            object.__setattr__(self, f.name, _freeze(getattr(self, f.name)))
        for name in ("C", "b", "c", "tau", "ell", "ell_d", "lam", "lam_d", "zeta", "Gamma"):
            if isinstance(getattr(self, name), tuple):
                raise ValueError(
                    f"{_case_key(name)} must be a number or an expression string (a scalar, "
                    f"not a tensor), got {getattr(self, name)!r}"
                )
        given = {f.name for f in fields(self) if getattr(self, f.name) != f.default}
        if (self.k is None) == (self.a is None):
            raise ValueError("give either the conductivity k (physical form) or a (Landau form)")
        if self.k is not None:
            mixed = given & {"lam", "lam_d", "zeta", "Gamma"}
            if mixed:
                raise ValueError(
                    f"{', '.join(sorted(_case_key(m) for m in mixed))} belong to the "
                    "Landau form (with a), not with k"
                )
            _check_tensor("k", self.k, positive=True)
            _check("tau", self.tau, low=0.0)
            _check("ell", self.ell, low=0.0)
            _check("ell_d", self.ell_d, low=0.0)
            if isinstance(self.k, tuple) and (self.ell != 0.0 or self.ell_d != 0.0):
                raise ValueError(
                    "ell and ell_d need an isotropic k (a tensor k has no single ℓ² = λ/a)"
                )
        else:
            mixed = given & {"tau", "ell", "ell_d"}
            if mixed:
                raise ValueError(
                    f"{', '.join(sorted(mixed))} belong to the physical form (with k), not with a"
                )
            _check_tensor("a", self.a, positive=False)
            _check("lambda", self.lam, low=0.0)
            _check("lambda_d", self.lam_d, low=0.0)
            _check("Gamma", self.Gamma, low=0.0)
            _check("zeta", self.zeta, nonzero=True)
        _check("C", self.C, low=0.0, strict=True)
        _check("b", self.b)
        _check("c", self.c, low=0.0)
        if _number(self.b) and _number(self.c) and self.b < 0 and self.c == 0:
            raise ValueError("b < 0 needs c > 0 (otherwise the free energy is unbounded below)")

    @classmethod
    def from_case(cls, entry: Mapping[str, Any]) -> Material:
        """Build from a case-file table (keys as in PHYSICAL_KEYS or LANDAU_KEYS)."""
        allowed = set(PHYSICAL_KEYS) | set(LANDAU_KEYS)
        for key in entry:
            if key not in allowed:
                raise KeyError(key)
        rename = {"lambda": "lam", "lambda_d": "lam_d"}
        values = {rename.get(k, k): _freeze(v) for k, v in entry.items()}
        return cls(**values)

    @property
    def is_landau(self) -> bool:
        return self.a is not None

    def landau(
        self, names: Mapping[str, Any], *, source: str = "<python>", key: str = ""
    ) -> LandauCoefficients:
        """The Landau coefficients as UFL, with ``names`` (x, y, z, r, rho, T, constants)."""

        def value(name: str, v: Any) -> Any:
            if isinstance(v, tuple):
                return ufl.as_matrix([[value(name, e) for e in row] for row in v])
            if isinstance(v, str):
                return expressions.parse(v, names, source=source, key=f"{key}.{_case_key(name)}")
            return float(v)

        b, c, C = value("b", self.b), value("c", self.c), value("C", self.C)
        if self.a is not None:
            return LandauCoefficients(
                A=value("a", self.a),
                b=b,
                c=c,
                lam=value("lam", self.lam),
                lam_d=value("lam_d", self.lam_d),
                zeta=value("zeta", self.zeta),
                Gamma=value("Gamma", self.Gamma),
                C=C,
            )
        k = value("k", self.k)
        A = ufl.inv(k) if _rank(k) == 2 else 1.0 / k
        tau = value("tau", self.tau)
        a_scalar = 1.0 / k if _rank(k) == 0 else None
        ell, ell_d = value("ell", self.ell), value("ell_d", self.ell_d)
        return LandauCoefficients(
            A=A,
            b=b,
            c=c,
            lam=0.0 if a_scalar is None or ell == 0.0 else ell**2 * a_scalar,
            lam_d=0.0 if a_scalar is None or ell_d == 0.0 else ell_d**2 * a_scalar,
            zeta=1.0,
            Gamma=0.0 if tau == 0.0 else tau * A,
            C=C,
            K=k,
        )

    def has_gradient_terms(self) -> bool:
        """True where λ or λ_d (ℓ or ℓ_d) is not zero: q then needs a continuous element."""
        values = (self.lam, self.lam_d) if self.is_landau else (self.ell, self.ell_d)
        return any(v != 0.0 for v in values)


def _case_key(name: str) -> str:
    return {"lam": "lambda", "lam_d": "lambda_d"}.get(name, name)


def _freeze(value: Any) -> Any:
    """Lists and numpy arrays as nested tuples, numpy scalars as Python numbers."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _shape(value: tuple) -> str:
    """The shape of a nested tuple in words: "2×3", or the row lengths where ragged."""
    lengths = [len(row) if isinstance(row, tuple) else None for row in value]
    if all(n is None for n in lengths):
        return f"a vector of {len(value)} entries"
    if any(n is None for n in lengths):
        return "a mix of numbers and rows"
    if len(set(lengths)) > 1:
        return f"{len(value)} rows of {', '.join(str(n) for n in lengths)} entries"
    return f"{len(value)}×{lengths[0] if lengths else 0}"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check(
    name: str, value: Any, *, low: float | None = None, strict: bool = False, nonzero: bool = False
) -> None:
    if isinstance(value, str):
        return  # an expression; checked where it is evaluated
    if not _number(value) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number or an expression string, got {value!r}")
    if low is not None and (value < low or (strict and value == low)):
        raise ValueError(
            f"{name} must be {'positive' if strict or low > 0 else 'non-negative'}"
            f"{'' if low == 0 else f' (≥ {low})'}, got {value!r}"
        )
    if nonzero and value == 0:
        raise ValueError(f"{name} must not be zero")


def _check_tensor(name: str, value: Any, *, positive: bool) -> None:
    if not isinstance(value, tuple):
        if positive:
            _check(name, value, low=0.0, strict=True)
        else:
            _check(name, value)
        return
    n = len(value)
    if n not in (2, 3) or any(not isinstance(row, tuple) or len(row) != n for row in value):
        raise ValueError(
            f"{name} as a tensor must be 3×3 (2×2 on a 2D mesh), got {_shape(value)}: {value!r}"
        )
    for row in value:
        for entry in row:
            _check(name, entry)
    if all(_number(e) for row in value for e in row):
        M = np.array(value, dtype=float)
        if not np.allclose(M, M.T):
            raise ValueError(f"{name} must be a symmetric tensor, got {value!r}")
        if positive and np.linalg.eigvalsh(M).min() <= 0:
            raise ValueError(f"{name} must be positive definite, got {value!r}")
