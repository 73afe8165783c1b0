"""The ``[superconductor]`` section of a case file: rod regions, SN interfaces, weak links and
the rods' initial state (docs/case-files.md), checked key by key; the checks that need the mesh
(names, which regions an interface separates) are in :func:`check_layout`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ufl

from lkfem.case.keys import Key, Table
from lkfem.core import expressions
from lkfem.errors import CaseError
from lkfem.physics.superconductor.rods import RodMaterial, SNInterface, WeakLink

if TYPE_CHECKING:
    from lkfem.case.reader import Reader as _Reader
    from lkfem.core.domain import Domain

__all__ = ["SCHEMA", "SuperconductorLayout", "parse_superconductor", "check_layout"]

_SECTION = "superconductor"
_POSITIVE = {"minimum": 0.0, "exclusive": True}
# the reference page's prose on the section (docs/case-files.md)
_NOTES = (
    "For example, with the `rod_between_reservoirs` or `split_rod` geometries:\n"
    "\n"
    "```toml\n"
    "[physics]\n"
    'model = "lk"\n'
    "[superconductor.rods.rod]                # one table per rod region; no "
    "[materials.rod]\n"
    "kappa = 3.0                              # torsional stiffness κ (J/m), > 0\n"
    'omega0 = "2 + 0.5*T"                     # persistent rotation ω0 (rad/s) > 0, '
    "of the rod's T\n"
    "C = 1.0                                  # heat capacity C_s (J/(m^3 K)), "
    "default 1\n"
    "[superconductor.contacts.contact_left]   # SN interfaces, by interface name\n"
    "kappa_SN = 0.2                           # interface conductance (W/(m^2 K)), > "
    "0\n"
    "[superconductor.links.weak_link]         # weak links between rod pieces "
    "(optional)\n"
    "E_J = 0.05                               # coupling energy per area (J/m^2), > "
    "0\n"
    "critical_twist = 3.0                     # optional: phase slip above this |Δ| "
    "(rad, ≤ π)\n"
    "[superconductor.initial]                 # optional\n"
    "Ts = { rod_left = 1.0, rod_right = 0.0 } # T_s (K): one number, or by rod "
    "region\n"
    "phase = { rod_left = 1.5708 }            # phase φ (rad) by rod region, default "
    "0\n"
    "```\n"
    "\n"
    "The reservoirs take `[initial]` (`T`, `q`), `[boundaries]` (on the outer "
    "boundaries), sources\n"
    'and `[solver]` as usual, but not `element = "hdiv"` (T must be continuous on '
    "the contacts).\n"
    "`[time]` has a fixed step: `t_end` (and each milestone) a whole number of steps "
    "`dt`, `scheme`\n"
    "`bdf2` or `backward_euler`; `adaptive`, `dt_min`, `dt_max`, the growth keys and "
    "`steady_tol`\n"
    "are errors. `[cloak]` does not go with `[superconductor]`. Errors name the key\n"
    "(`[superconductor.contacts.walls]: 'walls' is not an interior interface of the "
    "mesh …`).\n"
    "\n"
    "Outputs, besides the usual ones (the regions' `mean_T_K` of a rod region is its "
    "piece's T_s;\n"
    "the reservoirs' `T` in `fields.xdmf`, `T.png` and probes is 0 inside the rods):\n"
    "\n"
    "| file | what |\n"
    "| --- | --- |\n"
    "| `fields.xdmf` | also `theta` (the twist θ, P1), `j_s` = −κ ω0 ∇θ (W/m², "
    "cellwise) and `T_s` (cellwise, 0 outside the rods) |\n"
    "| `timeseries.csv` | per step: `Ts_K:PIECE`, `omega0_rad_s:PIECE`, "
    "`phase_rad:PIECE`, `contact_heat_W:CONTACT` (heat entering the rod), "
    "`link_heat_out_W:LINK` / `link_heat_in_W:LINK` (heat leaving the first piece, "
    "entering the second; they differ by the link's work), the reservoirs' boundary "
    "flows, `reservoir_energy_J`, `rod_energy_J`, `energy_J`, `balance_error_W` |\n"
    "| `spectrum.csv` | transients with weak links: ω (rad/s), f (Hz) and each link "
    "current's amplitude (W; Hann window, mean removed) |\n"
    '| `summary.json` | under `"superconductor"`: per piece its regions, `Ts_K`, '
    "`omega0_rad_s`, `phase_rad`, heat capacity, contacts and the twist "
    "(`twist_gradient_rad_m`, `mean_grad_theta_rad_m`, `mean_j_s_W_m2`); per contact "
    "`kappa_SN_W_m2K`, `area_m2`, `heat_in_W`; per link `E_J_J_m2`, "
    "`critical_twist_rad`, its pieces (`from`, `to`: the "
    "region with the smaller tag first), `heat_out_W`, `heat_in_W`, `phase_slips` "
    "and, for transients, `spectrum`: `dominant_omega_rad_s`, "
    "`dominant_frequency_Hz`, `amplitude_W`, `mean_W`, `resolution_rad_s`; at the "
    "top level `energy_balance_error_W` (the worst step) |\n"
    "\n"
    "Shipped: `lkfem/cases/heat_superconductor.toml` (steady rod) and\n"
    "`lkfem/cases/josephson_split_rod.toml` (the AC Josephson effect: the link "
    "current at\n"
    "|ω0(T_L) − ω0(T_R)|).\n"
)

#: the ``[superconductor]`` section (docs/case-files.md is generated from it)
SCHEMA = Table(
    _SECTION,
    "the heat superconductor (`lk` model): rods between the reservoirs, which are the case's "
    'other regions (docs/theory.md, "Heat superconductor")',
    notes=_NOTES,
    keys=(
        Table(
            "rods",
            "one table per rod region (no [materials] entry for it); rod regions that touch, "
            "other than across a weak link, form one piece with one T_s and the same `omega0`",
            each=Table(
                "REGION",
                "a rod region",
                keys=(
                    Key(
                        "kappa",
                        "number",
                        "torsional stiffness κ",
                        unit="J/m",
                        required=True,
                        **_POSITIVE,
                    ),
                    Key(
                        "omega0",
                        "value",
                        "persistent rotation ω0, a number or an expression of `T` (the "
                        "piece's T_s) and the constants; positive where the solve uses it (the "
                        "initial T_s of a transient, the converged T_s of a steady solve)",
                        unit="rad/s",
                        required=True,
                    ),
                    Key(
                        "C",
                        "number",
                        "heat capacity C_s",
                        default=1.0,
                        unit="J/(m³ K)",
                        **_POSITIVE,
                    ),
                ),
            ),
            each_name="REGION",
        ),
        Table(
            "contacts",
            "SN interfaces by interface name: between a reservoir and a rod region; every rod "
            "piece needs at least one",
            each=Table(
                "NAME",
                "an SN contact: the heat entering the rod per area is κ_SN (T_N − T_s)",
                keys=(
                    Key(
                        "kappa_SN",
                        "number",
                        "interface conductance",
                        unit="W/(m² K)",
                        required=True,
                        **_POSITIVE,
                    ),
                ),
            ),
        ),
        Table(
            "links",
            "weak links by interface name, between two rod regions (optional)",
            each=Table(
                "NAME",
                "a weak link",
                keys=(
                    Key(
                        "E_J",
                        "number",
                        "coupling energy per area",
                        unit="J/m²",
                        required=True,
                        **_POSITIVE,
                    ),
                    Key(
                        "critical_twist",
                        "number",
                        "phase slip above this |Δ| (≤ π)",
                        unit="rad",
                        **_POSITIVE,
                    ),
                ),
            ),
        ),
        Table(
            "initial",
            "the rods' initial state (optional)",
            keys=(
                Key(
                    "Ts",
                    "number_or_by_region",
                    "T_s: one number, or by rod region; a value "
                    "for any region of a piece sets the piece's",
                    unit="K",
                    default_text="the κ_SN-weighted mean of its contacts' initial T",
                ),
                Key(
                    "phase",
                    "by_region",
                    "phase φ by rod region (matters for weak links)",
                    unit="rad",
                    default_text="0",
                ),
            ),
        ),
    ),
)
_ROD_KEYS = SCHEMA["rods"].each.names()  # type: ignore[union-attr]
_FIXED_DT = ("dt_min", "dt_max", "grow_below", "shrink_above", "growth", "shrink", "steady_tol")


@dataclass(slots=True, kw_only=True, frozen=True)
class SuperconductorLayout:
    """The heat superconductor of a case.

    ``Ts0`` is one number, or numbers by rod region (None: each piece starts at the mean of its
    contacts' temperature); ``phase0`` the pieces' phases φ (rad) by rod region.
    """

    rods: Mapping[str, RodMaterial]
    contacts: tuple[SNInterface, ...]
    links: tuple[WeakLink, ...] = ()
    Ts0: float | Mapping[str, float] | None = None
    phase0: Mapping[str, float] = field(default_factory=dict)


def parse_superconductor(
    r: _Reader,
    data: Mapping[str, Any],
    *,
    model: str,
    materials: Mapping[str, Any],
    constants: Mapping[str, float],
) -> SuperconductorLayout | None:
    """Check ``[superconductor]`` (and what it requires of the rest of the case ``data``)."""
    table = r.table(data, _SECTION)
    if not table:
        return None
    r.keys(table, _SECTION, SCHEMA.names())
    if model != "lk":
        r.fail(
            "physics.model",
            'the heat superconductor couples to the LK reservoirs: use model = "lk"',
        )
    solver = data.get("solver", {})
    if isinstance(solver, Mapping) and solver.get("element") == "hdiv":
        r.fail("solver.element", "the heat superconductor needs a continuous T: not hdiv")
    if "cloak" in data:
        r.fail("cloak", "cloak studies and [superconductor] do not go together")
    _check_time(r, data.get("time"))
    rods = {}
    for region, entry in _entries(r, table, "rods", required=True):
        key = f"{_SECTION}.rods.{region}"
        r.keys(entry, key, _ROD_KEYS)
        for name in ("kappa", "omega0"):
            if name not in entry:
                r.fail(key, f"missing '{name}'")
        if region in materials:
            r.fail(key, f"'{region}' also has [materials.{region}]: a rod region has no material")
        omega0 = r.value(entry, key, "omega0", default=0.0)
        if isinstance(omega0, str):  # names and syntax now; ω0 > 0 is checked as it is used
            names = {**constants, "T": ufl.variable(ufl.as_ufl(1.0))}
            expressions.parse(omega0, names, source=r.source, key=f"{key}.omega0")
        try:
            rods[region] = RodMaterial(
                kappa=r.number(entry, key, "kappa", default=0.0),
                omega0=omega0,
                C=r.number(entry, key, "C", default=1.0),
            )
        except ValueError as exc:
            r.fail(key, str(exc))
    contacts = []
    for name, entry in _entries(r, table, "contacts", required=True):
        key = f"{_SECTION}.contacts.{name}"
        r.keys(entry, key, SCHEMA["contacts"].each.names())  # type: ignore[union-attr]
        if "kappa_SN" not in entry:
            r.fail(key, "missing 'kappa_SN' (interface conductance, W/(m^2 K))")
        try:
            contacts.append(
                SNInterface(name=name, kappa_SN=r.number(entry, key, "kappa_SN", default=0.0))
            )
        except ValueError as exc:
            r.fail(key, str(exc))
    links = []
    for name, entry in _entries(r, table, "links"):
        key = f"{_SECTION}.links.{name}"
        r.keys(entry, key, SCHEMA["links"].each.names())  # type: ignore[union-attr]
        if "E_J" not in entry:
            r.fail(key, "missing 'E_J' (coupling energy per area, J/m^2)")
        if name in {c.name for c in contacts}:
            r.fail(key, f"'{name}' is also an SN contact")
        critical = entry.get("critical_twist")
        try:
            links.append(
                WeakLink(
                    name=name,
                    E_J=r.number(entry, key, "E_J", default=0.0),
                    critical_twist=None
                    if critical is None
                    else r.number(entry, key, "critical_twist", default=0.0),
                )
            )
        except ValueError as exc:
            r.fail(key, str(exc))
    Ts0, phase0 = _initial(r, r.table(table, "initial", prefix=_SECTION), rods)
    return SuperconductorLayout(
        rods=rods, contacts=tuple(contacts), links=tuple(links), Ts0=Ts0, phase0=phase0
    )


def _entries(
    r: _Reader, table: Mapping[str, Any], name: str, required: bool = False
) -> list[tuple[str, Mapping[str, Any]]]:
    sub = r.table(table, name, prefix=_SECTION)
    if required and not sub:
        example = {"rods": "[superconductor.rods.rod] kappa = 1.0, omega0 = 2.0"}.get(
            name, "[superconductor.contacts.contact_left] kappa_SN = 1.0"
        )
        r.fail(f"{_SECTION}.{name}", f"missing: give at least one, e.g. {example}")
    for entry_name, entry in sub.items():
        if not isinstance(entry, Mapping):
            r.fail(f"{_SECTION}.{name}.{entry_name}", f"must be a table, got {entry!r}")
    return list(sub.items())


def _check_time(r: _Reader, table: Any) -> None:
    """The superconductor steps with a fixed Δt to t_end (a whole number of steps)."""
    if not isinstance(table, Mapping) or not table:
        return
    if table.get("adaptive") is True:
        r.fail("time.adaptive", "the heat superconductor steps with a fixed dt: remove adaptive")
    for key in _FIXED_DT:
        if key in table:
            r.fail(f"time.{key}", "the heat superconductor steps with a fixed dt and to t_end")
    t_end, dt = table.get("t_end"), table.get("dt")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (t_end, dt)):
        return  # [time] itself reports these
    if dt > 0 and abs(t_end / dt - round(t_end / dt)) > 1e-9 * max(1.0, t_end / dt):
        r.fail("time.dt", f"t_end = {t_end} must be a whole number of steps dt = {dt}")
    for m in table.get("milestones", []) or []:
        if (
            isinstance(m, (int, float))
            and dt > 0
            and abs(m / dt - round(m / dt)) > 1e-9 * max(1.0, m / dt)
        ):
            r.fail("time.milestones", f"{m} is not a whole number of steps dt = {dt}")


def _initial(
    r: _Reader, table: Mapping[str, Any], rods: Mapping[str, RodMaterial]
) -> tuple[float | dict[str, float] | None, dict[str, float]]:
    key = f"{_SECTION}.initial"
    r.keys(table, key, SCHEMA["initial"].names())  # type: ignore[union-attr]
    Ts0: float | dict[str, float] | None = None
    if "Ts" in table and not isinstance(table["Ts"], Mapping):
        Ts0 = r.number(table, key, "Ts", default=0.0)
    elif "Ts" in table:
        Ts0 = _by_rod(r, table["Ts"], f"{key}.Ts", rods)
    phase0 = _by_rod(r, table.get("phase", {}), f"{key}.phase", rods)
    return Ts0, phase0


def _by_rod(r: _Reader, table: Any, key: str, rods: Mapping[str, RodMaterial]) -> dict[str, float]:
    if not isinstance(table, Mapping):
        r.fail(key, f"must be a table of numbers by rod region ({{ rod = 1.0 }}), got {table!r}")
    out = {}
    for region in table:
        if region not in rods:
            r.fail(f"{key}.{region}", f"'{region}' is not a rod region ({', '.join(rods)})")
        value = r.number(table, key, region, default=0.0)
        if not math.isfinite(value):
            r.fail(f"{key}.{region}", f"must be finite, got {value}")
        out[region] = value
    return out


def check_layout(layout: SuperconductorLayout, domain: Domain, source: str) -> None:
    """The names against the mesh: rods are regions, each contact an interface between a rod
    region and another (a reservoir), each weak link one between two rod regions."""
    from lkfem.physics.superconductor.rods import interface_regions

    for region in layout.rods:
        if region not in domain.regions:
            raise CaseError(
                source,
                f"{_SECTION}.rods.{region}",
                f"no region named '{region}' in the mesh "
                f"(regions: {', '.join(sorted(domain.regions))})",
            )
    exterior = set(domain.exterior_boundaries())
    interfaces = sorted(set(domain.boundaries) - exterior)
    for kind, items in (("contacts", layout.contacts), ("links", layout.links)):
        for item in items:
            key = f"{_SECTION}.{kind}.{item.name}"
            if item.name not in domain.boundaries or item.name in exterior:
                raise CaseError(
                    source,
                    key,
                    f"'{item.name}' is not an interior interface of the mesh "
                    f"(interfaces: {', '.join(interfaces) or 'none'})",
                )
            try:
                pair = interface_regions(domain, [item.name], source)[item.name]
            except CaseError:
                raise CaseError(source, key, f"'{item.name}' must separate two regions") from None
            on_rod = [p in layout.rods for p in pair]
            if kind == "contacts" and sum(on_rod) != 1:
                raise CaseError(
                    source,
                    key,
                    f"'{item.name}' separates {pair[0]} and {pair[1]}: an SN contact lies "
                    "between a reservoir and a rod region",
                )
            if kind == "links" and not all(on_rod):
                raise CaseError(
                    source,
                    key,
                    f"'{item.name}' separates {pair[0]} and {pair[1]}: a weak link lies "
                    "between two rod regions",
                )
