"""The LK model through case files and the command line."""

import csv
import json

import numpy as np
import pytest

from lkfem.cli import main

from .verification import assert_rejected, run_on_ranks

CASE = """
title = "Cattaneo slab with a pulse"
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
t_end = 0.2
dt = 0.01
scheme = "bdf2"
milestones = [0.05]
[output]
every = 5
png = false
[probes]
middle = [0.5, 0.05, 0.05]
"""


def _write(folder, comm, text):
    path = folder / "case.toml"
    if comm.rank == 0:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    comm.barrier()
    return path


def test_transient_case_writes_series_and_closes_the_energy_balance(shared_tmp, comm):
    case = _write(shared_tmp / "lk_ok", comm, CASE)
    out = shared_tmp / "lk_ok" / "out"
    assert main(["run", str(case), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["model"] == "lk" and summary["element"] == "primal"
    assert summary["steps"] == 20 and summary["t_final_s"] == pytest.approx(0.2)
    assert summary["energy_balance_error_W"] < 1e-10
    assert summary["interface_flow_W"]["interface0"]["from"] == "layer0"
    assert set(summary["files"]) >= {"summary.json", "fields.xdmf", "timeseries.csv"}
    rows = np.genfromtxt(out / "timeseries.csv", delimiter=",", names=True)
    assert len(rows) == 21
    # Energy: E(t_end) − E(0) equals what the per-step balances add up to (BDF2's own rate).
    assert np.nanmax(np.abs(rows["balance_error_W"])) < 1e-10
    # heat entered (source) and left (through left and right) while the slab warmed
    assert rows["thermal_energy_J"][-1] > rows["thermal_energy_J"][0]
    assert summary["probes"]["middle"]["T_K"] > 300.0
    # The probe as a time series: T and q at every step, the last row the summary's values.
    with open(out / "timeseries.csv") as fh:
        table = list(csv.DictReader(fh))
    probe = summary["probes"]["middle"]
    assert probe["x_m"] == [0.5, 0.05, 0.05]
    assert float(table[0]["T_K:middle"]) == pytest.approx(300.0, rel=1e-12)  # the initial T0
    T = [float(row["T_K:middle"]) for row in table]
    assert max(T) > T[0] and T[-1] == pytest.approx(probe["T_K"], rel=1e-9)
    for axis, value in zip("xyz", probe["q_W_m2"], strict=True):
        assert float(table[-1][f"q{axis}_W_m2:middle"]) == pytest.approx(value, rel=1e-9, abs=1e-12)
    assert summary["converged_reason"].startswith("CONVERGED_")
    assert "free_energy_W_K" in summary and "free_energy_W_K" in table[0]


LK_BAD = {
    "unknown_time_key": (
        CASE.replace("dt = 0.01", "dt = 0.01\nstep = 2"),
        "[time.step]: unknown key",
    ),
    "expression_name": (
        CASE.replace("(T - T0)", "(Temp - T0)"),
        "[materials.layer1.k]: unknown name 'Temp'",
    ),
    "expression_syntax": (CASE.replace("Q0*exp(", "Q0*exp(("), "[physics.source]: syntax error"),
    "fourier_with_tau": (
        CASE.replace('model = "lk"', 'model = "fourier"'),
        "the fourier model is steady",
    ),
    "negative_tau": (
        CASE.replace(
            "tau = 0.02\nC = 2.0\n[materials.layer1]", "tau = -0.02\nC = 2.0\n[materials.layer1]"
        ),
        "[materials.layer0.tau]: must be ≥ 0, got -0.02",
    ),
    "landau_and_physical": (
        CASE.replace("k = 1.0\n", "k = 1.0\na = 2.0\n"),
        "[materials.layer0]: give either the conductivity k",
    ),
    "bad_slip": (
        CASE.replace("h = 5.0\n", 'h = 5.0\nslip = "sticky"\n'),
        '[boundaries.right.slip]: unknown value "sticky" (one of: free, no_slip)',
    ),
}


@pytest.mark.parametrize("kind", sorted(LK_BAD))
def test_bad_lk_input(shared_tmp, comm, capsys, kind):
    text, expected = LK_BAD[kind]
    folder = shared_tmp / f"lk_bad_{kind}"
    case = _write(folder, comm, text)
    assert_rejected(case, folder / "out", comm, capsys, expected)


@pytest.mark.serial
def test_lk_serial_and_parallel_agree(tmp_path):
    """The same transient case on 1 and 2 ranks: the same time series to solver tolerance."""
    case = tmp_path / "case.toml"
    case.write_text(CASE)
    series = {}
    for n, out in run_on_ranks(case, tmp_path).items():
        series[n] = np.genfromtxt(out / "timeseries.csv", delimiter=",", names=True)
    for column in series[1].dtype.names:
        if column == "balance_error_W":
            continue
        np.testing.assert_allclose(
            series[2][column], series[1][column], rtol=1e-8, atol=1e-10, err_msg=column
        )


@pytest.mark.parametrize(
    "name",
    [
        "box_with_sphere.toml",
        "cattaneo_slab.toml",
        "spherical_cloak.toml",
        "gk_cloak.toml",
        "circular_cloak.toml",
        "heat_superconductor.toml",
        "josephson_split_rod.toml",
    ],
)
def test_shipped_cases_are_valid(name):
    from pathlib import Path

    from lkfem.case.load import load_case

    case = load_case(Path(__file__).resolve().parents[1] / "lkfem" / "cases" / name)
    assert case.materials and case.boundaries
    if name.startswith(("heat_superconductor", "josephson")):
        assert case.superconductor is not None and case.superconductor.contacts
