"""The heat superconductor (MODEL.md §3, paper 001 eqs. 3–10) against its exact predictions:
length-independent current J = κ_SN A δT/2, contact conductances in series, the twist gradient
−J/(κ ω0 A), energy conservation, the AC and DC Josephson effects; and a normal rod's series
resistance in the same geometry for contrast."""

import numpy as np
import pytest
from dolfinx import fem

import lkfem as lk
from lkfem.meshes import rod_between_reservoirs, split_rod
from lkfem.physics.lk.problem import LKProblem
from lkfem.physics.lk.quantities import Quantities
from lkfem.physics.superconductor.model import (
    HeatSuperconductor,
    RodMaterial,
    SNInterface,
    WeakLink,
)
from lkfem.physics.superconductor.twist import dominant_frequency

from .verification import assemble_global

GEOMETRY = dict(radius=0.15, box_length=0.6, box_width=0.6, h=0.2, h_rod=0.1)
RESERVOIR = lk.Material(k=100.0, C=1.0)  # conducts well: its spreading resistance ~ 3e-4 of 2/κA
ROD = RodMaterial(kappa=3.0, omega0="2 + 0.5*T", C=1.0)
DT = 1.0  # K: hot face at +δT/2, cold face at −δT/2


def _rod(comm, length, **extra):
    return rod_between_reservoirs.build(comm, length=length, **{**GEOMETRY, **extra})


def _volume(domain, region):
    return assemble_global(fem.form(1.0 * domain.dx(domain.regions[region])))


def _superconductor(domain, kappa1, kappa2, bcs=None, rod=ROD, reservoir=RESERVOIR):
    bcs = bcs or {"hot": lk.Temperature(value=DT / 2), "cold": lk.Temperature(value=-DT / 2)}
    return HeatSuperconductor(
        domain,
        {"reservoir_left": reservoir, "reservoir_right": reservoir},
        {"rod": rod},
        bcs,
        contacts=[
            SNInterface(name="contact_left", kappa_SN=kappa1),
            SNInterface(name="contact_right", kappa_SN=kappa2),
        ],
    )


def test_geometry_names_and_sizes(comm):
    domain = _rod(comm, 1.0)
    assert sorted(domain.regions) == ["reservoir_left", "reservoir_right", "rod"]
    assert sorted(domain.exterior_boundaries()) == ["cold", "hot", "rod_surface", "walls"]
    assert {"contact_left", "contact_right"} <= set(domain.boundaries)
    r = GEOMETRY["radius"]
    assert _volume(domain, "rod") == pytest.approx(np.pi * r**2, rel=0.08)  # faceted: ~10 sides
    assert _volume(domain, "reservoir_left") == pytest.approx(0.6**3 * 1.0, rel=1e-10)
    split = split_rod.build(comm, length=1.0, link_position=0.4, **GEOMETRY)
    assert sorted(split.regions) == ["reservoir_left", "reservoir_right", "rod_left", "rod_right"]
    assert "weak_link" in split.boundaries and "weak_link" not in split.exterior_boundaries()
    assert _volume(split, "rod_left") / _volume(split, "rod_right") == pytest.approx(4 / 6, 0.05)
    with pytest.raises(lk.MeshError, match="fit the box face"):
        rod_between_reservoirs.build(comm, radius=0.3, box_width=0.5)
    with pytest.raises(lk.MeshError, match="link_position"):
        split_rod.build(comm, link_position=1.2)


