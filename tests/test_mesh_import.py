"""Mesh files: gmsh .msh (2.2 and 4.1, ASCII and binary) and meshio formats, their region names,
volumes and a Fourier solve on them; and the errors for bad meshes and unknown names."""

import textwrap
from pathlib import Path

import numpy as np
import pytest
from dolfinx import fem
from mpi4py import MPI

import lkfem as lk
from lkfem.mesh.meshio_files import _region_data

from .broken_meshes import assert_mesh_error
from .verification import assert_rejected

THICKNESS, LY, LZ = (0.3, 0.7), 0.25, 0.25
K = (1.0, 4.0)  # W/(m K), per layer
# The slab's gmsh physical tags: layers 1, 2; boundaries left 101, right 102, …, interface0 107.
GENERIC = {
    "layer0": "region_1",
    "layer1": "region_2",
    "left": "boundary_101",
    "right": "boundary_102",
}


def _write_msh(path, version, binary):
    import gmsh

    from lkfem.meshes import layered_slab

    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("slab")
        layered_slab.populate(gmsh.model, thickness=list(THICKNESS), ly=LY, lz=LZ, h=0.1)
        gmsh.option.setNumber("Mesh.MshFileVersion", version)
        gmsh.option.setNumber("Mesh.Binary", int(binary))
        gmsh.write(str(path))
    finally:
        gmsh.finalize()


def _merged(mesh, volume="tetra", facet="triangle", key="gmsh:physical"):
    """One block per cell type (MED and medit want that) and its tags."""
    cells, tags = [], []
    for kind in (volume, facet):
        mine = [i for i, block in enumerate(mesh.cells) if block.type == kind]
        cells.append((kind, np.concatenate([mesh.cells[i].data for i in mine])))
        tags.append(np.concatenate([mesh.cell_data[key][i] for i in mine]).astype(np.int32))
    return cells, tags


