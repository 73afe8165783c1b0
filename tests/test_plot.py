"""``lkfem plot`` on a results folder (pyvista and matplotlib, no dolfinx in the reading), the
colour-bar format, and ``paraview.py`` as Python."""

import numpy as np
import pytest

from lkfem.cli import main
from lkfem.plot.style import number_format

from .test_cli_lk import CASE, _write

pytestmark = pytest.mark.serial  # lkfem plot is serial; the run under it is tested in parallel


@pytest.mark.parametrize(
    "low, high", [(300.0, 300.44), (0.0, 1.0), (1e-6, 3e-6), (-2.0, 5e3), (290.0, 300.0)]
)
def test_colour_bar_labels_differ(low, high):
    """Five labels over the range all read differently (the Cattaneo bar read `300.` five
    times)."""
    fmt = number_format(low, high)
    labels = [fmt % v for v in np.linspace(low, high, 5)]
    assert len(set(labels)) == 5, labels
    assert len(labels[0]) <= 12


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from mpi4py import MPI

    folder = tmp_path_factory.mktemp("plot")
    text = CASE.replace("t_end = 0.2", "t_end = 0.1").replace("png = false", "png = true")
    case = _write(folder, MPI.COMM_WORLD, text)
    assert main(["run", str(case), "--out", str(folder / "out")]) == 0
    return folder / "out"


@pytest.mark.parametrize("what", ["picture", "slice", "isotherms", "flux", "series", "animation"])
def test_plot_writes_each_figure(results, what, tmp_path):
    import imageio.v3 as iio

    out = tmp_path / ("a.gif" if what == "animation" else "a.png")
    assert main(["-q", "plot", str(results), "--what", what, "--out", str(out)]) == 0
    image = iio.imread(out)
    frames = image if what == "animation" else image[None]
    assert len(frames) == (3 if what == "animation" else 1)  # t = 0, 0.05, 0.1
    for frame in frames:
        assert frame.shape[0] >= 400 and frame.shape[1] >= 600
        assert np.std(frame[..., :3]) > 10  # a picture, not a blank page


def test_picture_of_the_run_and_paraview_script(results):
    assert (results / "T.png").is_file()
    code = (results / "paraview.py").read_text()
    compile(code, "paraview.py", "exec")
    assert "fields.pvd" in code and "'fields.xdmf'" in code


@pytest.mark.parametrize(
    "args, expected",
    [
        (["plot", "{tmp}/nowhere"], "no such results folder"),
        (["plot", "{tmp}"], "not a results folder of lkfem run (no summary.json)"),
        (["plot", "{results}", "--step", "7"], "no step 7: the results have 3"),
        (["plot", "{results}", "--what", "slice", "--field", "nope"], "no field 'nope'"),
    ],
)
def test_plot_errors_are_one_line(results, tmp_path, capsys, args, expected):
    argv = [a.format(tmp=tmp_path, results=results) for a in args]
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lkfem: error: ") and expected in lines[0], lines


def test_series_columns_are_grouped_by_their_unit():
    from lkfem.plot.figures import column_unit

    assert column_unit("qx_W_m2:middle") == ("qx:middle", "W/m²")
    assert column_unit("free_energy_W_K") == ("free_energy", "W K")
    assert column_unit("T_K:middle") == ("T:middle", "K")
    assert column_unit("heat_flow_W:left") == ("heat_flow:left", "W")
    assert column_unit("omega0_rad_s:rod") == ("omega0:rod", "rad/s")
    assert column_unit("newton_iterations") == ("newton_iterations", "")
