"""Units of lkfem's outputs by the mesh's dimension: one rule, in one place.

Names carry their unit (README, "Units"): ``heat_flow_W``, ``volume_m3``, ``q_W_m2``. The physics
and studies name their results as in 3D; :func:`rename` turns those names into the units of the
mesh's dimension d when summary.json and timeseries.csv are written. A quantity integrated over
the mesh or a boundary (a heat flow, a power, a volume, an energy) is per unit depth in 2D and
per unit cross-section in 1D, so its unit is divided by m^(3 − d): W → W/m (2D) → W/m² (1D),
m³ → m² → m, J → J/m → J/m². Point values and densities (T in K, q in W/m², energy per volume in
J/m³, a source in W/m³) are the same in every dimension.
"""

from __future__ import annotations

from typing import Any

__all__ = ["rename", "column", "SUFFIXES", "per_depth"]

#: The suffix of an integrated quantity in 3D -> (its suffix in 1D, in 2D).
_INTEGRATED = (
    ("_K2m3", ("_K2m", "_K2m2")),
    ("area_m2", ("area", "length_m")),  # a boundary's measure: points in 1D, lines in 2D
    ("_W_K", ("_WK_m2", "_WK_m")),  # W K (README): W K/m², W K/m
    ("_J_K", ("_J_Km2", "_J_Km")),  # J/K: J/(K m²), J/(K m)
    ("_m3", ("_m", "_m2")),
    ("_W", ("_W_m2", "_W_m")),
    ("_J", ("_J_m2", "_J_m")),
)
#: Densities that end like an integrated quantity but keep their unit.
_DENSITIES = ("_W_m3", "_J_m3", "_J_K_m3", "_J_m3K", "_W_m2", "_J_m2")

#: The unit suffixes of lkfem's names (README, "Units") with how a plot writes them, longest
#: first.
SUFFIXES = (
    ("_W_m2K", "W/(m² K)"),
    ("_WK_m2", "W K/m²"),
    ("_J_Km2", "J/(K m²)"),
    ("_WK_m", "W K/m"),
    ("_J_Km", "J/(K m)"),
    ("_K2m3", "K² m³"),
    ("_K2m2", "K² m²"),
    ("_K2m", "K² m"),
    ("_W_m3", "W/m³"),
    ("_J_m3", "J/m³"),
    ("_W_m2", "W/m²"),
    ("_J_m2", "J/m²"),
    ("_W_K", "W K"),
    ("_J_K", "J/K"),
    ("_rad_s", "rad/s"),
    ("_rad_m", "rad/m"),
    ("_W_m", "W/m"),
    ("_J_m", "J/m"),
    ("_m3", "m³"),
    ("_m2", "m²"),
    ("_rad", "rad"),
    ("_J", "J"),
    ("_W", "W"),
    ("_K", "K"),
    ("_s", "s"),
    ("_m", "m"),
)


def per_depth(dim: int) -> str:
    """How an integrated quantity is meant on a mesh of dimension ``dim``."""
    return {1: "per unit cross-section (m²)", 2: "per unit depth (m)", 3: ""}[dim]


def _name(key: str, dim: int) -> str:
    if dim == 3:
        return key
    if key == "W":  # a leaf named by its unit alone
        return "W_m2" if dim == 1 else "W_m"
    if key.endswith(_DENSITIES):
        return key
    for suffix, (one, two) in _INTEGRATED:
        if key.endswith(suffix) and (len(key) > len(suffix) or suffix == "area_m2"):
            return key[: -len(suffix)] + (one if dim == 1 else two)
    return key


def column(name: str, dim: int) -> str:
    """A key or ``timeseries.csv`` column named with 3D units (``heat_flow_W:left``) in the units
    of a mesh of dimension ``dim`` (``heat_flow_W_m:left`` in 2D)."""
    base, colon, where = name.partition(":")
    return _name(base, dim) + colon + where


def rename(data: Any, dim: int) -> Any:
    """``data`` (nested dicts and lists, as in summary.json) with every key in the units of a
    mesh of dimension ``dim``."""
    if isinstance(data, dict):
        return {column(str(k), dim): rename(v, dim) for k, v in data.items()}
    if isinstance(data, list):
        return [rename(v, dim) for v in data]
    return data