def _write_all(folder):
    import meshio

    for version in (2.2, 4.1):
        for binary in (False, True):
            _write_msh(
                folder / f"slab_{version}_{'bin' if binary else 'ascii'}.msh", version, binary
            )
    _spread_node_numbers(folder / "slab_2.2_ascii.msh", folder / "gaps.msh")
    source = meshio.read(folder / "slab_4.1_ascii.msh")
    cells, tags = _merged(source)
    data = {"gmsh:physical": tags}
    meshio.write(folder / "slab.vtu", meshio.Mesh(source.points, cells, cell_data=data))
    meshio.write(folder / "slab.xdmf", meshio.Mesh(source.points, cells, cell_data=data))
    meshio.write(
        folder / "slab.mesh", meshio.Mesh(source.points, cells, cell_data={"medit:ref": tags})
    )
    med = meshio.Mesh(source.points, cells, cell_data={"cell_tags": [-t for t in tags]})
    med.cell_tags = {-1: ["layer0"], -2: ["layer1"], -101: ["left"], -102: ["right"]}
    med.point_tags = {}
    meshio.write(folder / "slab.med", med)
    ntet, ntri = (len(c) for _, c in cells)
    none = np.empty(0, dtype=np.int64)
    sets = {  # Abaqus element sets; the all-cells set loses to the layers
        "everything": [np.arange(ntet), none],
        "layer0": [np.flatnonzero(tags[0] == 1), none],
        "layer1": [np.flatnonzero(tags[0] == 2), none],
        "left": [none, np.flatnonzero(tags[1] == 101)],
        "right": [none, np.flatnonzero(tags[1] == 102)],
    }
    meshio.write(folder / "slab.inp", meshio.Mesh(source.points, cells, cell_sets=sets))

    # second order (tetra10 in VTK order) and hexahedra
    import gmsh

    from lkfem.meshes import layered_slab

    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    layered_slab.populate(gmsh.model, thickness=list(THICKNESS), ly=LY, lz=LZ, h=0.15)
    gmsh.model.mesh.setOrder(2)
    gmsh.write(str(folder / "slab_p2.msh"))
    gmsh.finalize()
    p2 = meshio.read(folder / "slab_p2.msh")
    cells2, tags2 = _merged(p2, "tetra10", "triangle6")
    meshio.write(
        folder / "slab_p2.vtu", meshio.Mesh(p2.points, cells2, cell_data={"gmsh:physical": tags2})
    )
    meshio.write(folder / "hex.vtu", _hex_column())

    # bad meshes
    tets = cells[0][1].copy()
    tets[5, [0, 1]] = tets[5, [1, 0]]
    meshio.write(
        folder / "inverted.vtu",
        meshio.Mesh(source.points, [("tetra", tets)], cell_data={"ref": tags[:1]}),
    )
    meshio.write(
        folder / "inverted.msh",
        meshio.Mesh(
            source.points,
            [("tetra", tets)],
            cell_data={"gmsh:physical": tags[:1], "gmsh:geometrical": tags[:1]},
            field_data=source.field_data,
        ),
        file_format="gmsh22",
        binary=False,
    )
    tets = cells[0][1].copy()
    points = np.vstack([source.points, source.points[tets[7, :3]].mean(axis=0)])
    tets[7, 3] = len(points) - 1  # the fourth node in the plane of the other three
    meshio.write(
        folder / "flat.vtu", meshio.Mesh(points, [("tetra", tets)], cell_data={"ref": tags[:1]})
    )
    meshio.write(folder / "untagged.vtu", meshio.Mesh(source.points, cells))
    meshio.write(
        folder / "surface.vtu", meshio.Mesh(source.points, cells[1:], cell_data={"ref": tags[1:]})
    )
    wedge = meshio.Mesh(
        source.points, [("wedge", np.arange(6)[None, :])], cell_data={"ref": [np.ones(1, int)]}
    )
    meshio.write(folder / "wedge.vtu", wedge)
    (folder / "garbage.vtu").write_text("not a mesh")
    (folder / "garbage.msh").write_text("not a mesh")
    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    gmsh.model.occ.addBox(0, 0, 0, 1, 1, 1)
    gmsh.model.occ.synchronize()
    gmsh.model.mesh.generate(3)
    gmsh.write(str(folder / "nameless.msh"))
    gmsh.finalize()


def _spread_node_numbers(source, target, factor=3):
    """A copy of a format 2.2 ASCII file whose node numbers are 3, 6, 9, … (not 1..N)."""
    head, rest = source.read_text().split("$Nodes\n", 1)
    nodes, rest = rest.split("$EndNodes\n", 1)
    middle, rest = rest.split("$Elements\n", 1)
    elements, tail = rest.split("$EndElements\n", 1)
    lines = nodes.splitlines()
    nodes = [lines[0]] + [
        f"{int(n) * factor} {xyz}" for n, xyz in (x.split(" ", 1) for x in lines[1:])
    ]
    lines = elements.splitlines()
    elements = [lines[0]]
    for line in lines[1:]:
        words = line.split()
        first = 3 + int(words[2])  # number, type, number of tags, the tags, then the nodes
        elements.append(" ".join(words[:first] + [str(int(n) * factor) for n in words[first:]]))
    target.write_text(
        f"{head}$Nodes\n"
        + "\n".join(nodes)
        + f"\n$EndNodes\n{middle}$Elements\n"
        + "\n".join(elements)
        + f"\n$EndElements\n{tail}"
    )


def _hex_column():
    """Two unit hexahedra stacked along z (regions 1, 2) and the bottom quad (boundary 5)."""
    import meshio

    points = np.array([[i, j, k] for k in range(3) for j in range(2) for i in range(2)], float)

    def node(i, j, k):
        return i + 2 * j + 4 * k

    hexes = [
        [node(0, 0, k), node(1, 0, k), node(1, 1, k), node(0, 1, k)]
        + [node(0, 0, k + 1), node(1, 0, k + 1), node(1, 1, k + 1), node(0, 1, k + 1)]
        for k in range(2)
    ]
    quads = [[node(0, 0, 0), node(0, 1, 0), node(1, 1, 0), node(1, 0, 0)]]
    return meshio.Mesh(
        points,
        [("hexahedron", np.array(hexes)), ("quad", np.array(quads))],
        cell_data={"region": [np.array([1, 2]), np.array([5])]},
    )


