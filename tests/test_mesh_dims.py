"""1D, 2D and 3D meshes alike: the interval, rectangle and disc generators, 2D .msh files
written with gmsh's API (triangles, quadrilaterals; mixed cells and tilted planes refused)."""

import math

import numpy as np
import pytest
from dolfinx import fem
from mpi4py import MPI

import lkfem as lk
from lkfem.mesh import generators


def _measure(domain, name=None, kind="dx"):
    measure = getattr(domain, kind)
    if name is not None:
        tag = domain.regions[name] if kind == "dx" else domain.boundaries[name]
        measure = measure(tag)
    one = fem.Constant(domain.mesh, 1.0)
    value = fem.assemble_scalar(fem.form(one * measure))
    return domain.comm.allreduce(value, op=MPI.SUM)


def _cells(domain):
    return domain.mesh.topology.index_map(domain.mesh.topology.dim).size_global


def test_interval(comm):
    domain = generators.build("interval", {"length": 2.0, "h": 0.1}, comm)
    assert domain.mesh.geometry.dim == 1 and domain.mesh.topology.cell_name() == "interval"
    assert _cells(domain) == 20
    assert set(domain.regions) == {"bar"} and set(domain.boundaries) == {"left", "right"}
    assert _measure(domain, "bar") == pytest.approx(2.0)
    assert _measure(domain, "left", "ds") == pytest.approx(1.0)  # one point
    x = domain.mesh.geometry.x
    for name, where in (("left", 0.0), ("right", 2.0)):
        facets = domain.boundary_facets(name)
        found = comm.allreduce(len(facets))
        assert found == 1
        if len(facets):
            from dolfinx.mesh import entities_to_geometry

            point = x[entities_to_geometry(domain.mesh, 0, facets, False)].reshape(-1, 3)
            assert point[0, 0] == pytest.approx(where)


@pytest.mark.parametrize("quads", [False, True])
def test_rectangle(comm, quads):
    domain = generators.build("rectangle", {"Lx": 2.0, "Ly": 0.5, "h": 0.125, "quads": quads})
    mesh = domain.mesh
    assert mesh.geometry.dim == 2
    assert mesh.topology.cell_name() == ("quadrilateral" if quads else "triangle")
    if quads:
        assert _cells(domain) == 16 * 4
    assert set(domain.regions) == {"plate"}
    assert _measure(domain, "plate") == pytest.approx(1.0)
    for name, length in (("left", 0.5), ("right", 0.5), ("bottom", 2.0), ("top", 2.0)):
        assert _measure(domain, name, "ds") == pytest.approx(length)


def test_disc_and_annulus(comm):
    disc = generators.build("disc", {"radii": [1.0], "h": 0.1}, comm)
    assert disc.mesh.geometry.dim == 2
    assert set(disc.regions) == {"disc"} and set(disc.boundaries) == {"outer"}
    assert _measure(disc, "disc") == pytest.approx(math.pi, rel=0.01)
    assert _measure(disc, "outer", "ds") == pytest.approx(2 * math.pi, rel=0.01)
    params = {"radii": [0.5, 0.8, 1.0], "inner": 0.2, "h": 0.08}
    ring = generators.build("disc", params, comm)
    assert set(ring.regions) == {"layer0", "layer1", "layer2"}
    assert set(ring.boundaries) == {"outer", "inner", "interface0", "interface1"}
    for name, (r0, r1) in {"layer0": (0.2, 0.5), "layer1": (0.5, 0.8)}.items():
        assert _measure(ring, name) == pytest.approx(math.pi * (r1**2 - r0**2), rel=0.02)
    assert _measure(ring, "inner", "ds") == pytest.approx(2 * math.pi * 0.2, rel=0.01)
    assert _measure(ring, "interface1", "dS") == pytest.approx(2 * math.pi * 0.8, rel=0.01)
    named = generators.build("disc", {"radii": [0.5, 1.0], "names": ["core", "shell"]}, comm)
    assert set(named.regions) == {"core", "shell"}


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("disc", {"radii": [1.0, 0.5]}, "radii must be positive and increase"),
        ("disc", {"radii": [1.0], "inner": 1.5}, "inner = 1.5 must be smaller"),
        ("disc", {"radii": [0.5, 1.0], "names": ["a"]}, "one name per layer"),
        ("rectangle", {"Lx": -1.0}, "Lx, Ly and h must be positive"),
        ("interval", {"length": 0.0}, "length and h must be positive"),
    ],
)
def test_bad_parameters(comm, name, params, message):
    with pytest.raises(lk.MeshError, match=message):
        generators.build(name, params, comm)


def test_parameter_types():
    assert generators.check("disc", {"names": ["a", 1]}) == (
        "parameters.names",
        "must be a list of names, got ['a', 1]",
    )
    assert generators.check("disc", {"names": ["a", "b"], "radii": [0.5, 1.0]}) is None
    assert generators.check("rectangle", {"quads": 1})[0] == "parameters.quads"


