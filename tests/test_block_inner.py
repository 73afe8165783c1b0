"""Inner FGMRES iterations on the Schur complement (lkfem/solvers/block.py): which problems
take them (Taylor–Hood in 3D with a conductivity contrast ≥ INNER_CONTRAST), the PETSc options
they give, and a solve with them against the direct solver (outer iterations reported)."""

import numpy as np
import pytest

import lkfem as lk
from lkfem.solvers import block
from tests.regions import two_regions


def problem(dim, contrast, element="taylor_hood", solver="iterative", n=3):
    ell = 1.0 if element == "taylor_hood" else 0.0
    materials = {
        "a": lk.Material(k=1.0, ell=ell),
        "b": lk.Material(k=contrast, ell=ell),
    }
    return lk.LKProblem(
        two_regions(n, dim),
        materials,
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element=element,
        petsc_options={"linear_solver": solver},
    )


@pytest.mark.parametrize(
    ("dim", "contrast", "element", "inner"),
    [
        (3, 1e4, "taylor_hood", block.INNER_ITERATIONS),
        (3, 1e-4, "taylor_hood", block.INNER_ITERATIONS),
        (3, 10.0, "taylor_hood", block.INNER_ITERATIONS),  # the threshold itself
        (3, 0.1, "taylor_hood", block.INNER_ITERATIONS),
        (3, 5.0, "taylor_hood", 0),  # below: the form alone meets the target
        (3, 1.0, "taylor_hood", 0),
        (2, 1e4, "taylor_hood", 0),  # 2D: 12–26 without (docs/performance.md)
        (3, 1e4, "primal", 0),  # selfp is the exact Schur complement there
    ],
)
def test_which_problems_take_inner_iterations(dim, contrast, element, inner):
    p = problem(dim, contrast, element)
    assert block.contrast(p) == pytest.approx(max(contrast, 1 / contrast))
    assert block.choose_inner(p) == inner
    options = block.block_options(element, block.choose_schur(p), inner=inner)
    if inner:
        assert options["fieldsplit_T_ksp_type"] == "fgmres"
        assert options["fieldsplit_T_ksp_max_it"] == inner
        assert options["pc_fieldsplit_schur_fact_type"] == "full"
        assert options["ksp_rtol"] == block.INNER_RTOL < 1e-10
    else:
        assert options["fieldsplit_T_ksp_type"] == "preonly"
        assert options["pc_fieldsplit_schur_fact_type"] == "upper"
        assert "fieldsplit_T_ksp_max_it" not in options
        assert options["ksp_rtol"] == 1e-10
    p.destroy()


def test_inner_iterations_solve_like_the_direct_solver():
    """Contrast 1e4 in 3D: the T block's KSP is FGMRES with the fixed count on PETSc's Schur
    complement, the reported iterations are the outer ones, and T agrees with LU."""
    iterative = problem(3, 1e4)
    info = iterative.solve_steady()
    ksp = iterative.solver().snes.getKSP()
    t_ksp = ksp.getPC().getFieldSplitSubKSP()[1]
    assert t_ksp.getType() == "fgmres"
    assert t_ksp.getTolerances()[3] == block.INNER_ITERATIONS
    assert ksp.getTolerances()[0] == block.INNER_RTOL
    assert t_ksp.getPC().getType() == "python"  # the Cahouet–Chabard form preconditions it
    assert t_ksp.getOperators()[0].getType() == "schurcomplement"
    assert info.linear_iterations == ksp.getIterationNumber()
    assert 1 <= info.linear_iterations <= 30
    direct = problem(3, 1e4, solver="direct")
    direct.solve_steady()
    reference = direct.u.x.array
    assert np.abs(iterative.u.x.array - reference).max() <= 1e-6 * np.abs(reference).max()
    for p in (iterative, direct):
        p.destroy()
