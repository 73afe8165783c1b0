"""Cases on 1D and 2D meshes through the whole pipeline: units per dimension in summary.json and
timeseries.csv (lkfem/core/units.py), 2×2 tensors, probes with two coordinates, the pictures."""

import json
import math

import numpy as np
import pytest

from lkfem.cli import main
from lkfem.core.units import column, rename

from .test_cli_lk import _write

FOURIER_2D = """
title = "2D annulus"
[mesh]
generator = "disc"
[mesh.parameters]
radii = [0.5, 1.0]
inner = 0.2
h = 0.1
[physics]
model = "fourier"
source = "1.0 + x"
[materials.layer0]
k = 1.0
[materials.layer1]
k = {k2}
[boundaries.inner]
type = "temperature"
value = 300.0
[boundaries.outer]
type = "temperature"
value = 290.0
[output]
png = {png}
[probes]
p = {probe}
"""

K3 = "[[2, 0, 0], [0, 2, 0], [0, 0, 2]]"

LK = """
title = "LK in {dim}D"
[mesh]
generator = "{generator}"
[mesh.parameters]
{params}
[physics]
model = "lk"
source = "100.0*exp(-((x - 0.25)**2)/0.01)*(t < 0.05)"
[materials.{region}]
k = 1.0
tau = 0.02
C = 2.0
[boundaries.left]
type = "temperature"
value = 300.0
[boundaries.right]
type = "convection"
h = 5.0
T_inf = 300.0
[initial]
T = 300.0
[time]
t_end = 0.1
dt = 0.01
scheme = "backward_euler"
[output]
png = {png}
[probes]
middle = {probe}
"""


def test_units_rule():
    assert column("heat_flow_W:left", 2) == "heat_flow_W_m:left"
    assert column("heat_flow_W:left", 1) == "heat_flow_W_m2:left"
    assert column("heat_flow_W:left", 3) == "heat_flow_W:left"
    assert [column("volume_m3", d) for d in (1, 2, 3)] == ["volume_m", "volume_m2", "volume_m3"]
    for density in ("q_W_m2", "mean_T_K", "qx_W_m2:p", "t_s", "E_J_J_m2", "u_J_m3"):
        assert column(density, 2) == column(density, 1) == density
    assert column("free_energy_W_K", 2) == "free_energy_WK_m"
    assert column("thermal_energy_J", 1) == "thermal_energy_J_m2"
    assert rename({"interface_flow_W": {"a": {"from": "x", "W": 1.0}}}, 2) == {
        "interface_flow_W_m": {"a": {"from": "x", "W_m": 1.0}}
    }


def test_fourier_2d_annulus(shared_tmp, comm):
    text = FOURIER_2D.format(k2="[[2.0, 0.5], [0.5, 1.0]]", png="false", probe="[0.0, 0.7]")
    case = _write(shared_tmp / "f2d", comm, text)
    out = shared_tmp / "f2d" / "out"
    assert main(["run", str(case), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert "heat_flow_W" not in summary and "volume_m3" not in summary["regions"]["layer0"]
    area = summary["regions"]["layer0"]["volume_m2"] + summary["regions"]["layer1"]["volume_m2"]
    assert area == pytest.approx(math.pi * (1 - 0.04), rel=0.02)
    # ∫(1 + x) over the annulus is its area (W/m per unit depth)
    assert summary["source_power_W_m"] == pytest.approx(area, rel=1e-6)
    assert abs(summary["energy_balance_error_W_m"]) < 1e-6
    assert len(summary["probes"]["p"]["q_W_m2"]) == 2


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        (
            FOURIER_2D.format(k2=K3, png="false", probe="[0, 0.7]"),
            "materials.layer1.k",
            "a 3×3 tensor on a 2D mesh; give a 2×2 tensor",
        ),
        (
            FOURIER_2D.format(k2="1.0", png="false", probe="[0.0, 0.7, 0.1]"),
            "probes.p",
            "lies off the 2D mesh",
        ),
        (  # the disc named its layers layer_1, layer_2 once: the error lists the new names
            FOURIER_2D.format(k2="1.0", png="false", probe="[0, 0.7]").replace(
                "materials.layer0", "materials.layer_1"
            ),
            "materials.layer_1",
            "no region named 'layer_1' in the mesh (regions: layer0, layer1)",
        ),
    ],
)
def test_dimension_mistakes(shared_tmp, comm, capsys, text, key, message):
    case = _write(shared_tmp / "bad", comm, text)
    assert main(["run", str(case), "--out", str(shared_tmp / "bad" / "out")]) == 2
    err = capsys.readouterr().err
    if comm.rank == 0:  # the one-line error is printed once
        assert key in err and message in err, err


@pytest.mark.parametrize(
    ("dim", "generator", "params", "region", "probe"),
    [
        (1, "interval", "length = 1.0\nh = 0.02", "bar", "[0.5]"),
        (2, "rectangle", "Lx = 1.0\nLy = 0.2\nh = 0.1", "plate", "[0.5, 0.1]"),
    ],
)
def test_lk_transient_per_dimension(shared_tmp, comm, dim, generator, params, region, probe):
    png = "true" if comm.size == 1 else "false"
    text = LK.format(
        dim=dim, generator=generator, params=params, region=region, probe=probe, png=png
    )
    case = _write(shared_tmp / f"lk{dim}", comm, text)
    out = shared_tmp / f"lk{dim}" / "out"
    assert main(["run", str(case), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    unit = {1: "W_m2", 2: "W_m"}[dim]
    assert summary[f"energy_balance_error_{unit}"] < 1e-9
    rows = np.genfromtxt(out / "timeseries.csv", delimiter=",", names=True, deletechars="")
    names = rows.dtype.names
    assert f"heat_flow_{unit}:left" in names and f"thermal_energy_J_{unit[2:]}" in names
    assert "qx_W_m2:middle" in names and ("qy_W_m2:middle" in names) == (dim == 2)
    assert rows["T_K:middle"][-1] > 300.0
    if png == "true":
        assert (out / "T.png").stat().st_size > 10_000
