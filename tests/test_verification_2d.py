"""The verification of docs/verification.md rerun on 1D and 2D meshes made by the ``interval``,
``rectangle`` (triangles and quadrilaterals) and ``disc`` generators: the steady Fourier set
(layered slab, uniform source, convection and flux, a manufactured solution with a 2×2 tensor
and its measured order, radial conduction through a layered annulus), a Maxwell–Cattaneo front
across a 2D strip against the 1D front, and the LK energy balance on an annulus. The LK/GK
manufactured solutions on generator meshes are in tests/test_lk_mms.py. Figures:
docs/verification.md, "1D and 2D"."""

import numpy as np
import pytest
import ufl
from mpi4py import MPI

import lkfem as lk
from lkfem import TimeSettings, run_transient
from lkfem.core.units import column
from lkfem.mesh import generators
from lkfem.physics.lk.problem import LKProblem

from .verification import energy_balance, l2_error, rates

WIDTH = 0.25  # the strip's width in 2D (its cross-section per unit depth)
KINDS = ["interval", "triangles", "quads"]


def _strip(comm, kind, length, h):
    """[0, length] as an interval, or × [0, WIDTH] of triangles or quadrilaterals; the
    domain, its region and its cross-section (m² per m² in 1D, m per m in 2D)."""
    if kind == "interval":
        return generators.build("interval", {"length": length, "h": h}, comm), "bar", 1.0
    params = {"Lx": length, "Ly": WIDTH, "h": h, "quads": kind == "quads"}
    return generators.build("rectangle", params, comm), "plate", WIDTH


def _max_error(T, exact, comm):
    """max over the dofs of |T − exact(x, y)|, over all ranks."""
    x = T.function_space.tabulate_dof_coordinates()
    local = np.max(np.abs(T.x.array - exact(x[:, 0], x[:, 1])), initial=0.0)
    return comm.allreduce(local, op=MPI.MAX)


# ---- steady Fourier: the exact slab solutions in 1D and 2D --------------------------------


@pytest.mark.parametrize("kind", ["interval", "quads"])
@pytest.mark.parametrize("k1, k2", [(1.0, 4.0), (5.0, 0.5)])
def test_two_layer_slab(comm, kind, k1, k2):
    """Series conductors, the layers given by k(x) with the interface x = 0.4 on cell faces (the
    interval's nodes, the quadrilaterals' columns): T piecewise linear, q = ΔT/(L1/k1 + L2/k2)."""
    L1, L2, T0, T1 = 0.4, 0.6, 1.0, 0.0
    domain, region, cross = _strip(comm, kind, L1 + L2, 0.1)
    result = lk.solve_steady_fourier(
        domain,
        {region: lk.Material(k=f"{k1} + {k2 - k1}*(x > {L1})")},
        {"left": lk.Temperature(value=T0), "right": lk.Temperature(value=T1)},
    )
    q = (T0 - T1) / (L1 / k1 + L2 / k2)
    Ti = T0 - q * L1 / k1

    def exact(x, y):
        return np.where(x <= L1, T0 - q * x / k1, Ti - q * (x - L1) / k2)

    assert _max_error(result.T, exact, comm) < 1e-8
    assert result.heat_flow["right"] == pytest.approx(q * cross, rel=1e-8)
    assert result.heat_flow["left"] == pytest.approx(-q * cross, rel=1e-8)
    assert abs(result.balance_error) < 1e-9 * q * cross


@pytest.mark.parametrize("kind", KINDS)
def test_uniform_source_quadratic(comm, kind):
    """−k T'' = Q, T(0) = T(L) = 0, adiabatic sides: T = Q x (L − x)/(2k), exact in P2 on any
    cells; half of ∫Q leaves through each end."""
    L, k, Q = 1.0, 2.0, 3.0
    domain, region, cross = _strip(comm, kind, L, 0.2)
    result = lk.solve_steady_fourier(
        domain,
        {region: lk.Material(k=k)},
        {"left": lk.Temperature(value=0.0), "right": lk.Temperature(value=0.0)},
        source=Q,
        degree=2,
    )
    assert _max_error(result.T, lambda x, y: Q * x * (L - x) / (2 * k), comm) < 1e-8
    for side in ("left", "right"):
        assert result.heat_flow[side] == pytest.approx(Q * L * cross / 2, rel=1e-8)
    assert result.source_power == pytest.approx(Q * L * cross, rel=1e-12)
    assert abs(result.balance_error) < 1e-9


