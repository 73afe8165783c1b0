"""The iterative solver's Krylov iterations at corners of the robustness matrix (contrast,
ℓ, Γ/Δt; Taylor–Hood and primal) on a small mesh, and which T-block approximation each
regime takes (lkfem/solvers/block.py; the full matrix is in docs/performance.md)."""

import numpy as np
import pytest
from mpi4py import MPI
from petsc4py import PETSc

import lkfem as lk
from tests.regions import two_regions

N = 16


def solve(element, contrast, ell, ratio, n=N, ell_a=None):
    """(Krylov iterations, T-block approximation) of a steady solve (ratio None) or one
    backward-Euler step with Γ/Δt = ratio × A (``ell_a``: another ℓ in region a)."""
    dt = 0.01
    tau = 0.0 if ratio is None else ratio * dt
    materials = {
        "a": lk.Material(k=1.0, tau=tau, ell=ell if ell_a is None else ell_a, C=1.0),
        "b": lk.Material(k=contrast, tau=tau, ell=ell, C=1.0),
    }
    problem = lk.LKProblem(
        two_regions(n),
        materials,
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element=element,
        petsc_options={"linear_solver": "iterative"},
    )
    if ratio is None:
        iterations = problem.solve_steady().linear_iterations
    else:
        problem.set_initial(T0=0.0)
        settings = lk.TimeSettings(t_end=dt, dt=dt, scheme="backward_euler")
        iterations = lk.run_transient(problem, settings)[0].linear_iterations
    schur = problem._preconditioner.schur
    problem.destroy()
    return iterations, schur


@pytest.mark.parametrize(
    ("element", "contrast", "ell", "ratio", "schur", "most"),
    [
        # the target, ≤ 30 (measured 5–22 at this size)
        ("primal", 1e4, 0.0, None, "selfp", 30),
        ("primal", 1e-4, 0.0, 1e3, "selfp", 30),
        ("primal", 1.0, 0.0, 1e3, "selfp", 30),  # was 51 before Γ/Δt entered the T block
        ("taylor_hood", 1e4, 0.0, None, "cahouet_chabard", 30),
        # 30 on one rank, 31 on two (BoomerAMG coarsens each partition on its own)
        ("taylor_hood", 1.0, 1.0, None, "cahouet_chabard", 32),
        ("taylor_hood", 1.0, 0.05, 1e3, "cahouet_chabard", 30),  # was 34
        ("taylor_hood", 1e4, 0.05, 1e3, "cahouet_chabard", 30),  # was 258
        ("taylor_hood", 1e-4, 0.05, 1e-3, "cahouet_chabard", 30),  # was 432
        # contrast with ℓ > 0, steady: 220–230 with one region-wise weight, 30–40 with BFBt;
        # the harmonic weight of the λ-part at the interface gives 19–21
        ("taylor_hood", 1e-4, 1.0, None, "cahouet_chabard", 30),
        ("taylor_hood", 1e4, 1.0, None, "cahouet_chabard", 30),
        ("taylor_hood", 1e4, 0.05, None, "cahouet_chabard", 30),
    ],
)
def test_krylov_iterations_at_corners(element, contrast, ell, ratio, schur, most):
    iterations, chosen = solve(element, contrast, ell, ratio)
    assert chosen == schur
    assert 1 <= iterations <= most


@pytest.mark.parametrize(("contrast", "ell"), [(1e4, 1.0), (1e-4, 0.05)])
def test_contrast_iterations_flat_under_refinement(contrast, ell):
    """The hard cells of the matrix (a contrast with ℓ > 0, steady) on two meshes: with the
    arithmetic mean of λ at the interface nodes they did not converge, with BFBt they grew
    by half per refinement (docs/performance.md); now one refinement adds at most 2."""
    coarse, _ = solve("taylor_hood", contrast, ell, None)
    fine, _ = solve("taylor_hood", contrast, ell, None, n=2 * N)
    assert coarse <= 30 and fine <= 30
    assert fine <= coarse + 2


@pytest.mark.parametrize("contrast", [1.0, 1e-4])
def test_region_without_lambda_next_to_one_with(contrast):
    """ℓ = 0 in region a, ℓ = 1 in b: where b is the stiffer side, its λ-part must not reach
    the interface nodes (the plain harmonic mean: 20–26; b's λ there: 226–643, or no
    convergence); the mean weighted by the flux operator's size keeps ≤ 30."""
    iterations, schur = solve("taylor_hood", contrast, 1.0, None, ell_a=0.0)
    assert schur == "cahouet_chabard"
    assert 1 <= iterations <= 30


def test_thin_layer_transient_step():
    """One backward-Euler step on the 3D spherical cloak, its thin inner layer 1e4 times as
    conducting, ℓ = 1, Γ/Δt = 1e-3 A: 67 Krylov iterations with the sum form
    (μM + K)⁻¹ + w of the T block, 24 with the harmonic combination (μM + (K⁻¹ + r)⁻¹)⁻¹."""
    from lkfem.mesh.generators import build

    domain = build("spherical_cloak", {"h": 0.25, "h_interface": 0.07}, MPI.COMM_WORLD)
    dt = 0.01
    ks = {"object": 1.0, "inner_layer": 1e4, "outer_layer": 2.0, "background": 1.0}
    problem = lk.LKProblem(
        domain,
        {name: lk.Material(k=k, tau=1e-3 * dt, ell=1.0, C=1.0) for name, k in ks.items()},
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element="taylor_hood",
        petsc_options={"linear_solver": "iterative"},
    )
    problem.set_initial(T0=0.0)
    settings = lk.TimeSettings(t_end=dt, dt=dt, scheme="backward_euler")
    iterations = lk.run_transient(problem, settings)[0].linear_iterations
    problem.destroy()
    assert 1 <= iterations <= 30


