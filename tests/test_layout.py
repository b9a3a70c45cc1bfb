"""The package's structure holds: module size, one-way imports, no cycles (imports inside functions
included), and the rooms the design names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "hftp"
MAX_LINES = 600
#: stage → stages it may never import
FORBIDDEN = {
    "spectral": ("models", "brain", "tagging", "align", "plot", "apps", "datasets"),
    "tagging": ("models", "brain", "align", "apps", "datasets"),
    "align": ("models", "brain", "apps", "datasets"),
    "stimuli": ("models", "brain", "tagging", "align", "apps", "datasets"),
    "models": ("brain", "align", "apps", "datasets"),
    "brain": ("models", "align", "apps", "datasets"),
    "plot": ("models", "apps", "datasets"),
    "io": ("models", "brain", "tagging", "align", "plot", "apps", "datasets"),
    "_validation": ("spectral", "models", "brain", "tagging", "align", "plot", "apps", "datasets"),
}


def _modules() -> dict[str, Path]:
    out = {}
    for f in PKG.rglob("*.py"):
        parts = list(f.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _imports(path: Path, mods: dict[str, Path]) -> set[str]:
    """Every hftp module ``path`` imports, anywhere in the file (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hftp"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("hftp"))
    return {m for m in found if m in mods}


def _stage(mod: str) -> str:
    return mod.split(".")[1] if mod.count(".") else ""


def test_no_module_over_the_limit():
    long = {
        m: n
        for m, f in _modules().items()
        if (n := len(f.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by idea): {long}"


def test_imports_run_one_way():
    mods = _modules()
    bad = []
    for mod, f in mods.items():
        for dep in _imports(f, mods):
            if _stage(dep) in FORBIDDEN.get(_stage(mod), ()):
                bad.append(f"{mod} imports {dep}")
            if mod == "hftp":  # the top level only names the subpackages, lazily
                continue
            if _stage(dep) in ("apps", "datasets") and _stage(mod) not in ("apps", _stage(dep)):
                bad.append(f"{mod} imports {dep}")
    assert not bad, "\n".join(bad)


def test_no_import_cycles():
    """Between modules (a package's __init__ re-exports are edges too), imports inside functions
    included."""
    mods = _modules()
    graph = {m: {d for d in _imports(f, mods) if d != m} for m, f in mods.items()}
    # a module importing its own package's __init__ is how subpackages are entered, not a cycle
    for m in graph:
        graph[m] = {d for d in graph[m] if not m.startswith(d + ".")}
    state: dict[str, int] = {}
    cycles = []

    def visit(u, stack):
        state[u] = 1
        stack.append(u)
        for v in sorted(graph[u]):
            if state.get(v) == 1:
                cycles.append(" -> ".join([*stack[stack.index(v) :], v]))
            elif v not in state:
                visit(v, stack)
        stack.pop()
        state[u] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize(
    "room",
    ["stimuli", "models", "spectral", "tagging", "brain", "align", "plot", "datasets", "apps"],
)
def test_every_stage_is_a_subpackage(room):
    assert (PKG / room / "__init__.py").is_file()


def test_tests_mirror_the_package():
    tests = Path(__file__).resolve().parent
    for room in ("stimuli", "models", "spectral", "tagging", "brain", "align", "plot", "apps"):
        assert any((tests / room).glob("test_*.py")), f"tests/{room}/ has no tests"
