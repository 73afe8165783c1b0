"""The Guyer–Krumhansl obstacle demo (demos/gk_obstacle_3d.py) at its test size: the physics
it reports and the pictures it draws."""

import math
from pathlib import Path

import pytest
from dolfinx import fem
from mpi4py import MPI

from lkfem.meshes import box_with_sphere

from .verification import load_demo

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.demo
@pytest.mark.slow
def test_gk_obstacle_demo(comm, shared_tmp):
    """The void lowers k_eff below the matrix k, the no-slip GK flux lowers it further; the
    heat in at the hot end leaves at the cold end (1e-8); the PNGs are written on rank 0."""
    demo = load_demo("gk_obstacle_3d")
    out = shared_tmp / "gk_obstacle_3d"
    result = demo.main(size="test", out=str(out))

    k_fourier, k_gk = result["k_eff"][0.0], result["k_eff"][demo.ELL]
    assert k_gk < k_fourier < result["k"], result["k_eff"]
    assert result["reduction"] == pytest.approx(1 - k_gk / k_fourier)
    # Fourier through a channel with a spherical void: near Maxwell's dilute estimate.
    assert k_fourier == pytest.approx(result["k_eff_maxwell"], rel=0.02)
    for ell, flows in result["heat_flow_W"].items():
        assert flows["right"] > 0, (ell, flows)
        assert abs(flows["left"] + flows["right"]) <= 1e-8 * flows["right"], (ell, flows)

    if comm.rank == 0:
        for name in ("streamlines", "midplane"):
            path = Path(result["files"][name])
            assert path.parent == out and path.suffix == ".png"
            assert path.read_bytes()[:8] == PNG_SIGNATURE, path
            assert path.stat().st_size > 10_000, path  # a picture, not an empty frame
        assert Path(result["files"]["summary"]).is_file()


def test_box_with_sphere_void(comm):
    """The demo's geometry: void=True leaves one region and makes the sphere an exterior
    boundary of the right area; the volume is the box minus the (meshed) ball."""
    r = 0.3
    domain = box_with_sphere.build(
        comm, lx=2.0, radius=r, center=[0.9, 0.5, 0.5], h=0.2, h_interface=0.05, void=True
    )
    assert sorted(domain.regions) == ["matrix"]
    assert sorted(domain.exterior_boundaries()) == sorted(
        ["left", "right", "front", "back", "bottom", "top", "sphere"]
    )

    def integral(measure):
        return comm.allreduce(fem.assemble_scalar(fem.form(1.0 * measure)), op=MPI.SUM)

    assert integral(domain.ds(domain.boundaries["sphere"])) == pytest.approx(
        4 * math.pi * r**2, rel=0.02
    )
    assert integral(domain.dx) == pytest.approx(2.0 - 4 / 3 * math.pi * r**3, rel=2e-3)
    assert integral(domain.ds(domain.boundaries["left"])) == pytest.approx(1.0, rel=1e-10)
