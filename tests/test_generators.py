"""The geometry library (cloaks, concentrator, inclusion arrays) and ``lkfem mesh``: names,
volumes against the analytic ones, parameter errors, and the files the command writes."""

import math
import re
import subprocess
import sys

import numpy as np
import pytest
from dolfinx import fem, io
from mpi4py import MPI

import lkfem as lk
from lkfem.cli import main
from lkfem.mesh import generators
from lkfem.mesh.files import parse_value

from .verification import clean_env

FACES = ["left", "right", "front", "back", "bottom", "top"]


def _volume(domain, region):
    form = fem.form(1.0 * domain.dx(domain.regions[region]))
    return domain.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)


def _body(shape, r, lz):
    """Volume of a sphere, or of a z-cylinder through the height lz, of radius r."""
    return 4 / 3 * math.pi * r**3 if shape == "sphere" else math.pi * r**2 * lz


def _deficit(shape, r, lz, h_fine):
    """A bound on the volume a body's faceted surface (triangles of size h_fine) misses:
    about (h/r)² / 3 of the body for a sphere, (h/r)² / 8 for a cylinder; twice that here."""
    return (0.7 if shape == "sphere" else 0.25) * (h_fine / r) ** 2 * _body(shape, r, lz)


def _check_layers(domain, shape, names, radii, size, h_fine):
    """Regions ``names`` (inside out, then background) between ``radii``: volumes within the
    faceting deficit of their bounding surfaces, and summing to the box."""
    lx, ly, lz = size
    vols = {name: _volume(domain, name) for name in domain.regions}
    bounds = [0.0, *radii]
    for i, name in enumerate(names[:-1]):
        exact = _body(shape, bounds[i + 1], lz) - _body(shape, bounds[i], lz)
        tol = sum(_deficit(shape, r, lz, h_fine) for r in bounds[i : i + 2] if r > 0)
        assert vols[name] == pytest.approx(exact, abs=tol), name
    outer = lx * ly * lz - _body(shape, radii[-1], lz)
    assert vols[names[-1]] == pytest.approx(outer, abs=_deficit(shape, radii[-1], lz, h_fine))
    assert sum(vols.values()) == pytest.approx(lx * ly * lz, rel=1e-10)
    return vols


@pytest.mark.parametrize("shape", ["sphere", "cylinder"])
def test_multilayer_cloak(comm, shape):
    lz = 1.0 if shape == "sphere" else 0.4
    size, radii = (1.0, 1.0, lz), [0.15, 0.25, 0.35, 0.45]
    params = dict(shape=shape, r_object=0.15, radii=radii[1:], lx=1.0, ly=1.0, lz=lz, h=0.2)
    domain = generators.build("multilayer_cloak", params, comm)
    names = ["object", "layer0", "layer1", "layer2", "background"]
    assert list(domain.regions) == names
    interfaces = ["object_surface", "interface0", "interface1", "interface2"]
    assert list(domain.boundaries) == FACES + interfaces
    assert domain.exterior_boundaries() == FACES
    _check_layers(domain, shape, names, radii, size, h_fine=0.1)


@pytest.mark.parametrize(
    "name, shape, regions, surfaces, h_key",
    [
        ("transformation_cloak", "sphere", ["object", "cloak"], ["inner", "outer"], "h_cloak"),
        ("transformation_cloak", "cylinder", ["object", "cloak"], ["inner", "outer"], "h_cloak"),
        ("concentrator", "sphere", ["core", "shell"], ["core", "shell"], "h_shell"),
        ("concentrator", "cylinder", ["core", "shell"], ["core", "shell"], "h_shell"),
    ],
)
def test_cloak_and_concentrator(comm, name, shape, regions, surfaces, h_key):
    size = (1.2, 1.0, 0.9)
    params = dict(shape=shape, r1=0.2, r2=0.4, lx=1.2, ly=1.0, lz=0.9, h=0.25, h_interface=0.08)
    domain = generators.build(name, params | {h_key: 0.1}, comm)
    assert list(domain.regions) == [*regions, "background"]
    assert list(domain.boundaries) == FACES + [f"{s}_surface" for s in surfaces]
    assert domain.exterior_boundaries() == FACES
    _check_layers(domain, shape, [*regions, "background"], [0.2, 0.4], size, 0.08)


