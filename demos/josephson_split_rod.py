# ---
# jupyter:
#   jupytext:
#     text_representation:
#       format_name: percent
# ---

# %% [markdown]
# # The AC Josephson effect of a heat superconductor: a split rod (paper 001, MODEL.md §3)
#
# A rod of rotating time crystals is cut in two by a weak link; each piece touches its own
# reservoir, whose far face is held at T_L (left) or T_R (right). Each piece turns at its own
# clock rate ω0(T_s), so the phase difference across the link runs at ω0(T_s,L) − ω0(T_s,R)
# and the heat current through the link, E_J ω0 A sin Δ, oscillates at that angular
# frequency: the AC Josephson effect. With T_L = T_R the phase difference stands still and
# the link carries a DC current E_J ω0 A sin Δ set by the phase difference, never above
# E_J ω0 A. The demo measures the AC frequency from the spectrum of the link current and
# compares it with |ω0(T_s,L) − ω0(T_s,R)| (the pieces' actual temperatures) and with
# |ω0(T_L) − ω0(T_R)| (the reservoirs'); then it sweeps the initial phase difference at
# T_L = T_R.
#
# Run: `python3 demos/josephson_split_rod.py [--size test|full] [--out DIR]`, or under
# `mpirun -n 2`. Output: `josephson.png` (link current, its spectrum, the DC sweep),
# `link_current.csv` (the AC time series), `summary.json`.
#
# ## Strong form
#
# docs/theory.md, "Heat superconductor". Reservoirs: C ∂T/∂t − ∇·(k∇T) = 0 (the LK model's
# Fourier limit), T = T_L, T_R on the far faces, κ_SN (T − T_s,p) leaving through each piece's
# contact. Each piece p has one temperature T_s,p and a phase φ_p + θ with
#
#     dφ_p/dt = ω0(T_s,p),
#     C_s |Ω_p| dT_s,p/dt = ∫ κ_SN (T_N − T_s,p) dA ∓ ∫ E_J ω0(T_s,p) sin Δ dA,
#     −∇·(κ ω0 ∇θ) = −C_s dT_s,p/dt in Ω_p,
#     κ ω0 ∂θ/∂n = heat entering per area on its interfaces,
#
# with Δ = (φ_L + θ_L) − (φ_R + θ_R) on the link (− for the left piece: heat leaves it when
# sin Δ > 0).
#
# ## Weak form
#
# Reservoirs: the (q, T) mixed form with the primal element, q ∈ [DG0]³, T ∈ P1, T = T_L, T_R
# on the far faces, backward Euler in time: for all (p, v), v = 0 there,
#
#     ∫ (q·p / k + ∇T·p) dx + ∫ (C ∂T/∂t v − q·∇v) dx + Σ_contacts ∫ κ_SN (T − T_s,p) v dS = 0.
#
# The T_s,p follow from the pieces' balances through the reservoirs' unit responses; φ_p
# advances by the trapezoidal rule. Twist of piece p: θ ∈ P1 on Ω_p, ∫ θ dx = 0, such that
# for all ψ ∈ P1 on Ω_p
#
#     ∫ κ ω0 ∇θ·∇ψ dx = −∫ C_s (dT_s,p/dt) ψ dx + ∫ g ψ dS,
#
# with g the heat entering per area through the piece's contact and the link.

# %%
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from mpi4py import MPI

import lkfem as lk
from lkfem.meshes import split_rod

log = lk.get_logger("josephson_split_rod")  # "[lkfem.josephson_split_rod] ..." on rank 0

# %% [markdown]
# ## Parameters (scaled units)
#
# ω0(T) = 2π (1 + T/2): pieces at 1 K and 0 K differ by π rad/s, a 2 s period. The contacts
# are strong (κ_SN × 1 K = 50 W/m² against the link's E_J ω0 ≈ 10⁻² W/m²), so the pieces stay
# within 10⁻³ K of their reservoirs' temperatures; the DC state at T_L = T_R decays only on the
# time scale κ_SN / (2 E_J ω0 dω0/dT) ≈ 10³ s (docs/theory.md, "Stability"), far beyond the
# runs.

