"""Periodic pairs of named boundaries: the translation that maps one onto the other.

A pair ``(source, image)`` says the boundary ``image`` is a periodic image of ``source``: the
fields on ``image`` take the values they have on ``source`` at the point ``x + t``. The
translation ``t`` is found from the geometry (the difference of the two boundaries' centroids)
and checked: every mesh node of ``image`` moved by ``t`` must be a node of ``source``, and the
two must have as many nodes. Both boundaries must be flat (a plane in 3D, a straight line in 2D,
a point in 1D), so that a point can be told to lie on ``image`` from its coordinates alone, which
is what makes corners and edges shared by two pairs (an x- and y-periodic box) map in turn onto
the one corner that is no image.

:mod:`lkfem.solvers.periodic` turns these pairs into dolfinx_mpc constraints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from dolfinx import mesh as dmesh
from mpi4py import MPI
from scipy.spatial import cKDTree

from lkfem.core.domain import Domain

__all__ = ["Periodicity", "PeriodicMismatch", "match_pairs", "image_to_source"]


class PeriodicMismatch(ValueError):
    """Two boundaries that are not periodic images of each other (the message says why)."""


@dataclass(slots=True, frozen=True)
class Periodicity:
    """One periodic pair, found from the mesh.

    Attributes:
        source: the boundary whose values the image takes.
        image: the boundary that is a translate of ``source``.
        translation: ``source − image`` (m): a point ``x`` on ``image`` matches ``x + t``.
        normal: unit normal of the image's plane (3 components).
        offset: ``normal · x`` on the image's plane (m).
        lower, upper: the image's bounding box, padded by ``tol`` (m).
        tol: the geometric tolerance (m), 1e-8 of the mesh's size.
    """

    source: str
    image: str
    translation: np.ndarray
    normal: np.ndarray
    offset: float
    lower: np.ndarray
    upper: np.ndarray
    tol: float

    def on_image(self, x: np.ndarray) -> np.ndarray:
        """Which of the points ``x`` (shape (3, n)) lie on the image boundary."""
        flat = np.abs(self.normal @ x - self.offset) <= self.tol
        inside = np.all((x >= self.lower[:, None]) & (x <= self.upper[:, None]), axis=0)
        return flat & inside


def _boundary_points(domain: Domain, name: str) -> np.ndarray:
    """The coordinates (n, 3) of the geometry nodes of boundary ``name``, from every rank,
    without repeats."""
    mesh = domain.mesh
    tdim = mesh.topology.dim
    facets = domain.boundary_facets(name)
    mesh.topology.create_connectivity(tdim - 1, tdim)
    local = np.zeros((0, 3))
    if facets.size:  # (dolfinx 0.9 fails on an empty list)
        nodes = dmesh.entities_to_geometry(mesh, tdim - 1, facets)
        local = mesh.geometry.x[np.unique(nodes.reshape(-1))]
    points = np.concatenate(mesh.comm.allgather(local)) if mesh.comm.size > 1 else local
    if points.size == 0:
        return points.reshape(0, 3)
    return np.unique(np.round(points, 12), axis=0)


def _mesh_size(domain: Domain) -> float:
    x = domain.mesh.geometry.x
    lo, hi = np.empty(3), np.empty(3)
    domain.comm.Allreduce(x.min(axis=0) if x.size else np.full(3, np.inf), lo, op=MPI.MIN)
    domain.comm.Allreduce(x.max(axis=0) if x.size else np.full(3, -np.inf), hi, op=MPI.MAX)
    return float(np.linalg.norm(hi - lo))


def _fmt(v: np.ndarray, gdim: int) -> str:
    return "(" + ", ".join(f"{c:.6g}" for c in v[:gdim]) + ")"


def _plane(points: np.ndarray, gdim: int, tol: float, name: str) -> tuple[np.ndarray, float]:
    """The unit normal and offset of the flat boundary through ``points``."""
    centre = points.mean(axis=0)
    normal = np.zeros(3)
    if gdim == 1 or len(points) == 1:
        normal[0] = 1.0
    else:
        _, _, vt = np.linalg.svd(points[:, :gdim] - centre[:gdim], full_matrices=True)
        normal[:gdim] = vt[-1]
    off = float(np.max(np.abs((points - centre) @ normal)))
    if off > tol:
        shape = {1: "a point", 2: "a straight line"}.get(gdim, "a plane")
        raise PeriodicMismatch(f"'{name}' is not flat ({shape}): nodes lie {off:.3g} m off it")
    return normal, float(normal @ centre)


def match_pairs(domain: Domain, pairs: Sequence[Sequence[str]]) -> list[Periodicity]:
    """The periodic pairs ``[source, image]`` checked against the mesh.

    Raises:
        PeriodicMismatch: a name that is no boundary of the mesh, a boundary used twice as an
            image or as both image and source, a boundary that is not flat, or two boundaries
            that do not match under a translation; the message names the pair.
    """
    gdim = domain.mesh.geometry.dim
    size = _mesh_size(domain)
    tol = 1.0e-8 * size
    match_tol = 1.0e-6 * size
    images = [pair[1] for pair in pairs]
    sources = [pair[0] for pair in pairs]
    found = []
    for source, image in pairs:
        what = f"[{source!r}, {image!r}]"
        for name in (source, image):
            if name not in domain.boundaries:
                known = ", ".join(sorted(domain.boundaries))
                raise PeriodicMismatch(f"{what}: no boundary '{name}' (boundaries: {known})")
        if source == image:
            raise PeriodicMismatch(f"{what}: a boundary cannot be its own image")
        if images.count(image) > 1:
            raise PeriodicMismatch(f"{what}: '{image}' is the image in more than one pair")
        if image in sources:
            raise PeriodicMismatch(f"{what}: '{image}' is an image and also a source")
        a, b = _boundary_points(domain, source), _boundary_points(domain, image)
        if len(a) == 0 or len(b) == 0:
            raise PeriodicMismatch(f"{what}: a boundary without facets")
        normal, offset = _plane(b, gdim, match_tol, image)
        _plane(a, gdim, match_tol, source)
        t = a.mean(axis=0) - b.mean(axis=0)
        if abs(t @ normal) <= match_tol:
            raise PeriodicMismatch(f"{what}: the two boundaries lie on one plane")
        distance, _ = cKDTree(a).query(b + t)
        missing = int(np.count_nonzero(distance > match_tol))
        if missing or len(a) != len(b):
            raise PeriodicMismatch(
                f"{what}: not a translate of each other under {_fmt(-t, gdim)} m: "
                f"{missing} of the {len(b)} nodes of '{image}' have no node of '{source}' "
                f"there (the farthest {float(distance.max()):.3g} m off), '{source}' has "
                f"{len(a)} nodes"
            )
        found.append(
            Periodicity(
                source=source,
                image=image,
                translation=t,
                normal=normal,
                offset=offset,
                lower=b.min(axis=0) - tol,
                upper=b.max(axis=0) + tol,
                tol=tol,
            )
        )
    return found


def image_to_source(pairs: Sequence[Periodicity], x: np.ndarray) -> np.ndarray:
    """Map points (shape (3, n)) on image boundaries to the point whose values they take.

    A point on several images (a corner of an x- and y-periodic box) is moved by each
    translation in turn until it lies on no image, so every corner maps to the one corner that
    is no image. Points on no image stay where they are.
    """
    out = np.array(x, dtype=np.float64, copy=True)
    for _ in range(len(pairs)):
        moved = False
        for pair in pairs:
            on = pair.on_image(out)
            if on.any():
                out[:, on] += pair.translation[:, None]
                moved = True
        if not moved:
            break
    return out