def test_t_block_exact_where_the_time_term_dominates():
    """With C/Δt far above the steady Schur complement (ℓ = 1, contrast 1e-4, μ = C/Δt =
    1e4) S ≈ μM, and the T block must give back (μM_L)⁻¹ on the lumped time term μM_L 1, i.e.
    1 at every free node. The sum form (μM + K)⁻¹ + s_d⟨λ/(ζ + λμ)⟩/m gave 1 + s_d = 4."""
    import ufl
    from dolfinx import fem

    dt = 1e-4
    problem = lk.LKProblem(
        two_regions(8),
        {name: lk.Material(k=k, ell=1.0, C=1.0) for name, k in (("a", 1.0), ("b", 1e-4))},
        {"left": lk.Temperature(value=1.0), "right": lk.Temperature(value=0.0)},
        element="taylor_hood",
        petsc_options={"linear_solver": "iterative"},
    )
    problem.set_initial(T0=0.0)
    lk.run_transient(problem, lk.TimeSettings(t_end=dt, dt=dt, scheme="backward_euler"))
    context = problem._preconditioner.context
    v = ufl.TestFunction(problem.V_T)
    lumped = fem.petsc.assemble_vector(fem.form(v / dt * ufl.dx))
    lumped.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    n = context.n
    x = PETSc.Vec().createWithArray(lumped.array_r[:n][context.order].copy(), comm=MPI.COMM_SELF)
    y = x.duplicate()
    context.apply(None, x, y)
    result = np.empty(n)
    result[context.order] = y.array_r
    free = np.setdiff1d(np.arange(n), context.T_bc_dofs)
    problem.destroy()
    assert free.size > 0
    assert np.allclose(result[free], 1.0, atol=0.02)


def _component_pc(problem):
    """The ComponentAMG context of the flux block of ``problem``'s last solve."""
    q_ksp = problem.solver().snes.getKSP().getPC().getFieldSplitSubKSP()[0]
    return q_ksp.getPC().getPythonContext()


@pytest.mark.parametrize(
    ("boundaries", "hierarchies"),
    [
        # temperature everywhere: the components decouple, A_xx = A_yy, one AMG serves both
        (("left", "right", "front", "back"), 1),
        # adiabatic front and back (y = 0, 1): the Nitsche terms of q·n = 0 act on q_y only
        (("left", "right"), 2),
    ],
)
def test_flux_block_one_scalar_amg_per_component(boundaries, hierarchies):
    materials = {name: lk.Material(k=1.0, ell=0.2) for name in ("a", "b")}
    domain = two_regions(8)
    conditions = {name: lk.Temperature(value=1.0 if name == "left" else 0.0) for name in boundaries}
    problem = lk.LKProblem(
        domain,
        materials,
        conditions,
        element="taylor_hood",
        petsc_options={"linear_solver": "iterative"},
    )
    iterations = problem.solve_steady().linear_iterations
    context = _component_pc(problem)
    # the component sets split the owned flux rows: each row once, d sets of equal size
    rows = np.concatenate([positions for positions, *_ in context.parts])
    start, end = (
        problem.solver()
        .snes.getKSP()
        .getPC()
        .getFieldSplitSubKSP()[0]
        .getOperators()[0]
        .getOwnershipRange()
    )
    assert len(context.parts) == 2
    assert np.array_equal(np.sort(rows), np.arange(end - start))
    # on 2 ranks equal blocks differ by round-off (summation order): still one hierarchy
    assert len({id(ksp) for _, ksp, *_ in context.parts}) == hierarchies
    assert 1 <= iterations <= 30
    problem.destroy()


def _tridiagonal(n, diagonal, off, comm, zero_first_off=False):
    """A parallel AIJ tridiagonal matrix; ``zero_first_off``: its first off-diagonal entry is
    left out of the pattern instead of being stored (value ``off``)."""
    A = PETSc.Mat().createAIJ(((None, n), (None, n)), nnz=3, comm=comm)
    A.setOption(PETSc.Mat.Option.NEW_NONZERO_ALLOCATION_ERR, False)
    start, end = A.getOwnershipRange()
    for i in range(start, end):
        A.setValue(i, i, diagonal)
        for j in (i - 1, i + 1):
            if 0 <= j < n and not (zero_first_off and {i, j} == {0, 1}):
                A.setValue(i, j, off)
    A.assemble()
    return A


@pytest.mark.parametrize(
    ("b_args", "same"),
    [
        ((2.0 * (1 + 1e-15), -1.0), True),  # the same pattern, entries equal up to round-off
        ((2.0, -1.0 + 1e-6), False),  # the same pattern, other entries
        ((2.0, 0.0, True), False),  # another pattern: compared by Mat.axpy (other entries)
    ],
)
def test_component_blocks_compared_up_to_round_off(b_args, same):
    from lkfem.solvers.components import _same

    comm = MPI.COMM_WORLD
    a = _tridiagonal(20, 2.0, -1.0, comm)
    b = _tridiagonal(20, *b_args[:2], comm, *b_args[2:])
    assert _same(a, b) is same
    assert _same(a, a) is True
    # another pattern with the same entries (an explicit zero against none) is equal
    z = _tridiagonal(20, 2.0, 0.0, comm)
    assert _same(z, _tridiagonal(20, 2.0, 0.0, comm, True)) is True
    for m in (a, b, z):
        m.destroy()
