"""What a solve costs, counted (not timed): a linear LK problem takes one linear solve (no line
search), a transient at fixed Δt assembles and factorises its Jacobian once, a nonlinear one
still runs Newton, and the heat superconductor's steady solve factorises once. The answers are
the same as with a fresh Jacobian every step."""

import numpy as np
import pytest
from dolfinx import mesh as dmesh
from petsc4py import PETSc

import lkfem as lk
from lkfem.meshes import rod_between_reservoirs
from lkfem.physics.superconductor.model import HeatSuperconductor, RodMaterial, SNInterface

PETSc.Log.begin()  # event counts (PCSetUp, MatLUFactorNum) need PETSc's log


def _count(event: str) -> int:
    return int(PETSc.Log.Event(event).getPerfInfo()["count"])


class Counts:
    """PETSc events (LU factorisations) since construction, on this rank."""

    def __init__(self):
        self.start = {e: _count(e) for e in ("MatLUFactorNum",)}

    def __getitem__(self, event):
        return _count(event) - self.start[event]


def _slab(comm, materials, n=8, **extra):
    domain = lk.from_mesh(dmesh.create_unit_square(comm, n, n))
    return lk.LKProblem(
        domain,
        materials,
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element="primal",
        petsc_options={"linear_solver": "direct"},
        **extra,
    )


def test_linear_steady_is_one_linear_solve(comm):
    problem = _slab(comm, {"domain": lk.Material(k=2.0)})
    assert problem.is_affine()
    counts = Counts()
    info = problem.solve_steady()
    solver = problem.solver()
    assert solver.options["snes_type"] == "ksponly"
    assert (info.iterations, solver.jacobian_assemblies, counts["MatLUFactorNum"]) == (1, 1, 1)
    _, T = problem.split()
    x = T.function_space.tabulate_dof_coordinates()[:, 0]
    assert np.abs(T.x.array - (1.0 - x)).max() < 1e-12  # exact in P1
    problem.destroy()


def _cattaneo(comm):
    problem = _slab(comm, {"domain": lk.Material(k=2.0, tau=0.05, C=1.0)})
    problem.set_initial(T0=0.0)
    return problem


def test_transient_reuses_the_factorisation(comm):
    """Backward Euler at fixed Δt: one Jacobian and one LU for all steps; a new Δt makes one
    more of each. The result equals, to round-off, a run assembling the Jacobian every step."""
    problem = _cattaneo(comm)
    counts = Counts()
    settings = lk.TimeSettings(t_end=0.05, dt=0.01, scheme="backward_euler")
    records = lk.run_transient(problem, settings)
    solver = problem.solver()
    assert [r.newton_iterations for r in records] == [1] * 5
    assert (solver.jacobian_assemblies, counts["MatLUFactorNum"]) == (1, 1)
    lk.run_transient(problem, lk.TimeSettings(t_end=0.07, dt=0.005, scheme="backward_euler"))
    assert (solver.jacobian_assemblies, counts["MatLUFactorNum"]) == (2, 2)
    reused = problem.u.x.array.copy()
    problem.destroy()

    fresh = _cattaneo(comm)
    fresh.solver().constant_jacobian = False  # assemble (and factorise) every step
    lk.run_transient(fresh, settings)
    lk.run_transient(fresh, lk.TimeSettings(t_end=0.07, dt=0.005, scheme="backward_euler"))
    assert fresh.solver().jacobian_assemblies == 5 + 4
    assert np.abs(fresh.u.x.array - reused).max() <= 1e-12 * np.abs(reused).max()
    fresh.destroy()


def test_bdf2_refactorises_only_when_the_scheme_changes(comm):
    """Variable-step BDF2 starts with a backward-Euler step: two Jacobians for the run."""
    problem = _cattaneo(comm)
    lk.run_transient(problem, lk.TimeSettings(t_end=0.05, dt=0.01, scheme="bdf2"))
    assert problem.solver().jacobian_assemblies == 2
    problem.destroy()


def test_time_dependent_jacobian_is_assembled_every_step(comm):
    problem = _slab(comm, {"domain": lk.Material(k="2 + t", C=1.0)})
    problem.set_initial(T0=0.0)
    assert problem.is_affine()
    lk.run_transient(problem, lk.TimeSettings(t_end=0.03, dt=0.01, scheme="backward_euler"))
    assert problem.solver().jacobian_assemblies == 3
    problem.destroy()


def test_nonlinear_problem_keeps_newton(comm):
    """A Landau term b|q|²q: Newton with line search, a Jacobian per iteration."""
    problem = _slab(comm, {"domain": lk.Material(a=1.0, zeta=1.0, b=0.5)})
    assert not problem.is_affine()
    info = problem.solve_steady()
    solver = problem.solver()
    assert solver.options["snes_type"] == "newtonls"
    assert info.iterations >= 2
    assert solver.jacobian_assemblies == info.iterations
    problem.destroy()


