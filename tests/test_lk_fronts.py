"""Maxwell–Cattaneo temperature fronts: BDF2 (the default) leaves a grid-scale odd/even ringing
behind a front; backward Euler (``[time] scheme = "backward_euler"``) removes it and keeps the
front at the analytic speed c = √(k/(Cτ)). The figures are in docs/verification.md, the remedy
in docs/theory.md ("Fronts")."""

import numpy as np
import pytest
from dolfinx import mesh as dmesh

import lkfem as lk
from lkfem import TimeSettings, run_transient
from lkfem.core.domain import from_mesh
from lkfem.physics.lk.problem import LKProblem

from .verification import global_profile

K, C, TAU, LENGTH, N = 2.0, 0.5, 0.5, 2.0, 50  # c = 2√2 m/s, cτ = 1.41 m, h = 0.04 m
SPEED = np.sqrt(K / (C * TAU))


def rise(x, T, upto=np.inf):
    """The largest rise of nodal T along x up to ``upto``: max_i (T_i − min_{j<i} T_j). The
    exact T is non-increasing in x, so any rise is spurious ringing (0 for a clean front)."""
    T = T[x <= upto]
    return max(float(np.max(T[1:] - np.minimum.accumulate(T)[:-1])), 0.0)


def front(x, T, t):
    """Where T crosses half the analytic jump exp(−t/(2τ)) (linear between nodes)."""
    half = np.exp(-t / (2 * TAU)) / 2
    i = np.nonzero(T >= half)[0].max()
    return x[i] + (T[i] - half) / (T[i] - T[i + 1]) * (x[i + 1] - x[i])


def _step(comm, scheme, t_end=0.5, dt=0.002):
    """T = q = 0, then T = 1 at x = 0: primal element, degree 2; the nodal T at t_end."""
    problem = LKProblem(
        from_mesh(dmesh.create_interval(comm, N, [0.0, LENGTH])),
        {"domain": lk.Material(k=K, C=C, tau=TAU)},
        {"left": lk.Temperature(value=1.0)},
        element="primal",
        degree=2,
    )
    problem.set_initial(T0=0.0)
    run_transient(problem, TimeSettings(t_end=t_end, dt=dt, scheme=scheme))
    x, T = global_profile(problem.split()[1])
    problem.destroy()
    return x, T


def test_backward_euler_keeps_cattaneo_fronts_clean(comm):
    """c Δt / h = 0.14, t = 0.5 s (front at 1.41 m). BDF2 (the default, as documented) rings:
    T overshoots at the front (rise ≈ 0.1 of the unit step) and oscillates behind it (rise
    > 1e-3 more than 4h behind); backward Euler gives a monotone profile (no rise above 1e-9)
    with the half-jump point at c t to 0.5 % of the distance travelled."""
    h, t = LENGTH / N, 0.5
    x, T = _step(comm, "bdf2")
    assert rise(x, T) > 0.05
    assert rise(x, T, SPEED * t - 4 * h) > 1e-3
    x, T = _step(comm, "backward_euler")
    assert rise(x, T) < 1e-9, rise(x, T)
    assert front(x, T, t) == pytest.approx(SPEED * t, rel=5e-3)
