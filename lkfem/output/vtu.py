"""``fields.pvd``: the written fields as one VTU file per output time (``fields/step_NNNNNN.vtu``,
written by meshio on rank 0) and a ParaView collection listing them with their times.

Unlike ``fields.xdmf`` (several grids per step) and ``fields.bp`` (ADIOS2), these files read back
in Python with the common tools: ``pyvista.read("fields.pvd")`` (all steps, every array) and
``meshio.read("fields/step_000003.vtu")``. The fields are gathered on rank 0 into one mesh
numbered globally, so the partitions join without doubled points; each VTU holds T, q and the
other P1 fields at the points and the cellwise fields (k, j_s, …) and the region tags
(``region``) on the cells. Lines, triangles, quadrilaterals, tetrahedra and hexahedra are
written (one type per mesh); the vectors of a 1D or 2D mesh get zero further components.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import numpy as np
from dolfinx import fem, plot

from lkfem import _compat
from lkfem.core.domain import Domain

__all__ = ["VTUSeries", "MESHIO_CELLS"]

#: VTK cell type → meshio's name (VTK's node order is meshio's); dolfinx gives the Lagrange
#: types (68–72), the same cells at degree 1.
MESHIO_CELLS = {
    **{3: "line", 5: "triangle", 9: "quad", 10: "tetra", 12: "hexahedron"},
    **{68: "line", 69: "triangle", 70: "quad", 71: "tetra", 72: "hexahedron"},
}


class VTUSeries:
    """Writes ``functions`` (P1 or cellwise constant; others are interpolated to P1) of ``domain``
    at each call of :meth:`write` into ``path`` (a ``.pvd``) and the folder of the same stem.

    Collective: every rank calls :meth:`write`; rank 0 writes the files.
    """

    def __init__(self, path: Path, domain: Domain, functions: Sequence[fem.Function]):
        self.path = Path(path)
        self.folder = self.path.with_suffix("")
        mesh = domain.mesh
        self.comm = mesh.comm
        self.functions = list(functions)
        tdim = mesh.topology.dim
        self.num_owned = mesh.topology.index_map(tdim).size_local
        imap = mesh.geometry.index_map()
        num_nodes = imap.size_local + imap.num_ghosts
        self.num_nodes_owned = imap.size_local
        self.to_global = imap.local_to_global(np.arange(num_nodes, dtype=np.int32))
        self.geometry_dofs = np.asarray(_compat.geometry_dofmap(mesh))
        topology, cell_types, x = plot.vtk_mesh(mesh)
        per_cell = topology.size // max(cell_types.size, 1)
        cells = topology.reshape(-1, per_cell)[: self.num_owned, 1:]
        region = np.full(mesh.topology.index_map(tdim).size_local, -1, dtype=np.int32)
        tags = domain.cell_tags
        owned = tags.indices < self.num_owned
        region[tags.indices[owned]] = tags.values[owned]
        parts = self.comm.gather(
            (
                self.to_global[cells],
                cell_types[: self.num_owned],
                self.to_global[: self.num_nodes_owned],
                x[: self.num_nodes_owned],
                region,
            ),
            root=0,
        )
        self.p1 = {}  # name → a P1 copy where the function is not P1 itself
        for f in self.functions:
            if not _cellwise(f) and not _is_p1(f):
                space = fem.functionspace(mesh, ("Lagrange", 1, tuple(f.ufl_shape)))
                self.p1[f.name] = fem.Function(space, name=f.name)
        self.times: list[float] = []
        if self.comm.rank != 0:
            return
        self.points = np.zeros((imap.size_global, 3))
        for _, _, numbers, xp, _ in parts:
            self.points[numbers] = xp
        self.numbers = [p[2] for p in parts]
        kinds = np.concatenate([p[1] for p in parts])
        if np.unique(kinds).size != 1 or int(kinds[0]) not in MESHIO_CELLS:
            raise NotImplementedError(f"VTU output of cell types {np.unique(kinds)}")
        self.cells = [(MESHIO_CELLS[int(kinds[0])], np.concatenate([p[0] for p in parts]))]
        self.region = np.concatenate([p[4] for p in parts])
        self.folder.mkdir(parents=True, exist_ok=True)

    def write(self, t: float) -> None:
        """The functions' current values as the next step at time ``t`` (s)."""
        point_parts, cell_parts = {}, {}
        for f in self.functions:
            if _cellwise(f):
                bs = f.function_space.dofmap.index_map_bs
                dofs = f.function_space.dofmap.list[: self.num_owned, 0]
                cell_parts[f.name] = f.x.array.real.reshape(-1, bs)[dofs]
            else:
                g = self.p1.get(f.name)
                if g is not None:
                    g.interpolate(f)
                    f = g
                point_parts[f.name] = self._at_nodes(f)
        gathered = self.comm.gather((point_parts, cell_parts), root=0)
        self.times.append(float(t))
        if self.comm.rank != 0:
            return
        import meshio

        vectors = {f.name for f in self.functions if len(f.ufl_shape) == 1}
        point_data: dict[str, Any] = {}
        for name in point_parts:
            values = np.zeros((len(self.points), gathered[0][0][name].shape[1]))
            for (points, _), numbers in zip(gathered, self.numbers, strict=True):
                values[numbers] = points[name]
            point_data[name] = _vtk_shape(values, name in vectors)
        cell_data: dict[str, Any] = {"region": [self.region]}
        for name in cell_parts:
            values = np.concatenate([cells[name] for _, cells in gathered])
            cell_data[name] = [_vtk_shape(values, name in vectors)]
        step = len(self.times) - 1
        meshio.vtu.write(
            self.folder / f"step_{step:06d}.vtu",
            meshio.Mesh(self.points, self.cells, point_data=point_data, cell_data=cell_data),
            binary=True,
            compression="zlib",
        )
        self._write_collection()

    def _at_nodes(self, f: fem.Function) -> np.ndarray:
        """A P1 function's values at this rank's owned geometry nodes (same local order as the
        cell's vertices in both dof maps)."""
        bs = f.function_space.dofmap.index_map_bs
        values = np.zeros((len(self.to_global), bs))
        dofs = f.function_space.dofmap.list
        values[self.geometry_dofs.ravel()] = f.x.array.real.reshape(-1, bs)[dofs.ravel()]
        return values[: self.num_nodes_owned]

    def _write_collection(self) -> None:
        rows = "\n".join(
            f'    <DataSet timestep="{t!r}" part="0" '
            f"file={quoteattr(f'{self.folder.name}/step_{i:06d}.vtu')}/>"
            for i, t in enumerate(self.times)
        )
        # written aside and moved: a run killed meanwhile leaves the previous index whole
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(
            '<?xml version="1.0"?>\n<VTKFile type="Collection" version="0.1">\n'
            f"  <Collection>\n{rows}\n  </Collection>\n</VTKFile>\n"
        )
        os.replace(tmp, self.path)

    def close(self) -> None:
        """Nothing is kept open: every step's files are complete when :meth:`write` returns."""


def _vtk_shape(values: np.ndarray, vector: bool) -> np.ndarray:
    """Values (n, components) as VTK wants them: a vector of a 1D or 2D mesh padded with zeros
    to three components (so that ParaView and pyvista draw arrows in the plane), a scalar flat."""
    if vector and values.shape[1] < 3:
        return np.hstack([values, np.zeros((values.shape[0], 3 - values.shape[1]))])
    return values if values.shape[1] > 1 else values.ravel()


def _cellwise(f: fem.Function) -> bool:
    return f.function_space.ufl_element().embedded_superdegree == 0


def _is_p1(f: fem.Function) -> bool:
    element = f.function_space.ufl_element()
    return (
        element.family_name in ("P", "Q", "Lagrange")
        and element.embedded_superdegree == 1
        and not element.discontinuous
    )
