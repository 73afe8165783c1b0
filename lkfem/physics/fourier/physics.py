"""Steady Fourier conduction in the pipeline: ``[physics] model = "fourier"`` (the default)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dolfinx import fem

from lkfem.case.reader import Reader
from lkfem.case.spec import Case
from lkfem.core.domain import Domain
from lkfem.core.materials import Material
from lkfem.errors import LkfemError
from lkfem.output.fields import OutputFields
from lkfem.physics.base import Model, Physics
from lkfem.physics.fourier.solver import SteadyFourierResult, solve_steady_fourier
from lkfem.stepping import Stepper, StepRecord, TimeSettings

__all__ = ["FourierPhysics", "FourierModel"]


class FourierModel(Model):
    """−∇·(k∇T) = Q with the case's conditions: CG + algebraic multigrid, one solve."""

    label = "Fourier model"

    def __init__(self, case: Case, domain: Domain, materials: Mapping[str, Material] | None):
        self.case, self.domain = case, domain
        self.materials = case.materials if materials is None else materials
        self.result: SteadyFourierResult | None = None

    @property
    def outputs(self) -> OutputFields:
        if self.result is None:
            raise LkfemError("the Fourier model has no fields before its solve")
        return OutputFields(self.result.T, self.result.q, self.result.k)

    def describe(self) -> str:
        return "steady conduction, continuous Lagrange T"

    def solve_steady(self) -> str:
        case = self.case
        self.result = solve_steady_fourier(
            self.domain,
            self.materials,
            case.boundaries,
            source=case.heat_source,
            degree=case.degree,
            constants=case.constants,
            solver_options={**case.petsc_options},
            origin=case.source,
        )
        return (
            f"steady Fourier solve: {self.unknowns} unknowns, "
            f"{self.result.solve.iterations} Krylov iterations"
        )

    @property
    def unknowns(self) -> int:
        if self.result is not None:
            return self.result.T.function_space.dofmap.index_map.size_global
        V = fem.functionspace(self.domain.mesh, ("Lagrange", self.case.degree))
        return V.dofmap.index_map.size_global

    def temperature(self) -> fem.Function:
        assert self.result is not None
        return self.result.T

    def stepper(self, settings: TimeSettings) -> Stepper:
        raise LkfemError('the fourier model is steady; use model = "lk" for transients')

    def record(self, step: StepRecord | None) -> dict[str, float]:
        return {}

    def summary(self) -> dict[str, Any]:
        result = self.result
        assert result is not None
        return {
            "unknowns": self.unknowns,
            "solver": {
                "iterations": result.solve.iterations,
                "converged_reason": result.solve.reason_name,
                "residual_norm": result.solve.residual_norm,
            },
            "heat_flow_W": result.heat_flow,
            "source_power_W": result.source_power,
            "energy_balance_error_W": result.balance_error,
        }

    def destroy(self) -> None:
        return None


class FourierPhysics(Physics):
    """``model = "fourier"``: steady conduction; LK-only parameters and transients refused."""

    name = "fourier"
    section = None
    periodic = True

    def parse(
        self,
        r: Reader,
        data: Mapping[str, Any],
        model: str,
        *,
        materials: Mapping[str, Material],
        constants: Mapping[str, float],
    ) -> None:
        for key in ("time", "initial"):
            if r.table(data, key):
                r.fail(key, 'the fourier model is steady; use model = "lk" for transients')
        for region, material in materials.items():
            if (
                material.is_landau
                or material.tau != 0.0
                or material.has_gradient_terms()
                or material.b != 0.0
                or material.c != 0.0
            ):
                r.fail(
                    f"materials.{region}",
                    'tau, ell, b, c and the Landau form need model = "lk" in [physics]',
                )
        return None

    def build(
        self, case: Case, domain: Domain, materials: Mapping[str, Material] | None = None
    ) -> FourierModel:
        return FourierModel(case, domain, materials)
