# ---
# jupyter:
#   jupytext:
#     text_representation:
#       format_name: percent
# ---

# %% [markdown]
# # Thermal domains: coarsening of vortices in 2D, vortex lines in 3D
#
# With a < 0 the heat flux orders at |q| = q0 = √(−a/b) (MODEL.md §2). From a random state of
# small amplitude q orders within a few Γ/|a| into domains whose direction turns smoothly,
# pinned by vortices (q's angle winds by +2π around them) and antivortices (−2π). Pairs
# annihilate and the domains grow: the vortex density falls roughly as 1/t (model-A
# coarsening, with a logarithmic correction in 2D; docs/verification.md).
#
# Run: `python3 demos/domains_coarsening.py [--size test|full] [--out DIR]` (or under
# `mpirun -n 2`). Output in DIR: `angle.gif` (q's angle, vortices in white and antivortices in
# black), `vortices.png` (vortex count against t, log axes), `lines.png` (the vortex lines of
# a 3D box) and `line_length.png` (their length against t), each from a results folder of
# `lk.run_case` (`coarsening_2d/`, `lines_3d/`). The cases are the shipped
# `lkfem/cases/domains_coarsening_2d.toml` and `domains_box.toml`, resized by
# `lk.load_case(lk.shipped_case(name), changes={...})`.
#
# ## Strong form
#
# Free relaxation (the ``relax`` variant, ζ = 0), q free on the boundary:
#
#     Γ ∂q/∂t = λ ∇²q − a q − b |q|² q.
#
# ## Weak form
#
# Find q such that ∫ Γ ∂q/∂t·p + λ ∇q:∇p + (a + b|q|²) q·p dx = 0 for all p, stepped by
# lkfem's energy-stable convex splitting (the free energy never rises).

# %%
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from mpi4py import MPI

import lkfem as lk
from lkfem.plot import offscreen


class Results:
    """A results folder read back: the fields of ``fields.pvd`` and ``timeseries.csv``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._reader = None

    def reader(self):
        import pyvista

        if self._reader is None:
            self._reader = pyvista.get_reader(str(self.folder / "fields.pvd"))
        return self._reader

    @property
    def times(self) -> list[float]:
        return [float(t) for t in self.reader().time_values]

    def grid(self, index: int):
        reader = self.reader()
        reader.set_active_time_value(self.times[index])
        data = reader.read()
        return data[0] if hasattr(data, "n_blocks") else data

    def series(self) -> np.ndarray:
        path = self.folder / "timeseries.csv"
        return np.genfromtxt(path, delimiter=",", names=True, deletechars="")


SIZES = {  # (2D side (m), 2D h (m), 2D t_end (s), 3D side (m), 3D h (m), 3D t_end (s))
    "test": (12.0, 0.5, 10.0, 4.0, 0.5, 4.0),
    "full": (48.0, 0.5, 200.0, 12.0, 0.4, 60.0),
}


def case_2d(L: float, h: float, t_end: float, every: int) -> lk.Case:
    """The shipped 2D coarsening case (lkfem/cases/domains_coarsening_2d.toml) in an L × L
    square with ξ = √λ = 1 m."""
    changes = {
        "mesh.parameters.Lx": L,
        "mesh.parameters.Ly": L,
        "mesh.parameters.h": h,
        "materials.plate.lambda": 1.0,
        "domains.initial.seed": 3,
        "domains.initial.correlation_length": 1.0,
        "time.t_end": t_end,
        "time.dt_max": t_end / 20,
        "time.milestones": None,
        "output": {"every": every, "png": False, "formats": ["vtu"]},
    }
    return lk.load_case(lk.shipped_case("domains_coarsening_2d"), changes=changes)


def case_3d(L: float, h: float, t_end: float, every: int) -> lk.Case:
    """The shipped 3D box (lkfem/cases/domains_box.toml) of side L with ξ = √λ = 0.5 m."""
    changes = {
        "mesh.parameters.thickness": [L],
        "mesh.parameters.ly": L,
        "mesh.parameters.lz": L,
        "mesh.parameters.h": h,
        "materials.layer0.lambda": 0.25,
        "domains.initial.seed": 5,
        "domains.initial.correlation_length": 0.8,
        "time.t_end": t_end,
        "time.dt_max": t_end / 10,
        "output": {"every": every, "png": False, "formats": ["vtu"]},
    }
    return lk.load_case(lk.shipped_case("domains_box"), changes=changes)


# %% [markdown]
# ## The runs: the two shipped cases, resized, through `lk.run_case`


# %%
def run(case: lk.Case, out: Path) -> Results:
    lk.run_case(case, out, MPI.COMM_WORLD)
    return Results(out)


# %% [markdown]
# ## The pictures, from the results folders (rank 0)


# %%
def angle_gif(res: Results, path: Path) -> None:
    """q's angle at every written step, vortices (winding +1) white, antivortices black."""
    import imageio.v2 as imageio
    import pyvista

    frames = []
    for i, t in enumerate(res.times):
        grid = res.grid(i)
        cells = grid.cell_centers()
        w = np.asarray(grid.cell_data["winding"])
        plotter = pyvista.Plotter(off_screen=True, window_size=(480, 480))
        plotter.add_mesh(grid, scalars="angle", cmap="twilight", clim=[-np.pi, np.pi],
                         show_scalar_bar=False)  # fmt: skip
        for sign, colour in ((1, "white"), (-1, "black")):
            pts = cells.points[w == sign]
            if len(pts):
                plotter.add_points(pts + [0, 0, 0.01], color=colour, point_size=9,
                                   render_points_as_spheres=True)  # fmt: skip
        plotter.add_text(f"t = {t:.3g} s", font_size=10)
        plotter.view_xy()
        frames.append(plotter.screenshot(return_img=True))
        plotter.close()
    imageio.mimsave(path, frames, duration=0.4, loop=0)


