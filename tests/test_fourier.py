"""The steady Fourier slice against exact solutions of layered slabs."""

import numpy as np
import pytest

import lkfem as lk
from lkfem.meshes import layered_slab

LY, LZ = 0.25, 0.25
AREA = LY * LZ


def _max_error(T, exact, comm):
    x = T.function_space.tabulate_dof_coordinates()
    local = np.max(np.abs(T.x.array - exact(x[:, 0])), initial=0.0)
    return comm.allreduce(local, op=__import__("mpi4py").MPI.MAX)


@pytest.mark.parametrize("k1, k2", [(1.0, 4.0), (5.0, 0.5)])
def test_two_layer_slab_is_exact(comm, k1, k2):
    """Series conductors: T is piecewise linear and q = ΔT / (L1/k1 + L2/k2)."""
    L1, L2, T0, T1 = 0.4, 0.6, 1.0, 0.0
    domain = layered_slab.build(comm, thickness=[L1, L2], ly=LY, lz=LZ, h=0.1)
    result = lk.solve_steady_fourier(
        domain,
        {"layer0": lk.Material(k=k1), "layer1": lk.Material(k=k2)},
        {"left": lk.Temperature(value=T0), "right": lk.Temperature(value=T1)},
    )
    q = (T0 - T1) / (L1 / k1 + L2 / k2)
    Ti = T0 - q * L1 / k1

    def exact(x):
        return np.where(x <= L1, T0 - q * x / k1, Ti - q * (x - L1) / k2)

    assert _max_error(result.T, exact, comm) < 1e-8
    assert result.heat_flow["right"] == pytest.approx(q * AREA, rel=1e-8)
    assert result.heat_flow["left"] == pytest.approx(-q * AREA, rel=1e-8)
    assert abs(result.heat_flow["top"]) < 1e-14
    assert abs(result.balance_error) < 1e-9 * q * AREA  # closes to solver tolerance


def test_uniform_source_quadratic_is_exact(comm):
    """−k T'' = Q, T(0) = T(L) = 0: T = Q x (L − x) / (2k); P2 is exact, half the heat per side."""
    L, k, Q = 1.0, 2.0, 3.0
    domain = layered_slab.build(comm, thickness=[L], ly=LY, lz=LZ, h=0.2)
    result = lk.solve_steady_fourier(
        domain,
        {"layer0": lk.Material(k=k)},
        {"left": lk.Temperature(value=0.0), "right": lk.Temperature(value=0.0)},
        source=Q,
        degree=2,
    )
    assert _max_error(result.T, lambda x: Q * x * (L - x) / (2 * k), comm) < 1e-8
    for side in ("left", "right"):
        assert result.heat_flow[side] == pytest.approx(Q * L * AREA / 2, rel=1e-8)
    assert result.source_power == pytest.approx(Q * L * AREA, rel=1e-12)
    assert abs(result.balance_error) < 1e-9


def test_convection_and_flux_boundaries(comm):
    """T(0) = T0 and q·n = h (T − T∞) at x = L: q = (T0 − T∞) / (L/k + 1/h)."""
    L, k, h, T0, Tinf = 1.0, 2.0, 5.0, 10.0, 1.0
    domain = layered_slab.build(comm, thickness=[L], ly=LY, lz=LZ, h=0.15)
    result = lk.solve_steady_fourier(
        domain,
        {"layer0": lk.Material(k=k)},
        {
            "left": lk.Temperature(value=T0),
            "right": lk.Convection(h=h, T_inf=Tinf),
            "top": lk.HeatFlux(value=0.0),
        },
    )
    q = (T0 - Tinf) / (L / k + 1 / h)
    assert _max_error(result.T, lambda x: T0 - q * x / k, comm) < 1e-8
    assert result.heat_flow["right"] == pytest.approx(q * AREA, rel=1e-8)
    assert abs(result.balance_error) < 1e-9

    # A prescribed outward flux at x = L instead: T = T0 − g x / k.
    g = 3.0
    result = lk.solve_steady_fourier(
        domain,
        {"layer0": lk.Material(k=k)},
        {"left": lk.Temperature(value=T0), "right": lk.HeatFlux(value=g)},
    )
    assert _max_error(result.T, lambda x: T0 - g * x / k, comm) < 1e-8
    assert result.heat_flow["left"] == pytest.approx(-g * AREA, rel=1e-8)


def test_source_power_with_boundary_loads(comm):
    """∫ Q dx (read off the right-hand side less its flux and convection terms) with a source
    of x, two regions and all three kinds of condition; the heat flows (the residual at the
    temperature dofs, assembled only over the cells holding one) close the balance."""
    domain = layered_slab.build(comm, thickness=[0.4, 0.6], ly=LY, lz=LZ, h=0.15)
    result = lk.solve_steady_fourier(
        domain,
        {"layer0": lk.Material(k=2.0), "layer1": lk.Material(k=6.0)},
        {
            "left": lk.Temperature(value=1.0),
            "right": lk.Convection(h=5.0, T_inf="1 + y"),
            "top": lk.HeatFlux(value=0.5),
        },
        source="3 * x",
    )
    assert result.source_power == pytest.approx(1.5 * AREA, rel=1e-10)  # ∫ 3x dx over [0, 1]
    assert result.heat_flow["top"] == pytest.approx(0.5 * 1.0 * LZ, rel=1e-10)
    assert abs(result.balance_error) < 1e-9


def test_pure_flux_problem_is_refused(comm):
    domain = layered_slab.build(comm, thickness=[1.0], ly=LY, lz=LZ, h=0.3)
    with pytest.raises(lk.CaseError, match="at least one temperature or convection"):
        lk.solve_steady_fourier(
            domain, {"layer0": lk.Material(k=1.0)}, {"left": lk.HeatFlux(value=1.0)}
        )
