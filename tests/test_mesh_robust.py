"""Meshes that used to crash dolfinx (cells in two physical volumes, boundary facets off the
volume mesh) or that are not what lkfem solves on (a 2D mesh off the plane, truncated, inverted
or degenerate cells) end in a MeshError or a warning; [mesh] scale; the cell limit before
meshing."""

import time

import numpy as np
import pytest
from dolfinx import fem
from mpi4py import MPI

import lkfem as lk
from lkfem.mesh import generators
from lkfem.mesh.checks import DEFAULT_MAX_CELLS

from .broken_meshes import box_msh, write_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    comm = MPI.COMM_WORLD
    folder = tmp_path_factory.mktemp("broken") if comm.rank == 0 else None
    if comm.rank == 0:
        write_corpus(folder)
        box_msh(folder / "big.msh", size=100.0, h=0.5)
    folder = comm.bcast(folder, root=0)
    return folder


def _files(folder):
    return {
        "overlapping_volumes": (folder / "overlap.msh", "cells belong to two physical volumes"),
        "tilted_square": (folder / "tilted.msh", "a 2D mesh must lie in a plane z = const"),
        "truncated_30": (folder / "truncated_30.msh", ""),
        "truncated_60": (folder / "truncated_60.msh", ""),
        "truncated_95": (folder / "truncated_95.msh", ""),
        "inverted": (folder / "inverted.msh", "inverted cell"),
        "degenerate": (folder / "degenerate.msh", "degenerate cell"),
        "collapsed": (folder / "collapsed.msh", "degenerate cell"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "overlapping_volumes",
        "tilted_square",
        "truncated_30",
        "truncated_60",
        "truncated_95",
        "inverted",
        "degenerate",
        "collapsed",
    ],
)
def test_broken_meshes_are_one_line_errors(corpus, comm, name):
    path, expected = _files(corpus)[name]
    with pytest.raises(lk.MeshError) as info:
        lk.read_mesh(path, comm)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert "\n" not in message


def test_overlap_names_both_groups(corpus, comm):
    with pytest.raises(lk.MeshError, match="'solid' and 'copy'"):
        lk.read_mesh(corpus / "overlap.msh", comm)


def _area(domain, name):
    import ufl

    ds = ufl.Measure("ds", domain=domain.mesh, subdomain_data=domain.facet_tags)
    one = fem.Constant(domain.mesh, 1.0)
    value = fem.assemble_scalar(fem.form(one * ds(domain.boundaries[name])))
    return domain.mesh.comm.allreduce(value, op=MPI.SUM)


def test_surface_off_the_volume_is_left_out_with_a_warning(corpus, comm, capsys):
    """gmsh tutorial t2's case: a physical surface that bounds no volume cell."""
    domain = lk.read_mesh(corpus / "alone.msh", comm)
    out = capsys.readouterr().out
    assert sorted(domain.boundaries) == ["left"]
    assert _area(domain, "left") == pytest.approx(1.0, rel=1e-12)
    if comm.rank == 0:
        assert "physical surface 'floating'" in out and "is no boundary" in out, out


def test_group_with_a_surface_off_the_volume_keeps_its_faces(corpus, comm, capsys):
    domain = lk.read_mesh(corpus / "mixed.msh", comm)
    out = capsys.readouterr().out
    assert sorted(domain.boundaries) == ["floating", "left"]
    assert _area(domain, "floating") == pytest.approx(1.0, rel=1e-12)
    if comm.rank == 0:
        assert "left out" in out and "is no boundary" not in out, out


def _volume(domain):
    one = fem.Constant(domain.mesh, 1.0)
    value = fem.assemble_scalar(fem.form(one * lk_dx(domain)))
    return domain.mesh.comm.allreduce(value, op=MPI.SUM)


def lk_dx(domain):
    import ufl

    return ufl.Measure("dx", domain=domain.mesh)


def test_scale_and_the_millimetre_hint(corpus, comm, capsys):
    big = corpus / "big.msh"
    domain = lk.read_mesh(big, comm)
    out = capsys.readouterr().out
    assert _volume(domain) == pytest.approx(1e6, rel=1e-10)
    if comm.rank == 0:
        assert "100 m across" in out and "[mesh] scale = 0.001" in out, out
    domain = lk.read_mesh(big, comm, scale=0.001)
    out = capsys.readouterr().out
    assert _volume(domain) == pytest.approx(1e-3, rel=1e-10)
    assert "scale" not in out


def test_a_tiny_mesh_size_is_refused_before_meshing(comm):
    start = time.perf_counter()
    with pytest.raises(lk.MeshError) as info:
        generators.build("box_with_sphere", {"h": 1e-5, "h_interface": 1e-5}, comm)
    elapsed = time.perf_counter() - start
    message = str(info.value)
    assert "about 8.49e+15 cells" in message, message
    assert f"limit of {DEFAULT_MAX_CELLS} cells" in message
    assert "[mesh] max_cells = N or lkfem run --max-cells N" in message
    assert elapsed < 5.0, elapsed


def test_the_cell_limit_can_be_lowered_and_counts_file_cells(corpus, comm):
    with pytest.raises(lk.MeshError, match=r"limit of 10 cells"):
        lk.read_mesh(corpus / "good.msh", comm, max_cells=10)
    with pytest.raises(lk.MeshError, match=r"about .* limit of 100 cells"):
        generators.build("box_with_sphere", {"h": 0.2}, comm, max_cells=100)
    domain = lk.read_mesh(corpus / "good.msh", comm, max_cells=10**6)
    cells = domain.mesh.topology.index_map(3).size_local
    assert comm.allreduce(cells) > 10
    assert np.isclose(_volume(domain), 1.0)
