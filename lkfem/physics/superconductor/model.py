"""The heat superconductor (MODEL.md §3, paper 001 eqs. 3–10): rods of rotating time crystals
between normal reservoirs; model, signs and discretisation in docs/theory.md.

The reservoirs are an :class:`~lkfem.physics.lk.problem.LKProblem` with the rod regions inactive
and a heat exchange κ_SN (T_N − T_s,p) on each SN interface. Each connected rod piece p has a
temperature
T_s,p, a phase φ_p + θ with dφ_p/dt = ω0(T_s,p), and the balance Σ C_s|Ω| dT_s,p/dt = heat in
(contacts, and ∓ E_J ω0 ∫ sin Δ dA through weak links). The reservoir problem is affine in the
T_s: after one reservoir solve, the T_s follow from a small linear system of the reservoirs'
unit responses (cached per Δt) and the reservoir field is corrected by superposition (a chord
iteration when the reservoirs are nonlinear). θ comes from
:mod:`lkfem.physics.superconductor.twist`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from lkfem.core.bcs import BoundaryCondition, Convection
from lkfem.core.domain import Domain
from lkfem.core.materials import Material
from lkfem.errors import CaseError, SolverError
from lkfem.physics.lk.problem import LKProblem
from lkfem.physics.lk.quantities import Quantities
from lkfem.physics.superconductor.forms import compile_forms
from lkfem.physics.superconductor.rods import (
    RodMaterial,
    SNInterface,
    WeakLink,
    interface_regions,
    rod_pieces,
)
from lkfem.physics.superconductor.stepper import SuperconductorStepper
from lkfem.physics.superconductor.twist import TwistSolver, supercurrent_fields
from lkfem.stepping import StepRecord, TimeSettings, march

__all__ = ["RodMaterial", "SNInterface", "WeakLink", "HeatSuperconductor"]


@dataclass(slots=True)
class _Piece:
    name: str
    regions: list[str]
    material: RodMaterial
    heat_capacity: float  # Σ C |Ω| (J/K)
    contacts: list[str]
    Ts: fem.Constant
    Tdot: fem.Constant
    phi: fem.Constant
    inv_omega: fem.Constant
    twist: TwistSolver
    theta_old: fem.Function


class HeatSuperconductor:
    """Reservoirs (the LK model) coupled to heat-superconducting rod pieces.

    Args:
        domain: the mesh (e.g. :mod:`lkfem.meshes.rod_between_reservoirs`).
        materials: the reservoirs' :class:`Material`, by region.
        rods: the rod regions' :class:`RodMaterial`, by region (one ``omega0`` per piece).
        bcs: conditions on the reservoirs' exterior boundaries.
        contacts: the SN interfaces; every rod piece needs one.
        links: the weak links between rod pieces.
        constants: named numbers for expressions (also in ``omega0``).
        origin: how errors name the input.
        **lk_options: passed to :class:`LKProblem` (element, degree, source, petsc_options …).
    """

    def __init__(
        self,
        domain: Domain,
        materials: Mapping[str, Material],
        rods: Mapping[str, RodMaterial],
        bcs: Mapping[str, BoundaryCondition],
        *,
        contacts: Sequence[SNInterface],
        links: Sequence[WeakLink] = (),
        constants: Mapping[str, float] | None = None,
        origin: str = "<python>",
        **lk_options: Any,
    ):
        self.domain, self.origin = domain, origin
        self.constants = dict(constants or {})
        self.contacts = {c.name: c for c in contacts}
        self.links = {link.name: link for link in links}
        mesh = domain.mesh
        for region in rods:
            if region not in domain.regions:
                raise CaseError(origin, f"rods.{region}", f"no region named '{region}'")
        pairs = interface_regions(domain, [*self.contacts, *self.links], origin)
        groups = rod_pieces(domain, list(rods), list(self.links), contacts=list(self.contacts))
        self.rods = dict(rods)

        def constant(value: float = 0.0) -> fem.Constant:
            return fem.Constant(mesh, PETSc.ScalarType(value))

        exchange = {}
        V1 = fem.functionspace(mesh, ("Lagrange", 1))
        self.pieces: list[_Piece] = []
        for regions in groups:
            material = rods[regions[0]]
            if any(rods[r].omega0 != material.omega0 for r in regions):
                raise CaseError(
                    origin, f"rods.{regions[0]}.omega0", "one piece must have one omega0"
                )
            tags = {domain.regions[r]: rods[r].kappa for r in regions}
            cells = np.concatenate([domain.region_cells(r) for r in regions]).astype(np.int32)
            twist = TwistSolver(V1, domain.dx, tags, cells)
            capacity = sum(
                rods[r].C
                * domain.comm.allreduce(
                    fem.assemble_scalar(fem.form(1.0 * domain.dx(domain.regions[r]))),
                    op=MPI.SUM,
                )
                for r in regions
            )
            Ts = constant()
            piece_contacts = [n for n in self.contacts if set(pairs[n]) & set(regions)]
            if not piece_contacts:
                raise CaseError(origin, "contacts", f"rod piece '{regions[0]}' has no SN contact")
            for name in piece_contacts:
                exchange[name] = Convection(h=self.contacts[name].kappa_SN, T_inf=Ts)
            self.pieces.append(
                _Piece(
                    regions[0],
                    regions,
                    material,
                    capacity,
                    piece_contacts,
                    Ts,
                    constant(),
                    constant(),
                    constant(1.0),
                    twist,
                    fem.Function(V1),
                )
            )
        self.problem = LKProblem(
            domain,
            materials,
            bcs,
            inactive=tuple(rods),
            interface_exchange=exchange,
            constants=constants,
            origin=origin,
            **lk_options,
        )
        self.quantities = Quantities(self.problem)
        self._linear = self.problem.is_affine()
        compile_forms(self, pairs)
        self._responses: tuple[Any, list[np.ndarray], np.ndarray] | None = None
        self.Ts_n = self.Ts.copy()
        self.Ts_nn = self.Ts.copy()
        self.slips = {name: 0 for name in self.links}

    # ---- set-up -------------------------------------------------------------------------

    def _rod(self, region: str) -> RodMaterial:
        return self.rods[region]

    def piece_index(self, region: str) -> int:
        return next(i for i, p in enumerate(self.pieces) if region in p.regions)

    # ---- state --------------------------------------------------------------------------

    @property
    def Ts(self) -> np.ndarray:
        """The pieces' temperatures (K)."""
        return np.array([float(p.Ts.value) for p in self.pieces])

    def set_temperatures(self, values: np.ndarray) -> None:
        for piece, value in zip(self.pieces, values, strict=True):
            piece.Ts.value = value

    def omegas(self, Ts: np.ndarray | None = None, when: str | None = None) -> np.ndarray:
        """ω0 of each piece at Ts (the current T_s by default) (rad/s). Where it is not
        positive: a :class:`CaseError` naming the rod's ``omega0`` key and ``when`` (which
        temperature that is), or, without ``when`` (during a run), a :class:`SolverError`."""
        Ts = self.Ts if Ts is None else Ts
        out = []
        for piece, T in zip(self.pieces, Ts, strict=True):
            try:
                out.append(piece.material.omega(T, self.constants))
            except SolverError as exc:
                key = f"superconductor.rods.{piece.regions[0]}.omega0"
                if when is None:
                    raise SolverError(f"[{key}] {exc}") from None
                raise CaseError(self.origin, key, f"{exc} {when}") from None
        return np.array(out)

    def set_initial(
        self,
        T0: float | str = 0.0,
        Ts0: Mapping[str, float] | float | None = None,
        phase0: Mapping[str, float] | None = None,
        q0: Any = None,
    ) -> None:
        """Reservoir temperature T0 and flux q0 (as :meth:`LKProblem.set_initial`), each piece's
        T_s (by piece name, or one number; the mean of its contacts' T0 for a piece not given)
        and phase φ (0 by default); θ = 0; the clock back to t = 0 (a new run)."""
        self.problem.t.value = 0.0
        self.problem.set_initial(T0, q0)
        for piece in self.pieces:
            if isinstance(Ts0, (int, float)):
                value = Ts0
            elif Ts0 is not None and piece.name in Ts0:
                value = Ts0[piece.name]
            else:
                value = self._contact_mean(piece)
            piece.Ts.value = value
            piece.phi.value = (phase0 or {}).get(piece.name, 0.0)
            piece.theta_old.x.array[:] = 0.0
            piece.Tdot.value = 0.0
        self.Ts_n = self.Ts.copy()
        self.Ts_nn = self.Ts.copy()

    def _contact_mean(self, piece: _Piece) -> float:
        num = sum(
            self.contacts[n].kappa_SN
            * self._sum(fem.form(self.problem.T("+") * self.problem.dS(self.domain.boundaries[n])))
            for n in piece.contacts
        )
        den = sum(self.contacts[n].kappa_SN * self.area[n] for n in piece.contacts)
        return num / den

    def _sum(self, form: Any) -> float:
        return float(self.domain.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM))

    # ---- heat ---------------------------------------------------------------------------

    def _heat_scale(self) -> np.ndarray:
        """Σ_contacts ∫ κ_SN |T_N| dA of each piece (W): the size of its contact heat's terms."""
        return np.array(
            [sum(self._sum(self.abs_forms[n]) for n in p.contacts) for p in self.pieces]
        )

    def contact_heat(self) -> dict[str, float]:
        """Heat entering the rod through each SN interface (W)."""
        return {n: self._sum(f) for n, f in self.contact_forms.items()}

    def link_torque(self) -> dict[str, float]:
        """∫ E_J sin Δ dA over each weak link (N m) at the current phases and θ_old."""
        return {n: self.links[n].E_J * self._sum(f) for n, f in self.sin_forms.items()}

    def _contact_heat(self, contact: dict[str, float]) -> np.ndarray:
        return np.array([sum(contact[n] for n in p.contacts) for p in self.pieces])

    def _piece_heat(
        self, contact: dict[str, float], torque: dict[str, float], omega: np.ndarray
    ) -> np.ndarray:
        """Heat entering each piece (W): through its contacts and its weak links."""
        heat = self._contact_heat(contact)
        for name, (i, j) in self.link_ends.items():
            heat[i] -= omega[i] * torque[name]
            heat[j] += omega[j] * torque[name]
        return heat

    # ---- solving ------------------------------------------------------------------------

    def _response(self, key: Any) -> tuple[list[np.ndarray], np.ndarray]:
        """δu_q (the reservoir state's change per unit change of T_s,q) and G_pq = ∂(heat into
        p through its contacts)/∂T_s,q, for the problem's current Jacobian."""
        if self._responses is not None and self._responses[0] == key:
            return self._responses[1], self._responses[2]
        solver = self.problem.solver()
        u = self.problem.u
        x = u.x.petsc_vec.copy()
        r0, r1, du = x.duplicate(), x.duplicate(), x.duplicate()
        solver.assemble_jacobian()  # kept (not refactorised) when it has not changed
        ksp = solver.snes.getKSP()
        ksp.setOperators(solver.A)
        base = self.Ts
        contact0 = self.contact_heat()
        responses, G = [], np.zeros((len(self.pieces), len(self.pieces)))
        for q in range(len(self.pieces)):
            solver._residual(solver.snes, x, r0)
            bumped = base.copy()
            bumped[q] += 1.0
            self.set_temperatures(bumped)
            solver._residual(solver.snes, x, r1)
            r0.axpy(-1.0, r1)  # F(T_s) − F(T_s + e_q): the load of a unit T_s,q
            ksp.solve(r0, du)
            u.x.petsc_vec.axpy(1.0, du)
            u.x.scatter_forward()
            contact = self.contact_heat()
            G[:, q] = self._contact_heat(contact) - self._contact_heat(contact0)
            x.copy(u.x.petsc_vec)
            u.x.scatter_forward()
            self.set_temperatures(base)
            responses.append(du.array_r.copy())
        for v in (x, r0, r1, du):
            v.destroy()
        self._responses = (key, responses, G)
        return responses, G

    def advance(
        self,
        alpha: tuple[float, float, float],
        dt: float,
        t: float,
        *,
        links_idle: bool = False,
        when: str = "at the steady rod temperature",
    ) -> dict[str, Any]:
        """Advance (or, with α = 0, solve the steady state) with the reservoirs and the T_s.

        A step takes the weak links' heat with ω0 at the last T_s. A steady solve evaluates ω0
        only where it is used: for the weak links at the previous iterate's T_s (none with
        ``links_idle``: the first iterate, before any T_s is known) and for θ at the converged
        T_s, not at the initial state, which is only a first guess there (``when``: which T_s
        that is, for the error where ω0 is not positive).
        """
        problem = self.problem
        if alpha[0] or (self.links and not links_idle):
            omega = self.omegas(self.Ts_n)
        else:
            omega = np.zeros(len(self.pieces))  # no weak link carries heat
        for piece, w in zip(self.pieces, omega, strict=True):
            piece.phi.value = float(piece.phi.value) + (dt * w if alpha[0] else 0.0)
        torque = self.link_torque()
        problem.set_time_coefficients(alpha, dt)
        problem.t.value = t
        problem.update_dirichlet_values()
        problem.u.x.array[:] = problem.u_n.x.array if alpha[0] else problem.u.x.array
        self.set_temperatures(self.Ts_n.copy())
        capacity = np.array([p.heat_capacity for p in self.pieces])
        conductance = np.array(
            [sum(self.contacts[n].kappa_SN * self.area[n] for n in p.contacts) for p in self.pieces]
        )
        for iteration in range(30):
            if iteration == 0 or not self._linear:
                problem.solver().solve()
            heat = self._piece_heat(self.contact_heat(), torque, omega)
            Ts = self.Ts
            rate = (alpha[0] * Ts + alpha[1] * self.Ts_n + alpha[2] * self.Ts_nn) / dt
            residual = capacity * rate - heat
            scale = max(np.abs(heat).max(), np.abs(capacity * alpha[0] * Ts / dt).max(), 1e-300)
            scale = max(scale, float(np.max(self._heat_scale() + np.abs(Ts) * conductance)))
            if np.abs(residual).max() <= 1e-10 * scale:
                break
            responses, G = self._response((alpha[0], dt))
            change = np.linalg.solve(np.diag(capacity * alpha[0] / dt) - G, -residual)
            for q, du in enumerate(responses):
                n = du.size
                problem.u.x.array[:n] += change[q] * du
            problem.u.x.scatter_forward()
            self.set_temperatures(Ts + change)
        else:
            raise SolverError("the rod temperatures did not converge in 30 iterations")
        for piece, value in zip(self.pieces, rate, strict=True):
            piece.Tdot.value = value
        if not alpha[0]:  # steady: θ with ω0 at the converged T_s
            omega = self.omegas(when=when)
        for piece, w in zip(self.pieces, omega, strict=True):
            piece.inv_omega.value = 1.0 / w
        for piece in self.pieces:
            piece.twist.solve()
        return {"torque": torque, "omega": omega, "heat": heat, "rate": rate}

    def advance_phases(self, dt: float, omega_old: np.ndarray) -> None:
        """φ to the trapezoidal rule over the step (the link heat used the predictor), θ_old
        to the new θ, and phase slips."""
        omega_new = self.omegas()
        for piece, w0, w1 in zip(self.pieces, omega_old, omega_new, strict=True):
            piece.phi.value = float(piece.phi.value) - dt * w0 + 0.5 * dt * (w0 + w1)
            piece.theta_old.x.array[:] = piece.twist.theta.x.array
        for name, link in self.links.items():
            if link.critical_twist is None:
                continue
            mean = self._sum(self.delta_forms[name]) / self.area[name]
            wrapped = (mean + np.pi) % (2 * np.pi) - np.pi
            if abs(wrapped) > link.critical_twist:
                i, j = self.link_ends[name]
                self.pieces[j].phi.value = float(self.pieces[j].phi.value) + mean
                self.slips[name] += 1

    def solve_steady(self, *, max_iterations: int = 200, tol: float = 1e-10) -> dict[str, Any]:
        """The steady state (reservoirs, T_s, θ); with weak links θ and the link heat are
        iterated to a fixed point at fixed phases φ."""
        self.Ts_n = self.Ts.copy()
        for iteration in range(max_iterations):
            t = float(self.problem.t.value)
            # with weak links an iterate's T_s is the steady one only once θ has converged
            when = "at the steady rod temperature"
            if self.links:
                when = f"at the rod temperature of steady iteration {iteration + 1} (not converged)"
            info = self.advance((0.0, 0.0, 0.0), 1.0, t, links_idle=iteration == 0, when=when)
            self.Ts_n = self.Ts.copy()
            change = 0.0
            for piece in self.pieces:
                change = max(
                    change,
                    float(np.abs(piece.twist.theta.x.array - piece.theta_old.x.array).max()),
                )
                piece.theta_old.x.array[:] = piece.twist.theta.x.array
            change = self.domain.comm.allreduce(change, op=MPI.MAX)
            if not self.links or (iteration > 0 and change < tol):
                break
        else:
            raise SolverError(f"steady twist did not converge in {max_iterations} iterations")
        return self.record(0.0, info)

    def run(
        self,
        t_end: float,
        dt: float,
        scheme: str = "backward_euler",
        on_step: Callable[[dict[str, Any]], Any] | None = None,
    ) -> list[dict[str, Any]]:
        """March to ``t_end`` with the fixed step ``dt`` from the state of :meth:`set_initial`
        through the shared loop (:func:`lkfem.stepping.march`); returns the records of
        :meth:`record` (t = 0 first) and passes each new one to ``on_step``."""
        stepper = SuperconductorStepper(self)
        records = [self.record(stepper.time(), None)]

        def observe(step: StepRecord) -> None:
            records.append(self.record(step.t, stepper.info))
            if on_step is not None:
                on_step(records[-1])

        march(stepper, TimeSettings(t_end=t_end, dt=dt, scheme=scheme), observe)
        return records

    # ---- outputs ------------------------------------------------------------------------

    def record(self, t: float, info: dict[str, Any] | None) -> dict[str, Any]:
        """Derived quantities now: T_s, contact and link heat, energies and the balance."""
        values = self.quantities.evaluate()
        capacity = np.array([p.heat_capacity for p in self.pieces])
        omega = self.omegas() if info is None else info["omega"]
        torque = self.link_torque() if info is None else info["torque"]
        rate = np.zeros(len(self.pieces)) if info is None else info["rate"]
        link_heat = {
            n: {
                "from": self.pieces[i].name,
                "to": self.pieces[j].name,
                "out_W": omega[i] * torque[n],
                "in_W": omega[j] * torque[n],
            }
            for n, (i, j) in self.link_ends.items()
        }
        link_work = sum(v["in_W"] - v["out_W"] for v in link_heat.values())
        rod_rate = float(capacity @ rate)
        balance = (
            values["energy_rate_W"]
            + rod_rate
            - (values["source_power_W"] - sum(values["heat_flow_W"].values()) + link_work)
        )
        return {
            "t_s": t,
            "Ts_K": {p.name: float(p.Ts.value) for p in self.pieces},
            "omega0_rad_s": {p.name: float(w) for p, w in zip(self.pieces, omega, strict=True)},
            "phase_rad": {p.name: float(p.phi.value) for p in self.pieces},
            "contact_heat_W": self.contact_heat(),
            "link_heat_W": link_heat,
            "heat_flow_W": values["heat_flow_W"],
            "reservoir_energy_J": values["thermal_energy_J"],
            "rod_energy_J": float(capacity @ self.Ts),
            "balance_error_W": balance if info is not None else float("nan"),
        }

    def supercurrent(self) -> tuple[fem.Function, fem.Function]:
        """θ (P1; the pieces' average where they meet) and j_s = −κ ω0 ∇θ (cellwise constant)."""
        return supercurrent_fields(
            [
                (
                    p.twist,
                    1.0 / float(p.inv_omega.value),
                    [(self.domain.region_cells(r), self.rods[r].kappa) for r in p.regions],
                )
                for p in self.pieces
            ]
        )

    def destroy(self) -> None:
        for piece in self.pieces:
            piece.twist.destroy()
        self.problem.destroy()