@pytest.mark.parametrize("kind", KINDS)
def test_convection_and_flux(comm, kind):
    """T(0) = T0 and q·n = h (T − T∞) at x = L: q = (T0 − T∞)/(L/k + 1/h); with a prescribed
    outward flux g instead, T = T0 − g x/k."""
    L, k, h, T0, Tinf, g = 1.0, 2.0, 5.0, 10.0, 1.0, 3.0
    domain, region, cross = _strip(comm, kind, L, 0.15)
    materials = {region: lk.Material(k=k)}
    result = lk.solve_steady_fourier(
        domain,
        materials,
        {"left": lk.Temperature(value=T0), "right": lk.Convection(h=h, T_inf=Tinf)},
    )
    q = (T0 - Tinf) / (L / k + 1 / h)
    assert _max_error(result.T, lambda x, y: T0 - q * x / k, comm) < 1e-8
    assert result.heat_flow["right"] == pytest.approx(q * cross, rel=1e-8)
    assert abs(result.balance_error) < 1e-9
    result = lk.solve_steady_fourier(
        domain, materials, {"left": lk.Temperature(value=T0), "right": lk.HeatFlux(value=g)}
    )
    assert _max_error(result.T, lambda x, y: T0 - g * x / k, comm) < 1e-8
    assert result.heat_flow["left"] == pytest.approx(-g * cross, rel=1e-8)


# ---- steady Fourier: measured orders in 2D --------------------------------------------------

T_MMS = "sin(pi*x)*sin(pi*y) + x*y"
K_MMS = ((2.0, 0.5), (0.5, 1.0))
# Q = −∇·(K∇T) for T_MMS and K_MMS
Q_MMS = "3*pi**2*sin(pi*x)*sin(pi*y) - pi**2*cos(pi*x)*cos(pi*y) - 1"


def fourier_mms_error(comm, quads, degree, n):
    """‖T − T_h‖_L2 of the manufactured solution T_MMS with the tensor K_MMS on the unit square
    (``rectangle``, h = 1/n), T prescribed on the four sides."""
    domain = generators.build("rectangle", {"h": 1.0 / n, "quads": quads}, comm)
    sides = ("left", "right", "bottom", "top")
    result = lk.solve_steady_fourier(
        domain,
        {"plate": lk.Material(k=K_MMS)},
        {name: lk.Temperature(value=T_MMS) for name in sides},
        source=Q_MMS,
        degree=degree,
    )
    X = ufl.SpatialCoordinate(domain.mesh)
    exact = ufl.sin(np.pi * X[0]) * ufl.sin(np.pi * X[1]) + X[0] * X[1]
    cells = domain.mesh.topology.index_map(2).size_global
    return l2_error(result.T, exact, mesh=domain.mesh), abs(result.balance_error), cells


@pytest.mark.parametrize("quads", [False, True])
@pytest.mark.parametrize("degree, sizes", [(1, (8, 16, 32, 64)), (2, (4, 8, 16, 32))])
def test_fourier_manufactured_order(comm, quads, degree, sizes):
    """Order degree + 1 in L2 (required: − 0.1), on gmsh's unstructured triangles and on
    structured quadrilaterals: the least-squares slope of log error against log h over the
    sizes, h = (cells)^(−1/2) (the pairwise rates of unstructured meshes scatter by ±0.2; gmsh's
    triangle counts do not scale exactly as 1/h²). The energy balance closes on each mesh."""
    runs = np.array([fourier_mms_error(comm, quads, degree, n) for n in sizes])
    errors, balances, cells = runs.T
    slope = np.polyfit(-0.5 * np.log(cells), np.log(errors), 1)[0]
    assert slope > degree + 1 - 0.1, (errors, cells, slope)
    assert max(balances) < 1e-9


R0, R1, R2, K1, K2 = 0.2, 0.5, 1.0, 1.0, 4.0  # annulus of two layers, k inside out


