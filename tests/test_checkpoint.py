"""Checkpoints and restart through ``lkfem run``: a transient killed with SIGKILL at a random
step after a checkpoint exists, continued with ``--restart`` on the same or another number of
ranks, gives the time series and final fields of a run that was never stopped (to 1e-12 on the
same ranks, to solver tolerance on others), for the LK model and the heat superconductor; the
guards (max_steps, the wall-time limit, SIGTERM) stop with a checkpoint and a message saying how
to continue; a stale partial folder is reported."""

import os
import random
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import h5py
import numpy as np
import pytest

from .verification import clean_env

pytestmark = pytest.mark.serial  # each test starts its own (MPI) processes

LK = """
title = "Cattaneo slab"
[mesh]
generator = "layered_slab"
[mesh.parameters]
thickness = [0.5, 0.5]
ly = 0.1
lz = 0.1
h = 0.1
[physics]
model = "lk"
source = "Q0*exp(-((x - 0.25)**2)/0.01)*(t < 0.05)"
[constants]
Q0 = 100.0
T0 = 300.0
[materials.layer0]
k = 1.0
tau = 0.02
C = 2.0
[materials.layer1]
k = "2.0*(1 + 0.001*(T - T0))"
tau = 0.02
C = 2.0
[boundaries.left]
type = "temperature"
value = "T0"
[boundaries.right]
type = "convection"
h = 5.0
T_inf = "T0"
[initial]
T = "T0"
[time]
t_end = 0.4
dt = 0.01
scheme = "bdf2"
milestones = [0.05]
{limits}
[output]
every = 4
png = false
checkpoint_every = 3
"""

SC = """
title = "rod"
[mesh]
generator = "rod_between_reservoirs"
[mesh.parameters]
length = 1.0
radius = 0.15
box_length = 0.6
box_width = 0.6
h = 0.3
h_rod = 0.15
[physics]
model = "lk"
[materials.reservoir_left]
k = 100.0
C = 1.0
[materials.reservoir_right]
k = 100.0
C = 1.0
[superconductor.rods.rod]
kappa = 3.0
omega0 = "2 + 0.5*T"
C = 1.0
[superconductor.contacts.contact_left]
kappa_SN = 0.2
[superconductor.contacts.contact_right]
kappa_SN = 0.2
[boundaries.hot]
type = "temperature"
value = 1.5
[boundaries.cold]
type = "temperature"
value = 0.5
[initial]
T = 1.0
[time]
t_end = 1.2
dt = 0.03
scheme = "bdf2"
{limits}
[output]
every = 5
png = false
checkpoint_every = 3
"""

CASES = {"lk": LK, "sc": SC}


def _cmd(case, out, ranks, *extra):
    cmd = [sys.executable, "-m", "lkfem", "run", str(case), "--out", str(out), *extra]
    return ["mpirun", "-n", str(ranks), *cmd] if ranks > 1 else cmd


def _run(case, out, ranks=1, *extra):
    return subprocess.run(
        _cmd(case, out, ranks, *extra), capture_output=True, text=True, env=clean_env(), timeout=600
    )


def _case(folder, kind, limits=""):
    path = folder / f"{kind}.toml"
    path.write_text(CASES[kind].format(limits=limits))
    return path


def _rows(path):
    try:
        return max(0, len(path.read_text().splitlines()) - 2)  # steps written (header, t = 0)
    except OSError:
        return 0


