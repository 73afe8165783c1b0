"""The thermal-domain diagnostics a run records: vortices (2D) or vortex lines (3D), the domain
size and the |q| histogram (:mod:`~lkfem.physics.domains.vortices`,
:mod:`~lkfem.physics.domains.structure`), as columns of ``timeseries.csv``, entries of
``summary.json`` and a cellwise field ("winding" in 2D, "vortex_line_density" in 3D)."""

from __future__ import annotations

from typing import Any

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from lkfem.physics.domains.structure import DomainStructure, Structure
from lkfem.physics.domains.vortices import VortexDiagnostics, VortexLines, Vortices

__all__ = ["DomainDiagnostics", "equilibrium_flux"]

#: The |q| histogram: this many bins from 0 to 1.5 times the ordered |q| (or the first |q| seen).
BINS = 15
#: Vortex positions kept in summary.json (the field has them all).
MAX_POSITIONS = 200


def equilibrium_flux(problem: Any) -> float:
    """The largest ordered |q| = √(−a/b) over the regions (W/m²) with the coefficients at the
    current state (the trace/d of a tensor a); 0 when no region orders."""
    best = 0.0
    for tags, _, region in problem.groups:
        co = problem.co_now[region]
        try:
            if isinstance(co.b, int | float) and co.b == 0:
                continue
            a = ufl.as_ufl(co.A)
            if a.ufl_shape:
                a = ufl.tr(a) / a.ufl_shape[0]
            dx = problem.domain.dx(tags)
            form = fem.form(ufl.sqrt(ufl.max_value(-a / co.b, 0.0)) * dx)
            size = fem.form(1.0 * dx)
            value = problem.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)
            volume = problem.comm.allreduce(fem.assemble_scalar(size), op=MPI.SUM)
            best = max(best, float(value) / float(volume))
        except Exception:  # a coefficient UFL cannot integrate here: no estimate
            continue
    return best


class DomainDiagnostics:
    """Vortices, domain size and |q| histogram of a thermal-domain state.

    Args:
        V_q: q's function space (the diagnostics read a function of it).
        q_scale: the ordered |q| (W/m²) that sets the histogram's bins; 0: from the first state.
        modes: the Fourier lattice of the structure factor (per direction); fewer in 3D.
        vortex_axis: the 3D vortex lines' projection (``[domains] vortex_axis``: "cell", "x",
            "y" or "z").
    """

    def __init__(
        self,
        V_q: fem.FunctionSpace,
        *,
        q_scale: float = 0.0,
        modes: int | None = None,
        vortex_axis: str = "cell",
    ):
        self.q = fem.Function(V_q, name="q_diagnostics")
        mesh = V_q.mesh
        self.tdim = mesh.topology.dim
        self.vortices = VortexDiagnostics(self.q, axis=vortex_axis) if self.tdim >= 2 else None
        self.field = None if self.vortices is None else self.vortices.field
        self._modes = modes if modes is not None else (16 if self.tdim < 3 else 6)
        self._scale = q_scale
        self.structure: DomainStructure | None = None
        self.last_vortices: Vortices | VortexLines | None = None
        self.last_structure: Structure | None = None
        self.columns: tuple[str, ...] = ()
        self.volume = mesh.comm.allreduce(
            fem.assemble_scalar(fem.form(1.0 * ufl.dx(domain=mesh))), op=MPI.SUM
        )

    def _ensure_structure(self) -> DomainStructure:
        if self.structure is None:
            scale = self._scale
            if scale <= 0:
                values = self.q.x.array
                scale = self.q.function_space.mesh.comm.allreduce(
                    float(np.abs(values).max()) if values.size else 0.0, op=MPI.MAX
                )
                scale = scale * np.sqrt(self.q.ufl_shape[0]) if scale > 0 else 1.0
            edges = np.linspace(0.0, 1.5 * scale, BINS + 1)
            self.structure = DomainStructure(self.q, edges, modes=self._modes)
        return self.structure

    def row(self, q: fem.Function) -> dict[str, float]:
        """The columns of one step (units in the names) for the state ``q``."""
        self.q.x.array[:] = q.x.array
        self.q.x.scatter_forward()
        out: dict[str, float] = {}
        if self.vortices is not None:
            found = self.last_vortices = self.vortices.compute()
            if isinstance(found, Vortices):
                out["vortices"] = found.vortices
                out["antivortices"] = found.antivortices
                per = "1_m2" if self.tdim == 2 else "1_m3"
                out[f"vortex_density_{per}"] = (found.vortices + found.antivortices) / self.volume
            else:
                out["vortex_line_length_m"] = found.length
                out["vortex_line_density_1_m2"] = found.length / self.volume
        s = self.last_structure = self._ensure_structure().compute()
        out["domain_size_m"] = s.domain_size
        self.columns = tuple(out)
        return out

    def skipped_row(self) -> dict[str, float]:
        """The columns of a step between diagnostics (``diagnostics_every``): all NaN (empty
        cells would shift a CSV reader's columns; NaN reads as missing in numpy and pandas)."""
        return dict.fromkeys(self.columns, float("nan"))

    def summary(self) -> dict[str, Any]:
        """The last state's entries for summary.json."""
        out: dict[str, Any] = {}
        found, s = self.last_vortices, self.last_structure
        if isinstance(found, Vortices):
            out["vortices"], out["antivortices"] = found.vortices, found.antivortices
            out["vortex_positions_m"] = found.positions[:MAX_POSITIONS].tolist()
        elif isinstance(found, VortexLines):
            out["vortex_line_length_m"] = found.length
        if s is not None:
            out["domain_size_m"] = s.domain_size if np.isfinite(s.domain_size) else None
            out["abs_q_histogram"] = {
                "bin_edges_W_m2": s.bin_edges.tolist(),
                "volume_fraction": s.histogram.tolist(),
            }
        return out
