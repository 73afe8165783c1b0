"""The isolated vortex in a 2D disc (issue 9): q fixed to q0 e_φ on the rim (winding +1), relaxed
by the thermal-domains model to its steady state (the shipped case
lkfem/cases/domains_vortex_disc.toml at several h); its core profile |q|(r) and free energy
against the independent radial solve of tests/radial_vortex.py, the energy converging at second
order in h, and the winding +1 found at the centre. Serial and under mpirun -n 2."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from mpi4py import MPI

import lkfem as lk
from lkfem.physics.domains.physics import DomainsModel
from lkfem.physics.domains.vortices import VortexDiagnostics, cell_vertex_values

from .radial_vortex import radial_vortex

CASE = lk.shipped_case("domains_vortex_disc")  # the case file users run, at several h
_DATA = tomllib.loads(CASE.read_text())
_DISC = _DATA["materials"]["disc"]
R = _DATA["mesh"]["parameters"]["radii"][0]
Q0, LAM, A, B = _DATA["constants"]["q0"], _DISC["lambda"], _DISC["a"], _DISC["b"]


def _vortex(h):
    case = lk.load_case(CASE, changes={"mesh.parameters.h": h})
    domain = lk.load_domain(case, MPI.COMM_WORLD)
    model = DomainsModel(case, domain)  # starts from the case's q0 tanh(r/ξ) e_φ
    model.solve_steady()
    p = model.problem
    q = p.split()[0]
    return p.energies()["free"], q


@pytest.fixture(scope="module")
def reference():
    return radial_vortex(R, Q0, lam=LAM, a=A, b=B)


def test_radial_reference_is_a_vortex(reference):
    """The reference itself: f(0) = 0, f rises to q0 over a few ξ, F below the ordered-ring
    bound (πλq0² ln(R/ξ) + const)."""
    assert reference.f[0] == pytest.approx(0.0, abs=1e-12)
    assert reference.profile(np.array([R]))[0] == pytest.approx(Q0)
    assert 0.5 < reference.profile(np.array([1.5]))[0] < 0.95
    landau_min = np.pi * R**2 * (A / 2 * Q0**2 + B / 4 * Q0**4)
    assert landau_min < reference.energy < landau_min + np.pi * LAM * Q0**2 * (np.log(R) + 2)


def test_vortex_profile_energy_and_winding(reference):
    comm = MPI.COMM_WORLD
    errors, hs = [], [1.0, 0.5, 0.25]
    for h in hs:
        F, q = _vortex(h)
        errors.append(abs(F - reference.energy))
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    # the profile on the finest mesh: |q| at every vertex against f(r)
    x, values = cell_vertex_values(q)
    r = np.hypot(x[..., 0], x[..., 1]).ravel()
    modulus = np.linalg.norm(values, axis=-1).ravel()
    local = float(np.abs(modulus - reference.profile(r)).max()) if r.size else 0.0
    profile_error = comm.allreduce(local, op=MPI.MAX)
    v = VortexDiagnostics(q).compute()
    if comm.rank == 0:
        print(f"energy errors {errors} rates {rates} profile error {profile_error}")
    assert (v.vortices, v.antivortices) == (1, 0)
    assert np.hypot(*v.positions[0, :2]) < 0.05
    assert errors[-1] < 2e-3 * abs(reference.energy)
    assert rates[-1] > 1.8
    assert profile_error < 0.01 * Q0
