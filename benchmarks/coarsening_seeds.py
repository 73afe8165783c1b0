"""Coarsening over several seeds: the vortex density n_v(t) of each run on one log-spaced t grid,
the ensemble mean and the seed-to-seed spread, and the exponent α of n_v ∝ t^−α and of
n_v ∝ (t/ln(t/t0))^−α fitted on the mean and on each seed (docs/verification.md "Coarsening").

Each run is a results folder of ``benchmarks/coarsening.py`` (one seed per run, so that a long
ensemble is many short jobs), e.g.

    for s in 2 3 4 5; do mpirun -n 2 python3 benchmarks/coarsening.py --L 128 --h 0.5 \\
        --t-end 100 --dt-max 1 --initial noise --corr 1.0 --amplitude 0.05 --seed $s \\
        --out runs/L128_s$s; done
    python3 benchmarks/coarsening_seeds.py runs/L128_s* --t-from 1 --out runs/ensemble

The grid runs from ``--t-from`` to the earliest end of the runs, ``--per-decade`` points a
decade; n_v is interpolated linearly in ln t (the steps of an adaptive Δt and the rows that
``diagnostics_every`` leaves NaN do not matter). Fits are least squares in log–log on the grid
(every decade weighs the same). Writes ``seeds.json`` (the grid, mean, spread, every fit),
``seeds.md`` (the tables) and ``seeds.png`` (n_v of each run and the mean against t, log–log,
with C ln(t/t0)/t); ``--export DIR`` also writes each run's t and n_v as a small CSV. Serial;
dolfinx is imported only through benchmarks/coarsening.py (for its readers and its fit).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from coarsening import fit, read_series  # noqa: E402  (a sibling script, not a package)

WINDOWS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)  # edges of the local exponents (s)


@dataclass(slots=True, kw_only=True)
class Run:
    """One seed's n_v(t): t (s) > 0 and n_v (1/m²) where the vortices were counted."""

    label: str
    t: np.ndarray
    n: np.ndarray
    area: float  # m², from the counts and the density (NaN when no defect was counted)
    folder: str = ""
    L: float | None = None  # side of the square (m), from the run's command
    seed: int | None = None


def load(folder: Path, label: str | None = None) -> Run:
    """A results folder of benchmarks/coarsening.py (its timeseries.csv; its benchmark.json for
    the box side and the seed, if there)."""
    s = read_series(folder)
    t, n = s["t_s"], s["vortex_density_1_m2"]
    keep = np.isfinite(n) & (t > 0)
    count = s.get("vortices", np.full_like(n, np.nan)) + s.get("antivortices", 0.0)
    has = np.isfinite(count) & (n > 0)
    area = float(np.median(count[has] / n[has])) if has.any() else math.nan
    side = seed = None
    bench = folder / "benchmark.json"
    if bench.exists():
        command = json.loads(bench.read_text()).get("command", "")
        if m := re.search(r"--L\s+(\S+)", command):
            side = float(m.group(1))
        if m := re.search(r"--seed\s+(\d+)", command):
            seed = int(m.group(1))
    if label is None:
        label = f"L{side:g}_s{seed}" if side is not None and seed is not None else folder.name
    return Run(label=label, t=t[keep], n=n[keep], area=area, folder=str(folder), L=side, seed=seed)


def load_all(folders: list[Path]) -> list[Run]:
    """The runs of ``folders``; a run whose label (box and seed) an earlier one has is labelled
    by its folder's name (e.g. the same seed with another Δt)."""
    runs, seen = [], set()
    for folder in folders:
        run = load(folder)
        if run.label in seen:
            run.label = folder.name
        seen.add(run.label)
        runs.append(run)
    return runs


