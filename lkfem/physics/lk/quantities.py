"""Derived quantities of an LK solution: heat flows, energies and the energy balance.

Heat through a temperature boundary is the residual of the energy equation tested with the
indicator of the boundary's dofs (a conservative flux), so that

    d/dt ∫ C T dx = ∫ Q dx − Σ_boundaries (heat leaving)

holds to solver tolerance at every step, with the time derivative of the scheme in use.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from lkfem.core.bcs import Temperature
from lkfem.physics.lk.problem import LKProblem

__all__ = ["Quantities"]


class Quantities:
    """Compiled forms for the derived quantities of ``problem``; evaluate with :meth:`evaluate`."""

    def __init__(self, problem: LKProblem):
        self.problem = problem
        domain = problem.domain
        self.comm = domain.comm
        dx, ds = problem.dx_operator, problem.ds  # the residual's quadrature: balances close
        q, T = problem.q, problem.T
        Tdot = problem.time_derivative(1)
        self.exterior = domain.exterior_boundaries()

        energy_density = 0
        rate = 0
        free = 0
        for tags, _, region in problem.groups:
            co = problem.coefficients[region]
            q2 = ufl.inner(q, q)
            energy_density += co.C * T * dx(tags)
            rate += co.C * Tdot * dx(tags)
            f = (
                ufl.inner(problem.coefficients[region].apply(co.A, q), q) / 2
                + co.b * q2**2 / 4
                + co.c * q2**3 / 6
            )
            if problem.element == "hdiv":
                f += -co.zeta * T * ufl.div(q)
            else:
                f += co.zeta * ufl.inner(q, ufl.grad(T))
                if not _zero(co.lam):
                    f += co.lam / 2 * ufl.inner(ufl.grad(q), ufl.grad(q))
                if not _zero(co.lam_d):
                    f += co.lam_d / 2 * ufl.div(q) ** 2
            free += f * dx(tags)
        self.forms: dict[str, Any] = {
            "thermal_energy_J": fem.form(energy_density),
            "energy_rate_W": fem.form(rate),
            "free_energy": fem.form(free),
            "source_power_W": fem.form(problem.Q * problem.dx_domain),
        }
        # Heat leaving through each exterior boundary.
        self.flow_forms: dict[str, Any] = {}
        known = problem.known_fluxes()
        n = ufl.FacetNormal(domain.mesh)
        claimed = np.zeros(
            problem.V_T.dofmap.index_map.size_local + problem.V_T.dofmap.index_map.num_ghosts,
            dtype=bool,
        )
        self.indicators = []
        for name in self.exterior:
            tag = domain.boundaries[name]
            bc = problem.bcs.get(name)
            if name in known:
                self.flow_forms[name] = fem.form(known[name] * ds(tag))
            elif isinstance(bc, Temperature) and problem.element != "hdiv":
                dofs = next(d for b, d, _, _ in problem.dirichlet if b == name)[1]
                w = fem.Function(problem.V_T)
                w.x.array[dofs[~claimed[dofs]]] = 1.0
                claimed[dofs] = True
                self.indicators.append(w)
                residual = (
                    problem.energy_terms(w)
                    + sum(
                        co.C * Tdot * w * dx(tags)
                        for tags, _, region in problem.groups
                        for co in [problem.coefficients[region]]
                    )
                    - problem.Q * w * problem.dx_domain
                )
                self.flow_forms[name] = fem.form(-residual)
            elif problem.element == "hdiv" or bc is not None:
                self.flow_forms[name] = fem.form(ufl.dot(q, n) * ds(tag))
            # else: an adiabatic boundary, q·n = 0 by the weak form (flow 0)
        self.interface_forms = self._interface_forms(q)
        # Heat leaving the active side through each interface with an exchange condition.
        self.exchange_forms = {
            name: fem.form(flux * problem.dS(domain.boundaries[name]))
            for name, flux in problem.exchange_fluxes().items()
        }

    def _interface_forms(self, q: Any) -> dict[str, tuple[str, str, Any]]:
        """Heat from region A to region B through each named interface (A, B by adjacency)."""
        domain = self.problem.domain
        mesh = domain.mesh
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim - 1, tdim)
        f2c = mesh.topology.connectivity(tdim - 1, tdim)
        cell_region = np.full(
            mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts,
            -1,
            dtype=np.int64,
        )
        cell_region[domain.cell_tags.indices] = domain.cell_tags.values
        by_tag = {tag: name for name, tag in domain.regions.items()}
        V0 = fem.functionspace(mesh, ("DG", 0))
        n = ufl.FacetNormal(mesh)
        out = {}
        for name in domain.boundaries:
            if name in self.exterior:
                continue
            pairs: dict[tuple[int, int], int] = {}
            for facet in domain.boundary_facets(name):
                cells = f2c.links(facet)
                if len(cells) == 2:
                    key = tuple(sorted(int(cell_region[c]) for c in cells))
                    pairs[key] = pairs.get(key, 0) + 1
            merged: dict[tuple[int, int], int] = {}
            for local in self.comm.allgather(pairs):
                for key, count in local.items():
                    merged[key] = merged.get(key, 0) + count
            if not merged:
                continue
            a, b = max(sorted(merged), key=lambda k: merged[k])
            if a == b or a not in by_tag or b not in by_tag:
                continue
            chi = fem.Function(V0)
            chi.x.array[domain.cell_tags.find(a)] = 1.0
            chi.x.scatter_forward()
            flux = chi("+") * ufl.dot(q("+"), n("+")) + chi("-") * ufl.dot(q("-"), n("-"))
            out[name] = (
                by_tag[a],
                by_tag[b],
                fem.form(flux * self.problem.dS(domain.boundaries[name])),
            )
            self.indicators.append(chi)
        return out

    def _sum(self, form: Any) -> float:
        return float(self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM))

    def evaluate(self) -> dict[str, Any]:
        """The quantities at the problem's current state (and its current time derivative)."""
        values = {name: self._sum(form) for name, form in self.forms.items()}
        flows = {
            name: self._sum(self.flow_forms[name]) if name in self.flow_forms else 0.0
            for name in self.exterior
        }
        values["heat_flow_W"] = flows
        values["interface_flow_W"] = {
            name: {"from": a, "to": b, "W": self._sum(form)}
            for name, (a, b, form) in self.interface_forms.items()
        }
        values["exchange_flow_W"] = {
            name: self._sum(form) for name, form in self.exchange_forms.items()
        }
        values["balance_error_W"] = values["energy_rate_W"] - (
            values["source_power_W"] - sum(flows.values()) - sum(values["exchange_flow_W"].values())
        )
        return values


def _zero(value: Any) -> bool:
    return (isinstance(value, float) and value == 0.0) or isinstance(value, ufl.constantvalue.Zero)