def series_plot(res: Results, column: str, label: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = res.series()
    t, y = s["t_s"], s[column]
    keep = (t > 0) & (y > 0)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.loglog(t[keep], y[keep], "o-", ms=3)
    ax.set_xlabel("t (s)")
    ax.set_ylabel(label)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def lines_picture(res: Results, path: Path) -> None:
    """The cells the vortex lines cross (line length per volume > 0), over a faint box."""
    import pyvista

    grid = res.grid(-1)
    lines = grid.threshold(1e-12, scalars="vortex_line_density")
    plotter = pyvista.Plotter(off_screen=True, window_size=(600, 600))
    plotter.add_mesh(grid.outline(), color="grey")
    if lines.n_cells:
        plotter.add_mesh(lines, scalars="vortex_line_density", cmap="viridis")
    plotter.add_text(f"t = {res.times[-1]:.3g} s", font_size=10)
    plotter.screenshot(str(path))
    plotter.close()


# %%
def main(size: str = "test", out: str = "results/domains_demo") -> dict:
    """Run both cases at ``size`` into ``out``; returns the numbers and files (all ranks)."""
    folder = Path(out)
    L2, h2, t2, L3, h3, t3 = SIZES[size]
    comm = MPI.COMM_WORLD
    res2 = run(case_2d(L2, h2, t2, every=4), folder / "coarsening_2d")
    res3 = run(case_3d(L3, h3, t3, every=1000), folder / "lines_3d")
    s2, s3 = res2.series(), res3.series()
    summary = {
        "t_s": s2["t_s"].tolist(),
        "vortices": (s2["vortices"] + s2["antivortices"]).astype(int).tolist(),
        "line_length_m": s3["vortex_line_length_m"].tolist(),
        "files": [str(folder / n) for n in ("angle.gif", "vortices.png", "lines.png",
                                            "line_length.png")],
    }  # fmt: skip
    if comm.rank == 0:
        offscreen()
        angle_gif(res2, folder / "angle.gif")
        series_plot(res2, "vortices", "vortices", folder / "vortices.png")
        lines_picture(res3, folder / "lines.png")
        series_plot(res3, "vortex_line_length_m", "vortex line length (m)",
                    folder / "line_length.png")  # fmt: skip
        print(
            f"2D: {summary['vortices'][1]} vortices at t = {s2['t_s'][1]:.3g} s, "
            f"{summary['vortices'][-1]} at t = {s2['t_s'][-1]:.3g} s; 3D: line length "
            f"{s3['vortex_line_length_m'][-1]:.4g} m at t = {s3['t_s'][-1]:.3g} s; "
            f"pictures in {folder}"
        )
    comm.barrier()
    return summary


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="thermal-domain coarsening (2D) and lines (3D)")
    parser.add_argument("--size", choices=sorted(SIZES), default="test")
    parser.add_argument("--out", default="results/domains_demo")
    args = parser.parse_args()
    main(args.size, args.out)