@pytest.mark.parametrize("name, h_key", [("transformation_cloak", "h_cloak")])
def test_cloak_is_refined_throughout(comm, name, h_key):
    """Halving h_cloak gives about 8 times the cells in the cloak; far fewer more elsewhere
    (only near the cloak's surfaces, meshed with the smaller h_cloak)."""

    def cells(h_cloak):
        params = dict(r1=0.2, r2=0.4, h=0.25, h_interface=0.12, **{h_key: h_cloak})
        domain = generators.build(name, params, comm)
        owned = domain.mesh.topology.index_map(3).size_local
        local = {r: int((domain.region_cells(r) < owned).sum()) for r in domain.regions}
        return {r: comm.allreduce(n, op=MPI.SUM) for r, n in local.items()}

    coarse, fine = cells(0.12), cells(0.06)
    ratio = {r: fine[r] / coarse[r] for r in fine}
    assert ratio["cloak"] > 5 and ratio["cloak"] > 2 * ratio["background"], ratio


INCLUSIONS = {
    "periodic_cylinders": dict(shape="cylinder", nx=3, ny=2, radius=0.1),
    "periodic_spheres": dict(shape="sphere", lz=0.5, nx=2, ny=2, nz=2, radius=0.1),
    "random_cylinders": dict(shape="cylinder", arrangement="random", fraction=0.15, seed=3),
    "perforated_plate": dict(shape="cylinder", nx=2, ny=2, radius=0.15, void=True),
    "random_holes": dict(shape="sphere", lz=0.5, arrangement="random", count=5, void=True),
}


@pytest.mark.parametrize("kind", sorted(INCLUSIONS))
def test_inclusion_array(comm, kind):
    params = dict(lx=1.0, ly=0.8, lz=0.2, radius=0.08, h=0.12, h_interface=0.04)
    params |= INCLUSIONS[kind]
    domain = generators.build("inclusion_array", params, comm)
    shape, r, lz, void = params["shape"], params["radius"], params["lz"], params.get("void")
    if params.get("arrangement") == "random":
        n = params.get("count") or round(params["fraction"] * 0.8 / (math.pi * r**2))
    else:
        n = params["nx"] * params["ny"] * params.get("nz", 1)
    surface = "holes" if void else "inclusion_surface"
    assert list(domain.boundaries) == FACES + [surface]
    assert domain.exterior_boundaries() == (FACES + ["holes"] if void else FACES)
    box = 0.8 * lz
    inclusions, tol = n * _body(shape, r, lz), n * _deficit(shape, r, lz, 0.04)
    matrix = _volume(domain, "matrix")
    assert matrix == pytest.approx(box - inclusions, abs=tol)
    if void:
        assert list(domain.regions) == ["matrix"]
    else:
        assert list(domain.regions) == ["matrix", "inclusions"]
        assert _volume(domain, "inclusions") == pytest.approx(inclusions, abs=tol)
        assert matrix + _volume(domain, "inclusions") == pytest.approx(box, rel=1e-10)


@pytest.mark.parametrize("shape", ["sphere", "cylinder"])
def test_random_placement_is_deterministic_and_apart(shape):
    from lkfem.meshes import inclusion_array

    def place(seed):
        return np.array(inclusion_array._random(shape, 0.05, 12, None, 0.02, seed, 1.0, 0.8, 0.3))

    a, b, c = place(7), place(7), place(8)
    assert len(a) == 12 and np.array_equal(a, b) and not np.array_equal(a, c)
    dims = 3 if shape == "sphere" else 2
    d = np.linalg.norm(a[:, None, :dims] - a[None, :, :dims], axis=2)
    assert d[~np.eye(12, dtype=bool)].min() >= 2 * 0.05 + 0.02
    assert np.all(np.abs(a[:, :dims]) <= np.array([0.5, 0.4, 0.15])[:dims] - 0.07)


