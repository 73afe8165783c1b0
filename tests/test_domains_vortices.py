"""Vortex diagnostics (lkfem/physics/domains/vortices.py) on analytic fields: single vortices and
antivortices, several of them at known places, on triangles and quadrilaterals; a straight vortex
line and a vortex ring in 3D of known length (the 3D lines from each cell's own plane are tested
further in tests/test_domains_lines.py). Serial and under mpirun -n 2."""

from __future__ import annotations

import numpy as np
import pytest
from dolfinx import fem
from dolfinx import mesh as dmesh
from mpi4py import MPI

from lkfem.physics.domains.vortices import VortexDiagnostics

CELLS_2D = {"triangle": dmesh.CellType.triangle, "quadrilateral": dmesh.CellType.quadrilateral}


def _square(cell, n=24, degree=1):
    mesh = dmesh.create_rectangle(
        MPI.COMM_WORLD, [np.array([-1.0, -1.0]), np.array([1.0, 1.0])], [n, n], CELLS_2D[cell]
    )
    return fem.Function(fem.functionspace(mesh, ("Lagrange", degree, (2,))), name="q")


def _psi(x, centres):
    """The complex field Π (z − z_k)^{±1} (conjugate for −1), as (Re, Im) rows."""
    z = x[0] + 1j * x[1]
    psi = np.ones_like(z)
    for cx, cy, s in centres:
        d = z - (cx + 1j * cy)
        psi *= d if s > 0 else np.conj(d)
    psi /= np.maximum(np.abs(psi), 1e-30)  # unit length: only the angle counts
    return np.vstack([psi.real, psi.imag])


@pytest.mark.parametrize("cell", sorted(CELLS_2D))
@pytest.mark.parametrize("sign", [1, -1])
def test_single_vortex_and_antivortex(cell, sign):
    q = _square(cell)
    centre = (0.013, -0.021)  # off the vertices and edges
    q.interpolate(lambda x: _psi(x, [(*centre, sign)]))
    v = VortexDiagnostics(q).compute()
    assert (v.vortices, v.antivortices) == ((1, 0) if sign > 0 else (0, 1))
    assert v.charge == sign
    assert v.positions.shape == (1, 3)
    h = 2.0 / 24
    assert np.allclose(v.positions[0, :2], centre, atol=h if cell == "quadrilateral" else 0.02)
    assert v.positions[0, 2] == sign


def test_position_is_exact_for_a_linear_core():
    """q = (x − x0, y − y0) is linear: the zero of its interpolant on the triangle is the core."""
    q = _square("triangle", n=10)
    q.interpolate(lambda x: np.vstack([x[0] - 0.123, x[1] + 0.071]))
    v = VortexDiagnostics(q).compute()
    assert v.vortices == 1 and v.antivortices == 0
    assert np.allclose(v.positions[0, :2], [0.123, -0.071], atol=1e-12)


@pytest.mark.parametrize("cell", sorted(CELLS_2D))
def test_several_vortices_from_a_quadratic_field(cell):
    """Three vortices and two antivortices at known places; q of degree 2 (read at the vertices).
    The winding field is the DG0 function to write, and sums to the net charge."""
    centres = [(-0.5, -0.5, 1), (0.52, -0.43, 1), (-0.01, 0.6, 1), (0.5, 0.41, -1), (-0.6, 0.3, -1)]
    q = _square(cell, n=32, degree=2)
    q.interpolate(lambda x: _psi(x, centres))
    diag = VortexDiagnostics(q)
    v = diag.compute()
    assert (v.vortices, v.antivortices) == (3, 2)
    found = sorted((round(a, 1), round(b, 1), int(s)) for a, b, s in v.positions)
    expected = sorted((round(a, 1), round(b, 1), s) for a, b, s in centres)
    assert found == expected
    owned = q.function_space.mesh.topology.index_map(2).size_local
    dofs = diag.field.function_space.dofmap.list[:owned, 0]
    total = MPI.COMM_WORLD.allreduce(diag.field.x.array[dofs].sum(), op=MPI.SUM)
    assert total == pytest.approx(1.0)
    assert diag.field.name == "winding"


def test_uniform_field_has_no_vortices():
    q = _square("triangle", n=8)
    q.interpolate(lambda x: np.vstack([np.cos(2.0 * x[0]), np.sin(2.0 * x[0])]))
    v = VortexDiagnostics(q).compute()
    assert (v.vortices, v.antivortices) == (0, 0) and v.positions.shape == (0, 3)


def _box(n=6, cell=dmesh.CellType.tetrahedron):
    mesh = dmesh.create_box(
        MPI.COMM_WORLD, [np.array([-1.0, -1.0, 0.0]), np.array([1.0, 1.0, 1.5])], [n, n, n], cell
    )
    return fem.Function(fem.functionspace(mesh, ("Lagrange", 1, (3,))), name="q")


@pytest.mark.parametrize(
    "cell", [dmesh.CellType.tetrahedron, dmesh.CellType.hexahedron], ids=["tet", "hex"]
)
def test_straight_line_along_z(cell):
    """q = (x − x0, y − y0, 0): a line along z through the box, 1.5 m long, with each cell's
    plane and with the axis z. On tetrahedra the field is linear, so the polyline is the line
    itself."""
    q = _box(cell=cell)
    q.interpolate(lambda x: np.vstack([x[0] - 0.107, x[1] + 0.093, 0.0 * x[0]]))
    assert VortexDiagnostics(q, axis="z").compute().length == pytest.approx(1.5, rel=1e-10)
    diag = VortexDiagnostics(q)
    lines = diag.compute()
    if cell == dmesh.CellType.tetrahedron:
        assert lines.length == pytest.approx(1.5, rel=1e-10)
        segs = lines.gather_segments(MPI.COMM_WORLD)
        assert np.allclose(segs[..., 0], 0.107) and np.allclose(segs[..., 1], -0.093)
    else:  # crossing points at face centroids: a vertical polyline through the cells' column
        assert lines.length == pytest.approx(1.5, rel=1e-10)
    assert diag.field.name == "vortex_line_density"


def test_line_along_x_with_the_axis_given():
    """The phase from (q_y, q_z) (axis x) finds a line along x, 2 m long; (q_x, q_y) none."""
    q = _box()
    q.interpolate(lambda x: np.vstack([0.3 + 0.0 * x[0], x[1] - 0.061, x[2] - 0.777]))
    assert VortexDiagnostics(q, axis="x").compute().length == pytest.approx(2.0, rel=1e-10)
    assert VortexDiagnostics(q, axis="z").compute().length == pytest.approx(0.0)


def test_vortex_ring_length_converges():
    """ψ = (ρ − R) + i (z − z0) as (q_x, q_y): a ring of radius R; its length tends to 2πR."""
    R, z0 = 0.55, 0.71
    errors = []
    for n in (8, 16):
        q = _box(n=n)
        q.interpolate(lambda x: np.vstack([np.hypot(x[0], x[1]) - R, x[2] - z0, 0.0 * x[0]]))
        errors.append(abs(VortexDiagnostics(q, axis="z").compute().length - 2 * np.pi * R))
    assert errors[1] < 0.05 * 2 * np.pi * R
    assert errors[1] < errors[0] / 2.5  # O(h²)
