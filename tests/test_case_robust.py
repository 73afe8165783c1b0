"""Case files that used to give tracebacks: NaN/Inf, deep nesting, byte-order marks and other
encodings; PETSc options checked against what PETSc itself knows; errors seen on one rank only
end every rank (under mpirun, in a real process)."""

import math
import subprocess
import sys
import time

import pytest

from lkfem.case.load import load_case, parse_case
from lkfem.errors import CaseError
from lkfem.solvers.options import check_options

from .test_cli import GOOD
from .verification import clean_env


def _case(tmp_path, data: bytes, name="case.toml"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _message(path):
    with pytest.raises(CaseError) as info:
        load_case(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message, message
    return message


def test_byte_order_mark_is_accepted(tmp_path):
    case = load_case(_case(tmp_path, b"\xef\xbb\xbf" + GOOD.encode()))
    assert case.title == "two-layer slab"


@pytest.mark.parametrize(
    "encoding, expected",
    [
        ("utf-16", "UTF-16 or UTF-32 text: save it as UTF-8"),
        ("latin-1", "is not UTF-8 text (byte 0xe9 on line 2): save it as UTF-8"),
    ],
)
def test_other_encodings_are_one_line_errors(tmp_path, encoding, expected):
    text = GOOD.replace('"two-layer slab"', '"couche épaisse"')
    assert expected in _message(_case(tmp_path, text.encode(encoding)))


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_constants_are_refused(tmp_path, value):
    message = _message(_case(tmp_path, (GOOD + f"[constants]\nk0 = {value}\n").encode()))
    assert f"[constants.k0]: must be a finite number, got {float(value)}" in message


def test_deep_nesting_is_a_clean_error(tmp_path):
    text = GOOD + "[probes]\n" if "[probes]" not in GOOD else GOOD
    text += "deep = " + "[" * 500 + "]" * 500 + "\n"
    message = _message(_case(tmp_path, text.encode()))
    assert "nested too deep" in message or "[probes.deep]" in message


def _with_petsc(options: str):
    import tomllib

    return tomllib.loads(GOOD + "[solver.petsc]\n" + options)


@pytest.mark.parametrize(
    "options, expected",
    [
        ("ksp_rtoll = 1e-8", "[solver.petsc.ksp_rtoll]: 'ksp_rtoll' is not a PETSc option of "
         "these solvers; did you mean 'ksp_rtol'?"),
        ('ksp_type = "cgg"', "[solver.petsc.ksp_type]: unknown value 'cgg' (did you mean 'cg'?"),
        ('pc_type = "amg"', "[solver.petsc.pc_type]: unknown value 'amg'"),
        ('ksp_rtol = "tight"', "[solver.petsc.ksp_rtol]: must be a number, got 'tight'"),
        ("ksp_max_it = true", "[solver.petsc.ksp_max_it]: must be a number, got True"),
        ('snes_linesearch_type = "cubic"', "[solver.petsc.snes_linesearch_type]: unknown value"),
    ],
)  # fmt: skip
def test_bad_petsc_options_name_the_key(options, expected):
    with pytest.raises(CaseError) as info:
        parse_case(_with_petsc(options), source="case.toml")
    assert expected in str(info.value), str(info.value)
    from petsc4py import PETSc

    assert not [k for k in PETSc.Options().getAll() if k.startswith("lkfemcheck")]


def test_good_petsc_options_pass():
    good = {
        "ksp_type": "gmres",
        "ksp_rtol": 1e-10,
        "ksp_gmres_restart": 60,
        "pc_type": "lu",
        "ksp_monitor": "",
        "snes_rtol": "1e-9",
        "snes_linesearch_type": "basic",
        "fieldsplit_q_ksp_type": "preonly",
        "fieldsplit_q_pc_type": "jacobi",
        "ksp_error_if_not_converged": True,
    }
    assert check_options(good) is None


def test_shipped_cases_pass_the_option_check():
    from pathlib import Path

    import lkfem

    for path in sorted((Path(lkfem.__file__).parent / "cases").glob("*.toml")):
        load_case(path)


def _rank_env():
    return {**clean_env(), "LKFEM_ERROR_TIMEOUT": "2"}


def _mpirun(tmp_path, command):
    """``command`` under mpirun -n 2 in a shell, $RANK set to each rank; (process, seconds)."""
    script = "RANK=${OMPI_COMM_WORLD_RANK:-$PMI_RANK}; export RANK; exec " + command
    start = time.perf_counter()
    proc = subprocess.run(
        ["mpirun", "-n", "2", "sh", "-c", script],
        capture_output=True,
        text=True,
        env=_rank_env(),
        timeout=120,
        cwd=tmp_path,
    )
    return proc, time.perf_counter() - start


@pytest.mark.serial
def test_case_file_on_one_rank_only(tmp_path):
    """Rank 1 is given a case file that is not there (as on a node without the file): both
    ranks end with exit code 2 and the message once, after the same agreement."""
    (tmp_path / "case_0.toml").write_text(GOOD)
    lkfem = f"{sys.executable} -m lkfem"
    proc, seconds = _mpirun(tmp_path, f"{lkfem} run case_$RANK.toml --out out")
    lines = [line for line in proc.stderr.splitlines() if "lkfem" in line or "Trace" in line]
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert lines == ["lkfem: error: case_1.toml: no such case file"], proc.stderr
    assert not (tmp_path / "out").exists()
    print(f"case missing on rank 1: exit 2 after {seconds:.1f} s")


@pytest.mark.serial
def test_an_error_inside_a_collective_phase_on_one_rank(tmp_path):
    """Rank 1's case names a material region the mesh lacks, so it fails in the name check
    while rank 0 goes on into the solve's collectives: rank 1 aborts the job with its
    message within the timeout, never a hang."""
    (tmp_path / "case_0.toml").write_text(GOOD)
    (tmp_path / "case_1.toml").write_text(GOOD.replace("[materials.layer1]", "[materials.lay]"))
    lkfem = f"{sys.executable} -m lkfem"
    proc, seconds = _mpirun(tmp_path, f"{lkfem} run case_$RANK.toml --out out")
    assert proc.returncode != 0
    assert proc.stderr.count("lkfem: error: case_1.toml:") == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    print(f"error inside a collective on rank 1: exit {proc.returncode} after {seconds:.1f} s")


def test_inf_in_an_expression_constant_is_not_reached(tmp_path):
    data = _with_petsc("ksp_rtol = 1e-9")
    data["constants"] = {"a": math.inf}
    with pytest.raises(CaseError, match=r"\[constants.a\]: must be a finite number"):
        parse_case(data)


def test_a_shipped_case_as_a_template_with_changes():
    """lk.shipped_case + load_case(changes=...): the demos', tests' and benchmarks' one way to
    resize a packaged case; a wrong change is named like a wrong key of the file."""
    import lkfem as lk

    names = lk.shipped_cases()
    assert {"domains_coarsening_2d", "domains_vortex_disc", "domains_box"} <= set(names)
    path = lk.shipped_case("domains_coarsening_2d")
    assert path.is_file() and lk.shipped_case("domains_coarsening_2d.toml") == path
    base = load_case(path)
    changed = load_case(
        path,
        changes={
            "mesh.parameters.h": 0.5,
            "domains.initial.seed": 7,
            "time.milestones": None,  # removed: back to the default
            "output": {"png": False},
        },
    )
    assert base.mesh.parameters["h"] == 0.01 and changed.mesh.parameters["h"] == 0.5
    assert changed.sections["domains"].initial.seed == 7
    assert list(base.time.milestones) and not list(changed.time.milestones)
    assert base.png and not changed.png
    assert load_case(path).mesh.parameters["h"] == 0.01  # the file is untouched
    with pytest.raises(CaseError, match=r"time\.t_end"):
        load_case(path, changes={"time.t_end": -1.0})
    with pytest.raises(CaseError, match=r"\[title\]: is not a table"):
        load_case(path, changes={"title.x": 1})
    with pytest.raises(CaseError, match="no shipped case of that name.*domains_box"):
        lk.shipped_case("no_such_case")
