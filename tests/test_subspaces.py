"""The (q, T) component spaces of the mixed space are built without ``collapse()`` (which grows
~ N² for blocked subspaces in dolfinx 0.9): the same dofs of W, and the same functions, as
collapse gives, for every element and cell type, in serial and in parallel."""

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh

from lkfem.physics.lk.spaces import mixed_space, subspace


def _mesh(comm, cell):
    if cell == "triangle":
        return dmesh.create_unit_square(comm, 5, 4)
    if cell == "quadrilateral":
        return dmesh.create_unit_square(comm, 4, 3, cell_type=dmesh.CellType.quadrilateral)
    if cell == "tetrahedron":
        return dmesh.create_unit_cube(comm, 3, 2, 3)
    return dmesh.create_unit_cube(comm, 2, 3, 2, cell_type=dmesh.CellType.hexahedron)


def _fill(W, index, V, dofs):
    """A smooth function interpolated into V, put into a function on W at ``dofs``."""
    x = ufl.SpatialCoordinate(W.mesh)
    shape = V.ufl_element().reference_value_shape
    expr = ufl.sin(3 * x[0]) + x[1] * x[1] + 1
    if shape:
        expr = ufl.as_vector([expr * (i + 1) + x[i % len(x)] for i in range(shape[0])])
    points = V.element.interpolation_points
    f = fem.Function(V)
    f.interpolate(fem.Expression(expr, points() if callable(points) else points))
    w = fem.Function(W)
    w.x.array[dofs] = f.x.array
    return w.x.array


@pytest.mark.parametrize("cell", ["triangle", "quadrilateral", "tetrahedron", "hexahedron"])
@pytest.mark.parametrize("element,degree", [("taylor_hood", 1), ("primal", 1), ("hdiv", 1)])
def test_subspace_matches_collapse(comm, cell, element, degree):
    if element == "hdiv" and cell in ("quadrilateral", "hexahedron"):
        pytest.skip("RT on simplices only")
    mesh = _mesh(comm, cell)
    W = mixed_space(mesh, element, degree)
    owned = W.dofmap.index_map.size_local
    for index in (0, 1):
        V, dofs = subspace(W, index)
        Vc, collapsed = W.sub(index).collapse()
        collapsed = np.asarray(collapsed, dtype=np.int32).reshape(-1)
        assert dofs.dtype == np.int32 and dofs.size == collapsed.size
        assert np.array_equal(np.sort(dofs), np.sort(collapsed))  # the same dofs of W
        n = V.dofmap.index_map.size_local * V.dofmap.bs
        assert n == Vc.dofmap.index_map.size_local * Vc.dofmap.bs
        assert (dofs[:n] < owned).all() and (dofs[n:] >= owned).all()  # owned to owned
        assert np.allclose(_fill(W, index, V, dofs), _fill(W, index, Vc, collapsed), atol=1e-12)
