"""Periodic boundaries (dolfinx_mpc): pairs found and checked from the geometry, the constraint on
scalar, vector and mixed spaces with corners, Poisson against analytic periodic solutions with
measured orders in 2D and 3D, a nonlinear problem against the Neumann solve on half the domain
(mirror symmetry), serial against parallel."""

import numpy as np
import pytest
import ufl
from basix.ufl import element, mixed_element
from dolfinx import fem
from dolfinx import mesh as dmesh
from mpi4py import MPI

from lkfem.core.domain import from_mesh
from lkfem.core.periodic import PeriodicMismatch, image_to_source, match_pairs
from lkfem.solvers.newton import NewtonSolver
from lkfem.solvers.periodic import (
    PeriodicNewtonSolver,
    constrained_function,
    periodic_constraint,
    solve_linear,
)
from tests.verification import assemble_global, l2_error, rates

XY = [["left", "right"], ["front", "back"]]  # from_mesh: x: left/right, y: front/back
XYZ = XY + [["bottom", "top"]]


def rectangle(n, lx=1.0, ly=0.5, comm=MPI.COMM_WORLD, quads=False):
    cell = dmesh.CellType.quadrilateral if quads else dmesh.CellType.triangle
    ny = max(1, round(n * ly / lx))
    mesh = dmesh.create_rectangle(comm, [[0.0, 0.0], [lx, ly]], [n, ny], cell)
    return from_mesh(mesh)


def box(n, comm=MPI.COMM_WORLD):
    mesh = dmesh.create_box(comm, [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]], [n, n, n])
    return from_mesh(mesh)


# --- pairs from the geometry -------------------------------------------------------------


def test_translations_found_from_the_geometry():
    domain = rectangle(4, lx=2.0, ly=0.5)
    pairs = match_pairs(domain, XY)
    assert np.allclose(pairs[0].translation, [-2.0, 0.0, 0.0])
    assert np.allclose(pairs[1].translation, [0.0, -0.5, 0.0])
    corners = np.array([[2.0, 0.0, 0.0], [2.0, 0.5, 0.0], [0.0, 0.5, 0.0], [1.0, 0.5, 0.0]]).T
    assert np.allclose(image_to_source(pairs, corners)[:2].T, [[0, 0], [0, 0], [0, 0], [1, 0]])


@pytest.mark.parametrize(
    "pairs, message",
    [
        ([["left", "front"]], "not a translate of each other"),
        ([["left", "nowhere"]], "no boundary 'nowhere'"),
        ([["left", "left"]], "its own image"),
        ([["left", "right"], ["front", "right"]], "image in more than one pair"),
        ([["left", "right"], ["right", "back"]], "is an image and also a source"),
    ],
)
def test_mismatched_pairs_are_refused(pairs, message):
    domain = rectangle(4, lx=2.0, ly=0.5)
    with pytest.raises(PeriodicMismatch, match=message):
        match_pairs(domain, pairs)


def test_a_bent_boundary_is_refused():
    mesh = dmesh.create_rectangle(MPI.COMM_WORLD, [[0.0, 0.0], [1.0, 1.0]], [4, 4])
    domain = from_mesh(mesh)
    x = mesh.geometry.x
    x[:, 1] += 0.2 * x[:, 0] * (1 - x[:, 0]) * x[:, 1]  # the top bends, the bottom stays
    with pytest.raises(PeriodicMismatch, match="'back' is not flat"):
        match_pairs(domain, [["front", "back"]])


# --- Poisson with a reaction term against exact periodic solutions ------------------------


def _exact(x, dim):
    if dim == 2:  # on [0, 1] × [0, 0.5]
        return ufl.sin(2 * np.pi * x[0]) * ufl.cos(4 * np.pi * x[1]) + ufl.cos(2 * np.pi * x[0])
    return ufl.sin(2 * np.pi * x[0]) * ufl.cos(2 * np.pi * x[1]) * ufl.cos(2 * np.pi * x[2])


def _poisson_error(domain, pairs, degree, krylov):
    """‖u − u_exact‖ of −Δu + u = f, periodic in every direction (no Dirichlet condition)."""
    mesh = domain.mesh
    dim = mesh.geometry.dim
    V = fem.functionspace(mesh, ("Lagrange", degree))
    mpc = periodic_constraint(V, domain, match_pairs(domain, pairs))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    x = ufl.SpatialCoordinate(mesh)
    exact = _exact(x, dim)
    f = -ufl.div(ufl.grad(exact)) + exact
    a = (ufl.inner(ufl.grad(u), ufl.grad(v)) + u * v) * ufl.dx
    L = f * v * ufl.dx
    uh = constrained_function(mpc)
    if krylov:
        info = solve_linear(a, L, uh, [], mpc)
        assert info.reason > 0
    else:
        w = constrained_function(mpc)
        F = ufl.replace(a, {u: w}) - L
        solver = PeriodicNewtonSolver(F, w, [], mpc, J=ufl.derivative(F, w, u), affine=True)
        solver.solve()
        solver.destroy()
        uh = w
    return l2_error(uh, exact, mesh=mesh), mpc


