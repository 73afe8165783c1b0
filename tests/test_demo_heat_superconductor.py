"""The heat-superconductor rod demo, at its test size: the superconducting current does not
depend on the rod length and sits at the contact limit; the normal rod's falls with its series
resistance."""

from pathlib import Path

import numpy as np
import pytest

from .verification import load_demo


@pytest.mark.demo
def test_heat_superconductor_rod_demo(comm, shared_tmp):
    demo = load_demo("heat_superconductor_rod")
    summary = demo.main(size="test", out=str(shared_tmp / "rod"))
    J_s = np.array(summary["J_superconducting_W"])
    J_n = np.array(summary["J_normal_W"])
    assert J_s.max() / J_s.min() - 1 < 1e-4  # independent of L
    assert J_s == pytest.approx(summary["contact_limit_W"], rel=2e-3)  # reservoirs conduct well
    assert np.all(np.diff(J_n) < 0)  # the normal rod's current falls with L
    assert summary["normal_slope_per_W_m"] == pytest.approx(summary["normal_slope_expected"], 0.1)
    # eq. 8: the twist falls along the rod at −J/(κ ω0 A) (faceted cylinder: a few %)
    assert summary["twist_gradient_per_m"] == pytest.approx(
        summary["twist_gradient_expected_per_m"], rel=0.05
    )
    if comm.rank == 0:
        png = Path(summary["files"][0])
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert Path(summary["files"][1]).read_text().startswith("length_m,J_superconducting_W")
        assert Path(summary["files"][2]).is_file()  # fields.xdmf
