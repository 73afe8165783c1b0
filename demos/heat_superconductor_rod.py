# ---
# jupyter:
#   jupytext:
#     text_representation:
#       format_name: percent
# ---

# %% [markdown]
# # A heat-superconducting rod between two reservoirs (paper 001, Fig. 2, in 3D)
#
# A rod of rotating time crystals joins two reservoirs held at T ± δT/2 on their far faces. The
# heat crossing each SN contact is κ_SN (T_N − T_s); inside the rod it flows as the
# supercurrent j_s = −κ ω0 ∇θ without resistance, so the current J = δT / (2/(κ_SN A) +
# reservoir resistance) does not depend on the rod's length. A normal rod of conductivity k in
# the same place adds its series resistance L/(k A): its current falls as 1/(R0 + L/(kA)).
#
# Run: `python3 demos/heat_superconductor_rod.py [--size test|full] [--out DIR]`, or under
# `mpirun -n 2`. Output: `current_vs_length.png` (J against L, and θ along the rod),
# `current_vs_length.csv`, and `fields.xdmf` (T with T_s in the rod, q, θ, j_s; for ParaView).
#
# ## Strong form
#
# Steady state (docs/theory.md, "Heat superconductor"). In the reservoirs, Fourier conduction
# (the LK model's Fourier limit)
#
#     q = −k∇T,      ∇·q = 0,
#
# with T = ±δT/2 on "hot" and "cold", adiabatic elsewhere, and q·n = κ_SN (T − T_s) leaving
# through each contact. The rod has one temperature T_s, fixed by its balance
#
#     Σ_contacts ∫ κ_SN (T_N − T_s) dA = 0,
#
# and the twist θ solves −∇·(κ ω0 ∇θ) = 0 in the rod with κ ω0 ∂θ/∂n = κ_SN (T_N − T_s) on the
# contacts (0 on its free surface); the supercurrent is j_s = −κ ω0 ∇θ.
#
# ## Weak form
#
# Reservoirs: the (q, T) mixed form with the primal element, q ∈ [DG0]³, T ∈ P1, T = ±δT/2 on
# hot and cold: for all (p, v), v = 0 there,
#
#     ∫ (q·p / k + ∇T·p) dx − ∫ q·∇v dx + Σ_contacts ∫ κ_SN (T − T_s) v dS = 0.
#
# Twist: θ ∈ P1 on the rod with ∫ θ dx = 0 such that, for all ψ ∈ P1 on the rod,
#
#     ∫ κ ω0 ∇θ·∇ψ dx = Σ_contacts ∫ κ_SN (T_N − T_s) ψ dS.
#
# The normal rod is the same reservoir problem with the rod region a conductor of k_normal.

# %%
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from mpi4py import MPI

import lkfem as lk
from lkfem.meshes import rod_between_reservoirs

log = lk.get_logger("heat_superconductor_rod")  # "[lkfem.heat_superconductor_rod] ..." on rank 0

# %% [markdown]
# ## Parameters (scaled units)

# %%
DT = 1.0  # K: far faces at ±δT/2
KAPPA_SN = 0.5  # W/(m² K), each contact
K_RESERVOIR = 50.0  # W/(m K)
K_NORMAL = 1.0  # W/(m K), the normal rod
ROD = lk.RodMaterial(kappa=1.0, omega0="2*pi*(1 + 0.1*T)", C=1.0)  # J/m, rad/s, J/(m³ K)
SIZES = {
    "test": {"h": 0.25, "h_rod": 0.12, "lengths": (0.6, 1.2, 1.8)},
    "full": {"h": 0.1, "h_rod": 0.04, "lengths": (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)},
}
GEOMETRY = {"radius": 0.15, "box_length": 0.6, "box_width": 0.6}


# %% [markdown]
# ## One rod length
#
# The superconducting rod and the normal rod on the same mesh: J is the heat through the left
# contact (superconductor) or through the cold face (normal rod). For the middle length the
# fields go to `fields.xdmf`: `lk.SuperconductorFields` holds them (T with T_s in the rod, q,
# θ, j_s, T_s) and `lk.FieldWriter` writes them.


# %%
def currents(
    length: float, setup: dict, comm: MPI.Comm, fields: Path | None = None
) -> tuple[float, float, dict]:
    """J through the superconducting rod and through the normal rod (W), and the former's
    record (T_s, contact heats, twist). With ``fields``, also write T (T_s in the rod), q, θ and
    j_s there (XDMF) and put θ along the rod into the record."""
    domain = rod_between_reservoirs.build(
        comm, length=length, h=setup["h"], h_rod=setup["h_rod"], **GEOMETRY
    )
    bcs = {"hot": lk.Temperature(value=DT / 2), "cold": lk.Temperature(value=-DT / 2)}
    reservoir = lk.Material(k=K_RESERVOIR)
    reservoirs = {"reservoir_left": reservoir, "reservoir_right": reservoir}
    sc = lk.HeatSuperconductor(
        domain,
        reservoirs,
        {"rod": ROD},
        bcs,
        contacts=[
            lk.SNInterface(name=name, kappa_SN=KAPPA_SN)
            for name in ("contact_left", "contact_right")
        ],
    )
    record = sc.solve_steady()
    record["contact_area_m2"] = sc.area["contact_left"]
    if fields is not None:
        output = lk.SuperconductorFields(sc)
        writer = lk.FieldWriter(fields, domain, output)
        writer.write(0.0)  # refreshes the fields from the solution, then writes them
        writer.close()
        record["theta_profile"] = axis_profile(output.theta, domain.region_cells("rod"), comm)
    sc.destroy()
    normal = lk.LKProblem(domain, {**reservoirs, "rod": lk.Material(k=K_NORMAL)}, bcs)
    normal.solve_steady()
    J_normal = lk.Quantities(normal).evaluate()["heat_flow_W"]["cold"]
    normal.destroy()
    return record["contact_heat_W"]["contact_left"], J_normal, record


