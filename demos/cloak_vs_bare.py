# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # A spherical bilayer thermal cloak against the bare object
#
# A well-conducting ball (k = 20 k0) sits in a cube of background k0 with a uniform applied
# gradient (hot face x = −L/2, cold face x = +L/2). Bare, it pulls the isotherms towards itself.
# Wrapped in a bilayer cloak — an insulating shell r1 < r < r2 and a conducting shell
# r2 < r < r3 of
#
#     k2 = k0 (2 r3³ + r2³) / (2 (r3³ − r2³))
#
# — it disappears: outside r3 the isotherms are the undisturbed, evenly spaced planes.
#
# What it shows: the isotherms on the mid-plane z = 0 for the cloaked and the bare object side
# by side (`isotherms.png`), and the cloak's quality
#
#     g = ‖T − T_ref‖²_out / ‖T_bare − T_ref‖²_out,
#
# with T_ref the field with no object and no cloak, all three solved on the same mesh, the norm
# over the background (docs/theory.md, "Thermal cloaks").
#
# Run: `mpirun -n 2 python3 demos/cloak_vs_bare.py [--size test|full|large] [--out DIR]`.
# `large` generates and solves a mesh of more than two million cells and reports the time and
# memory of each stage. Output: `isotherms.png` and `summary.json`.
#
# ## Strong form
#
# Steady Fourier conduction, −∇·(k ∇T) = 0 in the cube, k piecewise constant per region;
# T = T_hot on "left", T_cold on "right", adiabatic elsewhere.
#
# ## Weak form
#
# Find T ∈ P1, T = T_D on left and right, with ∫ k ∇T·∇v dx = 0 for all v ∈ P1 vanishing
# there (`lk.solve_steady_fourier`, CG with algebraic multigrid).

# %%
from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

from mpi4py import MPI

import lkfem as lk
from lkfem.meshes import spherical_cloak
from lkfem.plot import RenderError, render_midplane

log = lk.get_logger("cloak_vs_bare")  # "[lkfem.cloak_vs_bare] ..." on rank 0

# %% [markdown]
# ## Parameters
#
# Radii (m), conductivities (W/(m K)), temperatures (K), and mesh sizes (m): "test" for the
# test suite, "full" for a good picture, "large" for more than two million cells.

# %%
L = 0.8  # cube edge (m)
R1, R2, R3 = 0.1, 0.15, 0.25  # object, insulating shell, conducting shell (m)
K0 = 1.0  # background (W/(m K))
K_OBJECT = 20.0 * K0
K_INSULATOR = 1e-6 * K0
K2 = K0 * (2 * R3**3 + R2**3) / (2 * (R3**3 - R2**3))  # the cloaking outer shell
T_HOT, T_COLD = 1.0, 0.0  # (K)
SIZES = {  # mesh size away from the cloak, and in it (m)
    "test": {"h": 0.1, "h_interface": 0.03},
    "full": {"h": 0.04, "h_interface": 0.012},
    "large": {"h": 0.02, "h_interface": 0.006},
}
LAYOUT = lk.CloakLayout(
    object=("object",), layers=("inner_layer", "outer_layer"), background="background"
)
MATERIALS = {
    "background": lk.Material(k=K0),
    "object": lk.Material(k=K_OBJECT),
    "inner_layer": lk.Material(k=K_INSULATOR),
    "outer_layer": lk.Material(k=K2),
}


