"""Initial states of thermal domains: random (the same field on any number of ranks), ordered
(|q| at the Landau minimum of each point's coefficients) or uniform.

The random state is a sum of M Fourier modes drawn once from ``seed`` (every rank draws the
same ones) and evaluated at the interpolation points' coordinates, so it does not depend on how
the mesh is partitioned:

    q_i(x) = A √(2/M) Σ_m g_mi cos(k_m·x + φ_m),   k_m ~ N(0, 1/ℓ²), φ_m ~ U(0, 2π), g ~ N(0, 1)

Each component has r.m.s. A and correlation ⟨q_i(x) q_i(x+r)⟩ = A² exp(−|r|²/(2ℓ²)).
Its cost is M × points (4.3 GB per rank for 2048 modes on 526 k unknowns on 2 ranks), and few
modes leave too few independent domains for coarsening (docs/verification.md).

The noise state costs O(points): white noise at each P1 node of q (a normal number from a hash
of the seed, the component and the node's coordinates rounded to 10⁻⁹ of the mesh's extent, so
any partition gives it), smoothed over ℓ by one Helmholtz solve (−ℓ²Δ + 1) q = noise (natural
boundary conditions; on a mesh with periodic pairs the noise and the solve are periodic, so the
start has no seam there), then scaled to the r.m.s. A per component. Its spectrum is that of the
screened Laplacian, S(k) ∝ 1/(1 + ℓ²k²)², so its structure grows linearly with ℓ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

import lkfem._compat as _compat
from lkfem.errors import CaseError
from lkfem.physics.domains.problem import negative_part
from lkfem.solvers.linear import solve_once
from lkfem.solvers.newton import direct_solver_options
from lkfem.solvers.periodic import periodic_constraint, solve_linear

if TYPE_CHECKING:
    from lkfem.core.domain import Domain
    from lkfem.physics.domains.problem import DomainsProblem
    from lkfem.physics.domains.section import InitialState

__all__ = [
    "noise_field",
    "white_noise",
    "random_modes",
    "set_initial",
    "equilibrium_modulus",
    "project_divergence_free",
]


def random_modes(
    seed: int, modes: int, gdim: int, length: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(wave vectors M×gdim, phases M, amplitudes M×gdim), the same on every rank."""
    rng = np.random.default_rng(seed)
    k = rng.normal(size=(modes, gdim)) / length
    phase = rng.uniform(0.0, 2 * np.pi, size=modes)
    g = rng.normal(size=(modes, gdim))
    return k, phase, g


def _random_field(state: InitialState, gdim: int) -> Any:
    k, phase, g = random_modes(state.seed, state.modes, gdim, state.correlation_length)
    scale = state.amplitude * np.sqrt(2.0 / state.modes)

    def field(x: np.ndarray) -> np.ndarray:
        arg = k @ x[:gdim] + phase[:, None]  # M × points
        return scale * (g.T @ np.cos(arg))

    return field