@pytest.mark.parametrize("krylov", [True, False], ids=["krylov", "newton"])
def test_poisson_on_a_periodic_rectangle_converges_at_order_two(krylov):
    errors, sizes = [], []
    for n in (8, 16, 32):
        error, mpc = _poisson_error(rectangle(n), XY, 1, krylov)
        errors.append(error)
        sizes.append(1.0 / n)
    # slaves: the images' nodes, corners included, and only they
    slaves = MPI.COMM_WORLD.allreduce(mpc.num_local_slaves, op=MPI.SUM)
    assert slaves == 32 + 16 + 1  # right (without its corners: they count under back) + back
    order = rates(errors, sizes)
    assert errors[-1] < 2e-2, errors
    assert order[-1] > 1.9, (errors, order)


def test_poisson_in_a_periodic_box_converges_at_order_three():
    errors, sizes = [], []
    for n in (4, 8):
        error, _ = _poisson_error(box(n), XYZ, 2, krylov=True)
        errors.append(error)
        sizes.append(1.0 / n)
    order = rates(errors, sizes)
    assert order[-1] > 2.9, (errors, order)


def test_without_the_constraint_the_same_problem_is_wrong():
    """The periodic solve is needed: the natural (Neumann) solve misses the exact solution."""
    domain = rectangle(32)
    V = fem.functionspace(domain.mesh, ("Lagrange", 1))
    mpc = periodic_constraint(V, domain, [])  # no pairs: an empty constraint
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    exact = _exact(ufl.SpatialCoordinate(domain.mesh), 2)
    f = -ufl.div(ufl.grad(exact)) + exact
    a = (ufl.inner(ufl.grad(u), ufl.grad(v)) + u * v) * ufl.dx
    uh = constrained_function(mpc)
    solve_linear(a, f * v * ufl.dx, uh, [], mpc)
    periodic, _ = _poisson_error(domain, XY, 1, krylov=True)
    assert l2_error(uh, exact, mesh=domain.mesh) > 4 * periodic


# --- Dirichlet conditions, vector and mixed spaces ----------------------------------------


def test_x_periodic_with_dirichlet_top_and_bottom():
    """u = sin(2πx) sin(πy/Ly)... on [0,1]×[0,Ly], periodic in x, u = 0 on y = 0 and y = Ly."""
    errors = []
    for n in (8, 16):
        domain = rectangle(n)
        V = fem.functionspace(domain.mesh, ("Lagrange", 2))
        facets = np.concatenate([domain.boundary_facets(s) for s in ("front", "back")])
        dofs = fem.locate_dofs_topological(V, 1, facets)
        bc = fem.dirichletbc(0.0, dofs, V)
        mpc = periodic_constraint(V, domain, match_pairs(domain, XY[:1]), [bc])
        x = ufl.SpatialCoordinate(domain.mesh)
        exact = (ufl.sin(2 * np.pi * x[0]) + 1.5) * ufl.sin(2 * np.pi * x[1])
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        a = ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx
        uh = constrained_function(mpc)
        solve_linear(a, -ufl.div(ufl.grad(exact)) * v * ufl.dx, uh, [bc], mpc)
        errors.append(l2_error(uh, exact, mesh=domain.mesh))
    assert rates(errors, [1 / 8, 1 / 16])[-1] > 2.8, errors


def _values_at(f, points):
    """f at ``points`` (3, n) on any rank (the owner's value, shared)."""
    from dolfinx import geometry

    mesh = f.function_space.mesh
    tree = geometry.bb_tree(mesh, mesh.topology.dim)
    cells = geometry.compute_colliding_cells(
        mesh, geometry.compute_collisions_points(tree, points.T), points.T
    )
    bs = f.function_space.dofmap.index_map_bs
    out = np.zeros((points.shape[1], bs))
    owned = np.zeros(points.shape[1])
    for i in range(points.shape[1]):
        links = cells.links(i)
        if len(links) and not owned[i]:
            out[i] = f.eval(points[:, i], links[:1])
            owned[i] = 1
    total = mesh.comm.allreduce(out, op=MPI.SUM)
    count = mesh.comm.allreduce(owned, op=MPI.SUM)
    return total / count[:, None]


