"""The LK solver against exact results of its physical limits: Maxwell–Cattaneo and
Guyer–Krumhansl Fourier modes, the Fourier resonance ℓ² = kτ/C, Guyer–Krumhansl channel flow,
the Maxwell–Cattaneo wave front, the global energy balance and the nonlinear Landau terms."""

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from mpi4py import MPI

import lkfem as lk
from lkfem import TimeSettings, run_transient
from lkfem.core.domain import from_mesh
from lkfem.physics.lk.problem import LKProblem
from lkfem.physics.lk.quantities import Quantities

from .verification import assemble_global, energy_balance, global_profile, mode_amplitude


def _interval(comm, n, length):
    return from_mesh(dmesh.create_interval(comm, n, [0.0, length]))


def _mode_history(problem, length, settings):
    """Times and amplitudes A = ∫ T cos(πx/L) dx / (L/2) after every step of a run."""
    X = ufl.SpatialCoordinate(problem.domain.mesh)
    form = fem.form(problem.T * ufl.cos(np.pi * X[0] / length) / (length / 2) * problem.dx)
    times, amplitudes = [], []

    def record(step):
        times.append(step.t)
        amplitudes.append(assemble_global(form))

    run_transient(problem, settings, record)
    return np.array(times), np.array(amplitudes)


# ---- 1. single Fourier modes ------------------------------------------------------------


@pytest.mark.parametrize("ell, element", [(0.0, "primal"), (0.2, "taylor_hood")])
def test_fourier_mode_of_mc_and_gk(comm, ell, element):
    """T0 = cos(πx/L), q0 = 0, adiabatic ends: the amplitude obeys
    τA'' + (1 + ℓ²π²/L²)A' + (k/C)(π/L)²A = 0 (underdamped here: heat waves), to 1e-4 of max|A|,
    for Maxwell–Cattaneo (ℓ = 0) and Guyer–Krumhansl (ℓ/L = 0.1)."""
    k, C, tau, length = 4.0, 0.5, 0.05, 2.0
    problem = LKProblem(
        _interval(comm, 40, length),
        {"domain": lk.Material(k=k, C=C, tau=tau, ell=ell)},
        {},
        element=element,
        degree=2,
    )
    problem.set_initial(T0=f"cos(pi*x/{length})")
    t, A = _mode_history(problem, length, TimeSettings(t_end=0.5, dt=0.0004, scheme="bdf2"))
    exact = mode_amplitude(tau, ell, k, C, length, t)
    assert exact.min() < -0.1  # the mode overshoots: a damped wave, not a diffusive decay
    error = np.max(np.abs(A - exact)) / np.max(np.abs(exact))
    assert error < 1e-4, error
    problem.destroy()


# ---- 2. Fourier resonance -----------------------------------------------------------------


@pytest.mark.parametrize("q0, fourier_like", [("fourier", True), (None, False)])
def test_fourier_resonance(comm, q0, fourier_like):
    """With ℓ² = kτ/C, q = −k∇T stays an exact solution of Guyer–Krumhansl, so from
    q0 = −k∇T0 the mode decays exactly as Fourier's A = exp(−(k/C)(π/L)² t) (to 1e-4); from
    q0 = 0 it does not (it follows the damped-oscillator amplitude instead, > 1e-3 off)."""
    k, C, tau, length = 2.0, 4.0, 0.05, 1.0
    ell = np.sqrt(k * tau / C)
    problem = LKProblem(
        _interval(comm, 40, length),
        {"domain": lk.Material(k=k, C=C, tau=tau, ell=ell)},
        {},
        element="taylor_hood",
        degree=2,
    )
    problem.set_initial(T0=f"cos(pi*x/{length})", q0=q0)
    t, A = _mode_history(problem, length, TimeSettings(t_end=0.5, dt=0.0005, scheme="bdf2"))
    fourier = np.exp(-k / C * (np.pi / length) ** 2 * t)
    error = np.max(np.abs(A - fourier))
    if fourier_like:
        assert error < 1e-4, error
    else:
        assert error > 1e-3, error
        own = mode_amplitude(tau, ell, k, C, length, t)
        assert np.max(np.abs(A - own)) < 1e-4
    problem.destroy()


# ---- 3. Guyer–Krumhansl channel flow ------------------------------------------------------


