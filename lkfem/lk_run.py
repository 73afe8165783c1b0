"""Running a case with the LK model: steady or transient, with time series and field output."""

from __future__ import annotations

import time as _time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dolfinx import fem, io
from mpi4py import MPI

from .case import Case
from .domain import Domain
from .lk import LKProblem
from .materials import Material
from .output import log
from .quantities import Quantities
from .timestepping import StepRecord, run_transient

__all__ = ["run_lk", "make_problem", "FieldWriter"]


class FieldWriter:
    """T and q, interpolated to spaces XDMF can hold (P1 or cellwise constant), over time."""

    def __init__(self, path: Path | None, problem: LKProblem):
        self.problem = problem
        mesh = problem.domain.mesh
        gdim = mesh.geometry.dim
        continuous = problem.element != "hdiv"
        self.T = fem.Function(
            fem.functionspace(mesh, ("Lagrange", 1) if continuous else ("DG", 0)), name="T"
        )
        q_space = (
            ("Lagrange", 1, (gdim,)) if problem.element == "taylor_hood" else ("DG", 0, (gdim,))
        )
        self.q = fem.Function(fem.functionspace(mesh, q_space), name="q")
        self.file = None
        if path is not None:
            self.file = io.XDMFFile(mesh.comm, str(path), "w")
            self.file.write_mesh(mesh)
            mesh.topology.create_connectivity(mesh.topology.dim - 1, mesh.topology.dim)
            self.file.write_meshtags(problem.domain.cell_tags, mesh.geometry)

    def update(self) -> None:
        q, T = self.problem.split()
        self.T.interpolate(T)
        self.q.interpolate(q)

    def write(self, t: float) -> None:
        self.update()
        if self.file is not None:
            self.file.write_function(self.T, t)
            self.file.write_function(self.q, t)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class _Series:
    """timeseries.csv, written by rank 0 as the run goes."""

    def __init__(self, path: Path | None, comm: MPI.Comm):
        self.fh = open(path, "w") if path is not None and comm.rank == 0 else None
        self.columns: list[str] | None = None

    def add(self, row: dict[str, float]) -> None:
        if self.fh is None:
            return
        if self.columns is None:
            self.columns = list(row)
            self.fh.write(",".join(self.columns) + "\n")
        self.fh.write(",".join(f"{row[c]:.12g}" for c in self.columns) + "\n")
        self.fh.flush()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()


def _row(t: float, record: StepRecord | None, values: dict[str, Any]) -> dict[str, float]:
    row = {
        "t_s": t,
        "dt_s": record.dt if record else 0.0,
        "newton_iterations": record.newton_iterations if record else 0,
        "linear_iterations": record.linear_iterations if record else 0,
        "thermal_energy_J": values["thermal_energy_J"],
        "free_energy": values["free_energy"],
        "source_power_W": values["source_power_W"],
        "balance_error_W": values["balance_error_W"],
    }
    row.update({f"heat_flow_W:{k}": v for k, v in values["heat_flow_W"].items()})
    row.update({f"interface_flow_W:{k}": v["W"] for k, v in values["interface_flow_W"].items()})
    return row


def make_problem(
    case: Case, domain: Domain, materials: Mapping[str, Material] | None = None
) -> LKProblem:
    """The LK problem of ``case`` (with other ``materials``, for a cloak-study variant)."""
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
    )


def run_lk(
    case: Case, domain: Domain, out: Path, comm: MPI.Comm
) -> tuple[dict[str, Any], FieldWriter]:
    """Solve ``case`` with the LK model, writing fields, time series into ``out``.

    Returns:
        The summary entries and the field writer (holding the final T and q).
    """
    problem = make_problem(case, domain)
    size = problem.W.dofmap.index_map.size_global * problem.W.dofmap.index_map_bs
    log(comm, f"LK model: element {problem.element} (degree {problem.degree}), {size} unknowns")
    quantities = Quantities(problem)
    fields = FieldWriter(out / "fields.xdmf" if case.xdmf else None, problem)
    series = _Series(out / "timeseries.csv" if case.csv and case.time else None, comm)
    newton_total = 0
    worst_balance = 0.0
    started = _time.perf_counter()
    try:
        if case.time is None:
            info = problem.solve_steady()
            newton_total = info.iterations
            values = quantities.evaluate()
            worst_balance = abs(values["balance_error_W"])
            fields.write(0.0)
            steps = 0
            log(
                comm,
                f"steady LK solve: {info.iterations} Newton iterations "
                f"({info.linear_iterations} linear) ({_time.perf_counter() - started:.1f} s)",
            )
        else:
            settings = case.time
            problem.set_initial(case.initial_T, case.initial_q)
            problem.set_time_coefficients((1.0, -1.0, 0.0), settings.dt)
            values = quantities.evaluate()
            values["balance_error_W"] = float("nan")  # no step taken yet: no rate to balance
            series.add(_row(0.0, None, values))
            fields.write(0.0)
            milestones = set(settings.milestones) | {settings.t_end}
            last_log = [_time.perf_counter()]

            def on_step(record: StepRecord) -> None:
                nonlocal newton_total, worst_balance, values
                newton_total += record.newton_iterations
                values = quantities.evaluate()
                worst_balance = max(worst_balance, abs(values["balance_error_W"]))
                series.add(_row(record.t, record, values))
                every = case.output_every
                if (every and record.step % every == 0) or any(
                    abs(record.t - m) <= 1e-9 * max(1.0, m) for m in milestones
                ):
                    fields.write(record.t)
                now = _time.perf_counter()
                if now - last_log[0] > 5.0:
                    last_log[0] = now
                    log(
                        comm,
                        f"step {record.step}: t = {record.t:.6g} s, dt = {record.dt:.3g} s, "
                        f"{record.newton_iterations} Newton iterations",
                    )

            records = run_transient(problem, settings, on_step)
            steps = len(records)
            if records and not any(
                abs(records[-1].t - m) <= 1e-9 * max(1.0, m) for m in milestones
            ):
                fields.write(records[-1].t)  # stopped early at a steady state
            t_final = records[-1].t if records else 0.0
            log(
                comm,
                f"transient LK solve: {steps} steps to t = {t_final:.6g} s, {newton_total} "
                f"Newton iterations ({_time.perf_counter() - started:.1f} s)",
            )
    finally:
        fields.close()
        series.close()
    fields.update()
    summary = {
        "element": problem.element,
        "degree": problem.degree,
        "unknowns": size,
        "linear_solver": getattr(problem, "linear_solver", None),
        "steps": steps,
        "t_final_s": float(problem.t.value),
        "newton_iterations": newton_total,
        "heat_flow_W": values["heat_flow_W"],
        "interface_flow_W": values["interface_flow_W"],
        "thermal_energy_J": values["thermal_energy_J"],
        "free_energy": values["free_energy"],
        "source_power_W": values["source_power_W"],
        "energy_balance_error_W": worst_balance,
    }
    problem.destroy()
    return summary, fields
