"""Thermal domains in the pipeline: a ``[domains]`` section selects them
(:mod:`lkfem.physics.domains.section`). The model steps a
:class:`~lkfem.physics.domains.problem.DomainsProblem` through the shared loop, writes q, |q|,
q's angle and T, and records F and its parts, mean |q|, the F-rise check and, under a
temperature sweep, the heat the order parameter absorbs and its heat capacity."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from dolfinx import fem

from lkfem.case.reader import Reader
from lkfem.case.spec import Case
from lkfem.core.domain import Domain
from lkfem.core.materials import Material
from lkfem.errors import CaseError
from lkfem.physics.base import Model, Physics, State
from lkfem.physics.domains.diagnostics import DomainDiagnostics, equilibrium_flux
from lkfem.physics.domains.initial import set_initial
from lkfem.physics.domains.outputs import DomainsFields
from lkfem.physics.domains.problem import DomainsProblem
from lkfem.physics.domains.section import SCHEMA, DomainsSettings, parse
from lkfem.physics.domains.stepper import DomainsStepper, relax_to_steady
from lkfem.stepping import StepRecord, TimeSettings

__all__ = ["DomainsPhysics", "DomainsModel", "make_problem"]


def make_problem(case: Case, domain: Domain) -> DomainsProblem:
    """The thermal-domain problem of ``case``."""
    settings: DomainsSettings = case.sections["domains"]
    return DomainsProblem(
        domain,
        case.materials,
        variant=settings.variant,
        degree=case.degree,
        bath=case.initial_T if settings.T is None else settings.T,
        bcs=case.boundaries,
        fixed=settings.fixed,
        source=case.heat_source,
        constants=case.constants,
        petsc_options={**case.petsc_options, "linear_solver": case.linear_solver},
        origin=case.source,
        quadrature_degree=case.quadrature_degree,
    )


class DomainsModel(Model):
    """The thermal domains of a case."""

    label = "thermal domains"

    def __init__(self, case: Case, domain: Domain):
        self.case = case
        self.settings: DomainsSettings = case.sections["domains"]
        self.problem = make_problem(case, domain)
        self.outputs = DomainsFields(self.problem)
        W = self.problem.W
        self.unknowns = W.dofmap.index_map.size_global * W.dofmap.index_map_bs
        self._stepper: DomainsStepper | None = None
        self._time: TimeSettings | None = None
        self._diagnosed_at = -1  # the step of the last vortex/structure diagnostics
        self.steps = 0
        self.newton_total = 0
        self.values: dict[str, float] = {}
        self.heat = 0.0  # Σ T ΔS: the heat the order parameter has absorbed
        self.peak: tuple[float, float] | None = None  # (heat capacity, T) at its largest
        set_initial(self.problem, self.settings.initial, case.initial_T)
        self.diagnostics = DomainDiagnostics(
            self.problem.V_q,
            q_scale=equilibrium_flux(self.problem),
            vortex_axis=self.settings.vortex_axis,
        )  # vortices or vortex lines, domain size, |q| histogram
        if self.diagnostics.field is not None:
            self.outputs.functions.append(self.diagnostics.field)

    def describe(self) -> str:
        p = self.problem
        return (
            f"variant {p.variant}, {p.gdim}D, q in P{p.degree + (p.variant != 'relax')}, "
            f"{self.unknowns} unknowns"
        )

    def _new_stepper(self, adaptive: bool) -> DomainsStepper:
        return DomainsStepper(
            self.problem,
            energy_tol=self.settings.energy_tol,
            max_change=self.settings.max_change if adaptive else None,
        )

    def solve_steady(self) -> str:
        """March in pseudo-time with an adaptive Δt until q stops changing."""
        s = self.settings
        stepper = self._stepper = self._new_stepper(adaptive=True)
        steps = relax_to_steady(stepper, dt=s.steady_dt, tol=s.steady_tol, max_steps=s.steady_steps)
        self.steps = len(steps)
        self.newton_total = sum(r.newton_iterations for r in steps)
        return (
            f"steady state after {len(steps)} pseudo-time steps to t = {stepper.time():.4g} s "
            f"({self.newton_total} Newton iterations)"
        )

    def temperature(self) -> fem.Function:
        self.outputs.update()
        return self.outputs.T

    def stepper(self, settings: TimeSettings) -> DomainsStepper:
        self._stepper = self._new_stepper(settings.adaptive)
        self._time = settings
        return self._stepper

    def _diagnose(self, step: StepRecord | None) -> bool:
        """Whether ``step`` gets the expensive diagnostics (vortices, structure factor, |q|
        histogram): the initial state, every ``diagnostics_every`` steps, the steps whose fields
        are written (``[output] every``, milestones, t_end)."""
        every = self.settings.diagnostics_every
        if step is None or every <= 1 or step.step % every == 0:
            return True
        output_every = self.case.output_every
        if output_every and step.step % output_every == 0:
            return True
        return self._time is not None and self._time.is_milestone(step.t)

    def record(self, step: StepRecord | None) -> dict[str, float]:
        p = self.problem
        old = self.values
        values = p.energies()
        values["mean_abs_q"] = p.mean_abs_q()
        values["mean_T"] = p.mean_T()
        rise = 0.0
        if step is not None:
            self.steps = step.step
            self.newton_total += step.newton_iterations
            assert self._stepper is not None
            rise = self._stepper.rise
            T0, T1 = old["mean_T"], values["mean_T"]
            dQ = 0.5 * (T0 + T1) * (values["entropy"] - old["entropy"])
            self.heat += dQ
            capacity = dQ / (T1 - T0) if abs(T1 - T0) > 1e-14 * max(1.0, abs(T1)) else math.nan
            values["capacity"] = capacity
            if math.isfinite(capacity) and (self.peak is None or capacity > self.peak[0]):
                self.peak = (capacity, 0.5 * (T0 + T1))
        self.values = values
        row = {
            "t_s": float(p.t.value),
            "dt_s": step.dt if step else 0.0,
            "newton_iterations": step.newton_iterations if step else 0,
            "free_energy_W_K": values["free"],
            "gradient_energy_W_K": values["gradient"],
            "landau_energy_W_K": values["landau"],
            "coupling_energy_W_K": values["coupling"],
            "mean_abs_q_W_m2": values["mean_abs_q"],
            "energy_rise_rel": rise,
            "mean_T_K": values["mean_T"],
            "order_entropy_W": values["entropy"],
            "order_heat_W_K": self.heat,
            "order_heat_capacity_W_K": values.get("capacity", math.nan),
            "krylov_iterations": step.linear_iterations if step else 0,
        }
        if p.variant == "conserved":
            row["div_q_L2"] = p.divergence_norm()
            row["div_q_weak"] = p.divergence_residual()
        if self._diagnose(step) or not self.diagnostics.columns:
            row.update(self.diagnostics.row(p.split()[0]))
            self._diagnosed_at = self.steps
        else:
            row.update(self.diagnostics.skipped_row())
        return row

    def state(self) -> State:
        p = self.problem
        q_n = fem.Function(p.V_q, name="q_n")
        q_n.x.array[:] = p.u_n.x.array[p.q_dofs]
        functions = {"q_n": q_n}
        if p.V_s is not None:
            s_n = fem.Function(p.V_s, name="s_n")
            s_n.x.array[:] = p.u_n.x.array[p.s_dofs]
            functions["s_n"] = s_n
        self._saved = functions
        stepper = self._stepper
        scalars = {
            "t": float(p.t.value),
            "steps": self.steps,
            "newton_total": self.newton_total,
            "values": self.values,
            "heat": self.heat,
            "peak": self.peak,
            "worst_rise": 0.0 if stepper is None else stepper.worst_rise,
            "cuts": 0 if stepper is None else stepper.cuts,
        }
        return State(functions, scalars)

    def restore(self, scalars: Mapping[str, Any]) -> None:
        p = self.problem
        p.u_n.x.array[p.q_dofs] = self._saved["q_n"].x.array
        if "s_n" in self._saved:
            p.u_n.x.array[p.s_dofs] = self._saved["s_n"].x.array
        p.u_n.x.scatter_forward()
        p.u.x.array[:] = p.u_n.x.array
        p.t.value = scalars["t"]
        self.steps, self.newton_total = scalars["steps"], scalars["newton_total"]
        self.values, self.heat = dict(scalars["values"]), scalars["heat"]
        self.peak = None if scalars["peak"] is None else tuple(scalars["peak"])
        if self._stepper is not None:
            self._stepper.worst_rise, self._stepper.cuts = scalars["worst_rise"], scalars["cuts"]

    def summary(self) -> dict[str, Any]:
        p, values = self.problem, self.values or self.problem.energies()
        stepper = self._stepper
        out: dict[str, Any] = {
            "variant": p.variant,
            "dimension": p.gdim,
            "degree": p.degree,
            "unknowns": self.unknowns,
            "steps": self.steps,
            "t_final_s": float(p.t.value),
            "newton_iterations": self.newton_total,
            "free_energy_W_K": values.get("free"),
            "gradient_energy_W_K": values.get("gradient"),
            "landau_energy_W_K": values.get("landau"),
            "coupling_energy_W_K": values.get("coupling"),
            "mean_abs_q_W_m2": p.mean_abs_q(),
            "max_energy_rise_rel": 0.0 if stepper is None else stepper.worst_rise,
            "steps_cut": 0 if stepper is None else stepper.cuts,
            "order_heat_W_K": self.heat,
        }
        if self.peak is not None:
            out["peak_heat_capacity_W_K"], out["peak_heat_capacity_T_K"] = self.peak
        if p.variant == "conserved":
            out["div_q_L2"] = p.divergence_norm()
            out["div_q_weak"] = p.divergence_residual()
        if self._diagnosed_at != self.steps:  # a stop between diagnostics: the last state's
            self.diagnostics.row(p.split()[0])
            self._diagnosed_at = self.steps
        out.update(self.diagnostics.summary())
        return {"domains": out}

    def destroy(self) -> None:
        self.problem.destroy()


class DomainsPhysics(Physics):
    """``[domains]``: thermal domains (MODEL.md §2)."""

    name = "domains"
    section = "domains"
    schema = SCHEMA
    periodic = True

    def parse(
        self,
        r: Reader,
        data: Mapping[str, Any],
        model: str,
        *,
        materials: Mapping[str, Material],
        constants: Mapping[str, float],
    ) -> DomainsSettings:
        return parse(r, data, materials)

    def check(self, case: Case, domain: Domain) -> None:
        settings: DomainsSettings = case.sections["domains"]
        for name in settings.fixed:
            if name not in domain.boundaries:
                raise CaseError(
                    case.source,
                    f"domains.fixed.{name}",
                    f"no boundary named '{name}' "
                    f"(boundaries: {', '.join(sorted(domain.boundaries))})",
                )
        if settings.variant == "conserved" and not domain.periodic:
            exterior = set(domain.exterior_boundaries())
            if exterior and exterior <= set(settings.fixed):
                raise CaseError(
                    case.source,
                    "domains.fixed",
                    "the conserved variant needs a free boundary (q fixed everywhere leaves "
                    "the multiplier p defined up to a constant)",
                )

    def build(
        self, case: Case, domain: Domain, materials: Mapping[str, Material] | None = None
    ) -> DomainsModel:
        if materials is not None:
            raise CaseError(case.source, "domains", "no study varies its materials")
        return DomainsModel(case, domain)
