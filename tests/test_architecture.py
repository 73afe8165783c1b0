"""The package's shape (docs/architecture.md), read from the source: no import cycles, no module
over 500 lines, the layers import only downwards, ``run.py`` knows no physics, every physics
subpackage is registered, and the demos use only the public API."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lkfem"

pytestmark = pytest.mark.serial  # reads files only: once is enough


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    for path in (ROOT / "meshes").glob("*.py"):  # installed as lkfem.meshes
        out["lkfem.meshes" + ("" if path.stem == "__init__" else f".{path.stem}")] = path
    return out


MODULES = _modules()


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                lines.update(n.lineno for n in ast.walk(sub) if hasattr(n, "lineno"))
    return lines


def _imports(name: str) -> set[str]:
    """The lkfem modules ``name`` imports (top level and inside functions; not the ones under
    ``if TYPE_CHECKING``), each resolved to the module (not a name inside it)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            # `from pkg import mod` imports pkg.mod; `from mod import name` imports mod
            targets = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            if not targets:
                targets = [base]
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    return out


def test_the_graph_is_read():
    """The checks below see real imports (a parser that found none would pass them all)."""
    assert "lkfem.core.domain" in GRAPH["lkfem.physics.lk.problem"]
    assert "lkfem.stepping" in GRAPH["lkfem.physics.lk.stepper"]
    assert "lkfem.physics.registry" in GRAPH["lkfem.run"]


def test_no_import_cycles():
    assert _cycles() == []


def test_no_module_over_500_lines():
    sizes = {name: len(p.read_text(encoding="utf-8").splitlines()) for name, p in MODULES.items()}
    assert sizes["lkfem.physics.lk.problem"] > 100
    assert {name: n for name, n in sizes.items() if n > 500} == {}


# What each layer may not import. Lower layers know nothing of the ones above them.
FORBIDDEN = {
    "lkfem.core": ("lkfem.mesh", "lkfem.solvers", "lkfem.case", "lkfem.output", "lkfem.plot",
                   "lkfem.physics", "lkfem.studies", "lkfem.run", "lkfem.cli", "lkfem.stepping"),
    "lkfem.mesh": ("lkfem.solvers", "lkfem.output", "lkfem.plot", "lkfem.physics",
                   "lkfem.studies", "lkfem.run"),
    "lkfem.solvers": ("lkfem.case", "lkfem.output", "lkfem.plot", "lkfem.physics",
                      "lkfem.studies", "lkfem.run"),
    "lkfem.stepping": ("lkfem.case", "lkfem.output", "lkfem.plot", "lkfem.physics",
                       "lkfem.studies", "lkfem.run"),
    "lkfem.output": ("lkfem.physics", "lkfem.studies", "lkfem.run", "lkfem.cli"),
    "lkfem.plot": ("lkfem.physics", "lkfem.studies", "lkfem.run", "lkfem.cli"),
    "lkfem.physics": ("lkfem.studies", "lkfem.run", "lkfem.cli", "lkfem.case.load"),
    "lkfem.studies": ("lkfem.run", "lkfem.cli", "lkfem.case.load"),
}  # fmt: skip


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_import_downwards(layer):
    bad = {
        (name, target)
        for name, targets in GRAPH.items()
        if name == layer or name.startswith(layer + ".")
        for target in targets
        if any(target == f or target.startswith(f + ".") for f in FORBIDDEN[layer])
    }
    assert bad == set()


def test_run_knows_no_physics():
    """``run.py`` talks to the registry and the contract only."""
    specific = {t for t in GRAPH["lkfem.run"] if t.startswith("lkfem.physics.")}
    assert specific <= {"lkfem.physics.registry", "lkfem.physics.base"}
    source = MODULES["lkfem.run"].read_text(encoding="utf-8")
    for word in ("superconductor", "fourier", '"lk"', "cloak"):
        assert word not in source.lower(), word


def test_every_physics_subpackage_is_registered():
    subpackages = {p.name for p in (PACKAGE / "physics").iterdir() if (p / "__init__.py").is_file()}
    registered = {t.split(".")[2] for t in GRAPH["lkfem.physics.registry"] if t.count(".") >= 3}
    assert subpackages and subpackages == registered


def _demo_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lkfem"):
            found.add(node.module or "")
            found.update(f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_"))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("lkfem"))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id in ("lk", "lkfem") and node.attr.startswith("_"):
                found.add(f"lkfem.{node.attr}")
    return found


PUBLIC = ("lkfem", "lkfem.plot", "lkfem.meshes")


@pytest.mark.parametrize("demo", sorted((ROOT / "demos").glob("*.py")), ids=lambda p: p.stem)
def test_demos_use_the_public_api(demo):
    used = _demo_imports(demo)
    private = {
        m
        for m in used
        if not (m in PUBLIC or m.startswith("lkfem.meshes.")) or "._" in m or m.endswith("._")
    }
    assert private == set()


def test_case_modules_reach_physics_only_through_load_and_schema():
    """Physics and studies contribute their sections through their registries: of the case
    modules only ``load`` and ``schema`` read those (the others stay below physics)."""
    allowed = {"lkfem.case.load", "lkfem.case.schema", "lkfem.case.schema.__main__"}
    bad = {
        (name, target)
        for name, targets in GRAPH.items()
        if name.startswith("lkfem.case.") and name not in allowed
        for target in targets
        if target.startswith(("lkfem.physics", "lkfem.studies"))
    }
    assert bad == set()
    assert "lkfem.physics.registry" in GRAPH["lkfem.case.schema"]


def test_every_package_is_installed():
    """pyproject.toml lists every package of lkfem: a subpackage missing there works from the
    checkout (editable install) but not from a wheel (the Docker image)."""
    import tomllib

    root = Path(__file__).parents[1]
    listed = set(
        tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(root).parts) for p in (root / "lkfem").rglob("__init__.py")
    }
    assert found - listed == set(), f"add to pyproject.toml's packages: {sorted(found - listed)}"
