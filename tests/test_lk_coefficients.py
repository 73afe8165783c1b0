"""Coefficients beyond constants: anisotropic tensors, T-dependent conductivity, time stepping
controls (milestones, adaptive Δt, steady-state stop)."""

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from mpi4py import MPI

import lkfem as lk
from lkfem import TimeSettings, bdf_coefficients, run_transient
from lkfem.core.domain import from_mesh
from lkfem.physics.lk.problem import LKProblem
from lkfem.physics.lk.quantities import Quantities

K_TENSOR = ((2.0, 0.5, 0.0), (0.5, 1.0, 0.2), (0.0, 0.2, 1.5))


@pytest.mark.parametrize("model", ["fourier", "lk"])
def test_anisotropic_tensor_gives_rotated_flux(comm, model):
    """T = g x on the whole boundary of a cube is exact for constant K, and q = −K ∇T = −g K e_x:
    an anisotropic K turns the flux off the gradient."""
    g = 3.0
    domain = from_mesh(dmesh.create_unit_cube(comm, 3, 3, 3, dmesh.CellType.tetrahedron))
    material = lk.Material(k=K_TENSOR)
    bcs = {name: lk.Temperature(value=f"{g}*x") for name in domain.exterior_boundaries()}
    if model == "fourier":
        q = lk.solve_steady_fourier(domain, {"domain": material}, bcs).q
    else:
        problem = LKProblem(domain, {"domain": material}, bcs, element="primal")
        problem.solve_steady()
        q, _ = problem.split()
        problem.destroy()
    values = q.x.array.reshape(-1, 3)
    expected = -g * np.array(K_TENSOR)[:, 0]
    assert np.allclose(values, expected, atol=1e-9)


def test_temperature_dependent_conductivity(comm):
    """k = k0 (1 + βT) between T0 and T1 (Kirchhoff): q = k0 [(T0 − T1) + β (T0² − T1²)/2] / L."""
    k0, beta, T0, T1, L = 1.0, 0.5, 2.0, 0.0, 1.0
    domain = from_mesh(dmesh.create_interval(comm, 40, [0.0, L]))
    problem = LKProblem(
        domain,
        {"domain": lk.Material(k=f"{k0}*(1 + {beta}*T)")},
        {"left": lk.Temperature(value=T0), "right": lk.Temperature(value=T1)},
        element="primal",
        degree=2,
    )
    info = problem.solve_steady()
    assert info.iterations > 1  # a nonlinear problem
    flows = Quantities(problem).evaluate()["heat_flow_W"]
    expected = k0 * ((T0 - T1) + beta * (T0**2 - T1**2) / 2) / L
    assert flows["right"] == pytest.approx(expected, rel=1e-6)
    assert flows["left"] == pytest.approx(-expected, rel=1e-6)
    problem.destroy()


@pytest.mark.parametrize("scheme", ["backward_euler", "bdf2"])
def test_bdf_coefficients_are_consistent(scheme):
    """The derivative of a polynomial of degree ≤ 1 (BE) or ≤ 2 (BDF2) is exact, steps varying."""
    dt, dt_prev = 0.3, 0.2
    a0, a1, a2 = bdf_coefficients(scheme, dt, dt_prev)
    degree = 1 if scheme == "backward_euler" else 2
    for p in range(degree + 1):
        u = [(-dt_prev) ** p, 0.0**p, dt**p]  # u(t) = t^p at t_{n-1}, t_n, t_{n+1}
        rate = (a0 * u[2] + a1 * u[1] + a2 * u[0]) / dt
        assert rate == pytest.approx(p * dt ** (p - 1) if p else 0.0, abs=1e-12)


def _relaxing_problem(comm):
    domain = from_mesh(dmesh.create_interval(comm, 20, [0.0, 1.0]))
    problem = LKProblem(
        domain,
        {"domain": lk.Material(k=1.0, tau=0.01)},
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element="primal",
    )
    problem.set_initial(T0=0.0)
    return problem


def test_milestones_adaptive_growth_and_steady_stop(comm):
    """Steps land on milestones, Δt grows while Newton converges at once (a linear problem) up to
    dt_max, and the run stops at the steady state long before t_end."""
    problem = _relaxing_problem(comm)
    settings = TimeSettings(
        t_end=100.0, dt=1e-3, adaptive=True, dt_max=0.5, milestones=(0.0123, 0.5), steady_tol=1e-8
    )
    records = run_transient(problem, settings)
    times = np.array([r.t for r in records])
    for m in settings.milestones:
        assert np.min(np.abs(times - m)) < 1e-12
    steps = np.array([r.dt for r in records])
    assert steps.max() == pytest.approx(0.5)
    assert records[-1].t < 100.0
    # the steady state reached is the linear profile T = 1 − x
    _, T = problem.split()
    x = T.function_space.tabulate_dof_coordinates()[:, 0]
    assert np.max(np.abs(T.x.array - (1 - x))) < 1e-6
    problem.destroy()


def test_newton_failure_shrinks_the_step(comm):
    """A Newton limit of one iteration fails for a nonlinear step: the adaptive stepper retries
    with smaller steps, and gives a clear error once at dt_min."""
    domain = from_mesh(dmesh.create_interval(comm, 10, [0.0, 1.0]))
    problem = LKProblem(
        domain,
        {"domain": lk.Material(k="1 + T**2", tau=0.0)},
        {"left": lk.Temperature(value=5.0), "right": lk.Temperature(value=0.0)},
        element="primal",
        petsc_options={"snes_max_it": 1},
    )
    problem.set_initial(T0=0.0)
    with pytest.raises(lk.SolverError, match="dt_min"):
        run_transient(problem, TimeSettings(t_end=1.0, dt=0.1, adaptive=True, dt_min=0.025))
    assert float(problem.t.value) == pytest.approx(0.0)
    problem.destroy()


def test_position_dependent_conductivity(comm):
    """k = 1 + x on [0, 1] with T(0) = 1, T(1) = 0: q = 1/ln 2 (series resistance ∫ dx/k)."""
    domain = from_mesh(dmesh.create_interval(comm, 80, [0.0, 1.0]))
    problem = LKProblem(
        domain,
        {"domain": lk.Material(k="1 + x")},
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element="primal",
        degree=2,
    )
    problem.solve_steady()
    flows = Quantities(problem).evaluate()["heat_flow_W"]
    assert flows["right"] == pytest.approx(1 / np.log(2), rel=1e-5)
    X = ufl.SpatialCoordinate(domain.mesh)
    _, T = ufl.split(problem.u)
    err = comm.allreduce(
        fem.assemble_scalar(fem.form((T - (1 - ufl.ln(1 + X[0]) / np.log(2))) ** 2 * ufl.dx)),
        op=MPI.SUM,
    )
    assert np.sqrt(err) < 1e-5
    problem.destroy()
