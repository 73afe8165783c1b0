# ---
# jupyter:
#   jupytext:
#     text_representation:
#       format_name: percent
# ---

# %% [markdown]
# # A heat pulse through a slab: Fourier, Maxwell–Cattaneo and Guyer–Krumhansl
#
# The "flash" experiment: a short heat pulse enters the front face of a slab, every other face
# is adiabatic, and the temperature of the rear face is recorded. Fourier's law spreads the
# pulse at once; Maxwell–Cattaneo carries it as a damped wave arriving at t = L/c with
# c = √(k/(Cτ)); Guyer–Krumhansl adds the non-local length ℓ, which at ℓ² = kτ/C ("Fourier
# resonance") cancels the wave and above it makes the pulse spread faster than Fourier.
#
# Run: `python3 demos/heat_pulse_slab.py [--size test|full] [--out DIR]`, or under
# `mpirun -n 2`. Output: `heat_pulse.png` (rear-face temperature and profiles) and
# `rear_face.csv`.
#
# ## Strong form
#
# Physical parameters k, τ, ℓ, C (docs/theory.md), T = 0 and q = 0 at t = 0:
#
#     τ ∂q/∂t + q = −k∇T + ℓ²∇²q,      C ∂T/∂t + ∇·q = 0,
#     q·n = −P on the front face (x = 0) while START < t ≤ START + PULSE, q·n = 0 elsewhere
#     (free slip where ℓ > 0).
#
# ## Weak form
#
# lkfem's monolithic (q, T) formulation in Landau form, a = 1/k, Γ = τ/k, λ = ℓ²/k: find
# (q, T) such that for all (p, v)
#
#     ∫ (Γ ∂q/∂t·p + a q·p + λ ∇q:∇p + ∇T·p) dx + Nitsche terms (ℓ > 0)
#       + ∫ (C ∂T/∂t v − q·∇v) dx + ∫_front g v ds = 0,      g = −P during the pulse.
#
# For ℓ = 0, q ∈ [DG0]³ and T ∈ P1 ("primal"); for ℓ > 0 Taylor–Hood (q ∈ [P2]³, T ∈ P1)
# with q·n = g imposed by Nitsche's method. In time, BDF2 with steps landing on the start and
# the end of the pulse. (The pulse starts after the first, backward-Euler, step: BDF2 then
# conserves the injected energy exactly once its start-up transient has decayed.)

# %%
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from dolfinx import fem
from mpi4py import MPI

import lkfem as lk
from lkfem.meshes import layered_slab

log = lk.get_logger("heat_pulse_slab")  # "[lkfem.heat_pulse_slab] ..." on rank 0

# %% [markdown]
# ## Parameters (SI-like units, scaled so that the slab is 1 m thick)

# %%
L = 1.0  # slab thickness (m)
WIDTH = 0.04  # cross-section (m)
K, C = 1.0, 1.0  # W/(m K), J/(m³ K)
TAU = 0.05  # s: wave speed √(k/(Cτ)) = 4.47 m/s
POWER, START, PULSE = 50.0, 0.01, 0.02  # W/m² from t = START (s) for PULSE seconds
MODELS = {  # name: (τ, ℓ)
    "Fourier": (0.0, 0.0),
    "Maxwell–Cattaneo": (TAU, 0.0),
    "Guyer–Krumhansl": (TAU, float(np.sqrt(3 * K * TAU / C))),  # ℓ² = 3 kτ/C
}
SIZES = {
    "test": {"h": 0.1, "dt": 0.005, "t_end": 0.3},
    "full": {"h": 0.01, "dt": 5e-4, "t_end": 0.6},
}


# %% [markdown]
# ## One model
#
# The pulse is a flux condition on "left" switched on and off by an expression of t; after
# every step the mean rear-face temperature is recorded, and the profile T(x) at the snapshot
# times.


# %%
def simulate(domain, tau, ell, dt, t_end, snapshots):
    """Rear-face mean temperature over time and T(x) profiles at ``snapshots``."""
    material = lk.Material(k=K, C=C, tau=tau, ell=ell)
    window = f"(t > {START} + 1e-12)*(t < {START + PULSE} + 1e-12)"
    bcs = {"left": lk.HeatFlux(value=f"-{POWER}*{window}")}
    problem = lk.LKProblem(domain, {"layer0": material}, bcs, degree=1)
    problem.set_initial(T0=0.0)
    rear = fem.form(problem.T * domain.ds(domain.boundaries["right"]))
    area = WIDTH * WIDTH
    comm = domain.comm
    times, rear_T, profiles = [0.0], [0.0], {}

    def record(step):
        times.append(step.t)
        rear_T.append(comm.allreduce(fem.assemble_scalar(rear), op=MPI.SUM) / area)
        for ts in snapshots:
            if abs(step.t - ts) < 1e-9:
                profiles[ts] = _profile(problem, domain)

    settings = lk.TimeSettings(
        t_end=t_end, dt=dt, scheme="bdf2", milestones=(START, START + PULSE, *snapshots)
    )
    lk.run_transient(problem, settings, record)
    energy = comm.allreduce(fem.assemble_scalar(fem.form(C * problem.T * problem.dx)), op=MPI.SUM)
    problem.destroy()
    return np.array(times), np.array(rear_T), profiles, energy


