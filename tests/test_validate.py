"""`lkfem validate CASE`: every check of a run and the size of the problem, nothing solved or
written; and the progress display, which stays off where output is not a terminal."""

from __future__ import annotations

import io
import logging
import os

import pytest

from lkfem.cli import main

from .test_cli import BAD as CLI_BAD
from .test_cli import GOOD
from .test_cli_lk import CASE as LK_CASE
from .test_cli_lk import LK_BAD
from .test_sc_cli import BAD as SC_BAD
from .test_sc_cli import STEADY as SC_STEADY


@pytest.fixture
def folder(shared_tmp, comm, request):
    path = shared_tmp / request.node.name.replace("[", "_").replace("]", "")
    if comm.rank == 0:
        path.mkdir(exist_ok=True)
        (path / "case.toml").write_text(GOOD)
    comm.barrier()
    return path


def test_validate_reports_the_size_and_writes_nothing(folder, comm, capsys):
    from lkfem.case.load import load_case
    from lkfem.run import validate_case

    before = sorted(os.listdir(folder))
    report = validate_case(load_case(folder / "case.toml"), comm)
    assert report["regions"] == ["layer0", "layer1"]
    assert {"left", "right"} <= set(report["boundaries"])
    assert report["cells"] > 0 and report["vertices"] > 0
    assert report["unknowns"] == report["vertices"]  # P1 Fourier: one unknown per vertex
    assert report["solve"] == "a steady solve"
    assert main(["validate", str(folder / "case.toml")]) == 0
    out = capsys.readouterr().out
    if comm.rank == 0:
        assert f"mesh: {report['cells']} cells, {report['vertices']} vertices" in out
        assert f"valid: {report['unknowns']} unknowns, a steady solve" in out
    comm.barrier()
    assert sorted(os.listdir(folder)) == before


def test_validate_counts_the_unknowns_of_the_chosen_element(folder, comm):
    import tomllib

    from lkfem.case.load import parse_case
    from lkfem.run import validate_case

    data = tomllib.loads(GOOD)
    data["physics"] = {"model": "lk"}
    data["solver"] = {"element": "taylor_hood"}
    data["time"] = {"t_end": 1.0, "dt": 0.25}
    data["initial"] = {"T": "x", "q": "fourier"}
    report = validate_case(parse_case(data, source="lk.toml"), comm)
    # Taylor–Hood: P2 flux (3 components) and P1 temperature
    assert report["unknowns"] > 3 * report["vertices"] + report["vertices"]
    assert report["solve"].startswith("a transient to t_end = 1 s (bdf2, fixed dt = 0.25 s")


def test_validate_says_what_only_the_solve_checks(folder, comm, capsys):
    """A steady superconductor's ω0 is checked at the converged rod temperature, in the
    solve: validate says so rather than a bare "valid"."""
    case = folder / "sc.toml"
    if comm.rank == 0:
        case.write_text(SC_STEADY.replace('"2 + 0.5*T"', '"2*T - 1"'))  # ω0 < 0 at T_s = 0
    comm.barrier()
    assert main(["validate", str(case)]) == 0
    out = capsys.readouterr().out
    if comm.rank == 0:
        assert "ω0 is checked at the steady rod temperature during the solve" in out, out


def test_validate_a_transient_without_an_end(folder, comm):
    """t_end = inf runs until max_steps or the wall-time limit (validate overflowed)."""
    import tomllib

    from lkfem.case.load import parse_case
    from lkfem.run import validate_case

    data = tomllib.loads(GOOD)
    data["physics"] = {"model": "lk"}
    data["time"] = {"t_end": float("inf"), "dt": 0.25, "max_steps": 4}
    report = validate_case(parse_case(data, source="lk.toml"), comm)
    assert report["solve"].endswith("dt = 0.25 s, until the max_steps/wall-time limit)")


