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
    assert run.main(["--size", "tiny", "--ranks", "1", "--out", str(tmp_path)]) == 0
    result = json.loads((tmp_path / "benchmark.json").read_text())
    assert (result["size"], result["ranks"]) == ("tiny", 1)
    assert result["machine"]["cpus"] >= 1

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
    low, high = fourier["ratio_spread"]  # the back-to-back pairs, each side first in turn
    assert 0.0 < low <= fourier["ratio_median"] <= high
    assert len(fourier["lkfem_all_s"]) == len(fourier["hand_written_all_s"]) >= 2
    assert fourier["fields_s"] > 0  # q and k, interpolated on first use
    assert abs(fourier["balance_error"]) < 1e-6  # heat flows and ∫ Q dx from one vector
    assert "parallel" not in result  # --ranks 1

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
        assert len(row["krylov_levels"]) == len(row["unknowns_levels"]) == s["levels"]
        assert row["unknowns_levels"][:2] == [row["unknowns"], row["unknowns_refined"]]
        assert row["schur"] in ("selfp", "cahouet_chabard", "bfbt")
        assert row["inner"] == 0  # the square is 2D: one application of the T block
        assert row["element"] in ("taylor_hood", "primal")
        assert row["mode"] == ("steady" if row["gamma_dt"] is None else "transient")
        assert row["unknowns"] > 0
        if row["converged"]:
            assert row["krylov"] >= 1 and row["newton"] == 1
    assert sum(row["converged"] for row in rows) >= len(rows) - 2

    square, box = result["domains"]
    assert square["case"].startswith("2D square") and box["case"].startswith("3D box")
    for row, steps in ((square, 3), (box, 2)):
        assert row["steps"] == steps and row["unknowns"] > 0
        assert row["s_per_step"] > 0 and row["newton_per_step"] >= 1
        assert len(row["peak_rss_MB_per_rank"]) == 1
    assert square["unknowns"] == 2 * (8 / 0.5 + 1) ** 2  # P1 vectors on the 16 × 16 quads

    table = (tmp_path / "benchmark.md").read_text()
    assert "| 2D square 8 ξ, h = 0.5 ξ |" in table
    assert "| n | unknowns | mesh s |" in table
    assert f"| {steady[1]['n']} | {steady[1]['unknowns']} |" in table
    capsys.readouterr()
    run.main(["--markdown", str(tmp_path / "benchmark.json")])
    assert capsys.readouterr().out.strip() == table.strip()
    readme = tmp_path / "README.md"
    readme.write_text(
        "# x\n<!-- benchmark tables: start -->\nOLD TABLE\n<!-- benchmark tables: end -->\nend\n"
    )
    recorded = Path(__file__).resolve().parent.parent / "docs/data/domains_3d_1M/benchmark.json"
    run.main(
        [
            "--markdown",
            str(tmp_path / "benchmark.json"),
            "--readme",
            str(readme),
            "--runs",
            str(recorded),
        ]
    )
    text = readme.read_text()
    assert "| domains_3d_1M | 1030896 | 2 |" in text
    assert "OLD TABLE" not in text and text.endswith("end\n") and "| n | unknowns |" in text
    assert "| geometry | element | mode |" not in text  # the full matrix is not in the README
    summary = text.partition("Robustness (")[2]  # but its summary is, a row per element
    assert "| geometry | element | cells | Krylov (all meshes) |" in summary
    for element in ("taylor_hood", "primal"):
        cells = [r for r in rows if r["element"] == element]
        assert f"| square | {element} | {len(cells)} |" in summary


