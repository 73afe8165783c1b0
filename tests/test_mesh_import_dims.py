"""1D and 2D meshes in the formats meshio reads (.vtu, .vtk, .xdmf, .med, .mesh), made on the fly
from gmsh meshes (a gmsh t1-like plate with a hole and named curves, the layered disc, a quad
rectangle, the interval): their regions, boundaries and names against the .msh they came from,
and the refusals (mixed cell types, second-order triangles, a surface off the plane)."""

import math
from pathlib import Path

import numpy as np
import pytest
from dolfinx import fem
from mpi4py import MPI

import lkfem as lk

from .broken_meshes import assert_mesh_error

T1_AREA = 0.1 * 0.3 - math.pi * 0.02**2  # the plate minus the hole (m²)


def _t1_like(model):
    """gmsh tutorial t1's plate (0.1 × 0.3 m), here with a round hole; a named surface, named
    curves (the bottom and the hole) and one unnamed curve group (the top, tag 7)."""
    occ = model.occ
    plate = occ.addRectangle(0, 0, 0, 0.1, 0.3)
    hole = occ.addDisk(0.05, 0.15, 0, 0.02, 0.02)
    occ.cut([(2, plate)], [(2, hole)])
    occ.synchronize()
    curves = {"bottom": [], "top": [], "hole": []}
    for _, c in model.getEntities(1):
        x0, y0, _, x1, y1, _ = model.getBoundingBox(1, c)
        if y1 < 1e-6:  # OCC's boxes are a little larger than the curves
            curves["bottom"].append(c)
        elif y0 > 0.3 - 1e-6:
            curves["top"].append(c)
        elif x0 > 0.01 and x1 < 0.09:
            curves["hole"].append(c)
    surfaces = [s for _, s in model.getEntities(2)]
    model.addPhysicalGroup(2, surfaces, 1, name="My surface")
    model.addPhysicalGroup(1, curves["bottom"], 5, name="bottom")
    model.addPhysicalGroup(1, curves["hole"], 6, name="hole")
    model.addPhysicalGroup(1, curves["top"], 7)  # no name: boundary_7
    model.mesh.setSize(model.getEntities(0), 0.01)
    model.mesh.generate(2)


def _generated(name, **params):
    from lkfem.meshes import disc, interval, rectangle

    module = {"disc": disc, "interval": interval, "rectangle": rectangle}[name]
    return lambda model: module.populate(model, **params)


def _msh(path, populate):
    import gmsh

    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("m")
        populate(gmsh.model)
        gmsh.write(str(path))
    finally:
        gmsh.finalize()


def _blocks(mesh, kinds, key="gmsh:physical"):
    """One block per cell type (MED and medit want that) and its tags."""
    cells, tags = [], []
    for kind in kinds:
        mine = [i for i, block in enumerate(mesh.cells) if block.type == kind]
        if mine:
            cells.append((kind, np.concatenate([mesh.cells[i].data for i in mine])))
            tags.append(np.concatenate([mesh.cell_data[key][i] for i in mine]).astype(np.int32))
    return cells, tags


KINDS = {"t1": ("triangle", "line"), "disc": ("triangle", "line"), "quads": ("quad", "line")}
KINDS["interval"] = ("line", "vertex")