@pytest.fixture(scope="module")
def meshes(tmp_path_factory):
    """The mesh files, written once on rank 0 into a folder every rank sees."""
    comm = MPI.COMM_WORLD
    folder = None
    if comm.rank == 0:
        folder = tmp_path_factory.mktemp("meshes")
        _write_all(folder)
    folder = Path(comm.bcast(str(folder) if folder else None, root=0))
    comm.barrier()
    return folder


def _volume(domain, region):
    form = fem.form(1.0 * domain.dx(domain.regions[region]))
    return domain.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)


def _heat_flow(domain, names):
    result = lk.solve_steady_fourier(
        domain,
        {names["layer0"]: lk.Material(k=K[0]), names["layer1"]: lk.Material(k=K[1])},
        {names["left"]: lk.Temperature(value=1.0), names["right"]: lk.Temperature(value=0.0)},
    )
    return result.heat_flow[names["right"]]


EXACT_FLOW = 1.0 / (THICKNESS[0] / K[0] + THICKNESS[1] / K[1]) * LY * LZ  # W


@pytest.mark.parametrize("version", ["2.2", "4.1"])
@pytest.mark.parametrize("encoding", ["ascii", "bin"])
def test_msh_formats(meshes, comm, version, encoding):
    domain = lk.read_mesh(meshes / f"slab_{version}_{encoding}.msh", comm)
    assert sorted(domain.regions) == ["layer0", "layer1"]
    assert sorted(domain.boundaries) == sorted(
        ["left", "right", "front", "back", "bottom", "top", "interface0"]
    )
    assert _volume(domain, "layer1") == pytest.approx(THICKNESS[1] * LY * LZ, rel=1e-12)
    assert _heat_flow(domain, {n: n for n in GENERIC}) == pytest.approx(EXACT_FLOW, rel=1e-8)


NAMED = {n: n for n in GENERIC}


def test_msh_node_numbers_with_gaps(meshes, comm):
    domain = lk.read_mesh(meshes / "gaps.msh", comm)
    reference = lk.read_mesh(meshes / "slab_2.2_ascii.msh", comm)
    assert domain.num_vertices() == reference.num_vertices()
    assert _heat_flow(domain, NAMED) == pytest.approx(EXACT_FLOW, rel=1e-8)


@pytest.mark.parametrize(
    "name, names",
    [
        ("slab.vtu", GENERIC),  # meshio's VTU and XDMF writers drop field_data: generic names
        ("slab.xdmf", GENERIC),
        ("slab.mesh", GENERIC),
        ("slab.med", NAMED),  # MED group names
        ("slab.inp", NAMED),  # Abaqus element sets
    ],
)
def test_meshio_formats_match_msh(meshes, comm, name, names):
    domain = lk.read_mesh(meshes / name, comm)
    reference = lk.read_mesh(meshes / "slab_4.1_ascii.msh", comm)
    assert sorted(domain.regions) == sorted([names["layer0"], names["layer1"]])
    assert {names["left"], names["right"]} <= set(domain.exterior_boundaries())
    assert domain.num_cells() == reference.num_cells()
    for layer in ("layer0", "layer1"):
        assert _volume(domain, names[layer]) == pytest.approx(_volume(reference, layer), rel=1e-12)
    flow = _heat_flow(domain, names)
    assert flow == pytest.approx(_heat_flow(reference, NAMED), rel=1e-10)
    assert flow == pytest.approx(EXACT_FLOW, rel=1e-8)