def common_grid(runs: list[Run], t_from: float, per_decade: int = 10) -> np.ndarray:
    """Log-spaced times from ``t_from`` to the earliest last time of the runs, both included."""
    t_to = min(float(r.t[-1]) for r in runs)
    if not t_to > t_from > 0:
        raise ValueError(f"the runs end at t = {t_to:g} s, not after --t-from {t_from:g} s")
    points = max(2, math.ceil(per_decade * math.log10(t_to / t_from)) + 1)
    return np.geomspace(t_from, t_to, points)


def on_grid(t: np.ndarray, n: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """n interpolated linearly in ln t onto ``grid`` (NaN outside the run's times)."""
    return np.interp(np.log(grid), np.log(t), n, left=np.nan, right=np.nan)


def ensemble(curves: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, standard deviation (ddof 1: the seed-to-seed spread) and standard error of the
    mean over the rows (one row a seed)."""
    k = curves.shape[0]
    mean = curves.mean(axis=0)
    std = curves.std(axis=0, ddof=1) if k > 1 else np.zeros_like(mean)
    return {"mean": mean, "std": std, "sem": std / math.sqrt(k)}


def fit_on(grid: np.ndarray, n: np.ndarray, t_from: float, t_to: float, t0: float) -> dict:
    """benchmarks/coarsening.py's fit (α of t^−α and of (t/ln(t/t0))^−α) on t_from ≤ t ≤ t_to."""
    inside = (grid <= t_to * (1 + 1e-12)) & np.isfinite(n)
    return fit(grid[inside], n[inside], t_from, t0)


def spread(values: list[float]) -> dict[str, float]:
    """Mean, standard deviation (ddof 1) and standard error of a list of exponents."""
    v = np.array([x for x in values if np.isfinite(x)])
    if len(v) == 0:  # e.g. the log-corrected fit of a window that ends before 1.5 t0
        return {"mean": math.nan, "std": math.nan, "sem": math.nan, "seeds": 0}
    std = float(v.std(ddof=1)) if len(v) > 1 else math.nan
    return {"mean": float(v.mean()), "std": std, "sem": std / math.sqrt(len(v)), "seeds": len(v)}


def amplitude(grid: np.ndarray, n: np.ndarray, t0: float) -> float:
    """C of n ≈ C ln(t/t0)/t, least squares in log over the grid points with t > 1.5 t0."""
    keep = (grid > 1.5 * t0) & (n > 0)
    g = grid[keep]
    return float(np.exp(np.mean(np.log(n[keep]) - np.log(np.log(g / t0) / g))))


def window(grid: np.ndarray, curves: np.ndarray, a: float, b: float, t0: float) -> dict:
    """The fits on a ≤ t ≤ b of the mean density and of each seed, and the seeds' spread."""
    mean = ensemble(curves)["mean"]
    each = [fit_on(grid, c, a, b, t0) for c in curves]
    return {
        "t_from": a,
        "t_to": b,
        "mean": fit_on(grid, mean, a, b, t0),
        "alpha_seeds": spread([f["alpha"] for f in each]),
        "alpha_log_corrected_seeds": spread([f["alpha_log_corrected"] for f in each]),
    }


def analyse(
    runs: list[Run],
    t_from: float,
    per_decade: int = 10,
    t0: float = 1.0,
    fit_from: tuple[float, ...] = (),
) -> dict:
    """Everything the JSON holds: the grid, each run on it, the ensemble, the fits over
    t_from…end, over ``fit_from``…end and over the local windows between ``WINDOWS``."""
    grid = common_grid(runs, t_from, per_decade)
    curves = np.array([on_grid(r.t, r.n, grid) for r in runs])
    ens = ensemble(curves)
    t_to = float(grid[-1])
    per_run = []
    for r, c in zip(runs, curves, strict=True):
        last = r.n[r.t <= t_to * (1 + 1e-12)][-1]
        per_run.append(
            {
                "label": r.label,
                "folder": r.folder,
                "L_m": r.L,
                "seed": r.seed,
                "area_m2": r.area,
                "t_last_s": float(r.t[-1]),
                "defects_at_t_from": float(c[0] * r.area),
                "defects_at_t_to": float(last * r.area),
                "fit": fit_on(grid, c, t_from, t_to, t0),
            }
        )
    edges = sorted({t_from, *(w for w in WINDOWS if t_from <= w <= t_to), t_to})
    enough = [
        (a, b)
        for a, b in zip(edges[:-1], edges[1:], strict=True)
        if np.count_nonzero((grid >= a) & (grid <= b * (1 + 1e-12))) >= 3
    ]
    starts = sorted({t_from, *(a for a in fit_from if t_from <= a < t_to)})
    return {
        "t0_s": t0,
        "t_from_s": t_from,
        "t_to_s": t_to,
        "decades": math.log10(t_to / t_from),
        "grid_s": grid.tolist(),
        "runs": per_run,
        "curves_1_m2": curves.tolist(),
        **{f"{k}_1_m2": v.tolist() for k, v in ens.items()},
        "fit_mean": fit_on(grid, ens["mean"], t_from, t_to, t0),
        "alpha_seeds": spread([p["fit"]["alpha"] for p in per_run]),
        "alpha_log_corrected_seeds": spread([p["fit"]["alpha_log_corrected"] for p in per_run]),
        "to_end": [window(grid, curves, a, t_to, t0) for a in starts],
        "local": [window(grid, curves, a, b, t0) for a, b in enough],
        "log_amplitude_C": amplitude(grid, ens["mean"], t0),
    }


def markdown(result: dict) -> str:
    """The per-run table (α of each seed, the mean's α, the spread), the local exponents of the
    mean and n_v (mean ± spread) at round times."""
    r = result
    lines = [
        f"Fits over t = {r['t_from_s']:g}…{r['t_to_s']:.4g} s ({r['decades']:.2f} decades), "
        f"t0 = {r['t0_s']:g} s (the fits against t/ln(t/t0) use t > 1.5 t0 only).",
        "",
        "| run | box (m) | seed | defects at t_from | at t_to | α (t^−α) | α (t/ln(t/t0)) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in r["runs"]:
        box = f"{p['L_m']:g}" if p["L_m"] else f"{math.sqrt(p['area_m2']):.4g}"
        lines.append(
            f"| {p['label']} | {box} | {p['seed']} | {p['defects_at_t_from']:.0f} | "
            f"{p['defects_at_t_to']:.0f} | {p['fit']['alpha']:.3f} | "
            f"{p['fit']['alpha_log_corrected']:.3f} |"
        )
    a, b = r["alpha_seeds"], r["alpha_log_corrected_seeds"]
    m = r["fit_mean"]
    lines += [
        f"| mean of the {len(r['runs'])} densities | | | | | {m['alpha']:.3f} | "
        f"{m['alpha_log_corrected']:.3f} |",
        f"| seeds' α: mean ± std (± s.e.) | | | | | {a['mean']:.3f} ± {a['std']:.3f} "
        f"(± {a['sem']:.3f}) | {b['mean']:.3f} ± {b['std']:.3f} (± {b['sem']:.3f}) |",
        "",
        "| window (s) | decades | α (t^−α) of the mean | seeds: mean ± std | "
        "α (t/ln(t/t0)) of the mean | seeds: mean ± std |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for w in r["to_end"] + r["local"]:
        a, b, m = w["alpha_seeds"], w["alpha_log_corrected_seeds"], w["mean"]
        # ln(t/t0) ≪ 1 over a short window near t0: its log-corrected fit means nothing
        near = w["t_from"] < 2 * r["t0_s"] and w["t_to"] < 10 * w["t_from"]
        log = "—" if near else f"{m['alpha_log_corrected']:.3f}"
        logs = "—" if near else f"{b['mean']:.3f} ± {b['std']:.3f}"
        lines.append(
            f"| {w['t_from']:g}…{w['t_to']:.4g} | {math.log10(w['t_to'] / w['t_from']):.2f} | "
            f"{m['alpha']:.3f} | {a['mean']:.3f} ± {a['std']:.3f} | {log} | {logs} |"
        )
    grid = np.array(r["grid_s"])
    picks = [
        t for t in (1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 1000) if grid[0] <= t <= grid[-1]
    ]
    heads = " | ".join(f"{t:g}" for t in picks)
    cells = []
    for t in picks:
        i = int(np.argmin(abs(np.log(grid / t))))
        cells.append(f"{r['mean_1_m2'][i]:.3g} ± {r['std_1_m2'][i]:.2g}")
    lines += [
        "",
        f"| t (s) | {heads} |",
        "| --- |" + " --- |" * len(picks),
        f"| n_v (1/m²), mean ± std | {' | '.join(cells)} |",
    ]
    return "\n".join(lines) + "\n"


def figure(result: dict, path: Path) -> None:
    """n_v of each run (thin) and the mean ± spread (thick, shaded) against t, log–log, with
    C ln(t/t0)/t and a 1/t slope for reference."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    grid = np.array(result["grid_s"])
    mean, std = np.array(result["mean_1_m2"]), np.array(result["std_1_m2"])
    fig, ax = plt.subplots(figsize=(6.0, 4.2))
    for p, c in zip(result["runs"], result["curves_1_m2"], strict=True):
        ax.loglog(grid, c, lw=0.9, alpha=0.8, label=p["label"])
    ax.fill_between(grid, np.maximum(mean - std, mean * 1e-3), mean + std, color="k", alpha=0.12)
    ax.loglog(grid, mean, "k", lw=2.2, label=f"mean of {len(result['runs'])}")
    t0, C = result["t0_s"], result["log_amplitude_C"]
    late = grid[grid > 1.5 * t0]
    ax.loglog(late, C * np.log(late / t0) / late, "r--", lw=1.4, label=f"{C:.3g} ln(t/{t0:g} s)/t")
    ax.loglog(grid, mean[-1] * grid[-1] / grid, "b:", lw=1.2, label="∝ 1/t")
    ax.set_xlabel("t (s)")
    ax.set_ylabel("vortex density n_v (1/m²)")
    m = result["fit_mean"]
    ax.set_title(
        f"mean: α = {m['alpha']:.2f} (t^−α), {m['alpha_log_corrected']:.2f} (t/ln t)", fontsize=10
    )
    ax.legend(fontsize=7, ncol=2)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def export(runs: list[Run], folder: Path) -> None:
    """Each run's t (s) and n_v (1/m²) where counted, as ``<label>.csv``."""
    folder.mkdir(parents=True, exist_ok=True)
    for r in runs:
        with open(folder / f"{r.label}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["t_s", "vortex_density_1_m2"])
            w.writerows((f"{t:.6g}", f"{n:.6g}") for t, n in zip(r.t, r.n, strict=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="results folders, one per seed")
    parser.add_argument("--t-from", type=float, default=1.0, help="start of grid and fits (s)")
    parser.add_argument("--t0", type=float, default=1.0, help="t0 of ln(t/t0) (s)")
    parser.add_argument(
        "--fit-from", type=float, nargs="*", default=[], help="also fit from these times (s)"
    )
    parser.add_argument("--per-decade", type=int, default=10, help="grid points per decade")
    parser.add_argument("--out", type=Path, required=True, help="folder for seeds.json/md/png")
    parser.add_argument("--export", type=Path, help="also write each run's t, n_v CSV here")
    parser.add_argument("--no-figure", action="store_true")
    args = parser.parse_args(argv)
    runs = load_all(args.folders)
    result = analyse(runs, args.t_from, args.per_decade, args.t0, tuple(args.fit_from))
    result["command"] = "python3 benchmarks/coarsening_seeds.py " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "seeds.json").write_text(json.dumps(result, indent=1) + "\n")
    table = markdown(result)
    (args.out / "seeds.md").write_text(table)
    if not args.no_figure:
        figure(result, args.out / "seeds.png")
    if args.export:
        export(runs, args.export)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
