"""The cloak demo (demos/cloak_vs_bare.py) at its test size: the cloak hides the object that
the bare run shows, and the side-by-side picture is written."""

from pathlib import Path

import pytest

from .verification import load_demo

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.demo
def test_cloak_vs_bare_demo(comm, shared_tmp):
    demo = load_demo("cloak_vs_bare")
    result = demo.main(size="test", out=str(shared_tmp / "cloak_vs_bare"))
    assert result["g"] < 0.02, result["g"]
    assert result["bare_max_abs_dT_outside_K"] > 5 * result["max_abs_dT_outside_K"], result
    assert result["cells"] > 10_000
    assert result["peak_memory_gb"]["largest_rank"] > 0
    if comm.rank == 0:
        path = Path(result["files"]["isotherms"])
        assert path.read_bytes()[:8] == PNG_SIGNATURE
        assert path.stat().st_size > 10_000  # a picture, not an empty frame
        assert Path(result["files"]["summary"]).is_file()
