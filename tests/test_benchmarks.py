"""benchmarks/run.py at its tiny size: the JSON has every part with sane figures, and the
Markdown tables (also printed from the JSON by --markdown) show them."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _run_module():
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location("bench_run", BENCHMARKS / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.serial
def test_tiny_benchmark(tmp_path, capsys):
    run = _run_module()
    assert run.main(["--size", "tiny", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "benchmark.json").read_text())
    assert (result["size"], result["ranks"]) == ("tiny", 1)

    steady = result["steady_gk"]
    assert [r["n"] for r in steady] == run.SIZES["tiny"]["gk"]
    assert steady[0]["unknowns"] < steady[1]["unknowns"]
    for r in steady:
        assert set(r["time_s"]) == {
            "mesh",
            "setup",
            "assembly",
            "pc_setup",
            "solve",
            "total_solve",
        }
        assert all(t >= 0.0 for t in r["time_s"].values())
        assert r["time_s"]["total_solve"] > 0.0
        assert r["newton_iterations"] == 1  # the GK problem is linear: one linear solve
        assert r["jacobian_assemblies"] == 1
        assert 1 <= r["krylov_iterations"] <= 100
        assert r["bytes_per_unknown"] >= 0.0
        assert r["ratio_to_poisson"] > 0.0
        assert r["poisson"]["krylov"] >= 1
        assert r["T_L2_error"] < 0.2  # a manufactured solution of size ~1
    assert steady[1]["T_L2_error"] < steady[0]["T_L2_error"]

    fourier = result["fourier"]
    assert fourier["max_difference"] < 1e-6  # the same problem, the same answer
    assert fourier["lkfem_s"] > 0 and fourier["hand_written_s"] > 0
    assert fourier["ratio"] == pytest.approx(fourier["lkfem_s"] / fourier["hand_written_s"])

    transient = result["transient"]
    assert transient["steps"] == run.SIZES["tiny"]["steps"]
    assert transient["newton_iterations"] == transient["steps"]
    assert (transient["jacobian_assemblies"], transient["factorisations"]) == (1, 1)

    rows = result["robustness"]
    s = run.SIZES["tiny"]
    # per contrast: Taylor–Hood over ℓ and Γ/Δt, primal at ℓ = 0 and over Γ/Δt
    assert len(rows) == len(s["contrast"]) * (len(s["ell"]) + 1 + 2 * len(s["ratio"]))
    for row in rows:
        assert row["unknowns_refined"] > row["unknowns"]
        assert row["schur"] in ("selfp", "cahouet_chabard", "bfbt")
        assert row["element"] in ("taylor_hood", "primal")
        assert row["mode"] == ("steady" if row["gamma_dt"] is None else "transient")
        assert row["unknowns"] > 0
        if row["converged"]:
            assert row["krylov"] >= 1 and row["newton"] == 1
    assert sum(row["converged"] for row in rows) >= len(rows) - 2

    table = (tmp_path / "benchmark.md").read_text()
    assert "| n | unknowns | mesh s |" in table
    assert f"| {steady[1]['n']} | {steady[1]['unknowns']} |" in table
    capsys.readouterr()
    run.main(["--markdown", str(tmp_path / "benchmark.json")])
    assert capsys.readouterr().out.strip() == table.strip()
    readme = tmp_path / "README.md"
    readme.write_text(
        "# x\n<!-- benchmark tables: start -->\nold\n<!-- benchmark tables: end -->\nend\n"
    )
    run.main(["--markdown", str(tmp_path / "benchmark.json"), "--readme", str(readme)])
    text = readme.read_text()
    assert "old" not in text and text.endswith("end\n") and "| n | unknowns |" in text
    assert "Robustness" not in text  # the matrix is in docs/performance.md
