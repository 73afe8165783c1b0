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
from .test_cli_lk import LK_BAD
from .test_sc_cli import BAD as SC_BAD


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


REFUSED = {  # what the runs' own tests refuse, validate refuses with the same line
    **{f"cli_{k}": v for k, v in CLI_BAD.items()},
    **{f"lk_{k}": v for k, v in LK_BAD.items()},
    # ω0 at the converged T_s of a steady solve is known only by solving
    **{f"sc_{k}": v for k, v in SC_BAD.items() if k != "omega0_at_steady_T"},
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