# %%
T_L, T_R = 1.0, 0.0  # K: far faces of the left and right reservoirs (AC run)
T_DC = 0.5  # K: both far faces (DC runs)
KAPPA_SN = 50.0  # W/(m² K), each contact
RESERVOIR = lk.Material(k=100.0, C=1.0)  # W/(m K), J/(m³ K)
ROD = lk.RodMaterial(kappa=1.0, omega0="2*pi*(1 + 0.5*T)", C=1.0)  # J/m, rad/s, J/(m³ K)
LINK = lk.WeakLink(name="weak_link", E_J=1e-3)  # J/m²
PHASE_AC = np.pi / 2  # rad: initial phase difference of the AC run
GEOMETRY = {"length": 1.0, "radius": 0.15, "box_length": 0.4, "box_width": 0.5}
SIZES = {
    "test": {
        "h": 0.25,
        "h_rod": 0.15,
        "dt": 0.02,
        "t_end": 6.0,  # 3 periods
        "dc_phases": (-2.0, -np.pi / 4, np.pi / 6, np.pi / 2, 2.5),
        "dc_steps": 10,
    },
    "full": {
        "h": 0.1,
        "h_rod": 0.05,
        "dt": 0.01,
        "t_end": 20.0,  # 10 periods
        "dc_phases": tuple(np.linspace(-np.pi, np.pi, 13)[1:-1]),
        "dc_steps": 40,
    },
}


# %% [markdown]
# ## The model on the split rod


# %%
def superconductor(domain, T_left: float, T_right: float) -> lk.HeatSuperconductor:
    """Reservoirs held at T_left and T_right on their far faces, two rod pieces, one link."""
    return lk.HeatSuperconductor(
        domain,
        {"reservoir_left": RESERVOIR, "reservoir_right": RESERVOIR},
        {"rod_left": ROD, "rod_right": ROD},
        {"hot": lk.Temperature(value=T_left), "cold": lk.Temperature(value=T_right)},
        contacts=[
            lk.SNInterface(name=name, kappa_SN=KAPPA_SN)
            for name in ("contact_left", "contact_right")
        ],
        links=[LINK],
    )


def start(sc: lk.HeatSuperconductor, T_left: float, T_right: float, phase: float) -> None:
    """Reservoirs and pieces at their far faces' temperatures, φ_L − φ_R = ``phase``, t = 0."""
    x_mid = GEOMETRY["length"] / 2
    sc.set_initial(
        T0=f"{T_left} if x < {x_mid} else {T_right}",
        Ts0={"rod_left": T_left, "rod_right": T_right},
        phase0={"rod_left": phase},
    )


def series(records: list[dict]) -> dict[str, np.ndarray]:
    """Time series from the records (t = 0 left out): heat leaving the left piece through the
    link and entering the right one, the pieces' T_s and ω0, φ_L − φ_R."""
    records = records[1:]

    def column(f):
        return np.array([f(r) for r in records])

    return {
        "t_s": column(lambda r: r["t_s"]),
        "J_out_W": column(lambda r: r["link_heat_W"]["weak_link"]["out_W"]),
        "J_in_W": column(lambda r: r["link_heat_W"]["weak_link"]["in_W"]),
        "Ts_left_K": column(lambda r: r["Ts_K"]["rod_left"]),
        "Ts_right_K": column(lambda r: r["Ts_K"]["rod_right"]),
        "omega0_left_rad_s": column(lambda r: r["omega0_rad_s"]["rod_left"]),
        "phase_difference_rad": column(
            lambda r: r["phase_rad"]["rod_left"] - r["phase_rad"]["rod_right"]
        ),
        "balance_error_W": column(lambda r: r["balance_error_W"]),
    }


# %% [markdown]
# ## AC: T_L ≠ T_R


# %%
def ac_run(domain, setup: dict) -> tuple[dict, dict]:
    """The link current at T_L ≠ T_R, its dominant frequency against the two predictions."""
    sc = superconductor(domain, T_L, T_R)
    start(sc, T_L, T_R, PHASE_AC)
    data = series(sc.run(setup["t_end"], setup["dt"]))
    area = sc.area["weak_link"]
    sc.destroy()
    measured = lk.dominant_frequency(data["t_s"], data["J_out_W"])
    pairs = zip(data["Ts_left_K"], data["Ts_right_K"], strict=True)
    omega_Ts = np.abs([ROD.omega(a) - ROD.omega(b) for a, b in pairs])
    predicted_Ts = float(omega_Ts.mean())  # the pieces' actual temperatures
    predicted_reservoirs = abs(ROD.omega(T_L) - ROD.omega(T_R))
    amplitude = LINK.E_J * ROD.omega(T_L) * area  # E_J ω0(T_L) A
    result = {
        "T_left_K": T_L,
        "T_right_K": T_R,
        "Ts_left_mean_K": float(data["Ts_left_K"].mean()),
        "Ts_right_mean_K": float(data["Ts_right_K"].mean()),
        "omega_measured_rad_s": measured,
        "omega_predicted_Ts_rad_s": predicted_Ts,
        "omega_predicted_reservoirs_rad_s": predicted_reservoirs,
        "relative_error_Ts": measured / predicted_Ts - 1,
        "relative_error_reservoirs": measured / predicted_reservoirs - 1,
        "frequency_measured_Hz": measured / (2 * np.pi),
        "J_max_W": float(data["J_out_W"].max()),
        "J_min_W": float(data["J_out_W"].min()),
        "amplitude_predicted_W": amplitude,
        "link_area_m2": area,
        "balance_error_max_W": float(np.abs(data["balance_error_W"]).max()),
        "steps": int(data["t_s"].size),
    }
    return data, result