BAD = [
    ("multilayer_cloak", dict(shape="cube"), "shape must be 'sphere' or 'cylinder', got 'cube'"),
    ("multilayer_cloak", dict(radii=[0.1, 0.3]), "radii must increase and the first must exceed"),
    ("multilayer_cloak", dict(radii=[0.3, 0.6]), "outer radius 0.6 must be smaller than 0.5"),
    ("multilayer_cloak", dict(radii=[]), "radii must list at least one layer radius"),
    ("multilayer_cloak", dict(h_interface=[0.1]), "h_interface must be positive, got [0.1]"),
    ("transformation_cloak", dict(r1=0.4, r2=0.3), "r2 must be larger than r1"),
    ("transformation_cloak", dict(h_cloak=-0.1), "h_cloak must be positive"),
    ("concentrator", dict(shape="cylinder", r2=0.7), "r2 = 0.7 must be smaller than 0.6"),
    ("concentrator", dict(lz=0), "the box sizes lx, ly, lz must be positive"),
    ("inclusion_array", dict(radius=0.2), "radius 0.2 is too large for the lattice spacing"),
    ("inclusion_array", dict(nx=2.5), "nx must be a whole number of at least 1, got 2.5"),
    ("inclusion_array", dict(nz=2), "nz is for spheres"),
    ("inclusion_array", dict(shape="sphere"), "do not fit in the thickness lz = 0.2"),
    ("inclusion_array", dict(arrangement="hex"), "arrangement must be 'periodic' or 'random'"),
    ("inclusion_array", dict(count=4), "count and fraction are for arrangement = 'random'"),
    ("inclusion_array", dict(arrangement="random"), "give either count or fraction"),
    ("inclusion_array", dict(arrangement="random", fraction=1.5), "fraction must lie between"),
    ("inclusion_array", dict(arrangement="random", count=3, gap=[0]), "gap must not be negative"),
    ("inclusion_array", dict(arrangement="random", count=60), "could place only"),
]


@pytest.mark.parametrize("name, params, message", BAD, ids=[m for _, _, m in BAD])
def test_bad_parameters_are_mesh_errors(comm, name, params, message):
    with pytest.raises(lk.MeshError, match=f"^{name}: .*{re.escape(message)}"):
        generators.build(name, params, comm)


def test_parse_value():
    assert parse_value("0.2") == 0.2 and parse_value("3") == 3 and parse_value("1e-2") == 0.01
    assert parse_value("true") is True and parse_value("False") is False
    assert parse_value("[0.3, 0.4]") == [0.3, 0.4] == parse_value("0.3,0.4")
    assert parse_value("(0.3, 0.4)") == [0.3, 0.4] and parse_value(".5") == 0.5
    assert parse_value("cylinder") == "cylinder" == parse_value('"cylinder"')


# --- lkfem mesh ----------------------------------------------------------------------------


