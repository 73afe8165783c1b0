"""The LK problem's initial state (lkfem/physics/lk/initial.py): ``q = "fourier"`` is the L2
projection of −K∇T0 with the exact gradient of the expression, so the Fourier resonance keeps
the order of the temperature element; K(T) is taken at T0."""

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

import lkfem as lk
from lkfem import TimeSettings, run_transient
from lkfem.core.domain import from_mesh
from lkfem.physics.lk.problem import LKProblem

from .verification import l2_error, rates


def _interval(comm, n, length=1.0):
    return from_mesh(dmesh.create_interval(comm, n, [0.0, length]))


def test_fourier_initial_flux_keeps_the_resonance_second_order(comm):
    """Guyer–Krumhansl at the Fourier resonance ℓ² = kτ/C from T0 = cos(πx), q0 = "fourier",
    degree 1 (T ∈ P1, q ∈ P2), n = 10, 20, 40: the exact solution is Fourier's decaying mode.
    Measured orders: q0 in L2 3.0 (was 1.0: −k∇T0,h interpolated, one cell's value at each
    shared node); T at t = 0.05 in L2 2.0 (was 1.1–1.25; errors 5.7e-3, 1.4e-3, 3.5e-4, were
    7.7e-3, 3.2e-3, 1.5e-3)."""
    k, C, tau = 2.0, 4.0, 0.05
    ell = np.sqrt(k * tau / C)
    rate = k / C * np.pi**2
    t_end = 0.05
    sizes, q_errors, T_errors = [], [], []
    for n in (10, 20, 40):
        problem = LKProblem(
            _interval(comm, n),
            {"domain": lk.Material(k=k, C=C, tau=tau, ell=ell)},
            {},
            element="taylor_hood",
            degree=1,
        )
        problem.set_initial(T0="cos(pi*x)", q0="fourier")
        mesh = problem.domain.mesh
        x = ufl.SpatialCoordinate(mesh)[0]
        q_exact = ufl.as_vector([k * np.pi * ufl.sin(np.pi * x)])
        q_errors.append(l2_error(problem.q, q_exact, mesh=mesh))
        run_transient(problem, TimeSettings(t_end=t_end, dt=0.001, scheme="bdf2"))
        T_exact = np.exp(-rate * t_end) * ufl.cos(np.pi * x)
        T_errors.append(l2_error(problem.T, T_exact, mesh=mesh))
        sizes.append(1.0 / n)
        problem.destroy()
    q_rates, T_rates = rates(q_errors, sizes), rates(T_errors, sizes)
    assert min(q_rates) > 2.8, (q_errors, q_rates)
    assert min(T_rates) > 1.9, (T_errors, T_rates)
    assert T_errors[-1] < 4e-4, T_errors


@pytest.mark.parametrize("element", ["primal", "taylor_hood", "hdiv"])
def test_fourier_initial_flux_with_temperature_dependent_conductivity(comm, element):
    """k = 1 + T/2 and T0 = 2 + x on the unit square: q0 = −(1 + T0/2) e_x = −(2 + x/2) e_x
    with K at T0 (it was taken at T = 0: −e_x, 1.3 off in L2): exact where q's space holds P1
    (Taylor–Hood), the best piecewise constant (error h/√48 for h = 1/4) or lowest-order
    Raviart–Thomas field otherwise."""
    mesh = dmesh.create_unit_square(comm, 4, 4)
    problem = LKProblem(
        from_mesh(mesh), {"domain": lk.Material(k="1 + 0.5*T", tau=0.1)}, {}, element=element
    )
    problem.set_initial(T0="2 + x", q0="fourier")
    x = ufl.SpatialCoordinate(mesh)[0]
    error = l2_error(problem.q, ufl.as_vector([-(2.0 + x / 2), 0.0]), mesh=mesh)
    expected = {"taylor_hood": 1e-10, "primal": 0.5 * 0.25 / np.sqrt(12), "hdiv": 0.1}[element]
    assert error < expected, error
    problem.destroy()


def test_uniform_initial_temperature_carries_no_flux(comm):
    problem = LKProblem(_interval(comm, 4), {"domain": lk.Material(k=3.0, tau=0.1)}, {})
    problem.set_initial(T0=5.0, q0="fourier")
    q, T = problem.split()
    assert np.all(q.x.array == 0.0) and np.allclose(T.x.array, 5.0)
    problem.destroy()


def test_initial_temperature_of_mesh_constants_carries_no_flux(comm):
    """T0 built of mesh constants only (its gradient is identically zero): q0 = 0 (the
    projection's right-hand side had no test function: IndexError in the assembly)."""
    from lkfem.physics.lk.initial import fourier_flux

    problem = LKProblem(_interval(comm, 4), {"domain": lk.Material(k=3.0, tau=0.1)}, {})
    q = fem.Function(problem.V_q)
    q.x.array[:] = 1.0
    T_fun = fem.Function(problem.V_T)
    fourier_flux(problem, 300.0 + 2.0 * problem.t, T_fun, q)
    assert np.all(q.x.array == 0.0)
    problem.destroy()


def test_initial_state_may_not_depend_on_time(comm):
    problem = LKProblem(_interval(comm, 4), {"domain": lk.Material(k=3.0, tau=0.1)}, {})
    with pytest.raises(lk.CaseError, match=r"initial.T.*may not depend on the time t"):
        problem.set_initial(T0="300 + t", q0="fourier")
    with pytest.raises(lk.CaseError, match=r"initial.q\[0\].*may not depend on the time t"):
        problem.set_initial(T0=300.0, q0=["t"])
    problem.destroy()
