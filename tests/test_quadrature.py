"""The quadrature degree of the Landau forms: the exact rule where it is smaller than the general
one ([domains], and the LK model with number coefficients), the same steps and solutions as a
higher rule on affine cells, which cells are affine, and the case key that overrides it."""

from __future__ import annotations

import numpy as np
import pytest
from dolfinx import mesh as dmesh
from mpi4py import MPI

import lkfem as lk
from lkfem.core.domain import from_mesh
from lkfem.core.materials import Material
from lkfem.core.quadrature import affine_cells, general_degree, landau_degree
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


@pytest.mark.parametrize("a, expected", [(-1.0, 4), ("-1 - 0.5*x**2", general_degree(1))])
def test_a_domains_expression_coefficient_keeps_the_general_rule(a, expected):
    m = dmesh.create_rectangle(MPI.COMM_WORLD, [[0.0, 0.0], [1.0, 1.0]], [4, 4])
    material = Material(a=a, b=1.0, lam=0.01, Gamma=1.0)
    problem = DomainsProblem(from_mesh(m, region="plate"), {"plate": material})
    assert problem.quadrature_degree == expected


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


GK = Material(k=0.75, ell=0.2)


@pytest.mark.parametrize(
    "material, q_degree, t_degree, degree, affine, expected",
    [
        (GK, 2, 1, 1, True, 4),  # Taylor–Hood k = 1: the flux mass, q·p in P4
        (GK, 3, 2, 2, True, 6),  # k = 2: 4 Gauss points per direction on a hexahedron
        (GK, 2, 1, 1, False, general_degree(1)),  # no exact rule on non-affine cells
        (Material(k="1 + x", ell=0.2), 2, 1, 1, True, general_degree(1)),  # expressions
        (Material(k=((1.0, 0.0), (0.0, "2 + y")), tau=0.1), 0, 1, 1, True, general_degree(1)),
        (Material(k=((1.0, 0.0), (0.0, 2.0)), tau=0.1), 0, 1, 1, True, 2),  # primal: C Ṫ v
        (Material(a=1.0, b=0.5, lam=0.1), 2, 1, 1, True, general_degree(1)),  # b|q|²q·p: 8
        (Material(a=1.0, b=0.5), 0, 1, 1, True, 2),  # primal: q in DG0
    ],
)
def test_the_lk_rule_is_exact_for_number_coefficients_on_affine_cells(
    material, q_degree, t_degree, degree, affine, expected
):
    rule = landau_degree(
        q_degree,
        [material],
        degree,
        t_degree=t_degree,
        affine=affine,
    )
    assert rule == expected


def _skewed(mesh, shift):
    """Move the vertices of ``mesh`` by ``shift`` · (x y, 0, …): quadrilaterals and hexahedra
    stop being parallelograms, simplices stay affine."""
    x = mesh.geometry.x
    x[:, 1] += shift * x[:, 0] * x[:, 1]
    return mesh


@pytest.mark.parametrize(
    "make, affine",
    [
        (lambda c: dmesh.create_unit_cube(c, 2, 2, 2), True),
        (lambda c: dmesh.create_unit_cube(c, 2, 2, 2, dmesh.CellType.hexahedron), True),
        (lambda c: dmesh.create_unit_square(c, 3, 2, dmesh.CellType.quadrilateral), True),
        (lambda c: _skewed(dmesh.create_unit_square(c, 3, 2), 0.3), True),
        (
            lambda c: _skewed(dmesh.create_unit_square(c, 3, 2, dmesh.CellType.quadrilateral), 0.3),
            False,
        ),
        (
            lambda c: _skewed(dmesh.create_unit_cube(c, 2, 2, 2, dmesh.CellType.hexahedron), 0.3),
            False,
        ),
    ],
)
def test_affine_cells_are_found_on_every_rank(comm, make, affine):
    assert affine_cells(make(comm)) is affine


def _gk_solution(mesh, quadrature_degree):
    """A steady GK problem with number coefficients, heat source and exchange: T and q."""
    domain = from_mesh(mesh)
    bcs = {"left": lk.Temperature(value=1.0), "right": lk.Convection(h=2.0, T_inf=0.0)}
    problem = lk.LKProblem(
        domain,
        {"domain": Material(k=0.75, ell=0.2, C=2.0)},
        bcs,
        source=0.5,
        element="taylor_hood",
        quadrature_degree=quadrature_degree,
        petsc_options={"linear_solver": "direct"},
    )
    problem.solve_steady()
    u = problem.u.x.array.copy()
    degree = problem.quadrature_degree
    problem.destroy()
    return degree, u


@pytest.mark.parametrize(
    "cell, exact",
    [(dmesh.CellType.tetrahedron, 4), (dmesh.CellType.hexahedron, 4)],
)
def test_the_lk_default_solves_as_the_general_rule_on_affine_cells(comm, cell, exact):
    m = dmesh.create_box(comm, [[0.0, 0.0, 0.0], [2.0, 1.0, 0.5]], [3, 2, 2], cell_type=cell)
    degree, cheap = _gk_solution(m, None)
    assert degree == exact
    _, rich = _gk_solution(m, general_degree(1))
    assert np.allclose(cheap, rich, rtol=1e-11, atol=1e-13)
    if cell == dmesh.CellType.tetrahedron:  # (on hexahedra a lower rule has hourglass modes)
        # a rule below the exact one is visibly different: the check above can fail
        _, poor = _gk_solution(m, exact - 1)
        assert not np.allclose(poor, rich, rtol=1e-6, atol=0.0)