REFUSED = {  # what the runs' own tests refuse, validate refuses with the same line
    **{f"cli_{k}": v for k, v in CLI_BAD.items()},
    **{f"lk_{k}": v for k, v in LK_BAD.items()},
    # ω0 at the converged T_s of a steady solve is known only by solving
    **{f"sc_{k}": v for k, v in SC_BAD.items() if not k.startswith("omega0_at_steady")},
    # t is for boundary values and sources; it crashed "fourier" (IndexError in assembly)
    "initial_T_with_time": (
        LK_CASE.replace('[initial]\nT = "T0"', '[initial]\nT = "T0 + t"\nq = "fourier"'),
        "[initial.T]: may not depend on the time t",
    ),
    "unknown_material_key": (
        GOOD.replace("k = 3.0", "k = 3.0\nkk = 1"),
        "[materials.layer1.kk]: unknown key 'kk' (did you mean 'k'?",
    ),
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_validate_refuses_what_a_run_refuses(folder, comm, capsys, kind):
    text, expected = REFUSED[kind]
    case = folder / f"{kind}.toml"
    if comm.rank == 0:
        case.write_text(text)
    comm.barrier()
    assert main(["validate", str(case)]) == 2
    err = capsys.readouterr().err
    if comm.rank == 0:
        assert err.count("\n") == 1 and err.startswith(f"lkfem: error: {case}: "), err
        assert expected in err, err
    else:
        assert err == ""


def test_progress_is_off_where_output_is_not_a_terminal(capsys):
    from lkfem import progress

    assert not progress.enabled()  # pytest captures: not a terminal
    with progress.activity("meshing"):
        progress.iterations(newton=1, krylov=3)
    with progress.time_bar(0.0, 1.0) as advance:
        advance(0.5, 0.5, 1)
    assert capsys.readouterr().out == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_in_a_terminal_keeps_log_lines_whole(monkeypatch, comm):
    """A terminal gets the spinner and the bar; a log message printed meanwhile is a whole line
    above them, and the log's own progress lines are left to run.log."""
    from lkfem import progress
    from lkfem.log import logger

    if comm.rank != 0:
        pytest.skip("progress is drawn on rank 0 only")
    screen = _Terminal()
    monkeypatch.setattr("sys.stdout", screen)
    monkeypatch.setenv("LKFEM_PROGRESS", "1")  # drawn under mpirun -n 2 too
    assert progress.enabled()
    with progress.activity("steady solve"):
        progress.iterations(newton=2)
        logger.info("a message during the solve")
        logger.info("step 1: t = 0.1 s", extra=progress.PROGRESS)
    with progress.time_bar(0.0, 2.0) as advance:
        advance(1.0, 0.5, 2)
        logger.log(logging.WARNING, "a warning during the steps")
    text = screen.getvalue()
    assert "[lkfem] a message during the solve\n" in text
    assert "[lkfem] warning: a warning during the steps\n" in text
    assert "step 1: t = 0.1 s" not in text
    assert "steady solve" in text


class _Comm:
    def __init__(self, size: int):
        self.rank, self.size = 0, size


def test_progress_is_off_on_several_ranks_unless_asked(monkeypatch):
    """Open MPI gives every rank a pseudo-terminal, also when the output goes to a file: with
    more than one rank in the run's communicator the display is off unless LKFEM_PROGRESS=1."""
    from lkfem import progress

    monkeypatch.setattr("sys.stdout", _Terminal())
    monkeypatch.delenv("LKFEM_PROGRESS", raising=False)
    assert progress.enabled(_Comm(1))
    assert not progress.enabled(_Comm(2))
    monkeypatch.setenv("LKFEM_PROGRESS", "1")
    assert progress.enabled(_Comm(2))
    monkeypatch.setenv("LKFEM_PROGRESS", "0")
    assert not progress.enabled(_Comm(1))


def test_progress_is_off_when_petsc_prints(monkeypatch):
    """A PETSc monitor or viewer writes into the terminal itself: no display then, and the
    solvers attach no monitor of their own."""
    from mpi4py import MPI
    from petsc4py import PETSc

    from lkfem import progress
    from lkfem.solvers.linear import LinearSolver

    monkeypatch.setattr("sys.stdout", _Terminal())
    monkeypatch.delenv("LKFEM_PROGRESS", raising=False)
    assert progress.enabled(_Comm(1))
    A = PETSc.Mat().createAIJ((2, 2), comm=MPI.COMM_SELF)
    A.setUp()
    A.assemble()
    solver = LinearSolver(A, {"ksp_monitor": "", "ksp_type": "cg", "pc_type": "none"})
    try:
        assert not progress.enabled(_Comm(1))
        assert not solver.ksp.getMonitor()
    finally:
        solver.destroy()
        A.destroy()
    assert progress.enabled(_Comm(1))


def test_solvers_attach_monitors_only_for_a_display(monkeypatch):
    from mpi4py import MPI
    from petsc4py import PETSc

    from lkfem.solvers.linear import LinearSolver

    A = PETSc.Mat().createAIJ((2, 2), comm=MPI.COMM_SELF)
    A.setUp()
    A.assemble()
    options = {"ksp_type": "cg", "pc_type": "none"}
    monkeypatch.delenv("LKFEM_PROGRESS", raising=False)
    plain = LinearSolver(A, options)  # pytest captures: not a terminal
    monkeypatch.setattr("sys.stdout", _Terminal())
    shown = LinearSolver(A, options)
    try:
        assert not plain.ksp.getMonitor()
        assert shown.ksp.getMonitor()
    finally:
        plain.destroy()
        shown.destroy()
        A.destroy()


def test_verbose_terminal_shows_every_step_line_with_the_bar(monkeypatch, comm):
    """``lkfem -v``: the step lines (progress lines at DEBUG and INFO) print above the bar."""
    from lkfem import progress
    from lkfem.log import logger, set_log_level

    if comm.rank != 0:
        pytest.skip("progress is drawn on rank 0 only")
    screen = _Terminal()
    monkeypatch.setattr("sys.stdout", screen)
    monkeypatch.setenv("LKFEM_PROGRESS", "1")
    set_log_level(logging.DEBUG)
    try:
        with progress.time_bar(0.0, 2.0) as advance:
            advance(1.0, 0.5, 2)
            logger.debug("step 2: t = 1 s", extra=progress.PROGRESS)
            logger.info("step 3: t = 1.5 s", extra=progress.PROGRESS)
    finally:
        set_log_level(logging.INFO)
    text = screen.getvalue()
    assert "step 2: t = 1 s\n" in text
    assert "step 3: t = 1.5 s\n" in text
