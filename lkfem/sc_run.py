"""Running a case with a ``[superconductor]``: the LK reservoirs coupled to heat-superconducting
rods (:class:`~lkfem.superconductor.HeatSuperconductor`), steady or with a fixed Δt, with fields,
time series, the weak-link spectra and a summary."""

from __future__ import annotations

import time as _time
from pathlib import Path
from typing import Any

import numpy as np
from dolfinx import fem, la
from mpi4py import MPI

from .case import Case
from .domain import Domain
from .errors import CaseError
from .lk_run import FieldWriter, _Series
from .output import log
from .sc_case import check_layout
from .superconductor import HeatSuperconductor
from .twist import dominant_frequency, spectrum

__all__ = ["run_superconductor", "check_superconductor", "SuperconductorFields"]


def check_superconductor(case: Case, domain: Domain) -> None:
    """The ``[superconductor]`` names against the mesh (before anything is written)."""
    assert case.superconductor is not None
    check_layout(case.superconductor, domain, case.source)


def make_superconductor(case: Case, domain: Domain) -> HeatSuperconductor:
    """The coupled model of ``case``; its errors name the case's ``[superconductor]`` keys."""
    layout = case.superconductor
    assert layout is not None
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
            petsc_options={**case.petsc_options, "linear_solver": case.linear_solver},
        )
    except CaseError as exc:
        if exc.key.startswith(("rods", "contacts", "interfaces", "links")):
            raise CaseError(exc.source, f"superconductor.{exc.key}", exc.problem) from None
        raise


class SuperconductorFields(FieldWriter):
    """The reservoirs' T and q, and θ (P1), j_s = −κ ω0 ∇θ and T_s (cellwise) of the rods."""

    def __init__(self, path: Path | None, sc: HeatSuperconductor):
        super().__init__(path, sc.problem)
        self.sc = sc
        mesh = sc.domain.mesh
        self.theta = fem.Function(sc.pieces[0].twist.V, name="theta")
        self.j_s = fem.Function(
            fem.functionspace(mesh, ("DG", 0, (mesh.geometry.dim,))), name="j_s"
        )
        self.Ts = fem.Function(fem.functionspace(mesh, ("DG", 0)), name="T_s")
        # T inside a rod piece (the dofs touching no reservoir cell on any rank) shows the
        # piece's T_s.
        domain, dofmap = sc.domain, self.T.function_space.dofmap.list
        rods = {region for piece in sc.pieces for region in piece.regions}
        marker = fem.Function(self.T.function_space)
        for region in domain.regions:
            if region not in rods:
                marker.x.array[np.unique(dofmap[domain.region_cells(region)])] = 1.0
        marker.x.scatter_reverse(la.InsertMode.add)  # a reservoir cell seen by another rank
        marker.x.scatter_forward()
        on_reservoir = marker.x.array > 0
        self.rod_dofs = []
        for piece in sc.pieces:
            cells = np.concatenate([domain.region_cells(r) for r in piece.regions])
            dofs = np.unique(dofmap[cells])
            self.rod_dofs.append(dofs[~on_reservoir[dofs]])

    def update(self) -> None:
        super().update()
        for piece, dofs in zip(self.sc.pieces, self.rod_dofs, strict=True):
            self.T.x.array[dofs] = float(piece.Ts.value)
        theta, j_s = self.sc.supercurrent()
        self.theta.x.array[:] = theta.x.array
        self.j_s.x.array[:] = j_s.x.array
        for piece in self.sc.pieces:
            for region in piece.regions:
                self.Ts.x.array[self.sc.domain.region_cells(region)] = float(piece.Ts.value)
        self.Ts.x.scatter_forward()

    def write(self, t: float) -> None:
        super().write(t)
        if self.file is not None:
            for f in (self.theta, self.j_s, self.Ts):
                self.file.write_function(f, t)


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


def run_superconductor(
    case: Case, domain: Domain, out: Path, comm: MPI.Comm
) -> tuple[dict[str, Any], FieldWriter, list[str]]:
    """Solve ``case`` (reservoirs and rods), writing fields, time series and spectra into
    ``out``.

    Returns:
        The summary entries, the field writer (holding the final T and q) and the files written
        besides summary.json, fields.xdmf and timeseries.csv.
    """
    layout = case.superconductor
    assert layout is not None
    sc = make_superconductor(case, domain)
    problem = sc.problem
    size = problem.W.dofmap.index_map.size_global * problem.W.dofmap.index_map_bs
    pieces = ", ".join(f"{p.name}: {'+'.join(p.regions)}" for p in sc.pieces)
    log(
        comm,
        f"heat superconductor: {len(sc.pieces)} rod piece(s) ({pieces}), "
        f"{len(sc.contacts)} SN contact(s), {len(sc.links)} weak link(s); reservoirs: element "
        f"{problem.element} (degree {problem.degree}), {size} unknowns",
    )
    Ts0 = layout.Ts0
    if isinstance(Ts0, dict):  # by rod region: to the piece holding it
        Ts0 = {p.name: Ts0[r] for p in sc.pieces for r in p.regions if r in Ts0}
    phase0 = {p.name: layout.phase0[r] for p in sc.pieces for r in p.regions if r in layout.phase0}
    sc.set_initial(case.initial_T, Ts0, phase0, case.initial_q)
    fields = SuperconductorFields(out / "fields.xdmf" if case.xdmf else None, sc)
    series = _Series(out / "timeseries.csv" if case.csv and case.time else None, comm)
    extra: list[str] = []
    started = _time.perf_counter()
    worst = 0.0
    try:
        if case.time is None:
            record = sc.solve_steady()
            worst = abs(record["balance_error_W"])
            fields.write(0.0)
            steps, spectra = 0, {}
            log(comm, f"steady solve ({_time.perf_counter() - started:.1f} s)")
        else:
            settings = case.time
            dt = settings.dt
            every = case.output_every
            milestones = [int(round(m / dt)) for m in settings.milestones]
            total = int(round(settings.t_end / dt))
            first = sc.record(0.0, None)
            series.add(_row(first, 0.0))
            fields.write(0.0)
            history: list[dict[str, Any]] = []
            last_log = [_time.perf_counter()]

            def on_step(record: dict[str, Any]) -> None:
                nonlocal worst
                step = len(history) + 1
                history.append(record)
                worst = max(worst, abs(record["balance_error_W"]))
                series.add(_row(record, dt))
                if (every and step % every == 0) or step in milestones or step == total:
                    fields.write(record["t_s"])
                now = _time.perf_counter()
                if now - last_log[0] > 5.0:
                    last_log[0] = now
                    Ts = ", ".join(f"{k} {v:.6g} K" for k, v in record["Ts_K"].items())
                    log(comm, f"step {step}/{total}: t = {record['t_s']:.6g} s, T_s: {Ts}")

            sc.run(settings.t_end, dt, settings.scheme, on_step)
            record = history[-1] if history else first
            steps = len(history)
            spectra = _spectra(history)
            if spectra and case.csv:
                _write_spectrum(out / "spectrum.csv", history, comm)
                extra.append("spectrum.csv")
            log(
                comm,
                f"transient solve: {steps} steps to t = {record['t_s']:.6g} s "
                f"({_time.perf_counter() - started:.1f} s)",
            )
    finally:
        fields.close()
        series.close()
    fields.update()
    summary = _summary(sc, record, spectra, worst, steps, size)
    sc.destroy()
    return summary, fields, extra


