"""The LK model on periodic meshes ([mesh] periodic): manufactured solutions periodic in x (2D)
or in x and y (3D), T fixed on the remaining sides, with the nonlinear b|q|²q term: measured
orders of convergence for the Taylor–Hood and primal elements; without the pairs the same
problem misses the solution. A transient Guyer–Krumhansl mode in a box periodic in x and y
against the analytic amplitude; hdiv and the iterative solver are refused."""

import tomllib

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

import lkfem as lk
from lkfem import TimeSettings, run_transient
from lkfem.core.domain import from_mesh
from lkfem.core.periodic import match_pairs
from lkfem.physics.lk.problem import LKProblem

from .verification import assemble_global, flux_forcing, l2_error, mode_amplitude, rates

A_, B_, ZETA, LAM = 2.0, 0.5, 1.5, 0.1  # Landau coefficients of the manufactured problems
PAIRS = {2: [["left", "right"]], 3: [["left", "right"], ["front", "back"]]}  # from_mesh names
FIXED = {2: ("front", "back"), 3: ("bottom", "top")}  # T given there


def _domain(comm, dim, n, periodic=True):
    if dim == 2:
        mesh = dmesh.create_unit_square(comm, n, n, dmesh.CellType.triangle)
    else:
        mesh = dmesh.create_unit_cube(comm, n, n, n, dmesh.CellType.tetrahedron)
    domain = from_mesh(mesh)
    if periodic:
        domain.periodic = match_pairs(domain, PAIRS[dim])
    return domain


def _exact(mesh, lam):
    """(q_e, T_e, f_q, Q): periodic in x (and y), ∂q_e/∂n = 0 on the fixed sides (so the
    natural λ∂q/∂n = 0 there holds), q_e·n ≠ 0 on the periodic sides."""
    X = ufl.SpatialCoordinate(mesh)
    dim = mesh.geometry.dim
    s, c = (lambda v: ufl.sin(2 * np.pi * v)), (lambda v: ufl.cos(2 * np.pi * v))
    z = X[dim - 1]  # the fixed direction
    bump = ufl.cos(np.pi * z)
    if dim == 2:
        q_e = ufl.as_vector([c(X[0]) * bump, (1 + s(X[0])) * bump])
        T_e = s(X[0]) * ufl.sin(np.pi * z) + z
    else:
        q_e = ufl.as_vector([c(X[0]) * bump, c(X[1]) * bump, s(X[0] + X[1]) * bump])
        T_e = s(X[0]) * c(X[1]) * ufl.sin(np.pi * z) + z
    f_q = flux_forcing(q_e, T_e, a=A_, b=B_, lam=lam, zeta=ZETA)
    return q_e, T_e, f_q, ufl.div(q_e)


def _solve(comm, dim, n, element, lam, periodic=True):
    domain = _domain(comm, dim, n, periodic)
    q_e, T_e, f_q, Q = _exact(domain.mesh, lam)
    material = lk.Material(a=A_, b=B_, zeta=ZETA, lam=lam)
    bcs = {name: lk.Temperature(value=T_e) for name in FIXED[dim]}
    problem = LKProblem(
        domain,
        {"domain": material},
        bcs,
        source=Q,
        q_source=[f_q[i] for i in range(dim)],
        element=element,
    )
    info = problem.solve_steady()
    assert info.reason > 0
    assert problem.linear_solver == "direct"
    q, T = ufl.split(problem.u)
    errors = l2_error(q, q_e, mesh=domain.mesh), l2_error(T, T_e, mesh=domain.mesh)
    problem.destroy()
    return errors


@pytest.mark.parametrize(
    "dim, element, lam, sizes, order_q, order_T",
    [
        (2, "taylor_hood", LAM, (8, 16, 32), 3, 2),
        (2, "primal", 0.0, (8, 16, 32), 1, 2),
        (3, "taylor_hood", LAM, (3, 6), 3, 2),
    ],
)
def test_periodic_manufactured_solution_converges(comm, dim, element, lam, sizes, order_q, order_T):
    errors = np.array([_solve(comm, dim, n, element, lam) for n in sizes])
    h = [1.0 / n for n in sizes]
    rate_q, rate_T = rates(errors[:, 0], h)[-1], rates(errors[:, 1], h)[-1]
    if comm.rank == 0:
        print(f"\n{dim}D {element}: errors {errors.tolist()} rates q {rate_q:.2f} T {rate_T:.2f}")
    assert rate_q > order_q - 0.2, errors
    assert rate_T > order_T - 0.2, errors
    if dim == 2:  # without the pairs (adiabatic sides) the same problem misses the solution
        plain = _solve(comm, dim, sizes[-1], element, lam, periodic=False)
        assert plain[1] > 20 * errors[-1, 1], (plain, errors[-1])


