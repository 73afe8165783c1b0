import gc

import pytest
from mpi4py import MPI


@pytest.fixture(autouse=True)
def _collective_cleanup():
    """dolfinx and PETSc destructors are collective: collect on every rank, then meet."""
    yield
    gc.collect()
    MPI.COMM_WORLD.barrier()


@pytest.fixture
def comm():
    return MPI.COMM_WORLD


@pytest.fixture
def shared_tmp(tmp_path, comm):
    """One temporary folder, the same on every rank (rank 0's pytest tmp_path)."""
    from pathlib import Path

    return Path(comm.bcast(str(tmp_path), root=0))
