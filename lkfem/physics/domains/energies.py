"""The thermal-domain problem's energies and the quantities measured on its state: the free
energy's parts and the order parameter's entropy, a step's energy rise (the convex splitting
makes it ≤ 0), mean |q| and T, ‖∇·q‖ and the conserved variant's discrete constraint, the
relative change of a step.

:class:`DomainEnergies` is a base of :class:`~lkfem.physics.domains.problem.DomainsProblem`: it
reads the problem's measures, state, regions and coefficients (``dx``, ``dx_domain``, ``q``,
``q_n``, ``T_now``, ``T_var``, ``groups``, ``co_now``, ``co_lag``, ``variant``, ``V_s``,
``constraint``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import ufl
from dolfinx import fem, la
from mpi4py import MPI
from petsc4py import PETSc

from lkfem.solvers.periodic import constrained_vector, periodic_constraint

__all__ = ["DomainEnergies", "nonzero"]


def nonzero(value: Any) -> bool:
    """False only for a coefficient that is the number 0."""
    return not (isinstance(value, float) and value == 0.0)


def _gsum(form: Any, comm: MPI.Comm) -> float:
    return float(comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM))


class DomainEnergies:
    """The energies and diagnostics of a :class:`DomainsProblem` (see the module)."""

    def density(self, q: Any, co: Any) -> tuple[Any, Any]:
        """The gradient and Landau energy densities of ``q`` with coefficients ``co``."""
        q2 = ufl.inner(q, q)
        grad = co.lam / 2 * ufl.inner(ufl.grad(q), ufl.grad(q))
        if nonzero(co.lam_d):
            grad += co.lam_d / 2 * ufl.div(q) ** 2
        landau = co.A / 2 * q2 + co.b / 4 * q2**2 + co.c / 6 * q2**3
        return grad, landau

    def _forms(self) -> None:
        """The energies as compiled forms: of the state with its own T (diagnostics), of the
        new and the old state with the step's frozen coefficients (the rise check)."""
        dx, q, q_n = self.dx, self.q, self.q_n
        zc = fem.Constant(self.domain.mesh, PETSc.ScalarType(0.0))
        names = ("gradient", "landau", "coupling", "entropy", "new", "old", "work")
        forms: dict[str, Any] = {k: zc * self.dx_domain for k in names}  # one visit a cell
        for tags, _, region in self.groups:
            co, lag = self.co_now[region], self.co_lag[region]
            grad, landau = self.density(q, co)
            forms["gradient"] += grad * dx(tags)
            forms["landau"] += landau * dx(tags)
            coupling: Any = 0.0
            if self.variant == "coupled":
                coupling = co.zeta * ufl.inner(q, ufl.grad(self.T_now))
                forms["coupling"] += coupling * dx(tags)
                forms["work"] += lag.zeta * ufl.inner(ufl.grad(self.T_now), q - q_n) * dx(tags)
            entropy = -ufl.diff(grad + landau + coupling, self.T_var)
            forms["entropy"] += (entropy + zc) * dx(tags)
            forms["new"] += sum(self.density(q, lag)) * dx(tags)
            forms["old"] += sum(self.density(q_n, lag)) * dx(tags)
        compiled = {k: fem.form(v) for k, v in forms.items()}
        self.energy_forms = {k: compiled[k] for k in names[:4]}
        self.rise_forms = [compiled[k] for k in names[4:]]
        self.abs_q_form = fem.form(ufl.sqrt(ufl.inner(q, q) + 1e-300) * dx)
        self.T_form = fem.form((self.T_now + zc) * dx)
        self.volume = _gsum(fem.form(1.0 * dx), self.comm)
        self.div_form = fem.form(ufl.div(q) ** 2 * dx)
        self.div_weak_form = None
        self._div_constraint = None
        if self.variant == "conserved":
            self.div_weak_form = fem.form(ufl.div(q) * ufl.TestFunction(self.V_s) * dx)

    def energies(self) -> dict[str, float]:
        """F's parts (gradient, Landau, coupling), F and the order parameter's entropy
        −∂F/∂T, at the current state and T."""
        out = {k: _gsum(f, self.comm) for k, f in self.energy_forms.items()}
        out["free"] = out["gradient"] + out["landau"] + out["coupling"]
        return out

    def energy_rise(self) -> tuple[float, float]:
        """(the step's rise, its scale): F(qⁿ⁺¹) − F(qⁿ) with the step's frozen coefficients,
        plus the work ∫ ζ∇Tⁿ⁺¹·(qⁿ⁺¹ − qⁿ) of the coupled variant; the scheme makes it ≤ 0."""
        new, old, work = (_gsum(f, self.comm) for f in self.rise_forms)
        return new + work - old, max(abs(new), abs(old), 1e-300)

    def mean_abs_q(self) -> float:
        return _gsum(self.abs_q_form, self.comm) / self.volume

    def mean_T(self) -> float:
        return _gsum(self.T_form, self.comm) / self.volume

    def divergence_norm(self) -> float:
        """‖∇·q‖ (L2)."""
        return float(np.sqrt(max(_gsum(self.div_form, self.comm), 0.0)))

    def divergence_residual(self) -> float:
        """max_i |∫ ∇·q φ_i dx| over the multiplier's basis functions φ_i: the discrete
        constraint of the conserved variant, zero to the solver's tolerance."""
        assert self.div_weak_form is not None and self.V_s is not None
        if self.constraint is None:
            b = fem.assemble_vector(self.div_weak_form)
            b.scatter_reverse(la.InsertMode.add)
            values = b.array
        else:  # periodic: the test functions of p are the constrained ones
            if self._div_constraint is None:
                self._div_constraint = periodic_constraint(
                    self.V_s, self.domain, self.domain.periodic
                )
            values = constrained_vector(self.div_weak_form, self._div_constraint)
        size = self.V_s.dofmap.index_map.size_local
        local = float(np.max(np.abs(values[:size]), initial=0.0))
        return self.comm.allreduce(local, op=MPI.MAX)

    def change(self) -> float:
        """max|qⁿ⁺¹ − qⁿ| / max(|qⁿ⁺¹|, |qⁿ|) over the q dofs (all ranks)."""
        qd = self.q_dofs
        diff = np.max(np.abs(self.u.x.array[qd] - self.u_n.x.array[qd]), initial=0.0)
        size = max(
            np.max(np.abs(self.u.x.array[qd]), initial=0.0),
            np.max(np.abs(self.u_n.x.array[qd]), initial=0.0),
        )
        diff = self.comm.allreduce(float(diff), op=MPI.MAX)
        size = self.comm.allreduce(float(size), op=MPI.MAX)
        return diff / max(size, 1e-300)
