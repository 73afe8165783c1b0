"""The thermal-domains demo at its test size: vortices form and annihilate in 2D, vortex lines
appear in 3D, and the pictures are written."""

from pathlib import Path

import pytest

from .verification import load_demo


@pytest.mark.demo
def test_domains_demo(comm, shared_tmp):
    demo = load_demo("domains_coarsening")
    summary = demo.main(size="test", out=str(shared_tmp / "domains"))
    n = summary["vortices"]
    assert n[1] > 0 and n[-1] < n[1]  # coarsening: pairs annihilate
    assert all(v % 1 == 0 and v >= 0 for v in n)
    assert max(summary["line_length_m"]) > 0
    if comm.rank == 0:
        gif, *pngs = (Path(f) for f in summary["files"])
        assert gif.read_bytes()[:6] in (b"GIF89a", b"GIF87a")
        for png in pngs:
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
