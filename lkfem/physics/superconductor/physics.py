"""The heat superconductor in the pipeline: a ``[superconductor]`` section selects it. The LK
reservoirs coupled to heat-superconducting rods
(:class:`~lkfem.physics.superconductor.model.HeatSuperconductor`), steady or with a fixed Δt,
with θ, j_s and T_s fields, time series, the weak links' spectra and a summary."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from dolfinx import fem

from lkfem.case.reader import Reader
from lkfem.case.spec import Case
from lkfem.core.domain import Domain
from lkfem.core.materials import Material
from lkfem.errors import CaseError
from lkfem.physics.base import Model, Physics, State
from lkfem.physics.superconductor.fields import SuperconductorFields
from lkfem.physics.superconductor.model import HeatSuperconductor
from lkfem.physics.superconductor.section import (
    SCHEMA,
    SuperconductorLayout,
    check_layout,
    parse_superconductor,
)
from lkfem.physics.superconductor.spectra import link_spectra, write_spectrum
from lkfem.physics.superconductor.stepper import SuperconductorStepper
from lkfem.physics.superconductor.twist import TwistSolver
from lkfem.stepping import StepRecord, TimeSettings

__all__ = ["SuperconductorPhysics", "SuperconductorModel", "make_superconductor"]


def make_superconductor(case: Case, domain: Domain) -> HeatSuperconductor:
    """The coupled model of ``case``; its errors name the case's ``[superconductor]`` keys."""
    layout: SuperconductorLayout = case.sections["superconductor"]
    try:
        return HeatSuperconductor(
            domain,
            case.materials,
            layout.rods,
            case.boundaries,
            contacts=layout.contacts,
            links=layout.links,
            constants=case.constants,
            origin=case.source,
            source=case.heat_source,
            element=case.element,
            degree=case.degree,
            quadrature_degree=case.quadrature_degree,
            petsc_options={**case.petsc_options, "linear_solver": case.linear_solver},
        )
    except CaseError as exc:
        if exc.key.startswith(("rods", "contacts", "interfaces", "links")):
            raise CaseError(exc.source, f"superconductor.{exc.key}", exc.problem) from None
        raise


def _row(record: dict[str, Any], dt: float) -> dict[str, float]:
    row = {"t_s": record["t_s"], "dt_s": dt}
    row.update({f"Ts_K:{k}": v for k, v in record["Ts_K"].items()})
    row.update({f"omega0_rad_s:{k}": v for k, v in record["omega0_rad_s"].items()})
    row.update({f"phase_rad:{k}": v for k, v in record["phase_rad"].items()})
    row.update({f"contact_heat_W:{k}": v for k, v in record["contact_heat_W"].items()})
    for name, link in record["link_heat_W"].items():
        row[f"link_heat_out_W:{name}"] = link["out_W"]
        row[f"link_heat_in_W:{name}"] = link["in_W"]
    row.update({f"heat_flow_W:{k}": v for k, v in record["heat_flow_W"].items()})
    row["reservoir_energy_J"] = record["reservoir_energy_J"]
    row["rod_energy_J"] = record["rod_energy_J"]
    row["energy_J"] = record["reservoir_energy_J"] + record["rod_energy_J"]
    row["balance_error_W"] = record["balance_error_W"]
    return row


def _twist_means(twist: TwistSolver, omega0: float) -> dict[str, Any]:
    """The piece's volume means of ∇θ (rad/m) and of j_s = −κ ω0 ∇θ (W/m²), and |mean ∇θ|."""
    gradient, kappa_gradient = twist.means()
    return {
        "twist_gradient_rad_m": float(np.linalg.norm(gradient)),
        "mean_grad_theta_rad_m": gradient.tolist(),
        "mean_j_s_W_m2": (-omega0 * kappa_gradient).tolist(),
    }


