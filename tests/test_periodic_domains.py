"""Thermal domains in a periodic box: the free energy of a run does not change when the initial
state is translated (it does without the pairs), it never rises, q is periodic, one rank and
several agree; and a `[domains]` case with `[mesh] periodic` on the rectangle generator."""

import tomllib

import numpy as np
import pytest
from dolfinx import mesh as dmesh
from mpi4py import MPI

import lkfem as lk
from lkfem.core.domain import from_mesh
from lkfem.core.materials import Material
from lkfem.core.periodic import image_to_source, match_pairs
from lkfem.physics.domains.initial import set_initial
from lkfem.physics.domains.problem import DomainsProblem
from lkfem.physics.domains.section import InitialState
from tests.test_periodic import XY, _values_at


def _run(shift, *, periodic=True, comm=MPI.COMM_WORLD, steps=6, variant="relax", n=16):
    """F after each of ``steps`` convex-splitting steps from a smooth state shifted by
    ``shift`` along x, on an n × n quadrilateral mesh of the unit square."""
    mesh = dmesh.create_rectangle(
        comm, [[0.0, 0.0], [1.0, 1.0]], [n, n], dmesh.CellType.quadrilateral
    )
    domain = from_mesh(mesh, region="plate")
    if periodic:
        domain.periodic = match_pairs(domain, XY)
    material = Material(a=-1.0, b=1.0, lam=2e-3, Gamma=1.0)
    problem = DomainsProblem(domain, {"plate": material}, variant=variant)
    X = f"2*pi*(x - {shift})"
    q = (f"0.3*cos({X}) + 0.1*sin(4*pi*y)", f"0.3*sin({X})*cos(2*pi*y)")
    set_initial(problem, InitialState(kind="uniform", q=q))
    F = [problem.energies()["free"]]
    t = 0.0
    for _ in range(steps):
        t += 0.05
        info = problem.step(t, 0.05)
        assert info.reason > 0
        if variant == "conserved":
            assert problem.divergence_residual() < 1e-12  # ∇·q = 0 to solver tolerance
        problem.accept()
        F.append(problem.energies()["free"])
    return np.array(F), problem


def test_translated_initial_states_give_the_same_free_energy():
    F0, problem = _run(0.0)
    F1, _ = _run(0.25)  # a quarter of the box: the mesh maps onto itself
    assert np.all(np.diff(F0) <= 1e-12 * np.abs(F0[1:])), F0  # F never rises
    assert F0[-1] < 0.9 * F0[0]  # it relaxes
    assert np.allclose(F0, F1, rtol=1e-10, atol=0.0), (F0, F1)
    G0, _ = _run(0.0, periodic=False)
    G1, _ = _run(0.25, periodic=False)
    assert abs(G0[-1] - G1[-1]) > 1e-4 * abs(G0[-1])  # without the pairs it would fail
    q, _ = problem.split()
    s = np.linspace(0.03, 0.97, 9)
    image = np.array(
        [np.concatenate([np.ones(9), s]), np.concatenate([s, np.ones(9)]), 0 * s.repeat(2)]
    )
    source = image_to_source(problem.domain.periodic, image)
    at_image, at_source = _values_at(q, image), _values_at(q, source)
    assert np.abs(at_image).max() > 0.1
    assert np.allclose(at_image, at_source, atol=1e-10)


def test_the_conserved_variant_in_a_periodic_box():
    """Taylor–Hood q/p with the constraint on the mixed space and p pinned at one node: ∇·q
    stays zero (checked in each step), F falls and does not see a quarter-box shift."""
    F0, problem = _run(0.0, variant="conserved", n=8)
    F1, _ = _run(0.25, variant="conserved", n=8)
    assert np.all(np.diff(F0) <= 1e-12 * np.abs(F0[1:])), F0
    assert F0[-1] < F0[0] - 1e-3
    assert np.allclose(F0, F1, rtol=1e-10, atol=0.0), (F0, F1)
    q, _ = problem.split()
    s = np.linspace(0.03, 0.97, 7)
    image = np.array([np.ones(7), s, 0 * s])
    at_image = _values_at(q, image)
    at_source = _values_at(q, image_to_source(problem.domain.periodic, image))
    assert np.abs(at_image).max() > 0.05
    assert np.allclose(at_image, at_source, atol=1e-10)


@pytest.mark.parametrize("variant", ["relax", "conserved"])
def test_one_rank_and_all_ranks_agree(variant):
    n = 16 if variant == "relax" else 8
    alone, _ = _run(0.1, comm=MPI.COMM_SELF, steps=3, variant=variant, n=n)
    together, _ = _run(0.1, steps=3, variant=variant, n=n)
    assert np.allclose(alone, together, rtol=1e-10, atol=0.0), (alone, together)


CASE = """
[mesh]
generator = "rectangle"
periodic = [["left", "right"], ["bottom", "top"]]
[mesh.parameters]
Lx = 1.0
Ly = 0.5
h = 0.1
quads = QUADS
[materials.plate]
a = -1.0
b = 1.0
lambda = 0.002
Gamma = 1.0
[domains]
variant = "VARIANT"
[domains.initial]
kind = "random"
seed = 3
amplitude = 0.1
correlation_length = 0.1
[time]
t_end = 0.2
dt = 0.05
scheme = "backward_euler"
[output]
png = false
formats = []
"""


def test_a_periodic_domains_case_runs(tmp_path, comm):
    case = lk.parse_case(
        tomllib.loads(CASE.replace("QUADS", "true").replace("VARIANT", "relax")), source="c.toml"
    )
    out = comm.bcast(str(tmp_path / "out"), root=0)
    summary = lk.run_case(case, out, comm)
    assert summary["domains"]["steps"] == 4
    assert summary["domains"]["max_energy_rise_rel"] < 1e-12


def test_a_periodic_conserved_case_runs(tmp_path, comm):
    data = tomllib.loads(CASE.replace("QUADS", "false").replace("VARIANT", "conserved"))
    data["mesh"]["parameters"]["periodic"] = True
    case = lk.parse_case(data, source="c.toml")
    out = comm.bcast(str(tmp_path / "out"), root=0)
    summary = lk.run_case(case, out, comm)["domains"]
    assert summary["steps"] == 4
    assert summary["max_energy_rise_rel"] < 1e-12
    assert summary["div_q_weak"] < 1e-12
