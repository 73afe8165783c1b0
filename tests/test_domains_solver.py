"""The thermal-domain step's linear solver: LU or CG + Jacobi by variant and size, the same
steps either way, and a one-line error for a choice the variant cannot take."""

from __future__ import annotations

import numpy as np
import pytest
from dolfinx import mesh as dmesh
from mpi4py import MPI

import lkfem.physics.domains.problem as problem_module
from lkfem.core.domain import from_mesh
from lkfem.core.materials import Material
from lkfem.errors import CaseError
from lkfem.physics.domains.initial import set_initial
from lkfem.physics.domains.problem import DomainsProblem
from lkfem.physics.domains.section import InitialState
from lkfem.physics.domains.stepper import DomainsStepper
from lkfem.stepping import TimeSettings, march

MATERIAL = Material(a=-1.0, b=1.0, lam=0.01, Gamma=1.0, zeta=1.0, C=1.0)


def _problem(variant: str = "relax", linear_solver: str | None = None) -> DomainsProblem:
    m = dmesh.create_rectangle(MPI.COMM_WORLD, [[0.0, 0.0], [1.0, 1.0]], [12, 12])
    options = {} if linear_solver is None else {"linear_solver": linear_solver}
    return DomainsProblem(
        from_mesh(m, region="plate"), {"plate": MATERIAL}, variant=variant, petsc_options=options
    )


def _free_energies(linear_solver: str) -> tuple[list[float], DomainsProblem]:
    problem = _problem(linear_solver=linear_solver)
    state = InitialState(kind="random", seed=3, amplitude=0.3, correlation_length=0.2)
    set_initial(problem, state, 0.0)
    F = [problem.energies()["free"]]
    march(
        DomainsStepper(problem),
        TimeSettings(t_end=0.5, dt=0.1, scheme="backward_euler"),
        lambda r: F.append(problem.energies()["free"]),
    )
    return F, problem


def test_auto_is_direct_when_small_and_iterative_for_a_large_relax_problem(monkeypatch):
    assert _problem().linear_options("auto") is None
    monkeypatch.setattr(problem_module, "DIRECT_LIMIT", 10)
    options = _problem().linear_options("auto")
    assert options is not None and (options["ksp_type"], options["pc_type"]) == ("cg", "jacobi")
    # the coupled and conserved step matrices are not SPD: direct at any size
    assert _problem("conserved").linear_options("auto") is None


def test_iterative_and_direct_steps_give_the_same_free_energy():
    direct, p_direct = _free_energies("direct")
    iterative, p_iter = _free_energies("iterative")
    assert p_direct.linear_solver == "direct" and p_iter.linear_solver == "iterative"
    assert len(direct) == len(iterative) == 6
    assert np.all(np.diff(iterative) <= 0.0)
    assert np.allclose(direct, iterative, rtol=1e-7, atol=1e-12)
    assert p_iter.solver().snes.getKSP().getType() == "cg"


@pytest.mark.parametrize("variant, kind", [("conserved", "iterative"), ("relax", "bogus")])
def test_a_linear_solver_the_variant_cannot_take_is_one_error_naming_the_key(variant, kind):
    with pytest.raises(CaseError, match="solver.linear_solver"):
        _problem(variant).linear_options(kind)
