"""Material parameters of a named region."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Material"]


@dataclass(slots=True, kw_only=True, frozen=True)
class Material:
    """Thermal properties of one region.

    Args:
        k: thermal conductivity (W/(m K)), positive.
        C: volumetric heat capacity (J/(m^3 K)), positive; used by transient solves.
    """

    k: float
    C: float = 1.0

    def __post_init__(self) -> None:
        for name in ("k", "C"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be positive and finite, got {value!r}")
