"""The domain structure of the heat flux q: mean |q|, the |q| histogram and the domain size.

* **mean |q|** (W/m²): ∫|q| dx / |Ω|.
* **|q| histogram**: the fraction of the volume in each of fixed bins of |q| (cell-midpoint
  values weighted by the cell's volume), the same bins at every step so histograms compare.
* **domain size** L (m) from the **structure factor**: the Fourier coefficients
  q̂(k) = ∫ (q − ⟨q⟩) e^{−i k·x} dx on the lattice k = 2π (n_x/L_x, n_y/L_y[, n_z/L_z]) of the
  mesh's bounding box (|n_i| ≤ ``modes``), S(k) = |q̂(k)|², and L = 2π / k₁ with the first
  moment k₁ = Σ |k| S(k) / Σ S(k) over k ≠ 0 (the usual measure in coarsening studies). The sums
  run over the cell midpoints with the cells' volumes as weights and are added over the ranks,
  so every rank has the same S and L on any number of ranks. They are separable
  (e^{−i k·x} = Π_j e^{−i k_j x_j}), so they cost one small matrix product per component.
  L resolves sizes from about the box down to the box/``modes``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

__all__ = ["DomainStructure", "Structure"]


@dataclass(slots=True, frozen=True)
class Structure:
    """The domain structure of one state.

    Attributes:
        mean_abs: mean |q| over the domain (W/m²).
        histogram: volume fraction of each |q| bin (sums to 1 when every |q| lies in the bins).
        bin_edges: the bins' edges (W/m²).
        domain_size: L = 2π/k₁ from the structure factor (m); inf for a uniform field.
        k: the radial wavenumbers of the shells (1/m), for a plot of S(k).
        S: the shell-averaged structure factor at ``k`` (W² m^(2d−4)... per mode, arbitrary
            normalisation: ``S / S.sum()`` is what compares between states).
    """

    mean_abs: float
    histogram: np.ndarray
    bin_edges: np.ndarray
    domain_size: float
    k: np.ndarray
    S: np.ndarray


class DomainStructure:
    """Mean |q|, |q| histogram and domain size of the heat flux ``q``.

    Args:
        q: the heat flux (vector function on a 1D, 2D or 3D mesh).
        bin_edges: the |q| histogram's bins (W/m²), fixed for the run.
        modes: the largest |n_j| of the Fourier lattice (per direction).
    """

    def __init__(self, q: fem.Function, bin_edges, *, modes: int = 16) -> None:
        mesh = q.function_space.mesh
        self.q = q
        self.comm = mesh.comm
        self.bin_edges = np.asarray(bin_edges, dtype=float)
        tdim = mesh.topology.dim
        gdim = mesh.geometry.dim
        self.dg0 = fem.functionspace(mesh, ("DG", 0))
        owned = mesh.topology.index_map(tdim).size_local
        self._dofs = self.dg0.dofmap.list[:owned, 0]
        volume = fem.assemble_vector(fem.form(ufl.TestFunction(self.dg0) * ufl.dx))
        self._w = volume.array[self._dofs].copy()
        self._total = self.comm.allreduce(float(self._w.sum()), op=MPI.SUM)
        size = int(np.prod(q.ufl_shape)) if q.ufl_shape else 1
        self._size = size
        self._qc = fem.Function(fem.functionspace(mesh, ("DG", 0, (size,))))
        self._abs = fem.form(ufl.sqrt(ufl.inner(q, q)) * ufl.dx)
        # midpoints: the DG0 dof coordinates; the Fourier lattice of the bounding box
        x = self.dg0.tabulate_dof_coordinates()[self._dofs, :gdim]
        coords = np.ascontiguousarray(mesh.geometry.x[:, :gdim])
        mesh_lo, mesh_hi = np.empty(gdim), np.empty(gdim)
        self.comm.Allreduce(coords.min(axis=0), mesh_lo, op=MPI.MIN)
        self.comm.Allreduce(coords.max(axis=0), mesh_hi, op=MPI.MAX)
        lengths = np.maximum(mesh_hi - mesh_lo, 1e-300)
        n = np.arange(-modes, modes + 1)
        self._kj = [2.0 * np.pi * n / L for L in lengths]  # per direction
        self._phase = [
            np.exp(-1j * np.outer(x[:, j] - mesh_lo[j], self._kj[j])) for j in range(gdim)
        ]
        grids = np.meshgrid(*self._kj, indexing="ij")
        self._kabs = np.sqrt(sum(g**2 for g in grids))

    def _midpoint_values(self) -> np.ndarray:
        self._qc.interpolate(self.q)
        return self._qc.x.array.reshape(-1, self._size)[self._dofs]

    def compute(self) -> Structure:
        mean_abs = self.comm.allreduce(fem.assemble_scalar(self._abs), op=MPI.SUM) / self._total
        qc = self._midpoint_values()
        counts, _ = np.histogram(np.linalg.norm(qc, axis=1), bins=self.bin_edges, weights=self._w)
        histogram = self.comm.allreduce(counts, op=MPI.SUM) / self._total
        mean = self.comm.allreduce(qc.T @ self._w, op=MPI.SUM) / self._total
        S = np.zeros(self._kabs.shape)
        for c in range(self._size):
            f = (qc[:, c] - mean[c]) * self._w
            S += np.abs(self._transform(f)) ** 2
        k, shells = self._shells(S)
        moment = (k * shells).sum()
        variance = self.comm.allreduce(float(((qc - mean) ** 2).sum(axis=1) @ self._w), op=MPI.SUM)
        uniform = variance <= 1e-20 * self._total * float(mean @ mean)  # round-off only
        domain_size = (
            float("inf") if uniform or moment <= 0 else 2.0 * np.pi * shells.sum() / moment
        )
        return Structure(
            mean_abs=float(mean_abs),
            histogram=histogram,
            bin_edges=self.bin_edges,
            domain_size=float(domain_size),
            k=k,
            S=shells,
        )

    def _transform(self, f: np.ndarray) -> np.ndarray:
        """Σ_cells f e^{−i k·x} on the lattice, summed over the ranks."""
        p = self._phase
        if len(p) == 1:
            local = f @ p[0]
        elif len(p) == 2:
            local = (p[0] * f[:, None]).T @ p[1]
        else:
            a = p[0] * f[:, None]
            local = np.stack([(a * p[2][:, [m]]).T @ p[1] for m in range(p[2].shape[1])], -1)
        return self.comm.allreduce(local, op=MPI.SUM)

    def _shells(self, S: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """S summed over shells as wide as the smallest lattice step, from the first shell to the
        largest sphere inside the lattice (k = 0 and the lattice's corners left out)."""
        dk = min(k[1] - k[0] for k in self._kj)
        kmax = min(k[-1] for k in self._kj)
        index = np.rint(self._kabs / dk).astype(int).ravel()
        sums = np.bincount(index, weights=S.ravel())
        shells = np.arange(len(sums)) * dk
        keep = (shells > 0) & (shells <= kmax * (1 + 1e-12))
        return shells[keep], sums[keep]