def _summary(
    sc: HeatSuperconductor,
    record: dict[str, Any],
    spectra: dict[str, Any],
    worst: float,
    steps: int,
    size: int,
) -> dict[str, Any]:
    pieces = {
        p.name: {
            "regions": list(p.regions),
            "Ts_K": record["Ts_K"][p.name],
            "omega0_rad_s": record["omega0_rad_s"][p.name],
            "phase_rad": record["phase_rad"][p.name],
            "heat_capacity_J_K": p.heat_capacity,
            "contacts": list(p.contacts),
        }
        for p in sc.pieces
    }
    contacts = {
        n: {"kappa_SN": c.kappa_SN, "area_m2": sc.area[n], "heat_in_W": record["contact_heat_W"][n]}
        for n, c in sc.contacts.items()
    }
    links = {}
    for n, link in sc.links.items():
        heat = record["link_heat_W"][n]
        links[n] = {
            "from": heat["from"],
            "to": heat["to"],
            "E_J": link.E_J,
            "critical_twist": link.critical_twist,
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
        "unknowns": size,
        "steps": steps,
        "t_final_s": record["t_s"],
        "heat_flow_W": record["heat_flow_W"],
        "thermal_energy_J": record["reservoir_energy_J"],
        "energy_balance_error_W": worst,
        "superconductor": {
            "pieces": pieces,
            "contacts": contacts,
            "links": links,
            "rod_energy_J": record["rod_energy_J"],
            "rod_T_K": {r: record["Ts_K"][p.name] for p in sc.pieces for r in p.regions},
        },
    }


def _link_series(history: list[dict[str, Any]], name: str) -> tuple[np.ndarray, np.ndarray]:
    t = np.array([r["t_s"] for r in history])
    return t, np.array([r["link_heat_W"][name]["out_W"] for r in history])


def _spectra(history: list[dict[str, Any]]) -> dict[str, Any]:
    """Each weak link's current (the heat leaving its first piece) over the steps: the dominant
    angular frequency of its spectrum and the amplitude there."""
    if len(history) < 4:
        return {}
    out = {}
    for name in history[0]["link_heat_W"]:
        t, J = _link_series(history, name)
        omega = dominant_frequency(t, J)
        out[name] = {
            "dominant_omega_rad_s": omega,
            "dominant_frequency_Hz": omega / (2 * np.pi),
            "amplitude_W": _peak_amplitude(t, J),
            "mean_W": float(J.mean()),
            "resolution_rad_s": 2 * np.pi * (t.size - 1) / (t.size * (t[-1] - t[0])),  # bin
        }
    return out


def _peak_amplitude(t: np.ndarray, y: np.ndarray) -> float:
    """The height of the highest spectral peak, refined like its frequency (a parabola through
    the logarithms of the three bins around it): a sinusoid's amplitude to about 1 %."""
    _, amplitude = spectrum(t, y)
    if amplitude.size < 3 or amplitude[1:].max() <= 0:
        return 0.0
    k = 1 + int(np.argmax(amplitude[1:]))
    if k >= amplitude.size - 1:
        return float(amplitude[k])
    a, b, c = np.log(np.maximum(amplitude[k - 1 : k + 2], 1e-300))
    curvature = a - 2 * b + c
    return float(np.exp(b - (a - c) ** 2 / (8 * curvature))) if curvature < 0 else float(np.exp(b))


def _write_spectrum(path: Path, history: list[dict[str, Any]], comm: MPI.Comm) -> None:
    """spectrum.csv: ω (rad/s), f (Hz) and each weak link's current amplitude (W)."""
    if comm.rank != 0:
        return
    names = list(history[0]["link_heat_W"])
    columns = []
    for name in names:
        w, amplitude = spectrum(*_link_series(history, name))
        columns.append(amplitude)
    header = ["omega_rad_s", "frequency_Hz", *(f"amplitude_W:{n}" for n in names)]
    data = np.column_stack([w, w / (2 * np.pi), *columns])
    np.savetxt(path, data, delimiter=",", header=",".join(header), comments="", fmt="%.12g")
