"""PETSc's converged reasons as words in reports and summaries."""

from petsc4py import PETSc

from lkfem.solvers.reasons import ksp_reason, snes_reason


def test_reason_codes_become_petsc_names():
    assert ksp_reason(2) == "CONVERGED_RTOL"
    assert ksp_reason(PETSc.KSP.ConvergedReason.DIVERGED_MAX_IT) == "DIVERGED_MAX_IT"
    assert ksp_reason(0) == "ITERATING"
    assert ksp_reason(PETSc.KSP.ConvergedReason.CONVERGED_ITS) == "CONVERGED_ITS"
    assert snes_reason(PETSc.SNES.ConvergedReason.CONVERGED_FNORM_RELATIVE) == (
        "CONVERGED_FNORM_RELATIVE"
    )
    assert snes_reason(PETSc.SNES.ConvergedReason.DIVERGED_MAX_IT) == "DIVERGED_MAX_IT"
    assert ksp_reason(12345) == "UNKNOWN_12345"
