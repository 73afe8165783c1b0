# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # Guyer–Krumhansl heat flow past an obstacle in 3D
#
# Heat flows along a box channel (lx × ly × lz = 2 × 1 × 1 m) from a hot end (x = 0) to a cold
# end (x = lx) around a spherical hole. We compare
#
# * **Fourier** conduction (ℓ = 0), the reference, and
# * **Guyer–Krumhansl** (GK) conduction with a non-local length ℓ = 0.15 m, where the heat flux
#   "sticks" to the obstacle (no-slip, q = 0 on the sphere) and slides freely along the outer
#   walls, like a viscous fluid in a channel with slippery walls.
#
# What it shows: the void lowers the effective conductivity of the channel below the matrix
# value k, and the non-local term lowers it further — the flux is held back in a boundary layer
# of thickness ~ℓ around the obstacle. The pictures are the q streamlines coloured by |q| for
# both models side by side (GK shows the stagnant layer around the sphere), and the temperature
# on the mid-plane z = lz/2.
#
# Run: `python3 demos/gk_obstacle_3d.py [--size test|full] [--out DIR]`, or under
# `mpirun -n 2`. Output: `q_streamlines.png`, `T_midplane.png` and `summary.json` (k_eff per
# ℓ, the reduction, the heat flow through every boundary).
#
# ## Strong form
#
# Steady GK in the physical form (τ plays no role in a steady state), in Ω = box \ ball:
#
#     q − ℓ² ∇²q = −k ∇T,      ∇·q = 0,
#
# with T = T_hot on "left", T = T_cold on "right", q = 0 on "sphere" (no-slip) and, on the
# other walls, q·n = 0 with no tangential stress, (∇q n)·t = 0 (free slip). ℓ = 0 is Fourier's
# law q = −k∇T, which needs only q·n = 0 on the walls and the sphere.
#
# ## Weak form
#
# lkfem's LK problem in Landau form: a = 1/k, λ = ℓ²/k, ζ = 1. Find q ∈ [P2]³, T ∈ P1 with
# T = T_D on left and right (Taylor–Hood pair), such that for all (p, v), v = 0 there,
#
#     ∫ (a q·p + λ ∇q:∇p + ∇T·p) dx − ∫ q·∇v dx
#       + Σ_walls ∫ [ −(λ∇q n)·(P p) − (λ∇p n)·(P q) + (γλ/h) (P q)·(P p) ] ds = 0,
#
# the wall conditions imposed by Nitsche's method with P = n⊗n (free slip) or P = I (no-slip).
# The Fourier reference uses the primal pair q ∈ [DG0]³, T ∈ P1 (the standard P1 Galerkin
# method for T). The effective conductivity is
#
#     k_eff = H_right / (ΔT / lx · ly lz),
#
# with H_right the heat leaving through "right", computed from the residual of the energy
# equation (a conservative flux: H_left + H_right = 0 to solver tolerance).

# %%
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.common import Timer
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

import lkfem as lk
from lkfem.meshes import box_with_sphere
from lkfem.plot import RenderError, gather_grid, prepare

log = lk.get_logger("gk_obstacle_3d")  # "[lkfem.gk_obstacle_3d] ..." on rank 0

# %% [markdown]
# ## Parameters
#
# Geometry (m), material (W/(m K), m), temperatures (K) and the two mesh sizes: "test" is
# coarse enough for the test suite, "full" gives figures worth looking at.

# %%
LX, LY, LZ = 2.0, 1.0, 1.0  # channel (m)
RADIUS = 0.3  # sphere (m)
CENTER = (0.9, 0.5, 0.5)  # a little upstream of the middle (m)
K = 1.0  # matrix conductivity (W/(m K))
ELL = 0.15  # non-local length of the GK run (m)
T_HOT, T_COLD = 1.0, 0.0  # (K)
SIZES = {  # mesh size away from the sphere and at it (m)
    "test": {"h": 0.25, "h_interface": 0.1},
    "full": {"h": 0.1, "h_interface": 0.04},
}


# %% [markdown]
# ## Geometry
#
# The `box_with_sphere` generator with `void=True` cuts the ball out: one region "matrix",
# the exterior boundaries left/right/front/back/bottom/top and "sphere".


# %%
def build_domain(comm: MPI.Comm, size: str) -> lk.Domain:
    return box_with_sphere.build(
        comm, lx=LX, ly=LY, lz=LZ, radius=RADIUS, center=list(CENTER), void=True, **SIZES[size]
    )


# %% [markdown]
# ## One steady solve
#
# Hot left, cold right, no-slip on the sphere; the walls not listed are adiabatic with free
# slip. For ℓ = 0 the slip kind is ignored (Fourier has no tangential condition).