@pytest.mark.parametrize("ratio, slip", [(0.2, "no_slip"), (0.05, "no_slip"), (0.2, "free")])
def test_gk_channel_conductivity(comm, ratio, slip):
    """Steady Guyer–Krumhansl flow between walls y = 0, W with ΔT across x: q_x solves
    q − ℓ²q'' = kΔT/Lx; no-slip walls (q = 0) give k_eff/k = 1 − (2ℓ/W) tanh(W/2ℓ) (to 1e-4,
    the mesh graded toward the walls), free-slip walls plug flow with k_eff = k."""
    k, W, Lx, dT = 2.0, 1.0, 0.5, 3.0
    ell = ratio * W
    mesh = dmesh.create_rectangle(comm, [[0.0, 0.0], [Lx, W]], [2, 16], dmesh.CellType.triangle)
    s = mesh.geometry.x[:, 1] / W
    mesh.geometry.x[:, 1] = W * (s - np.sin(2 * np.pi * s) / (2 * np.pi))  # finer at the walls
    wall = lk.HeatFlux(value=0.0, slip=slip)
    bcs = {
        "left": lk.Temperature(value=dT),
        "right": lk.Temperature(value=0.0),
        "front": wall,
        "back": wall,
    }
    problem = LKProblem(
        from_mesh(mesh), {"domain": lk.Material(k=k, ell=ell)}, bcs, element="taylor_hood", degree=2
    )
    problem.solve_steady()
    flows = Quantities(problem).evaluate()["heat_flow_W"]
    k_eff = flows["right"] / (dT / Lx * W)
    expected = 1 - 2 * ell / W * np.tanh(W / (2 * ell)) if slip == "no_slip" else 1.0
    assert k_eff / k == pytest.approx(expected, rel=1e-4)
    assert flows["left"] == pytest.approx(-flows["right"], rel=1e-10)
    problem.destroy()


# ---- 4. Maxwell–Cattaneo wave front -------------------------------------------------------


def test_mc_front_speed_and_decay(comm):
    """T = q = 0, then T = 1 at x = 0 from t = 0: a front runs at c = √(k/(Cτ)) with a jump
    exp(−t/(2τ)) behind it. Front = where T crosses half the expected jump; jump = T behind the
    front extrapolated linearly to it. Fitted speed within 3 %, fitted decay rate within 10 %
    (BDF2 keeps the front sharp; backward Euler smears it and biases the jump low)."""
    k, C, tau, length = 2.0, 0.5, 0.5, 4.0
    c, rate = np.sqrt(k / (C * tau)), 1 / (2 * tau)
    problem = LKProblem(
        _interval(comm, 1000, length),
        {"domain": lk.Material(k=k, C=C, tau=tau)},
        {"left": lk.Temperature(value=1.0)},
        element="primal",
        degree=1,
    )
    problem.set_initial(T0=0.0)
    times = [0.2, 0.4, 0.6, 0.8, 1.0, 1.2]
    fronts, jumps = [], []

    def measure(step):
        if min(abs(step.t - s) for s in times) > 1e-9:
            return
        x, T = global_profile(problem.split()[1])
        half = np.exp(-step.t * rate) / 2
        i = np.nonzero(T >= half)[0].max()  # last node above the half jump
        xf = x[i] + (T[i] - half) / (T[i] - T[i + 1]) * (x[i + 1] - x[i])
        behind = (x > xf - 0.3 * c * tau) & (x < xf - 0.1 * c * tau)
        fronts.append(xf)
        jumps.append(np.polyval(np.polyfit(x[behind], T[behind], 1), xf))

    run_transient(
        problem, TimeSettings(t_end=times[-1], dt=0.001, scheme="bdf2", milestones=times), measure
    )
    assert len(fronts) == len(times)
    speed = np.polyfit(times, fronts, 1)[0]
    fitted_rate = -np.polyfit(times, np.log(jumps), 1)[0]
    assert speed == pytest.approx(c, rel=0.03)
    assert fitted_rate == pytest.approx(rate, rel=0.10)
    problem.destroy()


