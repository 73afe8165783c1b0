#!/bin/sh
# The one install recipe for lkfem's system packages: Debian's FEniCSx stack and tools.
#
# Used by the Dockerfile (inside a debian:trixie or debian:sid image) and by env/rootfs (inside
# a debootstrapped root of the same suite). Changing this file changes the root filesystem's
# cache key, so every environment is rebuilt from it.
#
# Usage: packages.sh SUITE      (SUITE: trixie -> dolfinx 0.9, sid -> dolfinx 0.11)
set -eu
suite=${1:?usage: packages.sh SUITE (trixie or sid)}

export DEBIAN_FRONTEND=noninteractive
apt_opts="-o Acquire::Retries=5"
if [ "$suite" = sid ]; then
    # The archive's sid Release file may be past its Valid-Until date.
    apt_opts="$apt_opts -o Acquire::Check-Valid-Until=false"
fi

# FEniCSx (dolfinx, ffcx, basix, ufl, petsc4py, mpi4py) and the compiler its JIT needs.
fenics="python3-dolfinx-real python3-petsc4py-real python3-mpi4py openmpi-bin
        build-essential python3-dev pkg-config"
# Geometry and mesh I/O.
geometry="python3-gmsh python3-meshio python3-h5py"
# Fields and plots with no display: VTK/pyvista, and Xvfb for VTK < 9.4 (trixie).
plots="python3-pyvista python3-vtk9 python3-matplotlib xvfb xauth libgl1-mesa-dri"
# Running and testing the package.
tools="python3-pip python3-setuptools python3-wheel python3-pytest python3-numpy python3-scipy
       python3-hypothesis make git ca-certificates procps"
# Daily use and reliability: progress bars, the case-file schema, checkpoints (ADIOS2), periodic
# constraints (dolfinx_mpc), GIF animations.
extras="python3-tqdm python3-rich python3-jsonschema python3-adios2-mpi python3-dolfinx-mpc
        python3-imageio"

# shellcheck disable=SC2086
apt-get $apt_opts update
# shellcheck disable=SC2086
apt-get $apt_opts install -y --no-install-recommends $fenics $geometry $plots $tools $extras
apt-get clean
rm -rf /var/lib/apt/lists/*

# Checkpoints: adios4dolfinx from PyPI, the release made for each suite's dolfinx.
case "$suite" in
    trixie) adios4dolfinx="adios4dolfinx==0.9.6" ;;   # dolfinx 0.9
    *) adios4dolfinx="adios4dolfinx==0.11.0" ;;       # dolfinx 0.11
esac
python3 -m pip install --no-deps --break-system-packages --no-cache-dir --root-user-action=ignore "$adios4dolfinx"