def _write_all(folder):
    import meshio

    sources = {
        "t1": _t1_like,
        "disc": _generated("disc", radii=[0.5, 1.0], inner=0.2, h=0.1),
        "quads": _generated("rectangle", Lx=2.0, Ly=1.0, h=0.25, quads=True),
        "interval": _generated("interval", length=2.0, h=0.1),
    }
    for name, populate in sources.items():
        _msh(folder / f"{name}.msh", populate)
        source = meshio.read(folder / f"{name}.msh")
        dim = 1 if name == "interval" else 2
        points = source.points[:, :dim]  # as 2D tools write them: x, y only (1D: x)
        cells, tags = _blocks(source, KINDS[name])
        fields = {k: v for k, v in source.field_data.items()}
        data = {"gmsh:physical": tags}
        meshio.write(
            folder / f"{name}.vtu", meshio.Mesh(points, cells, cell_data=data, field_data=fields)
        )
        flat = source.points[:, :2]  # meshio's XDMF has no 1D geometry: x, y (y = 0)
        if name == "interval":  # and reads no vertex cells back: the lines alone
            cells, data = cells[:1], {"gmsh:physical": tags[:1]}
        meshio.write(folder / f"{name}.xdmf", meshio.Mesh(flat, cells, cell_data=data))
        if name != "interval":
            meshio.write(
                folder / f"{name}.vtk",
                meshio.Mesh(source.points, cells, cell_data={"region": tags}),
                binary=False,
            )
            meshio.write(
                folder / f"{name}.mesh", meshio.Mesh(points, cells, cell_data={"medit:ref": tags})
            )
            med = meshio.Mesh(source.points, cells, cell_data={"cell_tags": [-t for t in tags]})
            names = {int(v[0]): k for k, v in source.field_data.items()}
            med.cell_tags = {
                -t: [names.get(t, f"boundary_{t}")] for t in np.unique(np.hstack(tags))
            }
            med.point_tags = {}
            meshio.write(folder / f"{name}.med", med)
    # the FEniCS habit: a file of the triangles alone, x and y only, tags as "name_to_read"
    source = meshio.read(folder / "disc.msh")
    cells, tags = _blocks(source, ("triangle",))
    meshio.write(
        folder / "cells_only.xdmf",
        meshio.Mesh(source.points[:, :2], cells, cell_data={"name_to_read": tags}),
    )
    # bad meshes
    triangles = cells[0][1]
    quads = np.array([[0, 1, 2, 3]])
    meshio.write(
        folder / "mixed.vtu",
        meshio.Mesh(
            source.points,
            [("triangle", triangles), ("quad", quads)],
            cell_data={"ref": [np.ones(len(triangles), int), np.ones(1, int)]},
        ),
    )
    six = np.hstack([triangles, triangles[:, :3]])  # node numbers only: refused before use
    meshio.write(
        folder / "p2.vtu",
        meshio.Mesh(source.points, [("triangle6", six)], cell_data={"ref": [tags[0]]}),
    )
    plate = meshio.read(folder / "quads.msh")  # x from 0 to 2
    cells, tags = _blocks(plate, ("quad", "line"))
    tilted = plate.points.copy()
    tilted[:, 2] = 0.1 * tilted[:, 0]
    meshio.write(
        folder / "tilted.vtu", meshio.Mesh(tilted, cells, cell_data={"gmsh:physical": tags})
    )


@pytest.fixture(scope="module")
def meshes(tmp_path_factory):
    """The mesh files, written once on rank 0 into a folder every rank sees."""
    comm = MPI.COMM_WORLD
    folder = None
    if comm.rank == 0:
        folder = tmp_path_factory.mktemp("meshes_dims")
        _write_all(folder)
    folder = Path(comm.bcast(str(folder) if folder else None, root=0))
    comm.barrier()
    return folder


def _measure(domain, name, kind="dx"):
    if kind == "dx":
        form = 1.0 * domain.dx(domain.regions[name])
    else:
        form = 1.0 * getattr(domain, kind)(domain.boundaries[name])
    return domain.comm.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)


def _summary(domain):
    """Each region's measure and each boundary's (exterior) measure, by name."""
    exterior = domain.exterior_boundaries()
    return {
        "dim": domain.mesh.topology.dim,
        "regions": {n: _measure(domain, n) for n in domain.regions},
        "boundaries": {
            n: _measure(domain, n, "ds" if n in exterior else "dS") for n in domain.boundaries
        },
    }


def _same(found, expected):
    assert found["dim"] == expected["dim"]
    assert sorted(found["regions"]) == sorted(expected["regions"])
    assert sorted(found["boundaries"]) == sorted(expected["boundaries"])
    for kind in ("regions", "boundaries"):
        for name, value in expected[kind].items():
            assert found[kind][name] == pytest.approx(value, rel=1e-12), (kind, name)


GENERIC = {  # meshio's VTU, VTK, XDMF and medit keep the tags but not the names
    "t1": {
        "My surface": "region_1",
        "bottom": "boundary_5",
        "hole": "boundary_6",
        "boundary_7": "boundary_7",
    },
}