def annulus_exact():
    """Heat flow per unit depth Φ (W/m) from r = R0 (T = 1) to r = R2 (T = 0), and T(r)."""
    resistance = np.log(R1 / R0) / (2 * np.pi * K1) + np.log(R2 / R1) / (2 * np.pi * K2)
    flow = 1.0 / resistance
    T1 = 1.0 - flow * np.log(R1 / R0) / (2 * np.pi * K1)

    def T(r):
        return np.where(
            r <= R1,
            1.0 - flow * np.log(r / R0) / (2 * np.pi * K1),
            T1 - flow * np.log(r / R1) / (2 * np.pi * K2),
        )

    return flow, T


def annulus_errors(comm, h, degree=1):
    """(relative heat-flow error at r = R2, max nodal |T − T(r)|) on the ``disc`` generator's
    annulus (polygonal circles: both errors are O(h²))."""
    domain = generators.build("disc", {"radii": [R1, R2], "inner": R0, "h": h}, comm)
    result = lk.solve_steady_fourier(
        domain,
        {"layer0": lk.Material(k=K1), "layer1": lk.Material(k=K2)},
        {"inner": lk.Temperature(value=1.0), "outer": lk.Temperature(value=0.0)},
        degree=degree,
    )
    flow, T = annulus_exact()
    nodal = _max_error(result.T, lambda x, y: T(np.hypot(x, y)), comm)
    assert abs(result.balance_error) < 1e-9 * flow
    assert result.heat_flow["inner"] == pytest.approx(-result.heat_flow["outer"], rel=1e-9)
    return result.heat_flow["outer"] / flow - 1, nodal


def test_layered_annulus(comm):
    """Radial conduction through two rings (the 2D layered slab): Φ = 1/Σ ln(r_i+1/r_i)/(2πk_i)
    within 0.3 % at h = 0.05, the error falling as h² (order > 1.7)."""
    sizes = (0.1, 0.05)
    runs = np.array([annulus_errors(comm, h) for h in sizes])
    assert abs(runs[-1, 0]) < 3e-3, runs
    assert rates(np.abs(runs[:, 0]), sizes)[-1] > 1.7, runs
    assert runs[-1, 1] < 5e-3, runs


def test_layered_annulus_case(shared_tmp, comm):
    """The same annulus as a case through ``run_case``: summary.json in W/m
    (``lkfem.core.units.column``), Φ as above."""
    import tomllib

    text = f"""
[mesh]
generator = "disc"
[mesh.parameters]
radii = [{R1}, {R2}]
inner = {R0}
h = 0.05
[physics]
model = "fourier"
[materials.layer0]
k = {K1}
[materials.layer1]
k = {K2}
[boundaries.inner]
type = "temperature"
value = 1.0
[boundaries.outer]
type = "temperature"
value = 0.0
[output]
png = false
formats = []
"""
    case = lk.parse_case(tomllib.loads(text), source="annulus.toml")
    summary = lk.run_case(case, shared_tmp / "annulus", comm)
    flows = summary[column("heat_flow_W", 2)]
    flow, _ = annulus_exact()
    assert flows["outer"] == pytest.approx(flow, rel=3e-3)
    assert abs(summary[column("energy_balance_error_W", 2)]) < 1e-9 * flow
    area = summary["regions"]["layer0"][column("volume_m3", 2)]
    assert area == pytest.approx(np.pi * (R1**2 - R0**2), rel=0.01)


# ---- Maxwell–Cattaneo front across a 2D strip ----------------------------------------------

K, C, TAU, LENGTH = 2.0, 0.5, 0.5, 2.0  # c = 2√2 m/s (tests/test_lk_fronts.py)
SPEED = np.sqrt(K / (C * TAU))


