"""The heat superconductor through case files and ``lkfem run``: the steady rod's current at the
contact limit, the split rod's AC Josephson frequency from summary.json, bad input, and 1 versus
2 ranks."""

import json

import numpy as np
import pytest

from lkfem.cli import main

from .verification import assert_rejected, run_on_ranks

STEADY = """
title = "rod"
[mesh]
generator = "rod_between_reservoirs"
[mesh.parameters]
length = 1.0
radius = 0.15
box_length = 0.6
box_width = 0.6
h = 0.2
h_rod = 0.1
[physics]
model = "lk"
[materials.reservoir_left]
k = 100.0
[materials.reservoir_right]
k = 100.0
[superconductor.rods.rod]
kappa = 3.0
omega0 = "2 + 0.5*T"
C = 1.0
[superconductor.contacts.contact_left]
kappa_SN = 0.2
[superconductor.contacts.contact_right]
kappa_SN = 0.2
[boundaries.hot]
type = "temperature"
value = 0.5
[boundaries.cold]
type = "temperature"
value = -0.5
[output]
png = false
"""

SPLIT = """
title = "split rod"
[mesh]
generator = "split_rod"
[mesh.parameters]
length = 1.0
radius = 0.15
box_length = 0.4
box_width = 0.5
h = 0.25
h_rod = 0.15
[physics]
model = "lk"
[materials.reservoir_left]
k = 100.0
[materials.reservoir_right]
k = 100.0
[superconductor.rods.rod_left]
kappa = 1.0
omega0 = "2*pi*(1 + 0.5*T)"
C = 1000.0
[superconductor.rods.rod_right]
kappa = 1.0
omega0 = "2*pi*(1 + 0.5*T)"
C = 1000.0
[superconductor.contacts.contact_left]
kappa_SN = 50.0
[superconductor.contacts.contact_right]
kappa_SN = 50.0
[superconductor.links.weak_link]
E_J = 1e-3
[superconductor.initial]
Ts = { rod_left = 1.0, rod_right = 0.0 }
phase = { rod_left = 1.5707963267948966 }
[boundaries.hot]
type = "temperature"
value = 1.0
[boundaries.cold]
type = "temperature"
value = 0.0
[initial]
T = "1.0 if x < 0.5 else 0.0"
[time]
t_end = 4.0
dt = 0.04
scheme = "backward_euler"
[output]
every = 50
png = false
"""


def _write(folder, comm, text):
    path = folder / "case.toml"
    if comm.rank == 0:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    comm.barrier()
    return path


