"""The pictures a run and a study draw from dolfinx functions (lkfem.plot.render) on 1D, 2D and
3D meshes: a 1D field as a line plot, a 2D field seen from above, a 3D one cut open."""

import numpy as np
import pytest
from dolfinx import fem

from lkfem.mesh import generators
from lkfem.plot.render import render_midplane, render_png

MESHES = {
    1: ("interval", {"length": 1.0, "h": 0.05}),
    2: ("rectangle", {"Lx": 1.0, "Ly": 0.5, "h": 0.1}),
    3: ("box_with_sphere", {"h": 0.25}),
}


def _field(domain, name, shift):
    V = fem.functionspace(domain.mesh, ("Lagrange", 1))
    T = fem.Function(V, name=name)
    T.interpolate(lambda x: 300.0 + x[0] + shift * x[1] ** 2)
    return T


def _picture(path):
    import imageio.v3 as iio

    image = iio.imread(path)[..., :3].astype(float)
    assert image.shape[0] >= 300 and image.shape[1] >= 500, image.shape
    return image


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_render_png_and_midplane_per_dimension(comm, shared_tmp, dim):
    """render_png and render_midplane draw on every dimension (the 2D cloak study's picture
    failed with "zero-size array to reduction operation minimum": a z-slice of a flat mesh is
    empty); the panels of different fields differ."""
    name, params = MESHES[dim]
    domain = generators.build(name, params, comm)
    T, other = _field(domain, "T", 0.0), _field(domain, "T", 4.0)
    render_png(shared_tmp / f"png{dim}.png", T, f"{dim}D")
    render_midplane(shared_tmp / f"mid{dim}.png", {"a": T, "b": other}, normal="z", title=f"{dim}D")
    if comm.rank == 0:
        single = _picture(shared_tmp / f"png{dim}.png")
        assert np.std(single) > 10
        both = _picture(shared_tmp / f"mid{dim}.png")
        assert np.std(both) > 10
        if dim > 1:  # two panels side by side, of different fields
            left, right = np.array_split(both, 2, axis=1)
            assert np.abs(left - right).mean() > 1.0


def test_2d_pictures_outline_the_regions_and_spread_the_arrows(comm, shared_tmp):
    """A 2D field's picture outlines its regions (the 2D cloak's circles r1, r2, r3 are
    polylines of the outline) when given the cell tags, and differs from the picture without;
    the 2D q arrows stand on a regular lattice, evenly spread over a graded mesh."""
    from lkfem.plot import style
    from lkfem.plot.grid import gather_grid

    radii = (0.1, 0.15, 0.25)
    params = {"lx": 0.8, "ly": 0.8, "r1": radii[0], "r2": radii[1], "r3": radii[2]}
    domain = generators.build("circular_cloak", {**params, "h": 0.08, "h_interface": 0.02}, comm)
    T = _field(domain, "T", 4.0)
    grid = gather_grid(T, domain.cell_tags)
    render_png(shared_tmp / "plain.png", T, "2D")
    render_png(shared_tmp / "outlined.png", T, "2D", regions=domain.cell_tags)
    render_midplane(shared_tmp / "mid.png", {"a": T}, regions=domain.cell_tags)
    q = fem.Function(fem.functionspace(domain.mesh, ("Lagrange", 1, (2,))), name="q")
    q.interpolate(lambda x: np.vstack([np.ones_like(x[0]), 0.5 * x[0]]))
    vectors = gather_grid(q)
    if comm.rank != 0:
        return
    assert sorted(np.unique(grid.cell_data["region"])) == sorted(domain.regions.values())
    lines = style.region_outlines(grid)
    assert lines is not None and lines.n_cells > 0
    r = np.hypot(lines.points[:, 0], lines.points[:, 1])
    for radius in radii:  # each circle is a polyline of the outline (about 2π r / h_interface)
        assert np.sum(np.abs(r - radius) < 1e-6) >= np.pi * radius / 0.02, radius
    plain, outlined = _picture(shared_tmp / "plain.png"), _picture(shared_tmp / "outlined.png")
    darker = outlined.sum(axis=2) < plain.sum(axis=2) - 100  # black lines on the field
    assert darker.sum() > 500, darker.sum()
    assert np.std(_picture(shared_tmp / "mid.png")) > 10
    points = style.flux_points(vectors)
    n = style.ARROWS_ACROSS
    assert points.n_points == n * n, points.n_points  # the square: every lattice point inside
    x, y = points.points[:, 0], points.points[:, 1]
    quarters = [
        int(np.sum(((x > 0) == sx) & ((y > 0) == sy)))
        for sx in (False, True)
        for sy in (False, True)
    ]
    assert quarters == [n * n // 4] * 4, quarters
    assert np.allclose(points.point_data["q"][:, 0], 1.0)
