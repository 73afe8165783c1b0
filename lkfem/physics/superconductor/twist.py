"""The twist phase θ of one heat-superconducting rod piece, and the spectrum of a time series.

Quasi-static twist (docs/theory.md, "Heat superconductor"): at each instant θ solves, in the
piece Ω_p with ω0 = ω0(T_s,p),

    −∇·(κ ω0 ∇θ) = −C_s dT_s/dt   in Ω_p,     κ ω0 ∂θ/∂n = g   on its interfaces,

with g the heat entering per unit area (0 on free surfaces) and ∫_Ω_p θ dx = 0. Weak form, θ
and ψ in P1 restricted to the piece (the dofs touching no cell of the piece are fixed to 0, so
the pieces' twists are independent across a weak link):

    ∫ κ ∇θ·∇ψ dx = (1/ω0) [ −∫ C_s (dT_s/dt) ψ dx + ∫ g ψ dS ].

The piece's energy balance makes the right side orthogonal to the constants: the pure Neumann
problem is solved by CG with the constant on the piece as null space, then the mean removed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import ufl
from dolfinx import fem, la
from dolfinx.fem import petsc as fem_petsc
from mpi4py import MPI
from petsc4py import PETSc

import lkfem._compat as _compat
from lkfem.errors import SolverError
from lkfem.solvers.reasons import ksp_reason

__all__ = ["TwistSolver", "supercurrent_fields", "spectrum", "spectral_peak", "dominant_frequency"]


class TwistSolver:
    """θ of one piece (cells ``cells``, region tags ``tags``) on the P1 space ``V``.

    Args:
        V: P1 space on the whole mesh.
        dx: the cell measure (region tags as subdomains).
        tags: the piece's region tags, with each region's stiffness κ (J/m): ``{tag: κ}``.
        cells: local indices of the piece's cells (ghosts included).
        rhs: a UFL linear form in the test function ``self.psi`` (set with :meth:`set_rhs`).
    """

    def __init__(self, V: fem.FunctionSpace, dx: Any, tags: dict[int, float], cells: np.ndarray):
        self.V = V
        mesh = V.mesh
        self.comm = mesh.comm
        self.theta = fem.Function(V, name="theta")
        u, self.psi = ufl.TrialFunction(V), ufl.TestFunction(V)
        self._zero = fem.Constant(mesh, PETSc.ScalarType(0.0))
        a = sum(
            kappa * ufl.inner(ufl.grad(u), ufl.grad(self.psi)) * dx(tag)
            for tag, kappa in tags.items()
        )
        a += self._zero * u * self.psi * dx  # the whole sparsity pattern
        self.dx_piece = dx(tuple(tags))
        marker = fem.Function(V)
        marker.x.array[np.unique(V.dofmap.list[cells])] = 1.0
        marker.x.scatter_reverse(la.InsertMode.add)
        marker.x.scatter_forward()
        self.inside = marker.x.array > 0
        outside = np.flatnonzero(~self.inside).astype(np.int32)
        self.bc = fem.dirichletbc(fem.Function(V), outside)
        self.a = fem.form(a)
        self.A = fem_petsc.assemble_matrix(self.a, bcs=[self.bc])
        self.A.assemble()
        null = _compat.create_vector(V)
        n = V.dofmap.index_map.size_local
        null.array[:] = self.inside[:n].astype(float)
        null.normalize()
        self.nullspace = PETSc.NullSpace().create(vectors=[null], comm=self.comm)
        self.A.setNullSpace(self.nullspace)
        self.ksp = PETSc.KSP().create(self.comm)
        self.ksp.setOperators(self.A)
        self.ksp.setType("cg")
        self.ksp.getPC().setType("jacobi")
        self.ksp.setTolerances(rtol=1e-12, atol=1e-300, max_it=20_000)
        self.b = _compat.create_vector(V)
        self.volume = self.comm.allreduce(
            fem.assemble_scalar(fem.form(1.0 * self.dx_piece)), op=MPI.SUM
        )
        self._mean = fem.form(self.theta * self.dx_piece)
        gdim = mesh.geometry.dim
        self._means = [
            [fem.form(self.theta.dx(i) * self.dx_piece) for i in range(gdim)],
            [
                fem.form(sum(kappa * self.theta.dx(i) * dx(tag) for tag, kappa in tags.items()))
                for i in range(gdim)
            ],
        ]
        self.L: Any = None

    def set_rhs(self, L: Any) -> None:
        """The right-hand side, a UFL form linear in ``self.psi`` (compiled once)."""
        self.L = fem.form(L)

    def solve(self) -> fem.Function:
        """θ for the current values of the right side's coefficients (zero mean on the piece)."""
        with self.b.localForm() as local:
            local.set(0.0)
        fem_petsc.assemble_vector(self.b, self.L)
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        n = self.V.dofmap.index_map.size_local
        self.b.array[~self.inside[:n]] = 0.0
        self.nullspace.remove(self.b)  # the balance makes this round-off only
        x = self.theta.x.petsc_vec
        self.ksp.solve(self.b, x)
        if self.ksp.getConvergedReason() <= 0:
            raise SolverError(
                f"twist solve did not converge ({ksp_reason(self.ksp.getConvergedReason())})"
            )
        self.theta.x.scatter_forward()
        mean = self.comm.allreduce(fem.assemble_scalar(self._mean), op=MPI.SUM) / self.volume
        self.theta.x.array[self.inside] -= mean
        self.theta.x.scatter_forward()
        return self.theta

    def means(self) -> tuple[np.ndarray, np.ndarray]:
        """The volume means over the piece of ∇θ (rad/m) and of κ∇θ (J/m² per rad), after
        :meth:`solve`: what a user would otherwise dig out of the written θ field."""
        values = [
            np.array([self.comm.allreduce(fem.assemble_scalar(f), op=MPI.SUM) for f in forms])
            for forms in self._means
        ]
        return values[0] / self.volume, values[1] / self.volume

    def destroy(self) -> None:
        for obj in (self.ksp, self.A, self.b, self.nullspace):
            obj.destroy()