def test_steady_rod_carries_the_contact_limited_current(shared_tmp, comm):
    """Reservoirs at ±δT/2 (δT = 1 K), equal contacts: J = κ_SN A δT/2 within the reservoirs'
    spreading resistance (< 1e-3, as tests/test_superconductor.py); T_s halfway; the fields,
    with θ and j_s, and the energy balance."""
    case = _write(shared_tmp / "sc_steady", comm, STEADY)
    out = shared_tmp / "sc_steady" / "out"
    assert main(["run", str(case), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    sc = summary["superconductor"]
    left, right = sc["contacts"]["contact_left"], sc["contacts"]["contact_right"]
    J = left["heat_in_W"]
    assert J > 0 and right["heat_in_W"] == pytest.approx(-J, rel=1e-6)
    assert abs(J / (0.2 * left["area_m2"] * 1.0 / 2) - 1) < 1e-3
    assert summary["heat_flow_W"]["cold"] == pytest.approx(J, rel=1e-6)
    assert sc["pieces"]["rod"]["Ts_K"] == pytest.approx(0.0, abs=1e-6)
    assert sc["pieces"]["rod"]["omega0_rad_s"] == pytest.approx(2.0, abs=1e-6)
    assert summary["regions"]["rod"]["mean_T_K"] == sc["pieces"]["rod"]["Ts_K"]
    # The twist carries the current: ∫ j_s·e_x dV = J L over the rod of length L = 1 m (the
    # twist's weak form tested with x), so mean j_s = J L/V and |mean ∇θ| = J L/(κ ω0 V).
    rod, volume = sc["pieces"]["rod"], summary["regions"]["rod"]["volume_m3"]
    assert rod["mean_j_s_W_m2"][0] == pytest.approx(J * 1.0 / volume, rel=1e-4)
    assert rod["twist_gradient_rad_m"] == pytest.approx(J * 1.0 / (3.0 * 2.0 * volume), rel=1e-4)
    assert rod["mean_grad_theta_rad_m"][0] < 0  # j_s = −κ ω0 ∇θ
    assert summary["energy_balance_error_W"] < 1e-12
    assert summary["steps"] == 0 and sc["links"] == {}
    written = {"summary.json", "fields.xdmf", "fields.h5", "fields.bp", "fields.pvd", "fields/"}
    written |= {"paraview.py", "run.log"}
    # dolfinx 0.9's VTX writes the cellwise j_s, T_s apart, in fields_cells.bp
    assert written <= set(summary["files"]) <= written | {"fields_cells.bp"}
    xdmf = (out / "fields.xdmf").read_text()
    for name in ("T", "q", "theta", "j_s", "T_s"):
        assert f'Name="{name}"' in xdmf, name


def test_steady_omega0_is_checked_at_the_steady_rod_temperature(shared_tmp, comm):
    """ω0 = 2 T vanishes at the default initial T = 0, but a steady solve meets only the
    converged T_s (here 1 K, reservoirs at 1.5 and 0.5 K): it runs (it was refused with
    'omega0(0 K) = 0 rad/s'), with ω0 = 2 rad/s and the contact-limited current."""
    text = STEADY.replace('"2 + 0.5*T"', '"2*T"')
    text = text.replace("value = 0.5", "value = 1.5").replace("value = -0.5", "value = 0.5")
    case = _write(shared_tmp / "sc_omega", comm, text)
    out = shared_tmp / "sc_omega" / "out"
    assert main(["run", str(case), "--out", str(out)]) == 0
    sc = json.loads((out / "summary.json").read_text())["superconductor"]
    assert sc["pieces"]["rod"]["Ts_K"] == pytest.approx(1.0, abs=1e-6)
    assert sc["pieces"]["rod"]["omega0_rad_s"] == pytest.approx(2.0, abs=2e-6)
    left = sc["contacts"]["contact_left"]
    assert abs(left["heat_in_W"] / (0.2 * left["area_m2"] * 1.0 / 2) - 1) < 1e-3


def test_split_rod_ac_josephson_frequency(shared_tmp, comm):
    """Pieces held at 1 K and 0 K: the weak link's current oscillates at |ω0(1) − ω0(0)| = π
    rad/s (to 1 %, from summary.json's spectrum) with amplitude E_J ω0(1 K) A (to 1 %); the
    time series and the spectrum on file; energy balance to round-off."""
    case = _write(shared_tmp / "sc_split", comm, SPLIT)
    out = shared_tmp / "sc_split" / "out"
    assert main(["run", str(case), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    link = summary["superconductor"]["links"]["weak_link"]
    assert (link["from"], link["to"]) == ("rod_left", "rod_right")
    spectrum = link["spectrum"]
    assert spectrum["dominant_omega_rad_s"] == pytest.approx(np.pi, rel=0.01)
    assert spectrum["dominant_frequency_Hz"] == pytest.approx(0.5, rel=0.01)
    assert spectrum["amplitude_W"] == pytest.approx(1e-3 * 3 * np.pi * link["area_m2"], rel=0.01)
    assert summary["steps"] == 100 and summary["t_final_s"] == pytest.approx(4.0)
    assert summary["energy_balance_error_W"] < 1e-10
    assert set(summary["files"]) >= {"timeseries.csv", "spectrum.csv", "fields.xdmf"}
    rows = np.genfromtxt(out / "timeseries.csv", delimiter=",", names=True)
    assert len(rows) == 101
    assert rows["Ts_Krod_left"][-1] == pytest.approx(1.0, abs=1e-5)  # genfromtxt drops ':'
    J = rows["link_heat_out_Wweak_link"]
    assert J.max() == pytest.approx(spectrum["amplitude_W"], rel=0.01)
    spec = np.genfromtxt(out / "spectrum.csv", delimiter=",", names=True)
    peak = spec["omega_rad_s"][np.argmax(spec["amplitude_Wweak_link"])]
    assert abs(peak - np.pi) <= spectrum["resolution_rad_s"]


BAD = {
    "unknown_key": (STEADY.replace("C = 1.0\n", "C = 1.0\nmass = 2.0\n"), "unknown key 'mass'"),
    "rod_not_in_mesh": (
        STEADY.replace("[superconductor.rods.rod]", "[superconductor.rods.bar]"),
        "[superconductor.rods.bar]: no region named 'bar'",
    ),
    "contact_on_the_outside": (
        STEADY.replace("contacts.contact_right]", "contacts.walls]"),
        "[superconductor.contacts.walls]: 'walls' is not an interior interface",
    ),
    "contact_between_rods": (
        SPLIT.replace("links.weak_link]\nE_J = 1e-3", "contacts.weak_link]\nkappa_SN = 1.0"),
        "[superconductor.contacts.weak_link]: 'weak_link' separates rod_left and rod_right: "
        "an SN contact lies between a reservoir and a rod region",
    ),
    "contact_also_link": (
        SPLIT.replace("contacts.contact_right]", "contacts.weak_link]"),
        "[superconductor.links.weak_link]: 'weak_link' is also an SN contact",
    ),
    "link_not_between_rods": (
        SPLIT.replace("[superconductor.contacts.contact_right]\nkappa_SN = 50.0\n", "").replace(
            "links.weak_link]", "links.contact_right]"
        ),
        "[superconductor.links.contact_right]: 'contact_right' separates reservoir_right and "
        "rod_right: a weak link lies between two rod regions",
    ),
    "piece_without_contact": (
        SPLIT.replace("[superconductor.contacts.contact_right]\nkappa_SN = 50.0\n", ""),
        "[superconductor.contacts]: rod piece 'rod_right' has no SN contact",
    ),
    "rod_with_material": (
        STEADY.replace("[superconductor.rods", "[materials.rod]\nk = 1.0\n[superconductor.rods"),
        "[superconductor.rods.rod]: 'rod' also has [materials.rod]",
    ),
    "missing_kappa_SN": (
        STEADY.replace("kappa_SN = 0.2\n[boundaries", "[boundaries"),
        "[superconductor.contacts.contact_right]: missing 'kappa_SN'",
    ),
    "negative_kappa": (
        STEADY.replace("kappa = 3.0", "kappa = -3.0"),
        "[superconductor.rods.rod.kappa]: must be > 0, got -3.0",
    ),
    "omega0_name": (
        STEADY.replace('"2 + 0.5*T"', '"2 + 0.5*Ts"'),
        "[superconductor.rods.rod.omega0]: unknown name 'Ts'",
    ),
    "omega0_at_steady_T": (  # T_s = 0 at the steady state: ω0 = −1 there
        STEADY.replace('"2 + 0.5*T"', '"2*T - 1"'),
        "K) = -1 rad/s, but it must be positive at the steady rod temperature",
    ),
    # with weak links the steady T_s is known only once the iteration has converged: an
    # iterate's T_s is not called the steady one
    "omega0_at_steady_iterate": (
        SPLIT.split("[superconductor.initial]")[0].replace('"2*pi*(1 + 0.5*T)"', '"T - 5"')
        + '[boundaries.hot]\ntype = "temperature"\nvalue = 1.0\n'
        + '[boundaries.cold]\ntype = "temperature"\nvalue = 0.0\n[output]\npng = false\n',
        "rad/s, but it must be positive at the rod temperature of steady iteration 1 (not "
        "converged)",
    ),
    "omega0_at_initial_Ts": (  # rod_right starts at T_s = 0
        SPLIT.replace('"2*pi*(1 + 0.5*T)"', '"2*pi*T"'),
        "[superconductor.rods.rod_right.omega0]: omega0(0 K) = 0 rad/s, but it must be positive "
        "at the initial rod temperature",
    ),
    "hdiv": (STEADY + '[solver]\nelement = "hdiv"\n', "[solver.element]"),
    "fourier": (
        STEADY.replace('model = "lk"', 'model = "fourier"'),
        '[physics.model]: the heat superconductor couples to the LK reservoirs: use model = "lk"',
    ),
    "adaptive": (
        SPLIT.replace("scheme =", "adaptive = true\nscheme ="),
        "[time.adaptive]: the heat superconductor steps with a fixed dt",
    ),
    "partial_step": (SPLIT.replace("t_end = 4.0", "t_end = 4.01"), "[time.dt]: t_end = 4.01"),
    "initial_not_a_rod": (
        SPLIT.replace("rod_right = 0.0 }", "reservoir_right = 0.0 }"),
        "[superconductor.initial.Ts.reservoir_right]: 'reservoir_right' is not a rod region",
    ),
    "no_contacts": (
        STEADY.split("[superconductor.contacts.contact_left]")[0]
        + "[boundaries.hot]\ntype = 'temperature'\nvalue = 1.0\n",
        "[superconductor.contacts]: missing",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_superconductor_input(shared_tmp, comm, capsys, kind):
    text, expected = BAD[kind]
    folder = shared_tmp / f"sc_bad_{kind}"
    case = _write(folder, comm, text)
    assert_rejected(case, folder / "out", comm, capsys, expected)


@pytest.mark.serial
def test_superconductor_serial_and_parallel_agree(tmp_path):
    """The split rod (fewer steps) on 1 and 2 ranks: the same summary to solver tolerance."""
    case = tmp_path / "case.toml"
    case.write_text(SPLIT.replace("t_end = 4.0", "t_end = 1.2"))
    summaries = {}
    for n, out in run_on_ranks(case, tmp_path).items():
        summaries[n] = json.loads((out / "summary.json").read_text())
    one, two = (summaries[n]["superconductor"] for n in (1, 2))
    assert two["pieces"].keys() == one["pieces"].keys()
    for name, piece in one["pieces"].items():
        for key in ("Ts_K", "omega0_rad_s", "phase_rad", "heat_capacity_J_K"):
            assert two["pieces"][name][key] == pytest.approx(piece[key], rel=1e-8, abs=1e-12)
    for name, contact in one["contacts"].items():
        for key in ("area_m2", "heat_in_W"):
            assert two["contacts"][name][key] == pytest.approx(contact[key], rel=1e-6, abs=1e-12)
    link1, link2 = one["links"]["weak_link"], two["links"]["weak_link"]
    for key in ("heat_out_W", "heat_in_W", "area_m2"):
        assert link2[key] == pytest.approx(link1[key], rel=1e-8)
    for key in ("dominant_omega_rad_s", "amplitude_W"):
        assert link2["spectrum"][key] == pytest.approx(link1["spectrum"][key], rel=1e-8)
    assert summaries[2]["heat_flow_W"] == pytest.approx(summaries[1]["heat_flow_W"], abs=1e-12)


def test_an_empty_superconductor_table_is_no_superconductor():
    """``[superconductor]`` with nothing in it leaves the case to its model (and its checks)."""
    import tomllib

    import lkfem as lk

    data = tomllib.loads(STEADY)
    data["superconductor"] = {}
    data["physics"] = {"model": "fourier"}
    data["materials"] = {"reservoir_left": {"k": 1.0}, "reservoir_right": {"k": 1.0}}
    data.pop("initial", None)
    data.pop("time", None)
    case = lk.parse_case(data)
    assert case.physics == "fourier" and case.superconductor is None and case.cloak is None
    data["time"] = {"t_end": 1.0, "dt": 0.1}
    with pytest.raises(lk.CaseError, match="the fourier model is steady"):
        lk.parse_case(data)