# %%
def solve(domain: lk.Domain, ell: float) -> dict[str, Any]:
    """Steady solve for one ℓ; k_eff, the heat flows and q, T as P1 functions."""
    element = "taylor_hood" if ell > 0 else "primal"
    bcs = {
        "left": lk.Temperature(value=T_HOT),
        "right": lk.Temperature(value=T_COLD),
        "sphere": lk.HeatFlux(value=0.0, slip="no_slip"),
    }
    problem = lk.LKProblem(
        domain, {"matrix": lk.Material(k=K, ell=ell)}, bcs, element=element, degree=1
    )
    unknowns = problem.W.dofmap.index_map.size_global * problem.W.dofmap.index_map_bs
    with Timer(f"gk_obstacle: solve ell={ell}"):
        started = time.perf_counter()
        info = problem.solve_steady()
        seconds = time.perf_counter() - started
    flows = lk.Quantities(problem).evaluate()["heat_flow_W"]
    k_eff = flows["right"] / ((T_HOT - T_COLD) / LX * LY * LZ)
    q, T = problem.split()
    result = {
        "ell": ell,
        "element": element,
        "unknowns": unknowns,
        "linear_solver": problem.linear_solver,
        "newton_iterations": info.iterations,
        "linear_iterations": info.linear_iterations,
        "solve_s": seconds,
        "heat_flow_W": flows,
        "k_eff": k_eff,
        "q": to_p1(q, cellwise=element == "primal"),
        "T": T,  # P1 already
    }
    problem.destroy()
    return result


# %% [markdown]
# Streamlines need the flux at the mesh points: the Taylor–Hood flux (P2) is interpolated to
# P1; the cellwise constant Fourier flux is averaged onto the points (a lumped L2 projection).


# %%
def to_p1(q: fem.Function, cellwise: bool) -> fem.Function:
    mesh = q.function_space.mesh
    gdim = mesh.geometry.dim
    V1 = fem.functionspace(mesh, ("Lagrange", 1, (gdim,)))
    q1 = fem.Function(V1, name="q")
    if cellwise:
        w = ufl.TestFunction(V1)
        dx = ufl.dx(domain=mesh)
        num = fem_petsc.assemble_vector(fem.form(ufl.inner(q, w) * dx))
        den = fem_petsc.assemble_vector(fem.form(ufl.inner(ufl.as_vector([1.0] * gdim), w) * dx))
        for vec in (num, den):
            vec.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        n = V1.dofmap.index_map.size_local * V1.dofmap.index_map_bs
        q1.x.array[:n] = num.array_r[:n] / den.array_r[:n]
        q1.x.scatter_forward()
        num.destroy()
        den.destroy()
    else:
        q1.interpolate(q)
    return q1


# %% [markdown]
# ## Pictures
#
# Rank 0 draws, off screen, from pyvista grids of the whole fields: `lkfem.plot.gather_grid`
# puts a distributed field together there (partitions joined by global point numbering), and
# `lkfem.plot.prepare` sets up off-screen rendering (Xvfb for VTK < 9.4, EGL from 9.4).
#
# The flux picture cuts the channel at the mid-plane z = lz/2 and colours the cut by |q|; the
# streamlines above it start on a grid of points just downstream of the hot end and are drawn
# as tubes coloured by |q|, on one colour scale for both models. (The on-screen text has no
# "|": VTK 9.6 does not draw it.)

# %%
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # has ℓ; VTK's Arial has not


def _text(plotter, text: str, **kwargs: Any) -> None:  # type: ignore[no-untyped-def]
    if FONT.is_file():
        plotter.add_text(text, font_file=str(FONT), color="black", **kwargs)
    else:
        plotter.add_text(text.replace("ℓ", "l"), color="black", **kwargs)


def _plotter(panels: int, size: tuple[int, int]):  # type: ignore[no-untyped-def]
    """``panels`` side by side, each ``size`` pixels, and a narrow column for the colour bar."""
    import pyvista

    bar = 0.24
    plotter = pyvista.Plotter(
        off_screen=True,
        shape=(1, panels + 1),
        col_weights=[1.0] * panels + [bar],
        window_size=(round(size[0] * (panels + bar)), size[1]),
        border=False,
    )
    plotter.set_background("white")
    return plotter


def _bar(plotter, actor, title: str, fmt: str, n: int) -> None:  # type: ignore[no-untyped-def]
    """The colour bar of ``actor``, in the last column."""
    plotter.subplot(0, plotter.shape[1] - 1)
    plotter.add_scalar_bar(
        title=title,
        mapper=actor.mapper,
        vertical=True,
        position_x=0.25,
        position_y=0.15,
        width=0.5,
        height=0.7,
        fmt=fmt,
        n_labels=n,
        color="black",
        title_font_size=18,
        label_font_size=16,
    )


