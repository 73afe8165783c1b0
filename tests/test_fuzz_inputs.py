"""Property-based tests (hypothesis): mutated case files and broken mesh files only ever give a
clean one-line error or a valid result, never a traceback or a hang. The counts of the last run
are printed (pytest -s) and recorded in docs/verification.md."""

import collections
import copy
import subprocess
import sys
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mpi4py import MPI

from lkfem.case.load import _parse_toml, parse_case
from lkfem.errors import LkfemError

from .test_cli import GOOD
from .verification import clean_env

pytestmark = pytest.mark.serial
COUNTS = collections.Counter()
BASE = tomllib.loads(GOOD + "[constants]\nk0 = 2.0\n[solver.petsc]\nksp_rtol = 1e-10\n")

scalars = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["fourier", "lk", "temperature", "x*y", "1/0", "T", "cg", "hypre", ""]),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
keys = st.one_of(
    st.sampled_from(["k", "h", "value", "type", "t_end", "dt", "model", "generator", "file",
                     "scale", "max_cells", "ksp_type", "pc_type", "ksp_rtol", "ksp_rtoll", "degree",
                     "element", "xdmf", "every", "T", "q", "parameters", "thickness", "title"]),
    st.text(max_size=10),
)  # fmt: skip


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))


@st.composite
def mutated_cases(draw):
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        path = draw(st.sampled_from(paths))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        kind = draw(st.sampled_from(["replace", "delete", "add", "nest"]))
        if not path:
            kind = "add"
        target = parent[path[-1]] if path else data
        if kind == "replace":
            parent[path[-1]] = draw(values)
        elif kind == "delete":
            del parent[path[-1]]
        elif kind == "nest":
            parent[path[-1]] = [target] * draw(st.integers(1, 2))
        elif isinstance(target, dict):
            target[draw(keys)] = draw(values)
    return data


def _classify(call):
    try:
        call()
    except LkfemError as exc:
        assert "\n" not in str(exc), str(exc)
        COUNTS["clean errors"] += 1
    except Exception:
        COUNTS["tracebacks"] += 1
        raise
    else:
        COUNTS["valid"] += 1
    COUNTS["inputs"] += 1


@settings(max_examples=400, deadline=2000, suppress_health_check=list(HealthCheck))
@given(mutated_cases())
def test_mutated_cases_are_valid_or_one_line_errors(data):
    _classify(lambda: parse_case(data, source="fuzz.toml"))


byte_edits = st.lists(
    st.tuples(st.integers(0, len(GOOD)), st.binary(min_size=0, max_size=4)), min_size=1, max_size=3
)


@settings(max_examples=300, deadline=2000, suppress_health_check=list(HealthCheck))
@given(
    edits=byte_edits,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "utf-32"]),
    truncate=st.integers(0, len(GOOD) + 1),
)
def test_mutated_bytes_are_valid_or_one_line_errors(edits, encoding, truncate):
    raw = GOOD.replace("two-layer", "deux-couches é").encode(encoding, errors="replace")
    raw = raw[:truncate] if truncate < len(raw) else raw
    for position, new in edits:
        raw = raw[:position] + new + raw[position + len(new) :]

    def parse():
        parse_case(_parse_toml("fuzz.toml", raw), source="fuzz.toml")

    _classify(parse)


def test_deep_nesting_of_every_kind():
    for depth in (50, 500, 5000):
        for opening, closing in (("[", "]"), ("{a=", "}")):
            raw = f"x = {opening * depth}{closing * depth}\n".encode()
            _classify(lambda raw=raw: parse_case(_parse_toml("deep.toml", raw)))


@pytest.mark.parametrize(
    "edit, code",
    [
        (lambda t: "\ufeff" + t, 0),
        (lambda t: t + "[constants]\nk0 = nan\n", 2),
        (lambda t: t + "[solver.petsc]\nksp_rtoll = 1e-8\n", 2),
        (lambda t: t.replace("h = 0.15", "h = 1e-5"), 2),
        (lambda t: t.replace("h = 0.15", "h = [[[[[[1]]]]]]"), 2),
    ],
)
def test_the_command_in_a_real_process(tmp_path, edit, code):
    """A handful through ``lkfem run``: exit 0 with results, or exit 2, one line, no output."""
    case = tmp_path / "case.toml"
    case.write_text(edit(GOOD).replace("png = true", "png = false"), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "lkfem", "run", str(case), "--out", str(out)],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=300,
    )
    COUNTS["inputs"] += 1
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    if code == 2:
        COUNTS["clean errors"] += 1
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["case.toml"]
    else:
        COUNTS["valid"] += 1
        assert (out / "summary.json").is_file()


@pytest.fixture(scope="module")
def mesh_sources(tmp_path_factory):
    from .broken_meshes import TET, box_msh

    folder = tmp_path_factory.mktemp("meshfuzz")
    good = box_msh(folder / "good.msh", h=0.6).read_bytes()
    return folder, [good, TET.format(nodes="1 2 3 4", x4=0, y4=0, z4=1).encode()]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    which=st.integers(0, 1),
    cut=st.floats(0.05, 1.0),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.sampled_from([b"9", b"-1", b" ", b"\n", b"$", b"0", b"1e9"])),
        max_size=2,
    ),
)
def test_truncated_and_corrupted_meshes(mesh_sources, which, cut, edits):
    """A gmsh file cut short and with bytes overwritten: a Domain or a one-line MeshError,
    never a crash (a crash would end this process)."""
    import lkfem as lk

    folder, sources = mesh_sources
    raw = sources[which][: max(1, int(len(sources[which]) * cut))]
    for position, new in edits:
        i = int(position * len(raw))
        raw = raw[:i] + new + raw[i + len(new) :]
    path = folder / "fuzzed.msh"
    path.write_bytes(raw)
    _classify(lambda: lk.read_mesh(path, MPI.COMM_SELF))


def test_a_mesh_without_boundaries_reads():
    """Found by the fuzzing above: a mesh with no physical surface has no boundaries (it
    used to fail with an AttributeError)."""
    import tempfile
    from pathlib import Path

    import lkfem as lk

    from .broken_meshes import TET

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tet.msh"
        path.write_text(TET.format(nodes="1 2 3 4", x4=0, y4=0, z4=1))
        domain = lk.read_mesh(path, MPI.COMM_SELF)
    assert domain.regions == {"solid": 1} and domain.boundaries == {}
    assert domain.facet_tags.values.size == 0


def test_print_counts():
    """Runs last in this module: the tally of the tests above."""
    print(f"\nfuzzed inputs: {dict(COUNTS)}")
    assert COUNTS["tracebacks"] == 0
