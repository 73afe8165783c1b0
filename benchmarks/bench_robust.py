"""The robustness matrix of benchmarks/run.py: Krylov iterations of the iterative solver over
conductivity contrast, ℓ and Γ/Δt, steady and one backward-Euler step, Taylor–Hood and primal,
on two regions of the unit square and on the 3D spherical cloak, each on ``levels`` meshes.

The growth under refinement is given two ways: the largest step from one mesh to the next, and
the trend, exp(slope) − 1 of a least-squares line through log(Krylov) against the mesh level.
The cloak's meshes are independent gmsh meshes (h × 0.7 per level), not nested refinements,
and on the hard cells the count moves by a few iterations from one mesh to the next in both
directions (docs/performance.md, "Inner Krylov iterations on the Schur complement"): the trend
over three or more meshes is what says whether it grows with 1/h.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from bench_cases import two_regions
from mpi4py import MPI

import lkfem as lk
from lkfem.mesh.generators import build

#: the 3D cloak of the matrix: spherical_cloak, h × 0.7 from one level to the next
CLOAK_SIZES = (
    {"h": 0.25, "h_interface": 0.07},
    {"h": 0.18, "h_interface": 0.05},
    {"h": 0.13, "h_interface": 0.035},
    {"h": 0.09, "h_interface": 0.025},
)
Cell = tuple[str, str, float, float, float | None]


def cloak_3d(level: int, comm: MPI.Comm) -> lk.Domain:
    """The spherical bilayer cloak (meshes/spherical_cloak.py) at ``level`` (0 … 3)."""
    return build("spherical_cloak", CLOAK_SIZES[level], comm)


def domain(geometry: str, level: int, robust_n: int, comm: MPI.Comm) -> lk.Domain:
    """The square at robust_n 2^level divisions or the cloak at ``level``."""
    if geometry == "square":
        return two_regions(robust_n * 2**level, comm)
    return cloak_3d(level, comm)


def materials(geometry: str, contrast: float, ell: float, tau: float) -> dict[str, lk.Material]:
    """Region b of the square, or the cloak's insulating inner layer, has k = contrast; the
    rest k = 1 (the cloak's outer layer k = 2)."""
    if geometry == "square":
        ks = {"a": 1.0, "b": contrast}
    else:
        ks = {"object": 1.0, "inner_layer": contrast, "outer_layer": 2.0, "background": 1.0}
    return {name: lk.Material(k=k, tau=tau, ell=ell, C=1.0) for name, k in ks.items()}


def solved_problem(
    domain: lk.Domain,
    geometry: str,
    element: str,
    contrast: float,
    ell: float,
    ratio: float | None,
) -> tuple[lk.LKProblem, dict[str, Any]]:
    """One solve with the iterative solver (T = 1 left, 0 right): steady (``ratio`` None) or
    one backward-Euler step with Γ/Δt = ``ratio`` × A (τ = ratio Δt). The problem (the caller
    destroys it) and its row: Newton and outer Krylov iterations, unknowns, the T block."""
    dt = 0.01
    tau = 0.0 if ratio is None else ratio * dt
    problem = lk.LKProblem(
        domain,
        materials(geometry, contrast, ell, tau),
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element=element,
        petsc_options={"linear_solver": "iterative"},
    )
    row: dict[str, Any] = {}
    try:
        if ratio is None:
            info = problem.solve_steady()
            row.update(newton=info.iterations, krylov=info.linear_iterations)
        else:
            problem.set_initial(T0=0.0)
            settings = lk.TimeSettings(t_end=dt, dt=dt, scheme="backward_euler")
            record = lk.run_transient(problem, settings)[0]
            row.update(newton=record.newton_iterations, krylov=record.linear_iterations)
        row["converged"] = True
    except lk.LkfemError as exc:
        row.update(newton=None, krylov=None, converged=False, reason=str(exc))
    row["unknowns"] = problem.W.dofmap.index_map.size_global * problem.W.dofmap.index_map_bs
    preconditioner = problem._preconditioner
    row["schur"] = preconditioner.schur if preconditioner else None
    # outer Krylov iterations above; each took ``inner`` FGMRES iterations on S (block.py)
    row["inner"] = preconditioner.inner if preconditioner else 0
    return problem, row


def solve(domain: lk.Domain, *cell: Any) -> dict[str, Any]:
    """The row of :func:`solved_problem` (geometry, element, contrast, ℓ, ratio)."""
    problem, row = solved_problem(domain, *cell)
    problem.destroy()
    return row


def cells(size: dict[str, Any]) -> list[Cell]:
    """(geometry, element, contrast, ℓ, Γ/(Δt A) or None for steady) of the matrix: on the
    square every contrast × ℓ steady and every contrast × Γ/Δt at the middle ℓ, for
    Taylor–Hood, and the same with ℓ = 0 for primal; on the 3D cloak the extreme contrasts,
    steady at the middle ℓ (Taylor–Hood) and ℓ = 0 (primal) and one transient step at the
    largest Γ/Δt; for Taylor–Hood also the largest ℓ (contrast 1 included), steady and one
    step at the smallest Γ/Δt (the hardest 3D cells, docs/performance.md)."""
    out: list[Cell] = []
    for element in ("taylor_hood", "primal"):
        ells = size["ell"] if element == "taylor_hood" else [0.0]
        middle = ells[len(ells) // 2]
        for contrast in size["contrast"]:
            out += [("square", element, contrast, ell, None) for ell in ells]
            out += [("square", element, contrast, middle, r) for r in size["ratio"]]
    if size.get("cloak"):
        for element, ell in (("taylor_hood", size["ell"][len(size["ell"]) // 2]), ("primal", 0.0)):
            for contrast in (size["contrast"][0], size["contrast"][-1]):
                out += [("cloak3d", element, contrast, ell, None)]
                out += [("cloak3d", element, contrast, ell, size["ratio"][-1])]
        extremes = sorted({size["contrast"][0], 1.0, size["contrast"][-1]})
        for contrast in extremes:
            out += [("cloak3d", "taylor_hood", contrast, size["ell"][-1], None)]
            out += [("cloak3d", "taylor_hood", contrast, size["ell"][-1], size["ratio"][0])]
    return out


def growth(counts: list[int]) -> tuple[float, float]:
    """The largest growth from one mesh to the next, and the trend per refinement:
    exp(slope) − 1 of the least-squares line through log(count) against the level."""
    steps = max(b / a - 1.0 for a, b in zip(counts[:-1], counts[1:], strict=True))
    slope = np.polyfit(np.arange(len(counts)), np.log(counts), 1)[0]
    return steps, float(np.expm1(slope))


def robustness(size: dict[str, Any], comm: MPI.Comm) -> list[dict[str, Any]]:
    """Every cell of :func:`cells` on size["levels"] meshes (2 if absent): Krylov iterations
    and unknowns per mesh (``krylov_levels``, ``unknowns_levels``; ``krylov`` and
    ``unknowns`` are the coarsest, ``*_refined`` the second), the largest step (``growth``)
    and the trend (``trend``) under refinement."""
    levels = size.get("levels", 2)
    meshes: dict[tuple[str, int], lk.Domain] = {}
    rows = []
    for geometry, element, contrast, ell, ratio in cells(size):
        row: dict[str, Any] = {"geometry": geometry, "element": element, "contrast": contrast}
        row.update(ell=ell, mode="steady" if ratio is None else "transient", gamma_dt=ratio)
        per_mesh = []
        for level in range(levels):
            if (geometry, level) not in meshes:
                meshes[geometry, level] = domain(geometry, level, size["robust_n"], comm)
            cell = (geometry, element, contrast, ell, ratio)
            per_mesh.append(solve(meshes[geometry, level], *cell))
        row.update(per_mesh[0])
        row["converged"] = all(r["converged"] for r in per_mesh)
        row["krylov_levels"] = [r["krylov"] for r in per_mesh]
        row["unknowns_levels"] = [r["unknowns"] for r in per_mesh]
        row.update(unknowns_refined=per_mesh[1]["unknowns"], krylov_refined=per_mesh[1]["krylov"])
        counts = row["krylov_levels"]
        done = row["converged"] and min(counts) > 0
        row["growth"], row["trend"] = growth(counts) if done else (None, None)
        rows.append(row)
    return rows
