"""Boundary conditions on named boundaries.

Sign convention: ``q`` is the heat flux (W/m^2) and ``n`` the outward unit normal, so ``q·n > 0``
means heat leaving the domain. Boundaries that are given no condition are adiabatic
(``q·n = 0``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Temperature", "HeatFlux", "Convection", "BoundaryCondition"]


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return float(value)


@dataclass(slots=True, kw_only=True, frozen=True)
class Temperature:
    """Prescribed temperature T = value (K)."""

    value: float

    def __post_init__(self) -> None:
        _finite("value", self.value)


@dataclass(slots=True, kw_only=True, frozen=True)
class HeatFlux:
    """Prescribed outward normal heat flux q·n = value (W/m^2); 0 is adiabatic."""

    value: float = 0.0

    def __post_init__(self) -> None:
        _finite("value", self.value)


@dataclass(slots=True, kw_only=True, frozen=True)
class Convection:
    """Newton cooling q·n = h (T − T_inf), with h (W/(m^2 K)) ≥ 0 and T_inf (K)."""

    h: float
    T_inf: float

    def __post_init__(self) -> None:
        if _finite("h", self.h) < 0:
            raise ValueError(f"h must be non-negative, got {self.h!r}")
        _finite("T_inf", self.T_inf)


BoundaryCondition = Temperature | HeatFlux | Convection