def memory_gb(comm: MPI.Comm) -> tuple[float, float]:
    """Peak resident memory (GB): the largest rank's and the sum over ranks."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # kB -> GB
    return comm.allreduce(peak, op=MPI.MAX), comm.allreduce(peak, op=MPI.SUM)


# %% [markdown]
# ## The three solves
#
# The cloaked object, the bare object (the cloak's shells made of background) and the
# reference (no object either) differ only in their materials: `CloakLayout.materials` makes
# the variants.


# %%
def solve_variants(domain: lk.Domain, stages: dict[str, float]) -> tuple[dict, dict]:
    """T and the CG iterations of the cloaked, bare and reference runs; times into ``stages``."""
    bcs = {"left": lk.Temperature(value=T_HOT), "right": lk.Temperature(value=T_COLD)}
    T, iterations = {}, {}
    for variant, m in (
        ("cloaked", MATERIALS),
        ("bare", LAYOUT.materials(MATERIALS, "bare")),
        ("reference", LAYOUT.materials(MATERIALS, "reference")),
    ):
        t0 = time.perf_counter()
        result = lk.solve_steady_fourier(domain, m, bcs, solver_options={"ksp_rtol": 1e-10})
        stages[f"solve_{variant}_s"] = time.perf_counter() - t0
        T[variant], iterations[variant] = result.T, result.solve.iterations
        log.info(
            f"{variant}: {result.solve.iterations} CG iterations "
            f"({stages[f'solve_{variant}_s']:.1f} s)"
        )
    return T, iterations


# %% [markdown]
# ## Picture: isotherms on the mid-plane, cloaked and bare side by side
#
# `lkfem.plot.render_midplane` gathers both fields on rank 0 and draws them off screen with
# common isotherms; where no off-screen rendering is possible, a warning and no picture.


# %%
def picture(path: Path, T: dict) -> bool:
    """``isotherms.png``; False (with a warning) when it cannot be drawn."""
    try:
        render_midplane(
            path,
            {"cloaked object": T["cloaked"], "bare object": T["bare"]},
            normal="z",
            isotherms=15,
        )
    except RenderError as exc:
        log.warning(str(exc))
        return False
    return True


# %% [markdown]
# ## The study
#
# Mesh, the three solves, the metrics, the picture, and a summary with the time and memory of
# each stage.


# %%
def main(size: str = "test", out: str = "results/cloak_vs_bare") -> dict[str, Any]:
    comm = MPI.COMM_WORLD
    folder = Path(out)
    if comm.rank == 0:
        folder.mkdir(parents=True, exist_ok=True)
    stages: dict[str, float] = {}
    started = time.perf_counter()
    domain = spherical_cloak.build(comm, lx=L, ly=L, lz=L, r1=R1, r2=R2, r3=R3, **SIZES[size])
    stages["mesh_s"] = time.perf_counter() - started
    log.info(
        f"mesh: {domain.num_cells()} cells, {domain.num_vertices()} vertices "
        f"({stages['mesh_s']:.1f} s)"
    )
    T, iterations = solve_variants(domain, stages)
    metrics = lk.cloak_metrics(domain, LAYOUT, T["cloaked"], T["reference"], T["bare"])
    log.info(
        f"g = {metrics['g']:.3g}; max |T - T_ref| outside: cloaked "
        f"{metrics['max_abs_dT_outside_K']:.3g} K, "
        f"bare {metrics['bare_max_abs_dT_outside_K']:.3g} K"
    )
    files = {"summary": str(folder / "summary.json")}
    t0 = time.perf_counter()
    if picture(folder / "isotherms.png", T):
        files["isotherms"] = str(folder / "isotherms.png")
    stages["picture_s"] = time.perf_counter() - t0
    stages["total_s"] = time.perf_counter() - started
    peak_rank, peak_total = memory_gb(comm)
    summary = {
        "size": size,
        "mpi_ranks": comm.size,
        "cells": domain.num_cells(),
        "vertices": domain.num_vertices(),
        "k2": K2,
        "cg_iterations": iterations,
        **metrics,
        "timings_s": stages,
        "peak_memory_gb": {"largest_rank": peak_rank, "all_ranks": peak_total},
        "files": files,
    }
    if comm.rank == 0:
        Path(files["summary"]).write_text(json.dumps(summary, indent=2) + "\n")
    log.info(
        f"{domain.num_cells()} cells on {comm.size} rank(s): {stages['total_s']:.1f} s, "
        f"peak memory {peak_rank:.2f} GB per rank ({peak_total:.2f} GB in all); "
        f"results in {folder}"
    )
    return summary


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--out", default="results/cloak_vs_bare")
    args = parser.parse_args()
    main(args.size, args.out)