# %% [markdown]
# ## DC: T_L = T_R, a sweep of the initial phase difference


# %%
def dc_runs(domain, setup: dict) -> dict:
    """For each initial phase difference Δ0, a short run at T_L = T_R = T_DC: the final link
    current, its drift over the run, and the largest |J| / (E_J ω0(T_s,L) A) seen."""
    sc = superconductor(domain, T_DC, T_DC)
    area = sc.area["weak_link"]
    dt = setup["dt"] * 2.5
    currents, ratios, drifts, ratio = [], [], [], 0.0
    for phase in setup["dc_phases"]:
        start(sc, T_DC, T_DC, float(phase))
        data = series(sc.run(setup["dc_steps"] * dt, dt))
        J = data["J_out_W"]
        bound = LINK.E_J * data["omega0_left_rad_s"] * area  # the same ω0 as in J, per step
        ratio = max(ratio, float(np.max(np.abs(J) / bound)))
        currents.append(float(J[-1]))
        ratios.append(float(J[-1] / bound[-1]))  # sin Δ at the link, on average
        drifts.append(float(np.abs(J - J[-1]).max()))
    sc.destroy()
    bound = LINK.E_J * ROD.omega(T_DC) * area
    phases = np.array(setup["dc_phases"], dtype=float)
    slope = (ROD.omega(T_DC + 1e-3) - ROD.omega(T_DC - 1e-3)) / 2e-3  # dω0/dT (rad/(s K))
    expected = bound * np.sin(phases)
    return {
        "T_K": T_DC,
        "phase0_rad": phases.tolist(),
        "J_DC_W": currents,
        "J_over_bound": ratios,  # J / (E_J ω0(T_s,L) A) at the end of each run
        "J_expected_W": expected.tolist(),  # E_J ω0(T_DC) A sin Δ0
        "bound_W": bound,  # E_J ω0(T_DC) A
        "max_ratio_to_bound": ratio,
        "max_deviation_over_bound": float(np.max(np.abs(np.array(currents) - expected)) / bound),
        "max_drift_over_bound": max(drifts) / bound,
        "run_time_s": setup["dc_steps"] * dt,
        "decay_time_s": KAPPA_SN / (2 * LINK.E_J * ROD.omega(T_DC) * slope),
    }


# %% [markdown]
# ## Report
#
# The AC frequency against both predictions, the AC amplitude against E_J ω0(T_L) A, and
# each DC run's current against E_J ω0 A sin Δ0.


# %%
def report(ac: dict, dc: dict) -> None:
    log.info(
        f"AC, T_L = {T_L:g} K, T_R = {T_R:g} K "
        f"(mean T_s = {ac['Ts_left_mean_K']:.6g} K, {ac['Ts_right_mean_K']:.3g} K): "
        f"ω = {ac['omega_measured_rad_s']:.6f} rad/s measured; "
        f"|ω0(T_s,L) − ω0(T_s,R)| = {ac['omega_predicted_Ts_rad_s']:.6f} rad/s "
        f"(relative error {ac['relative_error_Ts']:.2e}), "
        f"|ω0(T_L) − ω0(T_R)| = {ac['omega_predicted_reservoirs_rad_s']:.6f} rad/s "
        f"(relative error {ac['relative_error_reservoirs']:.2e})"
    )
    log.info(
        f"AC amplitude: max J = {ac['J_max_W']:.6g} W, "
        f"E_J ω0(T_L) A = {ac['amplitude_predicted_W']:.6g} W"
    )
    for phase, J, ratio in zip(dc["phase0_rad"], dc["J_DC_W"], dc["J_over_bound"], strict=True):
        log.info(
            f"DC, T_L = T_R = {T_DC:g} K, Δ0 = {phase:+.4f} rad: "
            f"J = {J:+.6g} W = {ratio:+.5f} E_J ω0(T_s,L) A (sin Δ0 = {np.sin(phase):+.5f})"
        )
    log.info(
        f"DC: max |J| / (E_J ω0 A) = {dc['max_ratio_to_bound']:.12f}, "
        f"drift over {dc['run_time_s']:g} s ≤ {dc['max_drift_over_bound']:.1e} E_J ω0 A"
    )