@pytest.fixture
def folder(shared_tmp, comm, request):
    path = shared_tmp / re.sub(r"\W", "_", request.node.name)
    if comm.rank == 0:
        path.mkdir(exist_ok=True)
    comm.barrier()
    return path


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_mesh_command_writes_gmsh_and_paraview_files(folder, comm, capsys):
    out = folder / "cloak.msh"
    args = ["--r1", "0.2", "--r2", "0.4", "--shape", "cylinder", "--h", "0.25"]
    assert main(["mesh", "transformation_cloak", *args, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert _files(folder) == ["cloak.h5", "cloak.msh", "cloak.xdmf"]
    assert out.read_text().startswith("$MeshFormat\n4.1 ")
    if comm.rank == 0:
        assert "regions:    object (1), cloak (2), background (3)" in printed
        assert "interfaces: inner_surface (107), outer_surface (108)" in printed
        assert re.search(r"transformation_cloak: \d+ cells, \d+ vertices", printed)
    else:
        assert printed == ""
    domain = lk.read_msh(out, comm)
    assert list(domain.regions) == ["object", "cloak", "background"]
    assert list(domain.boundaries) == FACES + ["inner_surface", "outer_surface"]
    assert _volume(domain, "cloak") == pytest.approx(math.pi * 0.12 * 1.2, rel=0.05)
    # ParaView's file: the mesh with the region and boundary tags
    with io.XDMFFile(comm, str(folder / "cloak.xdmf"), "r") as xdmf:
        mesh = xdmf.read_mesh(name="mesh")
        regions = xdmf.read_meshtags(mesh, name="regions")
        mesh.topology.create_connectivity(2, 3)
        boundaries = xdmf.read_meshtags(mesh, name="boundaries")
    assert mesh.topology.index_map(3).size_global == domain.num_cells()
    found = comm.allgather(set(regions.values) | set(boundaries.values))
    assert set().union(*found) == {1, 2, 3, *range(101, 109)}


def test_mesh_command_lists_and_xdmf_only(folder, comm):
    out = folder / "sub" / "layers.xdmf"
    args = ["--radii", "0.3,0.4", "--h-interface=0.1", "--h", "0.2", "--out", str(out)]
    assert main(["mesh", "multilayer_cloak", *args]) == 0
    assert _files(folder) == ["sub", "sub/layers.h5", "sub/layers.xdmf"]


def test_mesh_command_help(comm, capsys):
    assert main(["mesh", "inclusion_array", "--help"]) == 0
    printed = capsys.readouterr().out
    if comm.rank == 0:
        assert "--radius 0.1  (m)" in printed and "arrangement" in printed
        assert "--nx 3\n" in printed and "--h_interface auto  (m)" in printed


@pytest.mark.parametrize("name", generators.available())
def test_parameter_units_match_the_docs(name):
    """Every number of a generator is a length in m ("lengths in m" in its docs) unless it is a
    count, a fraction or a seed, which its docs do not give in m; flags, choices and names have
    no unit."""
    import importlib
    import inspect

    populate = importlib.import_module(f"lkfem.meshes.{name}").populate
    doc = inspect.getdoc(populate)
    assert "(lengths in m)" in doc.splitlines()[0]
    args = doc[doc.index("Args:") :]
    for key, default in generators.parameters(name).items():
        unit = generators.unit(name, key)
        line = next(line for line in args.splitlines() if re.match(rf"\s*(\w+, )*{key}\b", line))
        if isinstance(default, (bool, str)):
            assert unit == "", key
        elif unit == "":
            assert "(m)" not in line, (key, line)
        else:
            assert unit == "m", key


def test_generators_command_gives_units(comm, capsys):
    assert main(["generators"]) == 0
    printed = capsys.readouterr().out.splitlines()
    if comm.rank == 0:
        lines = {line.split(":")[0]: line for line in printed}
        assert set(lines) == set(generators.available())
        assert "lx=1.0 m, ly=1.0 m, r1=0.1 m" in lines["circular_cloak"]
        assert "h_interface=auto m" in lines["circular_cloak"]
        assert "nx=3, " in lines["inclusion_array"] and "fraction=auto," in lines["inclusion_array"]
        assert "names=None" not in lines["disc"] and "names=auto," in lines["disc"]


MESH_BAD = {
    "not_a_number": (["--r1", "abc"], "transformation_cloak: --r1: must be a number, got 'abc'"),
    "unknown_parameter": (["--radias", "0.2"], "unknown parameter 'radias'"),
    "bad_geometry": (["--r1", "0.5", "--r2", "0.4"], "r2 must be larger than r1"),
    "stray_argument": (["0.5"], "unexpected argument '0.5'"),
    "missing_value": (["--r1"], "--r1 needs a value"),
    "given_twice": (["--r1", "0.1", "--r1", "0.2"], "--r1 is given twice"),
    "bad_suffix": (["--out", "{folder}/cloak.vtk"], "--out must end in .msh or .xdmf"),
    "unknown_generator": (["cloak"], "unknown generator 'cloak'"),
}


@pytest.mark.parametrize("kind", sorted(MESH_BAD))
def test_mesh_command_rejects_bad_input(folder, comm, capsys, kind):
    """Exit code 2, one line on rank 0 and nothing from the others, and no file nor folder."""
    args, expected = MESH_BAD[kind]
    args = [a.format(folder=folder) for a in args]
    if kind == "unknown_generator":
        argv = ["mesh", *args]
    else:
        argv = ["mesh", "transformation_cloak", *args]
    if "--out" not in args:
        argv += ["--out", str(folder / "new" / "cloak.msh")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    if comm.rank == 0:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("lkfem: error: "), err
        assert expected in lines[0], lines[0]
    else:
        assert err == ""
    comm.barrier()
    assert _files(folder) == []


@pytest.mark.serial
def test_mesh_command_in_real_processes(tmp_path):
    """The installed command, under mpirun -n 2, and a bad value in a plain process."""
    out = tmp_path / "plate.msh"
    cmd = [sys.executable, "-m", "lkfem", "mesh", "inclusion_array", "--void", "--h", "0.15"]
    proc = subprocess.run(
        ["mpirun", "-n", "2", *cmd, "--out", str(out)],
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("regions:    matrix (1)") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plate.h5", "plate.msh", "plate.xdmf"]
    bad = subprocess.run(
        [*cmd, "--radius", "big", "--out", str(tmp_path / "bad.msh")],
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "lkfem: error: inclusion_array: --radius: must be a number, got 'big'"
    )
    assert not (tmp_path / "bad.msh").exists()