@pytest.mark.serial
def test_robustness_summary_names_the_cells_above_the_limits():
    """One summary row per geometry and element, with the range over all meshes, the largest
    step and trend under refinement, and every cell above 30, growing more than 10 % per
    refinement (the trend) or failed, by name."""
    _run_module()
    import bench_report
    import bench_robust

    def cell(geometry, contrast, counts, ratio=None, converged=True):
        mode = "steady" if ratio is None else "transient"
        step, trend = bench_robust.growth(counts) if converged else (None, None)
        return dict(geometry=geometry, element="taylor_hood", mode=mode, contrast=contrast) | dict(
            ell=1.0,
            gamma_dt=ratio,
            krylov=counts[0],
            krylov_levels=counts,
            growth=step,
            trend=trend,
            converged=converged,
        )

    result = {
        "robustness": [
            cell("square", 1e4, [20, 21, 21]),
            cell("square", 1.0, [12, 12, 12], ratio=1e3),
            cell("cloak3d", 1e4, [12, 16, 11]),  # a jump, no trend: not named
            cell("cloak3d", 1e-4, [20, 24, 29], ratio=1e-3),  # a trend of +20 %: named
            cell("cloak3d", 1e-2, [31, 30, 30]),  # above 30: named
            cell("cloak3d", 1.0, [None, None, None], converged=False),
        ]
    }
    table = bench_report.robustness_summary(result)
    lines = table.splitlines()
    assert len(lines) == 4  # header, rule, square, cloak3d
    assert lines[2] == "| square | taylor_hood | 2 | 12–21 | +5 % | +2 % | none |"
    assert lines[3] == (
        "| cloak3d | taylor_hood | 4 | 11–31 | +33 % | +20 % | transient 0.0001, ℓ 1, Γ/(Δt A) "
        "0.001: 20/24/29; steady 0.01, ℓ 1: 31/30/30; steady 1, ℓ 1: failed |"
    )


def test_growth_is_the_largest_step_and_the_fitted_trend():
    sys.path.insert(0, str(BENCHMARKS))
    import bench_robust

    assert bench_robust.growth([10, 11]) == pytest.approx((0.1, 0.1))
    step, trend = bench_robust.growth([12, 16, 11])  # a jump on the middle mesh
    assert step == pytest.approx(1 / 3) and trend == pytest.approx((11 / 12) ** 0.5 - 1)
    step, trend = bench_robust.growth([10, 20, 40, 80])
    assert (step, trend) == (pytest.approx(1.0), pytest.approx(1.0))


@pytest.mark.serial
def test_parallel_efficiency_and_fits():
    """The parallel part's efficiency is t₁ / (R t_R) per phase; the report's power law fits
    c N^p exactly where the data are one."""
    _run_module()
    import bench_report
    import bench_scaling

    def part(ranks, scale):
        times = {
            k: scale * v for k, v in zip(bench_scaling.PHASES, [1, 2, 3, 4, 5, 12], strict=True)
        }
        times["total"] = scale * 15
        gk = {"unknowns": 1000, "time_s": times, "all_totals_s": [scale * 15, scale * 16]}
        fourier = {"unknowns": 500, "lkfem_s": scale * 2.0, "hand_written_s": scale * 1.8}
        return {"ranks": ranks, "steady_gk": gk, "fourier": fourier}

    e = bench_scaling.efficiency(part(1, 1.0), part(2, 0.625))  # 1.6× faster on 2 ranks
    assert e["gk"]["total"] == pytest.approx(0.8)
    assert e["gk"]["setup"] == pytest.approx(0.8)
    assert e["fourier_lkfem"] == pytest.approx(0.8)
    table = bench_report.parallel_table({"parallel": e})
    assert "| GK whole run | 1000 | 15.00 | 9.38 | 80 % |" in table

    c, p = bench_report.fit([1e3, 1e4, 1e5, 1e6], [2e-3 * n**1.1 for n in (1e3, 1e4, 1e5, 1e6)])
    assert (c, p) == (pytest.approx(2e-3), pytest.approx(1.1))


@pytest.mark.serial
def test_large_case_is_valid_and_sized_by_h(tmp_path):
    """benchmarks/slurm/large_gk.toml (the Slurm script's case) at a coarse h: valid, and its
    size follows h³ as its table says."""
    from lkfem.case.load import load_case
    from lkfem.run import validate_case

    text = (BENCHMARKS / "slurm" / "large_gk.toml").read_text()
    sizes = {}
    for h in (0.25, 0.2):
        coarse = text.replace("h = 0.02 ", f"h = {h} ").replace(
            "h_interface = 0.02", f"h_interface = {h}"
        )
        assert coarse != text
        (tmp_path / f"{h}.toml").write_text(coarse)
        report = validate_case(load_case(tmp_path / f"{h}.toml"))
        assert report["physics"] == "lk" and report["solve"].startswith("a transient")
        sizes[h] = report["unknowns"] / report["cells"], report["cells"]
    assert 3.5 < sizes[0.2][0] < 6.0  # about 4.2 Taylor–Hood unknowns per cell
    assert 1.3 < sizes[0.2][1] / sizes[0.25][1] < 2.8  # (0.25/0.2)³ ≈ 1.95
    assert "--max-wall" in (BENCHMARKS / "slurm" / "lkfem_large.sbatch").read_text()