def test_symmetric_contacts_current_independent_of_length(comm):
    """J = κ_SN A δT/2 (A the meshed contact area) up to the reservoirs' small spreading
    resistance (< 1e-3 here), the same for three rod lengths to 1e-4 (the reservoir meshes are
    not exactly translates, see meshes/_rod.py), and the energy balance to round-off. The twist:
    the mean of ∂θ/∂x over the rod is −J L/(κ ω0 |Ω|) to 1e-8 (the weak form tested with x),
    and θ is linear along the rod with slope −J/(κ ω0 A) to 3 % (faceted cylinder)."""
    kappa_SN = 0.2
    currents = []
    for length in (0.8, 1.2, 1.6):
        sc = _superconductor(_rod(comm, length), kappa_SN, kappa_SN)
        record = sc.solve_steady()
        A = sc.area["contact_left"]
        J = record["contact_heat_W"]["contact_left"]
        assert record["contact_heat_W"]["contact_right"] == pytest.approx(-J, rel=1e-6)
        assert J > 0  # from hot to cold
        assert abs(J / (kappa_SN * A * DT / 2) - 1) < 1e-3
        assert abs(record["balance_error_W"]) < 1e-12
        assert sum(record["heat_flow_W"].values()) == pytest.approx(0.0, abs=1e-12)
        currents.append(J)
        theta, _ = sc.supercurrent()
        domain = sc.domain
        omega = record["omega0_rad_s"]["rod"]
        assert omega == ROD.omega(record["Ts_K"]["rod"])
        V = _volume(domain, "rod")
        mean = assemble_global(fem.form(theta.dx(0) * domain.dx(domain.regions["rod"]))) / V
        assert mean == pytest.approx(-J * length / (ROD.kappa * omega * V), rel=1e-8)
        x, values = _axis_profile(theta, domain, length)
        slope = np.polyfit(x, values, 1)[0]
        assert slope == pytest.approx(-J / (ROD.kappa * omega * A), rel=0.03)
        assert np.max(np.abs(np.polyval(np.polyfit(x, values, 1), x) - values)) < 0.02 * abs(
            slope * length
        )
        sc.destroy()
    assert max(currents) / min(currents) - 1 < 1e-4


def _axis_profile(theta, domain, length):
    """θ at the rod's dofs in its middle half (x, θ), gathered on all ranks."""
    V = theta.function_space
    n = V.dofmap.index_map.size_local
    X = V.tabulate_dof_coordinates()[:n]
    keep = (X[:, 0] > 0.25 * length) & (X[:, 0] < 0.75 * length)
    keep &= np.hypot(X[:, 1], X[:, 2]) < GEOMETRY["radius"] * 1.01
    x = np.concatenate(domain.comm.allgather(X[keep, 0]))
    v = np.concatenate(domain.comm.allgather(theta.x.array[:n][keep]))
    return x, v


def test_normal_rod_series_resistance(comm):
    """The same geometry with a normal rod of conductivity k (perfect contacts): 1/J grows
    linearly with L, slope 1/(k A δT) with A = |Ω_rod|/L, to 2 %."""
    k = 1.0
    lengths, inverse = [], []
    for length in (0.8, 1.2, 1.6):
        domain = _rod(comm, length)
        problem = LKProblem(
            domain,
            {"reservoir_left": RESERVOIR, "reservoir_right": RESERVOIR, "rod": lk.Material(k=k)},
            {"hot": lk.Temperature(value=DT / 2), "cold": lk.Temperature(value=-DT / 2)},
        )
        problem.solve_steady()
        J = Quantities(problem).evaluate()["heat_flow_W"]["cold"]
        lengths.append(length)
        inverse.append(1 / J)
        A = _volume(domain, "rod") / length
        problem.destroy()
    slope = np.polyfit(lengths, inverse, 1)[0]
    assert slope == pytest.approx(1 / (k * A * DT), rel=0.02)


def test_asymmetric_contacts_in_series(comm):
    """κ1 ≠ κ2: J = δT / (1/(κ1 A) + 1/(κ2 A)) (to 1e-3, the reservoirs' own resistance), and
    T_s is the conductance-weighted mean of the contacts' mean temperatures (to 1e-10)."""
    k1, k2 = 0.4, 0.1
    sc = _superconductor(_rod(comm, 1.0), k1, k2)
    record = sc.solve_steady()
    A1, A2 = sc.area["contact_left"], sc.area["contact_right"]
    J = record["contact_heat_W"]["contact_left"]
    assert J == pytest.approx(DT / (1 / (k1 * A1) + 1 / (k2 * A2)), rel=1e-3)
    problem = sc.problem
    T1, T2 = (
        assemble_global(fem.form(problem.T("+") * problem.dS(sc.domain.boundaries[n]))) / A
        for n, A in (("contact_left", A1), ("contact_right", A2))
    )
    Ts = record["Ts_K"]["rod"]
    assert Ts == pytest.approx((k1 * A1 * T1 + k2 * A2 * T2) / (k1 * A1 + k2 * A2), abs=1e-10)
    assert Ts == pytest.approx((k1 * DT / 2 - k2 * DT / 2) / (k1 + k2), abs=1e-3 * DT)
    sc.destroy()


