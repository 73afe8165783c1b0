"""Thermal domains' noise initial state (white noise from a hash of the coordinates, smoothed by
one Helmholtz solve): the same field on one and on all ranks, its r.m.s., its correlation
length growing with ℓ, a new field for a new seed, no seam across periodic pairs (F invariant
under a shift); and ``[domains] diagnostics_every``: the
vortex and structure columns only every N steps (NaN between), F and its check every step."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from mpi4py import MPI

import lkfem as lk
from lkfem.core.domain import from_mesh
from lkfem.core.materials import Material
from lkfem.core.periodic import match_pairs
from lkfem.physics.domains.initial import noise_field, set_initial, white_noise
from lkfem.physics.domains.problem import DomainsProblem
from lkfem.physics.domains.section import InitialState
from lkfem.physics.domains.structure import DomainStructure


def _square(n: int, comm: MPI.Comm = MPI.COMM_WORLD) -> dmesh.Mesh:
    return dmesh.create_rectangle(comm, [[0.0, 0.0], [1.0, 1.0]], [n, n])


def _noise(mesh: dmesh.Mesh, domain=None, **kw) -> fem.Function:
    state = InitialState(kind="noise", **{"seed": 5, "amplitude": 0.2, **kw})
    return noise_field(mesh, state, 2, domain=domain)


def _periodic_in_x(mesh: dmesh.Mesh):
    domain = from_mesh(mesh, region="plate")
    domain.periodic = match_pairs(domain, [["left", "right"]])
    return domain


def _on_grid(x: np.ndarray, values: np.ndarray, n: int, comm: MPI.Comm) -> np.ndarray:
    """Nodal values (rows of ``values`` at the points ``x``, any rank's part) on the
    (n + 1) × (n + 1) grid of the unit square, gathered on every rank."""
    grid = np.full((n + 1, n + 1, values.shape[1]), np.nan)
    for xs, vs in comm.allgather((x, values)):
        i = np.round(xs[:, :2] * n).astype(np.int64)
        grid[i[:, 0], i[:, 1]] = vs
    assert not np.isnan(grid).any()
    return grid


def _rms(q: fem.Function) -> float:
    comm = q.function_space.mesh.comm
    power = comm.allreduce(fem.assemble_scalar(fem.form(ufl.inner(q, q) * ufl.dx)), op=MPI.SUM)
    return math.sqrt(power / 2.0)  # unit square, two components


def test_white_noise_is_a_hash_of_the_coordinates():
    rng = np.random.default_rng(0)
    points = rng.uniform(0.0, 1.0, size=(20000, 3))
    z = white_noise(points, 3, 0, 1.0)
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1.0) < 0.03
    order = rng.permutation(len(points))
    assert np.array_equal(white_noise(points[order], 3, 0, 1.0), z[order])  # pointwise
    nudged = np.nextafter(points, 2.0)  # round-off in a coordinate: the same number
    assert np.array_equal(white_noise(nudged, 3, 0, 1.0), z)
    assert abs(np.corrcoef(z, white_noise(points, 4, 0, 1.0))[0, 1]) < 0.03  # seed
    assert abs(np.corrcoef(z, white_noise(points, 3, 1, 1.0))[0, 1]) < 0.03  # component


@pytest.mark.parametrize("periodic", [False, True])
def test_noise_is_the_same_on_one_and_on_all_ranks(periodic):
    """The field on the world's ranks, evaluated at every vertex, equals the field built on
    each rank alone (MPI.COMM_SELF) to the Helmholtz solve's tolerance (with and without
    periodic pairs)."""
    fields = []
    for comm in (MPI.COMM_WORLD, MPI.COMM_SELF):
        mesh = _square(24, comm)
        domain = _periodic_in_x(mesh) if periodic else None
        fields.append(_noise(mesh, domain, correlation_length=0.05))
    assert _rms(fields[0]) == pytest.approx(0.2, rel=1e-12)
    values = []
    for q in fields:
        owned = q.function_space.dofmap.index_map.size_local
        x = q.function_space.tabulate_dof_coordinates()[:owned]
        key = np.round(x[:, :2] * 24).astype(np.int64)
        values.append(dict(zip(map(tuple, key), q.x.array.reshape(-1, 2)[:owned], strict=True)))
    world, alone = values
    assert set(world) <= set(alone)
    worst = max(float(np.abs(v - alone[k]).max()) for k, v in world.items())
    assert worst < 1e-9, worst


def test_noise_correlation_length_grows_with_ell_and_seed_changes_it():
    mesh = _square(64)
    edges = np.linspace(0.0, 1.0, 6)
    sizes = []
    for ell in (0.02, 0.04, 0.08):
        q = _noise(mesh, correlation_length=ell)
        sizes.append(DomainStructure(q, edges, modes=16).compute().domain_size)
    ratios = np.array(sizes[1:]) / np.array(sizes[:-1])
    assert np.all(ratios > 1.3), sizes  # about 2 per doubling of ℓ (lattice-limited)
    a = _noise(mesh, correlation_length=0.04).x.array
    b = _noise(mesh, correlation_length=0.04, seed=6).x.array
    assert np.array_equal(a, _noise(mesh, correlation_length=0.04).x.array)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.2


def _grid_of(q: fem.Function, n: int) -> np.ndarray:
    """The owned nodal values of a P1 vector field on the unit square's grid, on every rank."""
    owned = q.function_space.dofmap.index_map.size_local
    x = q.function_space.tabulate_dof_coordinates()[:owned]
    return _on_grid(x, q.x.array.reshape(-1, 2)[:owned], n, q.function_space.mesh.comm)


