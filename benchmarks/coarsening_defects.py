"""The defects of a 2D coarsening run, snapshot by snapshot (docs/verification.md): where the
vortices (+1) and antivortices (−1) are, how far each is from its nearest defect of the other
sign and from the boundary, and how far it moved since the previous snapshot.

    python3 benchmarks/coarsening_defects.py results/coarsening-512 [--csv positions.csv]

Reads the results folder's ``fields.h5`` (the XDMF fields lkfem writes every ``[output] every``
steps): the cell field ``winding`` on the mesh, defects at the centres of the cells whose
winding is ±1. Needs h5py (in the Debian roots); serial, no dolfinx.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import h5py
import numpy as np
from scipy.spatial import cKDTree


def snapshots(folder: Path) -> list[tuple[float, np.ndarray]]:
    """(t, defects as rows x, y, sign) of every written step."""
    with h5py.File(folder / "fields.h5", "r") as f:
        mesh = f["Mesh"][next(iter(f["Mesh"]))]
        x = mesh["geometry"][:, :2]
        centres = x[mesh["topology"][:]].mean(axis=1)
        group = f["Function"]["winding"]
        out = []
        for key in sorted(group, key=lambda k: float(k.replace("_", "."))):
            w = np.rint(group[key][:].ravel()).astype(int)
            hit = w != 0
            out.append((float(key.replace("_", ".")), np.c_[centres[hit], w[hit]]))
    return out


def describe(defects: np.ndarray, previous: np.ndarray | None, box: np.ndarray) -> dict:
    """Counts and the median distances (m) of one snapshot."""
    pos, sign = defects[:, :2], defects[:, 2]
    row = {"vortices": int((sign > 0).sum()), "antivortices": int((sign < 0).sum())}
    if len(pos) == 0:
        return row
    other = np.full(len(pos), np.inf)
    for s in (1, -1):
        mine, theirs = sign == s, sign == -s
        if theirs.any() and mine.any():
            other[mine] = cKDTree(pos[theirs]).query(pos[mine])[0]
    wall = np.minimum(pos - box[0], box[1] - pos).min(axis=1)
    row["nearest_opposite_median_m"] = float(np.median(other))
    row["nearest_opposite_min_m"] = float(other.min())
    row["wall_median_m"] = float(np.median(wall))
    if previous is not None and len(previous):
        moved = np.full(len(pos), np.inf)
        for s in (1, -1):
            mine, before = sign == s, previous[:, 2] == s
            if mine.any() and before.any():
                moved[mine] = cKDTree(previous[before, :2]).query(pos[mine])[0]
        row["moved_median_m"] = float(np.median(moved))
        row["moved_max_m"] = float(moved[np.isfinite(moved)].max(initial=0.0))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--csv", type=Path, help="write every defect (t, x, y, sign) here")
    args = parser.parse_args()
    snaps = snapshots(args.folder)
    with h5py.File(args.folder / "fields.h5", "r") as f:
        x = f["Mesh"][next(iter(f["Mesh"]))]["geometry"][:, :2]
    box = np.array([x.min(axis=0), x.max(axis=0)])
    previous = None
    for t, defects in snaps:
        print(f"t = {t:8.3f} s: {describe(defects, previous, box)}")
        previous = defects
    if args.csv:
        with open(args.csv, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["t_s", "x_m", "y_m", "winding"])
            for t, defects in snaps:
                w.writerows([t, *map(float, d[:2]), int(d[2])] for d in defects)


if __name__ == "__main__":
    main()
