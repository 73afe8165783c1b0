"""The split-rod Josephson demo, at its test size: the link current oscillates at
|ω0(T_s,L) − ω0(T_s,R)| (within 1 %), at T_L = T_R it is a DC current E_J ω0 A sin Δ0 never
above E_J ω0 A, and the picture, time series and summary are written on rank 0."""

import json
from pathlib import Path

import pytest

from .verification import load_demo


@pytest.mark.demo
def test_josephson_split_rod_demo(comm, shared_tmp):
    demo = load_demo("josephson_split_rod")
    summary = demo.main(size="test", out=str(shared_tmp / "josephson"))
    ac, dc = summary["ac"], summary["dc"]
    assert abs(ac["relative_error_Ts"]) < 0.01
    assert abs(ac["relative_error_reservoirs"]) < 0.01  # strong contacts: T_s ≈ T_L, T_R
    assert ac["J_max_W"] == pytest.approx(ac["amplitude_predicted_W"], rel=1e-3)
    assert ac["balance_error_max_W"] < 1e-12
    assert dc["max_ratio_to_bound"] <= 1 + 1e-9  # |J_DC| ≤ E_J ω0 A at every step
    assert max(abs(J) for J in dc["J_DC_W"]) <= dc["bound_W"] * (1 + 1e-9)
    assert dc["max_deviation_over_bound"] < 0.01  # E_J ω0 A sin Δ0
    assert dc["max_drift_over_bound"] < 1e-2  # steady
    if comm.rank == 0:
        png, csv, js = (Path(f) for f in summary["files"])
        assert png.name == "josephson.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size > 10_000
        lines = csv.read_text().splitlines()
        assert lines[0].startswith("t_s,J_out_W,J_in_W")
        assert len(lines) == ac["steps"] + 1
        written = json.loads(js.read_text())
        assert written["ac"]["omega_measured_rad_s"] == ac["omega_measured_rad_s"]
