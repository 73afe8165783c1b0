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
