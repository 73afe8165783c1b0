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

from .broken_meshes import assert_mesh_error, box_msh, plane_msh, write_corpus


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
    assert_mesh_error(path, comm, expected)


SQUARE = [(0, 0), (1, 0), (0, 1), (1, 1)]  # nodes 1..4; then the extra nodes of each case
# name -> (kind, extra nodes, cells, what the error says); the good cells come first
PLANE = {
    "sliver_triangle": (
        "triangle",
        [(2, 0), (3, 0)],
        [(1, 2, 4), (1, 4, 3), (2, 5, 6)],
        "1 degenerate cell (zero area: flat or collapsed); the first is element 3 in region "
        "'plate'",
    ),
    "collapsed_triangle": (
        "triangle",
        [],
        [(1, 2, 4), (1, 4, 3), (2, 4, 4), (3, 3, 1)],
        "2 degenerate cells (zero area: flat or collapsed); the first is element 3",
    ),
    "collapsed_quad_edge": (
        "quad",
        [(2, 0), (2, 1)],
        [(1, 2, 4, 3), (2, 5, 5, 4)],
        "1 degenerate cell (zero area: flat or collapsed); the first is element 2",
    ),
    "quad_with_a_straight_corner": (  # nodes 2, 5, 6 in a line: the corner at 5 has area 0
        "quad",
        [(2, 0), (3, 0), (3, 1)],
        [(1, 2, 4, 3), (2, 5, 6, 7)],
        "1 degenerate cell (zero area: flat or collapsed); the first is element 2",
    ),
    "flat_quad": (
        "quad",
        [(2, 0), (3, 0), (4, 0)],
        [(1, 2, 4, 3), (2, 5, 6, 7)],
        "1 degenerate cell (zero area: flat or collapsed); the first is element 2",
    ),
}
LINES = {
    "zero_length_line": (
        [(0,), (0.5,), (0.5,), (1.0,)],
        [(1, 2), (2, 3), (3, 4)],
        "1 degenerate cell (zero length: collapsed); the first is element 2 in region 'plate'",
    ),
    "collapsed_line": (
        [(0,), (0.5,), (1.0,)],
        [(1, 2), (2, 2), (2, 3), (3, 3)],
        "2 degenerate cells (zero length: collapsed); the first is element 2",
    ),
}


@pytest.fixture(scope="module")
def plane_corpus(tmp_path_factory):
    """The degenerate 1D and 2D meshes of PLANE and LINES as .msh files, and two as .vtu."""
    comm = MPI.COMM_WORLD
    folder = tmp_path_factory.mktemp("plane") if comm.rank == 0 else None
    if comm.rank == 0:
        import meshio

        for name, (kind, extra, cells, _) in PLANE.items():
            plane_msh(folder / f"{name}.msh", SQUARE + extra, kind, cells)
        for name, (points, cells, _) in LINES.items():
            plane_msh(folder / f"{name}.msh", points, "line", cells)
        for name, kind, points in (
            ("sliver_triangle", "triangle", SQUARE + PLANE["sliver_triangle"][1]),
            ("zero_length_line", "line", LINES["zero_length_line"][0]),
        ):
            cells = np.array(PLANE[name][2] if kind == "triangle" else LINES[name][1]) - 1
            meshio.write(
                folder / f"{name}.vtu",
                meshio.Mesh(
                    np.array(points, dtype=float),
                    [(kind, cells)],
                    cell_data={"ref": [np.full(len(cells), 7)]},
                ),
            )
        plane_msh(folder / "good_square.msh", SQUARE, "quad", [(1, 2, 4, 3)])
    return comm.bcast(folder, root=0)