@pytest.mark.parametrize("kind", ["vector", "mixed"])
def test_vector_and_mixed_spaces_are_periodic(kind):
    """Solve a projection of non-periodic data: the result takes equal values at matching
    points of the images and the sources, corners included, in every component."""
    domain = rectangle(6, lx=1.0, ly=1.0)
    mesh = domain.mesh
    cell = mesh.basix_cell()
    if kind == "vector":
        V = fem.functionspace(mesh, element("Lagrange", cell, 2, shape=(2,)))
    else:
        V = fem.functionspace(
            mesh,
            mixed_element([element("Lagrange", cell, 2, shape=(2,)), element("Lagrange", cell, 1)]),
        )
    mpc = periodic_constraint(V, domain, match_pairs(domain, XY))
    x = ufl.SpatialCoordinate(mesh)
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    data = ufl.as_vector([x[0] + x[1] ** 2, ufl.sin(3 * x[0]) * x[1]])
    if kind == "mixed":
        data = ufl.as_vector([data[0], data[1], x[0] * x[1]])
    a = ufl.inner(u, v) * ufl.dx
    uh = constrained_function(mpc)
    solve_linear(a, ufl.inner(data, v) * ufl.dx, uh, [], mpc, options={"ksp_rtol": 1e-12})
    if kind == "mixed":
        parts = [uh.sub(0).collapse(), uh.sub(1).collapse()]
    else:
        parts = [uh]
    s = np.linspace(0.05, 0.95, 7)
    image = np.array([np.concatenate([np.ones(7), s, [1.0]]), np.concatenate([s, np.ones(7), [1]])])
    source = np.array(
        image_to_source(match_pairs(domain, XY), np.vstack([image, 0 * s[:1].repeat(15)]))
    )
    image = np.vstack([image, np.zeros(15)])
    assert np.allclose(source[:, -1], 0.0)  # the corner (1, 1) maps to (0, 0)
    for part in parts:
        at_image, at_source = _values_at(part, image), _values_at(part, source)
        assert np.abs(at_image).max() > 0.1
        assert np.allclose(at_image, at_source, atol=1e-9)


# --- a nonlinear problem: periodic = Neumann on the half domain by mirror symmetry ---------


def _nonlinear_periodic(comm):
    """−Δu + u³ + u = f (monotone: one solution) on [0, 2] × [0, 1], periodic both ways, f
    even about x = 1 and y = 1/2. Returns (∫u, ∫u², ∫|∇u|²) over the quarter [0, 1] × [0, 1/2]."""
    domain = rectangle(16, lx=2.0, ly=1.0, comm=comm, quads=True)
    mesh = domain.mesh
    V = fem.functionspace(mesh, ("Lagrange", 1))
    mpc = periodic_constraint(V, domain, match_pairs(domain, XY))
    u, v = constrained_function(mpc), ufl.TestFunction(V)
    x = ufl.SpatialCoordinate(mesh)
    f = 2.0 * ufl.cos(np.pi * x[0]) * (1.0 + ufl.cos(2 * np.pi * x[1])) + 0.3
    F = (ufl.inner(ufl.grad(u), ufl.grad(v)) + (u**3 + u - f) * v) * ufl.dx
    solver = PeriodicNewtonSolver(F, u, [], mpc)
    info = solver.solve()
    solver.destroy()
    assert info.iterations >= 2  # it is nonlinear
    quarter = ufl.conditional(ufl.And(ufl.lt(x[0], 1.0), ufl.lt(x[1], 0.5)), 1.0, 0.0)
    return [
        assemble_global(fem.form(quarter * q * ufl.dx))
        for q in (u, u**2, ufl.inner(ufl.grad(u), ufl.grad(u)))
    ]


def _nonlinear_neumann(comm):
    domain = rectangle(8, lx=1.0, ly=0.5, comm=comm, quads=True)
    V = fem.functionspace(domain.mesh, ("Lagrange", 1))
    u, v = fem.Function(V), ufl.TestFunction(V)
    x = ufl.SpatialCoordinate(domain.mesh)
    f = 2.0 * ufl.cos(np.pi * x[0]) * (1.0 + ufl.cos(2 * np.pi * x[1])) + 0.3
    F = (ufl.inner(ufl.grad(u), ufl.grad(v)) + (u**3 + u - f) * v) * ufl.dx
    solver = NewtonSolver(F, u, [])
    solver.solve()
    solver.destroy()
    return [
        assemble_global(fem.form(q * ufl.dx))
        for q in (u, u**2, ufl.inner(ufl.grad(u), ufl.grad(u)))
    ]


def test_nonlinear_periodic_solve_matches_the_neumann_solve_on_the_half_domain():
    periodic = _nonlinear_periodic(MPI.COMM_WORLD)
    neumann = _nonlinear_neumann(MPI.COMM_WORLD)
    assert abs(periodic[1]) > 0.02
    assert np.allclose(periodic, neumann, rtol=1e-9, atol=1e-12), (periodic, neumann)


def test_serial_and_parallel_periodic_solves_agree():
    """Every rank also solves the whole problem alone (COMM_SELF): the same numbers."""
    distributed = _nonlinear_periodic(MPI.COMM_WORLD)
    alone = _nonlinear_periodic(MPI.COMM_SELF)
    assert np.allclose(distributed, alone, rtol=1e-10, atol=1e-13), (distributed, alone)
