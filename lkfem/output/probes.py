"""Point values of fields, the same on every rank and in serial and parallel runs: the points of
a case's ``[probes]`` located once (:class:`Probes`), then evaluated as often as needed — in
the summary at the end and as columns of ``timeseries.csv`` at every step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from dolfinx import fem, geometry
from mpi4py import MPI

from lkfem.core.domain import Domain
from lkfem.errors import CaseError

__all__ = ["probe", "Probes", "FIELD_UNITS"]

#: the unit suffix of each written field's name in summaries and time series (README,
#: "Units"): T (K), q and j_s (W/m²), θ (rad)
FIELD_UNITS = {"T": "K", "q": "W_m2", "theta": "rad", "j_s": "W_m2", "T_s": "K"}
_AXES = "xyz"


class Probes:
    """Named points of ``domain``, located in its cells once.

    Raises:
        CaseError: a point lies outside the mesh (``probes.NAME`` of ``origin``).
    """

    def __init__(
        self, domain: Domain, points: Mapping[str, Sequence[float]], origin: str = "<python>"
    ):
        self.domain = domain
        self.names = list(points)
        self.points = {name: [float(c) for c in points[name]] for name in self.names}
        mesh = domain.mesh
        self.xyz = np.zeros((len(self.names), 3))
        gdim = mesh.geometry.dim
        for i, name in enumerate(self.names):
            self.xyz[i, : len(points[name])] = points[name]
            if np.any(self.xyz[i, gdim:] != 0.0):
                raise CaseError(
                    origin,
                    f"probes.{name}",
                    f"point {self.points[name]} lies off the {gdim}D mesh (give "
                    f"{gdim} coordinate{'s' if gdim > 1 else ''})",
                )
        self.cells: list[list[int]] = []
        if not self.names:
            return
        tree = geometry.bb_tree(mesh, mesh.topology.dim)
        candidates = geometry.compute_collisions_points(tree, self.xyz)
        colliding = geometry.compute_colliding_cells(mesh, candidates, self.xyz)
        num_owned = mesh.topology.index_map(mesh.topology.dim).size_local
        # Every owned cell that contains the point; values are averaged over all of them on
        # all ranks, so a point on a cell boundary gets the same (mean) value of a
        # discontinuous field whatever the partition.
        self.cells = [
            [int(c) for c in colliding.links(i) if c < num_owned] for i in range(len(self.names))
        ]
        self.counts = domain.comm.allreduce(np.array([len(c) for c in self.cells]), op=MPI.SUM)
        for name, count in zip(self.names, self.counts, strict=True):
            if count == 0:
                raise CaseError(
                    origin, f"probes.{name}", f"point {self.points[name]} lies outside the mesh"
                )

    def __bool__(self) -> bool:
        return bool(self.names)

    def values(self, fields: Sequence[fem.Function]) -> list[list[np.ndarray]]:
        """Per point, each field's value there (an array of its components). Collective."""
        if not self.names:
            return []
        sizes = [int(np.prod(f.ufl_shape)) for f in fields]
        sums = np.zeros((len(self.names), sum(sizes)))
        for i, cells in enumerate(self.cells):
            for cell in cells:
                sums[i] += np.concatenate(
                    [f.eval(self.xyz[i], np.array([cell], dtype=np.int32)) for f in fields]
                )
        means = self.domain.comm.allreduce(sums, op=MPI.SUM) / self.counts[:, None]
        offsets = np.cumsum([0, *sizes])
        return [[m[offsets[k] : offsets[k + 1]] for k in range(len(fields))] for m in means]

    def evaluate(self, fields: Sequence[fem.Function]) -> dict[str, dict[str, list[float] | float]]:
        """name -> {"x": [...], field name: value (a float, or a list for vector fields)}."""
        out: dict[str, dict[str, list[float] | float]] = {}
        for name, values in zip(self.names, self.values(fields), strict=True):
            entry: dict[str, list[float] | float] = {"x": self.points[name]}
            for f, value in zip(fields, values, strict=True):
                entry[f.name] = float(value[0]) if not f.ufl_shape else value.tolist()
            out[name] = entry
        return out

    def summary(self, fields: Sequence[fem.Function]) -> dict[str, dict[str, list[float] | float]]:
        """As :meth:`evaluate`, with units in the keys: {"x_m": ..., "T_K": ..., "q_W_m2": ...}."""
        return {
            name: {_key(key): value for key, value in entry.items()}
            for name, entry in self.evaluate(fields).items()
        }

    def row(self, fields: Sequence[fem.Function]) -> dict[str, float]:
        """The columns of ``timeseries.csv``: ``T_K:NAME``, ``qx_W_m2:NAME``, … per point."""
        row: dict[str, float] = {}
        for name, values in zip(self.names, self.values(fields), strict=True):
            for f, value in zip(fields, values, strict=True):
                unit = FIELD_UNITS.get(f.name)
                suffix = f"_{unit}" if unit else ""
                if not f.ufl_shape:
                    row[f"{f.name}{suffix}:{name}"] = float(value[0])
                else:
                    for axis, component in zip(_AXES, value, strict=False):
                        row[f"{f.name}{axis}{suffix}:{name}"] = float(component)
        return row


def _key(field: str) -> str:
    if field == "x":
        return "x_m"
    unit = FIELD_UNITS.get(field)
    return f"{field}_{unit}" if unit else field


def probe(
    domain: Domain,
    fields: Sequence[fem.Function],
    points: Mapping[str, Sequence[float]],
    origin: str = "<python>",
) -> dict[str, dict[str, list[float] | float]]:
    """Evaluate ``fields`` at named points, once (:class:`Probes` for repeated evaluations).

    A point shared by several cells (on a face, edge or vertex) gets the mean of their values.

    Returns:
        name -> {"x": [...], field name: value (a float or a list for vector fields)}.
    """
    return Probes(domain, points, origin).evaluate(fields)