@pytest.mark.parametrize("name", sorted(PLANE) + sorted(LINES))
def test_degenerate_1d_and_2d_cells_are_one_line_errors(plane_corpus, comm, name):
    """As degenerate tetrahedra: zero-area triangles and quadrilaterals (flat, or with a collapsed
    edge or a straight corner) and zero-length lines, in a .msh file."""
    expected = (PLANE.get(name) or LINES[name])[-1]
    assert_mesh_error(plane_corpus / f"{name}.msh", comm, expected)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "sliver_triangle",
            "1 degenerate cell (zero area: flat or collapsed); the first is cell 2",
        ),
        ("zero_length_line", "1 degenerate cell (zero length: collapsed); the first is cell 1"),
    ],
)
def test_degenerate_1d_and_2d_cells_in_meshio_files(plane_corpus, comm, name, expected):
    message = assert_mesh_error(plane_corpus / f"{name}.vtu", comm, expected)
    assert "region_7" in message, message


def test_a_good_quad_passes_the_check(plane_corpus, comm):
    domain = lk.read_mesh(plane_corpus / "good_square.msh", comm)
    assert domain.mesh.topology.dim == 2 and sorted(domain.regions) == ["plate"]


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


def _two_boxes(model, orphan_dim):
    """Two unit boxes side by side (regions "a", "b", boundaries "a_end", "b_end"), meshed, with
    one node that no cell uses added to box b (``orphan_dim`` 3) or to its end face (2), as
    gmsh's 3D mesher sometimes leaves one (the rod generator at h = 0.035 with gmsh 4.13)."""
    occ = model.occ
    a, b = occ.addBox(0, 0, 0, 1, 1, 1), occ.addBox(1, 0, 0, 1, 1, 1)
    occ.fragment([(3, a)], [(3, b)])
    occ.synchronize()
    ends = {}
    for _, s in model.getEntities(2):
        x0, _, _, x1, _, _ = model.getBoundingBox(2, s)
        if abs(x1 - x0) < 1e-5 and abs(x0) < 1e-5:
            ends["a_end"] = s
        elif abs(x1 - x0) < 1e-5 and abs(x0 - 2) < 1e-5:
            ends["b_end"] = s
    model.addPhysicalGroup(3, [a], 1, "a")
    model.addPhysicalGroup(3, [b], 2, "b")
    model.addPhysicalGroup(2, [ends["a_end"]], 11, "a_end")
    model.addPhysicalGroup(2, [ends["b_end"]], 12, "b_end")
    import gmsh

    gmsh.option.setNumber("Mesh.MeshSizeMax", 0.5)
    model.mesh.generate(3)
    tag = int(model.mesh.getMaxNodeTag()) + 1
    if orphan_dim == 3:
        model.mesh.addNodes(3, b, [tag], [1.5, 0.5, 0.5])
    else:
        model.mesh.addNodes(2, ends["b_end"], [tag], [2.0, 0.5, 0.5])


@pytest.mark.parametrize("orphan_dim", [3, 2], ids=["in_volume", "on_face"])
def test_a_node_in_no_cell_keeps_its_volume(comm, orphan_dim):
    """A node that gmsh's mesher left without a cell: the volume keeps its cells and faces (the
    volume used to be removed, and dolfinx aborted with MPI_ERR_RANK on its faces)."""
    import ufl

    from lkfem.mesh.gmsh import from_gmsh

    domain = from_gmsh(lambda model: _two_boxes(model, orphan_dim), comm, label="two boxes")
    assert sorted(domain.regions) == ["a", "b"]
    assert sorted(domain.boundaries) == ["a_end", "b_end"]
    dx = ufl.Measure("dx", domain=domain.mesh, subdomain_data=domain.cell_tags)
    one = fem.Constant(domain.mesh, 1.0)
    for name in ("a", "b"):
        value = fem.assemble_scalar(fem.form(one * dx(domain.regions[name])))
        assert comm.allreduce(value, op=MPI.SUM) == pytest.approx(1.0, rel=1e-12)
    for name in ("a_end", "b_end"):
        assert _area(domain, name) == pytest.approx(1.0, rel=1e-12)
