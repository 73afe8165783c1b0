"""benchmarks/coarsening_seeds.py on synthetic densities: the common log grid, the fits against
t and t/ln t, the seed-to-seed spread, and its files. Pure numpy (no mesh): seconds."""

import importlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def seeds():
    sys.path.insert(0, str(BENCHMARKS))  # the tool imports its sibling benchmarks/coarsening.py
    return importlib.import_module("coarsening_seeds")


def _run(seeds, t, n, label):
    return seeds.Run(label=label, t=np.asarray(t, float), n=np.asarray(n, float), area=100.0)


def test_common_grid_and_interpolation(seeds):
    # an adaptive run (geometric steps) and a fixed-step one, ending at different times
    t_a = np.geomspace(0.05, 300.0, 97)
    t_b = np.arange(0.1, 120.0001, 0.1)
    runs = [_run(seeds, t, np.log(t + 1) / t, k) for k, t in (("a", t_a), ("b", t_b))]
    grid = seeds.common_grid(runs, 1.0, per_decade=10)
    assert grid[0] == pytest.approx(1.0) and grid[-1] == pytest.approx(120.0)  # earliest end
    assert len(grid) == math.ceil(10 * math.log10(120)) + 1
    assert np.allclose(np.diff(np.log(grid)), np.log(grid[1] / grid[0]))  # log-spaced
    exact = np.log(grid + 1) / grid
    for r in runs:
        assert np.allclose(seeds.on_grid(r.t, r.n, grid), exact, rtol=2e-3)
    # outside a run's times: NaN, not an extrapolation
    assert np.isnan(seeds.on_grid(t_b, np.ones_like(t_b), np.array([0.01, 200.0]))).all()
    with pytest.raises(ValueError, match="--t-from"):
        seeds.common_grid(runs, 500.0)


def test_log_corrected_fit_and_spread(seeds):
    t = np.geomspace(0.5, 200.0, 400)
    # n = c ln(t/t0)/t: α = 1 against t/ln(t/t0) for every c; the bare power law is shallower
    runs = [_run(seeds, t, c * np.log(t) / t, f"c{c}") for c in (0.9, 1.0, 1.1)]
    result = seeds.analyse(runs, t_from=2.0, per_decade=12, t0=1.0)
    assert result["decades"] == pytest.approx(2.0)
    for p in result["runs"]:
        assert p["fit"]["alpha_log_corrected"] == pytest.approx(1.0, abs=2e-3)
        assert 0.55 < p["fit"]["alpha"] < 0.7  # ln t/t over 2…200 s looks like t^-0.6
    grid = np.array(result["grid_s"])
    mean, std = np.array(result["mean_1_m2"]), np.array(result["std_1_m2"])
    assert np.allclose(mean, np.log(grid) / grid, rtol=2e-3)
    assert np.allclose(std, 0.1 * np.log(grid) / grid, rtol=2e-3)  # ddof 1 of 0.9, 1, 1.1
    assert np.allclose(result["sem_1_m2"], std / math.sqrt(3))
    assert result["fit_mean"]["alpha_log_corrected"] == pytest.approx(1.0, abs=2e-3)
    assert result["alpha_log_corrected_seeds"]["std"] < 1e-3  # the same exponent in each
    assert result["log_amplitude_C"] == pytest.approx(1.0, rel=2e-3)
    # power laws t^-0.8, t^-1, t^-1.2: the seeds' α spread is their std, 0.2
    runs = [_run(seeds, t, t**-a, f"a{a}") for a in (0.8, 1.0, 1.2)]
    result = seeds.analyse(runs, t_from=1.0, per_decade=10, fit_from=(10.0, 500.0))
    spread = result["alpha_seeds"]
    assert spread["mean"] == pytest.approx(1.0, abs=1e-3)
    assert spread["std"] == pytest.approx(0.2, abs=1e-3)
    assert spread["sem"] == pytest.approx(0.2 / math.sqrt(3), abs=1e-3)
    # from 1 s and from 10 s to the end (500 s is past it), and the windows 1…3…10…30…100…200
    assert [(w["t_from"], w["t_to"]) for w in result["to_end"]] == [(1.0, 200.0), (10.0, 200.0)]
    assert [w["t_from"] for w in result["local"]] == [1.0, 3.0, 10.0, 30.0, 100.0]
    for w in result["to_end"] + result["local"]:
        assert w["alpha_seeds"]["mean"] == pytest.approx(1.0, abs=1e-3)
        assert w["alpha_seeds"]["std"] == pytest.approx(0.2, abs=1e-3)
    # the mean of the three is no power law: t^-0.8 takes over, its local α falls from ≈ 1
    local = [w["mean"]["alpha"] for w in result["local"]]
    assert all(np.diff(local) < 0) and 0.97 < local[0] < 1.0 and 0.85 < local[-1] < 0.92


def _folder(path: Path, t, n, seed):
    path.mkdir()
    count = np.rint(n * 400.0)
    rows = ["t_s,vortices,antivortices,vortex_density_1_m2"]
    for k, (a, b) in enumerate(zip(t, count, strict=True)):
        c = "nan" if k % 3 == 2 else f"{b / 400.0:.17g}"  # diagnostics_every leaves NaN rows
        rows.append(f"{a:.17g},{b / 2:g},{b / 2:g},{c}")
    (path / "timeseries.csv").write_text("\n".join(rows) + "\n")
    command = f"mpirun -n 2 python3 benchmarks/coarsening.py --L 20 --seed {seed} --out x"
    (path / "benchmark.json").write_text(json.dumps({"command": command}))


@pytest.mark.serial  # writes files in tmp_path
def test_files(seeds, tmp_path):
    t = np.r_[0.0, np.geomspace(0.5, 150.0, 60)]
    folders = []
    for name, s, c in (("s2", 2, 1.0), ("s3", 3, 1.2), ("s2_dt", 2, 1.1)):
        folders.append(tmp_path / name)
        _folder(folders[-1], t, np.r_[1.0, c * np.log(t[1:] + 2) / t[1:]], s)
    out = tmp_path / "ens"
    assert seeds.main([*map(str, folders), "--out", str(out), "--export", str(out / "data")]) == 0
    result = json.loads((out / "seeds.json").read_text())
    assert [p["label"] for p in result["runs"]] == ["L20_s2", "L20_s3", "s2_dt"]  # unique
    assert result["runs"][0]["area_m2"] == pytest.approx(400.0)
    assert result["runs"][0]["L_m"] == 20.0 and result["runs"][1]["seed"] == 3
    table = (out / "seeds.md").read_text()
    assert "| L20_s3 | 20 | 3 |" in table and "mean ± std" in table
    assert (out / "seeds.png").stat().st_size > 10_000
    csv = (out / "data" / "L20_s2.csv").read_text().splitlines()
    assert csv[0] == "t_s,vortex_density_1_m2"
    assert len(csv) - 1 == sum(1 for k in range(1, len(t)) if k % 3 != 2)  # no t = 0, no NaN