@pytest.mark.parametrize("scheme", ["backward_euler", "bdf2"])
def test_energy_conserved_in_a_transient(comm, scheme):
    """Hot face ramped up, cold face convective, reservoirs slow: d/dt (reservoir energy +
    C_s |Ω| T_s) + heat leaving = 0 at every step to round-off; with backward Euler also the
    totals: ΔE + Σ Δt (heat leaving) = 0."""
    domain = _rod(comm, 1.0, h=0.3, h_rod=0.15)
    bcs = {
        "hot": lk.Temperature(value="0.5*min(t/0.2, 1)"),
        "cold": lk.Convection(h=1.0, T_inf=-0.5),
    }
    rod = RodMaterial(kappa=3.0, omega0="2 + 0.5*T", C=5.0)
    sc = _superconductor(domain, 2.0, 1.0, bcs, rod=rod, reservoir=lk.Material(k=1.0, C=1.0))
    sc.set_initial(T0=0.0)
    dt = 0.05
    records = sc.run(1.0, dt, scheme)
    flows = [sum(r["heat_flow_W"].values()) for r in records]
    scale = max(abs(f) for f in flows)
    assert scale > 1e-2
    assert max(abs(r["balance_error_W"]) for r in records[1:]) < 1e-11 * scale
    assert records[-1]["Ts_K"]["rod"] > 0.01  # the rod warms up from the hot side
    if scheme == "backward_euler":
        energy = [r["reservoir_energy_J"] + r["rod_energy_J"] for r in records]
        assert abs(energy[-1] - energy[0] + dt * sum(flows[1:])) < 1e-12 * scale
    sc.destroy()


def _split(comm, T_left, T_right, link, rod, phase0):
    domain = split_rod.build(
        comm, length=1.0, radius=0.15, box_length=0.4, box_width=0.5, h=0.25, h_rod=0.15
    )
    sc = HeatSuperconductor(
        domain,
        {"reservoir_left": RESERVOIR, "reservoir_right": RESERVOIR},
        {"rod_left": rod, "rod_right": rod},
        {"hot": lk.Temperature(value=T_left), "cold": lk.Temperature(value=T_right)},
        contacts=[
            SNInterface(name="contact_left", kappa_SN=50.0),
            SNInterface(name="contact_right", kappa_SN=50.0),
        ],
        links=[link],
    )
    sc.set_initial(
        T0=f"{T_left} if x < 0.5 else {T_right}",
        Ts0={"rod_left": T_left, "rod_right": T_right},
        phase0={"rod_left": phase0},
    )
    return sc


def test_ac_josephson_frequency(comm):
    """Pieces held at T_L ≠ T_R (strong contacts, large C_s): the weak-link current oscillates
    at |ω0(T_L) − ω0(T_R)| to 1 % (measured: a few 1e-6), from its spectrum; its amplitude is
    E_J ω0 A; energy balance (with the link's work) to round-off."""
    rod = RodMaterial(kappa=1.0, omega0="2*pi*(1 + 0.5*T)", C=1e3)
    link = WeakLink(name="weak_link", E_J=1e-3)
    sc = _split(comm, 1.0, 0.0, link, rod, np.pi / 2)
    records = sc.run(300 * 0.02, 0.02)[1:]
    t = np.array([r["t_s"] for r in records])
    J = np.array([r["link_heat_W"]["weak_link"]["out_W"] for r in records])
    expected = abs(rod.omega(1.0) - rod.omega(0.0))
    assert dominant_frequency(t, J) == pytest.approx(expected, rel=0.01)
    bound = link.E_J * rod.omega(1.0) * sc.area["weak_link"]
    assert J.max() == pytest.approx(bound, rel=1e-3) and J.min() == pytest.approx(-bound, rel=1e-3)
    # round-off of the rod's energy rate C_s |Ω| (T_s − T_sⁿ)/Δt sets the scale
    scale = max(p.heat_capacity for p in sc.pieces) * 1.0 / 0.02
    assert max(abs(r["balance_error_W"]) for r in records) < 1e-13 * scale
    sc.destroy()


