"""Domain structure (lkfem/physics/domains/structure.py): mean |q|, the |q| histogram and the
domain size from the structure factor, on fields of known period, serial and under mpirun -n 2
(every sum is over all ranks, so the numbers are the same)."""

from __future__ import annotations

import numpy as np
import pytest
from dolfinx import fem
from dolfinx import mesh as dmesh
from mpi4py import MPI

from lkfem.physics.domains.structure import DomainStructure


def _q(n=32, cell=dmesh.CellType.triangle, gdim=2, degree=1):
    if gdim == 2:
        mesh = dmesh.create_unit_square(MPI.COMM_WORLD, n, n, cell)
    else:
        mesh = dmesh.create_unit_cube(MPI.COMM_WORLD, n, n, n)
    return fem.Function(fem.functionspace(mesh, ("Lagrange", degree, (gdim,))))


@pytest.mark.parametrize(
    "cell", [dmesh.CellType.triangle, dmesh.CellType.quadrilateral], ids=["tri", "quad"]
)
@pytest.mark.parametrize("period", [0.25, 0.5])
def test_domain_size_of_a_rotating_field(cell, period):
    """q = q0 (cos 2πx/ℓ, sin 2πx/ℓ): one Fourier mode, so L = 2π/k = ℓ; |q| = q0 everywhere."""
    q0 = 3.0
    q = _q(cell=cell, degree=2)
    q.interpolate(
        lambda x: (
            q0 * np.vstack([np.cos(2 * np.pi * x[0] / period), np.sin(2 * np.pi * x[0] / period)])
        )
    )
    edges = np.linspace(0.25, 4.25, 9)  # q0 mid-bin
    s = DomainStructure(q, edges, modes=8).compute()
    assert s.domain_size == pytest.approx(period, rel=1e-6)
    assert s.mean_abs == pytest.approx(q0, rel=1e-3)
    assert s.histogram.sum() == pytest.approx(1.0)
    assert s.histogram[np.searchsorted(edges, q0) - 1] == pytest.approx(1.0, rel=1e-3)
    assert s.k[np.argmax(s.S)] == pytest.approx(2 * np.pi / period)


def test_two_scales_and_a_uniform_part():
    """A uniform part does not count (k = 0 left out); two modes of equal power at k and 3k give
    k₁ = 2k, L = ℓ/2 (ℓ the longer period)."""
    q = _q(n=24, degree=2)
    k = 2 * np.pi * 2
    q.interpolate(lambda x: np.vstack([5.0 + np.cos(k * x[0]), np.sin(3 * k * x[1])]))
    s = DomainStructure(q, np.linspace(0, 10, 11), modes=8).compute()
    assert s.domain_size == pytest.approx(0.5 / 2, rel=1e-2)


def test_uniform_field_and_3d():
    q = _q(n=6, gdim=3)
    q.interpolate(lambda x: np.vstack([0 * x[0] + 1.0, 0 * x[0] + 2.0, 0 * x[0] + 2.0]))
    s = DomainStructure(q, [0.0, 2.5, 3.5], modes=3).compute()
    assert s.mean_abs == pytest.approx(3.0)
    assert np.allclose(s.histogram, [0.0, 1.0])
    assert s.domain_size == float("inf")
    q.interpolate(
        lambda x: np.vstack([np.cos(2 * np.pi * x[2]), np.sin(2 * np.pi * x[2]), 0 * x[0]])
    )
    assert DomainStructure(q, [0.0, 2.0], modes=3).compute().domain_size == pytest.approx(
        1.0, rel=1e-6
    )