class SuperconductorModel(Model):
    """Reservoirs and rods of a case, with the records of every step for the spectra."""

    label = "heat superconductor"

    def __init__(self, case: Case, domain: Domain):
        self.case = case
        self.sc = make_superconductor(case, domain)
        self.outputs = SuperconductorFields(self.sc)
        W = self.sc.problem.W
        self.unknowns = W.dofmap.index_map.size_global * W.dofmap.index_map_bs
        layout: SuperconductorLayout = case.sections["superconductor"]
        Ts0 = layout.Ts0
        if isinstance(Ts0, dict):  # by rod region: to the piece holding it
            Ts0 = {p.name: Ts0[r] for p in self.sc.pieces for r in p.regions if r in Ts0}
        phase0 = {
            p.name: layout.phase0[r]
            for p in self.sc.pieces
            for r in p.regions
            if r in layout.phase0
        }
        self.sc.set_initial(case.initial_T, Ts0, phase0, case.initial_q)
        self._stepper: SuperconductorStepper | None = None
        self.history: list[dict[str, Any]] = []
        self.last: dict[str, Any] | None = None
        self.worst = 0.0

    def describe(self) -> str:
        sc, problem = self.sc, self.sc.problem
        pieces = ", ".join(f"{p.name}: {'+'.join(p.regions)}" for p in sc.pieces)
        return (
            f"{len(sc.pieces)} rod piece(s) ({pieces}), {len(sc.contacts)} SN contact(s), "
            f"{len(sc.links)} weak link(s); reservoirs: element {problem.element} "
            f"(degree {problem.degree}), {self.unknowns} unknowns"
        )

    def checked_by_the_solve(self, steady: bool) -> str:
        if steady and any(isinstance(p.material.omega0, str) for p in self.sc.pieces):
            return "ω0 is checked at the steady rod temperature during the solve"
        return ""  # a transient's ω0 is checked at the initial T_s, a number when parsed

    def solve_steady(self) -> str:
        self.last = self.sc.solve_steady()
        self.worst = abs(self.last["balance_error_W"])
        return "steady solve of the reservoirs, the rod temperatures and θ"

    def temperature(self) -> fem.Function:
        return self.sc.problem.split()[1]

    def stepper(self, settings: TimeSettings) -> SuperconductorStepper:
        self._stepper = SuperconductorStepper(self.sc)
        return self._stepper

    def record(self, step: StepRecord | None) -> dict[str, float]:
        if step is None:
            if self._stepper is None:  # steady: solve_steady made the record
                assert self.last is not None
                return _row(self.last, 0.0)
            self.last = self.sc.record(self._stepper.time(), None)
            return _row(self.last, 0.0)
        assert self._stepper is not None
        self.last = self.sc.record(step.t, self._stepper.info)
        self.history.append(self.last)
        self.worst = max(self.worst, abs(self.last["balance_error_W"]))
        return _row(self.last, step.dt)

    def state(self) -> State:
        sc = self.sc
        functions = dict(sc.problem.history())
        functions.update({f"theta_old:{p.name}": p.theta_old for p in sc.pieces})
        scalars = {
            "t": float(sc.problem.t.value),
            "Ts": sc.Ts.tolist(),
            "Ts_n": sc.Ts_n.tolist(),
            "Ts_nn": sc.Ts_nn.tolist(),
            "phi": [float(p.phi.value) for p in sc.pieces],
            "Tdot": [float(p.Tdot.value) for p in sc.pieces],
            "inv_omega": [float(p.inv_omega.value) for p in sc.pieces],
            "slips": sc.slips,
            "history": self.history,
            "last": self.last,
            "worst": self.worst,
        }
        return State(functions, scalars)

    def restore(self, scalars: Mapping[str, Any]) -> None:
        sc = self.sc
        sc.problem.restore_history(scalars["t"])
        sc.set_temperatures(np.array(scalars["Ts"]))
        sc.Ts_n, sc.Ts_nn = np.array(scalars["Ts_n"]), np.array(scalars["Ts_nn"])
        for i, piece in enumerate(sc.pieces):
            piece.phi.value = scalars["phi"][i]
            piece.Tdot.value = scalars["Tdot"][i]
            piece.inv_omega.value = scalars["inv_omega"][i]
            piece.theta_old.x.scatter_forward()
        sc.slips = dict(scalars["slips"])
        self.history, self.last = list(scalars["history"]), scalars["last"]
        self.worst = scalars["worst"]

    def finish(self, out: Path | None) -> list[str]:
        if out is None or not self.case.csv or not link_spectra(self.history):
            return []
        write_spectrum(out / "spectrum.csv", self.history, self.sc.domain.comm)
        return ["spectrum.csv"]

    def summary(self) -> dict[str, Any]:
        sc, record = self.sc, self.last
        assert record is not None
        spectra = link_spectra(self.history)
        pieces = {
            p.name: {
                "regions": list(p.regions),
                "Ts_K": record["Ts_K"][p.name],
                "omega0_rad_s": record["omega0_rad_s"][p.name],
                "phase_rad": record["phase_rad"][p.name],
                "heat_capacity_J_K": p.heat_capacity,
                "contacts": list(p.contacts),
                **_twist_means(p.twist, record["omega0_rad_s"][p.name]),
            }
            for p in sc.pieces
        }
        contacts = {
            n: {
                "kappa_SN_W_m2K": c.kappa_SN,
                "area_m2": sc.area[n],
                "heat_in_W": record["contact_heat_W"][n],
            }
            for n, c in sc.contacts.items()
        }
        links = {}
        for n, link in sc.links.items():
            heat = record["link_heat_W"][n]
            links[n] = {
                "from": heat["from"],
                "to": heat["to"],
                "E_J_J_m2": link.E_J,
                "critical_twist_rad": link.critical_twist,
                "area_m2": sc.area[n],
                "heat_out_W": heat["out_W"],
                "heat_in_W": heat["in_W"],
                "phase_slips": sc.slips[n],
            }
            if n in spectra:
                links[n]["spectrum"] = spectra[n]
        return {
            "element": sc.problem.element,
            "degree": sc.problem.degree,
            "unknowns": self.unknowns,
            "steps": len(self.history),
            "t_final_s": record["t_s"],
            "heat_flow_W": record["heat_flow_W"],
            "thermal_energy_J": record["reservoir_energy_J"],
            "energy_balance_error_W": self.worst,
            "superconductor": {
                "pieces": pieces,
                "contacts": contacts,
                "links": links,
                "rod_energy_J": record["rod_energy_J"],
                "rod_T_K": {r: record["Ts_K"][p.name] for p in sc.pieces for r in p.regions},
            },
        }

    def mean_temperature(self, region: str) -> float | None:
        """T_s in a rod region (the reservoirs' T is 0 there)."""
        for piece in self.sc.pieces:
            if region in piece.regions:
                return float(np.asarray(piece.Ts.value))
        return None

    def destroy(self) -> None:
        self.sc.destroy()