def _profile(problem, domain, n=101):
    """T along the slab's axis (mean over the cross-section by sampling the centre line)."""
    _, T = problem.split()
    x = np.linspace(0.0, L, n)
    points = {f"p{i}": [xi, WIDTH / 2, WIDTH / 2] for i, xi in enumerate(x)}
    values = lk.probe(domain, [T], points)
    return x, np.array([values[f"p{i}"]["T"] for i in range(n)])


# %% [markdown]
# ## The three models
#
# One mesh, three runs; all of the injected energy P × PULSE × area stays in the adiabatic
# slab, and the time at which the rear face reaches half its final rise tells the models
# apart (Cattaneo's wave arrives at about L/c).


# %%
def main(size: str = "full", out: str = "results/demos/heat_pulse_slab") -> dict:
    comm = MPI.COMM_WORLD
    setup = SIZES[size]
    domain = layered_slab.build(comm, thickness=[L], ly=WIDTH, lz=WIDTH, h=setup["h"])
    snapshots = (0.1, 0.2)
    results = {}
    for name, (tau, ell) in MODELS.items():
        log.info(f"{name}: tau = {tau} s, ell = {ell:.3f} m")
        results[name] = simulate(domain, tau, ell, setup["dt"], setup["t_end"], snapshots)
    injected = POWER * PULSE * WIDTH * WIDTH  # J: all of it stays in the adiabatic slab
    summary = {
        "injected_J": injected,
        "final_energy_J": {name: r[3] for name, r in results.items()},
        "rear_T_final_K": {name: float(r[1][-1]) for name, r in results.items()},
        "rear_T_half_time_s": {name: _half_rise_time(r[0], r[1]) for name, r in results.items()},
        "wave_arrival_s": L / np.sqrt(K / (C * TAU)),
    }
    if comm.rank == 0:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        _write_csv(folder / "rear_face.csv", results)
        _plot(folder / "heat_pulse.png", results, snapshots, summary)
        summary["files"] = [str(folder / "heat_pulse.png"), str(folder / "rear_face.csv")]
    for name, t_half in summary["rear_T_half_time_s"].items():
        log.info(f"{name}: rear face reaches half its final rise at t = {t_half:.4f} s")
    return summary


# %% [markdown]
# ## Post-processing: the half-rise time, the table and the picture


# %%
def _half_rise_time(t, T):
    target = 0.5 * T[-1]
    index = int(np.argmax(T >= target))
    return float(np.interp(target, T[index - 1 : index + 1], t[index - 1 : index + 1]))


def _write_csv(path, results):
    names = list(results)
    t = results[names[0]][0]
    columns = [t] + [results[n][1] for n in names]
    header = "t_s," + ",".join(f"rear_T_K:{n}" for n in names)
    np.savetxt(path, np.column_stack(columns), delimiter=",", header=header, comments="")


def _plot(path, results, snapshots, summary):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, (t, rear, profiles, _) in results.items():
        line = ax1.plot(t, rear, label=name)[0]
        for ts, style in zip(snapshots, ("-", "--"), strict=True):
            x, T = profiles[ts]
            ax2.plot(x, T, style, color=line.get_color(), label=f"{name}, t = {ts} s")
    ax1.axvline(summary["wave_arrival_s"], color="grey", lw=0.8, ls=":")
    ax1.text(summary["wave_arrival_s"], 0.02 * ax1.get_ylim()[1], " L/c", color="grey")
    ax1.set(xlabel="t (s)", ylabel="rear-face T − T₀ (K)", title="Rear-face temperature")
    ax2.set(xlabel="x (m)", ylabel="T − T₀ (K)", title="Temperature profiles")
    ax1.legend()
    ax2.legend(fontsize=7)
    fig.suptitle("A heat pulse through a slab: Fourier, Maxwell–Cattaneo, Guyer–Krumhansl")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--out", default="results/demos/heat_pulse_slab")
    args = parser.parse_args()
    main(args.size, args.out)
