import gc
import sys

import pytest
from mpi4py import MPI


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under MPI, a test failing on one rank would leave the others waiting in a collective
    call: print the failure and abort the whole job instead of hanging."""
    outcome = yield
    report = outcome.get_result()
    comm = MPI.COMM_WORLD
    if report.failed and comm.size > 1:
        sys.stderr.write(
            f"\n[rank {comm.rank}] FAILED {item.nodeid} ({report.when}):\n{report.longreprtext}\n"
        )
        sys.stderr.flush()
        comm.Abort(1)


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
