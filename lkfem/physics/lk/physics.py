"""The LK model in the pipeline: ``[physics] model = "lk"``, steady or transient, with the heat
flows, energies and energy balance of :class:`~lkfem.physics.lk.quantities.Quantities` as the
time series and the summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dolfinx import fem

from lkfem.case.spec import Case
from lkfem.core.domain import Domain
from lkfem.core.materials import Material
from lkfem.physics.base import Model, Physics, State
from lkfem.physics.lk.outputs import LKOutputs
from lkfem.physics.lk.problem import LKProblem
from lkfem.physics.lk.quantities import Quantities
from lkfem.physics.lk.stepper import LKStepper
from lkfem.stepping import StepRecord, TimeSettings

__all__ = ["LKPhysics", "LKModel", "make_problem", "quantities_row"]


def make_problem(
    case: Case, domain: Domain, materials: Mapping[str, Material] | None = None, **extra: Any
) -> LKProblem:
    """The LK problem of ``case`` (with other ``materials``, for a study's variant)."""
    return LKProblem(
        domain,
        case.materials if materials is None else materials,
        case.boundaries,
        source=case.heat_source,
        element=case.element,
        degree=case.degree,
        constants=case.constants,
        petsc_options={**case.petsc_options, "linear_solver": case.linear_solver},
        origin=case.source,
        quadrature_degree=case.quadrature_degree,
        **extra,
    )


def quantities_row(t: float, step: StepRecord | None, values: dict[str, Any]) -> dict[str, float]:
    """One row of ``timeseries.csv`` from :meth:`Quantities.evaluate` values."""
    row = {
        "t_s": t,
        "dt_s": step.dt if step else 0.0,
        "newton_iterations": step.newton_iterations if step else 0,
        "linear_iterations": step.linear_iterations if step else 0,
        "thermal_energy_J": values["thermal_energy_J"],
        "free_energy_W_K": values["free_energy"],
        "source_power_W": values["source_power_W"],
        "balance_error_W": values["balance_error_W"],
    }
    row.update({f"heat_flow_W:{k}": v for k, v in values["heat_flow_W"].items()})
    row.update({f"interface_flow_W:{k}": v["W"] for k, v in values["interface_flow_W"].items()})
    return row


class LKModel(Model):
    """The LK problem of a case with its derived quantities and written fields."""

    label = "LK model"

    def __init__(self, case: Case, domain: Domain, materials: Mapping[str, Material] | None):
        self.case = case
        self.problem = make_problem(case, domain, materials)
        self.quantities = Quantities(self.problem)
        self.outputs = LKOutputs(self.problem)
        self.unknowns = (
            self.problem.W.dofmap.index_map.size_global * self.problem.W.dofmap.index_map_bs
        )
        self.transient = False
        self.steps = 0
        self.newton_total = 0
        self.worst_balance = 0.0
        self.values: dict[str, Any] = {}

    def describe(self) -> str:
        p = self.problem
        return f"element {p.element} (degree {p.degree}), {self.unknowns} unknowns"

    def solve_steady(self) -> str:
        info = self.problem.solve_steady()
        self.newton_total = info.iterations
        return (
            f"steady LK solve: {info.iterations} Newton iterations "
            f"({info.linear_iterations} linear)"
        )

    def temperature(self) -> fem.Function:
        return self.problem.split()[1]

    def stepper(self, settings: TimeSettings) -> LKStepper:
        self.transient = True
        self.problem.set_initial(self.case.initial_T, self.case.initial_q)
        self.problem.set_time_coefficients((1.0, -1.0, 0.0), settings.dt)
        return LKStepper(self.problem)

    def record(self, step: StepRecord | None) -> dict[str, float]:
        self.values = self.quantities.evaluate()
        if step is None and self.transient:
            self.values["balance_error_W"] = float("nan")  # no step taken yet: no rate
        else:
            self.worst_balance = max(self.worst_balance, abs(self.values["balance_error_W"]))
        if step is not None:
            self.steps = step.step
            self.newton_total += step.newton_iterations
        return quantities_row(float(self.problem.t.value), step, self.values)

    def state(self) -> State:
        scalars = {
            "t": float(self.problem.t.value),
            "steps": self.steps,
            "newton_total": self.newton_total,
            "worst_balance": self.worst_balance,
            "values": self.values,
        }
        return State(self.problem.history(), scalars)

    def restore(self, scalars: Mapping[str, Any]) -> None:
        self.problem.restore_history(scalars["t"])
        self.steps, self.newton_total = scalars["steps"], scalars["newton_total"]
        self.worst_balance, self.values = scalars["worst_balance"], dict(scalars["values"])

    def summary(self) -> dict[str, Any]:
        values = self.values
        return {
            "element": self.problem.element,
            "degree": self.problem.degree,
            "unknowns": self.unknowns,
            "linear_solver": getattr(self.problem, "linear_solver", None),
            "steps": self.steps,
            "t_final_s": float(self.problem.t.value),
            "newton_iterations": self.newton_total,
            "converged_reason": self.converged_reason(),
            "heat_flow_W": values["heat_flow_W"],
            "interface_flow_W": values["interface_flow_W"],
            "thermal_energy_J": values["thermal_energy_J"],
            "free_energy_W_K": values["free_energy"],
            "source_power_W": values["source_power_W"],
            "energy_balance_error_W": self.worst_balance,
        }

    def converged_reason(self) -> str | None:
        """PETSc's reason for the end of the last Newton solve (of the last step), as a word."""
        last = self.problem.last_solve
        return None if last is None else last.reason_name

    def destroy(self) -> None:
        self.problem.destroy()


class LKPhysics(Physics):
    """``model = "lk"``: the Landau–Khalatnikov heat-flux equations (Fourier, Cattaneo and
    Guyer–Krumhansl as limits)."""

    name = "lk"
    section = None
    periodic = True

    def build(
        self, case: Case, domain: Domain, materials: Mapping[str, Material] | None = None
    ) -> LKModel:
        return LKModel(case, domain, materials)
