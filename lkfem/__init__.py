"""lkfem: Landau–Khalatnikov heat-flux multiphysics on FEniCSx.

The public API, flat: ``import lkfem as lk`` then ``lk.Material(k=1.0)``,
``lk.solve_steady_fourier(...)``, ``lk.run_case(lk.load_case("case.toml"), "out")``.
Pictures are in :mod:`lkfem.plot`; the geometries in :mod:`lkfem.meshes`. The architecture
(subpackages, the physics contract, the pipeline) is described in docs/architecture.md.
"""

from lkfem._version import __version__
from lkfem.case.load import load_case, parse_case, shipped_case, shipped_cases
from lkfem.case.spec import Case, MeshSpec
from lkfem.core.bcs import BoundaryCondition, Convection, HeatFlux, Temperature
from lkfem.core.domain import Domain, from_mesh
from lkfem.core.materials import Material
from lkfem.errors import CaseError, LkfemError, MeshError, SolverError
from lkfem.log import get_logger, set_log_level
from lkfem.mesh.gmsh import from_gmsh
from lkfem.mesh.importer import read_mesh, read_msh
from lkfem.mesh.load import load_domain
from lkfem.output.fields import FieldWriter, OutputFields
from lkfem.output.probes import probe
from lkfem.physics.domains.problem import DomainsProblem
from lkfem.physics.domains.stepper import DomainsStepper, relax_to_steady
from lkfem.physics.fourier.solver import SteadyFourierResult, solve_steady_fourier
from lkfem.physics.lk.problem import LKProblem
from lkfem.physics.lk.quantities import Quantities
from lkfem.physics.lk.stepper import run_transient
from lkfem.physics.superconductor.fields import SuperconductorFields
from lkfem.physics.superconductor.model import HeatSuperconductor
from lkfem.physics.superconductor.rods import RodMaterial, SNInterface, WeakLink
from lkfem.physics.superconductor.twist import dominant_frequency, spectrum
from lkfem.run import run_case
from lkfem.stepping import StepRecord, TimeSettings, bdf_coefficients, march
from lkfem.studies.cloak import CloakLayout, cloak_metrics, transformation_conductivity

__all__ = [
    "__version__",
    "BoundaryCondition",
    "Case",
    "CaseError",
    "CloakLayout",
    "Convection",
    "Domain",
    "DomainsProblem",
    "DomainsStepper",
    "FieldWriter",
    "HeatFlux",
    "HeatSuperconductor",
    "LKProblem",
    "LkfemError",
    "Material",
    "MeshError",
    "MeshSpec",
    "OutputFields",
    "Quantities",
    "RodMaterial",
    "SNInterface",
    "SolverError",
    "SteadyFourierResult",
    "StepRecord",
    "SuperconductorFields",
    "Temperature",
    "TimeSettings",
    "WeakLink",
    "bdf_coefficients",
    "cloak_metrics",
    "dominant_frequency",
    "from_gmsh",
    "from_mesh",
    "get_logger",
    "load_case",
    "load_domain",
    "march",
    "parse_case",
    "probe",
    "read_mesh",
    "read_msh",
    "relax_to_steady",
    "run_case",
    "run_transient",
    "set_log_level",
    "shipped_case",
    "shipped_cases",
    "solve_steady_fourier",
    "spectrum",
    "transformation_conductivity",
]
