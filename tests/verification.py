"""Helpers shared by the tests: norms, rates, exact mode solutions, running the CLI and demos."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI


def l2_error(u, exact, *, mesh, degree=6):
    """‖u − exact‖_L2 over ``mesh``, summed over ranks."""
    dx = ufl.dx(metadata={"quadrature_degree": degree}, domain=mesh)
    local = fem.assemble_scalar(fem.form(ufl.inner(u - exact, u - exact) * dx))
    return np.sqrt(mesh.comm.allreduce(local, op=MPI.SUM))


def rates(errors, sizes):
    """Observed orders between successive refinements."""
    e, h = np.asarray(errors), np.asarray(sizes, dtype=float)
    return np.log(e[1:] / e[:-1]) / np.log(h[1:] / h[:-1])


def flux_forcing(q_e, T_e, *, a, b, lam, zeta):
    """The forcing f_q = a q + b|q|²q − λΔq + ζ∇T that makes (q_e, T_e) solve the flux equation
    of the LK model (scalar Landau coefficients), for manufactured solutions."""
    return (
        a * q_e
        + b * ufl.inner(q_e, q_e) * q_e
        - lam * ufl.div(ufl.grad(q_e))
        + zeta * ufl.grad(T_e)
    )


def mode_amplitude(tau, ell, k, C, L, t):
    """A(t) of T = A(t) cos(πx/L) with A(0) = 1, A'(0) = 0 for
    τA'' + (1 + ℓ²π²/L²)A' + (k/C)(π/L)²A = 0 (A' from the initial q = 0)."""
    beta = 1 + ell**2 * np.pi**2 / L**2
    w2 = k / C * (np.pi / L) ** 2
    if tau == 0:
        return np.exp(-w2 / beta * t)
    disc = beta**2 - 4 * tau * w2
    if disc > 0:
        r1, r2 = (-beta + np.sqrt(disc)) / (2 * tau), (-beta - np.sqrt(disc)) / (2 * tau)
        c2 = -r1 / (r2 - r1)
        return (1 - c2) * np.exp(r1 * t) + c2 * np.exp(r2 * t)
    a, b = -beta / (2 * tau), np.sqrt(-disc) / (2 * tau)
    return np.exp(a * t) * (np.cos(b * t) - a / b * np.sin(b * t))


def energy_balance(problem, settings):
    """Step an LK ``problem`` over ``settings`` and check d/dt∫CT = ∫Q − Σ flows after every
    step. Returns the worst per-step balance error relative to the largest term, the running
    Σ Δt (∫Q − Σ flows) and ∫CT(t_end) − ∫CT(0)."""
    from lkfem import run_transient
    from lkfem.physics.lk.quantities import Quantities

    quantities = Quantities(problem)
    energy_0 = quantities.evaluate()["thermal_energy_J"]
    integral, worst = 0.0, 0.0

    def check(step):
        nonlocal integral, worst
        v = quantities.evaluate()
        flows = v["heat_flow_W"]
        scale = max(abs(f) for f in [*flows.values(), v["source_power_W"]])
        worst = max(worst, abs(v["balance_error_W"]) / scale)
        integral += step.dt * (v["source_power_W"] - sum(flows.values()))

    run_transient(problem, settings, check)
    return worst, integral, quantities.evaluate()["thermal_energy_J"] - energy_0


def global_profile(f):
    """(x, values) of a scalar P_k function's owned dofs, gathered from all ranks, sorted by x."""
    n = f.function_space.dofmap.index_map.size_local
    x = f.function_space.tabulate_dof_coordinates()[:n, 0]
    comm = f.function_space.mesh.comm
    xs = np.concatenate(comm.allgather(x))
    vs = np.concatenate(comm.allgather(f.x.array[:n].copy()))
    order = np.argsort(xs)
    return xs[order], vs[order]


def assemble_global(form):
    """A compiled scalar form, summed over ranks."""
    return form.mesh.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)


def load_demo(name):
    """The module demos/NAME.py."""
    path = Path(__file__).resolve().parents[1] / "demos" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def clean_env():
    """The environment minus MPI's own variables, so a child starts its own MPI job."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OMPI_COMM", "PMIX", "OMPI_MCA_orte", "PRTE"))
    }


def run_cli(case, out, ranks=1):
    """``lkfem run CASE --out OUT`` in a new process (under mpirun for ranks > 1)."""
    cmd = [sys.executable, "-m", "lkfem", "run", str(case), "--out", str(out)]
    if ranks > 1:
        cmd = ["mpirun", "-n", str(ranks), *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, env=clean_env())


def run_on_ranks(case, folder, ranks=(1, 2)):
    """``lkfem run CASE`` on each number of ranks, into FOLDER/out1, out2, …; fails the test
    on a non-zero exit. Returns {ranks: results folder}."""
    outs = {}
    for n in ranks:
        outs[n] = folder / f"out{n}"
        proc = run_cli(case, outs[n], ranks=n)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return outs


def assert_rejected(case, out, comm, capsys, expected):
    """``lkfem run CASE --out OUT`` refuses the case as a user error: exit code 2; on rank 0 one
    line naming the file and saying ``expected``, no traceback; nothing from other ranks; and no
    output folder nor partial sibling of it (only the case file is left in OUT's folder)."""
    from lkfem.cli import main

    assert main(["run", str(case), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    if comm.rank == 0:
        lines = err.strip().splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith(f"lkfem: error: {case}: "), lines[0]
        assert expected in lines[0], lines[0]
        assert "Traceback" not in err
    else:
        assert err == ""
    comm.barrier()
    leftovers = sorted(p.name for p in out.parent.iterdir() if p.name != "case.toml")
    assert leftovers == [], leftovers
