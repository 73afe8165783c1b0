"""3D vortex lines from each cell's own plane (lkfem/physics/domains/vortices.py, the default
``axis="cell"``): no line in ordered or smoothly rotating states whatever their direction;
straight lines along x, y, z and a tilted one of exact length; the same lines on 1 and 2 ranks.
Serial and under mpirun -n 2."""

from __future__ import annotations

import numpy as np
import pytest
from dolfinx import fem
from dolfinx import mesh as dmesh
from mpi4py import MPI

from lkfem.errors import LkfemError
from lkfem.physics.domains.vortices import VortexDiagnostics

LO, HI = np.array([-1.0, -1.0, 0.0]), np.array([1.0, 1.0, 1.5])
CELLS = {"tet": dmesh.CellType.tetrahedron, "hex": dmesh.CellType.hexahedron}
DIRECTIONS = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (1, 1, 1), (1, -2, 0.5)]


def _box(cell="tet", n=6, comm=MPI.COMM_WORLD, degree=1):
    mesh = dmesh.create_box(comm, [LO, HI], [n, n, n], CELLS[cell])
    return fem.Function(fem.functionspace(mesh, ("Lagrange", degree, (3,))), name="q")


def _unit(v):
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


def _wiggle(x):
    """A smooth deterministic disturbance of amplitude ≤ 0.3 per component."""
    return 0.3 * np.vstack(
        [
            np.sin(5.1 * x[0] + 3.3 * x[1] - 2.2 * x[2] + 0.4),
            np.sin(-2.7 * x[0] + 4.6 * x[1] + 3.9 * x[2] + 1.1),
            np.sin(3.8 * x[0] - 1.9 * x[1] + 5.4 * x[2] + 2.3),
        ]
    )


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("direction", DIRECTIONS, ids=str)
def test_ordered_states_have_no_lines(cell, direction):
    """q = e, q = e + a disturbance (|q| ≥ 0.48) and a spiral rotating about e: length 0."""
    e = _unit(direction)
    q = _box(cell)
    diag = VortexDiagnostics(q)
    q.interpolate(lambda x: np.outer(e, np.ones(x.shape[1])))
    lines = diag.compute()
    assert lines.length == 0.0 and lines.crossed_cells == 0
    q.interpolate(lambda x: np.outer(e, np.ones(x.shape[1])) + _wiggle(x))
    assert diag.compute().length == 0.0
    # a spiral: q turns in the plane normal to e as one moves along e (a smooth rotation)
    a = np.cross(e, [0.0, 0.0, 1.0] if abs(e[2]) < 0.9 else [1.0, 0.0, 0.0])
    a /= np.linalg.norm(a)
    b = np.cross(e, a)
    q.interpolate(lambda x: np.outer(a, np.cos(3 * e @ x)) + np.outer(b, np.sin(3 * e @ x)))
    lines = diag.compute()
    assert lines.length == 0.0 and lines.crossed_cells == 0
    assert np.all(diag.field.x.array == 0.0)


def test_a_fixed_axis_sees_false_lines_where_q_orders_along_it():
    """Why the cell's plane is the default: q = e_z + a disturbance has no vortex, but the phase of
    (q_x, q_y) is the disturbance's, which winds."""
    q = _box()
    q.interpolate(lambda x: np.outer([0.0, 0.0, 1.0], np.ones(x.shape[1])) + _wiggle(x))
    assert VortexDiagnostics(q, axis="z").compute().length > 1.0
    assert VortexDiagnostics(q).compute().length == 0.0


def _inside(p, t):
    """The length of the line p + s t inside the box."""
    with np.errstate(divide="ignore"):
        s1, s2 = (LO - p) / t, (HI - p) / t
    lo = np.where(t != 0, np.minimum(s1, s2), -np.inf).max()
    hi = np.where(t != 0, np.maximum(s1, s2), np.inf).min()
    return hi - lo


LINES = {
    "x": ((1, 0, 0), (0.0, 0.061, 0.777)),
    "y": ((0, 1, 0), (-0.129, 0.0, 0.713)),
    "z": ((0, 0, 1), (0.107, -0.093, 0.0)),
    "tilted": ((0.4, 0.7, 1.0), (0.037, -0.052, 0.75)),
}


@pytest.mark.parametrize("cell", sorted(CELLS))
@pytest.mark.parametrize("kind", ["source", "circulation"])
@pytest.mark.parametrize("line", sorted(LINES))
def test_straight_lines_have_their_length(cell, kind, line):
    """q = P_t (x − p) (a source line) or t × (x − p) (a circulating vortex): linear, normal to
    t, vanishing on the line p + s t. On tetrahedra the polyline is the line (length to 1e-9);
    on hexahedra the crossing points are face centroids: exact for lines along an axis, within
    3 % for the tilted one (h = 1/3 m)."""
    t, p = _unit(LINES[line][0]), np.asarray(LINES[line][1])
    P = np.eye(3) - np.outer(t, t)
    q = _box(cell)
    if kind == "source":
        q.interpolate(lambda x: P @ (x - p[:, None]))
    else:
        q.interpolate(lambda x: np.cross(t, (x - p[:, None]).T).T)
    lines = VortexDiagnostics(q).compute()
    exact = _inside(p, t)
    if cell == "tet" or line != "tilted":
        assert lines.length == pytest.approx(exact, rel=1e-9)
    else:
        assert lines.length == pytest.approx(exact, rel=0.03)
    if cell == "tet":  # every segment lies on the line
        segs = lines.gather_segments(MPI.COMM_WORLD).reshape(-1, 3) - p
        assert np.allclose(segs - np.outer(segs @ t, t), 0.0, atol=1e-9)


def _tangle(x):
    """A nearly planar field (a weak q_z) with several curved lines through the box."""
    return np.vstack(
        [
            np.sin(4.1 * x[0] + 0.3) + 0.4 * np.sin(3.7 * x[2]),
            np.sin(3.9 * x[1] - 0.2) + 0.3 * np.cos(4.3 * x[2]),
            0.05 * np.sin(2.5 * x[2] + 0.4),
        ]
    )


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_same_lines_on_any_number_of_ranks(cell):
    """The lines of the distributed mesh equal those of the whole mesh on this rank alone."""
    found = []
    for comm in (MPI.COMM_WORLD, MPI.COMM_SELF):
        q = _box(cell, n=8, comm=comm, degree=2)
        q.interpolate(_tangle)
        found.append(VortexDiagnostics(q).compute())
    world, alone = found
    assert alone.crossed_cells > 10
    assert world.crossed_cells == alone.crossed_cells
    assert world.length == pytest.approx(alone.length, rel=1e-12)


def test_unknown_axis_is_refused():
    with pytest.raises(LkfemError, match="vortex axis"):
        VortexDiagnostics(_box(n=2), axis="w")