@pytest.mark.parametrize("name", ["t1", "disc", "quads", "interval"])
@pytest.mark.parametrize("fmt", ["vtu", "xdmf", "vtk", "mesh", "med"])
def test_meshio_formats_match_msh(meshes, comm, name, fmt):
    """Every format gives the regions and boundaries of the .msh, with their measures (names
    where the format keeps them, MED groups; tags elsewhere: meshio 5.3 writes no field_data
    into .vtu, .vtk or .xdmf files)."""
    if name == "interval" and fmt in ("vtk", "mesh", "med"):
        pytest.skip("written for the 2D meshes only")
    expected = _summary(lk.read_mesh(meshes / f"{name}.msh", comm))
    found = _summary(lk.read_mesh(meshes / f"{name}.{fmt}", comm))
    if name == "interval" and fmt == "xdmf":  # written without its end points
        assert found["boundaries"] == {}
        expected["boundaries"] = {}
    if fmt == "med":
        _same(found, expected)
        return
    # without names: region_<tag> and boundary_<tag>, the same measures in tag order
    assert found["dim"] == expected["dim"]
    assert all(n.startswith("region_") for n in found["regions"])
    assert all(n.startswith("boundary_") for n in found["boundaries"])
    for kind in ("regions", "boundaries"):
        assert sorted(found[kind].values()) == pytest.approx(
            sorted(expected[kind].values()), rel=1e-12
        )
    if name == "t1":
        renamed = {GENERIC["t1"][k]: v for k, v in expected["boundaries"].items()}
        assert found["boundaries"] == pytest.approx(renamed, rel=1e-12)


def test_t1_like_measures(meshes, comm):
    """The t1-like plate's area and the hole's circumference from the .med (against geometry)."""
    found = _summary(lk.read_mesh(meshes / "t1.med", comm))
    assert found["regions"]["My surface"] == pytest.approx(T1_AREA, rel=2e-3)
    assert found["boundaries"]["hole"] == pytest.approx(2 * math.pi * 0.02, rel=0.015)  # polygon
    assert found["boundaries"]["bottom"] == pytest.approx(0.1, rel=1e-12)
    assert found["boundaries"]["boundary_7"] == pytest.approx(0.1, rel=1e-12)


def test_fourier_on_an_imported_1d_and_2d_mesh(meshes, comm):
    """A solve on the imported meshes: the conduction through the interval (exact) and across
    the annulus' layers (the regions and interface of the .med are usable by name)."""
    bar = lk.read_mesh(meshes / "interval.vtu", comm)
    left, right = (n for n in sorted(bar.boundaries))  # boundary_101, boundary_102
    result = lk.solve_steady_fourier(
        bar,
        {next(iter(bar.regions)): lk.Material(k=3.0)},
        {left: lk.Temperature(value=1.0), right: lk.Temperature(value=0.0)},
    )
    assert result.heat_flow[right] == pytest.approx(3.0 / 2.0, rel=1e-10)  # k ΔT / L (W/m²)
    ring = lk.read_mesh(meshes / "disc.med", comm)
    assert set(ring.regions) == {"layer0", "layer1"}
    assert set(ring.boundaries) == {"inner", "outer", "interface0"}
    result = lk.solve_steady_fourier(
        ring,
        {"layer0": lk.Material(k=1.0), "layer1": lk.Material(k=1.0)},
        {"inner": lk.Temperature(value=1.0), "outer": lk.Temperature(value=0.0)},
    )
    exact = 2 * math.pi / math.log(1.0 / 0.2)  # W/m: the annulus' conductance per unit depth
    assert result.heat_flow["outer"] == pytest.approx(exact, rel=0.02)


def test_cells_only_file(meshes, comm):
    """A file of the triangles alone with 2D points (FEniCS's "name_to_read"): regions by tag,
    no boundaries."""
    domain = lk.read_mesh(meshes / "cells_only.xdmf", comm)
    assert domain.mesh.geometry.dim == 2
    assert sorted(domain.regions) == ["region_1", "region_2"]
    assert domain.boundaries == {}
    area = sum(_measure(domain, n) for n in domain.regions)
    assert area == pytest.approx(math.pi * (1 - 0.04), rel=0.02)


BAD = {
    "mixed.vtu": "mixed cell types (quad, triangle); dolfinx reads a mesh of one cell type",
    "p2.vtu": "triangle6 cells are not supported in a 2D mesh (triangle, quad cells are)",
    "tilted.vtu": "a 2D mesh must lie in a plane z = const; this one spans z from 0 to 0.2",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_2d_meshes_are_mesh_errors(meshes, comm, name):
    assert_mesh_error(meshes / name, comm, BAD[name])
