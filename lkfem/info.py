"""``lkfem info``: the versions of lkfem and of the stack under it, the MPI ranks, and PETSc's
external packages — what a bug report needs."""

from __future__ import annotations

import platform
from importlib import import_module
from typing import Any

from lkfem._version import __version__

__all__ = ["versions", "report"]

_PACKAGES = ("dolfinx", "basix", "ffcx", "ufl", "petsc4py", "mpi4py", "numpy", "gmsh", "meshio")
_EXTERNAL = ("mumps", "superlu_dist", "hypre", "hdf5", "metis", "parmetis", "ptscotch", "scalapack")


def _version(name: str) -> str:
    try:
        module = import_module(name)
    except ImportError:
        return "not installed"
    return str(getattr(module, "__version__", "unknown"))


def versions(comm: Any) -> dict[str, Any]:
    """Versions, ranks and PETSc's configuration, as a dictionary."""
    import dolfinx
    from mpi4py import MPI
    from petsc4py import PETSc

    out: dict[str, Any] = {"lkfem": __version__, "python": platform.python_version()}
    out.update({name: _version(name) for name in _PACKAGES})
    petsc = PETSc.Sys.getVersion()
    out["PETSc"] = ".".join(str(v) for v in petsc)
    out["PETSc scalar"] = "complex" if PETSc.ScalarType().dtype.kind == "c" else "real"
    out["PETSc external packages"] = [p for p in _EXTERNAL if PETSc.Sys.hasExternalPackage(p)]
    out["MPI"] = MPI.Get_library_version().splitlines()[0].strip()
    out["MPI ranks"] = comm.size
    out["dolfinx ADIOS2 (VTX output)"] = bool(dolfinx.common.has_adios2)
    try:
        import vtk

        out["VTK"] = vtk.vtkVersion.GetVTKVersion()
    except ImportError:
        out["VTK"] = "not installed"
    out["pyvista"] = _version("pyvista")
    return out


def report(comm: Any) -> str:
    """:func:`versions` as aligned lines."""
    items = versions(comm)
    width = max(len(k) for k in items)
    lines = []
    for key, value in items.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        lines.append(f"{key:<{width}}  {shown}")
    return "\n".join(lines)