def test_coarsening_case_and_fits():
    """benchmarks/coarsening.py: the shipped 2D case resized (fixed or adaptive Δt, PETSc
    options, modes), and its fits recover known exponents (no solve)."""
    import numpy as np

    spec = importlib.util.spec_from_file_location("coarsening", BENCHMARKS / "coarsening.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fixed = module.case(16.0, 0.25, 2.0, dt=0.1, fixed=True, petsc={"ksp_type": "cg"}, modes=8)
    assert fixed.mesh.parameters["Lx"] == 16.0 and fixed.mesh.parameters["h"] == 0.25
    assert not fixed.time.adaptive and fixed.time.dt == 0.1 and fixed.time.t_end == 2.0
    assert fixed.petsc_options == {"ksp_type": "cg"}
    assert fixed.sections["domains"].initial.modes == 8
    noise = module.case(16.0, 0.5, 2.0, initial="noise", diagnostics_every=10)
    assert noise.sections["domains"].initial.kind == "noise"
    assert noise.sections["domains"].diagnostics_every == 10
    adaptive = module.case(16.0, 0.5, 300.0)
    assert adaptive.time.adaptive and adaptive.time.dt_max == 3.0
    t = np.geomspace(3.0, 300.0, 40)
    assert module.fit(t, 5.0 * t**-0.8, 3.0)["alpha"] == pytest.approx(0.8)
    log_law = module.fit(t, np.log(t) / t, 3.0)
    assert log_law["alpha_log_corrected"] == pytest.approx(1.0)
    assert 0.6 < log_law["alpha"] < 0.9  # the logarithm lowers a bare power law's exponent


@pytest.mark.serial
def test_fourier_part(tmp_path, capsys):
    """--part fourier: only lkfem against the hand-written solver, at the cube asked for."""
    run = _run_module()
    assert run.main(["--part", "fourier", "--fourier", "3", "--out", str(tmp_path)]) == 0
    fourier = json.loads((tmp_path / "fourier.json").read_text())["fourier"]
    assert (fourier["n"], fourier["unknowns"]) == (3, 4**3)
    assert fourier["max_difference"] < 1e-6
    assert fourier["krylov_lkfem"] == fourier["krylov_hand_written"]
    assert "hand-written s" in capsys.readouterr().out


@pytest.mark.serial
def test_robustness_part(tmp_path, capsys):
    """--part robustness: only the matrix, every cell on the size's meshes, and its tables."""
    run = _run_module()
    assert run.main(["--part", "robustness", "--size", "tiny", "--out", str(tmp_path)]) == 0
    rows = json.loads((tmp_path / "robustness.json").read_text())["robustness"]
    s = run.SIZES["tiny"]
    assert len(rows) == len(s["contrast"]) * (len(s["ell"]) + 1 + 2 * len(s["ratio"]))
    assert all(len(r["krylov_levels"]) == s["levels"] for r in rows)
    out = capsys.readouterr().out
    assert "| Krylov per mesh |" in out and "| Krylov (all meshes) |" in out


def test_robustness_table_shows_the_inner_iterations():
    sys.path.insert(0, str(BENCHMARKS))
    import bench_report

    row = {"contrast": 1e4, "ell": 1.0, "gamma_dt": None, "converged": True, "krylov": 17}
    row.update(element="taylor_hood", mode="steady", unknowns=12, krylov_levels=[17, 16, 16])
    row.update(geometry="cloak3d", growth=-0.06, schur="cahouet_chabard", inner=3)
    table = bench_report.robustness_table({"robustness": [row, {**row, "inner": 0}]})
    lines = table.splitlines()
    assert "| cahouet_chabard + 3 inner | 12 | 17/16/16 | -6 % | -6 % |" in lines[-2]
    assert "| cahouet_chabard |" in lines[-1] and "inner" not in lines[-1]
