"""The figures of docs/verification.md, "1D and 2D", from the helpers the tests use, on finer
meshes than the tests afford:  python3 -m tests.figures_2d  (about a minute on one rank)."""

import numpy as np
from mpi4py import MPI

from . import test_lk_mms as mms
from . import test_verification_2d as v2
from .verification import rates


def _say(comm, *parts):
    if comm.rank == 0:
        print(*parts, flush=True)


def _row(errors, h):
    """'e1, e2, … | pairwise orders | least-squares slope'."""
    errors, h = np.asarray(errors), np.asarray(h, dtype=float)
    slope = np.polyfit(np.log(h), np.log(errors), 1)[0]
    pairs = ", ".join(f"{r:.2f}" for r in rates(errors, h))
    return f"{', '.join(f'{e:.3g}' for e in errors)} | {pairs} | {slope:.2f}"


def fourier(comm):
    for quads in (False, True):
        for degree, sizes in ((1, (8, 16, 32, 64)), (2, (4, 8, 16, 32))):
            runs = np.array([v2.fourier_mms_error(comm, quads, degree, n) for n in sizes])
            cells = runs[:, 2].astype(int).tolist()
            h = runs[:, 2] ** -0.5
            _say(comm, "fourier mms", "quads" if quads else "triangles", f"P{degree}", cells)
            _say(comm, "   T L2:", _row(runs[:, 0], h), f"| balance ≤ {runs[:, 1].max():.1e} W/m")
    sizes = (0.1, 0.05, 0.025)
    flow, _ = v2.annulus_exact()
    for degree in (1, 2):
        runs = np.array([v2.annulus_errors(comm, h, degree) for h in sizes])
        _say(comm, f"annulus P{degree}, Φ = {flow:.6f} W/m, h = {sizes}")
        _say(comm, "   Φ_h/Φ − 1:", ", ".join(f"{e:.3g}" for e in runs[:, 0]))
        _say(comm, "   |Φ_h/Φ − 1|:", _row(np.abs(runs[:, 0]), sizes))
        _say(comm, "   max nodal T:", _row(runs[:, 1], sizes))


def lk(comm):
    rows = [
        ("taylor_hood", mms.LAM, "L2", (4, 8, 16, 32)),
        ("taylor_hood", mms.LAM, "H1", (4, 8, 16, 32)),
        ("primal", 0.0, "L2", (8, 16, 32, 64)),
        ("hdiv", 0.0, "L2", (8, 16, 32, 64)),
    ]
    for cells in ("triangles", "quads"):
        for element, lam, norm, sizes in rows:
            runs = np.array(
                [mms._solve_mms(comm, 2, n, element, lam, norm, cells=cells) for n in sizes]
            )
            h = runs[:, 2] ** -0.5
            _say(comm, "lk mms 2D", cells, element, runs[:, 2].astype(int).tolist())
            _say(comm, f"   q {norm}:", _row(runs[:, 0], h))
            _say(comm, "   T L2:", _row(runs[:, 1], h))
    for element, lam in (("taylor_hood", mms.LAM), ("primal", 0.0)):
        sizes = (16, 32, 64)
        runs = np.array([mms._solve_mms(comm, 1, n, element, lam, "L2") for n in sizes])
        h = [1.0 / n for n in sizes]
        _say(comm, "lk mms 1D", element, sizes)
        _say(comm, "   q L2:", _row(runs[:, 0], h))
        _say(comm, "   T L2:", _row(runs[:, 1], h))


def front(comm):
    t = 0.5
    line = v2._front_nodal(comm, "interval", t_end=t)
    strip = v2._front_nodal(comm, "quads", t_end=t)
    rows = np.unique(np.round(strip[:, 1], 9))
    diff, fronts, rise = 0.0, [], -np.inf
    for y in rows:
        row = strip[np.round(strip[:, 1], 9) == y]
        diff = max(diff, np.max(np.abs(row[:, 2] - line[:, 2])))
        fronts.append(v2._front(row[:, 0], row[:, 2], t) / (v2.SPEED * t) - 1)
        rise = max(rise, np.max(np.diff(row[:, 2])))
    _say(comm, f"front: {len(rows)} rows, max |T_strip − T_line| = {diff:.2e}")
    _say(comm, f"   front/(c t) − 1 in [{min(fronts):.2e}, {max(fronts):.2e}], max ΔT = {rise:.1e}")


def balance(comm):
    for args in (("backward_euler", "primal", 0.0), ("bdf2", "primal", 0.0)):
        worst, integral, change = v2.annulus_balance(comm, *args)
        _say(comm, f"balance {args}: worst {worst:.1e}; Σ {integral:.6f}, change {change:.6f}")
    worst, *_ = v2.annulus_balance(comm, "bdf2", "taylor_hood", 0.1)
    _say(comm, f"balance bdf2 taylor_hood ℓ = 0.1: worst {worst:.1e}")


if __name__ == "__main__":
    comm = MPI.COMM_WORLD
    for part in (fourier, lk, front, balance):
        part(comm)