@pytest.mark.parametrize("phase0", [np.pi / 6, np.pi / 2, -2.0])
def test_dc_josephson_current(comm, phase0):
    """T_L = T_R and ω0 independent of T: a steady current E_J ω0 A sin Δ set by the phase
    difference (to 1 %: the twist shifts Δ at the link a little), never above E_J ω0 A."""
    omega = 2 * np.pi
    rod = RodMaterial(kappa=1.0, omega0=omega, C=1.0)
    link = WeakLink(name="weak_link", E_J=1e-2)
    sc = _split(comm, 0.5, 0.5, link, rod, phase0)
    records = sc.run(20 * 0.05, 0.05)[1:]
    bound = link.E_J * omega * sc.area["weak_link"]
    J = np.array([r["link_heat_W"]["weak_link"]["out_W"] for r in records])
    assert np.all(np.abs(J) <= bound * (1 + 1e-12))
    assert J[-1] == pytest.approx(bound * np.sin(phase0), rel=0.01)
    assert abs(J[-1] - J[-2]) < 1e-6 * bound  # steady
    sc.destroy()


def test_spectrum_peak_interpolation():
    t = np.linspace(0.0, 20.0, 1001)
    assert dominant_frequency(t, 0.3 + np.sin(2.345 * t + 0.4)) == pytest.approx(2.345, rel=2e-3)


def test_bad_input(comm):
    with pytest.raises(ValueError, match="kappa"):
        RodMaterial(kappa=-1.0, omega0=1.0, C=1.0)
    with pytest.raises(ValueError, match="critical_twist"):
        WeakLink(name="w", E_J=1.0, critical_twist=4.0)
    domain = _rod(comm, 1.0, h=0.3, h_rod=0.15)
    reservoirs = {"reservoir_left": RESERVOIR, "reservoir_right": RESERVOIR}
    with pytest.raises(lk.CaseError, match="hdiv"):
        LKProblem(domain, reservoirs, {}, inactive=("rod",), element="hdiv")
    with pytest.raises(lk.CaseError, match="active and an inactive"):
        LKProblem(
            domain,
            reservoirs,
            {},
            inactive=("rod",),
            interface_exchange={"walls": lk.Convection(h=1.0, T_inf=0.0)},
        )
    with pytest.raises(lk.CaseError, match="no material"):
        LKProblem(domain, reservoirs, {})
    sc = _superconductor(domain, 1.0, 1.0)
    with pytest.raises(ValueError, match="scheme must be one of"):  # not silently BDF2
        sc.run(0.1, 0.05, "crank_nicolson")
    sc.destroy()


def test_phase_slips_cap_the_link_current(comm):
    """With a critical twist Δ_c = π/4 the AC link slips (φ2 reset) each time the mean phase
    difference passes Δ_c: the current never exceeds E_J ω0 A sin(Δ_c + ω Δt) (one step's
    advance past Δ_c), the slips come at the beat frequency, and energy is still conserved."""
    rod = RodMaterial(kappa=1.0, omega0="2*pi*(1 + 0.5*T)", C=1e3)
    critical = np.pi / 4
    link = WeakLink(name="weak_link", E_J=1e-3, critical_twist=critical)
    sc = _split(comm, 1.0, 0.0, link, rod, 0.0)
    dt, steps = 0.02, 200
    records = sc.run(steps * dt, dt)[1:]
    J = np.array([r["link_heat_W"]["weak_link"]["out_W"] for r in records])
    beat = abs(rod.omega(1.0) - rod.omega(0.0))
    bound = link.E_J * rod.omega(1.0) * sc.area["weak_link"]
    assert np.abs(J).max() <= bound * np.sin(critical + beat * dt) * (1 + 1e-6)
    assert np.abs(J).max() > 0.9 * bound * np.sin(critical)  # it does reach the critical twist
    # Δ climbs from 0 to Δ_c at the beat rate, then restarts: one slip per Δ_c/beat seconds
    expected = steps * dt * beat / critical
    assert abs(sc.slips["weak_link"] - expected) <= 0.1 * expected + 1
    scale = max(p.heat_capacity for p in sc.pieces) / dt
    assert max(abs(r["balance_error_W"]) for r in records) < 1e-13 * scale
    sc.destroy()


