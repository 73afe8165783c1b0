"""The field formats of a results folder read back in Python: every field of every step of a
transient in ``fields.pvd`` (pyvista) and ``fields/*.vtu`` (meshio) equals what XDMF holds, at
the times of ``timeseries.csv``; ``fields.bp`` (VTX) and ``paraview.py`` are there; the
``[output] formats`` key."""

import json

import numpy as np
import pytest

from lkfem.cli import main

from .test_cli_lk import CASE, _write
from .verification import assert_rejected

# Taylor–Hood (ℓ > 0): the VTX file holds q at degree 2.
GK_CASE = CASE.replace(
    "tau = 0.02\nC = 2.0\n[boundaries", "tau = 0.02\nC = 2.0\nell = 0.05\n[boundaries"
)
GK_CASE = GK_CASE.replace("t_end = 0.2", "t_end = 0.1")


def _h5_fields(path):
    """{name: {time: values}} and the points of XDMF's ``fields.h5``."""
    import h5py

    out = {}
    with h5py.File(path, "r") as h5:
        points = h5["Mesh/mesh/geometry"][:]
        for name, steps in h5["Function"].items():
            out[name] = {float(k.replace("_", ".")): v[:] for k, v in steps.items()}
    return points, out


def _match(points, reference):
    """Index into ``points`` of each point of ``reference`` (the same set, any order)."""
    from scipy.spatial import cKDTree

    distance, index = cKDTree(points).query(reference)
    assert distance.max() < 1e-12
    return index


def test_transient_fields_read_back_with_pyvista_and_meshio(shared_tmp, comm):
    case = _write(shared_tmp / "formats", comm, GK_CASE)
    out = shared_tmp / "formats" / "out"
    assert main(["run", str(case), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    files = set(summary["files"])
    assert {
        "fields.xdmf",
        "fields.h5",
        "fields.bp",
        "fields.pvd",
        "fields/",
        "paraview.py",
    } <= files
    assert summary["element"] == "taylor_hood"
    if comm.rank != 0:
        return
    import meshio
    import pyvista

    points, h5 = _h5_fields(out / "fields.h5")
    rows = np.genfromtxt(out / "timeseries.csv", delimiter=",", names=True)
    reader = pyvista.get_reader(str(out / "fields.pvd"))
    times = reader.time_values
    # every 5 steps and the milestone 0.05 s: t = 0, 0.05, 0.1 (the end), all rows of the CSV
    assert times == pytest.approx([0.0, 0.05, 0.1])
    column = rows["t_s"]
    assert times[-1] == pytest.approx(column[-1])
    for t in times:
        assert np.min(np.abs(column - t)) < 1e-12
    assert sorted(h5) == ["T", "q"] and len(h5["T"]) == len(times)
    checked = 0
    for i, t in enumerate(times):
        reader.set_active_time_value(t)
        grid = reader.read()[0]
        mesh = meshio.read(out / "fields" / f"step_{i:06d}.vtu")
        assert np.array_equal(mesh.points, grid.points)
        index = _match(grid.points, points)
        (key,) = [k for k in h5["T"] if abs(k - t) < 1e-12]
        for name in ("T", "q"):
            expected = h5[name][key]
            expected = (
                expected[:, : grid.point_data[name].shape[1]] if name == "q" else expected.ravel()
            )
            for values in (np.asarray(grid.point_data[name]), mesh.point_data[name]):
                assert np.abs(values[index] - expected).max() < 1e-12 * 300
                checked += 1
        assert set(np.unique(mesh.cell_data["region"][0])) == set(
            np.unique(grid.cell_data["region"])
        )
        assert len(np.unique(grid.cell_data["region"])) == 2  # layer0, layer1
    assert checked == 2 * 2 * len(times)
    # the pulse heated the slab: the last step is not the initial state
    assert np.asarray(grid.point_data["T"]).max() > 300.0 + 1e-3
    # VTX: ADIOS2's metadata and data, three steps written
    assert (out / "fields.bp" / "md.idx").is_file() and (out / "fields.bp" / "data.0").is_file()
    compile((out / "paraview.py").read_text(), "paraview.py", "exec")


def test_formats_select_the_files(shared_tmp, comm):
    text = CASE.replace("every = 5", 'every = 5\nformats = ["vtu"]').replace(
        "t_end = 0.2", "t_end = 0.02"
    )
    case = _write(shared_tmp / "vtu_only", comm, text)
    out = shared_tmp / "vtu_only" / "out"
    assert main(["run", str(case), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert [f for f in summary["files"] if f.startswith("fields")] == ["fields.pvd", "fields/"]
    assert not (out / "fields.xdmf").exists() and not (out / "fields.bp").exists()
    assert "paraview.py" in summary["files"]


@pytest.mark.parametrize(
    "entry, expected",
    [
        (
            'formats = ["xdmf", "vtk"]',
            '[output.formats]: unknown value "vtk" (one of: xdmf, vtx, vtu)',
        ),
        ('formats = "vtu"', "[output.formats]: must be a list"),
        ('formats = ["vtu"]\nxdmf = true', "[output.xdmf]: give either 'xdmf' or 'formats'"),
    ],
)
def test_bad_formats_are_one_line_errors(shared_tmp, comm, capsys, entry, expected):
    case = _write(shared_tmp / "bad", comm, CASE.replace("every = 5", f"every = 5\n{entry}"))
    assert_rejected(case, shared_tmp / "bad" / "out", comm, capsys, expected)
