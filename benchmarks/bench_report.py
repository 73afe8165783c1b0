"""Markdown tables of a benchmarks/run.py result (also the README's performance table)."""

from __future__ import annotations

from typing import Any

import bench_domains as domains
import numpy as np


def _row(cells: list[Any]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = [_row(header), _row(["---:"] * len(header))]
    lines += [_row(r) for r in rows]
    return "\n".join(lines)


def steady_table(result: dict[str, Any]) -> str:
    rows = []
    for r in result["steady_gk"]:
        t = r["time_s"]
        rows.append(
            [
                r["n"],
                r["unknowns"],
                f"{t['mesh']:.2f}",
                f"{t['setup']:.2f}",
                f"{t['assembly']:.2f}",
                f"{t['pc_setup']:.2f}",
                f"{t['solve']:.2f}",
                r["newton_iterations"],
                r["krylov_iterations"],
                f"{r['bytes_per_unknown'] / 1024:.1f}",
                f"{r['ratio_to_poisson']:.1f}",
            ]
        )
    header = [
        "n",
        "unknowns",
        "mesh s",
        "set-up s",
        "assembly s",
        "PC set-up s",
        "solve s",
        "Newton",
        "Krylov",
        "kB/unknown",
        "× P1+AMG",
    ]
    return _table(header, rows)


def fit(unknowns: list[float], values: list[float]) -> tuple[float, float]:
    """(c, p) of the power law value = c N^p, least squares in log-log."""
    p, log_c = np.polyfit(np.log(unknowns), np.log(np.maximum(values, 1e-12)), 1)
    return float(np.exp(log_c)), float(p)


def fits(result: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Power laws c N^p of the steady GK part's set-up, assembly, PC set-up + solve, the whole
    solve (s) and the memory (bytes), over its sizes."""
    rows = result["steady_gk"]
    n = [r["unknowns"] for r in rows]
    t = {key: [r["time_s"][key] for r in rows] for key in ("setup", "assembly", "total_solve")}
    t["solve"] = [r["time_s"]["pc_setup"] + r["time_s"]["solve"] for r in rows]
    out = {key: fit(n, values) for key, values in t.items()}
    out["memory"] = fit(n, [r["bytes_per_unknown"] * r["unknowns"] for r in rows])
    return out


def growth(result: dict[str, Any]) -> str:
    """How the steady GK cost grows: the exponent p of cost ∝ unknowns^p (least squares in
    log-log) for set-up, assembly, PC set-up + solve, the whole solve and memory, and the
    Krylov growth per refinement."""
    rows = result["steady_gk"]
    if len(rows) < 2:
        return "(one size: no growth rate)"
    f = fits(result)
    krylov = [r["krylov_iterations"] for r in rows]
    steps = ", ".join(
        f"{100 * (b / a - 1):+.0f} %" for a, b in zip(krylov[:-1], krylov[1:], strict=True)
    )
    return (
        f"Growth with the unknowns N (fitted over {len(rows)} sizes): set-up ∝ "
        f"N^{f['setup'][1]:.2f}, assembly ∝ N^{f['assembly'][1]:.2f}, PC set-up + solve ∝ "
        f"N^{f['solve'][1]:.2f}, the whole solve ∝ N^{f['total_solve'][1]:.2f}, memory ∝ "
        f"N^{f['memory'][1]:.2f}; Krylov iterations per refinement: {steps}."
    )


def _pairs(f: dict[str, Any]) -> str:
    """The median ratio of the back-to-back pairs and their range ("–" in older JSON)."""
    if "ratio_median" not in f:
        return "–"
    low, high = f["ratio_spread"]
    return f"{f['ratio_median']:.2f} ({low:.2f}–{high:.2f})"


def fourier_table(result: dict[str, Any]) -> str:
    f = result["fourier"]
    return _table(
        [
            "unknowns",
            "lkfem s",
            "hand-written s",
            "ratio",
            "pairs: median (range)",
            "q, k on first use s",
            "CG its (lkfem/hand)",
        ],
        [
            [
                f["unknowns"],
                f"{f['lkfem_s']:.2f}",
                f"{f['hand_written_s']:.2f}",
                f"{f['ratio']:.2f}",
                _pairs(f),
                f"{f.get('fields_s', 0.0):.2f}",
                f"{f['krylov_lkfem']}/{f['krylov_hand_written']}",
            ]
        ],
    )


def parallel_table(result: dict[str, Any]) -> str:
    """1 rank against R: times and parallel efficiency t₁ / (R t_R)."""
    e = result["parallel"]
    R = e["ranks"]
    one, many = e["one"], e["many"]
    rows = []
    for label, key in (
        ("GK mesh", "mesh"),
        ("GK set-up", "setup"),
        ("GK assembly", "assembly"),
        ("GK PC set-up + solve", None),
        ("GK whole run", "total"),
    ):
        if key is None:
            t1 = one["steady_gk"]["time_s"]["pc_setup"] + one["steady_gk"]["time_s"]["solve"]
            tR = many["steady_gk"]["time_s"]["pc_setup"] + many["steady_gk"]["time_s"]["solve"]
        else:
            t1, tR = one["steady_gk"]["time_s"][key], many["steady_gk"]["time_s"][key]
        eff = f"{100 * t1 / (R * tR):.0f} %" if tR > 0 else "–"
        rows.append([label, one["steady_gk"]["unknowns"], f"{t1:.2f}", f"{tR:.2f}", eff])
    for label, key in (("Fourier, lkfem", "lkfem_s"), ("Fourier, hand-written", "hand_written_s")):
        t1, tR = one["fourier"][key], many["fourier"][key]
        rows.append(
            [
                label,
                one["fourier"]["unknowns"],
                f"{t1:.2f}",
                f"{tR:.2f}",
                f"{100 * t1 / (R * tR):.0f} %",
            ]
        )
    spread = e["gk_spread_s"]
    note = (
        f"GK whole runs (s), 1 rank: {', '.join(f'{t:.1f}' for t in spread['1'])}; "
        f"{R} ranks: {', '.join(f'{t:.1f}' for t in spread[str(R)])} (the best is in the table)."
    )
    table = _table(["case", "unknowns", "1 rank s", f"{R} ranks s", "efficiency"], rows)
    return f"{table}\n\n{note}"


def transient_table(result: dict[str, Any]) -> str:
    t = result["transient"]
    return _table(
        ["unknowns", "steps", "Newton", "Jacobians", "residuals", "LU factorisations", "ms/step"],
        [
            [
                t["unknowns"],
                t["steps"],
                t["newton_iterations"],
                t["jacobian_assemblies"],
                t["residual_assemblies"],
                t["factorisations"],
                f"{1e3 * t['time_per_step_s']:.1f}",
            ]
        ],
    )


def _t_block(row: dict[str, Any]) -> str:
    """The T-block approximation, with the inner FGMRES iterations on S where it took some."""
    inner = row.get("inner", 0)
    return row.get("schur", "–") + (f" + {inner} inner" if inner else "")


def _levels(row: dict[str, Any]) -> list[Any]:
    """Krylov iterations per mesh (older JSON: the two of ``krylov`` and ``krylov_refined``)."""
    return row.get("krylov_levels") or [row["krylov"], row.get("krylov_refined")]


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:+.0f} %"


def robustness_table(result: dict[str, Any]) -> str:
    rows = []
    for r in result["robustness"]:
        ratio = "–" if r["gamma_dt"] is None else f"{r['gamma_dt']:g}"
        krylov = "/".join(map(str, _levels(r))) if r["converged"] else "failed"
        unknowns = "/".join(map(str, r.get("unknowns_levels") or [r["unknowns"]]))
        rows.append(
            [r.get("geometry", "square"), r["element"], r["mode"], f"{r['contrast']:g}"]
            + [r["ell"], ratio, _t_block(r), unknowns, krylov]
            + [_percent(r.get("growth")), _percent(r.get("trend", r.get("growth")))]
        )
    head = ["geometry", "element", "mode", "contrast", "ℓ", "Γ/(Δt A)", "T-block"]
    head += ["unknowns per mesh", "Krylov per mesh", "largest step", "trend"]
    return _table(head, rows)


LIMIT = 30  # issue 12's target: Krylov iterations ≤ 30, growing ≤ 10 % per refinement
GROWTH = 0.10


def _name(r: dict[str, Any]) -> str:
    ratio = "" if r["gamma_dt"] is None else f", Γ/(Δt A) {r['gamma_dt']:g}"
    return f"{r['mode']} {r['contrast']:g}, ℓ {r['ell']:g}{ratio}"


def robustness_summary(result: dict[str, Any]) -> str:
    """The robustness matrix in one row per geometry and element: how many cells, the range of
    Krylov iterations on all meshes, the largest step and trend under refinement, and the
    cells above LIMIT or with a trend above GROWTH, by name."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in result["robustness"]:
        groups.setdefault((r.get("geometry", "square"), r["element"]), []).append(r)
    rows = []
    for (geometry, element), cells in groups.items():
        done = [r for r in cells if r["converged"]]
        counts = [c for r in done for c in _levels(r)]
        steps = [r["growth"] for r in done if r.get("growth") is not None]
        trends = [r.get("trend", r["growth"]) for r in done if r.get("growth") is not None]
        over = [
            f"{_name(r)}: {'/'.join(map(str, _levels(r)))}"
            for r in done
            if max(_levels(r)) > LIMIT or (r.get("trend", r.get("growth")) or 0.0) > GROWTH
        ]
        over += [f"{_name(r)}: failed" for r in cells if not r["converged"]]
        rows.append(
            [geometry, element, len(cells), f"{min(counts)}–{max(counts)}" if counts else "–"]
            + [_percent(max(steps)) if steps else "–", _percent(max(trends)) if trends else "–"]
            + ["; ".join(over) or "none"]
        )
    head = ["geometry", "element", "cells", "Krylov (all meshes)", "largest step", "largest trend"]
    return _table(head + [f"above {LIMIT} or trend above {100 * GROWTH:.0f} %"], rows)


def markdown(result: dict[str, Any], *, robustness: bool = True) -> str:
    """All tables (the robustness matrix in full with ``robustness``, else its summary), with
    a line saying where they come from."""
    parts = [
        f"Benchmark size `{result['size']}` on {result['ranks']} rank(s)"
        + (
            f" (the parallel part also on {result['parallel']['ranks']})"
            if "parallel" in result
            else ""
        )
        + f", dolfinx {result['dolfinx']}, {result.get('total_s', 0.0):.0f} s in all."
    ]
    if "steady_gk" in result:
        parts += [
            "Steady 3D Guyer–Krumhansl (Taylor–Hood, block-preconditioned FGMRES); "
            "× P1+AMG is the time per unknown over P1 Poisson + CG/BoomerAMG on the same mesh.",
            steady_table(result),
            growth(result),
            "Fourier path against a hand-written dolfinx P1 solver (CG + BoomerAMG):",
            fourier_table(result),
            "Backward-Euler steps of a linear Cattaneo problem (primal, direct LU):",
            transient_table(result),
        ]
    if result.get("domains"):
        parts += [
            "Thermal domains (relax variant, backward Euler, the automatic linear solver; "
            "recorded runs by their folder in docs/data):",
            domains.table(result["domains"]),
        ]
    if "parallel" in result:
        parts += [
            f"1 rank against {result['parallel']['ranks']} (parallel efficiency t₁ / (R t_R), "
            "best of the repeats; the same machine, shared):",
            parallel_table(result),
        ]
    if robustness and "robustness" in result:
        parts += [
            "Robustness: Krylov iterations of the iterative solver on two regions (k = 1 and "
            "k = contrast) per mesh; the largest step from one mesh to the next and the trend "
            "per refinement (a line through log Krylov):",
            robustness_table(result),
        ]
    elif "robustness" in result:
        parts += [
            "Robustness (contrast, ℓ, Γ/(Δt A), steady and one step; each cell on a mesh and "
            "its refinements, the trend a line through log Krylov per refinement; the full "
            "matrix is in the run's benchmark.md):",
            robustness_summary(result),
        ]
    return "\n\n".join(parts)


START, END = "<!-- benchmark tables: start -->", "<!-- benchmark tables: end -->"


def into_readme(text: str, result: dict[str, Any]) -> str:
    """``text`` with what lies between the START and END markers replaced by the tables."""
    head, found, rest = text.partition(START)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise SystemExit(f"no '{START}' … '{END}' markers in the file")
    return f"{head}{START}\n{markdown(result, robustness=False)}\n{END}{tail}"
