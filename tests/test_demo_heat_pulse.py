"""The heat-pulse demo, at its test size: runs, conserves energy, shows the three models apart."""

from pathlib import Path

import pytest

from .verification import load_demo


@pytest.mark.demo
def test_heat_pulse_demo(comm, shared_tmp):
    demo = load_demo("heat_pulse_slab")
    summary = demo.main(size="test", out=str(shared_tmp / "pulse"))
    # The slab is adiabatic but for the pulse: every model keeps exactly the injected energy.
    for name, energy in summary["final_energy_J"].items():
        assert energy == pytest.approx(summary["injected_J"], rel=1e-8), name
    half = summary["rear_T_half_time_s"]
    # Over-diffusive GK (ℓ² = 3kτ/C) spreads faster than Fourier; the Cattaneo wave arrives last,
    # about at L/c.
    assert half["Guyer–Krumhansl"] < half["Fourier"] < half["Maxwell–Cattaneo"]
    assert half["Maxwell–Cattaneo"] == pytest.approx(summary["wave_arrival_s"], rel=0.1)
    if comm.rank == 0:
        png = Path(summary["files"][0])
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        lines = Path(summary["files"][1]).read_text().splitlines()
        assert lines[0].startswith("t_s,rear_T_K:Fourier")
        assert len(lines) > 10