_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def _mix(z: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a bijective avalanche hash of 64-bit integers."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return (z ^ (z >> np.uint64(31))) & _MASK


def white_noise(points: np.ndarray, seed: int, component: int, extent: float) -> np.ndarray:
    """Standard normal numbers, one per row of ``points`` (n × 3), that depend only on the
    seed, the component and each point's coordinates rounded to 10⁻⁹ ``extent``."""
    cells = np.rint(np.asarray(points, dtype=float) / (1e-9 * extent)).astype(np.int64)
    with np.errstate(over="ignore"):
        h = _mix(np.full(len(cells), np.uint64(seed) * np.uint64(4) + np.uint64(component)))
        for j in range(cells.shape[1]):
            h = _mix(h ^ (cells[:, j].astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)))
    u1 = ((h >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53  # (0, 1)
    u2 = ((_mix(h) >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)  # Box–Muller


def noise_field(
    mesh: Any, state: InitialState, gdim: int, *, domain: Domain | None = None
) -> fem.Function:
    """The noise state on P1 (vector of ``gdim`` components): white noise smoothed over
    ``state.correlation_length`` by one Helmholtz solve, r.m.s. ``state.amplitude`` each.

    With a ``domain`` that has periodic pairs (``[mesh] periodic``) the noise and the solve live
    on the periodic functions (:func:`lkfem.solvers.periodic.periodic_constraint`: an image
    boundary's node takes its source's noise), so the field has no seam there; the result is
    then a function on the constraint's space.
    """
    V = fem.functionspace(mesh, ("Lagrange", 1, (gdim,)))
    pairs = domain.periodic if domain is not None else []
    constraint = periodic_constraint(V, domain, pairs) if pairs else None
    U = V if constraint is None else constraint.function_space
    owned = U.dofmap.index_map.size_local  # the ghosts take their owners' values
    x = U.tabulate_dof_coordinates()[:owned]
    comm = mesh.comm
    lo, hi = np.empty(3), np.empty(3)
    comm.Allreduce(x.min(axis=0) if len(x) else np.full(3, np.inf), lo, op=MPI.MIN)
    comm.Allreduce(x.max(axis=0) if len(x) else np.full(3, -np.inf), hi, op=MPI.MAX)
    extent = float(np.max(hi - lo)) or 1.0
    noise = fem.Function(U)
    values = noise.x.array.reshape(-1, gdim)
    for i in range(gdim):
        values[:owned, i] = white_noise(x, state.seed, i, extent)
    noise.x.scatter_forward()
    ell2 = fem.Constant(mesh, PETSc.ScalarType(state.correlation_length**2))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    a = (ell2 * ufl.inner(ufl.grad(u), ufl.grad(v)) + ufl.inner(u, v)) * ufl.dx
    L = ufl.inner(noise, v) * ufl.dx
    q = fem.Function(U)
    options = {"ksp_type": "cg", "pc_type": "jacobi", "ksp_rtol": 1e-12, "ksp_atol": 0.0}
    if constraint is not None:
        constraint.backsubstitution(noise)  # the images' noise is their sources'
        solve_linear(a, L, q, [], constraint, defaults=options, name="domains_noise")
    else:
        A = fem_petsc.assemble_matrix(fem.form(a))
        A.assemble()
        b = fem_petsc.assemble_vector(fem.form(L))
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        solve_once(A, b, q.x.petsc_vec, defaults=options, name="domains_noise")
        q.x.scatter_forward()
    mean2 = fem.form(ufl.inner(q, q) * ufl.dx)
    volume = fem.form(1.0 * ufl.dx(domain=mesh))
    power = comm.allreduce(fem.assemble_scalar(mean2), op=MPI.SUM)
    size = comm.allreduce(fem.assemble_scalar(volume), op=MPI.SUM)
    rms = np.sqrt(power / (gdim * size))
    q.x.array[:] *= state.amplitude / rms if rms > 0 else 0.0
    return q


def equilibrium_modulus(co: Any) -> Any:
    """|q| at the minimum of a/2 s + b/4 s² + c/6 s³ over s = |q|² ≥ 0 (UFL): 0 where a ≥ 0
    (for b ≥ 0), √(−a/b) for c = 0, the root of a + b s + c s² = 0 otherwise."""
    a, b, c = co.A, co.b, co.c
    if isinstance(c, float) and c == 0.0:
        return ufl.sqrt(negative_part(a) / b)
    s = (-b + ufl.sqrt(b * b + 4 * c * negative_part(a))) / (2 * c)
    return ufl.sqrt(ufl.max_value(s, 0.0))


def set_initial(problem: DomainsProblem, state: InitialState, T0: float | str = 0.0) -> None:
    """Set u and uⁿ: q from ``state``, the coupled variant's T from ``T0``, p = 0."""
    gdim = problem.gdim
    q = fem.Function(problem.V_q)
    origin = problem.origin
    zero = fem.Constant(problem.domain.mesh, PETSc.ScalarType(0.0))
    u = problem.u
    u.x.array[:] = 0.0
    if problem.variant == "coupled":  # T first: the ordered state's coefficients see it
        s = fem.Function(problem.V_s)
        T = problem._parse(T0, "initial.T")
        if isinstance(T, float):
            s.x.array[:] = T
        else:
            s.interpolate(_compat.expression(T + zero, problem.V_s))
        u.x.array[problem.s_dofs] = s.x.array
        u.x.scatter_forward()
        problem.u_n.x.array[:] = u.x.array
    if state.kind == "random":
        q.interpolate(_random_field(state, gdim))
    elif state.kind == "noise":
        q.interpolate(noise_field(problem.domain.mesh, state, gdim, domain=problem.domain))
    elif state.kind == "uniform":
        values = state.q or ()
        if len(values) != gdim:
            raise CaseError(origin, "domains.initial.q", f"needs {gdim} components")
        parts = [problem._parse(v, f"domains.initial.q[{i}]") for i, v in enumerate(values)]
        q.interpolate(_compat.expression(ufl.as_vector([p + zero for p in parts]), problem.V_q))
    else:
        direction = np.zeros(gdim)
        direction[0] = 1.0
        if state.direction is not None:
            if len(state.direction) != gdim:
                raise CaseError(origin, "domains.initial.direction", f"needs {gdim} numbers")
            direction = np.asarray(state.direction, dtype=float)
        norm = np.linalg.norm(direction)
        if norm == 0:
            raise CaseError(origin, "domains.initial.direction", "must not be zero")
        e = ufl.as_vector([float(d) / norm for d in direction])
        for tags, _, region in problem.groups:
            cells = np.concatenate([problem.domain.cell_tags.find(t) for t in tags])
            modulus = equilibrium_modulus(problem.co_lag[region])
            expr = _compat.expression(modulus * e + ufl.as_vector([zero] * gdim), problem.V_q)
            q.interpolate(expr, cells0=cells.astype(np.int32))
    q.x.scatter_forward()
    u.x.array[problem.q_dofs] = q.x.array
    u.x.scatter_forward()
    if problem.variant == "conserved":
        project_divergence_free(problem)
    elif problem.bcs:
        problem.update_conditions()
        fem_petsc.set_bc(u.x.petsc_vec, problem.bcs)
        u.x.scatter_forward()
    problem.make_periodic(u)
    problem.u_n.x.array[:] = u.x.array


def project_divergence_free(problem: DomainsProblem) -> None:
    """Replace the conserved variant's q by its L2 projection onto the discretely
    divergence-free fields that take the fixed values (a Stokes-like saddle-point solve on the
    Taylor–Hood pair): the steps' energy bound needs qⁿ in that space from the start."""
    W, u = problem.W, problem.u
    (q, p), (v, r) = ufl.TrialFunctions(W), ufl.TestFunctions(W)
    q0 = ufl.split(u)[0]
    dx = problem.dx
    a = fem.form((ufl.inner(q, v) - p * ufl.div(v) - r * ufl.div(q)) * dx)
    L = fem.form(ufl.inner(q0, v) * dx)
    problem.update_conditions()
    defaults = direct_solver_options()
    if problem.constraint is not None:  # periodic pairs: the constrained solve
        w = fem.Function(problem.constraint.function_space)
        solve_linear(a, L, w, problem.bcs, problem.constraint, defaults=defaults, name="domains_ic")
    else:
        A = fem_petsc.assemble_matrix(a, bcs=problem.bcs)
        A.assemble()
        b = fem_petsc.assemble_vector(L)
        fem_petsc.apply_lifting(b, [a], bcs=[problem.bcs])
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        fem_petsc.set_bc(b, problem.bcs)
        w = fem.Function(W)
        solve_once(A, b, w.x.petsc_vec, defaults=defaults, name="domains_projection")
        w.x.scatter_forward()
    u.x.array[problem.q_dofs] = w.x.array[problem.q_dofs]
    u.x.array[problem.s_dofs] = 0.0
    u.x.scatter_forward()