def render_streamlines(path: Path, grids: list, titles: list[str]) -> None:
    import pyvista

    speeds = [np.linalg.norm(g.point_data["q"], axis=1) for g in grids]
    clim = (0.0, float(max(s.max() for s in speeds)))
    ys = np.linspace(0.1, LY - 0.1, 8)
    zs = np.linspace(CENTER[2] + 0.06, LZ - 0.06, 4)
    Y, Z = np.meshgrid(ys, zs)
    seeds = pyvista.PolyData(np.column_stack([np.full(Y.size, 0.01 * LX), Y.ravel(), Z.ravel()]))
    ball = pyvista.Sphere(radius=RADIUS, center=CENTER, theta_resolution=90, phi_resolution=90)
    ball = ball.clip(normal="z", origin=CENTER, invert=False)  # the part above the cut
    plotter = _plotter(len(grids), (1000, 760))
    for i, (grid, title, speed) in enumerate(zip(grids, titles, speeds, strict=True)):
        plotter.subplot(0, i)
        grid.point_data["|q|"] = speed
        style = {"scalars": "|q|", "cmap": "viridis", "clim": clim, "show_scalar_bar": False}
        cut = grid.slice(normal="z", origin=CENTER)
        plotter.add_mesh(cut, **style)
        lines = grid.streamlines_from_source(
            seeds,
            vectors="q",
            integration_direction="forward",
            interpolator_type="cell",
            max_steps=4000,
            initial_step_length=0.2,
            compute_vorticity=False,
        )
        tubes = plotter.add_mesh(lines.tube(radius=0.007), smooth_shading=True, **style)
        plotter.add_mesh(ball, color="#d0d0d0", smooth_shading=True, specular=0.4)
        plotter.add_mesh(grid.outline(), color="black", line_width=1.5)
        _text(plotter, title, font_size=12, position="upper_edge")
        if i == 0:
            _text(
                plotter,
                "heat flux q: the channel cut at z = lz/2 and streamlines from the hot"
                " end, coloured by the flux magnitude",
                font_size=11,
                position="lower_left",
            )
        plotter.camera_position = [
            (LX / 2 - 1.3, -2.9, LZ + 2.3),
            (LX / 2, LY / 2, LZ / 2 - 0.12),
            (0, 0, 1),
        ]
        plotter.camera.zoom(1.2)
    _bar(plotter, tubes, "heat flux (W/m²)", "%.2f", 5)
    plotter.screenshot(str(path))
    plotter.close()


def render_midplane(path: Path, grids: list, titles: list[str]) -> None:
    plotter = _plotter(len(grids), (1000, 500))
    for i, (grid, title) in enumerate(zip(grids, titles, strict=True)):
        plotter.subplot(0, i)
        cut = grid.slice(normal="z", origin=CENTER)
        actor = plotter.add_mesh(
            cut, scalars="T", cmap="coolwarm", clim=(T_COLD, T_HOT), show_scalar_bar=False
        )
        levels = np.linspace(T_COLD, T_HOT, 11)[1:-1]  # isotherms every 0.1 K
        plotter.add_mesh(
            cut.contour(isosurfaces=levels, scalars="T"), color="black", line_width=1.5
        )
        edges = cut.extract_feature_edges(
            boundary_edges=True, feature_edges=False, manifold_edges=False, non_manifold_edges=False
        )
        plotter.add_mesh(edges, color="black", line_width=2)
        _text(plotter, title, font_size=12, position="upper_edge")
        if i == 0:
            _text(
                plotter,
                "temperature on the mid-plane z = lz/2, isotherms every 0.1 K",
                font_size=11,
                position="lower_left",
            )
        plotter.view_xy()
        plotter.camera.focal_point = (LX / 2, LY / 2 + 0.08, CENTER[2])
        plotter.camera.position = (LX / 2, LY / 2 + 0.08, CENTER[2] + 5.0)
        plotter.camera.zoom(1.85)
    _bar(plotter, actor, "T (K)", "%.1f", 6)
    plotter.screenshot(str(path))
    plotter.close()


# %% [markdown]
# Both pictures, Fourier and GK side by side. Every rank sends its part of the fields to
# rank 0, which draws; a failure there is raised on every rank, so none waits forever.


