"""Geometry generators: named regions and boundaries, volumes, parameter checks."""

import math

import pytest
from dolfinx import fem
from mpi4py import MPI

import lkfem as lk
from lkfem.mesh import generators
from lkfem.meshes import box_with_sphere


def _volume(domain, region):
    form = fem.form(1.0 * domain.dx(domain.regions[region]))
    return domain.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)


def test_box_with_sphere_names_and_volumes(comm):
    r = 0.3
    domain = box_with_sphere.build(comm, lx=1.2, ly=1.0, lz=1.0, radius=r, h=0.15, h_interface=0.05)
    assert sorted(domain.regions) == ["inclusion", "matrix"]
    assert sorted(domain.boundaries) == sorted(
        ["left", "right", "front", "back", "bottom", "top", "sphere"]
    )
    assert sorted(domain.exterior_boundaries()) == sorted(
        ["left", "right", "front", "back", "bottom", "top"]
    )
    sphere = 4 / 3 * math.pi * r**3
    assert _volume(domain, "inclusion") == pytest.approx(sphere, rel=0.03)
    assert _volume(domain, "matrix") + _volume(domain, "inclusion") == pytest.approx(1.2, rel=1e-10)


def test_generator_parameter_checks():
    assert generators.check("box_with_sphere", {"radius": 0.2}) is None
    key, problem = generators.check("box_with_sphere", {"radius": "big"})
    assert key == "parameters.radius" and "number" in problem
    key, problem = generators.check("box_with_sphere", {"radias": 0.2})
    assert key == "parameters.radias" and "unknown parameter" in problem
    key, problem = generators.check("no_such_shape", {})
    assert key == "generator" and "box_with_sphere" in problem


def test_bad_geometry_is_a_mesh_error(comm):
    with pytest.raises(lk.MeshError, match="inside the box"):
        box_with_sphere.build(comm, radius=0.6)


def test_msh_round_trip(comm, shared_tmp):
    """A .msh written by a generator's __main__ reads back with the same names."""
    from lkfem.meshes import _gmsh, layered_slab

    path = shared_tmp / "slab.msh"
    if comm.rank == 0:
        _gmsh.main(layered_slab.populate, [str(path), "thickness=[0.3, 0.7]", "h=0.2"])
    comm.barrier()
    domain = lk.read_msh(path, comm)
    assert sorted(domain.regions) == ["layer0", "layer1"]
    assert "interface0" in domain.boundaries
    assert _volume(domain, "layer1") == pytest.approx(0.7 * 0.25 * 0.25, rel=1e-10)
