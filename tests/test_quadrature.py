"""The quadrature degree of the Landau forms: the exact rule where it is smaller than the general
one, the same steps as a higher rule on affine cells, and the case key that overrides it."""

from __future__ import annotations

import numpy as np
import pytest
from dolfinx import mesh as dmesh
from mpi4py import MPI

import lkfem as lk
from lkfem.core.domain import from_mesh
from lkfem.core.materials import Material
from lkfem.core.quadrature import general_degree, landau_degree
from lkfem.errors import CaseError
from lkfem.physics.domains.initial import set_initial
from lkfem.physics.domains.physics import make_problem
from lkfem.physics.domains.problem import DomainsProblem
from lkfem.physics.domains.section import InitialState
from lkfem.physics.domains.stepper import DomainsStepper
from lkfem.stepping import TimeSettings, march

ORDERED = Material(a=-1.0, b=1.0, lam=0.01, Gamma=1.0)


@pytest.mark.parametrize(
    "material, q_degree, degree, expected",
    [
        (ORDERED, 1, 1, 4),  # b|q|²q·v with q in P1
        (Material(a=-1.0, b=1.0, c=0.5, lam=0.01, Gamma=1.0), 1, 1, 6),
        (Material(a=-1.0, b=1.0, c="0.1*x", lam=0.01, Gamma=1.0), 1, 1, 6),
        (Material(a=1.0, lam=0.01, Gamma=1.0), 1, 1, 2),  # quadratic terms only
        (ORDERED, 2, 1, general_degree(1)),  # Taylor–Hood q in P2: the general rule caps it
        (ORDERED, 2, 2, 8),
    ],
)
def test_the_rule_is_exact_for_the_landau_terms_and_never_above_the_general_one(
    material, q_degree, degree, expected
):
    assert landau_degree(q_degree, [material], degree) == expected


def _free_energies(cell: dmesh.CellType, quadrature_degree: int | None) -> list[float]:
    m = dmesh.create_rectangle(MPI.COMM_WORLD, [[0.0, 0.0], [1.0, 1.0]], [10, 10], cell_type=cell)
    problem = DomainsProblem(
        from_mesh(m, region="plate"), {"plate": ORDERED}, quadrature_degree=quadrature_degree
    )
    set_initial(problem, InitialState(kind="random", seed=5, amplitude=0.4), 0.0)
    F = [problem.energies()["free"]]
    march(
        DomainsStepper(problem),
        TimeSettings(t_end=0.4, dt=0.1, scheme="backward_euler"),
        lambda r: F.append(problem.energies()["free"]),
    )
    return F


@pytest.mark.parametrize("cell", [dmesh.CellType.triangle, dmesh.CellType.quadrilateral])
def test_the_exact_rule_steps_as_a_higher_one_on_affine_cells(cell):
    cheap, rich = _free_energies(cell, None), _free_energies(cell, 10)
    assert len(cheap) == 5 and cheap[-1] < cheap[0]
    assert np.allclose(cheap, rich, rtol=1e-11, atol=0.0)
    # a rule below the exact one is visibly different: the check above can fail
    assert not np.allclose(_free_energies(cell, 2), rich, rtol=1e-6, atol=0.0)


def _case(changes):
    path = lk.shipped_case("domains_coarsening_2d")
    sizes = {"mesh.parameters.Lx": 0.1, "mesh.parameters.Ly": 0.1, "mesh.parameters.h": 0.05}
    return lk.load_case(path, changes={**sizes, **changes})


def test_the_case_key_overrides_the_rule():
    case = _case({"solver.quadrature_degree": 3})
    assert case.quadrature_degree == 3
    comm = MPI.COMM_WORLD
    assert make_problem(case, lk.load_domain(case, comm)).quadrature_degree == 3
    default = _case({})
    assert make_problem(default, lk.load_domain(default, comm)).quadrature_degree == 4


def test_a_bad_quadrature_degree_is_one_error_naming_the_key():
    with pytest.raises(
        CaseError, match=r"solver\.quadrature_degree\]: must be ≥ 1 and ≤ 30, got 0"
    ):
        _case({"solver.quadrature_degree": 0})