# %%
def draw(runs: list[dict[str, Any]], reduction: float, out_dir: Path) -> dict[str, Path]:
    """``q_streamlines.png`` and ``T_midplane.png`` in ``out_dir``; collective."""
    comm = MPI.COMM_WORLD
    prepare(comm)  # off-screen rendering on rank 0, or RenderError on every rank
    fourier, gk = runs
    q_grids = [gather_grid(r["q"]) for r in runs]
    T_grids = [gather_grid(r["T"]) for r in runs]
    files = {
        "streamlines": out_dir / "q_streamlines.png",
        "midplane": out_dir / "T_midplane.png",
    }
    error = None
    if comm.rank == 0:
        titles = [
            f"Fourier (ℓ = 0)\nk_eff = {fourier['k_eff']:.3f} W/(m K)",
            f"Guyer–Krumhansl (ℓ = {ELL} m, no-slip sphere)\n"
            f"k_eff = {gk['k_eff']:.3f} W/(m K), {100 * reduction:.1f} % below Fourier",
        ]
        try:
            render_streamlines(files["streamlines"], q_grids, titles)
            render_midplane(files["midplane"], T_grids, titles)
        except Exception as exc:  # raised on every rank below, so none waits forever
            error = f"{type(exc).__name__}: {exc}"
    error = comm.bcast(error, root=0)
    if error is not None:
        raise RenderError(f"gk_obstacle_3d: no pictures: {error}")
    return files


# %% [markdown]
# ## The study
#
# Build the mesh once, solve Fourier and GK, report k_eff and the reduction caused by the
# non-local term, and draw. For scale: Maxwell's dilute estimate for spherical voids of volume
# fraction f in an unbounded matrix is k_eff/k = 2(1 − f)/(2 + f).


# %%
def main(size: str = "full", out: str = "results/demos/gk_obstacle_3d") -> dict:
    """Run the demo; returns k_eff per ℓ, the reduction, the heat flows and the files written."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    comm = MPI.COMM_WORLD
    out_dir = Path(out)
    if comm.rank == 0:
        out_dir.mkdir(parents=True, exist_ok=True)
    comm.barrier()
    started = time.perf_counter()

    with Timer("gk_obstacle: mesh"):
        domain = build_domain(comm, size)
    log.info(
        f"mesh ({size}): {domain.num_cells()} cells, {domain.num_vertices()} vertices, "
        f"{comm.size} rank(s), {time.perf_counter() - started:.1f} s"
    )
    volume = comm.allreduce(fem.assemble_scalar(fem.form(1.0 * domain.dx)), op=MPI.SUM)
    f = 1 - volume / (LX * LY * LZ)
    runs = []
    for ell in (0.0, ELL):
        run = solve(domain, ell)
        flows = run["heat_flow_W"]
        log.info(
            f"ell = {ell:.3g} m ({run['element']}, {run['unknowns']} unknowns, "
            f"{run['linear_solver']}): k_eff = {run['k_eff']:.5f} W/(m K), "
            f"H_left = {flows['left']:.6g} W, H_right = {flows['right']:.6g} W, "
            f"{run['newton_iterations']} Newton / {run['linear_iterations']} linear "
            f"iterations, {run['solve_s']:.1f} s"
        )
        runs.append(run)
    fourier, gk = runs
    reduction = 1 - gk["k_eff"] / fourier["k_eff"]
    maxwell = K * 2 * (1 - f) / (2 + f)
    log.info(
        f"void fraction f = {f:.4f}: Fourier k_eff/k = {fourier['k_eff'] / K:.4f} "
        f"(Maxwell's dilute estimate {maxwell / K:.4f}); GK (ell = {ELL} m, no-slip "
        f"sphere) k_eff/k = {gk['k_eff'] / K:.4f}: {100 * reduction:.2f} % below Fourier"
    )

    with Timer("gk_obstacle: pictures"):
        files = draw(runs, reduction, out_dir)

    result = {
        "size": size,
        "ranks": comm.size,
        "cells": domain.num_cells(),
        "void_fraction": f,
        "k": K,
        "k_eff": {0.0: fourier["k_eff"], ELL: gk["k_eff"]},
        "k_eff_maxwell": maxwell,
        "reduction": reduction,
        "heat_flow_W": {0.0: fourier["heat_flow_W"], ELL: gk["heat_flow_W"]},
        "unknowns": {0.0: fourier["unknowns"], ELL: gk["unknowns"]},
        "files": {k: str(v) for k, v in files.items()},
        "seconds": time.perf_counter() - started,
    }
    files["summary"] = out_dir / "summary.json"
    result["files"]["summary"] = str(files["summary"])
    if comm.rank == 0:
        summary = {
            **result,
            "k_eff": {str(k): v for k, v in result["k_eff"].items()},
            "heat_flow_W": {str(k): v for k, v in result["heat_flow_W"].items()},
            "unknowns": {str(k): v for k, v in result["unknowns"].items()},
        }
        files["summary"].write_text(json.dumps(summary, indent=2) + "\n")
    log.info(f"wrote {', '.join(result['files'].values())} ({result['seconds']:.1f} s)")
    return result


# %%
if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Guyer–Krumhansl heat flow past an obstacle")
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--out", default="results/demos/gk_obstacle_3d")
    args = parser.parse_args()
    main(size=args.size, out=args.out)