def _write_t1(path, *, recombine=None):
    """gmsh tutorial t1's rectangle (0.1 × 0.3, physical curves and surface), written with the
    Python API; ``recombine``: "all" (quadrilaterals) or "half" (a mixed tri/quad mesh)."""
    import gmsh

    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("t1")
        geo, lc = gmsh.model.geo, 1e-2
        points = [geo.addPoint(*p, 0, lc) for p in ((0, 0), (0.1, 0), (0.1, 0.3), (0, 0.3))]
        lines = [geo.addLine(points[i], points[(i + 1) % 4]) for i in range(4)]
        if recombine == "half":
            mid = [geo.addPoint(0.1, 0.15, 0, lc), geo.addPoint(0, 0.15, 0, lc)]
            a = [geo.addLine(points[0], points[1]), geo.addLine(points[1], mid[0])]
            a += [geo.addLine(mid[0], mid[1]), geo.addLine(mid[1], points[0])]
            b = [geo.addLine(mid[0], points[2]), geo.addLine(points[2], points[3])]
            b += [geo.addLine(points[3], mid[1])]
            s1 = geo.addPlaneSurface([geo.addCurveLoop(a)])
            s2 = geo.addPlaneSurface([geo.addCurveLoop([b[0], b[1], b[2], -a[2]])])
            geo.synchronize()
            gmsh.model.mesh.setRecombine(2, s2)
            surfaces = [s1, s2]
            boundary = {"bottom": [a[0]], "top": [b[1]]}
        else:
            surfaces = [geo.addPlaneSurface([geo.addCurveLoop(lines)])]
            geo.synchronize()
            boundary = {"bottom": [lines[0]], "top": [lines[2]]}
            if recombine == "all":
                gmsh.option.setNumber("Mesh.RecombineAll", 1)
        gmsh.model.addPhysicalGroup(2, surfaces, 1, "My surface")
        for tag, (name, curves) in enumerate(boundary.items(), start=101):
            gmsh.model.addPhysicalGroup(1, curves, tag, name)
        gmsh.model.mesh.generate(2)
        gmsh.write(str(path))
    finally:
        gmsh.finalize()


@pytest.mark.parametrize("recombine", [None, "all"])
def test_gmsh_t1_rectangle(shared_tmp, comm, recombine):
    path = shared_tmp / "t1.msh"
    if comm.rank == 0:
        _write_t1(path, recombine=recombine)
    comm.barrier()
    domain = lk.read_mesh(path, comm)
    assert domain.mesh.geometry.dim == 2
    cell = "quadrilateral" if recombine else "triangle"
    assert domain.mesh.topology.cell_name() == cell
    assert set(domain.regions) == {"My surface"}
    assert _measure(domain, "My surface") == pytest.approx(0.03)
    assert _measure(domain, "top", "ds") == pytest.approx(0.1)


def test_mixed_triangles_and_quadrilaterals_are_refused(shared_tmp, comm):
    path = shared_tmp / "mixed.msh"
    if comm.rank == 0:
        _write_t1(path, recombine="half")
    comm.barrier()
    with pytest.raises(lk.MeshError, match="mixed cell types .*Quadrilateral.*Triangle"):
        lk.read_mesh(path, comm)


def test_estimates_per_dimension():
    from lkfem.mesh.checks import estimate_cells

    assert estimate_cells(1.0, 0.1, 1) == pytest.approx(10)
    assert estimate_cells(1.0, 0.1, 2) == pytest.approx(4 / np.sqrt(3) * 100)
    assert estimate_cells(1.0, 0.1, 3) == pytest.approx(6 * np.sqrt(2) * 1000)
    with pytest.raises(lk.MeshError, match="above the limit of 100 cells"):
        generators.build("rectangle", {"h": 0.01}, max_cells=100)


def test_circular_cloak(comm):
    """The 2D bilayer cloak: the names of the 3D cylindrical cloak, ring areas, sides."""
    domain = generators.build("circular_cloak", {"h": 0.08}, comm)
    assert domain.mesh.geometry.dim == 2
    assert set(domain.regions) == {"object", "inner_layer", "outer_layer", "background"}
    assert set(domain.boundaries) == {
        "left",
        "right",
        "bottom",
        "top",
        "object_surface",
        "layer_interface",
        "cloak_surface",
    }
    assert _measure(domain, "object") == pytest.approx(math.pi * 0.1**2, rel=0.02)
    assert _measure(domain, "outer_layer") == pytest.approx(math.pi * (0.25**2 - 0.15**2), rel=0.02)
    assert _measure(domain, "background") == pytest.approx(1 - math.pi * 0.25**2, rel=0.01)
    assert _measure(domain, "left", "ds") == pytest.approx(1.0)
    assert _measure(domain, "cloak_surface", "dS") == pytest.approx(2 * math.pi * 0.25, rel=0.01)