@pytest.fixture(scope="module")
def rod_domain():
    """A coarse rod between two reservoirs (the superconductor tests share it)."""
    from mpi4py import MPI

    return rod_between_reservoirs.build(
        MPI.COMM_WORLD, length=0.8, radius=0.15, box_length=0.6, box_width=0.6, h=0.3, h_rod=0.15
    )


def _rod_superconductor(domain, reservoir=None, **options):
    """The heat superconductor on ``rod_domain``: reservoirs of ``reservoir`` (k = 100 by
    default), T = ±0.5 at the ends, κ_SN = 0.2 at both contacts; ``options`` to the model."""
    reservoir = reservoir or lk.Material(k=100.0, C=1.0)
    return HeatSuperconductor(
        domain,
        {"reservoir_left": reservoir, "reservoir_right": reservoir},
        {"rod": RodMaterial(kappa=3.0, omega0=2.0, C=1.0)},
        {"hot": lk.Temperature(value=0.5), "cold": lk.Temperature(value=-0.5)},
        contacts=[
            SNInterface(name="contact_left", kappa_SN=0.2),
            SNInterface(name="contact_right", kappa_SN=0.2),
        ],
        **options,
    )


def test_superconductor_steady_factorises_once(rod_domain):
    sc = _rod_superconductor(rod_domain)
    counts = Counts()
    record = sc.solve_steady()
    assert counts["MatLUFactorNum"] == 1
    assert sc.problem.solver().jacobian_assemblies == 1
    J = record["contact_heat_W"]["contact_left"]
    assert J == pytest.approx(-record["contact_heat_W"]["contact_right"], rel=1e-6)
    assert abs(J / (0.2 * sc.area["contact_left"] * 0.5) - 1) < 2e-3
    sc.destroy()


@pytest.mark.parametrize("element", ["primal", "taylor_hood"])
def test_superconductor_iterative_matches_direct(rod_domain, element):
    """The rod (an inactive region) on the iterative path (block preconditioner, whose T-block
    operator gets unit diagonal entries at the rod's fixed dofs): the same T_s and contact heats
    as with MUMPS, steady and over two transient steps."""
    results = {}
    for kind in ("direct", "iterative"):
        reservoir = lk.Material(
            k=100.0, C=1.0, **({"ell": 0.05} if element == "taylor_hood" else {})
        )
        sc = _rod_superconductor(
            rod_domain, reservoir, element=element, petsc_options={"linear_solver": kind}
        )
        steady = sc.solve_steady()
        assert sc.problem.linear_solver == kind
        sc.set_initial(T0=0.0, Ts0=0.1)
        records = sc.run(t_end=0.02, dt=0.01)
        results[kind] = [
            np.array([*r["Ts_K"].values(), *r["contact_heat_W"].values()])
            for r in (steady, *records[1:])
        ]
        sc.destroy()
    for direct, iterative in zip(results["direct"], results["iterative"], strict=True):
        assert np.abs(iterative - direct).max() <= 1e-7 * np.abs(direct).max()


def test_iterative_transient_reuses_the_preconditioner(comm):
    """The iterative path at fixed Δt: the block preconditioner (field split, BoomerAMG of the
    flux block, the T-block approximation) is set up in the first step only; a new Δt sets it
    up again, and the answers equal those of a direct solve."""
    domain = lk.from_mesh(dmesh.create_unit_square(comm, 8, 8))

    def problem(kind):
        p = lk.LKProblem(
            domain,
            {"domain": lk.Material(k=2.0, tau=0.05, C=1.0, ell=0.1)},
            {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
            element="taylor_hood",
            petsc_options={"linear_solver": kind},
        )
        p.set_initial(T0=0.0)
        return p

    p = problem("iterative")
    first = lk.TimeSettings(t_end=0.01, dt=0.01, scheme="backward_euler")
    lk.run_transient(p, first)
    setups = _count("PCSetUp")
    records = lk.run_transient(p, lk.TimeSettings(t_end=0.05, dt=0.01, scheme="backward_euler"))
    assert len(records) == 4 and all(r.newton_iterations == 1 for r in records)
    assert _count("PCSetUp") == setups  # nothing set up again
    assert p.solver().jacobian_assemblies == 1
    lk.run_transient(p, lk.TimeSettings(t_end=0.06, dt=0.005, scheme="backward_euler"))
    assert _count("PCSetUp") > setups and p.solver().jacobian_assemblies == 2
    iterative = p.u.x.array.copy()
    p.destroy()

    d = problem("direct")
    for settings in (first, lk.TimeSettings(t_end=0.05, dt=0.01, scheme="backward_euler")):
        lk.run_transient(d, settings)
    lk.run_transient(d, lk.TimeSettings(t_end=0.06, dt=0.005, scheme="backward_euler"))
    assert np.abs(d.u.x.array - iterative).max() <= 1e-7 * np.abs(d.u.x.array).max()
    d.destroy()