def _kill_at_random_step(case, out, ranks, rng):
    """Start the run, SIGKILL it (mpirun and its ranks) at a random step after the first
    checkpoint; the step it had reached."""
    partial = out.with_name(f".{out.name}.partial")
    target = rng.randint(5, 25)
    proc = subprocess.Popen(
        _cmd(case, out, ranks),
        env=clean_env(),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while _rows(partial / "timeseries.csv") < target:
        assert proc.poll() is None, "the run ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    _kill_ranks(out)
    assert any((partial / "checkpoints").glob("step-*/state.json"))
    return _rows(partial / "timeseries.csv")


def _kill_ranks(out):
    """The ranks of a killed mpirun end by themselves within seconds (they live in a process
    group of their own; lkfem.collective.watch_launcher ends them); any left are killed."""
    mine = f"--out\0{out}\0".encode()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _left(mine):
        time.sleep(0.1)
    left = _left(mine)
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and mine in (proc / "cmdline").read_bytes():
                os.kill(int(proc.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            continue
    assert not left, f"ranks outlived the killed mpirun: {left}"


def _left(mine):
    return [p.name for p in Path("/proc").iterdir() if p.name.isdigit() and _running(p, mine)]


def _running(proc, mine):
    try:
        return mine in (proc / "cmdline").read_bytes()
    except OSError:
        return False


def _final_fields(out):
    """The last snapshot of T and q in fields.xdmf, each sorted by its points (nodes, or cell
    midpoints for cellwise data)."""
    tree = ET.parse(out / "fields.xdmf")

    def read(item):
        name, path = item.text.strip().split(":")
        with h5py.File(out / name, "r") as h5:
            return np.asarray(h5[path])

    mesh = tree.find(".//Grid[@GridType='Uniform']")
    nodes = read(mesh.find("Geometry/DataItem"))
    cells = read(mesh.find("Topology/DataItem"))
    found = {}
    for collection in tree.iter("Grid"):
        if collection.get("CollectionType") != "Temporal" or collection.get("Name") not in "Tq":
            continue
        attribute = list(collection)[-1].find("Attribute")
        x = nodes if attribute.get("Center") == "Node" else nodes[cells].mean(axis=1)
        x = np.round(x, 9)
        order = np.lexsort(x.T[::-1])
        found[collection.get("Name")] = (read(attribute.find("DataItem"))[order], x[order])
    return found


def _assert_same(ref, out, rel):
    a = np.genfromtxt(ref / "timeseries.csv", delimiter=",", names=True)
    b = np.genfromtxt(out / "timeseries.csv", delimiter=",", names=True)
    assert a.shape == b.shape
    for name in a.dtype.names:
        if name in ("newton_iterations", "linear_iterations"):
            continue
        scale = max(1.0, float(np.nanmax(np.abs(a[name]))))
        assert np.allclose(a[name], b[name], rtol=0, atol=rel * scale, equal_nan=True), name
    fa, fb = _final_fields(ref), _final_fields(out)
    assert sorted(fa) == sorted(fb) == ["T", "q"]
    for name, (va, xa) in fa.items():
        vb, xb = fb[name]
        assert np.allclose(xa, xb, atol=1e-12)
        scale = max(1.0, float(np.abs(va).max()))
        diff = float(np.abs(va - vb).max())
        print(f"{name}: max difference {diff:.3g}")
        assert diff <= rel * scale, (name, diff)


@pytest.mark.parametrize(
    "kind, first, then",
    [
        ("lk", 1, 1),
        ("lk", 2, 2),
        ("lk", 2, 1),
        ("lk", 1, 2),
        ("sc", 1, 1),
        ("sc", 2, 2),
        ("sc", 2, 1),
        ("sc", 1, 2),
    ],
)
def test_killed_run_restarts_as_if_never_stopped(tmp_path, kind, first, then):
    case = _case(tmp_path, kind)
    ref = tmp_path / "ref"
    proc = _run(case, ref, then)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    step = _kill_at_random_step(case, out, first, random.Random())
    again = _run(case, out, first)  # without --restart: refused, the checkpoint kept
    assert again.returncode == 2 and "--restart" in again.stderr, again.stderr
    proc = _run(case, out, then, "--restart")
    assert proc.returncode == 0, proc.stderr
    assert not out.with_name(".out.partial").exists()
    assert (out / "fields-1.xdmf").exists(), f"killed at step {step}"
    _assert_same(ref, out, 1e-12 if first == then else 1e-8)


def test_max_steps_and_wall_time_stop_with_a_checkpoint_and_resume(tmp_path):
    case = _case(tmp_path, "lk", "max_steps = 15")
    out = tmp_path / "out"
    proc = _run(case, out)
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "max_steps = 15" in lines[0] and "--restart" in lines[0], lines
    assert "step 15" in lines[0]
    proc = _run(case, out, 1, "--restart", "--max-wall", "0")  # stops after one more step
    assert proc.returncode == 3 and "wall-time limit" in proc.stderr, proc.stderr
    assert "step 16" in proc.stderr
    for _ in range(3):
        proc = _run(case, out, 1, "--restart")
        if proc.returncode == 0:
            break
        assert proc.returncode == 3, proc.stderr
    assert proc.returncode == 0, proc.stderr
    ref = tmp_path / "ref"
    assert _run(_case(tmp_path, "lk"), ref).returncode == 0
    _assert_same(ref, out, 1e-12)


def test_infinite_t_end_needs_a_limit(tmp_path):
    case = tmp_path / "inf.toml"
    case.write_text(LK.format(limits="").replace("t_end = 0.4", "t_end = inf"))
    proc = _run(case, tmp_path / "out")
    assert proc.returncode == 2 and "max_steps" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_sigterm_stops_with_a_checkpoint(tmp_path):
    """(Under mpirun each rank must get the signal, as from a batch system's scancel: the ranks
    agree on it at the next step boundary.)"""
    case = _case(tmp_path, "lk")
    case.write_text(case.read_text().replace("t_end = 0.4", "t_end = 40.0"))
    out = tmp_path / "out"
    partial = tmp_path / ".out.partial"
    proc = subprocess.Popen(
        _cmd(case, out, 1),
        env=clean_env(),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    while _rows(partial / "timeseries.csv") < 3:
        assert proc.poll() is None
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    lines = [line for line in err.splitlines() if line.startswith("lkfem: error")]
    assert len(lines) == 1 and "SIGTERM" in lines[0] and "--restart" in lines[0], err
    assert any((partial / "checkpoints").glob("step-*/state.json"))


def test_newton_failure_names_the_step_and_keeps_the_last_good_state(tmp_path):
    """A source that turns infinite at t = 0.1 in layer0: caught at once, naming the step and
    the region; the state of the step before is saved."""
    case = _case(tmp_path, "lk")
    text = case.read_text().replace(
        'source = "Q0*exp(-((x - 0.25)**2)/0.01)*(t < 0.05)"',
        'source = "Q0*exp(-((x - 0.25)**2)/0.01)*(t < 0.05) + (log(0.1 - t) if x < 0.5 else 0.0)"',
    )
    case.write_text(text)
    out = tmp_path / "out"
    proc = _run(case, out)
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip().splitlines()[-1]
    assert "NaN/Inf" in line and "step 10 " in line and "layer0" in line, line
    assert "--restart" in line and "Traceback" not in proc.stderr
    assert (tmp_path / ".out.partial" / "checkpoints" / "step-00000009").is_dir()


def test_stale_partial_folders_without_a_checkpoint_are_removed(tmp_path):
    from mpi4py import MPI

    from lkfem.output.results import ResultsDir

    out = tmp_path / "out"
    (tmp_path / ".out.partial-x1y2").mkdir()  # older lkfem's, from a killed run
    (tmp_path / ".out.partial" / "checkpoints" / ".step-00000003.tmp").mkdir(parents=True)
    with ResultsDir(out, MPI.COMM_SELF) as tmp:
        assert tmp == tmp_path / ".out.partial" and list(tmp.iterdir()) == []
        (tmp / "checkpoints").mkdir()
        (tmp / "summary.json").write_text("{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]  # no checkpoints