# ---- 5. energy balance --------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["backward_euler", "bdf2"])
def test_energy_balance(comm, scheme):
    """Source, a convection boundary, a time-dependent temperature boundary, T-dependent
    conductivity k = 1 + T/2 and τ = 0.1: after every step d/dt∫CT = ∫Q − Σ flows closes to
    1e-9 of the largest flow; for backward Euler also ∫CT(t_end) − ∫CT(0) = Σ Δt (∫Q − Σ flows)
    to 1e-8."""
    problem = LKProblem(
        _interval(comm, 30, 1.0),
        {"domain": lk.Material(k="1 + 0.5*T", C=2.0, tau=0.1)},
        {"left": lk.Temperature(value="1 + sin(3*t)"), "right": lk.Convection(h=2.0, T_inf=0.3)},
        source="4*x + cos(t)",
        element="primal",
        degree=2,
    )
    problem.set_initial(T0="1 - x")
    worst, integral, change = energy_balance(
        problem, TimeSettings(t_end=1.0, dt=0.01, scheme=scheme)
    )
    assert worst < 1e-9, worst
    if scheme == "backward_euler":
        assert abs(change) > 0.1
        assert integral == pytest.approx(change, rel=1e-8)
    problem.destroy()


# ---- 6. nonlinear Landau terms ------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, c, zeta", [(1.0, 2.0, 0.0, 1.5), (0.5, 0.0, 3.0, 1.0), (1.0, -1.0, 1.0, 2.0)]
)
def test_landau_uniform_flux(comm, a, b, c, zeta):
    """Steady Landau form, T(0) = T0, T(L) = T1, no source: q is uniform, T linear, and
    a q + b q³ + c q⁵ = ζ (T0 − T1)/L (monotone in q: b > 0, c > 0, and b < 0 with 9b² < 20ac);
    q and the heat flows ±q through the ends to 1e-8."""
    T0, T1, length = 2.0, -1.0, 1.5
    problem = LKProblem(
        _interval(comm, 12, length),
        {"domain": lk.Material(a=a, b=b, c=c, zeta=zeta, C=3.0)},
        {"left": lk.Temperature(value=T0), "right": lk.Temperature(value=T1)},
        element="primal",
        degree=1,
    )
    assert problem.solve_steady().reason > 0
    roots = np.roots([c, 0.0, b, 0.0, a, -zeta * (T0 - T1) / length])
    q_exact = roots[np.abs(roots.imag) < 1e-12].real
    assert q_exact.size == 1
    q_h, T_h = problem.split()
    n = q_h.function_space.dofmap.index_map.size_local
    q_err = comm.allreduce(np.max(np.abs(q_h.x.array[:n] - q_exact[0]), initial=0.0), op=MPI.MAX)
    x, T = global_profile(T_h)
    assert q_err < 1e-8, q_err
    assert np.max(np.abs(T - (T0 + (T1 - T0) * x / length))) < 1e-8
    flows = Quantities(problem).evaluate()["heat_flow_W"]
    assert flows["right"] == pytest.approx(q_exact[0], rel=1e-8)
    assert flows["left"] == pytest.approx(-q_exact[0], rel=1e-8)
    problem.destroy()


@pytest.mark.parametrize("k", [1e-3, 1.0, 1e4])
def test_direct_solver_across_conductivity_scales(comm, k):
    """The flux equation is row-scaled by 1/mean|A|, so LU (MUMPS) factorises the primal
    system for conductivities from 1e-3 to 1e4 W/(m K) (it ran out of workspace at 1e3
    unscaled); the slab carries q = k ΔT / L exactly."""
    domain = from_mesh(dmesh.create_box(comm, [[0, 0, 0], [1, 1, 1]], [4, 4, 4]))
    problem = LKProblem(
        domain,
        {"domain": lk.Material(k=k)},
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element="primal",
        petsc_options={"linear_solver": "direct"},
    )
    problem.solve_steady()
    flows = Quantities(problem).evaluate()["heat_flow_W"]
    assert flows["right"] == pytest.approx(k, rel=1e-9)
    assert flows["left"] == pytest.approx(-k, rel=1e-9)
    problem.destroy()


def test_one_cell_integral_per_region(comm):
    """Where the regions cover the mesh, the whole-domain terms (−q·∇v, sources) integrate over
    the region tags: every cell lies in one cell integral of the Jacobian, so dolfinx visits it
    once in the sparsity pattern and the assembly (not once more for an integral over all
    cells)."""
    problem = LKProblem(
        _interval(comm, 8, 1.0),
        {"domain": lk.Material(k=1.0, tau=0.1)},
        {"left": lk.Temperature(value=1.0)},
        source="x",
        element="primal",
    )
    J = ufl.derivative(problem.F, problem.u)
    ids = {integral.subdomain_id() for integral in J.integrals_by_type("cell")}
    assert "everywhere" not in ids, ids
    assert ids and all(set(np.atleast_1d(i)) <= {problem.domain.regions["domain"]} for i in ids)
    problem.destroy()
