"""Boundary conditions on named boundaries.

Sign convention: ``q`` is the heat flux (W/m²) and ``n`` the outward unit normal, so ``q·n > 0``
means heat leaving the domain. Boundaries given no condition are adiabatic (``q·n = 0``).

Values may be numbers or expression strings of ``x, y, z, r, rho`` and time ``t``
(see :mod:`lkfem.core.expressions`). Where the non-local length ℓ is not zero, the flux conditions
also fix the tangential flux: ``slip = "free"`` (no tangential stress, the default) or
``"no_slip"`` (q = (q·n) n on the boundary).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ufl

__all__ = ["Temperature", "HeatFlux", "Convection", "BoundaryCondition", "SLIP_KINDS"]

SLIP_KINDS = ("free", "no_slip")


def _value(name: str, value: object) -> None:
    if isinstance(value, (str, ufl.core.expr.Expr)):  # an expression string, or UFL (Python API)
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number or an expression string, got {value!r}")


def _slip(value: str) -> None:
    if value not in SLIP_KINDS:
        raise ValueError(f"slip must be one of {', '.join(SLIP_KINDS)}, got {value!r}")


@dataclass(slots=True, kw_only=True, frozen=True)
class Temperature:
    """Prescribed temperature T = value (K)."""

    value: float | str

    def __post_init__(self) -> None:
        _value("value", self.value)


@dataclass(slots=True, kw_only=True, frozen=True)
class HeatFlux:
    """Prescribed outward normal heat flux q·n = value (W/m²); 0 is adiabatic."""

    value: float | str = 0.0
    slip: str = "free"

    def __post_init__(self) -> None:
        _value("value", self.value)
        _slip(self.slip)


@dataclass(slots=True, kw_only=True, frozen=True)
class Convection:
    """Newton cooling q·n = h (T − T_inf), with h (W/(m² K)) ≥ 0 and T_inf (K)."""

    h: float
    T_inf: float | str
    slip: str = "free"

    def __post_init__(self) -> None:
        _value("h", self.h)
        if isinstance(self.h, str) or self.h < 0:
            raise ValueError(f"h must be a non-negative number, got {self.h!r}")
        _value("T_inf", self.T_inf)
        _slip(self.slip)


BoundaryCondition = Temperature | HeatFlux | Convection
