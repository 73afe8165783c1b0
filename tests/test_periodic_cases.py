"""`[mesh] periodic` in a case: refused where a physics does not take it, checked against the
mesh as a one-line CaseError, and the steady Fourier solve with it against an exact solution."""

import tomllib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import ufl
from dolfinx import mesh as dmesh
from mpi4py import MPI

import lkfem as lk
from lkfem.core.domain import from_mesh
from lkfem.core.materials import Material
from lkfem.core.periodic import match_pairs
from lkfem.errors import CaseError
from lkfem.mesh.load import attach_periodic
from lkfem.physics.fourier.solver import solve_steady_fourier
from tests.verification import l2_error, rates

CASE = """
[mesh]
generator = "layered_slab"
periodic = [["front", "back"]]
[mesh.parameters]
thickness = [0.5, 0.5]
h = 0.2
[physics]
model = "MODEL"
[materials.layer0]
k = 1.0
[materials.layer1]
k = 1.0
[boundaries.left]
type = "temperature"
value = 1.0
"""


def _case(model="fourier", extra=""):
    return tomllib.loads(CASE.replace("MODEL", model) + extra)


def test_the_heat_superconductor_refuses_the_key_and_says_why():
    path = Path(lk.__file__).parent / "cases" / "heat_superconductor.toml"
    data = tomllib.loads(path.read_text())
    data["mesh"]["periodic"] = [["hot", "cold"]]
    with pytest.raises(CaseError) as info:
        lk.parse_case(data, source="case.toml")
    message = str(info.value)
    assert message.startswith(
        "case.toml: [mesh.periodic]: the superconductor physics does not take periodic "
        "boundaries: its rods join two reservoirs"
    )
    assert "\n" not in message


def test_a_condition_on_a_periodic_boundary_is_refused():
    extra = '[boundaries.back]\ntype = "adiabatic"\n'
    with pytest.raises(CaseError, match=r"\[boundaries.back\]: 'back' is periodic"):
        lk.parse_case(_case(extra=extra), source="case.toml")


@pytest.mark.parametrize("value", [[["left"]], ["left", "right"], [["left", 1]]])
def test_a_malformed_pair_list_is_refused_by_the_schema(value):
    data = _case()
    data["mesh"]["periodic"] = value
    with pytest.raises(CaseError, match=r"mesh.periodic"):
        lk.parse_case(data, source="case.toml")


def test_pairs_are_parsed():
    case = lk.parse_case(_case(), source="case.toml")
    assert case.mesh.periodic == (("front", "back"),)


def test_boundaries_that_do_not_match_are_a_case_error_naming_the_key():
    domain = from_mesh(dmesh.create_rectangle(MPI.COMM_WORLD, [[0, 0], [2, 1]], [4, 3]))
    case = SimpleNamespace(source="case.toml", mesh=SimpleNamespace(periodic=(("left", "back"),)))
    with pytest.raises(CaseError) as info:
        attach_periodic(case, domain)
    message = str(info.value)
    assert message.startswith("case.toml: [mesh.periodic]: ['left', 'back']: not a translate")
    assert "\n" not in message
    case.mesh.periodic = (("left", "right"),)
    attach_periodic(case, domain)
    assert np.allclose(domain.periodic[0].translation, [-2, 0, 0])


def test_steady_fourier_periodic_in_x_against_the_exact_solution():
    """−ΔT = Q on [0, 1]², periodic in x, T = 0 at y = 0 and T = 1 at y = 1:
    T = sin(2πx) sin(πy) + y; without the pairs (adiabatic sides) the solve misses it."""
    errors, sizes = [], []
    source = "5*pi**2*sin(2*pi*x)*sin(pi*y)"
    bcs = {
        "front": lk.Temperature(value=0.0),
        "back": lk.Temperature(value=1.0),
    }
    for n in (8, 16):
        domain = from_mesh(dmesh.create_unit_square(MPI.COMM_WORLD, n, n))
        domain.periodic = match_pairs(domain, [["left", "right"]])
        materials = {"domain": Material(k=1.0)}
        result = solve_steady_fourier(domain, materials, bcs, source=source, degree=2)
        x = ufl.SpatialCoordinate(domain.mesh)
        exact = ufl.sin(2 * np.pi * x[0]) * ufl.sin(np.pi * x[1]) + x[1]
        errors.append(l2_error(result.T, exact, mesh=domain.mesh))
        sizes.append(1 / n)
    assert rates(errors, sizes)[-1] > 2.8, errors
    domain.periodic = []
    plain = solve_steady_fourier(domain, materials, bcs, source=source, degree=2)
    assert l2_error(plain.T, exact, mesh=domain.mesh) > 20 * errors[-1]
