"""The thermal-domain part of benchmarks/run.py: what a step of the relax variant costs in 2D
(the coarsening square of benchmarks/coarsening.py) and in 3D (the box of
benchmarks/domains_3d.py), and the table of those runs together with recorded large ones.

A recorded run is the ``benchmark.json`` that benchmarks/coarsening.py or
benchmarks/domains_3d.py writes (docs/data/*/benchmark.json); ``python3 benchmarks/run.py
--markdown RESULT.json --runs docs/data/…/benchmark.json …`` puts them into the same table.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from mpi4py import MPI

HERE = Path(__file__).resolve().parent

# (2D square side L and mesh size h in units of ξ, steps), (3D box mesh size h, steps)
SIZES = {
    "tiny": {"2d": (8.0, 0.5, 3), "3d": (0.25, 2)},
    "quick": {"2d": (64.0, 0.25, 10), "3d": (1 / 30, 5)},
    "full": {"2d": (256.0, 0.5, 20), "3d": (1 / 70, 5)},
}


def _module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def runs(size: str, comm: MPI.Comm) -> list[dict[str, Any]]:
    """The 2D and 3D runs at ``size`` (Δt = 0.1 s and 0.2 s, the diagnostics every 10th and
    every step, the case's automatic linear solver); the same rows on every rank."""
    coarsening, box = _module("coarsening"), _module("domains_3d")
    L, h, steps = SIZES[size]["2d"]
    square = coarsening.case(
        L, h, 0.1 * steps, dt=0.1, fixed=True, initial="noise", diagnostics_every=10
    )
    h3, steps3 = SIZES[size]["3d"]
    out = []
    for label, case, every in (
        (f"2D square {L:g} ξ, h = {h:g} ξ", square, 10),
        (f"3D box, h = {h3:.3g} m", box.case(h3, steps3, 0.2, {}, "cell"), 1),
    ):
        row = box.run(case, comm, every=every)
        out.append(comm.bcast({"case": label, **row} if comm.rank == 0 else None, root=0))
    return out


def recorded(report: dict[str, Any], label: str) -> dict[str, Any]:
    """A row from the ``benchmark.json`` of benchmarks/coarsening.py ({"cost": …}) or of
    benchmarks/domains_3d.py (flat), named ``label``."""
    row = dict(report.get("cost", report))
    row.setdefault("command", report.get("command"))
    return {"case": label, **row}


def table(rows: list[dict[str, Any]]) -> str:
    """One Markdown row per run: unknowns, ranks, steps, s/step, peak memory per rank,
    Newton and Krylov iterations per step."""
    head = ["case", "unknowns", "ranks", "steps", "s/step", "peak MB/rank", "Newton", "Krylov"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in rows:
        memory = " / ".join(f"{m:.0f}" for m in r["peak_rss_MB_per_rank"])
        cells = [r["case"], r["unknowns"], r["ranks"], r["steps"], f"{r['s_per_step']:.3g}"]
        cells += [memory, f"{r['newton_per_step']:.2f}", f"{r['krylov_per_step']:.1f}"]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)