# %% [markdown]
# ## Run, write and plot
#
# The files are written on rank 0.


# %%
def main(size: str = "full", out: str = "results/demos/josephson_split_rod") -> dict:
    comm = MPI.COMM_WORLD
    setup = SIZES[size]
    domain = split_rod.build(comm, h=setup["h"], h_rod=setup["h_rod"], **GEOMETRY)
    data, ac = ac_run(domain, setup)
    dc = dc_runs(domain, setup)
    summary = {"size": size, "ac": ac, "dc": dc}
    report(ac, dc)
    if comm.rank == 0:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        csv, png = folder / "link_current.csv", folder / "josephson.png"
        names = list(data)
        np.savetxt(
            csv,
            np.column_stack([data[n] for n in names]),
            delimiter=",",
            header=",".join(names),
            comments="",
        )
        files = [str(csv), str(folder / "summary.json")]
        if _plot(png, data, summary):
            files.insert(0, str(png))
        summary["files"] = files
        (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


# %% [markdown]
# ## Picture
#
# Left: the AC link current with the model E_J ω0 A sin(Δ0 + Δω0 t); middle: its spectrum with
# the predicted frequency; right: the DC sweep against E_J ω0 A sin Δ0.


# %%
def _plot(path: Path, data: dict, summary: dict) -> bool:
    """The three panels; False (with a warning) when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:
        log.warning(f"no picture: {error}")
        return False
    ac, dc = summary["ac"], summary["dc"]
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(16, 4.8))
    t, J = data["t_s"], data["J_out_W"]
    amplitude = ac["amplitude_predicted_W"]
    ax1.plot(t, J * 1e3, label="heat leaving the left piece")
    model = amplitude * np.sin(PHASE_AC + ac["omega_predicted_Ts_rad_s"] * t)
    ax1.plot(t, model * 1e3, "k--", lw=0.8, label="E_J ω0(T_L) A sin(Δ0 + Δω0 t)")
    ax1.plot(t, data["J_in_W"] * 1e3, color="C2", lw=0.8, label="heat entering the right piece")
    for sign in (1, -1):
        ax1.axhline(sign * amplitude * 1e3, color="grey", ls=":", lw=0.8)
    ax1.set_ylim(-1.15 * amplitude * 1e3, 1.75 * amplitude * 1e3)
    ax1.set(xlabel="t (s)", ylabel="link heat current J (mW)")
    ax1.set_title(f"AC: T_L = {T_L:g} K, T_R = {T_R:g} K")
    ax1.legend(loc="upper center", fontsize=8, ncol=2)

    omega, amp = lk.spectrum(t, J)
    ax2.plot(omega, amp * 1e3, ".-", label="spectrum of J (Hann window)")
    ax2.axvline(
        ac["omega_predicted_Ts_rad_s"],
        color="C3",
        ls="--",
        label=f"|ω0(T_s,L) − ω0(T_s,R)| = {ac['omega_predicted_Ts_rad_s']:.4f} rad/s",
    )
    ax2.axvline(
        ac["omega_measured_rad_s"],
        color="k",
        ls=":",
        label=f"measured {ac['omega_measured_rad_s']:.4f} rad/s ({ac['relative_error_Ts']:+.1e})",
    )
    ax2.set(xlabel="angular frequency ω (rad/s)", ylabel="amplitude (mW)")
    ax2.set_xlim(0, 4 * ac["omega_predicted_Ts_rad_s"])
    ax2.set_title("Spectrum of the link current")
    ax2.legend(fontsize=8)

    phases = np.linspace(-np.pi, np.pi, 201)
    bound = dc["bound_W"]
    ax3.plot(phases, bound * np.sin(phases) * 1e3, "k-", lw=0.8, label="E_J ω0 A sin Δ0")
    ax3.plot(dc["phase0_rad"], np.array(dc["J_DC_W"]) * 1e3, "o", color="C1", label="computed")
    ax3.axhline(bound * 1e3, color="grey", ls=":", lw=0.8, label="± E_J ω0 A")
    ax3.axhline(-bound * 1e3, color="grey", ls=":", lw=0.8)
    ax3.set(xlabel="phase difference Δ0 (rad)", ylabel="DC link heat current J (mW)")
    ax3.set_title(f"DC: T_L = T_R = {dc['T_K']:g} K")
    ax3.legend(fontsize=8)
    fig.suptitle("Heat superconductor cut by a weak link: the AC and DC Josephson effects")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--out", default="results/demos/josephson_split_rod")
    args = parser.parse_args()
    main(args.size, args.out)
