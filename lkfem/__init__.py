"""lkfem: Landau–Khalatnikov heat-flux multiphysics on FEniCSx.

The public API, flat: ``import lkfem as lk`` then ``lk.Material(k=1.0)``,
``lk.solve_steady_fourier(...)``, ``lk.run_case(lk.load_case("case.toml"), "out")``.
"""

__version__ = "0.1.0"

from .bcs import BoundaryCondition, Convection, HeatFlux, Temperature
from .case import Case, MeshSpec, load_case, parse_case
from .domain import Domain, from_gmsh, read_msh
from .errors import CaseError, LkfemError, MeshError, SolverError
from .fourier import SteadyFourierResult, solve_steady_fourier
from .materials import Material
from .mesh_import import read_mesh
from .probes import probe
from .rods import RodMaterial, SNInterface, WeakLink
from .run import load_domain, run_case
from .superconductor import HeatSuperconductor

__all__ = [
    "__version__",
    "BoundaryCondition",
    "Case",
    "CaseError",
    "Convection",
    "Domain",
    "HeatFlux",
    "HeatSuperconductor",
    "LkfemError",
    "Material",
    "MeshError",
    "MeshSpec",
    "RodMaterial",
    "SNInterface",
    "SolverError",
    "SteadyFourierResult",
    "Temperature",
    "WeakLink",
    "from_gmsh",
    "load_case",
    "load_domain",
    "parse_case",
    "probe",
    "read_mesh",
    "read_msh",
    "run_case",
    "solve_steady_fourier",
]
