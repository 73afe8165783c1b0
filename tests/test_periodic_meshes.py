"""The generators' ``periodic`` option (gmsh ``setPeriodic``): triangles and tetrahedra whose
opposite sides pass lkfem's node-by-node check of ``[mesh] periodic``; without the option the
tetrahedra of a box do not, which is a one-line CaseError naming the key."""

from types import SimpleNamespace

import numpy as np
import pytest
from mpi4py import MPI

from lkfem.errors import CaseError
from lkfem.mesh.generators import build
from lkfem.mesh.load import attach_periodic

BOX = (("left", "right"), ("front", "back"), ("bottom", "top"))


def _attach(domain, pairs):
    case = SimpleNamespace(source="case.toml", mesh=SimpleNamespace(periodic=pairs))
    attach_periodic(case, domain)
    return domain.periodic


def test_rectangle_of_triangles_with_the_option():
    params = {"Lx": 1.5, "Ly": 1.0, "h": 0.15, "periodic": True}
    domain = build("rectangle", params, MPI.COMM_WORLD)
    assert domain.mesh.topology.cell_name() == "triangle"
    found = _attach(domain, (("left", "right"), ("bottom", "top")))
    assert np.allclose(found[0].translation, [-1.5, 0, 0])
    assert np.allclose(found[1].translation, [0, -1.0, 0])


def test_box_of_tetrahedra_with_the_option():
    params = {"thickness": [0.5, 0.5], "ly": 0.6, "lz": 0.4, "h": 0.2, "periodic": True}
    domain = build("layered_slab", params, MPI.COMM_WORLD)
    assert domain.mesh.topology.cell_name() == "tetrahedron"
    found = _attach(domain, BOX)
    assert [tuple(np.round(p.translation, 12)) for p in found] == [
        (-1.0, 0, 0),
        (0, -0.6, 0),
        (0, 0, -0.4),
    ]


def test_box_of_tetrahedra_without_the_option_is_a_case_error():
    params = {"thickness": [0.5, 0.5], "ly": 0.6, "lz": 0.4, "h": 0.2}
    domain = build("layered_slab", params, MPI.COMM_WORLD)
    with pytest.raises(CaseError) as info:
        _attach(domain, BOX)
    message = str(info.value)
    assert message.startswith("case.toml: [mesh.periodic]: [")
    assert "not a translate of each other" in message
    assert "\n" not in message