# %% [markdown]
# θ along the rod: its P1 values at the rod's points, gathered on every rank and sorted by x.
# In the steady state it falls linearly, ∂θ/∂x = −J/(κ ω0 A) (paper 001, eq. 8).


# %%
def axis_profile(theta, cells, comm: MPI.Comm) -> tuple[np.ndarray, np.ndarray]:
    V = theta.function_space
    owned = V.dofmap.index_map.size_local
    dofs = np.unique(V.dofmap.list[cells])
    dofs = dofs[dofs < owned]
    x = V.tabulate_dof_coordinates()[dofs, 0]
    xs = np.concatenate(comm.allgather(x))
    values = np.concatenate(comm.allgather(theta.x.array[dofs].copy()))
    order = np.argsort(xs)
    return xs[order], values[order]


# %% [markdown]
# ## The sweep over rod lengths
#
# J of both rods for every length; the table goes to `current_vs_length.csv` and the picture,
# and θ along the middle-length rod is compared with eq. 8.


# %%
def main(size: str = "full", out: str = "results/demos/heat_superconductor_rod") -> dict:
    comm = MPI.COMM_WORLD
    setup = SIZES[size]
    folder = Path(out)
    if comm.rank == 0:
        folder.mkdir(parents=True, exist_ok=True)
    comm.barrier()
    rows = []
    middle = setup["lengths"][len(setup["lengths"]) // 2]
    for length in setup["lengths"]:
        fields = folder / "fields.xdmf" if length == middle else None
        J_s, J_n, record = currents(length, setup, comm, fields)
        if fields is not None:
            profile, profile_J = record["theta_profile"], J_s
        rows.append((length, J_s, J_n))
        log.info(
            f"L = {length:g} m: J = {J_s:.6g} W (superconducting), "
            f"{J_n:.6g} W (normal rod), T_s = {record['Ts_K']['rod']:.3g} K"
        )
    table = np.array(rows)
    A = record["contact_area_m2"]
    summary = {
        "lengths_m": table[:, 0].tolist(),
        "J_superconducting_W": table[:, 1].tolist(),
        "J_normal_W": table[:, 2].tolist(),
        "contact_limit_W": KAPPA_SN * A * DT / 2,  # J with ideal (isothermal) reservoirs
        "normal_slope_per_W_m": float(np.polyfit(table[:, 0], 1 / table[:, 2], 1)[0]),
        "normal_slope_expected": 1 / (K_NORMAL * np.pi * GEOMETRY["radius"] ** 2 * DT),
    }
    # the twist gradient of the middle length against eq. 8, −J/(κ ω0 A), in the middle half
    x, theta = profile
    inner = (x > x.min() + 0.25 * middle) & (x < x.max() - 0.25 * middle)
    omega0 = ROD.omega(float(record["Ts_K"]["rod"]))
    summary["twist_gradient_per_m"] = float(np.polyfit(x[inner], theta[inner], 1)[0])
    summary["twist_gradient_expected_per_m"] = -profile_J / (ROD.kappa * omega0 * A)
    if comm.rank == 0:
        np.savetxt(
            folder / "current_vs_length.csv",
            table,
            delimiter=",",
            header="length_m,J_superconducting_W,J_normal_W",
            comments="",
        )
        _plot(folder / "current_vs_length.png", table, summary, (x, theta), middle)
        summary["files"] = [
            str(folder / name)
            for name in ("current_vs_length.png", "current_vs_length.csv", "fields.xdmf")
        ]
    return summary


# %% [markdown]
# ## Picture
#
# Left: J against L for both rods, with the contact limit κ_SN A δT/2 (ideal reservoirs).
# Right: θ along the superconducting rod against the slope of eq. 8.


# %%
def _plot(path, table, summary, profile, length):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    ax.plot(table[:, 0], table[:, 1], "o-", label="heat superconductor")
    ax.plot(table[:, 0], table[:, 2], "s-", label=f"normal rod, k = {K_NORMAL:g} W/(m K)")
    ax.axhline(summary["contact_limit_W"], color="grey", ls=":", label="κ_SN A δT / 2")
    ax.set(xlabel="rod length L (m)", ylabel="heat current J (W)", ylim=(0, None))
    ax.set_title("Current against rod length (paper 001, Fig. 2, in 3D)")
    ax.legend()
    x, theta = profile
    ax2.plot(x, theta, ".", ms=3, label="θ at the rod's mesh points")
    slope = summary["twist_gradient_expected_per_m"]
    ax2.plot(x, slope * (x - x.mean()) + theta.mean(), "k--", label="slope −J/(κ ω0 A) (eq. 8)")
    ax2.set(xlabel="x (m)", ylabel="twist phase θ (rad)")
    ax2.set_title(f"Twist along the superconducting rod, L = {length:g} m")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--out", default="results/demos/heat_superconductor_rod")
    args = parser.parse_args()
    main(args.size, args.out)
