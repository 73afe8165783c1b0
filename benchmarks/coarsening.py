"""Coarsening of thermal domains in 2D from a random state: the vortex density n_v(t).

Free relaxation (model A, the ``relax`` variant) of q from a random state of small amplitude in a
square with a < 0: q orders at |q| = √(−a/b) within a few Γ/|a|, leaving a gas of vortices and
antivortices that annihilate in pairs. For the 2D XY / vector TDGL model A the vortex density
falls as n_v ~ ln(t/t0)/t (Yurke, Pargellis, Kovacs & Huse, PRE 47, 1525 (1993); Bray, Adv.
Phys. 43, 357 (1994), §6: L(t) ~ (t/ln t)^{1/2}), i.e. an effective exponent a bit below 1 over
the decades a simulation reaches (0.8–0.9 is what simulations measure, e.g. Yurke et al.).

Run (serially or under mpirun; sizes by arguments):
    python3 benchmarks/coarsening.py --L 64 --h 0.5 --t-end 300 --out results/coarsening

It writes the case's results folder (timeseries.csv with the vortex counts per step) and prints
the fitted exponent of n_v ∝ t^−α over the later decade, and of n_v ∝ (t/ln(t/t0))^−α.
"""

from __future__ import annotations

import argparse
import csv
import math
import tomllib
from pathlib import Path

import numpy as np
from mpi4py import MPI

import lkfem as lk

CASE = """
title = "2D coarsening from a random state"
[mesh]
generator = "rectangle"
[mesh.parameters]
Lx = {L}
Ly = {L}
h = {h}
quads = true
[materials.plate]
a = -1.0
b = 1.0
lambda = {lam}
Gamma = 1.0
[domains]
variant = "relax"
[domains.initial]
kind = "random"
seed = {seed}
amplitude = {amp}
correlation_length = {corr}
[time]
t_end = {t_end}
dt = 0.05
scheme = "backward_euler"
adaptive = true
dt_max = {dt_max}
grow_below = 4
shrink_above = 8
[output]
every = 1000000
png = false
formats = ["xdmf"]
"""


def run(
    L: float,
    h: float,
    t_end: float,
    out: Path,
    *,
    lam: float = 1.0,
    seed: int = 1,
    amplitude: float = 0.05,
) -> Path:
    """Run the coarsening case; returns its results folder."""
    text = CASE.format(
        L=L,
        h=h,
        lam=lam,
        seed=seed,
        amp=amplitude,
        corr=2 * h,
        t_end=t_end,
        dt_max=max(0.5, t_end / 100),
    )
    case = lk.parse_case(tomllib.loads(text), source="coarsening.toml")
    lk.run_case(case, out, MPI.COMM_WORLD)
    return out


def read_density(out: Path) -> tuple[np.ndarray, np.ndarray]:
    """t (s) and the vortex density n_v (vortices + antivortices per m²) of a results folder."""
    with open(out / "timeseries.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    t = np.array([float(r["t_s"]) for r in rows])
    n = np.array([float(r["vortex_density_1_m2"]) for r in rows])
    return t, n


def fit(t: np.ndarray, n: np.ndarray, t_from: float, t0: float = 1.0) -> dict[str, float]:
    """The exponent α of n ∝ t^−α and of n ∝ (t/ln(t/t0))^−α for t ≥ t_from (n > 0)."""
    keep = (t >= t_from) & (n > 0)
    slope = np.polyfit(np.log(t[keep]), np.log(n[keep]), 1)[0]
    scaled = t[keep] / np.log(t[keep] / t0)
    slope_log = np.polyfit(np.log(scaled), np.log(n[keep]), 1)[0]
    return {
        "alpha": -float(slope),
        "alpha_log_corrected": -float(slope_log),
        "t_from": t_from,
        "t_to": float(t[keep][-1]),
        "points": int(keep.sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--L", type=float, default=64.0, help="side of the square (m)")
    parser.add_argument("--h", type=float, default=0.5, help="mesh size (m)")
    parser.add_argument("--lam", type=float, default=1.0, help="λ; the core size is ξ = √λ (m)")
    parser.add_argument("--t-end", type=float, default=300.0, help="end time (s)")
    parser.add_argument("--t-from", type=float, default=10.0, help="fit from this time (s)")
    parser.add_argument(
        "--amplitude",
        type=float,
        default=0.05,
        help="rms of the random initial q (q0 = 1); a small one coarsens in the linear phase",
    )
    parser.add_argument("--out", type=Path, default=Path("results/coarsening"))
    args = parser.parse_args()
    out = run(args.L, args.h, args.t_end, args.out, lam=args.lam, amplitude=args.amplitude)
    if MPI.COMM_WORLD.rank == 0:
        t, n = read_density(out)
        result = fit(t, n, args.t_from)
        decades = math.log10(result["t_to"] / result["t_from"])
        print(
            f"n_v ∝ t^-α: α = {result['alpha']:.3f}; n_v ∝ (t/ln t)^-α: "
            f"α = {result['alpha_log_corrected']:.3f} over t = {result['t_from']:.3g}.."
            f"{result['t_to']:.3g} s ({decades:.2f} decades, {result['points']} steps); "
            f"n_v from {n[t >= args.t_from][0]:.4g} to {n[-1]:.4g} 1/m²"
        )


if __name__ == "__main__":
    main()