def _seam_ratio(q: fem.Function, n: int) -> float:
    """The r.m.s. difference of q across x = 0 ≡ 1 (between the columns x = h and 1 − h, two
    cells apart through the seam) over that between interior columns two cells apart."""
    grid = _grid_of(q, n)
    seam = grid[1] - grid[n - 1]
    interior = grid[3:n] - grid[1 : n - 2]
    return float(np.sqrt(np.mean(seam**2) / np.mean(interior**2)))


def test_periodic_noise_has_no_seam():
    """In a box periodic in x the noise takes the same values on the paired sides, and the
    difference across them is like that between any two interior columns as far apart; the
    noise smoothed with natural boundary conditions (without the pairs) has a seam there."""
    n = 32
    mesh = _square(n)
    domain = _periodic_in_x(mesh)
    q = _noise(mesh, domain, correlation_length=0.2)
    grid = _grid_of(q, n)
    assert np.abs(grid[0] - grid[n]).max() < 1e-12  # left and right: the same nodes
    ratio = _seam_ratio(q, n)
    assert 0.5 < ratio < 2.0, ratio
    natural = _seam_ratio(_noise(mesh, correlation_length=0.2), n)
    assert natural > 2.5, natural  # without the pairs: a seam


def _free_energy_shifted(problem: DomainsProblem, n: int, shift: int) -> float:
    """F of the problem's q moved by ``shift`` cells along x (periodically)."""
    W, comm = problem.W, problem.comm
    x = W.tabulate_dof_coordinates()
    values = problem.u.x.array[problem.q_dofs].reshape(-1, 2)
    grid = _on_grid(x, values, n, comm)
    i = np.round(x[:, :2] * n).astype(np.int64)
    moved = grid[(i[:, 0] - shift) % n, i[:, 1]]
    u = problem.u
    u.x.array[problem.q_dofs] = moved.reshape(-1)
    u.x.scatter_forward()
    problem.make_periodic(u)
    F = problem.energies()["free"]
    u.x.array[problem.q_dofs] = values.reshape(-1)
    u.x.scatter_forward()
    return F


def test_periodic_noise_free_energy_is_invariant_under_a_shift():
    """F of the noise start in a box periodic in x does not change when it is moved along x by
    a quarter or half of the box (the mesh maps onto itself). The former start (the field
    smoothed without the pairs, then its images set to their sources) had the gradient energy
    of a seam one element wide on top."""
    n = 16
    mesh = dmesh.create_rectangle(
        MPI.COMM_WORLD, [[0.0, 0.0], [1.0, 1.0]], [n, n], dmesh.CellType.quadrilateral
    )
    domain = _periodic_in_x(mesh)
    material = Material(a=-1.0, b=1.0, lam=2e-3, Gamma=1.0)
    problem = DomainsProblem(domain, {"plate": material})
    state = InitialState(kind="noise", seed=3, amplitude=0.3, correlation_length=0.2)
    set_initial(problem, state)
    energies = problem.energies()
    F = energies["free"]
    shifted = [_free_energy_shifted(problem, n, s) for s in (4, 8)]
    assert np.allclose(shifted, F, rtol=1e-10, atol=0.0), (F, shifted)
    problem.u.interpolate(noise_field(mesh, state, 2))
    problem.make_periodic(problem.u)
    seam = problem.energies()["gradient"]
    assert seam > 1.2 * energies["gradient"], (seam, energies["gradient"])


CASE = """
title = "cadence"
[mesh]
generator = "rectangle"
[mesh.parameters]
Lx = 1.0
Ly = 1.0
h = 0.05
[materials.plate]
a = -1.0
b = 1.0
lambda = 0.001
Gamma = 1.0
[domains]
diagnostics_every = 3
[domains.initial]
kind = "noise"
seed = 1
amplitude = 0.05
correlation_length = 0.05
[time]
t_end = 0.7
dt = 0.1
scheme = "backward_euler"
[output]
png = false
formats = ["xdmf"]
"""


def test_diagnostics_every(shared_tmp):
    """Seven steps with diagnostics_every = 3: vortex and structure columns on the initial
    row, steps 3, 6 and t_end (step 7), NaN on the others; F, its rise and |q| every step."""
    import tomllib

    case = lk.parse_case(tomllib.loads(CASE), source="cadence.toml")
    assert case.sections["domains"].diagnostics_every == 3
    out = shared_tmp / "out"
    summary = lk.run_case(case, out, MPI.COMM_WORLD)["domains"]
    assert summary["steps"] == 7 and summary["max_energy_rise_rel"] < 1e-12
    assert summary["vortices"] >= 0 and summary["domain_size_m"] > 0
    if MPI.COMM_WORLD.rank == 0:
        with open(out / "timeseries.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 8

        def column(prefix: str) -> np.ndarray:  # units per dimension: match the name's start
            (name,) = [k for k in rows[0] if k.startswith(prefix)]
            return np.array([float(r[name]) for r in rows])

        diagnosed = ~np.isnan(column("domain_size"))
        assert diagnosed.tolist() == [True, False, False, True, False, False, True, True]
        assert np.array_equal(diagnosed, ~np.isnan(column("vortices")))
        for name in ("free_energy", "energy_rise_rel", "mean_abs_q"):
            assert np.all(np.isfinite(column(name))), name
        F = column("free_energy")
        assert np.all(np.diff(F) <= 1e-12 * np.abs(F[1:]))


def test_diagnostics_every_is_checked():
    import tomllib

    text = CASE.replace("diagnostics_every = 3", "diagnostics_every = 0")
    with pytest.raises(lk.LkfemError, match="diagnostics_every"):
        lk.parse_case(tomllib.loads(text), source="cadence.toml")