@pytest.mark.parametrize(
    "reservoir, element",
    [
        (lk.Material(k=100.0, C=1.0, tau=0.05), "primal"),  # Maxwell–Cattaneo
        (lk.Material(k=100.0, C=1.0, ell=0.05), "taylor_hood"),  # Guyer–Krumhansl
    ],
)
def test_cattaneo_and_gk_reservoirs(comm, reservoir, element):
    """Reservoirs in the Cattaneo and GK limits of the LK model: the steady current is still
    independent of the rod length (1e-4), and a transient from a cold start conserves energy
    to round-off with the rod warming towards the mean."""
    currents = []
    for length in (0.8, 1.6):
        domain = _rod(comm, length, h=0.3, h_rod=0.15)
        sc = HeatSuperconductor(
            domain,
            {"reservoir_left": reservoir, "reservoir_right": reservoir},
            {"rod": ROD},
            {"hot": lk.Temperature(value=DT / 2), "cold": lk.Temperature(value=-DT / 2)},
            contacts=[
                SNInterface(name="contact_left", kappa_SN=0.2),
                SNInterface(name="contact_right", kappa_SN=0.2),
            ],
            element=element,
        )
        assert sc.problem.element == element
        currents.append(sc.solve_steady()["contact_heat_W"]["contact_left"])
        sc.destroy()
    assert currents[0] > 0 and abs(currents[1] / currents[0] - 1) < 1e-4
    sc = _superconductor(_rod(comm, 1.0, h=0.3, h_rod=0.15), 2.0, 2.0, rod=ROD, reservoir=reservoir)
    sc.set_initial(T0=0.0, Ts0={"rod": -0.4})
    dt = 0.02
    records = sc.run(10 * dt, dt)
    flows = [sum(r["heat_flow_W"].values()) for r in records]
    scale = max(abs(f) for f in flows) + max(p.heat_capacity for p in sc.pieces) / dt
    assert max(abs(r["balance_error_W"]) for r in records[1:]) < 1e-11 * scale
    assert records[-1]["Ts_K"]["rod"] > -0.4  # heat flows into the cold rod
    sc.destroy()


def test_unlisted_contact_is_reported(comm, capsys):
    """A rod touching a reservoir across an interface that is not listed as a contact gets no
    heat there; the model says so (rank 0) instead of failing silently."""
    domain = _rod(comm, 1.0, h=0.3, h_rod=0.15)
    sc = HeatSuperconductor(
        domain,
        {"reservoir_left": RESERVOIR, "reservoir_right": RESERVOIR},
        {"rod": ROD},
        {"hot": lk.Temperature(value=DT / 2), "cold": lk.Temperature(value=-DT / 2)},
        contacts=[SNInterface(name="contact_left", kappa_SN=0.2)],
    )
    out = capsys.readouterr().out
    if comm.rank == 0:
        assert "warning: rod region 'rod' meets other regions across" in out, out
    else:
        assert "warning" not in out
    record = sc.solve_steady()  # only one contact: no current, T_s at the left contact's T
    assert abs(record["contact_heat_W"]["contact_left"]) < 1e-10
    sc.destroy()
    sc = _superconductor(domain, 0.2, 0.2)  # both listed: no warning
    assert "warning" not in capsys.readouterr().out
    sc.destroy()
