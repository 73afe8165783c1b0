"""Vortices of the heat flux q: winding numbers in 2D, vortex lines in 3D.

Both are read from q's values at the vertices of each cell (q interpolated to continuous P1 when
it has another degree), as on a lattice:

* **2D**: the winding number of q's angle θ = atan2(q_y, q_x) around each cell (triangle or
  quadrilateral), the wrapped increments Δθ ∈ (−π, π] summed counter-clockwise around the cell's
  boundary and divided by 2π. A cell with winding +1 holds a vortex, −1 an antivortex. Its
  position is the zero of the linear interpolant of q in a triangle (exact for a field linear
  near the core), the centroid in a quadrilateral.
* **3D**: vortex lines, from the winding of q's angle around every face of every cell in a plane
  chosen per cell (``axis="cell"``, the default): the plane the cell's vertex values of q span,
  i.e. normal to the eigenvector u of the smallest eigenvalue of S = Σ_v q_v q_vᵀ (the direction
  q avoids). Near an XY-like line with direction t, q lies in the plane normal to t, so u = t and
  the winding of the projection around a face pierced by the line is ±1; in an ordered or
  smoothly rotating state the projection keeps q's large part, so no face winds. One projection
  per cell keeps the windings conservative within the cell (each edge's increments cancel
  between the cell's two faces that share it), so a cell has an even number of pierced faces
  (faces without a defined winding aside; two cells sharing a face may disagree on it).
  The definition needs no axis and turns with the field (docs/theory.md, "Vortex lines in 3D").
  ``axis="x"``/``"y"``/``"z"`` (or a vector) uses the phase of the components of q normal to a
  fixed axis instead; it finds only lines along which q is normal to that axis, and scatters
  spurious windings wherever q orders along it. A face whose projected vectors vanish at a
  vertex or are antiparallel along an edge has no defined winding and counts as not pierced. A
  pierced face is crossed at the zero of the linear interpolant of the projection on the face
  (on a quadrilateral face, on the half triangle that winds; the centroid if neither does).
  Inside a cell the crossing points are joined by a segment; a cell crossed more often joins
  each point to their mean. The total line length is exact for a field linear in a cell.

Every cell is counted once in parallel (owned cells only); counts and lengths are global. The
fields for the results folder are cellwise constants (DG0): the winding in 2D, the line length
per volume (1/m²) in 3D.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from lkfem.errors import LkfemError

__all__ = ["AXES", "VortexDiagnostics", "Vortices", "VortexLines", "cell_vertex_values"]

#: The 3D projections (``[domains] vortex_axis``): each cell's own plane, or normal to an axis.
AXES = {"cell": None, "x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0)}
#: A projected vector shorter than this times the face's longest has no angle; a step within
#: this of ±π along an edge (antiparallel ends) has no sign: such a face has no winding.
_DEGENERATE = 1e-9

# The vertices of each cell type in cyclic order around the cell (2D), or around each of its
# faces (3D), in basix's reference numbering.
_CYCLES_2D = {"triangle": [(0, 1, 2)], "quadrilateral": [(0, 1, 3, 2)]}
_FACES_3D = {
    "tetrahedron": [(1, 2, 3), (0, 2, 3), (0, 1, 3), (0, 1, 2)],
    "hexahedron": [
        (0, 1, 3, 2), (4, 5, 7, 6), (0, 1, 5, 4), (2, 3, 7, 6), (0, 2, 6, 4), (1, 3, 7, 5),
    ],
}  # fmt: skip


@dataclass(slots=True, frozen=True)
class Vortices:
    """Vortices of a 2D field.

    Attributes:
        winding: the winding number of each owned cell.
        vortices: the number of vortices (sum of the positive windings, all ranks).
        antivortices: the number of antivortices (sum of the negative windings' magnitudes).
        positions: ``(n, 3)``: x, y (m) and winding of every cell with a nonzero winding, all
            ranks, ordered by position (the same array on every rank).
    """

    winding: np.ndarray
    vortices: int
    antivortices: int
    positions: np.ndarray

    @property
    def charge(self) -> int:
        """Net winding: vortices − antivortices."""
        return self.vortices - self.antivortices


@dataclass(slots=True, frozen=True)
class VortexLines:
    """Vortex lines of a 3D field.

    Attributes:
        length: the total line length (m, all ranks).
        cell_length: the line length in each owned cell (m).
        segments: ``(n, 2, 3)``: the line segments (m) of the owned cells on this rank.
        crossed_cells: the number of cells a line crosses (all ranks).
    """

    length: float
    cell_length: np.ndarray
    segments: np.ndarray
    crossed_cells: int = 0

    def gather_segments(self, comm: MPI.Comm) -> np.ndarray:
        """Every rank's segments, on every rank (for a picture)."""
        parts = comm.allgather(self.segments)
        return np.concatenate(parts) if parts else self.segments


def cell_vertex_values(q: fem.Function, vertex_space: fem.FunctionSpace | None = None):
    """q at the vertices of each owned cell.

    Args:
        q: a vector field on any Lagrange/DG space of the mesh.
        vertex_space: the continuous P1 vector space to interpolate into (made if None).

    Returns:
        ``(x, values)``: vertex coordinates ``(cells, vertices, 3)`` (m) and q's values there
        ``(cells, vertices, components)``, in basix's reference numbering of the vertices.
    """
    mesh = q.function_space.mesh
    if vertex_space is None:
        vertex_space = _vertex_space(q)
    q1 = fem.Function(vertex_space)
    q1.interpolate(q)
    q1.x.scatter_forward()
    bs = vertex_space.dofmap.index_map_bs
    owned = mesh.topology.index_map(mesh.topology.dim).size_local
    dofs = vertex_space.dofmap.list[:owned]
    coords = vertex_space.tabulate_dof_coordinates()
    values = q1.x.array.reshape(-1, bs)
    return coords[dofs], values[dofs]


def _vertex_space(q: fem.Function) -> fem.FunctionSpace:
    shape = q.ufl_shape
    size = int(np.prod(shape)) if len(shape) else 1
    if size < 2:
        raise LkfemError(f"vortices need a vector field; {q.name} has {size} component(s)")
    return fem.functionspace(q.function_space.mesh, ("Lagrange", 1, (size,)))


def _windings(angles: np.ndarray) -> np.ndarray:
    """Winding numbers of closed polygons: ``angles`` ``(..., n)`` in cyclic order."""
    step = np.roll(angles, -1, axis=-1) - angles
    step = (step + np.pi) % (2.0 * np.pi) - np.pi
    return np.rint(step.sum(axis=-1) / (2.0 * np.pi)).astype(np.int64)


def _linear_zero(x: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """Where the linear interpolant of the 2-vector ``psi`` on triangles ``x`` vanishes
    (``x``: ``(n, 3, 3)``, ``psi``: ``(n, 3, 2)``); the centroid where it has no zero inside."""
    centroid = x.mean(axis=1)
    if len(x) == 0:
        return centroid
    M = np.stack([psi[:, 1] - psi[:, 0], psi[:, 2] - psi[:, 0]], axis=-1)  # (n, 2, 2)
    det = M[:, 0, 0] * M[:, 1, 1] - M[:, 0, 1] * M[:, 1, 0]
    ok = np.abs(det) > 1e-300
    xi = np.zeros((len(x), 2))
    rhs = -psi[ok, 0]
    inv = (
        np.stack(
            [np.stack([M[ok, 1, 1], -M[ok, 0, 1]], -1), np.stack([-M[ok, 1, 0], M[ok, 0, 0]], -1)],
            axis=1,
        )
        / det[ok, None, None]
    )
    xi[ok] = np.einsum("nij,nj->ni", inv, rhs)
    tol = 1e-9
    inside = ok & (xi[:, 0] >= -tol) & (xi[:, 1] >= -tol) & (xi.sum(axis=1) <= 1 + tol)
    point = x[:, 0] + xi[:, :1] * (x[:, 1] - x[:, 0]) + xi[:, 1:] * (x[:, 2] - x[:, 0])
    return np.where(inside[:, None], point, centroid)


class VortexDiagnostics:
    """The vortices of ``q`` in 2D or its vortex lines in 3D, with a DG0 field to write.

    Args:
        q: the heat flux (a vector function of a 2D or 3D mesh).
        axis: 3D only: ``"cell"`` (each cell's own plane, the default), ``"x"``, ``"y"``,
            ``"z"`` or a vector: the components of q normal to that axis make the phase.

    ``compute()`` returns :class:`Vortices` (2D) or :class:`VortexLines` (3D) and refreshes
    ``field``: the winding per cell (2D, "winding") or the line length per volume (3D,
    "vortex_line_density", 1/m²).
    """

    def __init__(self, q: fem.Function, *, axis: str | tuple[float, ...] = "cell") -> None:
        mesh = q.function_space.mesh
        self.q = q
        self.tdim = mesh.topology.dim
        cell = mesh.topology.cell_type.name
        table = _CYCLES_2D if self.tdim == 2 else _FACES_3D if self.tdim == 3 else {}
        if cell not in table:
            raise LkfemError(f"vortices are counted on 2D or 3D meshes, not on {cell} cells")
        self.cycles = table[cell]
        self._space = _vertex_space(q)
        self.dg0 = fem.functionspace(mesh, ("DG", 0))
        name = "winding" if self.tdim == 2 else "vortex_line_density"
        self.field = fem.Function(self.dg0, name=name)
        if isinstance(axis, str):
            if axis not in AXES:
                raise LkfemError(f"vortex axis must be one of {', '.join(AXES)}, got {axis!r}")
            axis = AXES[axis]
        self._basis = None
        if axis is not None:
            vector = np.asarray(axis, dtype=float)
            self._basis = _plane_basis(vector / np.linalg.norm(vector))
        if self.tdim == 3:
            volume = fem.assemble_vector(fem.form(ufl.TestFunction(self.dg0) * ufl.dx))
            self._volume = volume.array[self.dg0.dofmap.list[: self._owned(), 0]].copy()

    def _owned(self) -> int:
        mesh = self.q.function_space.mesh
        return mesh.topology.index_map(self.tdim).size_local

    def compute(self) -> Vortices | VortexLines:
        x, values = cell_vertex_values(self.q, self._space)
        if self.tdim == 2:
            return self._vortices(x, values[..., :2])
        q = values[..., :3]
        if q.shape[-1] < 3:
            return self._lines(x, q[..., :2])
        if self._basis is not None:
            return self._lines(x, q @ self._basis.T)
        return self._lines(x, np.einsum("cvi,cji->cvj", q, _cell_planes(q)))

    def _set_field(self, per_cell: np.ndarray) -> None:
        owned = len(per_cell)
        cells = self.dg0.dofmap.list[:owned, 0]
        self.field.x.array[cells] = per_cell
        self.field.x.scatter_forward()

    def _vortices(self, x: np.ndarray, q: np.ndarray) -> Vortices:
        cycle = list(self.cycles[0])
        xs, qs = x[:, cycle], q[:, cycle]
        w = _windings(np.arctan2(qs[..., 1], qs[..., 0]))
        # the cyclic order is counter-clockwise where the polygon's signed area is positive
        area = np.sum(
            xs[..., 0] * np.roll(xs[..., 1], -1, axis=1)
            - np.roll(xs[..., 0], -1, axis=1) * xs[..., 1],
            axis=1,
        )
        w = np.where(area < 0, -w, w)
        self._set_field(w.astype(float))
        hit = np.flatnonzero(w)
        if len(cycle) == 3:
            where = _linear_zero(xs[hit], qs[hit])
        else:
            where = xs[hit].mean(axis=1)
        local = np.column_stack([where[:, :2], w[hit]]) if len(hit) else np.zeros((0, 3))
        comm = self.q.function_space.mesh.comm
        positions = np.concatenate(comm.allgather(local))
        positions = positions[np.lexsort(positions.T[::-1])] if len(positions) else positions
        plus = comm.allreduce(int(w[w > 0].sum()), op=MPI.SUM)
        minus = comm.allreduce(int(-w[w < 0].sum()), op=MPI.SUM)
        return Vortices(winding=w, vortices=plus, antivortices=minus, positions=positions)

    def _lines(self, x: np.ndarray, psi: np.ndarray) -> VortexLines:
        n = len(x)
        points, counts = [], np.zeros(n, dtype=np.int64)
        crossing = []
        for face in self.cycles:
            face = list(face)
            w = _windings(np.arctan2(psi[:, face, 1], psi[:, face, 0]))
            pierced = (w != 0) & _defined(psi[:, face])
            counts += pierced
            crossing_point = _face_zero(x[:, face], psi[:, face])
            crossing.append(np.where(pierced[:, None], crossing_point, np.nan))
        points = np.stack(crossing, axis=1)  # (cells, faces, 3), NaN where not pierced
        segments = []
        cell_length = np.zeros(n)
        pairs = np.flatnonzero(counts == 2)
        if len(pairs):
            p = points[pairs]
            two = p[~np.isnan(p[..., 0])].reshape(len(pairs), 2, 3)
            segments.append(two)
            cell_length[pairs] = np.linalg.norm(two[:, 1] - two[:, 0], axis=1)
        many = np.flatnonzero(counts > 2)
        if len(many):  # each crossing point joined to their mean
            p = points[many]
            valid = ~np.isnan(p[..., 0])
            centre = np.nanmean(p, axis=1, keepdims=True)
            arm = np.linalg.norm(p - centre, axis=-1)
            cell_length[many] = np.where(valid, arm, 0.0).sum(axis=1)
            star = np.stack([p, np.broadcast_to(centre, p.shape)], axis=2)  # (m, faces, 2, 3)
            segments.append(star[valid])
        self._set_field(cell_length / self._volume)
        comm = self.q.function_space.mesh.comm
        total = comm.allreduce(float(cell_length.sum()), op=MPI.SUM)
        crossed = comm.allreduce(int(np.count_nonzero(counts >= 2)), op=MPI.SUM)
        segs = np.concatenate(segments) if segments else np.zeros((0, 2, 3))
        return VortexLines(
            length=total, cell_length=cell_length, segments=segs, crossed_cells=crossed
        )


def _face_zero(x: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """Where a line crosses faces ``x`` ``(n, k, 3)`` with projected q ``psi`` ``(n, k, 2)``: the
    linear zero on a triangle; on a quadrilateral that of the half (split along the diagonal from
    its first vertex) with a nonzero winding, else the centroid."""
    if x.shape[1] == 3:
        return _linear_zero(x, psi)
    point = x.mean(axis=1)
    for half in ([0, 1, 2], [0, 2, 3]):
        w = _windings(np.arctan2(psi[:, half, 1], psi[:, half, 0]))
        hit = np.flatnonzero(w != 0)
        point[hit] = _linear_zero(x[hit][:, half], psi[hit][:, half])
    return point


def _plane_basis(axis: np.ndarray) -> np.ndarray:
    """Two orthonormal vectors (rows) normal to ``axis``, right-handed about it."""
    helper = np.array([1.0, 0.0, 0.0]) if abs(axis[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = helper - helper.dot(axis) * axis
    e1 /= np.linalg.norm(e1)
    return np.stack([e1, np.cross(axis, e1)])


def _cell_planes(q: np.ndarray) -> np.ndarray:
    """Per cell, two orthonormal rows spanning the plane of its vertex values ``q``
    ``(cells, vertices, 3)``: normal to the eigenvector of Σ_v q_v q_vᵀ's smallest eigenvalue."""
    if len(q) == 0:
        return np.zeros((0, 2, 3))
    _, vectors = np.linalg.eigh(np.einsum("cvi,cvj->cij", q, q))
    u = vectors[:, :, 0]
    helper = np.where(np.abs(u[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    e1 = helper - np.sum(helper * u, axis=1, keepdims=True) * u
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    return np.stack([e1, np.cross(u, e1)], axis=1)


def _defined(psi: np.ndarray) -> np.ndarray:
    """Whether the winding of the 2-vectors ``psi`` ``(n, vertices, 2)`` around each polygon is
    defined: no vector vanishes (relative to the largest) and no edge joins antiparallel ones."""
    size = np.linalg.norm(psi, axis=-1)
    scale = size.max(axis=-1, initial=0.0)
    nonzero = np.all(size > _DEGENERATE * scale[:, None], axis=-1) & (scale > 0)
    angle = np.arctan2(psi[..., 1], psi[..., 0])
    step = (np.roll(angle, -1, axis=-1) - angle + np.pi) % (2.0 * np.pi) - np.pi
    return nonzero & np.all(np.abs(step) < np.pi - _DEGENERATE, axis=-1)