class SuperconductorPhysics(Physics):
    """``[superconductor]``: heat-superconducting rods coupled to LK reservoirs."""

    name = "superconductor"
    section = "superconductor"
    schema = SCHEMA
    periodic_refusal = (
        "its rods join two reservoirs driven through their hot and cold faces, so pairing "
        "faces along the rods would close the circuit onto itself (no drive), and pairing the "
        "side walls (a row of identical rods) gives what adiabatic walls give by symmetry"
    )

    def parse(
        self,
        r: Reader,
        data: Mapping[str, Any],
        model: str,
        *,
        materials: Mapping[str, Material],
        constants: Mapping[str, float],
    ) -> SuperconductorLayout | None:
        return parse_superconductor(r, data, model=model, materials=materials, constants=constants)

    def check(self, case: Case, domain: Domain) -> None:
        dim = domain.mesh.geometry.dim
        if dim != 3:  # its rods, contacts and links are laid out in 3D (not verified in 2D)
            raise CaseError(
                case.source,
                "mesh",
                f"the heat superconductor solves on 3D meshes (rods between reservoirs); this "
                f"mesh is {dim}D",
            )
        check_layout(case.sections["superconductor"], domain, case.source)

    def inactive_regions(self, case: Case) -> tuple[str, ...]:
        return tuple(case.sections["superconductor"].rods)

    def build(
        self, case: Case, domain: Domain, materials: Mapping[str, Material] | None = None
    ) -> SuperconductorModel:
        if materials is not None:
            raise CaseError(case.source, "superconductor", "no study varies its materials")
        return SuperconductorModel(case, domain)