def supercurrent_fields(
    parts: list[tuple[TwistSolver, float, list[tuple[np.ndarray, float]]]],
) -> tuple[fem.Function, fem.Function]:
    """θ as one P1 field (each piece's own θ on its dofs, the average where pieces meet) and
    j_s = −κ ω0 ∇θ (cellwise constant), from (solver, ω0, [(cells, κ) per region]) per piece."""
    V = parts[0][0].V
    mesh = V.mesh
    theta = fem.Function(V, name="theta")
    count = np.zeros_like(theta.x.array)
    j = fem.Function(fem.functionspace(mesh, ("DG", 0, (mesh.geometry.dim,))), name="j_s")
    for solver, omega, regions in parts:
        theta.x.array[solver.inside] += solver.theta.x.array[solver.inside]
        count[solver.inside] += 1
        for cells, kappa in regions:
            expr = -kappa * omega * ufl.grad(solver.theta)
            j.interpolate(_compat.expression(expr, j.function_space), cells0=cells)
    theta.x.array[count > 0] /= count[count > 0]
    theta.x.scatter_forward()
    j.x.scatter_forward()
    return theta, j


def spectrum(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-sided amplitude spectrum of ``y`` sampled at uniform times ``t`` (mean removed, Hann
    window): angular frequencies (rad/s) and amplitudes (units of y)."""
    t, y = np.asarray(t, float), np.asarray(y, float)
    if t.size < 4:
        return np.zeros(0), np.zeros(0)
    dt = (t[-1] - t[0]) / (t.size - 1)
    window = np.hanning(t.size)
    Y = np.fft.rfft((y - y.mean()) * window)
    amplitude = 2 * np.abs(Y) / window.sum()
    return 2 * np.pi * np.fft.rfftfreq(t.size, dt), amplitude


def spectral_peak(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The angular frequency (rad/s) and the amplitude of the highest spectral peak of ``y(t)``
    (uniform samples), both refined by a parabola through the logarithms of the three bins
    around it (exact for a Gaussian peak; the Hann window's main lobe is close to one): a
    sinusoid's amplitude to about 1 %. (0, 0) for a constant signal."""
    omega, amplitude = spectrum(t, y)
    if omega.size < 3 or amplitude[1:].max() <= 0:
        return 0.0, 0.0
    k = 1 + int(np.argmax(amplitude[1:]))
    if k >= omega.size - 1:
        return float(omega[k]), float(amplitude[k])
    a, b, c = np.log(np.maximum(amplitude[k - 1 : k + 2], 1e-300))
    curvature = a - 2 * b + c
    shift = 0.5 * (a - c) / curvature if curvature != 0 else 0.0
    height = np.exp(b - (a - c) ** 2 / (8 * curvature)) if curvature < 0 else np.exp(b)
    return float(omega[k] + shift * (omega[1] - omega[0])), float(height)


def dominant_frequency(t: np.ndarray, y: np.ndarray) -> float:
    """The angular frequency (rad/s) of the highest spectral peak of ``y(t)``
    (:func:`spectral_peak`); 0 for a constant signal."""
    return spectral_peak(t, y)[0]