def test_second_order_tetrahedra_and_hexahedra(meshes, comm):
    p2 = lk.read_mesh(meshes / "slab_p2.vtu", comm)
    assert p2.mesh.geometry.index_map().size_global > p2.num_vertices()  # edge midpoints too
    assert _volume(p2, "region_2") == pytest.approx(THICKNESS[1] * LY * LZ, rel=1e-12)
    hexes = lk.read_mesh(meshes / "hex.vtu", comm)
    assert sorted(hexes.regions) == ["region_1", "region_2"]
    assert hexes.exterior_boundaries() == ["boundary_5"]
    assert _volume(hexes, "region_2") == pytest.approx(1.0, rel=1e-12)


def test_names_from_field_data():
    """field_data {name: [tag, dim]} names regions and boundaries; other tags get generic names."""
    import meshio

    mesh = meshio.Mesh(
        np.zeros((4, 3)),
        [("tetra", np.array([[0, 1, 2, 3]])), ("triangle", np.array([[0, 1, 2]]))],
        cell_data={"temperature": [np.array([1.5]), np.array([2.5])], "mat": [[7], [3]]},
        field_data={"core": np.array([7, 3]), "inlet": np.array([3, 2]), "ghost": np.array([3, 3])},
    )
    tags, names = _region_data("m.vtu", mesh)
    assert [list(t) for t in tags] == [[7], [3]]
    assert names == {3: {7: "core", 3: "ghost"}, 2: {3: "inlet"}}


BAD = {
    "inverted.vtu": "1 inverted cell (negative volume in the file's node order); the first is "
    "cell 5 in region 'region_",
    "inverted.msh": "1 inverted cell (negative volume in the file's node order); the first is "
    "element 6 in region 'layer",
    "flat.vtu": "1 degenerate cell (zero volume: flat or collapsed); the first is cell 7",
    "untagged.vtu": "no region data",
    "surface.vtu": "a 2D mesh must lie in a plane z = const; this one spans z from",
    "wedge.vtu": "wedge cells are not supported",
    "garbage.vtu": "cannot read the mesh",
    "garbage.msh": "cannot read the mesh",
    "nameless.msh": "the mesh has no named regions",
    "missing.vtu": "no such mesh file",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_meshes_are_mesh_errors(meshes, comm, name):
    assert_mesh_error(meshes / name, comm, BAD[name])


CASE = """
[mesh]
file = "{mesh}"
[materials.region_1]
k = 1.0
[materials.region_2]
k = 4.0
[boundaries.boundary_101]
type = "temperature"
value = 1.0
[output]
png = false
"""

REJECTED = {
    "unknown_region": (
        ("slab.vtu", "[materials.region_1]", "[materials.layer7]"),
        "[materials.layer7]: no region named 'layer7' in the mesh (regions: region_1, region_2)",
    ),
    "unknown_boundary": (
        ("slab.vtu", "[boundaries.boundary_101]", "[boundaries.left]"),
        "[boundaries.left]: no boundary named 'left' in the mesh (boundaries: boundary_101, ",
    ),
    "inverted_cell": (
        ("inverted.vtu", "", ""),
        "[mesh.file]: {meshes}/inverted.vtu: 1 inverted cell (negative volume",
    ),
    "unknown_format": (("slab.foo", "", ""), "[mesh.file]: unsupported mesh format '.foo'"),
}


@pytest.mark.parametrize("kind", sorted(REJECTED))
def test_case_file_errors(meshes, shared_tmp, comm, capsys, kind):
    (mesh, old, new), expected = REJECTED[kind]
    folder = shared_tmp / kind
    case = folder / "case.toml"
    if comm.rank == 0:
        folder.mkdir()
        if mesh == "slab.foo":
            (meshes / mesh).write_text("")
        case.write_text(textwrap.dedent(CASE.format(mesh=meshes / mesh)).replace(old, new))
    comm.barrier()
    assert_rejected(case, folder / "out", comm, capsys, expected.format(meshes=meshes))


def test_case_file_reads_meshio_formats(meshes, shared_tmp, comm):
    case = shared_tmp / "case.toml"
    if comm.rank == 0:
        case.write_text(CASE.format(mesh=meshes / "slab.xdmf"))
    comm.barrier()
    domain = lk.load_domain(lk.load_case(case), comm)
    assert sorted(domain.regions) == ["region_1", "region_2"]