def _front_nodal(comm, kind, t_end=0.5, dt=0.002, h=0.04):
    """A unit temperature step at x = 0 into T = q = 0, primal element of degree 2, backward
    Euler; the nodal (x, y, T) at t_end from all ranks, sorted by (y, x)."""
    domain, region, _ = _strip(comm, kind, LENGTH, h)
    problem = LKProblem(
        domain,
        {region: lk.Material(k=K, C=C, tau=TAU)},
        {"left": lk.Temperature(value=1.0)},
        element="primal",
        degree=2,
    )
    problem.set_initial(T0=0.0)
    run_transient(problem, TimeSettings(t_end=t_end, dt=dt, scheme="backward_euler"))
    T = problem.split()[1]
    V = T.function_space
    n = V.dofmap.index_map.size_local
    x = V.tabulate_dof_coordinates()[:n]
    data = np.concatenate(comm.allgather(np.column_stack([x[:, 0], x[:, 1], T.x.array[:n]])))
    problem.destroy()
    return data[np.lexsort((data[:, 0], np.round(data[:, 1], 9)))]


def _front(x, T, t):
    """Where T crosses half the analytic jump exp(−t/(2τ)) (linear between nodes)."""
    half = np.exp(-t / (2 * TAU)) / 2
    i = np.nonzero(T >= half)[0].max()
    return x[i] + (T[i] - half) / (T[i] - T[i + 1]) * (x[i + 1] - x[i])


def test_cattaneo_front_across_a_strip(comm):
    """The step of tests/test_lk_fronts.py (c Δt/h = 0.14, t = 0.5 s) on a strip of
    quadrilaterals: on every row of nodes T is the 1D solution on the ``interval`` generator's
    mesh (to 1e-8), monotone in x, and its half-jump point is at c t to 0.5 %."""
    t = 0.5
    line = _front_nodal(comm, "interval", t_end=t)
    strip = _front_nodal(comm, "quads", t_end=t)
    rows = np.unique(np.round(strip[:, 1], 9))
    assert len(rows) == 2 * 7 + 1  # P2 nodes across ceil(0.25 / 0.04) = 7 cells
    for y in rows:
        row = strip[np.round(strip[:, 1], 9) == y]
        assert np.allclose(row[:, 0], line[:, 0], atol=1e-12)
        assert np.max(np.abs(row[:, 2] - line[:, 2])) < 1e-8
        assert np.all(np.diff(row[:, 2]) <= 1e-9)  # monotone: no ringing
        assert _front(row[:, 0], row[:, 2], t) == pytest.approx(SPEED * t, rel=5e-3)


# ---- LK energy balance on an annulus ---------------------------------------------------------


def annulus_balance(comm, scheme, element, ell):
    """tests/test_lk_physics.py's balance in 2D: a ``disc`` annulus of two rings, k = 1 + T/2,
    τ = 0.1 (and ℓ: Guyer–Krumhansl), a source, T = 1 + sin 3t on the hole, convection outside,
    10 steps of 0.02 s. Returns the worst per-step |d/dt∫CT − ∫Q + Σ flows| relative to the
    largest term (W/m), Σ Δt (∫Q − Σ flows) and ∫CT(t_end) − ∫CT(0) (J/m)."""
    domain = generators.build("disc", {"radii": [0.5, 1.0], "inner": 0.2, "h": 0.15}, comm)
    material = lk.Material(k="1 + 0.5*T", C=2.0, tau=0.1, ell=ell)
    problem = LKProblem(
        domain,
        {"layer0": material, "layer1": material},
        {"inner": lk.Temperature(value="1 + sin(3*t)"), "outer": lk.Convection(h=2.0, T_inf=0.3)},
        source="4*x + cos(t)",
        element=element,
        degree=1,
    )
    problem.set_initial(T0="1 - r")
    worst, integral, change = energy_balance(
        problem, TimeSettings(t_end=0.2, dt=0.02, scheme=scheme)
    )
    problem.destroy()
    return worst, integral, change


@pytest.mark.parametrize(
    "scheme, element, ell",
    [("backward_euler", "primal", 0.0), ("bdf2", "primal", 0.0), ("bdf2", "taylor_hood", 0.1)],
)
def test_energy_balance_on_an_annulus(comm, scheme, element, ell):
    """After every step d/dt∫CT = ∫Q − Σ flows to 1e-9 of the largest term; with backward Euler
    also summed over the run to 1e-8 (see :func:`annulus_balance`)."""
    worst, integral, change = annulus_balance(comm, scheme, element, ell)
    assert worst < 1e-9, worst
    if scheme == "backward_euler":
        assert abs(change) > 0.1
        assert integral == pytest.approx(change, rel=1e-8)
