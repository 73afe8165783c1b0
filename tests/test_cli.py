"""The command line as a new user meets it: a good run, and every kind of bad input."""

import json
import subprocess
import sys
import textwrap

import pytest

from lkfem.cli import main

from .verification import assert_rejected, clean_env, run_on_ranks

GOOD = """
title = "two-layer slab"
[mesh]
generator = "layered_slab"
[mesh.parameters]
thickness = [0.5, 0.5]
h = 0.15
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
png = true
[probes]
middle = [0.5, 0.125, 0.125]
"""


def _write(folder, text, name="case.toml"):
    path = folder / name
    if not path.exists():
        path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def folder(shared_tmp, comm, request):
    path = shared_tmp / request.node.name.replace("[", "_").replace("]", "")
    if comm.rank == 0:
        path.mkdir(exist_ok=True)
    comm.barrier()
    return path


def test_run_writes_summary_fields_and_png(folder, comm):
    case = _write(folder, GOOD) if comm.rank == 0 else folder / "case.toml"
    comm.barrier()
    out = folder / "out"
    assert main(["run", str(case), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    q = 1.0 / (0.5 / 1.0 + 0.5 / 3.0)
    assert summary["heat_flow_W"]["right"] == pytest.approx(q * 0.25 * 0.25, rel=1e-8)
    # middle of the slab: T = 1 − q · 0.5 / k0
    assert summary["probes"]["middle"]["T_K"] == pytest.approx(1 - q * 0.5, rel=1e-8)
    assert summary["probes"]["middle"]["q_W_m2"][0] == pytest.approx(q, rel=1e-8)
    assert summary["solver"]["converged_reason"] == "CONVERGED_RTOL"  # PETSc's word for 2
    for name in ("fields.xdmf", "fields.h5", "T.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "T.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in folder.iterdir()) == ["case.toml", "out"]


def test_quiet_run_keeps_its_log_in_the_results(folder, comm, capsys):
    """``-q`` prints nothing on a good run; ``run.log`` in the results folder has the messages
    (rank 0's, with times) and the summary lists it."""
    case = _write(folder, GOOD) if comm.rank == 0 else folder / "case.toml"
    comm.barrier()
    out = folder / "out"
    assert main(["-q", "run", str(case), "--out", str(out)]) == 0
    assert capsys.readouterr().out == ""
    log = (out / "run.log").read_text()
    assert "mesh: " in log and "steady Fourier solve: " in log and "Krylov iterations" in log
    assert log.count("steady Fourier solve") == 1  # one rank writes
    summary = json.loads((out / "summary.json").read_text())
    assert "run.log" in summary["files"]
    assert main(["-v", "run", str(case), "--out", str(out)]) == 0  # and loud again
    printed = capsys.readouterr().out
    assert ("[lkfem] mesh: " in printed) == (comm.rank == 0)


def test_info_names_the_stack(comm, capsys):
    assert main(["info"]) == 0
    printed = capsys.readouterr().out
    if comm.rank == 0:
        import dolfinx

        assert "dolfinx" in printed and dolfinx.__version__ in printed
        assert any(
            line.split()[-1] == str(comm.size)
            for line in printed.splitlines()
            if line.startswith("MPI ranks")
        )
        assert "PETSc external packages" in printed
    else:
        assert printed == ""


BAD = {
    "malformed_toml": (GOOD.replace("[mesh]", "[mesh"), "is not valid TOML"),
    "unknown_key": (
        GOOD.replace("[output]", "[output]\ncolour = 1"),
        "[output.colour]: unknown key",
    ),
    "unknown_region": (
        GOOD.replace("[materials.layer1]", "[materials.layer7]"),
        "[materials.layer7]: no region named 'layer7'",
    ),
    "unknown_boundary": (
        GOOD.replace("[boundaries.right]", "[boundaries.rihgt]"),
        "[boundaries.rihgt]: no boundary named 'rihgt'",
    ),
    "negative_conductivity": (
        GOOD.replace("k = 3.0", "k = -3.0"),
        "[materials.layer1.k]: must be > 0, got -3.0",
    ),
    "missing_mesh_file": (
        GOOD.replace('generator = "layered_slab"', 'file = "slab.msh"').replace(
            "[mesh.parameters]\nthickness = [0.5, 0.5]\nh = 0.15\n", ""
        ),
        "[mesh.file]: no such mesh file",
    ),
    "probe_outside": (
        GOOD.replace("[0.5, 0.125, 0.125]", "[5.0, 0.125, 0.125]"),
        "[probes.middle]: point [5.0, 0.125, 0.125] lies outside the mesh",
    ),
    "bad_generator_parameter": (
        GOOD.replace("h = 0.15", 'h = "fine"'),
        "[mesh.parameters.h]: must be a number",
    ),
    "impossible_geometry": (  # found by the generator as it builds
        GOOD.replace("thickness = [0.5, 0.5]", "thickness = [0.5, -0.5]"),
        "[mesh.parameters]: layered_slab:",
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD) + ["missing_case_file"])
def test_bad_input_gives_one_line_and_no_output(folder, comm, capsys, kind):
    if kind == "missing_case_file":
        case, expected = folder / "nowhere.toml", "no such case file"
    else:
        text, expected = BAD[kind]
        case = _write(folder, text) if comm.rank == 0 else folder / "case.toml"
    comm.barrier()
    assert_rejected(case, folder / "out", comm, capsys, expected)


@pytest.mark.serial
def test_bad_input_in_a_real_process(tmp_path):
    """The installed command itself: exit code 2, one line, no traceback."""
    case = tmp_path / "case.toml"
    case.write_text(GOOD.replace("k = 3.0", "k = -3.0"))
    proc = subprocess.run(
        [sys.executable, "-m", "lkfem", "run", str(case), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"lkfem: error: {case}: [materials.layer1.k]: must be > 0, got -3.0"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.serial
def test_serial_and_parallel_runs_agree(tmp_path):
    """`mpirun -n 2 lkfem run` gives the summary of a serial run, to solver tolerance."""
    case = tmp_path / "case.toml"
    case.write_text(
        GOOD.replace("png = true", "png = false")
        .replace('generator = "layered_slab"', 'generator = "box_with_sphere"')
        .replace("thickness = [0.5, 0.5]", "h_interface = 0.06")
        .replace("layer0", "matrix")
        .replace("layer1", "inclusion")
        .replace("[0.5, 0.125, 0.125]", "[0.5, 0.5, 0.5]")
    )
    runs = {}
    for n, out in run_on_ranks(case, tmp_path).items():
        runs[n] = json.loads((out / "summary.json").read_text())
    serial, parallel = runs[1], runs[2]
    assert parallel["mpi_ranks"] == 2
    assert parallel["mesh"] == serial["mesh"]
    for name, flow in serial["heat_flow_W"].items():
        assert parallel["heat_flow_W"][name] == pytest.approx(flow, rel=1e-7, abs=1e-9)
    for name, region in serial["regions"].items():
        assert parallel["regions"][name]["volume_m3"] == pytest.approx(
            region["volume_m3"], rel=1e-12
        )
        assert parallel["regions"][name]["mean_T_K"] == pytest.approx(region["mean_T_K"], rel=1e-8)
    probe_s, probe_p = serial["probes"]["middle"], parallel["probes"]["middle"]
    assert probe_p["T_K"] == pytest.approx(probe_s["T_K"], rel=1e-8)
    assert probe_p["q_W_m2"] == pytest.approx(probe_s["q_W_m2"], rel=1e-6, abs=1e-8)