def test_guyer_krumhansl_mode_in_a_periodic_box(comm):
    """T0 = sin 2πx, q0 = 0 in [0, 1] × [0, ¼] periodic in x and y (no condition anywhere):
    the amplitude obeys τA'' + (1 + ℓ²(2π)²)A' + (k/C)(2π)²A = 0 (a damped heat wave), and the
    heat ∫ C T dx stays zero. With adiabatic sides sin 2πx is no mode: the pairs are needed."""
    k, C, tau, ell = 1.0, 1.0, 0.05, 0.05
    mesh = dmesh.create_rectangle(comm, [[0.0, 0.0], [1.0, 0.25]], [80, 4])
    domain = from_mesh(mesh)
    domain.periodic = match_pairs(domain, [["left", "right"], ["front", "back"]])
    problem = LKProblem(
        domain, {"domain": lk.Material(k=k, C=C, tau=tau, ell=ell)}, {}, element="taylor_hood"
    )
    problem.set_initial(T0="sin(2*pi*x)")
    X = ufl.SpatialCoordinate(mesh)
    forms = [
        fem.form(problem.T * ufl.sin(2 * np.pi * X[0]) / 0.125 * problem.dx),
        fem.form(C * problem.T * problem.dx),
    ]
    times, values = [], []

    def record(step):
        times.append(step.t)
        values.append([assemble_global(f) for f in forms])

    run_transient(problem, TimeSettings(t_end=0.3, dt=0.001, scheme="bdf2"), record)
    assert problem.linear_solver == "direct"
    A, heat = np.array(values).T
    exact = mode_amplitude(tau, ell, k, C, 0.5, np.array(times))  # wave number π/0.5 = 2π
    assert exact.min() < -0.1  # it overshoots: a wave
    error = np.max(np.abs(A - exact))
    if comm.rank == 0:
        print(
            f"\nperiodic GK mode: max |A − A_exact| = {error:.2e}, "
            f"max |∫CT| = {np.abs(heat).max():.1e}"
        )
    assert error < 2e-3, error
    assert np.abs(heat).max() < 1e-10
    problem.destroy()


@pytest.mark.parametrize(
    "element, options, key",
    [
        ("hdiv", {}, "solver.element"),
        ("taylor_hood", {"linear_solver": "iterative"}, "solver.linear_solver"),
    ],
)
def test_what_periodic_lk_refuses(comm, element, options, key):
    domain = _domain(comm, 2, 4)
    material = lk.Material(k=1.0, ell=0.1 if element == "taylor_hood" else 0.0)
    with pytest.raises(lk.CaseError, match=rf"\[{key}\]: .*periodic") as info:
        problem = LKProblem(
            domain, {"domain": material}, {}, element=element, petsc_options=options
        )
        problem.solver()
    assert "\n" not in str(info.value)


LK_CASE = """
[mesh]
generator = "layered_slab"
periodic = [["front", "back"], ["bottom", "top"]]
[mesh.parameters]
thickness = [0.5, 0.5]
h = 0.2
periodic = true
[physics]
model = "lk"
[materials.layer0]
k = 1.0
[materials.layer1]
k = 3.0
[boundaries.left]
type = "temperature"
value = 1.0
[boundaries.right]
type = "temperature"
value = 0.0
[output]
png = false
formats = []
"""


def test_an_lk_case_in_a_box_periodic_across_the_flow(tmp_path, comm):
    """Two layers in series, periodic in y and z (tetrahedra meshed with periodic = true):
    the flow through the slab is that of the 1D series circuit."""
    case = lk.parse_case(tomllib.loads(LK_CASE), source="c.toml")
    out = comm.bcast(str(tmp_path / "out"), root=0)
    summary = lk.run_case(case, out, comm)
    q = 1.0 / (0.5 / 1.0 + 0.5 / 3.0)  # W/m²
    assert summary["linear_solver"] == "direct"
    assert abs(summary["heat_flow_W"]["right"]) == pytest.approx(q * 0.25 * 0.25, rel=1e-8)
